//! EVPN NLRI (AFI 25, SAFI 70): route types 1-5 (RFC 7432 §7, RFC 9136 §3).
//!
//! ```text
//! +-----------------------------------+
//! |    Route Type (1 octet)           |
//! +-----------------------------------+
//! |     Length (1 octet)              |
//! +-----------------------------------+
//! | Route Type specific (variable)    |
//! +-----------------------------------+
//! ```
//!
//! Unknown route types keep their value bytes ([`EvpnRoute::Unknown`]) and
//! round-trip. Label fields are [`LabelField`]s: with VXLAN (RFC 8365
//! §5.1.3) they carry the 24-bit VNI, read with [`LabelField::as_vni`].
//!
//! Lengths that FRR 8.4 and GoBGP 3.10 put on the wire, which the tests
//! below pin: type 2 is 33 bytes without IP, 37 with IPv4 and one label, 40
//! with IPv4 and two labels (symmetric IRB: L2 VNI then L3 VNI), 49/52 with
//! IPv6; type 3 is 17 bytes with an IPv4 originator and 29 with IPv6; type 5
//! is 34 bytes for IPv4 and 58 for IPv6 (RFC 9136 §3.1).

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::prefix::{Ipv4Prefix, Ipv6Prefix};
use super::NlriCodec;
use crate::iana::evpn_route_type as rt;
use crate::types::{Esi, EthernetTag, LabelField, MacAddress, RouteDistinguisher};
use crate::wire::{DecodeError, Reader, Sink, Writer};

/// Type 1, Ethernet Auto-discovery route (RFC 7432 §7.1).
///
/// ```text
/// RD (8) | ESI (10) | Ethernet Tag ID (4) | MPLS Label (3)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EthernetAutoDiscovery {
    /// Route distinguisher.
    pub rd: RouteDistinguisher,
    /// Ethernet segment.
    pub esi: Esi,
    /// Ethernet tag (MAX-ET for per-ES routes).
    pub ethernet_tag: EthernetTag,
    /// Label (or VNI).
    pub label: LabelField,
}

/// Type 2, MAC/IP Advertisement route (RFC 7432 §7.2).
///
/// ```text
/// RD (8) | ESI (10) | Ethernet Tag ID (4) | MAC Address Length (1) = 48 |
/// MAC Address (6) | IP Address Length (1) = 0/32/128 | IP Address (0/4/16) |
/// MPLS Label1 (3) | MPLS Label2 (0 or 3)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MacIpAdvertisement {
    /// Route distinguisher.
    pub rd: RouteDistinguisher,
    /// Ethernet segment.
    pub esi: Esi,
    /// Ethernet tag.
    pub ethernet_tag: EthernetTag,
    /// The host MAC.
    pub mac: MacAddress,
    /// The host IP, if advertised.
    pub ip: Option<IpAddr>,
    /// Label 1: the L2 VNI with VXLAN.
    pub label1: LabelField,
    /// Label 2: the L3 VNI with symmetric IRB (RFC 9135), if present.
    pub label2: Option<LabelField>,
}

/// Type 3, Inclusive Multicast Ethernet Tag route (RFC 7432 §7.3).
///
/// ```text
/// RD (8) | Ethernet Tag ID (4) | IP Address Length (1) | Originating Router's IP (4/16)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct InclusiveMulticastEthernetTag {
    /// Route distinguisher.
    pub rd: RouteDistinguisher,
    /// Ethernet tag.
    pub ethernet_tag: EthernetTag,
    /// The originating router's address (the VTEP).
    pub originator: IpAddr,
}

/// Type 4, Ethernet Segment route (RFC 7432 §7.4).
///
/// ```text
/// RD (8) | ESI (10) | IP Address Length (1) | Originating Router's IP (4/16)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EthernetSegmentRoute {
    /// Route distinguisher.
    pub rd: RouteDistinguisher,
    /// Ethernet segment.
    pub esi: Esi,
    /// The originating router's address.
    pub originator: IpAddr,
}

/// The prefix and gateway of a type-5 route, which are of the same family.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PrefixGateway {
    /// IPv4 prefix and gateway (34-byte route).
    V4 {
        /// The prefix.
        prefix: Ipv4Prefix,
        /// Gateway IP (0.0.0.0 when the route resolves through the label/router MAC).
        gateway: Ipv4Addr,
    },
    /// IPv6 prefix and gateway (58-byte route).
    V6 {
        /// The prefix.
        prefix: Ipv6Prefix,
        /// Gateway IP (:: when unused).
        gateway: Ipv6Addr,
    },
}

/// Type 5, IP Prefix route (RFC 9136 §3.1).
///
/// ```text
/// RD (8) | ESI (10) | Ethernet Tag ID (4) | IP Prefix Length (1) |
/// IP Prefix (4/16) | GW IP Address (4/16) | MPLS Label (3)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct IpPrefixRoute {
    /// Route distinguisher.
    pub rd: RouteDistinguisher,
    /// Ethernet segment (zero unless the overlay index is an ESI).
    pub esi: Esi,
    /// Ethernet tag.
    pub ethernet_tag: EthernetTag,
    /// Prefix and gateway.
    pub prefix: PrefixGateway,
    /// Label: the L3 VNI with VXLAN.
    pub label: LabelField,
}

/// One EVPN route.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EvpnRoute {
    /// Type 1.
    EthernetAd(EthernetAutoDiscovery),
    /// Type 2.
    MacIp(MacIpAdvertisement),
    /// Type 3.
    InclusiveMulticast(InclusiveMulticastEthernetTag),
    /// Type 4.
    EthernetSegment(EthernetSegmentRoute),
    /// Type 5.
    IpPrefix(IpPrefixRoute),
    /// Any other route type, value bytes kept as received.
    Unknown {
        /// Route type.
        route_type: u8,
        /// The route-type-specific bytes.
        value: Vec<u8>,
    },
}

impl EvpnRoute {
    /// The route type code.
    pub fn route_type(&self) -> u8 {
        match self {
            EvpnRoute::EthernetAd(_) => rt::ETHERNET_AD,
            EvpnRoute::MacIp(_) => rt::MAC_IP_ADVERTISEMENT,
            EvpnRoute::InclusiveMulticast(_) => rt::INCLUSIVE_MULTICAST,
            EvpnRoute::EthernetSegment(_) => rt::ETHERNET_SEGMENT,
            EvpnRoute::IpPrefix(_) => rt::IP_PREFIX,
            EvpnRoute::Unknown { route_type, .. } => *route_type,
        }
    }

    /// The route distinguisher (`None` for unknown types).
    pub fn rd(&self) -> Option<RouteDistinguisher> {
        match self {
            EvpnRoute::EthernetAd(r) => Some(r.rd),
            EvpnRoute::MacIp(r) => Some(r.rd),
            EvpnRoute::InclusiveMulticast(r) => Some(r.rd),
            EvpnRoute::EthernetSegment(r) => Some(r.rd),
            EvpnRoute::IpPrefix(r) => Some(r.rd),
            EvpnRoute::Unknown { .. } => None,
        }
    }

    /// Length of the route-type-specific part (the Length octet's value).
    pub fn value_len(&self) -> usize {
        match self {
            EvpnRoute::EthernetAd(_) => 8 + 10 + 4 + 3,
            EvpnRoute::MacIp(r) => {
                8 + 10 + 4 + 1 + 6 + 1 + ip_len(r.ip) + 3 + r.label2.map_or(0, |_| 3)
            }
            EvpnRoute::InclusiveMulticast(r) => 8 + 4 + 1 + ip_len(Some(r.originator)),
            EvpnRoute::EthernetSegment(r) => 8 + 10 + 1 + ip_len(Some(r.originator)),
            EvpnRoute::IpPrefix(r) => match r.prefix {
                PrefixGateway::V4 { .. } => 34,
                PrefixGateway::V6 { .. } => 58,
            },
            EvpnRoute::Unknown { value, .. } => value.len(),
        }
    }
}

fn ip_len(ip: Option<IpAddr>) -> usize {
    match ip {
        None => 0,
        Some(IpAddr::V4(_)) => 4,
        Some(IpAddr::V6(_)) => 16,
    }
}

// ---- wire codec -----------------------------------------------------------

/// Read an IP address preceded by its length in bits (0, 32 or 128).
fn read_ip(r: &mut Reader<'_>, allow_none: bool) -> Result<Option<IpAddr>, DecodeError> {
    let at = r.offset();
    match r.u8()? {
        0 if allow_none => Ok(None),
        32 => Ok(Some(IpAddr::V4(r.ipv4()?))),
        128 => Ok(Some(IpAddr::V6(r.ipv6()?))),
        _ => Err(Reader::invalid_at(at, "EVPN IP address length")),
    }
}

fn write_ip<S: Sink>(w: &mut Writer<'_, S>, ip: Option<IpAddr>) {
    match ip {
        None => w.u8(0),
        Some(IpAddr::V4(a)) => {
            w.u8(32);
            w.ipv4(a);
        }
        Some(IpAddr::V6(a)) => {
            w.u8(128);
            w.ipv6(a);
        }
    }
}

fn decode_value(route_type: u8, r: &mut Reader<'_>) -> Result<EvpnRoute, DecodeError> {
    let route = match route_type {
        rt::ETHERNET_AD => EvpnRoute::EthernetAd(EthernetAutoDiscovery {
            rd: RouteDistinguisher::decode(r)?,
            esi: Esi::decode(r)?,
            ethernet_tag: EthernetTag(r.u32()?),
            label: LabelField::decode(r)?,
        }),
        rt::MAC_IP_ADVERTISEMENT => {
            let rd = RouteDistinguisher::decode(r)?;
            let esi = Esi::decode(r)?;
            let ethernet_tag = EthernetTag(r.u32()?);
            let at = r.offset();
            if r.u8()? != 48 {
                return Err(Reader::invalid_at(at, "EVPN MAC address length"));
            }
            let mac = MacAddress(r.array()?);
            let ip = read_ip(r, true)?;
            let label1 = LabelField::decode(r)?;
            let label2 = if r.is_empty() {
                None
            } else {
                Some(LabelField::decode(r)?)
            };
            EvpnRoute::MacIp(MacIpAdvertisement {
                rd,
                esi,
                ethernet_tag,
                mac,
                ip,
                label1,
                label2,
            })
        }
        rt::INCLUSIVE_MULTICAST => {
            let rd = RouteDistinguisher::decode(r)?;
            let ethernet_tag = EthernetTag(r.u32()?);
            let originator = read_ip(r, false)?.ok_or_else(|| r.invalid("originator"))?;
            EvpnRoute::InclusiveMulticast(InclusiveMulticastEthernetTag {
                rd,
                ethernet_tag,
                originator,
            })
        }
        rt::ETHERNET_SEGMENT => {
            let rd = RouteDistinguisher::decode(r)?;
            let esi = Esi::decode(r)?;
            let originator = read_ip(r, false)?.ok_or_else(|| r.invalid("originator"))?;
            EvpnRoute::EthernetSegment(EthernetSegmentRoute {
                rd,
                esi,
                originator,
            })
        }
        rt::IP_PREFIX => {
            let v6 = match r.remaining() {
                34 => false,
                58 => true,
                _ => return Err(r.invalid("EVPN IP prefix route length (34 or 58)")),
            };
            let rd = RouteDistinguisher::decode(r)?;
            let esi = Esi::decode(r)?;
            let ethernet_tag = EthernetTag(r.u32()?);
            let at = r.offset();
            let len = r.u8()?;
            let prefix = if v6 {
                let addr = r.ipv6()?;
                let prefix = Ipv6Prefix::new(addr, len)
                    .ok_or(Reader::invalid_at(at, "IPv6 prefix length"))?;
                PrefixGateway::V6 {
                    prefix,
                    gateway: r.ipv6()?,
                }
            } else {
                let addr = r.ipv4()?;
                let prefix = Ipv4Prefix::new(addr, len)
                    .ok_or(Reader::invalid_at(at, "IPv4 prefix length"))?;
                PrefixGateway::V4 {
                    prefix,
                    gateway: r.ipv4()?,
                }
            };
            EvpnRoute::IpPrefix(IpPrefixRoute {
                rd,
                esi,
                ethernet_tag,
                prefix,
                label: LabelField::decode(r)?,
            })
        }
        other => EvpnRoute::Unknown {
            route_type: other,
            value: r.rest().to_vec(),
        },
    };
    r.finish()?;
    Ok(route)
}

impl NlriCodec for EvpnRoute {
    fn decode_nlri(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let route_type = r.u8()?;
        let len = r.u8()?;
        let mut v = r.sub(usize::from(len))?;
        decode_value(route_type, &mut v)
    }

    fn nlri_len(&self) -> usize {
        2 + self.value_len()
    }

    /// Writes the route. An unknown route's value longer than 255 bytes
    /// cannot come from a decoder; it is truncated to keep the length octet
    /// consistent.
    fn encode_nlri<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.u8(self.route_type());
        w.u8(self.value_len().min(255) as u8);
        match self {
            EvpnRoute::EthernetAd(r) => {
                r.rd.encode(w);
                r.esi.encode(w);
                w.u32(r.ethernet_tag.0);
                r.label.encode(w);
            }
            EvpnRoute::MacIp(r) => {
                r.rd.encode(w);
                r.esi.encode(w);
                w.u32(r.ethernet_tag.0);
                w.u8(48);
                w.bytes(&r.mac.0);
                write_ip(w, r.ip);
                r.label1.encode(w);
                if let Some(l) = r.label2 {
                    l.encode(w);
                }
            }
            EvpnRoute::InclusiveMulticast(r) => {
                r.rd.encode(w);
                w.u32(r.ethernet_tag.0);
                write_ip(w, Some(r.originator));
            }
            EvpnRoute::EthernetSegment(r) => {
                r.rd.encode(w);
                r.esi.encode(w);
                write_ip(w, Some(r.originator));
            }
            EvpnRoute::IpPrefix(r) => {
                r.rd.encode(w);
                r.esi.encode(w);
                w.u32(r.ethernet_tag.0);
                match r.prefix {
                    PrefixGateway::V4 { prefix, gateway } => {
                        w.u8(prefix.prefix_len());
                        w.ipv4(prefix.addr());
                        w.ipv4(gateway);
                    }
                    PrefixGateway::V6 { prefix, gateway } => {
                        w.u8(prefix.prefix_len());
                        w.ipv6(prefix.addr());
                        w.ipv6(gateway);
                    }
                }
                r.label.encode(w);
            }
            EvpnRoute::Unknown { value, .. } => {
                w.bytes(value.get(..255).unwrap_or(value));
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::types::Vni;

    pub(crate) fn rd() -> RouteDistinguisher {
        RouteDistinguisher::Ipv4 {
            addr: Ipv4Addr::new(10, 0, 0, 1),
            number: 2,
        }
    }

    fn enc(r: &EvpnRoute) -> Vec<u8> {
        let mut v = Vec::new();
        r.encode_nlri(&mut Writer::new(&mut v));
        assert_eq!(v.len(), r.nlri_len());
        v
    }

    fn check(route: EvpnRoute, bytes: &[u8]) {
        assert_eq!(enc(&route), bytes, "encode {route:?}");
        let mut r = Reader::new(bytes);
        assert_eq!(EvpnRoute::decode_nlri(&mut r).unwrap(), route);
        assert!(r.is_empty());
        for n in 0..bytes.len() {
            let mut r = Reader::new(&bytes[..n]);
            assert!(
                EvpnRoute::decode_nlri(&mut r).is_err(),
                "prefix {n} accepted"
            );
        }
    }

    const RD: [u8; 8] = [0, 1, 10, 0, 0, 1, 0, 2];
    const VNI100: [u8; 3] = [0, 0, 100];

    /// Type 2 with IPv4 and one label: 37 value bytes, as FRR 8.4 sends a
    /// MAC+IP route for an L2 VNI (asymmetric IRB).
    #[test]
    fn type2_ipv4_one_label_is_37_bytes() {
        let route = EvpnRoute::MacIp(MacIpAdvertisement {
            rd: rd(),
            esi: Esi::ZERO,
            ethernet_tag: EthernetTag(0),
            mac: MacAddress([0x02, 0, 0, 0, 0, 0x0a]),
            ip: Some(IpAddr::V4(Ipv4Addr::new(10, 10, 0, 10))),
            label1: LabelField::from_vni(Vni::new(100).unwrap()),
            label2: None,
        });
        let mut b = vec![2, 37];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&[0, 0, 0, 0, 48, 2, 0, 0, 0, 0, 0x0a, 32, 10, 10, 0, 10]);
        b.extend_from_slice(&VNI100);
        check(route, &b);
    }

    #[test]
    fn type2_mac_only_and_ipv6_two_labels() {
        let mac_only = EvpnRoute::MacIp(MacIpAdvertisement {
            rd: rd(),
            esi: Esi([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]),
            ethernet_tag: EthernetTag(5),
            mac: MacAddress([0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]),
            ip: None,
            label1: LabelField([0, 0x27, 0x74]),
            label2: None,
        });
        let mut b = vec![2, 33];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&[1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
        b.extend_from_slice(&[0, 0, 0, 5, 48, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 0]);
        b.extend_from_slice(&[0, 0x27, 0x74]);
        check(mac_only, &b);

        let v6: Ipv6Addr = "2001:db8::10".parse().unwrap();
        let sym = EvpnRoute::MacIp(MacIpAdvertisement {
            rd: rd(),
            esi: Esi::ZERO,
            ethernet_tag: EthernetTag(0),
            mac: MacAddress([2, 0, 0, 0, 0, 1]),
            ip: Some(IpAddr::V6(v6)),
            label1: LabelField::from_vni(Vni::new(100).unwrap()),
            label2: Some(LabelField::from_vni(Vni::new(4000).unwrap())),
        });
        let mut b = vec![2, 52];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&[0, 0, 0, 0, 48, 2, 0, 0, 0, 0, 1, 128]);
        b.extend_from_slice(&v6.octets());
        b.extend_from_slice(&VNI100);
        b.extend_from_slice(&[0, 0x0f, 0xa0]);
        check(sym, &b);
    }

    #[test]
    fn type2_rejects_bad_lengths() {
        let mut b = vec![2, 33];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&[0, 0, 0, 0, 47, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
        let e = EvpnRoute::decode_nlri(&mut Reader::new(&b)).unwrap_err();
        assert_eq!(
            e,
            DecodeError::Invalid {
                offset: 24,
                what: "EVPN MAC address length"
            }
        );
        // IP length 24 is not allowed.
        let mut b = vec![2, 36];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&[0, 0, 0, 0, 48, 0, 0, 0, 0, 0, 1, 24, 1, 2, 3, 0, 0, 1]);
        assert!(EvpnRoute::decode_nlri(&mut Reader::new(&b)).is_err());
        // A trailing byte after label2.
        let mut b = vec![2, 41];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&[0, 0, 0, 0, 48, 0, 0, 0, 0, 0, 1, 32, 1, 2, 3, 4]);
        b.extend_from_slice(&[0, 0, 1, 0, 0, 2, 9]);
        assert!(matches!(
            EvpnRoute::decode_nlri(&mut Reader::new(&b)),
            Err(DecodeError::Truncated { .. }) | Err(DecodeError::Trailing { .. })
        ));
    }

    /// Type 3 with an IPv4 originator: 17 value bytes (FRR, GoBGP `multicast`).
    #[test]
    fn type3_ipv4_is_17_bytes() {
        let route = EvpnRoute::InclusiveMulticast(InclusiveMulticastEthernetTag {
            rd: rd(),
            ethernet_tag: EthernetTag(0),
            originator: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
        });
        let mut b = vec![3, 17];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&[0, 0, 0, 0, 32, 192, 0, 2, 1]);
        check(route, &b);
        let v6 = EvpnRoute::InclusiveMulticast(InclusiveMulticastEthernetTag {
            rd: rd(),
            ethernet_tag: EthernetTag(7),
            originator: IpAddr::V6(Ipv6Addr::LOCALHOST),
        });
        let mut b = vec![3, 29];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&[0, 0, 0, 7, 128]);
        b.extend_from_slice(&Ipv6Addr::LOCALHOST.octets());
        check(v6, &b);
    }

    #[test]
    fn type1_and_type4() {
        let esi = Esi([0, 1, 1, 1, 1, 1, 1, 1, 1, 1]);
        let ad = EvpnRoute::EthernetAd(EthernetAutoDiscovery {
            rd: rd(),
            esi,
            ethernet_tag: EthernetTag::MAX_ET,
            label: LabelField([0, 0, 0]),
        });
        let mut b = vec![1, 25];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&esi.0);
        b.extend_from_slice(&[0xff, 0xff, 0xff, 0xff, 0, 0, 0]);
        check(ad, &b);

        let es = EvpnRoute::EthernetSegment(EthernetSegmentRoute {
            rd: rd(),
            esi,
            originator: IpAddr::V4(Ipv4Addr::new(10, 0, 0, 1)),
        });
        let mut b = vec![4, 23];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&esi.0);
        b.extend_from_slice(&[32, 10, 0, 0, 1]);
        check(es, &b);
    }

    /// Type 5 IPv4: 34 value bytes (RFC 9136 §3.1; FRR `advertise ipv4
    /// unicast`, GoBGP `prefix ... gw 0.0.0.0`).
    #[test]
    fn type5_ipv4_is_34_bytes_ipv6_is_58() {
        let route = EvpnRoute::IpPrefix(IpPrefixRoute {
            rd: rd(),
            esi: Esi::ZERO,
            ethernet_tag: EthernetTag(0),
            prefix: PrefixGateway::V4 {
                prefix: Ipv4Prefix::new(Ipv4Addr::new(10, 60, 0, 0), 24).unwrap(),
                gateway: Ipv4Addr::UNSPECIFIED,
            },
            label: LabelField::from_vni(Vni::new(4000).unwrap()),
        });
        let mut b = vec![5, 34];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&[0, 0, 0, 0, 24, 10, 60, 0, 0, 0, 0, 0, 0, 0, 0x0f, 0xa0]);
        check(route, &b);

        let p6: Ipv6Addr = "2001:db8:1::".parse().unwrap();
        let route = EvpnRoute::IpPrefix(IpPrefixRoute {
            rd: rd(),
            esi: Esi::ZERO,
            ethernet_tag: EthernetTag(0),
            prefix: PrefixGateway::V6 {
                prefix: Ipv6Prefix::new(p6, 48).unwrap(),
                gateway: Ipv6Addr::UNSPECIFIED,
            },
            label: LabelField::from_vni(Vni::new(4000).unwrap()),
        });
        let mut b = vec![5, 58];
        b.extend_from_slice(&RD);
        b.extend_from_slice(&[0; 10]);
        b.extend_from_slice(&[0, 0, 0, 0, 48]);
        b.extend_from_slice(&p6.octets());
        b.extend_from_slice(&[0; 16]);
        b.extend_from_slice(&[0, 0x0f, 0xa0]);
        check(route, &b);

        // 35 bytes is neither.
        let mut b = vec![5, 35];
        b.extend_from_slice(&[0; 35]);
        assert!(EvpnRoute::decode_nlri(&mut Reader::new(&b)).is_err());
        // Prefix length 33 in an IPv4 route.
        let mut b = vec![5, 34];
        b.extend_from_slice(&[0; 22]);
        b.push(33);
        b.extend_from_slice(&[0; 11]);
        assert!(EvpnRoute::decode_nlri(&mut Reader::new(&b)).is_err());
    }

    #[test]
    fn unknown_type_round_trips() {
        let route = EvpnRoute::Unknown {
            route_type: 9,
            value: vec![1, 2, 3],
        };
        check(route, &[9, 3, 1, 2, 3]);
    }
}
