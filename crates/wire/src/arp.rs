//! ARP for IPv4 over Ethernet (RFC 826).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    Hardware type (ar$hrd)     |    Protocol type (ar$pro)     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! | HW len ar$hln | Pr len ar$pln |       Operation (ar$op)       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Sender hardware address (ar$sha, 6 bytes)            |
//! +                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                               | Sender protocol address (spa) |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//! |       (ar$spa, 4 bytes)       |   Target hardware address     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               +
//! |                      (ar$tha, 6 bytes)                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |             Target protocol address (ar$tpa, 4 bytes)         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Only hardware type 1 (Ethernet) with 6-byte addresses and protocol type
//! 0x0800 (IPv4) with 4-byte addresses is handled; anything else is
//! [`Error::Unsupported`] from [`ArpPacket::check_len`], so every accessor
//! of a checked packet reads a 28-byte Ethernet/IPv4 packet. Operations other
//! than request (1) and reply (2) round-trip as
//! [`ArpOperation::Unknown`].
//!
//! # ARP suppression
//!
//! A VTEP that knows the MAC for a requested IPv4 address answers locally:
//! [`ArpPacket::reply_in_place`] turns a request into the reply, and
//! [`ArpRepr::emit_reply_frame`] writes a whole Ethernet + ARP reply frame
//! into a buffer.

use core::net::Ipv4Addr;

use crate::ethernet::{EtherType, EthernetAddress, EthernetFrame, EthernetRepr};
use crate::{be16, Error, Result};

mod field {
    use crate::Field;
    pub const HTYPE: Field = 0..2;
    pub const PTYPE: Field = 2..4;
    pub const HLEN: usize = 4;
    pub const PLEN: usize = 5;
    pub const OPER: Field = 6..8;
    pub const SHA: Field = 8..14;
    pub const SPA: Field = 14..18;
    pub const THA: Field = 18..24;
    pub const TPA: Field = 24..28;
    pub const FIXED_LEN: usize = 8;
    pub const ETH_IPV4_LEN: usize = 28;
}

/// Hardware type Ethernet (10Mb), the only one handled.
pub const HTYPE_ETHERNET: u16 = 1;

/// An ARP operation code. Unknown values round-trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ArpOperation {
    /// ares_op$REQUEST (1).
    Request,
    /// ares_op$REPLY (2).
    Reply,
    /// Any other value (e.g. RARP 3/4, InARP 8/9).
    Unknown(u16),
}

impl From<u16> for ArpOperation {
    fn from(v: u16) -> Self {
        match v {
            1 => ArpOperation::Request,
            2 => ArpOperation::Reply,
            other => ArpOperation::Unknown(other),
        }
    }
}

impl From<ArpOperation> for u16 {
    fn from(op: ArpOperation) -> u16 {
        match op {
            ArpOperation::Request => 1,
            ArpOperation::Reply => 2,
            ArpOperation::Unknown(v) => v,
        }
    }
}

fn ipv4_at(b: &[u8]) -> Ipv4Addr {
    Ipv4Addr::new(b[0], b[1], b[2], b[3])
}

fn mac_at(b: &[u8]) -> EthernetAddress {
    let mut a = [0u8; 6];
    a.copy_from_slice(b);
    EthernetAddress(a)
}

/// A read/write view of an Ethernet/IPv4 ARP packet.
#[derive(Debug, Clone)]
pub struct ArpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> ArpPacket<T> {
    /// Length of an Ethernet/IPv4 ARP packet.
    pub const LEN: usize = field::ETH_IPV4_LEN;

    /// Wrap a buffer without checking it. Accessors may panic until
    /// [`check_len`](Self::check_len) succeeds; use this only to emit into a
    /// buffer of [`ArpRepr::buffer_len`] bytes.
    pub const fn new_unchecked(buffer: T) -> ArpPacket<T> {
        ArpPacket { buffer }
    }

    /// Wrap a buffer and check it (see [`check_len`](Self::check_len)).
    pub fn new_checked(buffer: T) -> Result<ArpPacket<T>> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// [`Error::Truncated`] if the 8 fixed bytes or the 28 bytes of an
    /// Ethernet/IPv4 packet are missing; [`Error::Unsupported`] for any other
    /// hardware type, protocol type or address length.
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        if b.len() < field::FIXED_LEN {
            return Err(Error::Truncated);
        }
        if be16(&b[field::HTYPE]) != HTYPE_ETHERNET
            || be16(&b[field::PTYPE]) != u16::from(EtherType::Ipv4)
            || b[field::HLEN] != 6
            || b[field::PLEN] != 4
        {
            return Err(Error::Unsupported);
        }
        if b.len() < field::ETH_IPV4_LEN {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Consume the view and return the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Hardware type (1 after `check_len`).
    pub fn hardware_type(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::HTYPE])
    }

    /// Protocol type (0x0800 after `check_len`).
    pub fn protocol_type(&self) -> EtherType {
        EtherType::from(be16(&self.buffer.as_ref()[field::PTYPE]))
    }

    /// Hardware address length (6 after `check_len`).
    pub fn hardware_len(&self) -> u8 {
        self.buffer.as_ref()[field::HLEN]
    }

    /// Protocol address length (4 after `check_len`).
    pub fn protocol_len(&self) -> u8 {
        self.buffer.as_ref()[field::PLEN]
    }

    /// The operation.
    pub fn operation(&self) -> ArpOperation {
        ArpOperation::from(be16(&self.buffer.as_ref()[field::OPER]))
    }

    /// Sender hardware address.
    pub fn source_hardware_addr(&self) -> EthernetAddress {
        mac_at(&self.buffer.as_ref()[field::SHA])
    }

    /// Sender protocol address.
    pub fn source_protocol_addr(&self) -> Ipv4Addr {
        ipv4_at(&self.buffer.as_ref()[field::SPA])
    }

    /// Target hardware address.
    pub fn target_hardware_addr(&self) -> EthernetAddress {
        mac_at(&self.buffer.as_ref()[field::THA])
    }

    /// Target protocol address.
    pub fn target_protocol_addr(&self) -> Ipv4Addr {
        ipv4_at(&self.buffer.as_ref()[field::TPA])
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> ArpPacket<T> {
    /// Write the Ethernet/IPv4 type and length fields.
    pub fn set_ethernet_ipv4(&mut self) {
        let b = self.buffer.as_mut();
        b[field::HTYPE].copy_from_slice(&HTYPE_ETHERNET.to_be_bytes());
        b[field::PTYPE].copy_from_slice(&u16::from(EtherType::Ipv4).to_be_bytes());
        b[field::HLEN] = 6;
        b[field::PLEN] = 4;
    }

    /// Set the operation.
    pub fn set_operation(&mut self, op: ArpOperation) {
        self.buffer.as_mut()[field::OPER].copy_from_slice(&u16::from(op).to_be_bytes());
    }

    /// Set the sender hardware address.
    pub fn set_source_hardware_addr(&mut self, a: EthernetAddress) {
        self.buffer.as_mut()[field::SHA].copy_from_slice(&a.0);
    }

    /// Set the sender protocol address.
    pub fn set_source_protocol_addr(&mut self, a: Ipv4Addr) {
        self.buffer.as_mut()[field::SPA].copy_from_slice(&a.octets());
    }

    /// Set the target hardware address.
    pub fn set_target_hardware_addr(&mut self, a: EthernetAddress) {
        self.buffer.as_mut()[field::THA].copy_from_slice(&a.0);
    }

    /// Set the target protocol address.
    pub fn set_target_protocol_addr(&mut self, a: Ipv4Addr) {
        self.buffer.as_mut()[field::TPA].copy_from_slice(&a.octets());
    }

    /// Turn a request into the reply that `mac` owns its target address:
    /// the sender becomes the target, and `(mac, requested address)` the
    /// sender. [`Error::Unsupported`] (and nothing changed) if the packet is
    /// not a request.
    pub fn reply_in_place(&mut self, mac: EthernetAddress) -> Result<()> {
        if self.operation() != ArpOperation::Request {
            return Err(Error::Unsupported);
        }
        let (sha, spa) = (self.source_hardware_addr(), self.source_protocol_addr());
        let tpa = self.target_protocol_addr();
        self.set_operation(ArpOperation::Reply);
        self.set_source_hardware_addr(mac);
        self.set_source_protocol_addr(tpa);
        self.set_target_hardware_addr(sha);
        self.set_target_protocol_addr(spa);
        Ok(())
    }
}

/// The owned form of an Ethernet/IPv4 ARP packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ArpRepr {
    /// The operation.
    pub operation: ArpOperation,
    /// Sender hardware address.
    pub source_hardware_addr: EthernetAddress,
    /// Sender protocol address.
    pub source_protocol_addr: Ipv4Addr,
    /// Target hardware address (zero in a request).
    pub target_hardware_addr: EthernetAddress,
    /// Target protocol address.
    pub target_protocol_addr: Ipv4Addr,
}

impl ArpRepr {
    /// Parse a checked packet.
    pub fn parse<T: AsRef<[u8]>>(packet: &ArpPacket<T>) -> Result<ArpRepr> {
        Ok(ArpRepr {
            operation: packet.operation(),
            source_hardware_addr: packet.source_hardware_addr(),
            source_protocol_addr: packet.source_protocol_addr(),
            target_hardware_addr: packet.target_hardware_addr(),
            target_protocol_addr: packet.target_protocol_addr(),
        })
    }

    /// A request for `target` from `(mac, ip)`.
    pub const fn request(mac: EthernetAddress, ip: Ipv4Addr, target: Ipv4Addr) -> ArpRepr {
        ArpRepr {
            operation: ArpOperation::Request,
            source_hardware_addr: mac,
            source_protocol_addr: ip,
            target_hardware_addr: EthernetAddress::ZERO,
            target_protocol_addr: target,
        }
    }

    /// Whether sender and target protocol addresses are equal (a gratuitous
    /// ARP announcement, request or reply).
    pub fn is_gratuitous(&self) -> bool {
        self.source_protocol_addr == self.target_protocol_addr
    }

    /// The reply to this request saying `mac` owns the requested address;
    /// [`Error::Unsupported`] if this is not a request.
    pub fn reply(&self, mac: EthernetAddress) -> Result<ArpRepr> {
        if self.operation != ArpOperation::Request {
            return Err(Error::Unsupported);
        }
        Ok(ArpRepr {
            operation: ArpOperation::Reply,
            source_hardware_addr: mac,
            source_protocol_addr: self.target_protocol_addr,
            target_hardware_addr: self.source_hardware_addr,
            target_protocol_addr: self.source_protocol_addr,
        })
    }

    /// Bytes [`emit`](Self::emit) writes: 28.
    pub const fn buffer_len(&self) -> usize {
        field::ETH_IPV4_LEN
    }

    /// Write the packet; [`Error::Truncated`] if the buffer is shorter than
    /// 28 bytes.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut ArpPacket<T>) -> Result<()> {
        if packet.buffer.as_ref().len() < field::ETH_IPV4_LEN {
            return Err(Error::Truncated);
        }
        packet.set_ethernet_ipv4();
        packet.set_operation(self.operation);
        packet.set_source_hardware_addr(self.source_hardware_addr);
        packet.set_source_protocol_addr(self.source_protocol_addr);
        packet.set_target_hardware_addr(self.target_hardware_addr);
        packet.set_target_protocol_addr(self.target_protocol_addr);
        Ok(())
    }

    /// ARP suppression: write an untagged Ethernet frame (to the requester,
    /// from `mac`) carrying the reply to this request into `out`, and return
    /// its length (42; no padding to the 60-byte minimum is added, which TAP
    /// and VXLAN do not need). [`Error::Unsupported`] if this is not a
    /// request, [`Error::Truncated`] if `out` is too short.
    pub fn emit_reply_frame(&self, mac: EthernetAddress, out: &mut [u8]) -> Result<usize> {
        let reply = self.reply(mac)?;
        let eth = EthernetRepr {
            src_addr: mac,
            dst_addr: self.source_hardware_addr,
            tags: [None; crate::ethernet::MAX_TAGS],
            ethertype: EtherType::Arp,
        };
        let total = eth.buffer_len() + reply.buffer_len();
        let Some(out) = out.get_mut(..total) else {
            return Err(Error::Truncated);
        };
        let (hdr, body) = out.split_at_mut(eth.buffer_len());
        eth.emit(&mut EthernetFrame::new_unchecked(hdr))?;
        reply.emit(&mut ArpPacket::new_unchecked(body))?;
        Ok(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

    // Captured inside VXLAN between two namespaces: Linux asks for 10.88.0.2
    // and gets the answer. Ethernet header included.
    const REQUEST_FRAME: [u8; 42] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00,
        0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x58,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x58, 0x00, 0x02,
    ];
    const REPLY_FRAME: [u8; 42] = [
        0x02, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x02, 0xbb, 0x00, 0x00, 0x00, 0x02, 0x08, 0x06, 0x00,
        0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02, 0x02, 0xbb, 0x00, 0x00, 0x00, 0x02, 0x0a, 0x58,
        0x00, 0x02, 0x02, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x58, 0x00, 0x01,
    ];
    const MAC1: EthernetAddress = EthernetAddress([0x02, 0xbb, 0, 0, 0, 1]);
    const MAC2: EthernetAddress = EthernetAddress([0x02, 0xbb, 0, 0, 0, 2]);
    const IP1: Ipv4Addr = Ipv4Addr::new(10, 88, 0, 1);
    const IP2: Ipv4Addr = Ipv4Addr::new(10, 88, 0, 2);

    #[test]
    fn parse_captured_request_and_reply() {
        let p = ArpPacket::new_checked(&REQUEST_FRAME[14..]).unwrap();
        assert_eq!(p.hardware_type(), 1);
        assert_eq!(p.protocol_type(), EtherType::Ipv4);
        assert_eq!((p.hardware_len(), p.protocol_len()), (6, 4));
        let r = ArpRepr::parse(&p).unwrap();
        assert_eq!(r, ArpRepr::request(MAC1, IP1, IP2));
        assert!(!r.is_gratuitous());

        let p = ArpPacket::new_checked(&REPLY_FRAME[14..]).unwrap();
        let q = ArpRepr::parse(&p).unwrap();
        assert_eq!(q.operation, ArpOperation::Reply);
        assert_eq!(q.source_hardware_addr, MAC2);
        assert_eq!(q.target_protocol_addr, IP1);
        assert_eq!(r.reply(MAC2).unwrap(), q);
    }

    /// Our suppression reply is byte-for-byte what the Linux owner sent.
    #[test]
    fn suppression_reply_matches_linux() {
        let p = ArpPacket::new_checked(&REQUEST_FRAME[14..]).unwrap();
        let r = ArpRepr::parse(&p).unwrap();
        let mut out = [0u8; 64];
        let n = r.emit_reply_frame(MAC2, &mut out).unwrap();
        assert_eq!(&out[..n], &REPLY_FRAME[..]);
        assert_eq!(
            r.emit_reply_frame(MAC2, &mut out[..41]),
            Err(Error::Truncated)
        );

        let mut b = REQUEST_FRAME;
        let mut p = ArpPacket::new_checked(&mut b[14..]).unwrap();
        p.reply_in_place(MAC2).unwrap();
        assert_eq!(&b[14..], &REPLY_FRAME[14..]);
        // A reply is not answered.
        let mut p = ArpPacket::new_checked(&mut b[14..]).unwrap();
        assert_eq!(p.reply_in_place(MAC2), Err(Error::Unsupported));
        assert_eq!(&b[14..], &REPLY_FRAME[14..]);
        let q = ArpRepr::parse(&ArpPacket::new_checked(&b[14..]).unwrap()).unwrap();
        assert_eq!(q.reply(MAC1), Err(Error::Unsupported));
        assert_eq!(q.emit_reply_frame(MAC1, &mut out), Err(Error::Unsupported));
    }

    #[test]
    fn emit_round_trip() {
        let mut r = ArpRepr::request(MAC1, IP1, IP1);
        assert!(r.is_gratuitous());
        r.operation = ArpOperation::Unknown(9);
        let mut out = [0u8; 28];
        r.emit(&mut ArpPacket::new_unchecked(&mut out[..])).unwrap();
        let p = ArpPacket::new_checked(&out[..]).unwrap();
        assert_eq!(ArpRepr::parse(&p).unwrap(), r);
        assert_eq!(&out[6..8], &[0, 9]);
        assert_eq!(
            r.emit(&mut ArpPacket::new_unchecked(&mut out[..27])),
            Err(Error::Truncated)
        );
    }

    #[test]
    fn unsupported_types() {
        for (i, v) in [(1usize, 6u8), (3, 0xdd), (4, 16), (5, 16)] {
            let mut b = [0u8; 64];
            b[..28].copy_from_slice(&REQUEST_FRAME[14..]);
            b[i] = v;
            assert_eq!(
                ArpPacket::new_checked(&b[..]).unwrap_err(),
                Error::Unsupported,
                "byte {i}"
            );
        }
    }

    #[test]
    fn truncated_at_every_length() {
        for n in 0..28 {
            assert_eq!(
                ArpPacket::new_checked(&REQUEST_FRAME[14..14 + n]).unwrap_err(),
                Error::Truncated,
                "length {n}"
            );
        }
    }

    #[test]
    fn operation_codes_round_trip() {
        for v in 0..=20u16 {
            assert_eq!(u16::from(ArpOperation::from(v)), v);
        }
        assert_eq!(ArpOperation::from(1), ArpOperation::Request);
        assert_eq!(ArpOperation::from(2), ArpOperation::Reply);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(
            mut data in proptest::collection::vec(0u8.., 0..40),
            fix in proptest::bool::ANY,
        ) {
            if fix && data.len() >= 8 {
                data[..6].copy_from_slice(&[0, 1, 8, 0, 6, 4]);
            }
            if let Ok(p) = ArpPacket::new_checked(&data[..]) {
                let r = ArpRepr::parse(&p).unwrap();
                let mut out = vec![0u8; r.buffer_len()];
                r.emit(&mut ArpPacket::new_unchecked(&mut out[..])).unwrap();
                proptest::prop_assert_eq!(&out[..], &data[..28]);
                if let Ok(reply) = r.reply(EthernetAddress([2, 0, 0, 0, 0, 9])) {
                    proptest::prop_assert_eq!(reply.reply(MAC1), Err(Error::Unsupported));
                    let mut frame = [0u8; 42];
                    proptest::prop_assert_eq!(r.emit_reply_frame(MAC2, &mut frame), Ok(42));
                    let f = ArpPacket::new_checked(&frame[14..]).unwrap();
                    proptest::prop_assert_eq!(f.target_hardware_addr(), r.source_hardware_addr);
                }
            }
        }
    }
}
