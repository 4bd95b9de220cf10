//! Ethernet II frames with IEEE 802.1Q VLAN tags.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Destination MAC address                    |
//! +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                               |                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//! |                      Source MAC address                       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   TPID 0x8100 (optional)      | PCP |D|        VLAN ID        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          EtherType            |  Payload ...
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! A frame may carry up to two tags (802.1ad S-tag 0x88a8 then C-tag 0x8100,
//! or two 0x8100 tags); [`EthernetFrame::new_checked`] walks them and the
//! accessors report the inner EtherType and where the payload starts. The
//! frame check sequence is never part of the buffer (NICs, TAP and AF_PACKET
//! strip it).

use core::fmt;

use crate::{be16, Error, Field, Result};

/// A 48-bit IEEE MAC address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct EthernetAddress(pub [u8; 6]);

impl EthernetAddress {
    /// ff:ff:ff:ff:ff:ff.
    pub const BROADCAST: EthernetAddress = EthernetAddress([0xff; 6]);
    /// 00:00:00:00:00:00 (FRR's flood-entry MAC; never a valid source).
    pub const ZERO: EthernetAddress = EthernetAddress([0; 6]);

    /// Build from a slice of exactly 6 bytes; `None` otherwise.
    pub fn from_bytes(b: &[u8]) -> Option<EthernetAddress> {
        let a: [u8; 6] = b.try_into().ok()?;
        Some(EthernetAddress(a))
    }

    /// The six bytes.
    pub const fn as_bytes(&self) -> &[u8; 6] {
        &self.0
    }

    /// I/G bit set: a group (multicast or broadcast) address.
    pub const fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// ff:ff:ff:ff:ff:ff.
    pub fn is_broadcast(&self) -> bool {
        *self == Self::BROADCAST
    }

    /// A unicast address that is not all zeros: the only kind that may be a
    /// frame's source and be learnt.
    pub fn is_unicast(&self) -> bool {
        !self.is_multicast() && *self != Self::ZERO
    }

    /// U/L bit set: locally administered.
    pub const fn is_local(&self) -> bool {
        self.0[0] & 0x02 != 0
    }

    /// The IPv6 multicast MAC 33:33:xx:xx:xx:xx for a group address
    /// (RFC 2464 §7): the low 32 bits of the group.
    pub fn from_ipv6_multicast(group: core::net::Ipv6Addr) -> EthernetAddress {
        let o = group.octets();
        EthernetAddress([0x33, 0x33, o[12], o[13], o[14], o[15]])
    }
}

impl fmt::Display for EthernetAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let b = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            b[0], b[1], b[2], b[3], b[4], b[5]
        )
    }
}

impl fmt::Debug for EthernetAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl core::str::FromStr for EthernetAddress {
    type Err = Error;

    /// Parse `aa:bb:cc:dd:ee:ff` (or with `-` separators).
    fn from_str(s: &str) -> Result<Self> {
        let mut out = [0u8; 6];
        let mut n = 0;
        for part in s.split([':', '-']) {
            if n == 6 || part.len() != 2 {
                return Err(Error::Malformed);
            }
            out[n] = u8::from_str_radix(part, 16).map_err(|_| Error::Malformed)?;
            n += 1;
        }
        if n != 6 {
            return Err(Error::Malformed);
        }
        Ok(EthernetAddress(out))
    }
}

/// An EtherType (IEEE 802 numbers). Unknown values round-trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EtherType {
    /// IPv4 (0x0800).
    Ipv4,
    /// ARP (0x0806).
    Arp,
    /// IEEE 802.1Q customer VLAN tag (0x8100).
    Vlan,
    /// IEEE 802.1ad service VLAN tag (0x88a8).
    QinQ,
    /// IPv6 (0x86dd).
    Ipv6,
    /// MPLS unicast (0x8847).
    Mpls,
    /// Transparent Ethernet bridging (0x6558), GRE's payload type for Ethernet.
    TransparentEthernet,
    /// Any other value.
    Unknown(u16),
}

impl From<u16> for EtherType {
    fn from(v: u16) -> Self {
        match v {
            0x0800 => EtherType::Ipv4,
            0x0806 => EtherType::Arp,
            0x8100 => EtherType::Vlan,
            0x88a8 => EtherType::QinQ,
            0x86dd => EtherType::Ipv6,
            0x8847 => EtherType::Mpls,
            0x6558 => EtherType::TransparentEthernet,
            other => EtherType::Unknown(other),
        }
    }
}

impl From<EtherType> for u16 {
    fn from(t: EtherType) -> u16 {
        match t {
            EtherType::Ipv4 => 0x0800,
            EtherType::Arp => 0x0806,
            EtherType::Vlan => 0x8100,
            EtherType::QinQ => 0x88a8,
            EtherType::Ipv6 => 0x86dd,
            EtherType::Mpls => 0x8847,
            EtherType::TransparentEthernet => 0x6558,
            EtherType::Unknown(v) => v,
        }
    }
}

impl EtherType {
    fn is_tag(self) -> bool {
        matches!(self, EtherType::Vlan | EtherType::QinQ)
    }
}

/// One 802.1Q tag: TPID plus TCI (priority, drop eligible, VLAN ID).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VlanTag {
    /// The tag protocol identifier: [`EtherType::Vlan`] or [`EtherType::QinQ`].
    pub tpid: EtherType,
    /// Priority code point (3 bits).
    pub pcp: u8,
    /// Drop eligible indicator.
    pub dei: bool,
    /// VLAN identifier (12 bits; 0 means priority-tagged, 4095 is reserved).
    pub vid: u16,
}

impl VlanTag {
    /// A customer tag (TPID 0x8100) with priority 0.
    pub const fn c_tag(vid: u16) -> VlanTag {
        VlanTag {
            tpid: EtherType::Vlan,
            pcp: 0,
            dei: false,
            vid,
        }
    }

    fn tci(&self) -> u16 {
        (u16::from(self.pcp & 0x7) << 13) | (u16::from(self.dei) << 12) | (self.vid & 0x0fff)
    }

    fn from_tci(tpid: EtherType, tci: u16) -> VlanTag {
        VlanTag {
            tpid,
            pcp: (tci >> 13) as u8,
            dei: tci & 0x1000 != 0,
            vid: tci & 0x0fff,
        }
    }
}

mod field {
    use crate::Field;
    pub const DESTINATION: Field = 0..6;
    pub const SOURCE: Field = 6..12;
    /// The EtherType of an untagged frame, or the first tag's TPID.
    pub const ETHERTYPE: Field = 12..14;
    pub const TAG_LEN: usize = 4;
    pub const UNTAGGED_HEADER_LEN: usize = 14;
}

/// The most VLAN tags a frame may carry (802.1ad S-tag + 802.1Q C-tag).
pub const MAX_TAGS: usize = 2;

/// A read/write view of an Ethernet II frame.
#[derive(Debug, Clone)]
pub struct EthernetFrame<T: AsRef<[u8]>> {
    buffer: T,
    /// Number of VLAN tags found by `check_len` (0..=MAX_TAGS).
    tags: u8,
}

impl<T: AsRef<[u8]>> EthernetFrame<T> {
    /// Length of an untagged Ethernet header.
    pub const HEADER_LEN: usize = field::UNTAGGED_HEADER_LEN;

    /// Wrap a buffer without checking it. Accessors may panic until
    /// [`check_len`](Self::check_len) succeeds; use this only to emit into a
    /// buffer sized by [`EthernetRepr::buffer_len`].
    pub fn new_unchecked(buffer: T) -> EthernetFrame<T> {
        EthernetFrame { buffer, tags: 0 }
    }

    /// Wrap a buffer and check that every header byte (tags included) is there.
    pub fn new_checked(buffer: T) -> Result<EthernetFrame<T>> {
        let mut f = Self::new_unchecked(buffer);
        f.check_len()?;
        Ok(f)
    }

    /// Check the length, walking up to [`MAX_TAGS`] VLAN tags. A third tag is
    /// [`Error::Unsupported`].
    pub fn check_len(&mut self) -> Result<()> {
        let b = self.buffer.as_ref();
        if b.len() < field::UNTAGGED_HEADER_LEN {
            return Err(Error::Truncated);
        }
        let mut tags = 0u8;
        let mut at = field::ETHERTYPE.start;
        loop {
            let ty = EtherType::from(be16(&b[at..at + 2]));
            if !ty.is_tag() {
                break;
            }
            if usize::from(tags) == MAX_TAGS {
                return Err(Error::Unsupported);
            }
            tags += 1;
            at += field::TAG_LEN;
            if b.len() < at + 2 {
                return Err(Error::Truncated);
            }
        }
        self.tags = tags;
        Ok(())
    }

    /// Consume the view and return the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Destination MAC address.
    pub fn dst_addr(&self) -> EthernetAddress {
        let mut a = [0u8; 6];
        a.copy_from_slice(&self.buffer.as_ref()[field::DESTINATION]);
        EthernetAddress(a)
    }

    /// Source MAC address.
    pub fn src_addr(&self) -> EthernetAddress {
        let mut a = [0u8; 6];
        a.copy_from_slice(&self.buffer.as_ref()[field::SOURCE]);
        EthernetAddress(a)
    }

    /// Number of VLAN tags (0..=2).
    pub fn tag_count(&self) -> usize {
        usize::from(self.tags)
    }

    /// The `i`-th VLAN tag from the outside, if present.
    pub fn tag(&self, i: usize) -> Option<VlanTag> {
        if i >= self.tag_count() {
            return None;
        }
        let at = field::ETHERTYPE.start + i * field::TAG_LEN;
        let b = self.buffer.as_ref();
        Some(VlanTag::from_tci(
            EtherType::from(be16(&b[at..at + 2])),
            be16(&b[at + 2..at + 4]),
        ))
    }

    /// The innermost VLAN tag's ID (the customer VLAN), if tagged.
    pub fn vlan_id(&self) -> Option<u16> {
        self.tag_count()
            .checked_sub(1)
            .and_then(|i| self.tag(i))
            .map(|t| t.vid)
    }

    fn ethertype_field(&self) -> Field {
        let at = field::ETHERTYPE.start + self.tag_count() * field::TAG_LEN;
        at..at + 2
    }

    /// The EtherType of the payload (after all tags).
    pub fn ethertype(&self) -> EtherType {
        EtherType::from(be16(&self.buffer.as_ref()[self.ethertype_field()]))
    }

    /// Header length including tags.
    pub fn header_len(&self) -> usize {
        field::UNTAGGED_HEADER_LEN + self.tag_count() * field::TAG_LEN
    }

    /// The payload after the header and tags.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> EthernetFrame<T> {
    /// Set the destination MAC address.
    pub fn set_dst_addr(&mut self, a: EthernetAddress) {
        self.buffer.as_mut()[field::DESTINATION].copy_from_slice(&a.0);
    }

    /// Set the source MAC address.
    pub fn set_src_addr(&mut self, a: EthernetAddress) {
        self.buffer.as_mut()[field::SOURCE].copy_from_slice(&a.0);
    }

    /// Set the payload EtherType (after the tags already counted).
    pub fn set_ethertype(&mut self, t: EtherType) {
        let f = self.ethertype_field();
        self.buffer.as_mut()[f].copy_from_slice(&u16::from(t).to_be_bytes());
    }

    /// Mutable payload.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let at = self.header_len();
        &mut self.buffer.as_mut()[at..]
    }
}

/// The owned form of an Ethernet header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EthernetRepr {
    /// Source MAC address.
    pub src_addr: EthernetAddress,
    /// Destination MAC address.
    pub dst_addr: EthernetAddress,
    /// Outer tag first; `None` entries are absent.
    pub tags: [Option<VlanTag>; MAX_TAGS],
    /// The payload's EtherType.
    pub ethertype: EtherType,
}

impl EthernetRepr {
    /// Parse a checked frame. Tags must be contiguous from the outside.
    pub fn parse<T: AsRef<[u8]>>(frame: &EthernetFrame<T>) -> Result<EthernetRepr> {
        let mut tags = [None; MAX_TAGS];
        for (i, slot) in tags.iter_mut().enumerate() {
            *slot = frame.tag(i);
        }
        Ok(EthernetRepr {
            src_addr: frame.src_addr(),
            dst_addr: frame.dst_addr(),
            tags,
            ethertype: frame.ethertype(),
        })
    }

    /// Number of tags this header carries.
    pub fn tag_count(&self) -> usize {
        self.tags.iter().take_while(|t| t.is_some()).count()
    }

    /// Bytes of header [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        field::UNTAGGED_HEADER_LEN + self.tag_count() * field::TAG_LEN
    }

    /// Write the header (addresses, tags, EtherType) at the start of `frame`,
    /// whose buffer must be at least [`buffer_len`](Self::buffer_len) bytes.
    /// Returns [`Error::Truncated`] if it is not.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, frame: &mut EthernetFrame<T>) -> Result<()> {
        let n = self.tag_count();
        let b = frame.buffer.as_mut();
        if b.len() < self.buffer_len() {
            return Err(Error::Truncated);
        }
        b[field::DESTINATION].copy_from_slice(&self.dst_addr.0);
        b[field::SOURCE].copy_from_slice(&self.src_addr.0);
        let mut at = field::ETHERTYPE.start;
        for tag in self.tags.iter().take(n).flatten() {
            b[at..at + 2].copy_from_slice(&u16::from(tag.tpid).to_be_bytes());
            b[at + 2..at + 4].copy_from_slice(&tag.tci().to_be_bytes());
            at += field::TAG_LEN;
        }
        b[at..at + 2].copy_from_slice(&u16::from(self.ethertype).to_be_bytes());
        frame.tags = n as u8;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::string::ToString;

    const UNTAGGED: [u8; 18] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // dst
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // src
        0x08, 0x06, // ARP
        0xde, 0xad, 0xbe, 0xef,
    ];

    const TAGGED: [u8; 22] = [
        0x02, 0x00, 0x00, 0x00, 0x00, 0x02, // dst
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // src
        0x81, 0x00, 0xa0, 0x64, // PCP 5, VID 100
        0x86, 0xdd, // IPv6
        0x60, 0x00, 0x00, 0x00,
    ];

    #[test]
    fn parse_untagged() {
        let f = EthernetFrame::new_checked(&UNTAGGED[..]).unwrap();
        assert!(f.dst_addr().is_broadcast());
        assert_eq!(f.src_addr().to_string(), "02:00:00:00:00:01");
        assert_eq!(f.ethertype(), EtherType::Arp);
        assert_eq!(f.tag_count(), 0);
        assert_eq!(f.payload(), &[0xde, 0xad, 0xbe, 0xef]);
    }

    #[test]
    fn parse_tagged_and_round_trip() {
        let f = EthernetFrame::new_checked(&TAGGED[..]).unwrap();
        assert_eq!(f.vlan_id(), Some(100));
        assert_eq!(f.tag(0).unwrap().pcp, 5);
        assert_eq!(f.ethertype(), EtherType::Ipv6);
        let repr = EthernetRepr::parse(&f).unwrap();
        let mut out = [0u8; 22];
        let mut g = EthernetFrame::new_unchecked(&mut out[..]);
        repr.emit(&mut g).unwrap();
        assert_eq!(&out[..18], &TAGGED[..18]);
    }

    #[test]
    fn truncated_inputs_are_errors() {
        for n in 0..14 {
            assert_eq!(
                EthernetFrame::new_checked(&UNTAGGED[..n]).unwrap_err(),
                Error::Truncated
            );
        }
        assert_eq!(
            EthernetFrame::new_checked(&TAGGED[..17]).unwrap_err(),
            Error::Truncated
        );
    }

    #[test]
    fn three_tags_unsupported() {
        let mut b = [0u8; 30];
        b[12..14].copy_from_slice(&[0x88, 0xa8]);
        b[16..18].copy_from_slice(&[0x81, 0x00]);
        b[20..22].copy_from_slice(&[0x81, 0x00]);
        assert_eq!(
            EthernetFrame::new_checked(&b[..]).unwrap_err(),
            Error::Unsupported
        );
    }

    #[test]
    fn mac_parse_and_classes() {
        let m: EthernetAddress = "33:33:00:00:00:01".parse().unwrap();
        assert!(m.is_multicast());
        assert!(!m.is_unicast());
        assert!("33:33:00:00:00".parse::<EthernetAddress>().is_err());
        assert!("33:33:00:00:00:01:02".parse::<EthernetAddress>().is_err());
        assert!(!EthernetAddress::ZERO.is_unicast());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(0u8.., 0..64)) {
            if let Ok(f) = EthernetFrame::new_checked(&data[..]) {
                let r = EthernetRepr::parse(&f).unwrap();
                let _ = f.payload();
                proptest::prop_assert_eq!(r.buffer_len(), f.header_len());
                let mut out = std::vec![0u8; r.buffer_len()];
                r.emit(&mut EthernetFrame::new_unchecked(&mut out[..])).unwrap();
                proptest::prop_assert_eq!(&out[..], &data[..r.buffer_len()]);
            }
        }
    }
}
