//! UDP headers (RFC 768) and their checksum over the IPv4 and IPv6
//! pseudo-headers.
//!
//! ```text
//!  0      7 8     15 16    23 24    31
//! +--------+--------+--------+--------+
//! |     Source      |   Destination   |
//! |      Port       |      Port       |
//! +--------+--------+--------+--------+
//! |                 |                 |
//! |     Length      |    Checksum     |
//! +--------+--------+--------+--------+
//! |
//! |          data octets ...
//! +---------------- ...
//! ```
//!
//! # Lengths
//!
//! Length counts header and data. After [`UdpPacket::check_len`]:
//! `8 <= Length <= buffer length`. A longer buffer (the IP payload may carry
//! padding) is allowed; [`UdpPacket::payload`] stops at Length. Length 0
//! (IPv6 jumbograms, RFC 2675) is not supported and is [`Error::BadLength`].
//! [`UdpPacket::set_len`] can break the invariant; call `check_len` again
//! after changing Length on a received buffer.
//!
//! # Checksum policy
//!
//! The checksum covers a pseudo-header (addresses, protocol, length), the UDP
//! header and the data. A computed value of zero is sent as `0xffff`
//! (RFC 768), so a zero field always means "no checksum":
//!
//! - **IPv4:** zero means the sender did not compute one; it verifies.
//! - **IPv6:** RFC 8200 §8.1 makes the checksum mandatory, but RFC 6935 and
//!   RFC 6936 allow a zero checksum for tunnel protocols on ports the
//!   receiver configures (VXLAN over IPv6 is commonly sent that way, e.g.
//!   Linux `udp6zerocsumtx`). The caller says which with
//!   [`Ipv6ZeroChecksum`]; nothing here guesses from the port.
//!
//! [`UdpRepr::parse`] does not look at the checksum (the addresses live in
//! the IP header); use [`UdpRepr::parse_v4`] / [`UdpRepr::parse_v6`] or the
//! packet's `verify_checksum_*` methods.

use core::net::{Ipv4Addr, Ipv6Addr};

use crate::checksum;
use crate::ip::IpProtocol;
use crate::ipv4::ChecksumDelta;
use crate::{be16, Error, Result};

mod field {
    use crate::Field;
    pub const SRC_PORT: Field = 0..2;
    pub const DST_PORT: Field = 2..4;
    pub const LENGTH: Field = 4..6;
    pub const CHECKSUM: Field = 6..8;
    pub const HEADER_LEN: usize = 8;
}

/// Whether a zero UDP checksum over IPv6 is accepted (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ipv6ZeroChecksum {
    /// RFC 8200: a zero checksum over IPv6 is an error. The default.
    Reject,
    /// RFC 6935/6936: this port carries a tunnel that allows a zero checksum.
    Accept,
}

/// A read/write view of a UDP datagram.
#[derive(Debug, Clone)]
pub struct UdpPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> UdpPacket<T> {
    /// Length of the UDP header.
    pub const HEADER_LEN: usize = field::HEADER_LEN;

    /// Wrap a buffer without checking it. Accessors may panic until
    /// [`check_len`](Self::check_len) succeeds; use this only to emit into a
    /// buffer sized by [`UdpRepr::total_len`].
    pub const fn new_unchecked(buffer: T) -> UdpPacket<T> {
        UdpPacket { buffer }
    }

    /// Wrap a buffer and check it (see [`check_len`](Self::check_len)).
    pub fn new_checked(buffer: T) -> Result<UdpPacket<T>> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// [`Error::Truncated`] if the buffer is shorter than the header or than
    /// Length; [`Error::BadLength`] if Length is below 8.
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        if b.len() < field::HEADER_LEN {
            return Err(Error::Truncated);
        }
        let len = usize::from(be16(&b[field::LENGTH]));
        if len < field::HEADER_LEN {
            return Err(Error::BadLength);
        }
        if len > b.len() {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Consume the view and return the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Source port (0 if unused).
    pub fn src_port(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::SRC_PORT])
    }

    /// Destination port.
    pub fn dst_port(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::DST_PORT])
    }

    /// The Length field: header plus data.
    pub fn len(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::LENGTH])
    }

    /// Whether the datagram carries no data.
    pub fn is_empty(&self) -> bool {
        usize::from(self.len()) == field::HEADER_LEN
    }

    /// The Checksum field (0: none was computed).
    pub fn checksum(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::CHECKSUM])
    }

    /// Header and data, up to Length.
    fn datagram(&self) -> &[u8] {
        &self.buffer.as_ref()[..usize::from(self.len())]
    }

    /// The data, up to Length.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[field::HEADER_LEN..usize::from(self.len())]
    }

    /// The folded sum of the IPv4 pseudo-header and the datagram, checksum
    /// field included (`0xffff` when it verifies).
    fn sum_v4(&self, src: Ipv4Addr, dst: Ipv4Addr) -> u16 {
        checksum::fold(
            checksum::pseudo_header_v4(src, dst, IpProtocol::Udp, self.len())
                + checksum::sum(self.datagram()),
        )
    }

    fn sum_v6(&self, src: Ipv6Addr, dst: Ipv6Addr) -> u16 {
        checksum::fold(
            checksum::pseudo_header_v6(src, dst, IpProtocol::Udp, u32::from(self.len()))
                + checksum::sum(self.datagram()),
        )
    }

    /// Verify the checksum of a datagram carried in IPv4. A zero field means
    /// no checksum and verifies.
    pub fn verify_checksum_v4(&self, src: Ipv4Addr, dst: Ipv4Addr) -> bool {
        self.checksum() == 0 || self.sum_v4(src, dst) == 0xffff
    }

    /// Verify the checksum of a datagram carried in IPv6; a zero field
    /// verifies only under [`Ipv6ZeroChecksum::Accept`].
    pub fn verify_checksum_v6(&self, src: Ipv6Addr, dst: Ipv6Addr, zero: Ipv6ZeroChecksum) -> bool {
        if self.checksum() == 0 {
            return zero == Ipv6ZeroChecksum::Accept;
        }
        self.sum_v6(src, dst) == 0xffff
    }
}

/// RFC 768: a computed zero is transmitted as all ones.
fn nonzero(c: u16) -> u16 {
    if c == 0 {
        0xffff
    } else {
        c
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> UdpPacket<T> {
    /// Set the source port.
    pub fn set_src_port(&mut self, port: u16) {
        self.buffer.as_mut()[field::SRC_PORT].copy_from_slice(&port.to_be_bytes());
    }

    /// Set the destination port.
    pub fn set_dst_port(&mut self, port: u16) {
        self.buffer.as_mut()[field::DST_PORT].copy_from_slice(&port.to_be_bytes());
    }

    /// Set the Length field.
    pub fn set_len(&mut self, len: u16) {
        self.buffer.as_mut()[field::LENGTH].copy_from_slice(&len.to_be_bytes());
    }

    /// Set the Checksum field.
    pub fn set_checksum(&mut self, c: u16) {
        self.buffer.as_mut()[field::CHECKSUM].copy_from_slice(&c.to_be_bytes());
    }

    /// The data (up to Length), mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let len = usize::from(self.len());
        &mut self.buffer.as_mut()[field::HEADER_LEN..len]
    }

    /// Compute and store the checksum for carriage in IPv4 (header, Length
    /// and data must be final).
    pub fn fill_checksum_v4(&mut self, src: Ipv4Addr, dst: Ipv4Addr) {
        self.set_checksum(0);
        let c = nonzero(!self.sum_v4(src, dst));
        self.set_checksum(c);
    }

    /// Compute and store the checksum for carriage in IPv6.
    pub fn fill_checksum_v6(&mut self, src: Ipv6Addr, dst: Ipv6Addr) {
        self.set_checksum(0);
        let c = nonzero(!self.sum_v6(src, dst));
        self.set_checksum(c);
    }

    /// Apply a NAT rewrite's [`ChecksumDelta`] (from
    /// [`Ipv4Packet::rewrite_src_addr`](crate::ipv4::Ipv4Packet::rewrite_src_addr)
    /// or a port change). A zero checksum (none, over IPv4) stays zero; a
    /// result of zero is stored as `0xffff`.
    pub fn apply_checksum_delta(&mut self, delta: ChecksumDelta) {
        let c = self.checksum();
        if c != 0 {
            self.set_checksum(nonzero(delta.apply(c)));
        }
    }
}

/// The owned form of a UDP header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UdpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
    /// Data length in bytes (Length minus 8).
    pub payload_len: usize,
}

impl UdpRepr {
    /// Parse a checked datagram without looking at the checksum.
    pub fn parse<T: AsRef<[u8]>>(packet: &UdpPacket<T>) -> Result<UdpRepr> {
        Ok(UdpRepr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
            payload_len: usize::from(packet.len()) - field::HEADER_LEN,
        })
    }

    /// Parse a datagram carried in IPv4 and verify its checksum
    /// ([`Error::BadChecksum`]).
    pub fn parse_v4<T: AsRef<[u8]>>(
        packet: &UdpPacket<T>,
        src: Ipv4Addr,
        dst: Ipv4Addr,
    ) -> Result<UdpRepr> {
        if !packet.verify_checksum_v4(src, dst) {
            return Err(Error::BadChecksum);
        }
        Self::parse(packet)
    }

    /// Parse a datagram carried in IPv6 and verify its checksum under the
    /// given zero-checksum policy ([`Error::BadChecksum`]).
    pub fn parse_v6<T: AsRef<[u8]>>(
        packet: &UdpPacket<T>,
        src: Ipv6Addr,
        dst: Ipv6Addr,
        zero: Ipv6ZeroChecksum,
    ) -> Result<UdpRepr> {
        if !packet.verify_checksum_v6(src, dst, zero) {
            return Err(Error::BadChecksum);
        }
        Self::parse(packet)
    }

    /// Bytes of header [`emit`](Self::emit) writes: 8.
    pub const fn buffer_len(&self) -> usize {
        field::HEADER_LEN
    }

    /// Header plus data: the Length field emit writes.
    pub const fn total_len(&self) -> usize {
        field::HEADER_LEN + self.payload_len
    }

    /// Write the header with a zero checksum at the start of `packet`.
    /// Write the data next, then call `fill_checksum_v4`/`_v6` (or leave it
    /// zero where the policy allows).
    ///
    /// [`Error::BadLength`] if Length would exceed 65535;
    /// [`Error::Truncated`] if the buffer is shorter than 8 bytes.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut UdpPacket<T>) -> Result<()> {
        let len = u16::try_from(self.total_len()).map_err(|_| Error::BadLength)?;
        if packet.buffer.as_ref().len() < field::HEADER_LEN {
            return Err(Error::Truncated);
        }
        packet.set_src_port(self.src_port);
        packet.set_dst_port(self.dst_port);
        packet.set_len(len);
        packet.set_checksum(0);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vxlan::{VxlanPacket, VxlanRepr, VXLAN_PORT};

    // Captured with tcpdump between two network namespaces (transmit
    // checksum offload off). IP headers included; Ethernet stripped.

    /// 10.77.0.1:40000 -> 10.77.0.2:5555 "hello vtepd".
    const UDP_HELLO: [u8; 39] = [
        0x45, 0x00, 0x00, 0x27, 0xb7, 0xba, 0x40, 0x00, 0x40, 0x11, 0x6e, 0x6f, 0x0a, 0x4d, 0x00,
        0x01, 0x0a, 0x4d, 0x00, 0x02, 0x9c, 0x40, 0x15, 0xb3, 0x00, 0x13, 0xb5, 0x60, 0x68, 0x65,
        0x6c, 0x6c, 0x6f, 0x20, 0x76, 0x74, 0x65, 0x70, 0x64,
    ];

    /// Linux VXLAN (VNI 100) over IPv4 with a UDP checksum, carrying an ARP
    /// request.
    const VXLAN_ARP_REQUEST: [u8; 78] = [
        0x45, 0x00, 0x00, 0x4e, 0xb7, 0xbf, 0x00, 0x00, 0x40, 0x11, 0xae, 0x43, 0x0a, 0x4d, 0x00,
        0x01, 0x0a, 0x4d, 0x00, 0x02, 0xec, 0xab, 0x12, 0xb5, 0x00, 0x3a, 0x4f, 0x45, 0x08, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x64, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0xbb, 0x00,
        0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0xbb,
        0x00, 0x00, 0x00, 0x01, 0x0a, 0x58, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x0a,
        0x58, 0x00, 0x02,
    ];

    /// Linux VXLAN (VNI 200) over IPv6 with `udp6zerocsumtx`: checksum 0.
    const VXLAN6_ZERO_CSUM: [u8; 98] = [
        0x60, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x11, 0x40, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xec, 0xab, 0x12, 0xb5, 0x00,
        0x3a, 0x00, 0x00, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0xc8, 0x00, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0x02, 0xcc, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06,
        0x04, 0x00, 0x01, 0x02, 0xcc, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x63, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x0a, 0x63, 0x00, 0x02,
    ];

    /// Linux VXLAN (VNI 300, port 4790) over IPv6 with a UDP checksum.
    const VXLAN6_CSUM: [u8; 98] = [
        0x60, 0x00, 0x00, 0x00, 0x00, 0x3a, 0x11, 0x40, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0xfd, 0x77, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0xec, 0xab, 0x12, 0xb6, 0x00,
        0x3a, 0xa0, 0x95, 0x08, 0x00, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x00, 0xff, 0xff, 0xff, 0xff,
        0xff, 0xff, 0x02, 0xdd, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06,
        0x04, 0x00, 0x01, 0x02, 0xdd, 0x00, 0x00, 0x00, 0x01, 0x0a, 0x62, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x0a, 0x62, 0x00, 0x02,
    ];

    const A1: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 1);
    const A2: Ipv4Addr = Ipv4Addr::new(10, 77, 0, 2);

    fn v6(ip: &[u8]) -> (Ipv6Addr, Ipv6Addr) {
        let s: [u8; 16] = ip[8..24].try_into().unwrap();
        let d: [u8; 16] = ip[24..40].try_into().unwrap();
        (Ipv6Addr::from(s), Ipv6Addr::from(d))
    }

    #[test]
    fn captured_udp_v4() {
        let p = UdpPacket::new_checked(&UDP_HELLO[20..]).unwrap();
        assert_eq!((p.src_port(), p.dst_port(), p.len()), (40000, 5555, 19));
        assert_eq!(p.payload(), b"hello vtepd");
        assert!(p.verify_checksum_v4(A1, A2));
        assert!(!p.verify_checksum_v4(A2, Ipv4Addr::new(10, 77, 0, 3)));
        let r = UdpRepr::parse_v4(&p, A1, A2).unwrap();
        assert_eq!(r.payload_len, 11);
        let mut out = [0u8; 19];
        let mut q = UdpPacket::new_unchecked(&mut out[..]);
        r.emit(&mut q).unwrap();
        q.payload_mut().copy_from_slice(b"hello vtepd");
        q.fill_checksum_v4(A1, A2);
        assert_eq!(&out[..], &UDP_HELLO[20..]);
    }

    #[test]
    fn captured_vxlan_v4() {
        let p = UdpPacket::new_checked(&VXLAN_ARP_REQUEST[20..]).unwrap();
        assert_eq!(p.dst_port(), VXLAN_PORT);
        assert_eq!(p.checksum(), 0x4f45);
        assert!(p.verify_checksum_v4(A1, A2));
        let vx = VxlanPacket::new_checked(p.payload()).unwrap();
        assert_eq!(VxlanRepr::parse(&vx).unwrap().vni.get(), 100);
        // A corrupted payload byte fails; the same with no checksum passes.
        let mut b = VXLAN_ARP_REQUEST;
        b[40] ^= 0x01;
        let mut p = UdpPacket::new_checked(&mut b[20..]).unwrap();
        assert_eq!(UdpRepr::parse_v4(&p, A1, A2), Err(Error::BadChecksum));
        p.set_checksum(0);
        assert!(UdpRepr::parse_v4(&p, A1, A2).is_ok());
    }

    #[test]
    fn captured_vxlan_v6_checksum_and_zero() {
        let (s, d) = v6(&VXLAN6_CSUM);
        let p = UdpPacket::new_checked(&VXLAN6_CSUM[40..]).unwrap();
        assert!(p.verify_checksum_v6(s, d, Ipv6ZeroChecksum::Reject));
        assert_eq!(p.checksum(), 0xa095);
        let mut b = VXLAN6_CSUM;
        let mut q = UdpPacket::new_checked(&mut b[40..]).unwrap();
        q.fill_checksum_v6(s, d);
        assert_eq!(b, VXLAN6_CSUM);

        let (s, d) = v6(&VXLAN6_ZERO_CSUM);
        let p = UdpPacket::new_checked(&VXLAN6_ZERO_CSUM[40..]).unwrap();
        assert_eq!(p.checksum(), 0);
        assert!(!p.verify_checksum_v6(s, d, Ipv6ZeroChecksum::Reject));
        assert!(p.verify_checksum_v6(s, d, Ipv6ZeroChecksum::Accept));
        assert_eq!(
            UdpRepr::parse_v6(&p, s, d, Ipv6ZeroChecksum::Reject),
            Err(Error::BadChecksum)
        );
        let r = UdpRepr::parse_v6(&p, s, d, Ipv6ZeroChecksum::Accept).unwrap();
        assert_eq!((r.dst_port, r.payload_len), (VXLAN_PORT, 50));
        // Filling it in makes it verify under the strict policy.
        let mut b = VXLAN6_ZERO_CSUM;
        let mut q = UdpPacket::new_checked(&mut b[40..]).unwrap();
        q.fill_checksum_v6(s, d);
        assert_ne!(q.checksum(), 0);
        assert!(q.verify_checksum_v6(s, d, Ipv6ZeroChecksum::Reject));
    }

    /// A datagram whose checksum computes to zero is sent as 0xffff.
    #[test]
    fn computed_zero_is_all_ones() {
        // Header sum with checksum 0: pick data that makes the total 0xffff.
        let mut b = [0u8; 10];
        let r = UdpRepr {
            src_port: 1,
            dst_port: 2,
            payload_len: 2,
        };
        r.emit(&mut UdpPacket::new_unchecked(&mut b[..])).unwrap();
        let base = checksum::fold(
            checksum::pseudo_header_v4(A1, A2, IpProtocol::Udp, 10) + checksum::sum(&b),
        );
        // Data word w such that base + w folds to 0xffff.
        let w = 0xffff - base;
        b[8..10].copy_from_slice(&w.to_be_bytes());
        let mut p = UdpPacket::new_checked(&mut b[..]).unwrap();
        p.fill_checksum_v4(A1, A2);
        assert_eq!(p.checksum(), 0xffff);
        assert!(p.verify_checksum_v4(A1, A2));
    }

    #[test]
    fn nat_delta_keeps_checksum_valid() {
        let mut b = UDP_HELLO;
        let udp = &mut b[20..];
        let new_src = Ipv4Addr::new(192, 0, 2, 33);
        let d = ChecksumDelta::from_addrs(A1, new_src);
        let mut p = UdpPacket::new_checked(&mut udp[..]).unwrap();
        p.apply_checksum_delta(d);
        assert!(p.verify_checksum_v4(new_src, A2));
        // Port rewrite, same mechanism.
        let d = ChecksumDelta::from_u16(p.src_port(), 1024);
        p.set_src_port(1024);
        p.apply_checksum_delta(d);
        assert!(p.verify_checksum_v4(new_src, A2));
        // No checksum stays no checksum.
        p.set_checksum(0);
        p.apply_checksum_delta(d);
        assert_eq!(p.checksum(), 0);
    }

    #[test]
    fn length_checks() {
        let udp = &UDP_HELLO[20..];
        for n in 0..udp.len() {
            assert_eq!(
                UdpPacket::new_checked(&udp[..n]).unwrap_err(),
                Error::Truncated,
                "length {n}"
            );
        }
        let mut b = [0u8; 8];
        b[4..6].copy_from_slice(&7u16.to_be_bytes());
        assert_eq!(
            UdpPacket::new_checked(&b[..]).unwrap_err(),
            Error::BadLength
        );
        b[4..6].copy_from_slice(&0u16.to_be_bytes());
        assert_eq!(
            UdpPacket::new_checked(&b[..]).unwrap_err(),
            Error::BadLength
        );
        // Trailing bytes beyond Length are not payload.
        let mut padded = [0u8; 30];
        padded[..19].copy_from_slice(udp);
        let p = UdpPacket::new_checked(&padded[..]).unwrap();
        assert_eq!(p.payload(), b"hello vtepd");
        assert!(p.verify_checksum_v4(A1, A2));
        assert!(UdpPacket::new_checked(&padded[..8]).is_err());
    }

    #[test]
    fn emit_errors() {
        let r = UdpRepr {
            src_port: 1,
            dst_port: 2,
            payload_len: 65528,
        };
        let mut b = [0u8; 8];
        assert_eq!(
            r.emit(&mut UdpPacket::new_unchecked(&mut b[..])),
            Err(Error::BadLength)
        );
        let r = UdpRepr {
            payload_len: 65527,
            ..r
        };
        assert!(r.emit(&mut UdpPacket::new_unchecked(&mut b[..])).is_ok());
        assert_eq!(b[4..6], [0xff, 0xff]);
        assert_eq!(
            r.emit(&mut UdpPacket::new_unchecked(&mut b[..7])),
            Err(Error::Truncated)
        );
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(
            data in proptest::collection::vec(0u8.., 0..48),
            s in 0u32.., d in 0u32.., s6 in 0u128.., d6 in 0u128..,
        ) {
            if let Ok(p) = UdpPacket::new_checked(&data[..]) {
                let (s, d) = (Ipv4Addr::from(s), Ipv4Addr::from(d));
                let (s6, d6) = (Ipv6Addr::from(s6), Ipv6Addr::from(d6));
                let _ = (p.payload(), p.verify_checksum_v4(s, d));
                let _ = p.verify_checksum_v6(s6, d6, Ipv6ZeroChecksum::Reject);
                let r = UdpRepr::parse(&p).unwrap();
                let mut out = data[..r.total_len()].to_vec();
                r.emit(&mut UdpPacket::new_unchecked(&mut out[..])).unwrap();
                // Emit reproduces ports and Length; the checksum is zero until filled.
                proptest::prop_assert_eq!(&out[..6], &data[..6]);
                proptest::prop_assert_eq!(&out[6..8], &[0u8, 0][..]);
                let mut q = UdpPacket::new_checked(&mut out[..]).unwrap();
                q.fill_checksum_v4(s, d);
                proptest::prop_assert!(q.checksum() != 0 && q.verify_checksum_v4(s, d));
                q.fill_checksum_v6(s6, d6);
                proptest::prop_assert!(q.verify_checksum_v6(s6, d6, Ipv6ZeroChecksum::Reject));
                proptest::prop_assert_eq!(UdpRepr::parse(&q).unwrap(), r);
            }
        }
    }
}
