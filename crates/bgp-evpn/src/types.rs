//! Small BGP value types shared by NLRI, attributes and messages.
//!
//! Each type is an owned, validated value; its wire codec sits in a separate
//! `impl` block at the end of the file, reading through [`Reader`] and
//! writing through [`Writer`]. Constructors that take raw numbers check their
//! ranges, so a value of these types always encodes.

use core::fmt;
use core::net::Ipv4Addr;

use crate::iana;
use crate::wire::{DecodeError, Reader, Sink, Writer};

/// An autonomous system number (4-octet capable, RFC 6793).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Asn(pub u32);

impl Asn {
    /// AS_TRANS (RFC 6793 §9).
    pub const TRANS: Asn = Asn(iana::AS_TRANS as u32);

    /// The value fits two octets.
    pub fn is_2byte(self) -> bool {
        self.0 <= u32::from(u16::MAX)
    }

    /// The 2-octet representation: the number itself or AS_TRANS (RFC 6793 §4.2.2).
    pub fn to_2byte(self) -> u16 {
        u16::try_from(self.0).unwrap_or(iana::AS_TRANS)
    }
}

impl fmt::Display for Asn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// A BGP identifier (RFC 4271 §4.2; RFC 6286 relaxes it to any non-zero 32-bit value).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RouterId(pub Ipv4Addr);

impl fmt::Display for RouterId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// A 48-bit MAC address as carried in EVPN routes and the router's MAC
/// extended community.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MacAddress(pub [u8; 6]);

impl fmt::Display for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl fmt::Debug for MacAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// A route distinguisher (RFC 4364 §4.2): 2-octet type and 6-octet value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteDistinguisher {
    /// Type 0: 2-octet AS administrator, 4-octet assigned number.
    As2 {
        /// Administrator.
        asn: u16,
        /// Assigned number.
        number: u32,
    },
    /// Type 1: IPv4 address administrator, 2-octet assigned number
    /// (FRR's auto-derived `ROUTER_ID:N`).
    Ipv4 {
        /// Administrator.
        addr: Ipv4Addr,
        /// Assigned number.
        number: u16,
    },
    /// Type 2: 4-octet AS administrator, 2-octet assigned number.
    As4 {
        /// Administrator.
        asn: u32,
        /// Assigned number.
        number: u16,
    },
    /// Any other type: the 8 bytes as received.
    Unknown([u8; 8]),
}

impl RouteDistinguisher {
    /// Encoded size.
    pub const LEN: usize = 8;
    /// The all-zero RD (type 0, 0:0), used in VPN next hops (RFC 4364 §4.3.2).
    pub const ZERO: RouteDistinguisher = RouteDistinguisher::As2 { asn: 0, number: 0 };

    /// The 8 bytes on the wire.
    pub fn to_bytes(&self) -> [u8; 8] {
        let mut b = [0u8; 8];
        match *self {
            RouteDistinguisher::As2 { asn, number } => {
                b[2..4].copy_from_slice(&asn.to_be_bytes());
                b[4..8].copy_from_slice(&number.to_be_bytes());
            }
            RouteDistinguisher::Ipv4 { addr, number } => {
                b[0..2].copy_from_slice(&iana::rd_type::IPV4.to_be_bytes());
                b[2..6].copy_from_slice(&addr.octets());
                b[6..8].copy_from_slice(&number.to_be_bytes());
            }
            RouteDistinguisher::As4 { asn, number } => {
                b[0..2].copy_from_slice(&iana::rd_type::AS4.to_be_bytes());
                b[2..6].copy_from_slice(&asn.to_be_bytes());
                b[6..8].copy_from_slice(&number.to_be_bytes());
            }
            RouteDistinguisher::Unknown(raw) => b = raw,
        }
        b
    }

    /// Interpret 8 bytes (every value is accepted; unknown types stay raw).
    pub fn from_bytes(b: [u8; 8]) -> RouteDistinguisher {
        let [t0, t1, a, c, d, e, f, g] = b;
        match u16::from_be_bytes([t0, t1]) {
            iana::rd_type::AS2 => RouteDistinguisher::As2 {
                asn: u16::from_be_bytes([a, c]),
                number: u32::from_be_bytes([d, e, f, g]),
            },
            iana::rd_type::IPV4 => RouteDistinguisher::Ipv4 {
                addr: Ipv4Addr::new(a, c, d, e),
                number: u16::from_be_bytes([f, g]),
            },
            iana::rd_type::AS4 => RouteDistinguisher::As4 {
                asn: u32::from_be_bytes([a, c, d, e]),
                number: u16::from_be_bytes([f, g]),
            },
            _ => RouteDistinguisher::Unknown(b),
        }
    }
}

impl fmt::Display for RouteDistinguisher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteDistinguisher::As2 { asn, number } => write!(f, "{asn}:{number}"),
            RouteDistinguisher::Ipv4 { addr, number } => write!(f, "{addr}:{number}"),
            RouteDistinguisher::As4 { asn, number } => write!(f, "{asn}:{number}"),
            RouteDistinguisher::Unknown(b) => {
                f.write_str("0x")?;
                for x in b {
                    write!(f, "{x:02x}")?;
                }
                Ok(())
            }
        }
    }
}

/// The kind of an Ethernet segment identifier (RFC 7432 §5), decoded from
/// its 10 bytes by [`Esi::kind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EsiKind {
    /// Type 0: arbitrary 9-octet value (all zeros: single-homed).
    Arbitrary([u8; 9]),
    /// Type 1: auto-generated from LACP: CE system MAC and port key.
    Lacp {
        /// CE LACP system MAC.
        system_mac: MacAddress,
        /// CE LACP port key.
        port_key: u16,
    },
    /// Type 2: auto-generated from the L2 bridge protocol: root bridge.
    BridgeProtocol {
        /// Root bridge MAC.
        root_mac: MacAddress,
        /// Root bridge priority.
        priority: u16,
    },
    /// Type 3: MAC-based: system MAC and 3-octet local discriminator.
    Mac {
        /// System MAC.
        system_mac: MacAddress,
        /// Local discriminator (24 bits).
        discriminator: u32,
    },
    /// Type 4: router-ID-based: router ID and 4-octet local discriminator.
    RouterId {
        /// Router ID.
        router_id: Ipv4Addr,
        /// Local discriminator.
        discriminator: u32,
    },
    /// Type 5: AS-based: AS number and 4-octet local discriminator.
    As {
        /// AS number.
        asn: Asn,
        /// Local discriminator.
        discriminator: u32,
    },
    /// Any other type octet, with the 9 value bytes.
    Unknown(u8, [u8; 9]),
}

/// An Ethernet segment identifier (RFC 7432 §5): 10 bytes, type octet first.
/// Kept as raw bytes so every value round-trips; [`Esi::kind`] interprets it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Esi(pub [u8; 10]);

impl Esi {
    /// Encoded size.
    pub const LEN: usize = 10;
    /// The all-zero ESI: a single-homed site.
    pub const ZERO: Esi = Esi([0; 10]);

    /// The type octet.
    pub fn esi_type(&self) -> u8 {
        self.0[0]
    }

    /// All ten bytes zero.
    pub fn is_zero(&self) -> bool {
        *self == Esi::ZERO
    }

    /// The 9 value bytes after the type octet.
    pub fn value(&self) -> [u8; 9] {
        let [_, v @ ..] = self.0;
        v
    }

    /// Interpret the value according to the type octet (trailing bytes that
    /// RFC 7432 §5 requires to be zero are not checked).
    pub fn kind(&self) -> EsiKind {
        let [t, a, b, c, d, e, f, g, h, i] = self.0;
        let mac = MacAddress([a, b, c, d, e, f]);
        match t {
            0 => EsiKind::Arbitrary(self.value()),
            1 => EsiKind::Lacp {
                system_mac: mac,
                port_key: u16::from_be_bytes([g, h]),
            },
            2 => EsiKind::BridgeProtocol {
                root_mac: mac,
                priority: u16::from_be_bytes([g, h]),
            },
            3 => EsiKind::Mac {
                system_mac: mac,
                discriminator: u32::from_be_bytes([0, g, h, i]),
            },
            4 => EsiKind::RouterId {
                router_id: Ipv4Addr::new(a, b, c, d),
                discriminator: u32::from_be_bytes([e, f, g, h]),
            },
            5 => EsiKind::As {
                asn: Asn(u32::from_be_bytes([a, b, c, d])),
                discriminator: u32::from_be_bytes([e, f, g, h]),
            },
            other => EsiKind::Unknown(other, self.value()),
        }
    }

    /// Build an ESI from its interpretation.
    pub fn from_kind(kind: EsiKind) -> Esi {
        let mut b = [0u8; 10];
        let (t, v): (u8, [u8; 9]) = match kind {
            EsiKind::Arbitrary(v) => (0, v),
            EsiKind::Lacp {
                system_mac,
                port_key,
            } => {
                let mut v = [0u8; 9];
                v[..6].copy_from_slice(&system_mac.0);
                v[6..8].copy_from_slice(&port_key.to_be_bytes());
                (1, v)
            }
            EsiKind::BridgeProtocol { root_mac, priority } => {
                let mut v = [0u8; 9];
                v[..6].copy_from_slice(&root_mac.0);
                v[6..8].copy_from_slice(&priority.to_be_bytes());
                (2, v)
            }
            EsiKind::Mac {
                system_mac,
                discriminator,
            } => {
                let mut v = [0u8; 9];
                v[..6].copy_from_slice(&system_mac.0);
                v[6..9].copy_from_slice(&discriminator.to_be_bytes()[1..]);
                (3, v)
            }
            EsiKind::RouterId {
                router_id,
                discriminator,
            } => {
                let mut v = [0u8; 9];
                v[..4].copy_from_slice(&router_id.octets());
                v[4..8].copy_from_slice(&discriminator.to_be_bytes());
                (4, v)
            }
            EsiKind::As { asn, discriminator } => {
                let mut v = [0u8; 9];
                v[..4].copy_from_slice(&asn.0.to_be_bytes());
                v[4..8].copy_from_slice(&discriminator.to_be_bytes());
                (5, v)
            }
            EsiKind::Unknown(t, v) => (t, v),
        };
        b[0] = t;
        b[1..].copy_from_slice(&v);
        Esi(b)
    }
}

impl fmt::Display for Esi {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, x) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(":")?;
            }
            write!(f, "{x:02x}")?;
        }
        Ok(())
    }
}

/// An Ethernet tag ID (RFC 7432 §7): a 32-bit broadcast domain identifier
/// (0 for VLAN-based service, as FRR and GoBGP send by default).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EthernetTag(pub u32);

impl EthernetTag {
    /// MAX-ET, used by per-ES Ethernet A-D routes (RFC 7432 §8.2.1).
    pub const MAX_ET: EthernetTag = EthernetTag(u32::MAX);
}

/// A 24-bit VXLAN network identifier (RFC 7348 §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Vni(u32);

impl Vni {
    /// The largest VNI.
    pub const MAX: u32 = 0x00ff_ffff;

    /// A VNI, if `v` fits 24 bits.
    pub const fn new(v: u32) -> Option<Vni> {
        if v <= Self::MAX {
            Some(Vni(v))
        } else {
            None
        }
    }

    /// The number.
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl fmt::Display for Vni {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One MPLS label stack entry as BGP carries it (RFC 8277 §2): 20-bit
/// label, 3-bit traffic class, bottom-of-stack bit, in 3 bytes. Stored as the
/// 3 raw bytes so every value round-trips.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct MplsLabel(pub [u8; 3]);

impl MplsLabel {
    /// The largest label value.
    pub const MAX: u32 = 0x000f_ffff;
    /// The withdrawal compatibility value 0x800000 (RFC 8277 §2.4).
    pub const WITHDRAW_COMPAT: MplsLabel = MplsLabel([0x80, 0, 0]);

    /// A label with traffic class 0. `None` if `label` exceeds 20 bits.
    pub fn new(label: u32, bottom_of_stack: bool) -> Option<MplsLabel> {
        if label > Self::MAX {
            return None;
        }
        let v = (label << 4) | u32::from(bottom_of_stack);
        let b = v.to_be_bytes();
        Some(MplsLabel([b[1], b[2], b[3]]))
    }

    fn raw(self) -> u32 {
        let [a, b, c] = self.0;
        u32::from_be_bytes([0, a, b, c])
    }

    /// The 20-bit label value.
    pub fn label(self) -> u32 {
        self.raw() >> 4
    }

    /// The 3-bit traffic class.
    pub fn traffic_class(self) -> u8 {
        ((self.raw() >> 1) & 0x7) as u8
    }

    /// The bottom-of-stack bit.
    pub fn bottom_of_stack(self) -> bool {
        self.raw() & 1 == 1
    }
}

/// The 3-byte label field of EVPN routes, the PMSI tunnel attribute and the
/// ESI label community. With MPLS it holds an [`MplsLabel`]; with VXLAN
/// (RFC 8365 §5.1.3) it holds the raw 24-bit [`Vni`]. The field is kept raw
/// and the reader picks the interpretation that matches the encapsulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct LabelField(pub [u8; 3]);

impl LabelField {
    /// The field carrying a VNI (RFC 8365: the whole 24 bits).
    pub fn from_vni(vni: Vni) -> LabelField {
        let b = vni.get().to_be_bytes();
        LabelField([b[1], b[2], b[3]])
    }

    /// The field carrying an MPLS label.
    pub fn from_mpls(label: MplsLabel) -> LabelField {
        LabelField(label.0)
    }

    /// Read the field as a VNI (all 24 bits).
    pub fn as_vni(self) -> Vni {
        let [a, b, c] = self.0;
        Vni(u32::from_be_bytes([0, a, b, c]))
    }

    /// Read the field as an MPLS label entry.
    pub fn as_mpls_label(self) -> MplsLabel {
        MplsLabel(self.0)
    }
}

/// Address family identifier (IANA "Address Family Numbers").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Afi {
    /// IPv4 (1).
    Ipv4,
    /// IPv6 (2).
    Ipv6,
    /// L2VPN (25).
    L2vpn,
    /// Any other value.
    Unknown(u16),
}

impl From<u16> for Afi {
    fn from(v: u16) -> Afi {
        match v {
            iana::afi::IPV4 => Afi::Ipv4,
            iana::afi::IPV6 => Afi::Ipv6,
            iana::afi::L2VPN => Afi::L2vpn,
            other => Afi::Unknown(other),
        }
    }
}

impl From<Afi> for u16 {
    fn from(a: Afi) -> u16 {
        match a {
            Afi::Ipv4 => iana::afi::IPV4,
            Afi::Ipv6 => iana::afi::IPV6,
            Afi::L2vpn => iana::afi::L2VPN,
            Afi::Unknown(v) => v,
        }
    }
}

/// Subsequent address family identifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Safi {
    /// Unicast (1).
    Unicast,
    /// Multicast (2).
    Multicast,
    /// Labelled unicast (4, RFC 8277).
    MplsLabel,
    /// EVPN (70).
    Evpn,
    /// MPLS-labelled VPN (128).
    MplsVpn,
    /// Any other value.
    Unknown(u8),
}

impl From<u8> for Safi {
    fn from(v: u8) -> Safi {
        match v {
            iana::safi::UNICAST => Safi::Unicast,
            iana::safi::MULTICAST => Safi::Multicast,
            iana::safi::MPLS_LABEL => Safi::MplsLabel,
            iana::safi::EVPN => Safi::Evpn,
            iana::safi::MPLS_VPN => Safi::MplsVpn,
            other => Safi::Unknown(other),
        }
    }
}

impl From<Safi> for u8 {
    fn from(s: Safi) -> u8 {
        match s {
            Safi::Unicast => iana::safi::UNICAST,
            Safi::Multicast => iana::safi::MULTICAST,
            Safi::MplsLabel => iana::safi::MPLS_LABEL,
            Safi::Evpn => iana::safi::EVPN,
            Safi::MplsVpn => iana::safi::MPLS_VPN,
            Safi::Unknown(v) => v,
        }
    }
}

/// An AFI/SAFI pair.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AddressFamily {
    /// Address family.
    pub afi: Afi,
    /// Subsequent address family.
    pub safi: Safi,
}

impl AddressFamily {
    /// IPv4 unicast.
    pub const IPV4_UNICAST: AddressFamily = AddressFamily::new(Afi::Ipv4, Safi::Unicast);
    /// IPv6 unicast.
    pub const IPV6_UNICAST: AddressFamily = AddressFamily::new(Afi::Ipv6, Safi::Unicast);
    /// L2VPN EVPN.
    pub const L2VPN_EVPN: AddressFamily = AddressFamily::new(Afi::L2vpn, Safi::Evpn);
    /// VPNv4 (IPv4 MPLS VPN).
    pub const VPNV4: AddressFamily = AddressFamily::new(Afi::Ipv4, Safi::MplsVpn);
    /// VPNv6 (IPv6 MPLS VPN).
    pub const VPNV6: AddressFamily = AddressFamily::new(Afi::Ipv6, Safi::MplsVpn);

    /// A pair.
    pub const fn new(afi: Afi, safi: Safi) -> AddressFamily {
        AddressFamily { afi, safi }
    }
}

impl fmt::Display for AddressFamily {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", u16::from(self.afi), u8::from(self.safi))
    }
}

/// A route target (RFC 4360 §4, RFC 5668): which VRFs or bridge domains
/// import a route. Carried as a transitive extended community.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteTarget {
    /// Two-octet AS specific (type 0x00): `asn:value` (FRR's `AS:VNI`).
    As2 {
        /// Global administrator.
        asn: u16,
        /// Local administrator.
        value: u32,
    },
    /// IPv4 address specific (type 0x01).
    Ipv4 {
        /// Global administrator.
        addr: Ipv4Addr,
        /// Local administrator.
        value: u16,
    },
    /// Four-octet AS specific (type 0x02).
    As4 {
        /// Global administrator.
        asn: u32,
        /// Local administrator.
        value: u16,
    },
}

impl fmt::Display for RouteTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteTarget::As2 { asn, value } => write!(f, "{asn}:{value}"),
            RouteTarget::Ipv4 { addr, value } => write!(f, "{addr}:{value}"),
            RouteTarget::As4 { asn, value } => write!(f, "{asn}:{value}"),
        }
    }
}

// ---- wire codec -----------------------------------------------------------

impl RouteDistinguisher {
    /// Read 8 bytes.
    pub fn decode(r: &mut Reader<'_>) -> Result<RouteDistinguisher, DecodeError> {
        Ok(RouteDistinguisher::from_bytes(r.array()?))
    }

    /// Write 8 bytes.
    pub fn encode<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.bytes(&self.to_bytes());
    }
}

impl Esi {
    /// Read 10 bytes.
    pub fn decode(r: &mut Reader<'_>) -> Result<Esi, DecodeError> {
        Ok(Esi(r.array()?))
    }

    /// Write 10 bytes.
    pub fn encode<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.bytes(&self.0);
    }
}

impl LabelField {
    /// Read 3 bytes.
    pub fn decode(r: &mut Reader<'_>) -> Result<LabelField, DecodeError> {
        Ok(LabelField(r.array()?))
    }

    /// Write 3 bytes.
    pub fn encode<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.bytes(&self.0);
    }
}

impl MplsLabel {
    /// Read 3 bytes.
    pub fn decode(r: &mut Reader<'_>) -> Result<MplsLabel, DecodeError> {
        Ok(MplsLabel(r.array()?))
    }

    /// Write 3 bytes.
    pub fn encode<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.bytes(&self.0);
    }
}

impl AddressFamily {
    /// Read AFI (2 bytes) and SAFI (1 byte), as in MP_REACH_NLRI.
    pub fn decode(r: &mut Reader<'_>) -> Result<AddressFamily, DecodeError> {
        let afi = Afi::from(r.u16()?);
        let safi = Safi::from(r.u8()?);
        Ok(AddressFamily { afi, safi })
    }

    /// Write AFI (2 bytes) and SAFI (1 byte).
    pub fn encode<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.u16(self.afi.into());
        w.u8(self.safi.into());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rd_types_round_trip_and_display() {
        let cases = [
            (
                RouteDistinguisher::As2 {
                    asn: 65000,
                    number: 100,
                },
                [0, 0, 0xfd, 0xe8, 0, 0, 0, 100],
                "65000:100",
            ),
            (
                RouteDistinguisher::Ipv4 {
                    addr: Ipv4Addr::new(10, 0, 0, 1),
                    number: 2,
                },
                [0, 1, 10, 0, 0, 1, 0, 2],
                "10.0.0.1:2",
            ),
            (
                RouteDistinguisher::As4 {
                    asn: 4_200_000_000,
                    number: 7,
                },
                [0, 2, 0xfa, 0x56, 0xea, 0x00, 0, 7],
                "4200000000:7",
            ),
            (
                RouteDistinguisher::Unknown([0, 9, 1, 2, 3, 4, 5, 6]),
                [0, 9, 1, 2, 3, 4, 5, 6],
                "0x0009010203040506",
            ),
        ];
        for (rd, bytes, text) in cases {
            assert_eq!(rd.to_bytes(), bytes);
            assert_eq!(RouteDistinguisher::from_bytes(bytes), rd);
            assert_eq!(rd.to_string(), text);
            let mut r = Reader::new(&bytes);
            assert_eq!(RouteDistinguisher::decode(&mut r).unwrap(), rd);
            assert!(r.is_empty());
            let mut r = Reader::new(&bytes[..7]);
            assert!(RouteDistinguisher::decode(&mut r).is_err());
        }
    }

    #[test]
    fn esi_kinds() {
        let mac = MacAddress([0, 1, 2, 3, 4, 5]);
        let kinds = [
            EsiKind::Arbitrary([9; 9]),
            EsiKind::Lacp {
                system_mac: mac,
                port_key: 0x1234,
            },
            EsiKind::BridgeProtocol {
                root_mac: mac,
                priority: 0x8000,
            },
            EsiKind::Mac {
                system_mac: mac,
                discriminator: 0x00abcdef,
            },
            EsiKind::RouterId {
                router_id: Ipv4Addr::new(1, 2, 3, 4),
                discriminator: 77,
            },
            EsiKind::As {
                asn: Asn(65001),
                discriminator: 78,
            },
            EsiKind::Unknown(9, [1; 9]),
        ];
        for k in kinds {
            assert_eq!(Esi::from_kind(k).kind(), k);
        }
        let e = Esi::from_kind(EsiKind::Lacp {
            system_mac: mac,
            port_key: 0x1234,
        });
        assert_eq!(e.0, [1, 0, 1, 2, 3, 4, 5, 0x12, 0x34, 0]);
        assert_eq!(e.to_string(), "01:00:01:02:03:04:05:12:34:00");
        assert!(Esi::ZERO.is_zero());
    }

    #[test]
    fn label_field_is_vni_or_mpls() {
        let vni = Vni::new(10100).unwrap();
        let f = LabelField::from_vni(vni);
        assert_eq!(f.0, [0x00, 0x27, 0x74]);
        assert_eq!(f.as_vni(), vni);
        let l = MplsLabel::new(100, true).unwrap();
        assert_eq!(l.0, [0x00, 0x06, 0x41]);
        assert_eq!(l.label(), 100);
        assert!(l.bottom_of_stack());
        assert_eq!(l.traffic_class(), 0);
        assert_eq!(LabelField::from_mpls(l).as_mpls_label(), l);
        assert!(Vni::new(1 << 24).is_none());
        assert!(MplsLabel::new(1 << 20, false).is_none());
        assert_eq!(MplsLabel::WITHDRAW_COMPAT.label(), 0x80000);
    }

    #[test]
    fn asn_2byte() {
        assert_eq!(Asn(65000).to_2byte(), 65000);
        assert_eq!(Asn(65536).to_2byte(), 23456);
        assert!(!Asn(65536).is_2byte());
    }

    #[test]
    fn afi_safi_codepoints() {
        let mut v = Vec::new();
        AddressFamily::L2VPN_EVPN.encode(&mut Writer::new(&mut v));
        assert_eq!(v, [0, 25, 70]);
        assert_eq!(
            AddressFamily::decode(&mut Reader::new(&[0, 1, 128])).unwrap(),
            AddressFamily::VPNV4
        );
        assert_eq!(Afi::from(99), Afi::Unknown(99));
        assert_eq!(u8::from(Safi::from(200)), 200);
    }
}
