//! What the RIB files routes under: one key type for every address family.
//!
//! A [`Route`] is an NLRI as received (labels and all); its [`RouteKey`] is
//! the part that identifies the route for BGP processing. Two NLRI with the
//! same key are two advertisements of the same route and replace each other
//! when they come from the same peer (and ADD-PATH identifier).
//!
//! The key excludes what the RFCs say is not part of the route:
//! - EVPN type 1 (RFC 7432 §7.1): RD, ESI, Ethernet tag; not the label.
//! - EVPN type 2 (RFC 7432 §7.2): RD, Ethernet tag, MAC, IP; not the ESI or
//!   the labels.
//! - EVPN type 3 (RFC 7432 §7.3): RD, Ethernet tag, originator IP.
//! - EVPN type 4 (RFC 7432 §7.4): RD, ESI, originator IP.
//! - EVPN type 5 (RFC 9136 §3.1): RD, Ethernet tag, IP prefix; not the ESI,
//!   the gateway IP or the label.
//! - VPNv4/VPNv6 (RFC 4364 §4.3.4, RFC 8277 §2.4): RD and prefix; not the label.

use core::fmt;
use core::net::IpAddr;

use crate::nlri::evpn::PrefixGateway;
use crate::nlri::{EvpnRoute, IpPrefix, Ipv4Prefix, Ipv6Prefix, Vpnv4Route, Vpnv6Route};
use crate::types::{AddressFamily, Esi, EthernetTag, MacAddress, RouteDistinguisher};

/// The identity of an EVPN route (see the module docs for which fields).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EvpnKey {
    /// Type 1.
    EthernetAd {
        /// Route distinguisher.
        rd: RouteDistinguisher,
        /// Ethernet segment.
        esi: Esi,
        /// Ethernet tag.
        tag: EthernetTag,
    },
    /// Type 2.
    MacIp {
        /// Route distinguisher.
        rd: RouteDistinguisher,
        /// Ethernet tag.
        tag: EthernetTag,
        /// MAC.
        mac: MacAddress,
        /// IP, if any.
        ip: Option<IpAddr>,
    },
    /// Type 3.
    InclusiveMulticast {
        /// Route distinguisher.
        rd: RouteDistinguisher,
        /// Ethernet tag.
        tag: EthernetTag,
        /// Originating router's IP.
        originator: IpAddr,
    },
    /// Type 4.
    EthernetSegment {
        /// Route distinguisher.
        rd: RouteDistinguisher,
        /// Ethernet segment.
        esi: Esi,
        /// Originating router's IP.
        originator: IpAddr,
    },
    /// Type 5.
    IpPrefix {
        /// Route distinguisher.
        rd: RouteDistinguisher,
        /// Ethernet tag.
        tag: EthernetTag,
        /// The prefix.
        prefix: IpPrefix,
    },
    /// Unknown route type: the whole value is the key.
    Unknown {
        /// Route type.
        route_type: u8,
        /// Value bytes.
        value: Vec<u8>,
    },
}

impl EvpnKey {
    /// The key of an EVPN route.
    pub fn of(route: &EvpnRoute) -> EvpnKey {
        match route {
            EvpnRoute::EthernetAd(r) => EvpnKey::EthernetAd {
                rd: r.rd,
                esi: r.esi,
                tag: r.ethernet_tag,
            },
            EvpnRoute::MacIp(r) => EvpnKey::MacIp {
                rd: r.rd,
                tag: r.ethernet_tag,
                mac: r.mac,
                ip: r.ip,
            },
            EvpnRoute::InclusiveMulticast(r) => EvpnKey::InclusiveMulticast {
                rd: r.rd,
                tag: r.ethernet_tag,
                originator: r.originator,
            },
            EvpnRoute::EthernetSegment(r) => EvpnKey::EthernetSegment {
                rd: r.rd,
                esi: r.esi,
                originator: r.originator,
            },
            EvpnRoute::IpPrefix(r) => EvpnKey::IpPrefix {
                rd: r.rd,
                tag: r.ethernet_tag,
                prefix: match r.prefix {
                    PrefixGateway::V4 { prefix, .. } => IpPrefix::V4(prefix),
                    PrefixGateway::V6 { prefix, .. } => IpPrefix::V6(prefix),
                },
            },
            EvpnRoute::Unknown { route_type, value } => EvpnKey::Unknown {
                route_type: *route_type,
                value: value.clone(),
            },
        }
    }
}

/// The identity of a route in any address family the RIB carries.
///
/// `Hash` writes the key's canonical bytes in one call (equal keys, equal
/// bytes): the RIB's maps use a keyed SipHash, which costs per call, not
/// per byte, for keys this short.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum RouteKey {
    /// IPv4 unicast.
    Ipv4(Ipv4Prefix),
    /// IPv6 unicast.
    Ipv6(Ipv6Prefix),
    /// L2VPN EVPN.
    Evpn(EvpnKey),
    /// VPNv4: RD and prefix.
    Vpnv4(RouteDistinguisher, Ipv4Prefix),
    /// VPNv6: RD and prefix.
    Vpnv6(RouteDistinguisher, Ipv6Prefix),
}

impl RouteKey {
    /// The address family.
    pub fn family(&self) -> AddressFamily {
        match self {
            RouteKey::Ipv4(_) => AddressFamily::IPV4_UNICAST,
            RouteKey::Ipv6(_) => AddressFamily::IPV6_UNICAST,
            RouteKey::Evpn(_) => AddressFamily::L2VPN_EVPN,
            RouteKey::Vpnv4(..) => AddressFamily::VPNV4,
            RouteKey::Vpnv6(..) => AddressFamily::VPNV6,
        }
    }

    /// An EVPN MAC/IP advertisement (type 2): MAC mobility rules apply
    /// (RFC 7432 §15).
    pub fn is_mac_ip(&self) -> bool {
        matches!(self, RouteKey::Evpn(EvpnKey::MacIp { .. }))
    }

    /// Routes imported into VRFs/bridge domains by route target (EVPN, VPN);
    /// unicast routes go to the global table.
    pub fn uses_route_targets(&self) -> bool {
        matches!(
            self,
            RouteKey::Evpn(_) | RouteKey::Vpnv4(..) | RouteKey::Vpnv6(..)
        )
    }
}

/// A short byte string built on the stack.
struct KeyBytes {
    buf: [u8; 64],
    len: usize,
}

impl KeyBytes {
    fn put(&mut self, b: &[u8]) {
        if let Some(dst) = self.buf.get_mut(self.len..self.len + b.len()) {
            dst.copy_from_slice(b);
            self.len += b.len();
        }
    }

    fn ip(&mut self, ip: &IpAddr) {
        match ip {
            IpAddr::V4(a) => {
                self.put(&[4]);
                self.put(&a.octets());
            }
            IpAddr::V6(a) => {
                self.put(&[6]);
                self.put(&a.octets());
            }
        }
    }

    fn prefix(&mut self, p: &IpPrefix) {
        self.ip(&p.addr());
        self.put(&[p.prefix_len()]);
    }
}

impl core::hash::Hash for RouteKey {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        let mut k = KeyBytes {
            buf: [0; 64],
            len: 0,
        };
        match self {
            RouteKey::Ipv4(p) => {
                k.put(&[1]);
                k.prefix(&IpPrefix::V4(*p));
            }
            RouteKey::Ipv6(p) => {
                k.put(&[2]);
                k.prefix(&IpPrefix::V6(*p));
            }
            RouteKey::Vpnv4(rd, p) => {
                k.put(&[3]);
                k.put(&rd.to_bytes());
                k.prefix(&IpPrefix::V4(*p));
            }
            RouteKey::Vpnv6(rd, p) => {
                k.put(&[4]);
                k.put(&rd.to_bytes());
                k.prefix(&IpPrefix::V6(*p));
            }
            RouteKey::Evpn(e) => match e {
                EvpnKey::EthernetAd { rd, esi, tag } => {
                    k.put(&[5, 1]);
                    k.put(&rd.to_bytes());
                    k.put(&esi.0);
                    k.put(&tag.0.to_be_bytes());
                }
                EvpnKey::MacIp { rd, tag, mac, ip } => {
                    k.put(&[5, 2]);
                    k.put(&rd.to_bytes());
                    k.put(&tag.0.to_be_bytes());
                    k.put(&mac.0);
                    if let Some(ip) = ip {
                        k.ip(ip);
                    }
                }
                EvpnKey::InclusiveMulticast {
                    rd,
                    tag,
                    originator,
                } => {
                    k.put(&[5, 3]);
                    k.put(&rd.to_bytes());
                    k.put(&tag.0.to_be_bytes());
                    k.ip(originator);
                }
                EvpnKey::EthernetSegment {
                    rd,
                    esi,
                    originator,
                } => {
                    k.put(&[5, 4]);
                    k.put(&rd.to_bytes());
                    k.put(&esi.0);
                    k.ip(originator);
                }
                EvpnKey::IpPrefix { rd, tag, prefix } => {
                    k.put(&[5, 5]);
                    k.put(&rd.to_bytes());
                    k.put(&tag.0.to_be_bytes());
                    k.prefix(prefix);
                }
                EvpnKey::Unknown { route_type, value } => {
                    // Any length: hashed as it is, after its type.
                    state.write(&[5, 0, *route_type]);
                    state.write(value);
                    return;
                }
            },
        }
        state.write(k.buf.get(..k.len).unwrap_or(&[]));
    }
}

impl fmt::Display for RouteKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteKey::Ipv4(p) => p.fmt(f),
            RouteKey::Ipv6(p) => p.fmt(f),
            RouteKey::Evpn(k) => match k {
                EvpnKey::EthernetAd { rd, esi, tag } => write!(f, "[1]:[{rd}]:[{esi}]:[{}]", tag.0),
                EvpnKey::MacIp { rd, tag, mac, ip } => match ip {
                    Some(ip) => write!(f, "[2]:[{rd}]:[{}]:[{mac}]:[{ip}]", tag.0),
                    None => write!(f, "[2]:[{rd}]:[{}]:[{mac}]", tag.0),
                },
                EvpnKey::InclusiveMulticast {
                    rd,
                    tag,
                    originator,
                } => write!(f, "[3]:[{rd}]:[{}]:[{originator}]", tag.0),
                EvpnKey::EthernetSegment {
                    rd,
                    esi,
                    originator,
                } => write!(f, "[4]:[{rd}]:[{esi}]:[{originator}]"),
                EvpnKey::IpPrefix { rd, tag, prefix } => {
                    write!(f, "[5]:[{rd}]:[{}]:[{prefix}]", tag.0)
                }
                EvpnKey::Unknown { route_type, value } => {
                    write!(f, "[{route_type}]:{} bytes", value.len())
                }
            },
            RouteKey::Vpnv4(rd, p) => write!(f, "{rd}:{p}"),
            RouteKey::Vpnv6(rd, p) => write!(f, "{rd}:{p}"),
        }
    }
}

/// One NLRI of any family the RIB carries, as received or to be sent.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Route {
    /// IPv4 unicast.
    Ipv4(Ipv4Prefix),
    /// IPv6 unicast.
    Ipv6(Ipv6Prefix),
    /// EVPN.
    Evpn(EvpnRoute),
    /// VPNv4.
    Vpnv4(Vpnv4Route),
    /// VPNv6.
    Vpnv6(Vpnv6Route),
}

impl Route {
    /// The route's key.
    pub fn key(&self) -> RouteKey {
        match self {
            Route::Ipv4(p) => RouteKey::Ipv4(*p),
            Route::Ipv6(p) => RouteKey::Ipv6(*p),
            Route::Evpn(r) => RouteKey::Evpn(EvpnKey::of(r)),
            Route::Vpnv4(r) => RouteKey::Vpnv4(r.rd, r.prefix),
            Route::Vpnv6(r) => RouteKey::Vpnv6(r.rd, r.prefix),
        }
    }

    /// The address family.
    pub fn family(&self) -> AddressFamily {
        match self {
            Route::Ipv4(_) => AddressFamily::IPV4_UNICAST,
            Route::Ipv6(_) => AddressFamily::IPV6_UNICAST,
            Route::Evpn(_) => AddressFamily::L2VPN_EVPN,
            Route::Vpnv4(_) => AddressFamily::VPNV4,
            Route::Vpnv6(_) => AddressFamily::VPNV6,
        }
    }
}

impl Route {
    /// Bytes of the NLRI on the wire (without an ADD-PATH identifier).
    pub fn nlri_len(&self) -> usize {
        use crate::nlri::NlriCodec;
        match self {
            Route::Ipv4(p) => p.nlri_len(),
            Route::Ipv6(p) => p.nlri_len(),
            Route::Evpn(r) => r.nlri_len(),
            Route::Vpnv4(r) => r.nlri_len(),
            Route::Vpnv6(r) => r.nlri_len(),
        }
    }

    /// The form of this route in a withdrawal (VPN routes carry the
    /// compatibility label 0x800000, RFC 8277 §2.4).
    pub fn withdrawal(&self) -> Route {
        match self {
            Route::Vpnv4(r) => Route::Vpnv4(r.withdrawal()),
            Route::Vpnv6(r) => Route::Vpnv6(r.withdrawal()),
            other => other.clone(),
        }
    }
}

impl RouteKey {
    /// For routes that import tables hold without their RD (EVPN types 2,
    /// 3 and 5, VPN routes): the key with a zero RD, and the RD. Within a
    /// MAC-VRF or IP-VRF the same MAC or prefix from different PEs (each
    /// with its own RD) competes for one entry (RFC 7432 §9.2, §15; RFC
    /// 4364 §9). Types 1 and 4 (multihoming) and unicast routes have no
    /// such entry: `None`.
    pub fn split_rd(&self) -> Option<(RouteKey, RouteDistinguisher)> {
        let zero = RouteDistinguisher::ZERO;
        Some(match self {
            RouteKey::Evpn(EvpnKey::MacIp { rd, tag, mac, ip }) => (
                RouteKey::Evpn(EvpnKey::MacIp {
                    rd: zero,
                    tag: *tag,
                    mac: *mac,
                    ip: *ip,
                }),
                *rd,
            ),
            RouteKey::Evpn(EvpnKey::InclusiveMulticast {
                rd,
                tag,
                originator,
            }) => (
                RouteKey::Evpn(EvpnKey::InclusiveMulticast {
                    rd: zero,
                    tag: *tag,
                    originator: *originator,
                }),
                *rd,
            ),
            RouteKey::Evpn(EvpnKey::IpPrefix { rd, tag, prefix }) => (
                RouteKey::Evpn(EvpnKey::IpPrefix {
                    rd: zero,
                    tag: *tag,
                    prefix: *prefix,
                }),
                *rd,
            ),
            RouteKey::Vpnv4(rd, p) => (RouteKey::Vpnv4(zero, *p), *rd),
            RouteKey::Vpnv6(rd, p) => (RouteKey::Vpnv6(zero, *p), *rd),
            _ => return None,
        })
    }

    /// The same key with another RD (the inverse of [`RouteKey::split_rd`]);
    /// keys without an RD are returned unchanged.
    pub fn with_rd(&self, new: RouteDistinguisher) -> RouteKey {
        let mut k = self.clone();
        match &mut k {
            RouteKey::Evpn(
                EvpnKey::EthernetAd { rd, .. }
                | EvpnKey::MacIp { rd, .. }
                | EvpnKey::InclusiveMulticast { rd, .. }
                | EvpnKey::EthernetSegment { rd, .. }
                | EvpnKey::IpPrefix { rd, .. },
            )
            | RouteKey::Vpnv4(rd, _)
            | RouteKey::Vpnv6(rd, _) => *rd = new,
            _ => {}
        }
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlri::evpn::{EthernetSegmentRoute, IpPrefixRoute, MacIpAdvertisement};
    use crate::types::{LabelField, MplsLabel, Vni};
    use core::net::Ipv4Addr;

    const RD: RouteDistinguisher = RouteDistinguisher::As2 {
        asn: 65000,
        number: 7,
    };

    fn mac(label: u32, esi: Esi) -> Route {
        Route::Evpn(EvpnRoute::MacIp(MacIpAdvertisement {
            rd: RD,
            esi,
            ethernet_tag: EthernetTag(0),
            mac: MacAddress([2, 0, 0, 0, 0, 1]),
            ip: None,
            label1: LabelField::from_vni(Vni::new(label).unwrap()),
            label2: None,
        }))
    }

    #[test]
    fn labels_and_esi_are_not_part_of_the_key() {
        assert_eq!(mac(100, Esi::ZERO).key(), mac(200, Esi([1; 10])).key());
        let v = |label: u32| {
            Route::Vpnv4(crate::nlri::vpn::VpnRoute {
                label: MplsLabel::new(label, true).unwrap(),
                rd: RD,
                prefix: Ipv4Prefix::new(Ipv4Addr::new(10, 0, 0, 0), 8).unwrap(),
            })
        };
        assert_eq!(v(16).key(), v(17).key());
        assert_eq!(v(16).withdrawal().key(), v(16).key());
        let t5 = |gw: u8| {
            Route::Evpn(EvpnRoute::IpPrefix(IpPrefixRoute {
                rd: RD,
                esi: Esi::ZERO,
                ethernet_tag: EthernetTag(0),
                prefix: PrefixGateway::V4 {
                    prefix: Ipv4Prefix::new(Ipv4Addr::new(10, 1, 0, 0), 16).unwrap(),
                    gateway: Ipv4Addr::new(0, 0, 0, gw),
                },
                label: LabelField::default(),
            }))
        };
        assert_eq!(t5(0).key(), t5(1).key());
        assert_eq!(t5(0).key().to_string(), "[5]:[65000:7]:[0]:[10.1.0.0/16]");
        assert_eq!(
            mac(1, Esi::ZERO).key().to_string(),
            "[2]:[65000:7]:[0]:[02:00:00:00:00:01]"
        );
    }

    #[test]
    fn split_rd_round_trips() {
        let k = mac(100, Esi::ZERO).key();
        let (bare, rd) = k.split_rd().unwrap();
        assert_eq!(rd, RD);
        assert_eq!(bare.with_rd(rd), k);
        assert!(
            Route::Ipv4(Ipv4Prefix::new(Ipv4Addr::new(10, 0, 0, 0), 8).unwrap())
                .key()
                .split_rd()
                .is_none()
        );
        // Ethernet segment routes keep their RD (multihoming, not a VRF entry).
        let es = Route::Evpn(EvpnRoute::EthernetSegment(EthernetSegmentRoute {
            rd: RD,
            esi: Esi([1; 10]),
            originator: "192.0.2.1".parse().unwrap(),
        }));
        assert!(es.key().split_rd().is_none());
        assert_eq!(es.key().family(), AddressFamily::L2VPN_EVPN);
        assert!(mac(1, Esi::ZERO).key().is_mac_ip());
    }

    #[test]
    fn hash_is_one_write_of_distinct_canonical_bytes() {
        use core::hash::{BuildHasher, Hash, Hasher};
        use std::collections::hash_map::RandomState;
        let rs = RandomState::new();
        let h = |k: &RouteKey| rs.hash_one(k);
        let p4 = |a: [u8; 4], l: u8| Ipv4Prefix::new(Ipv4Addr::from(a), l).unwrap();
        let keys = [
            RouteKey::Ipv4(p4([10, 0, 0, 0], 8)),
            RouteKey::Ipv4(p4([10, 0, 0, 0], 16)),
            RouteKey::Vpnv4(RD, p4([10, 0, 0, 0], 8)),
            RouteKey::Vpnv4(RouteDistinguisher::ZERO, p4([10, 0, 0, 0], 8)),
            mac(1, Esi::ZERO).key(),
            RouteKey::Evpn(EvpnKey::MacIp {
                rd: RD,
                tag: EthernetTag(0),
                mac: MacAddress([0, 0, 0x5e, 0, 1, 1]),
                ip: Some(IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1))),
            }),
            RouteKey::Evpn(EvpnKey::InclusiveMulticast {
                rd: RD,
                tag: EthernetTag(0),
                originator: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
            }),
            RouteKey::Evpn(EvpnKey::Unknown {
                route_type: 9,
                value: vec![1, 2, 3],
            }),
        ];
        for (i, a) in keys.iter().enumerate() {
            // Equal keys hash equal.
            assert_eq!(h(a), h(&a.clone()));
            for b in keys.iter().skip(i + 1) {
                assert_ne!(a, b);
                assert_ne!(h(a), h(b), "{a} and {b}");
            }
        }
        // One write per key (an Unknown key: its type, then its bytes).
        struct Count(usize);
        impl Hasher for Count {
            fn finish(&self) -> u64 {
                0
            }
            fn write(&mut self, _: &[u8]) {
                self.0 += 1;
            }
        }
        for k in &keys[..7] {
            let mut c = Count(0);
            k.hash(&mut c);
            assert_eq!(c.0, 1, "{k}");
        }
    }
}
