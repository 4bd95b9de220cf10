//! Communities: standard (RFC 1997), extended (RFC 4360 and the EVPN ones
//! of RFC 7432 / RFC 9135 / RFC 9012), large (RFC 8092).
//!
//! An extended community is 8 bytes: type, sub-type, 6-byte value.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Type high    |  Type low(*)  |                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+          Value                |
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! A community decodes to a typed variant only when re-encoding that
//! variant gives back the same 8 bytes (reserved bits zero, known flags
//! only); anything else is [`ExtendedCommunity::Unknown`] with its 8 bytes,
//! so every community round-trips.

use core::fmt;
use core::net::Ipv4Addr;

use crate::iana::{extcomm_subtype as sub, extcomm_type as ty, tunnel_type};
use crate::types::{LabelField, MacAddress, RouteTarget};
use crate::wire::{DecodeError, Reader, Sink, Writer};

/// A standard community (RFC 1997): `asn:value` in 32 bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Community(pub u32);

impl Community {
    /// NO_EXPORT.
    pub const NO_EXPORT: Community = Community(crate::iana::community::NO_EXPORT);
    /// NO_ADVERTISE.
    pub const NO_ADVERTISE: Community = Community(crate::iana::community::NO_ADVERTISE);
    /// NO_EXPORT_SUBCONFED.
    pub const NO_EXPORT_SUBCONFED: Community =
        Community(crate::iana::community::NO_EXPORT_SUBCONFED);
    /// NOPEER.
    pub const NO_PEER: Community = Community(crate::iana::community::NO_PEER);

    /// `asn:value`.
    pub fn new(asn: u16, value: u16) -> Community {
        Community((u32::from(asn) << 16) | u32::from(value))
    }
}

impl fmt::Display for Community {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.0 >> 16, self.0 & 0xffff)
    }
}

/// A large community (RFC 8092 §3): three 32-bit fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LargeCommunity {
    /// Global administrator (an ASN).
    pub global_admin: u32,
    /// Local data part 1.
    pub local1: u32,
    /// Local data part 2.
    pub local2: u32,
}

impl fmt::Display for LargeCommunity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}:{}", self.global_admin, self.local1, self.local2)
    }
}

/// A tunnel type of the encapsulation extended community (RFC 9012 §14.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TunnelType {
    /// VXLAN (8).
    Vxlan,
    /// NVGRE (9).
    Nvgre,
    /// MPLS (10).
    Mpls,
    /// MPLS in GRE (11).
    MplsInGre,
    /// VXLAN-GPE (12).
    VxlanGpe,
    /// MPLS in UDP (13).
    MplsInUdp,
    /// Geneve (19).
    Geneve,
    /// Any other value.
    Unknown(u16),
}

impl From<u16> for TunnelType {
    fn from(v: u16) -> TunnelType {
        match v {
            tunnel_type::VXLAN => TunnelType::Vxlan,
            tunnel_type::NVGRE => TunnelType::Nvgre,
            tunnel_type::MPLS => TunnelType::Mpls,
            tunnel_type::MPLS_IN_GRE => TunnelType::MplsInGre,
            tunnel_type::VXLAN_GPE => TunnelType::VxlanGpe,
            tunnel_type::MPLS_IN_UDP => TunnelType::MplsInUdp,
            tunnel_type::GENEVE => TunnelType::Geneve,
            other => TunnelType::Unknown(other),
        }
    }
}

impl From<TunnelType> for u16 {
    fn from(t: TunnelType) -> u16 {
        match t {
            TunnelType::Vxlan => tunnel_type::VXLAN,
            TunnelType::Nvgre => tunnel_type::NVGRE,
            TunnelType::Mpls => tunnel_type::MPLS,
            TunnelType::MplsInGre => tunnel_type::MPLS_IN_GRE,
            TunnelType::VxlanGpe => tunnel_type::VXLAN_GPE,
            TunnelType::MplsInUdp => tunnel_type::MPLS_IN_UDP,
            TunnelType::Geneve => tunnel_type::GENEVE,
            TunnelType::Unknown(v) => v,
        }
    }
}

/// One extended community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ExtendedCommunity {
    /// Route target (types 0x00/0x01/0x02, sub-type 0x02).
    RouteTarget(RouteTarget),
    /// Encapsulation (type 0x03, sub-type 0x0c; RFC 9012 §4.1): 4 reserved
    /// bytes then the tunnel type. FRR and GoBGP send VXLAN (8).
    Encapsulation(TunnelType),
    /// Default gateway (type 0x03, sub-type 0x0d; RFC 7432 §7.8), value zero.
    DefaultGateway,
    /// MAC mobility (type 0x06, sub-type 0x00; RFC 7432 §7.7): flags octet
    /// (bit 0x01 sticky/static), reserved octet, 4-byte sequence number.
    MacMobility {
        /// Sticky (static) MAC.
        sticky: bool,
        /// Sequence number.
        sequence: u32,
    },
    /// ESI label (type 0x06, sub-type 0x01; RFC 7432 §7.5): flags octet
    /// (bit 0x01 single-active), 2 reserved bytes, label.
    EsiLabel {
        /// Single-active redundancy mode.
        single_active: bool,
        /// The ESI label (or VNI).
        label: LabelField,
    },
    /// EVPN router's MAC (type 0x06, sub-type 0x03; RFC 9135 §8.1).
    RouterMac(MacAddress),
    /// Anything else (or a known community with non-zero reserved bits):
    /// the 8 bytes as received.
    Unknown([u8; 8]),
}

impl ExtendedCommunity {
    /// Encoded size.
    pub const LEN: usize = 8;

    /// The 8 bytes on the wire.
    pub fn to_bytes(&self) -> [u8; 8] {
        let mut b = [0u8; 8];
        match *self {
            ExtendedCommunity::RouteTarget(rt) => {
                b[1] = sub::ROUTE_TARGET;
                match rt {
                    RouteTarget::As2 { asn, value } => {
                        b[0] = ty::TRANSITIVE_AS2;
                        b[2..4].copy_from_slice(&asn.to_be_bytes());
                        b[4..8].copy_from_slice(&value.to_be_bytes());
                    }
                    RouteTarget::Ipv4 { addr, value } => {
                        b[0] = ty::TRANSITIVE_IPV4;
                        b[2..6].copy_from_slice(&addr.octets());
                        b[6..8].copy_from_slice(&value.to_be_bytes());
                    }
                    RouteTarget::As4 { asn, value } => {
                        b[0] = ty::TRANSITIVE_AS4;
                        b[2..6].copy_from_slice(&asn.to_be_bytes());
                        b[6..8].copy_from_slice(&value.to_be_bytes());
                    }
                }
            }
            ExtendedCommunity::Encapsulation(t) => {
                b[0] = ty::TRANSITIVE_OPAQUE;
                b[1] = sub::ENCAPSULATION;
                b[6..8].copy_from_slice(&u16::from(t).to_be_bytes());
            }
            ExtendedCommunity::DefaultGateway => {
                b[0] = ty::TRANSITIVE_OPAQUE;
                b[1] = sub::DEFAULT_GATEWAY;
            }
            ExtendedCommunity::MacMobility { sticky, sequence } => {
                b[0] = ty::EVPN;
                b[1] = sub::MAC_MOBILITY;
                b[2] = u8::from(sticky);
                b[4..8].copy_from_slice(&sequence.to_be_bytes());
            }
            ExtendedCommunity::EsiLabel {
                single_active,
                label,
            } => {
                b[0] = ty::EVPN;
                b[1] = sub::ESI_LABEL;
                b[2] = u8::from(single_active);
                b[5..8].copy_from_slice(&label.0);
            }
            ExtendedCommunity::RouterMac(mac) => {
                b[0] = ty::EVPN;
                b[1] = sub::ROUTER_MAC;
                b[2..8].copy_from_slice(&mac.0);
            }
            ExtendedCommunity::Unknown(raw) => b = raw,
        }
        b
    }

    /// Interpret 8 bytes; every value is accepted.
    pub fn from_bytes(b: [u8; 8]) -> ExtendedCommunity {
        let [t, s, v0, v1, v2, v3, v4, v5] = b;
        let typed = match (t, s) {
            (ty::TRANSITIVE_AS2, sub::ROUTE_TARGET) => {
                ExtendedCommunity::RouteTarget(RouteTarget::As2 {
                    asn: u16::from_be_bytes([v0, v1]),
                    value: u32::from_be_bytes([v2, v3, v4, v5]),
                })
            }
            (ty::TRANSITIVE_IPV4, sub::ROUTE_TARGET) => {
                ExtendedCommunity::RouteTarget(RouteTarget::Ipv4 {
                    addr: Ipv4Addr::new(v0, v1, v2, v3),
                    value: u16::from_be_bytes([v4, v5]),
                })
            }
            (ty::TRANSITIVE_AS4, sub::ROUTE_TARGET) => {
                ExtendedCommunity::RouteTarget(RouteTarget::As4 {
                    asn: u32::from_be_bytes([v0, v1, v2, v3]),
                    value: u16::from_be_bytes([v4, v5]),
                })
            }
            (ty::TRANSITIVE_OPAQUE, sub::ENCAPSULATION) => {
                ExtendedCommunity::Encapsulation(TunnelType::from(u16::from_be_bytes([v4, v5])))
            }
            (ty::TRANSITIVE_OPAQUE, sub::DEFAULT_GATEWAY) => ExtendedCommunity::DefaultGateway,
            (ty::EVPN, sub::MAC_MOBILITY) => ExtendedCommunity::MacMobility {
                sticky: v0 & 1 == 1,
                sequence: u32::from_be_bytes([v2, v3, v4, v5]),
            },
            (ty::EVPN, sub::ESI_LABEL) => ExtendedCommunity::EsiLabel {
                single_active: v0 & 1 == 1,
                label: LabelField([v3, v4, v5]),
            },
            (ty::EVPN, sub::ROUTER_MAC) => {
                ExtendedCommunity::RouterMac(MacAddress([v0, v1, v2, v3, v4, v5]))
            }
            _ => return ExtendedCommunity::Unknown(b),
        };
        // Reserved bits or unknown flags set: keep the bytes as they came.
        if typed.to_bytes() == b {
            typed
        } else {
            ExtendedCommunity::Unknown(b)
        }
    }

    /// The transitive bit (0x40 of the type octet) is clear (RFC 4360 §2).
    pub fn is_transitive(&self) -> bool {
        self.to_bytes()[0] & 0x40 == 0
    }

    /// The route target, if this is one.
    pub fn route_target(&self) -> Option<RouteTarget> {
        match self {
            ExtendedCommunity::RouteTarget(rt) => Some(*rt),
            _ => None,
        }
    }
}

impl From<RouteTarget> for ExtendedCommunity {
    fn from(rt: RouteTarget) -> ExtendedCommunity {
        ExtendedCommunity::RouteTarget(rt)
    }
}

// ---- wire codec -----------------------------------------------------------

impl ExtendedCommunity {
    /// Read 8 bytes.
    pub fn decode(r: &mut Reader<'_>) -> Result<ExtendedCommunity, DecodeError> {
        Ok(ExtendedCommunity::from_bytes(r.array()?))
    }

    /// Write 8 bytes.
    pub fn encode<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.bytes(&self.to_bytes());
    }
}

impl Community {
    /// Read 4 bytes.
    pub fn decode(r: &mut Reader<'_>) -> Result<Community, DecodeError> {
        Ok(Community(r.u32()?))
    }

    /// Write 4 bytes.
    pub fn encode<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.u32(self.0);
    }
}

impl LargeCommunity {
    /// Encoded size.
    pub const LEN: usize = 12;

    /// Read 12 bytes.
    pub fn decode(r: &mut Reader<'_>) -> Result<LargeCommunity, DecodeError> {
        Ok(LargeCommunity {
            global_admin: r.u32()?,
            local1: r.u32()?,
            local2: r.u32()?,
        })
    }

    /// Write 12 bytes.
    pub fn encode<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.u32(self.global_admin);
        w.u32(self.local1);
        w.u32(self.local2);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(c: ExtendedCommunity, bytes: [u8; 8]) {
        assert_eq!(c.to_bytes(), bytes, "{c:?}");
        let mut r = Reader::new(&bytes);
        assert_eq!(ExtendedCommunity::decode(&mut r).unwrap(), c);
        assert!(r.is_empty());
        for n in 0..8 {
            assert!(ExtendedCommunity::decode(&mut Reader::new(&bytes[..n])).is_err());
        }
    }

    #[test]
    fn exact_bytes() {
        // FRR's auto RT 65000:100.
        check(
            RouteTarget::As2 {
                asn: 65000,
                value: 100,
            }
            .into(),
            [0x00, 0x02, 0xfd, 0xe8, 0, 0, 0, 100],
        );
        check(
            RouteTarget::Ipv4 {
                addr: Ipv4Addr::new(10, 0, 0, 1),
                value: 5,
            }
            .into(),
            [0x01, 0x02, 10, 0, 0, 1, 0, 5],
        );
        check(
            RouteTarget::As4 {
                asn: 4_200_000_001,
                value: 5,
            }
            .into(),
            [0x02, 0x02, 0xfa, 0x56, 0xea, 0x01, 0, 5],
        );
        // Encapsulation VXLAN ("ET:8").
        check(
            ExtendedCommunity::Encapsulation(TunnelType::Vxlan),
            [0x03, 0x0c, 0, 0, 0, 0, 0, 8],
        );
        check(
            ExtendedCommunity::DefaultGateway,
            [0x03, 0x0d, 0, 0, 0, 0, 0, 0],
        );
        check(
            ExtendedCommunity::MacMobility {
                sticky: true,
                sequence: 3,
            },
            [0x06, 0x00, 1, 0, 0, 0, 0, 3],
        );
        check(
            ExtendedCommunity::EsiLabel {
                single_active: true,
                label: LabelField([0, 0, 100]),
            },
            [0x06, 0x01, 1, 0, 0, 0, 0, 100],
        );
        check(
            ExtendedCommunity::RouterMac(MacAddress([2, 0xaa, 0xbb, 0xcc, 0xdd, 0xee])),
            [0x06, 0x03, 2, 0xaa, 0xbb, 0xcc, 0xdd, 0xee],
        );
        // Route origin is not modelled: kept raw.
        check(
            ExtendedCommunity::Unknown([0x00, 0x03, 0, 1, 0, 0, 0, 1]),
            [0x00, 0x03, 0, 1, 0, 0, 0, 1],
        );
    }

    #[test]
    fn reserved_bits_set_keep_raw_bytes() {
        // Encapsulation with a non-zero reserved byte.
        let b = [0x03, 0x0c, 0, 0, 1, 0, 0, 8];
        assert_eq!(
            ExtendedCommunity::from_bytes(b),
            ExtendedCommunity::Unknown(b)
        );
        // MAC mobility with an unknown flag bit.
        let b = [0x06, 0x00, 0x81, 0, 0, 0, 0, 1];
        assert_eq!(
            ExtendedCommunity::from_bytes(b),
            ExtendedCommunity::Unknown(b)
        );
        assert!(ExtendedCommunity::DefaultGateway.is_transitive());
        assert!(!ExtendedCommunity::Unknown([0x43, 0, 0, 0, 0, 0, 0, 0]).is_transitive());
    }

    #[test]
    fn communities() {
        let mut v = Vec::new();
        let mut w = Writer::new(&mut v);
        Community::new(65000, 1).encode(&mut w);
        Community::NO_EXPORT.encode(&mut w);
        LargeCommunity {
            global_admin: 4_200_000_000,
            local1: 1,
            local2: 2,
        }
        .encode(&mut w);
        assert_eq!(
            v,
            [
                0xfd, 0xe8, 0, 1, 0xff, 0xff, 0xff, 0x01, 0xfa, 0x56, 0xea, 0, 0, 0, 0, 1, 0, 0, 0,
                2
            ]
        );
        assert_eq!(Community::new(65000, 1).to_string(), "65000:1");
        let mut r = Reader::new(&v);
        assert_eq!(Community::decode(&mut r).unwrap(), Community::new(65000, 1));
        assert_eq!(Community::decode(&mut r).unwrap(), Community::NO_EXPORT);
        assert_eq!(
            LargeCommunity::decode(&mut r).unwrap().global_admin,
            4_200_000_000
        );
        assert!(r.is_empty());
    }
}
