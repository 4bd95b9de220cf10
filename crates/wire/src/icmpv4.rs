//! ICMP for IPv4 (RFC 792), with the next-hop MTU of RFC 1191.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           Identifier          |        Sequence Number        |  Echo (8) / Echo Reply (0)
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |           unused = 0          |         Next-Hop MTU          |  Destination Unreachable (3)
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                             unused                            |  Time Exceeded (11)
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Data (echo) or Internet Header + leading octets of the    |
//! |     original datagram (errors) ...                            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The buffer is the whole ICMP message (the IPv4 payload): ICMP has no
//! length field. The checksum is the Internet checksum of the whole message
//! with the checksum field zero (no pseudo-header).
//!
//! Next-Hop MTU (RFC 1191 §4) is meaningful only for code 4
//! ("fragmentation needed and DF set"); the "unused" octets are kept in the
//! [`Icmpv4Repr`] so that every parsed message re-emits byte for byte (RFC
//! 4884 puts a length in some of them). Unknown types, and echo messages with
//! a non-zero code, round-trip as [`Icmpv4Repr::Other`].
//!
//! Error messages carry at least the invoking datagram's IP header and 64
//! bits of its data (RFC 792); routers SHOULD send as much as fits in 576
//! bytes (RFC 1812 §4.3.2.3): see [`truncate_invoking`].

use crate::{be16, checksum, Error, Result};

mod field {
    pub use crate::icmp_header::field::*;
    use crate::Field;
    pub const UNREACH_UNUSED: Field = 4..6;
    pub const NEXT_HOP_MTU: Field = 6..8;
}

/// Type: Echo Reply.
pub const TYPE_ECHO_REPLY: u8 = 0;
/// Type: Destination Unreachable.
pub const TYPE_DST_UNREACHABLE: u8 = 3;
/// Type: Redirect.
pub const TYPE_REDIRECT: u8 = 5;
/// Type: Echo (request).
pub const TYPE_ECHO_REQUEST: u8 = 8;
/// Type: Time Exceeded.
pub const TYPE_TIME_EXCEEDED: u8 = 11;
/// Type: Parameter Problem.
pub const TYPE_PARAM_PROBLEM: u8 = 12;

/// The largest ICMP error datagram a router sends (RFC 1812 §4.3.2.3).
pub const MAX_ERROR_DATAGRAM: usize = 576;
/// The most invoking bytes an error carries so that a 20-byte IP header, the
/// 8-byte ICMP header and the invoking bytes fit in [`MAX_ERROR_DATAGRAM`].
pub const MAX_INVOKING_LEN: usize = MAX_ERROR_DATAGRAM - 20 - field::HEADER_LEN;

/// Truncate an invoking datagram to [`MAX_INVOKING_LEN`].
pub fn truncate_invoking(invoking: &[u8]) -> &[u8] {
    &invoking[..invoking.len().min(MAX_INVOKING_LEN)]
}

/// Destination Unreachable codes (RFC 792, RFC 1122 §3.2.2.1, RFC 1812
/// §5.2.7.1). Unknown values round-trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DstUnreachable {
    /// 0: net unreachable.
    NetUnreachable,
    /// 1: host unreachable.
    HostUnreachable,
    /// 2: protocol unreachable.
    ProtoUnreachable,
    /// 3: port unreachable.
    PortUnreachable,
    /// 4: fragmentation needed and DF set (carries the next-hop MTU).
    FragNeeded,
    /// 5: source route failed.
    SrcRouteFailed,
    /// 6: destination network unknown.
    DstNetUnknown,
    /// 7: destination host unknown.
    DstHostUnknown,
    /// 9: network administratively prohibited.
    NetProhibited,
    /// 10: host administratively prohibited.
    HostProhibited,
    /// 13: communication administratively prohibited.
    CommProhibited,
    /// Any other code.
    Unknown(u8),
}

impl From<u8> for DstUnreachable {
    fn from(v: u8) -> Self {
        match v {
            0 => DstUnreachable::NetUnreachable,
            1 => DstUnreachable::HostUnreachable,
            2 => DstUnreachable::ProtoUnreachable,
            3 => DstUnreachable::PortUnreachable,
            4 => DstUnreachable::FragNeeded,
            5 => DstUnreachable::SrcRouteFailed,
            6 => DstUnreachable::DstNetUnknown,
            7 => DstUnreachable::DstHostUnknown,
            9 => DstUnreachable::NetProhibited,
            10 => DstUnreachable::HostProhibited,
            13 => DstUnreachable::CommProhibited,
            other => DstUnreachable::Unknown(other),
        }
    }
}

impl From<DstUnreachable> for u8 {
    fn from(c: DstUnreachable) -> u8 {
        match c {
            DstUnreachable::NetUnreachable => 0,
            DstUnreachable::HostUnreachable => 1,
            DstUnreachable::ProtoUnreachable => 2,
            DstUnreachable::PortUnreachable => 3,
            DstUnreachable::FragNeeded => 4,
            DstUnreachable::SrcRouteFailed => 5,
            DstUnreachable::DstNetUnknown => 6,
            DstUnreachable::DstHostUnknown => 7,
            DstUnreachable::NetProhibited => 9,
            DstUnreachable::HostProhibited => 10,
            DstUnreachable::CommProhibited => 13,
            DstUnreachable::Unknown(v) => v,
        }
    }
}

/// Time Exceeded codes (RFC 792). Unknown values round-trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TimeExceeded {
    /// 0: time to live exceeded in transit.
    TtlExpired,
    /// 1: fragment reassembly time exceeded.
    FragReassembly,
    /// Any other code.
    Unknown(u8),
}

impl From<u8> for TimeExceeded {
    fn from(v: u8) -> Self {
        match v {
            0 => TimeExceeded::TtlExpired,
            1 => TimeExceeded::FragReassembly,
            other => TimeExceeded::Unknown(other),
        }
    }
}

impl From<TimeExceeded> for u8 {
    fn from(c: TimeExceeded) -> u8 {
        match c {
            TimeExceeded::TtlExpired => 0,
            TimeExceeded::FragReassembly => 1,
            TimeExceeded::Unknown(v) => v,
        }
    }
}

/// A read/write view of an ICMPv4 message.
#[derive(Debug, Clone)]
pub struct Icmpv4Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Icmpv4Packet<T> {
    crate::icmp_header::icmp_header_getters!();

    /// Wrap a buffer without checking it. Accessors may panic until
    /// [`check_len`](Self::check_len) succeeds; use this only to emit into a
    /// buffer of [`Icmpv4Repr::buffer_len`] bytes.
    pub const fn new_unchecked(buffer: T) -> Icmpv4Packet<T> {
        Icmpv4Packet { buffer }
    }

    /// The type.
    pub fn msg_type(&self) -> u8 {
        self.buffer.as_ref()[field::TYPE]
    }

    /// Next-hop MTU of a "fragmentation needed" message (octets 6..8).
    pub fn next_hop_mtu(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::NEXT_HOP_MTU])
    }

    /// Whether the checksum over the whole message verifies.
    pub fn verify_checksum(&self) -> bool {
        checksum::verify(self.buffer.as_ref())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Icmpv4Packet<T> {
    crate::icmp_header::icmp_header_setters!();

    /// Set the type.
    pub fn set_msg_type(&mut self, t: u8) {
        self.buffer.as_mut()[field::TYPE] = t;
    }

    /// Set the next-hop MTU.
    pub fn set_next_hop_mtu(&mut self, v: u16) {
        self.buffer.as_mut()[field::NEXT_HOP_MTU].copy_from_slice(&v.to_be_bytes());
    }

    /// Compute and store the checksum over the whole buffer.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let c = checksum::checksum(self.buffer.as_ref());
        self.set_checksum(c);
    }

    /// Answer an Echo Request in place: type 8 becomes 0 and the checksum is
    /// updated incrementally (RFC 1624). [`Error::Unsupported`] (nothing
    /// changed) unless this is an Echo Request with code 0. The caller swaps
    /// the IP addresses.
    pub fn echo_reply_in_place(&mut self) -> Result<()> {
        if self.msg_type() != TYPE_ECHO_REQUEST || self.msg_code() != 0 {
            return Err(Error::Unsupported);
        }
        let old = u16::from(TYPE_ECHO_REQUEST) << 8;
        let new = u16::from(TYPE_ECHO_REPLY) << 8;
        self.set_msg_type(TYPE_ECHO_REPLY);
        let c = checksum::update16(self.checksum(), old, new);
        if c == 0 {
            // RFC 1624 eqn. 3 yields 0x0000 when the rest of the message sums
            // to 0xffff or is all zeros; only in the first case is 0x0000
            // right (an all-zero message needs 0xffff). Rare: recompute.
            self.set_checksum(0);
            let full = checksum::checksum(self.buffer.as_ref());
            self.set_checksum(full);
        } else {
            self.set_checksum(c);
        }
        Ok(())
    }
}

/// The owned form of an ICMPv4 message; data borrows the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Icmpv4Repr<'a> {
    /// Echo (type 8, code 0).
    EchoRequest {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data, echoed back.
        data: &'a [u8],
    },
    /// Echo Reply (type 0, code 0).
    EchoReply {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
    /// Destination Unreachable (type 3).
    DstUnreachable {
        /// The code.
        reason: DstUnreachable,
        /// Octets 4..6 (zero when sent; RFC 4884 puts a length in octet 5).
        unused: u16,
        /// Next-hop MTU for [`DstUnreachable::FragNeeded`] (RFC 1191), zero
        /// otherwise.
        next_hop_mtu: u16,
        /// The invoking datagram's IP header and leading payload octets.
        invoking: &'a [u8],
    },
    /// Time Exceeded (type 11).
    TimeExceeded {
        /// The code.
        reason: TimeExceeded,
        /// Octets 4..8 (zero when sent).
        unused: u32,
        /// The invoking datagram's IP header and leading payload octets.
        invoking: &'a [u8],
    },
    /// Any other message, kept raw.
    Other {
        /// The type.
        msg_type: u8,
        /// The code.
        code: u8,
        /// Octets 4..8.
        rest: u32,
        /// Octets 8.. .
        data: &'a [u8],
    },
}

impl<'a> Icmpv4Repr<'a> {
    /// Parse a checked message, verifying its checksum
    /// ([`Error::BadChecksum`]).
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &'a Icmpv4Packet<&'a T>) -> Result<Self> {
        if !packet.verify_checksum() {
            return Err(Error::BadChecksum);
        }
        let data = &packet.buffer.as_ref()[field::HEADER_LEN..];
        let (t, code) = (packet.msg_type(), packet.msg_code());
        Ok(match (t, code) {
            (TYPE_ECHO_REQUEST, 0) => Icmpv4Repr::EchoRequest {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            (TYPE_ECHO_REPLY, 0) => Icmpv4Repr::EchoReply {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            (TYPE_DST_UNREACHABLE, _) => Icmpv4Repr::DstUnreachable {
                reason: DstUnreachable::from(code),
                unused: be16(&packet.buffer.as_ref()[field::UNREACH_UNUSED]),
                next_hop_mtu: packet.next_hop_mtu(),
                invoking: data,
            },
            (TYPE_TIME_EXCEEDED, _) => Icmpv4Repr::TimeExceeded {
                reason: TimeExceeded::from(code),
                unused: packet.rest_of_header(),
                invoking: data,
            },
            _ => Icmpv4Repr::Other {
                msg_type: t,
                code,
                rest: packet.rest_of_header(),
                data,
            },
        })
    }

    /// "Fragmentation needed and DF set" with the next-hop MTU (RFC 1191),
    /// carrying as much of `invoking` as [`truncate_invoking`] keeps.
    pub fn frag_needed(next_hop_mtu: u16, invoking: &'a [u8]) -> Self {
        Icmpv4Repr::DstUnreachable {
            reason: DstUnreachable::FragNeeded,
            unused: 0,
            next_hop_mtu,
            invoking: truncate_invoking(invoking),
        }
    }

    /// "Time to live exceeded in transit", carrying as much of `invoking`
    /// as [`truncate_invoking`] keeps.
    pub fn ttl_expired(invoking: &'a [u8]) -> Self {
        Icmpv4Repr::TimeExceeded {
            reason: TimeExceeded::TtlExpired,
            unused: 0,
            invoking: truncate_invoking(invoking),
        }
    }

    /// The Echo Reply answering this Echo Request; [`Error::Unsupported`]
    /// for any other message.
    pub fn echo_reply(&self) -> Result<Self> {
        match *self {
            Icmpv4Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => Ok(Icmpv4Repr::EchoReply {
                ident,
                seq_no,
                data,
            }),
            _ => Err(Error::Unsupported),
        }
    }

    /// Type and code as on the wire.
    pub fn type_code(&self) -> (u8, u8) {
        match *self {
            Icmpv4Repr::EchoRequest { .. } => (TYPE_ECHO_REQUEST, 0),
            Icmpv4Repr::EchoReply { .. } => (TYPE_ECHO_REPLY, 0),
            Icmpv4Repr::DstUnreachable { reason, .. } => (TYPE_DST_UNREACHABLE, reason.into()),
            Icmpv4Repr::TimeExceeded { reason, .. } => (TYPE_TIME_EXCEEDED, reason.into()),
            Icmpv4Repr::Other { msg_type, code, .. } => (msg_type, code),
        }
    }

    fn rest_and_data(&self) -> (u32, &'a [u8]) {
        match *self {
            Icmpv4Repr::EchoRequest {
                ident,
                seq_no,
                data,
            }
            | Icmpv4Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => ((u32::from(ident) << 16) | u32::from(seq_no), data),
            Icmpv4Repr::DstUnreachable {
                unused,
                next_hop_mtu,
                invoking,
                ..
            } => (
                (u32::from(unused) << 16) | u32::from(next_hop_mtu),
                invoking,
            ),
            Icmpv4Repr::TimeExceeded {
                unused, invoking, ..
            } => (unused, invoking),
            Icmpv4Repr::Other { rest, data, .. } => (rest, data),
        }
    }

    /// Bytes [`emit`](Self::emit) writes: the header plus the data.
    pub fn buffer_len(&self) -> usize {
        field::HEADER_LEN + self.rest_and_data().1.len()
    }

    /// Write the whole message, checksum included, into the first
    /// [`buffer_len`](Self::buffer_len) bytes of `packet`'s buffer;
    /// [`Error::Truncated`] if it is shorter. Bytes after that are not
    /// touched and not checksummed, so pass a buffer of exactly that length
    /// unless you fill the checksum again.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Icmpv4Packet<T>) -> Result<()> {
        let (rest, data) = self.rest_and_data();
        let (t, code) = self.type_code();
        let len = self.buffer_len();
        let Some(b) = packet.buffer.as_mut().get_mut(..len) else {
            return Err(Error::Truncated);
        };
        let mut p = Icmpv4Packet::new_unchecked(b);
        p.set_msg_type(t);
        p.set_msg_code(code);
        p.set_rest_of_header(rest);
        p.payload_mut().copy_from_slice(data);
        p.fill_checksum();
        Ok(())
    }
}

#[cfg(test)]
mod echo_reply_regression {
    use super::*;

    /// Found by fuzzing (fuzz/seeds/wire_icmpv4/regress_*): the in-place
    /// reply to an all-zero echo request must carry 0xffff, not 0x0000.
    #[test]
    fn all_zero_echo_request_reply_verifies() {
        let mut m = [0x08, 0x00, 0xf7, 0xff, 0, 0, 0, 0];
        let mut p = Icmpv4Packet::new_checked(&mut m[..]).unwrap();
        assert!(p.verify_checksum());
        p.echo_reply_in_place().unwrap();
        assert!(p.verify_checksum());
        assert_eq!(m, [0, 0, 0xff, 0xff, 0, 0, 0, 0]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipv4::{Ipv4Packet, Ipv4Repr};
    use std::vec;

    // Captured with tcpdump between network namespaces (checksums final).

    /// `ping -c1 10.77.0.2`: the ICMP part of an Echo Request.
    const ECHO_REQUEST: [u8; 64] = [
        0x08, 0x00, 0x12, 0x72, 0x36, 0x39, 0x00, 0x01, 0x69, 0x3f, 0x07, 0x6b, 0x00, 0x00, 0x00,
        0x00, 0x73, 0xd6, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
        0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24,
        0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33,
        0x34, 0x35, 0x36, 0x37,
    ];

    /// Port unreachable from 10.77.0.2 about a UDP datagram to port 5555
    /// (whole IPv4 packet).
    const PORT_UNREACHABLE: [u8; 67] = [
        0x45, 0xc0, 0x00, 0x43, 0x36, 0x67, 0x00, 0x00, 0x40, 0x01, 0x2e, 0xf7, 0x0a, 0x4d, 0x00,
        0x02, 0x0a, 0x4d, 0x00, 0x01, 0x03, 0x03, 0x11, 0xbe, 0x00, 0x00, 0x00, 0x00, 0x45, 0x00,
        0x00, 0x27, 0xb7, 0xba, 0x40, 0x00, 0x40, 0x11, 0x6e, 0x6f, 0x0a, 0x4d, 0x00, 0x01, 0x0a,
        0x4d, 0x00, 0x02, 0x9c, 0x40, 0x15, 0xb3, 0x00, 0x13, 0xb5, 0x60, 0x68, 0x65, 0x6c, 0x6c,
        0x6f, 0x20, 0x76, 0x74, 0x65, 0x70, 0x64,
    ];

    /// A Linux router (`ip_forward=1`, next link MTU 1280) answering
    /// `ping -M do -s 1400`: a 576-byte IPv4 datagram.
    const FRAG_NEEDED: &[u8] = include_bytes!("../testdata/ipv4-icmp-frag-needed.bin");
    /// The same router answering `ping -t 1`.
    const TIME_EXCEEDED: &[u8] = include_bytes!("../testdata/ipv4-icmp-time-exceeded.bin");

    fn reemit(r: &Icmpv4Repr<'_>) -> std::vec::Vec<u8> {
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(&mut Icmpv4Packet::new_unchecked(&mut out[..]))
            .unwrap();
        out
    }

    #[test]
    fn captured_echo_request_and_reply() {
        let p = Icmpv4Packet::new_checked(&ECHO_REQUEST[..]).unwrap();
        assert!(p.verify_checksum());
        let r = Icmpv4Repr::parse(&p).unwrap();
        let Icmpv4Repr::EchoRequest {
            ident,
            seq_no,
            data,
        } = r
        else {
            panic!("not an echo request: {r:?}");
        };
        assert_eq!((ident, seq_no, data.len()), (0x3639, 1, 56));
        assert_eq!(reemit(&r), ECHO_REQUEST);

        // The reply, built two ways, verifies and matches.
        let reply = reemit(&r.echo_reply().unwrap());
        let mut b = ECHO_REQUEST;
        let mut q = Icmpv4Packet::new_checked(&mut b[..]).unwrap();
        q.echo_reply_in_place().unwrap();
        assert!(q.verify_checksum());
        assert_eq!(&b[..], &reply[..]);
        assert_eq!(u16::from_be_bytes([b[2], b[3]]), 0x1a72);
        let mut q = Icmpv4Packet::new_checked(&mut b[..]).unwrap();
        assert_eq!(q.echo_reply_in_place(), Err(Error::Unsupported));
        assert_eq!(
            Icmpv4Repr::parse(&Icmpv4Packet::new_checked(&reply[..]).unwrap())
                .unwrap()
                .echo_reply(),
            Err(Error::Unsupported)
        );
    }

    #[test]
    fn captured_port_unreachable() {
        let ip = Ipv4Packet::new_checked(&PORT_UNREACHABLE[..]).unwrap();
        assert!(Ipv4Repr::parse(&ip).is_ok());
        let p = Icmpv4Packet::new_checked(ip.payload()).unwrap();
        let r = Icmpv4Repr::parse(&p).unwrap();
        let Icmpv4Repr::DstUnreachable {
            reason, invoking, ..
        } = r
        else {
            panic!("{r:?}");
        };
        assert_eq!(reason, DstUnreachable::PortUnreachable);
        // The whole invoking UDP datagram is quoted.
        let inner = Ipv4Packet::new_checked(invoking).unwrap();
        assert_eq!(inner.dst_addr(), core::net::Ipv4Addr::new(10, 77, 0, 2));
        assert_eq!(&inner.payload()[8..], b"hello vtepd");
        assert_eq!(reemit(&r), ip.payload());
    }

    #[test]
    fn captured_frag_needed() {
        assert_eq!(FRAG_NEEDED.len(), MAX_ERROR_DATAGRAM);
        let ip = Ipv4Packet::new_checked(FRAG_NEEDED).unwrap();
        assert!(Ipv4Repr::parse(&ip).is_ok());
        let p = Icmpv4Packet::new_checked(ip.payload()).unwrap();
        assert_eq!((p.msg_type(), p.msg_code()), (3, 4));
        assert_eq!(p.next_hop_mtu(), 1280);
        let r = Icmpv4Repr::parse(&p).unwrap();
        let Icmpv4Repr::DstUnreachable {
            reason,
            next_hop_mtu,
            unused,
            invoking,
        } = r
        else {
            panic!("{r:?}");
        };
        assert_eq!(
            (reason, next_hop_mtu, unused),
            (DstUnreachable::FragNeeded, 1280, 0)
        );
        assert_eq!(invoking.len(), MAX_INVOKING_LEN);
        // Linux quoted the first 548 bytes of the 1428-byte echo request.
        let inner = Ipv4Packet::new_unchecked(invoking);
        assert_eq!(inner.total_len(), 1428);
        assert!(inner.dont_frag());
        assert_eq!(reemit(&r), ip.payload());
        // Our constructor, given the whole invoking datagram, builds the
        // same message.
        let mut whole = vec![0u8; 1428];
        whole[..invoking.len()].copy_from_slice(invoking);
        let ours = Icmpv4Repr::frag_needed(1280, &whole);
        assert_eq!(ours, r);
    }

    #[test]
    fn captured_time_exceeded() {
        let ip = Ipv4Packet::new_checked(TIME_EXCEEDED).unwrap();
        let p = Icmpv4Packet::new_checked(ip.payload()).unwrap();
        let r = Icmpv4Repr::parse(&p).unwrap();
        let Icmpv4Repr::TimeExceeded {
            reason, invoking, ..
        } = r
        else {
            panic!("{r:?}");
        };
        assert_eq!(reason, TimeExceeded::TtlExpired);
        assert_eq!(Ipv4Packet::new_checked(invoking).unwrap().ttl(), 1);
        assert_eq!(Icmpv4Repr::ttl_expired(invoking), r);
        assert_eq!(reemit(&r), ip.payload());
    }

    #[test]
    fn bad_checksum_and_unknown_types() {
        let mut b = ECHO_REQUEST;
        b[20] ^= 0xff;
        let p = Icmpv4Packet::new_checked(&b[..]).unwrap();
        assert!(!p.verify_checksum());
        assert_eq!(Icmpv4Repr::parse(&p), Err(Error::BadChecksum));

        // Echo with a non-zero code, and a timestamp request (13), are Other.
        for (t, c) in [
            (8u8, 1u8),
            (13, 0),
            (TYPE_REDIRECT, 1),
            (TYPE_PARAM_PROBLEM, 0),
        ] {
            let mut b = ECHO_REQUEST;
            b[0] = t;
            b[1] = c;
            Icmpv4Packet::new_checked(&mut b[..])
                .unwrap()
                .fill_checksum();
            let p = Icmpv4Packet::new_checked(&b[..]).unwrap();
            let r = Icmpv4Repr::parse(&p).unwrap();
            assert!(
                matches!(r, Icmpv4Repr::Other { msg_type, code, rest: 0x3639_0001, .. }
                    if msg_type == t && code == c)
            );
            assert_eq!(reemit(&r), b);
        }
    }

    #[test]
    fn codes_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(DstUnreachable::from(v)), v);
            assert_eq!(u8::from(TimeExceeded::from(v)), v);
        }
    }

    #[test]
    fn truncation() {
        for n in 0..8 {
            assert_eq!(
                Icmpv4Packet::new_checked(&ECHO_REQUEST[..n]).unwrap_err(),
                Error::Truncated
            );
        }
        let r = Icmpv4Repr::EchoRequest {
            ident: 1,
            seq_no: 2,
            data: b"abc",
        };
        assert_eq!(r.buffer_len(), 11);
        let mut out = [0u8; 10];
        assert_eq!(
            r.emit(&mut Icmpv4Packet::new_unchecked(&mut out[..])),
            Err(Error::Truncated)
        );
        assert_eq!(truncate_invoking(&[0u8; 2000]).len(), 548);
        assert_eq!(truncate_invoking(&[0u8; 28]).len(), 28);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(
            mut data in proptest::collection::vec(0u8.., 0..48),
            fix in proptest::bool::ANY,
            pick in 0usize..6,
        ) {
            if fix && data.len() >= 8 {
                data[0] = [0u8, 3, 8, 11, 13, 5][pick];
                Icmpv4Packet::new_unchecked(&mut data[..]).fill_checksum();
            }
            if let Ok(p) = Icmpv4Packet::new_checked(&data[..]) {
                let _ = (p.payload(), p.rest_of_header(), p.next_hop_mtu());
                if let Ok(r) = Icmpv4Repr::parse(&p) {
                    proptest::prop_assert_eq!(r.buffer_len(), data.len());
                    let out = reemit(&r);
                    // The whole message is reproduced, except that a
                    // checksum of 0xffff and 0x0000 are the same sum.
                    proptest::prop_assert_eq!(&out[..2], &data[..2]);
                    proptest::prop_assert_eq!(&out[4..], &data[4..]);
                    proptest::prop_assert!(checksum::verify(&out));
                }
            }
        }
    }
}
