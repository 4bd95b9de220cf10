//! ICMPv6 (RFC 4443): error and informational messages.
//!
//! Every message starts with the same four octets (RFC 4443 §2.1); the
//! messages this module models have four more octets whose meaning depends on
//! the type (RFC 4443 §3, §4):
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |   Unused (Destination Unreachable, Time Exceeded)             |
//! |   MTU (Packet Too Big)                                        |
//! |   Pointer (Parameter Problem)                                 |
//! |   Identifier            |   Sequence Number (Echo)            |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    As much of invoking packet as possible without the ICMPv6  |
//! +    packet exceeding the minimum IPv6 MTU  /  echo data     ... +
//! ```
//!
//! The checksum (RFC 4443 §2.3) covers the IPv6 pseudo-header (RFC 8200
//! §8.1) and the whole ICMPv6 message. An [`Icmpv6Packet`]'s buffer must
//! therefore be exactly the message: slice it from the IPv6 payload
//! ([`crate::ipv6::Ipv6Packet::payload`] is already trimmed to the payload
//! length).
//!
//! Neighbor Discovery messages (types 133-136) are modelled in
//! [`crate::ndp`]; [`Icmpv6Repr::parse`] dispatches to it. Every other type,
//! and Echo / Packet Too Big messages with a non-zero code, round-trip as
//! [`Icmpv6Repr::Other`].

use core::net::Ipv6Addr;

use crate::checksum;
use crate::ipv6::Ipv6Packet;
use crate::ndp::{NdiscPacket, NdiscRepr};
use crate::{Error, IpProtocol, Result};

// The header layout ICMPv6 shares with ICMPv4; the type-specific word is
// Unused / MTU / Pointer / Identifier + Sequence Number.
use crate::icmp_header::field;

/// The IPv6 minimum MTU (RFC 8200 §5).
pub const MIN_MTU: usize = 1280;

/// The most bytes of an invoking packet an error message carries, so that
/// IPv6 header + ICMPv6 header + invoking bytes fit in [`MIN_MTU`]
/// (RFC 4443 §2.4 (c)).
pub const MAX_INVOKING_LEN: usize = MIN_MTU - crate::ipv6::HEADER_LEN - field::HEADER_LEN;

/// Truncate an invoking packet to [`MAX_INVOKING_LEN`].
pub fn truncate_invoking(invoking: &[u8]) -> &[u8] {
    &invoking[..invoking.len().min(MAX_INVOKING_LEN)]
}

macro_rules! codepoints {
    ($(#[$m:meta])* $name:ident : $ty:ty { $($(#[$vm:meta])* $var:ident = $val:expr,)* }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vm])* $var,)*
            /// Any other value.
            Unknown($ty),
        }

        impl From<$ty> for $name {
            fn from(v: $ty) -> Self {
                match v {
                    $($val => $name::$var,)*
                    other => $name::Unknown(other),
                }
            }
        }

        impl From<$name> for $ty {
            fn from(v: $name) -> $ty {
                match v {
                    $($name::$var => $val,)*
                    $name::Unknown(other) => other,
                }
            }
        }
    };
}

codepoints! {
    /// ICMPv6 message types (IANA "ICMPv6 Parameters").
    Icmpv6Message: u8 {
        /// Destination Unreachable (RFC 4443 §3.1).
        DstUnreachable = 1,
        /// Packet Too Big (RFC 4443 §3.2).
        PacketTooBig = 2,
        /// Time Exceeded (RFC 4443 §3.3).
        TimeExceeded = 3,
        /// Parameter Problem (RFC 4443 §3.4).
        ParamProblem = 4,
        /// Echo Request (RFC 4443 §4.1).
        EchoRequest = 128,
        /// Echo Reply (RFC 4443 §4.2).
        EchoReply = 129,
        /// Multicast Listener Query (RFC 2710, RFC 9777).
        MldQuery = 130,
        /// MLDv1 Report (RFC 2710).
        MldReport = 131,
        /// MLDv1 Done (RFC 2710).
        MldDone = 132,
        /// Router Solicitation (RFC 4861 §4.1).
        RouterSolicit = 133,
        /// Router Advertisement (RFC 4861 §4.2).
        RouterAdvert = 134,
        /// Neighbor Solicitation (RFC 4861 §4.3).
        NeighborSolicit = 135,
        /// Neighbor Advertisement (RFC 4861 §4.4).
        NeighborAdvert = 136,
        /// Redirect (RFC 4861 §4.5).
        Redirect = 137,
        /// MLDv2 Report (RFC 9777).
        MldReportV2 = 143,
    }
}

impl Icmpv6Message {
    /// Error messages have types 0-127 (RFC 4443 §2.1).
    pub fn is_error(self) -> bool {
        u8::from(self) < 128
    }

    /// Neighbor Discovery types handled by [`crate::ndp`] (133-136).
    pub fn is_ndisc(self) -> bool {
        matches!(
            self,
            Icmpv6Message::RouterSolicit
                | Icmpv6Message::RouterAdvert
                | Icmpv6Message::NeighborSolicit
                | Icmpv6Message::NeighborAdvert
        )
    }
}

codepoints! {
    /// Destination Unreachable codes (RFC 4443 §3.1).
    DstUnreachable: u8 {
        /// No route to destination.
        NoRoute = 0,
        /// Communication with destination administratively prohibited.
        AdminProhibited = 1,
        /// Beyond scope of source address.
        BeyondScope = 2,
        /// Address unreachable.
        AddrUnreachable = 3,
        /// Port unreachable.
        PortUnreachable = 4,
        /// Source address failed ingress/egress policy.
        FailedPolicy = 5,
        /// Reject route to destination.
        RejectRoute = 6,
    }
}

codepoints! {
    /// Time Exceeded codes (RFC 4443 §3.3).
    TimeExceeded: u8 {
        /// Hop limit exceeded in transit.
        HopLimitExceeded = 0,
        /// Fragment reassembly time exceeded.
        FragReassemblyExceeded = 1,
    }
}

codepoints! {
    /// Parameter Problem codes (RFC 4443 §3.4, RFC 7112 §5).
    ParamProblem: u8 {
        /// Erroneous header field encountered.
        ErroneousHeaderField = 0,
        /// Unrecognized Next Header type encountered.
        UnrecognizedNextHeader = 1,
        /// Unrecognized IPv6 option encountered.
        UnrecognizedOption = 2,
        /// IPv6 first fragment has incomplete IPv6 header chain (RFC 7112).
        IncompleteHeaderChain = 3,
    }
}

/// A read/write view of an ICMPv6 message. The buffer is exactly the message.
#[derive(Debug, Clone)]
pub struct Icmpv6Packet<T: AsRef<[u8]>> {
    pub(crate) buffer: T,
}

impl<T: AsRef<[u8]>> Icmpv6Packet<T> {
    crate::icmp_header::icmp_header_getters!();

    /// Wrap a buffer without checking it.
    pub fn new_unchecked(buffer: T) -> Icmpv6Packet<T> {
        Icmpv6Packet { buffer }
    }

    /// The message type.
    pub fn msg_type(&self) -> Icmpv6Message {
        Icmpv6Message::from(self.buffer.as_ref()[field::TYPE])
    }

    /// Packet Too Big: the next-hop MTU.
    pub fn mtu(&self) -> u32 {
        self.rest_of_header()
    }

    /// Parameter Problem: the offset of the error in the invoking packet.
    pub fn pointer(&self) -> u32 {
        self.rest_of_header()
    }

    /// Whether the checksum verifies for a message from `src` to `dst`.
    pub fn verify_checksum(&self, src: Ipv6Addr, dst: Ipv6Addr) -> bool {
        let b = self.buffer.as_ref();
        let Ok(len) = u32::try_from(b.len()) else {
            return false;
        };
        let acc = checksum::pseudo_header_v6(src, dst, IpProtocol::Icmpv6, len) + checksum::sum(b);
        checksum::fold(acc) == 0xffff
    }
}

/// The checksum for `msg` (checksum field included in the sum as it is:
/// zero it first) from `src` to `dst`.
pub(crate) fn compute_checksum(src: Ipv6Addr, dst: Ipv6Addr, msg: &[u8]) -> u16 {
    // ICMPv6 messages fit an IPv6 payload: at most 65535 bytes without
    // jumbograms, so the length always fits a u32.
    let len = msg.len() as u32;
    let acc = checksum::pseudo_header_v6(src, dst, IpProtocol::Icmpv6, len) + checksum::sum(msg);
    !checksum::fold(acc)
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Icmpv6Packet<T> {
    crate::icmp_header::icmp_header_setters!();

    /// Set the message type.
    pub fn set_msg_type(&mut self, t: Icmpv6Message) {
        self.buffer.as_mut()[field::TYPE] = u8::from(t);
    }

    /// Compute and store the checksum over the whole buffer.
    pub fn fill_checksum(&mut self, src: Ipv6Addr, dst: Ipv6Addr) {
        self.set_checksum(0);
        let c = compute_checksum(src, dst, self.buffer.as_ref());
        self.set_checksum(c);
    }
}

/// The owned form of an ICMPv6 message. Payload bytes borrow the buffer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Icmpv6Repr<'a> {
    /// Destination Unreachable.
    DstUnreachable {
        /// The code.
        reason: DstUnreachable,
        /// Octets 4..8: unused (zero when sent; RFC 4884 puts a length in
        /// the first octet).
        unused: u32,
        /// As much of the invoking packet as fits.
        invoking: &'a [u8],
    },
    /// Packet Too Big (code 0).
    PacketTooBig {
        /// The MTU of the next-hop link.
        mtu: u32,
        /// As much of the invoking packet as fits.
        invoking: &'a [u8],
    },
    /// Time Exceeded.
    TimeExceeded {
        /// The code.
        reason: TimeExceeded,
        /// Octets 4..8: unused (zero when sent).
        unused: u32,
        /// As much of the invoking packet as fits.
        invoking: &'a [u8],
    },
    /// Parameter Problem.
    ParamProblem {
        /// The code.
        reason: ParamProblem,
        /// Offset of the error in the invoking packet.
        pointer: u32,
        /// As much of the invoking packet as fits.
        invoking: &'a [u8],
    },
    /// Echo Request (code 0).
    EchoRequest {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
    /// Echo Reply (code 0).
    EchoReply {
        /// Identifier.
        ident: u16,
        /// Sequence number.
        seq_no: u16,
        /// Data.
        data: &'a [u8],
    },
    /// A Neighbor Discovery message (types 133-136).
    Ndisc(NdiscRepr<'a>),
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

impl<'a> Icmpv6Repr<'a> {
    /// Parse a checked message from `src` to `dst`, verifying its checksum
    /// ([`Error::BadChecksum`]). Neighbor Discovery messages are validated
    /// by [`NdiscRepr::parse_unverified`].
    pub fn parse<T>(
        src: Ipv6Addr,
        dst: Ipv6Addr,
        packet: &Icmpv6Packet<&'a T>,
    ) -> Result<Icmpv6Repr<'a>>
    where
        T: AsRef<[u8]> + ?Sized,
    {
        packet.check_len()?;
        if !packet.verify_checksum(src, dst) {
            return Err(Error::BadChecksum);
        }
        let bytes: &'a [u8] = packet.buffer.as_ref();
        let data = &bytes[field::HEADER_LEN..];
        let code = packet.msg_code();
        let repr = match (packet.msg_type(), code) {
            (Icmpv6Message::DstUnreachable, _) => Icmpv6Repr::DstUnreachable {
                reason: DstUnreachable::from(code),
                unused: packet.rest_of_header(),
                invoking: data,
            },
            (Icmpv6Message::PacketTooBig, 0) => Icmpv6Repr::PacketTooBig {
                mtu: packet.mtu(),
                invoking: data,
            },
            (Icmpv6Message::TimeExceeded, _) => Icmpv6Repr::TimeExceeded {
                reason: TimeExceeded::from(code),
                unused: packet.rest_of_header(),
                invoking: data,
            },
            (Icmpv6Message::ParamProblem, _) => Icmpv6Repr::ParamProblem {
                reason: ParamProblem::from(code),
                pointer: packet.pointer(),
                invoking: data,
            },
            (Icmpv6Message::EchoRequest, 0) => Icmpv6Repr::EchoRequest {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            (Icmpv6Message::EchoReply, 0) => Icmpv6Repr::EchoReply {
                ident: packet.echo_ident(),
                seq_no: packet.echo_seq_no(),
                data,
            },
            (t, _) if t.is_ndisc() => {
                let nd = NdiscPacket::new_checked(bytes)?;
                Icmpv6Repr::Ndisc(NdiscRepr::parse_unverified(src, dst, &nd)?)
            }
            (t, _) => Icmpv6Repr::Other {
                msg_type: u8::from(t),
                code,
                rest: packet.rest_of_header(),
                data,
            },
        };
        Ok(repr)
    }

    /// The message type.
    pub fn msg_type(&self) -> Icmpv6Message {
        match self {
            Icmpv6Repr::DstUnreachable { .. } => Icmpv6Message::DstUnreachable,
            Icmpv6Repr::PacketTooBig { .. } => Icmpv6Message::PacketTooBig,
            Icmpv6Repr::TimeExceeded { .. } => Icmpv6Message::TimeExceeded,
            Icmpv6Repr::ParamProblem { .. } => Icmpv6Message::ParamProblem,
            Icmpv6Repr::EchoRequest { .. } => Icmpv6Message::EchoRequest,
            Icmpv6Repr::EchoReply { .. } => Icmpv6Message::EchoReply,
            Icmpv6Repr::Ndisc(n) => n.msg_type(),
            Icmpv6Repr::Other { msg_type, .. } => Icmpv6Message::from(*msg_type),
        }
    }

    /// Bytes [`emit`](Self::emit) writes: the whole message.
    pub fn buffer_len(&self) -> usize {
        match self {
            Icmpv6Repr::DstUnreachable { invoking, .. }
            | Icmpv6Repr::PacketTooBig { invoking, .. }
            | Icmpv6Repr::TimeExceeded { invoking, .. }
            | Icmpv6Repr::ParamProblem { invoking, .. } => field::HEADER_LEN + invoking.len(),
            Icmpv6Repr::EchoRequest { data, .. }
            | Icmpv6Repr::EchoReply { data, .. }
            | Icmpv6Repr::Other { data, .. } => field::HEADER_LEN + data.len(),
            Icmpv6Repr::Ndisc(n) => n.buffer_len(),
        }
    }

    /// Write the whole message into the first [`buffer_len`](Self::buffer_len)
    /// bytes of `packet`'s buffer, with the checksum for `src` -> `dst`.
    /// A shorter buffer is [`Error::Truncated`]. The checksum covers exactly
    /// `buffer_len()` bytes: the IPv6 payload length must equal it.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        src: Ipv6Addr,
        dst: Ipv6Addr,
        packet: &mut Icmpv6Packet<T>,
    ) -> Result<()> {
        let len = self.buffer_len();
        let buf = packet
            .buffer
            .as_mut()
            .get_mut(..len)
            .ok_or(Error::Truncated)?;
        if let Icmpv6Repr::Ndisc(n) = self {
            return n.emit(src, dst, &mut NdiscPacket::new_unchecked(buf));
        }
        let mut p = Icmpv6Packet::new_unchecked(buf);
        let (ty, code, rest, data) = match *self {
            Icmpv6Repr::DstUnreachable {
                reason,
                unused,
                invoking,
            } => (1, u8::from(reason), unused, invoking),
            Icmpv6Repr::PacketTooBig { mtu, invoking } => (2, 0, mtu, invoking),
            Icmpv6Repr::TimeExceeded {
                reason,
                unused,
                invoking,
            } => (3, u8::from(reason), unused, invoking),
            Icmpv6Repr::ParamProblem {
                reason,
                pointer,
                invoking,
            } => (4, u8::from(reason), pointer, invoking),
            Icmpv6Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => (128, 0, echo_word(ident, seq_no), data),
            Icmpv6Repr::EchoReply {
                ident,
                seq_no,
                data,
            } => (129, 0, echo_word(ident, seq_no), data),
            Icmpv6Repr::Other {
                msg_type,
                code,
                rest,
                data,
            } => (msg_type, code, rest, data),
            Icmpv6Repr::Ndisc(_) => return Err(Error::Unsupported),
        };
        p.set_msg_type(Icmpv6Message::from(ty));
        p.set_msg_code(code);
        p.set_rest_of_header(rest);
        p.payload_mut().copy_from_slice(data);
        p.fill_checksum(src, dst);
        Ok(())
    }
}

fn echo_word(ident: u16, seq_no: u16) -> u32 {
    (u32::from(ident) << 16) | u32::from(seq_no)
}

/// Whether a router may send an ICMPv6 error about `invoking` (RFC 4443
/// §2.4 (e)): not about an ICMPv6 error message, not about a packet sent to
/// a multicast address (except Packet Too Big, and Parameter Problem code 2),
/// not about a packet whose source is unspecified or multicast. `error` is
/// the message to be sent (type, code); `link_multicast` says whether the
/// invoking packet arrived as a link-layer multicast or broadcast, which
/// only the caller knows.
pub fn may_send_error<T: AsRef<[u8]>>(
    invoking: &Ipv6Packet<T>,
    error: (Icmpv6Message, u8),
    link_multicast: bool,
) -> bool {
    let src = invoking.src_addr();
    if src.is_unspecified() || src.is_multicast() {
        return false;
    }
    let excepted = matches!(
        error,
        (Icmpv6Message::PacketTooBig, _) | (Icmpv6Message::ParamProblem, 2)
    );
    if (invoking.dst_addr().is_multicast() || link_multicast) && !excepted {
        return false;
    }
    // An ICMPv6 error about an ICMPv6 error is never sent. When the chain
    // cannot be walked the invoking packet is malformed; an error about it
    // is allowed.
    if let Ok(u) = invoking.upper_layer() {
        if u.protocol == IpProtocol::Icmpv6 && !u.is_later_fragment() {
            let t = invoking.packet().get(u.offset).copied();
            if let Some(t) = t {
                if Icmpv6Message::from(t).is_error() || t == u8::from(Icmpv6Message::Redirect) {
                    return false;
                }
            }
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ipv6::Ipv6Packet;
    use crate::test_util::{a, hex, ECHO_REQUEST_V6 as ECHO_REQ, MLD_HBH};
    use std::vec;

    #[test]
    fn captured_echo_request() {
        let b = hex(ECHO_REQ);
        let ip = Ipv6Packet::new_checked(&b[..]).unwrap();
        let p = Icmpv6Packet::new_checked(ip.payload()).unwrap();
        assert_eq!(p.msg_type(), Icmpv6Message::EchoRequest);
        assert_eq!(p.checksum(), 0xd136);
        assert!(p.verify_checksum(ip.src_addr(), ip.dst_addr()));
        assert!(!p.verify_checksum(ip.dst_addr(), a("2001:db8::c")));
        let r = Icmpv6Repr::parse(ip.src_addr(), ip.dst_addr(), &p).unwrap();
        match r {
            Icmpv6Repr::EchoRequest {
                ident,
                seq_no,
                data,
            } => {
                assert_eq!(ident, 0x2ff5);
                assert_eq!(seq_no, 1);
                assert_eq!(data.len(), 56);
            }
            other => panic!("{other:?}"),
        }
        // Emit the reply the other host sent: same ident/seq/data, swapped
        // addresses. Its captured checksum was 0xd036.
        let Icmpv6Repr::EchoRequest {
            ident,
            seq_no,
            data,
        } = r
        else {
            unreachable!()
        };
        let reply = Icmpv6Repr::EchoReply {
            ident,
            seq_no,
            data,
        };
        let mut out = vec![0u8; reply.buffer_len()];
        reply
            .emit(
                ip.dst_addr(),
                ip.src_addr(),
                &mut Icmpv6Packet::new_unchecked(&mut out[..]),
            )
            .unwrap();
        assert_eq!(&out[..4], &[0x81, 0x00, 0xd0, 0x36]);
        assert_eq!(&out[4..], &ip.payload()[4..]);
    }

    #[test]
    fn unknown_type_round_trips() {
        let b = hex(MLD_HBH);
        let ip = Ipv6Packet::new_checked(&b[..]).unwrap();
        let u = ip.upper_layer().unwrap();
        let msg = &ip.packet()[u.offset..];
        let p = Icmpv6Packet::new_checked(msg).unwrap();
        let r = Icmpv6Repr::parse(ip.src_addr(), ip.dst_addr(), &p).unwrap();
        assert_eq!(r.msg_type(), Icmpv6Message::MldReportV2);
        assert!(matches!(
            r,
            Icmpv6Repr::Other {
                msg_type: 143,
                code: 0,
                ..
            }
        ));
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(
            ip.src_addr(),
            ip.dst_addr(),
            &mut Icmpv6Packet::new_unchecked(&mut out[..]),
        )
        .unwrap();
        assert_eq!(&out[..], msg);
    }

    #[test]
    fn error_messages_round_trip() {
        let inv = hex(ECHO_REQ);
        let src = a("2001:db8::1");
        let dst = a("2001:db8::a");
        let msgs = [
            Icmpv6Repr::DstUnreachable {
                reason: DstUnreachable::PortUnreachable,
                unused: 0,
                invoking: &inv,
            },
            Icmpv6Repr::DstUnreachable {
                reason: DstUnreachable::Unknown(9),
                unused: 0x0100_0000,
                invoking: &inv,
            },
            Icmpv6Repr::PacketTooBig {
                mtu: 1280,
                invoking: &inv,
            },
            Icmpv6Repr::TimeExceeded {
                reason: TimeExceeded::HopLimitExceeded,
                unused: 0,
                invoking: &inv,
            },
            Icmpv6Repr::ParamProblem {
                reason: ParamProblem::UnrecognizedNextHeader,
                pointer: 6,
                invoking: &inv,
            },
            Icmpv6Repr::Other {
                msg_type: 2,
                code: 1,
                rest: 1500,
                data: &inv,
            },
        ];
        for m in msgs {
            let mut out = vec![0u8; m.buffer_len() + 3];
            m.emit(src, dst, &mut Icmpv6Packet::new_unchecked(&mut out[..]))
                .unwrap();
            let n = m.buffer_len();
            let p = Icmpv6Packet::new_checked(&out[..n]).unwrap();
            assert!(p.verify_checksum(src, dst));
            assert_eq!(Icmpv6Repr::parse(src, dst, &p).unwrap(), m);
            assert_eq!(&out[n..], &[0, 0, 0]);
            // Too small a buffer.
            let mut small = vec![0u8; n - 1];
            assert_eq!(
                m.emit(src, dst, &mut Icmpv6Packet::new_unchecked(&mut small[..])),
                Err(Error::Truncated)
            );
        }
        // The exact bytes of a Packet Too Big header.
        let m = Icmpv6Repr::PacketTooBig {
            mtu: 1400,
            invoking: &[],
        };
        let mut out = [0u8; 8];
        m.emit(src, dst, &mut Icmpv6Packet::new_unchecked(&mut out[..]))
            .unwrap();
        assert_eq!(&out[..2], &[2, 0]);
        assert_eq!(&out[4..], &1400u32.to_be_bytes());
    }

    #[test]
    fn bad_checksum_and_truncation() {
        let b = hex(ECHO_REQ);
        let ip = Ipv6Packet::new_checked(&b[..]).unwrap();
        let msg = ip.payload();
        for n in 0..8 {
            assert_eq!(
                Icmpv6Packet::new_checked(&msg[..n]).unwrap_err(),
                Error::Truncated
            );
        }
        // Every shorter message fails its checksum (the length is in the
        // pseudo-header), never panics.
        for n in 8..msg.len() {
            let p = Icmpv6Packet::new_checked(&msg[..n]).unwrap();
            assert_eq!(
                Icmpv6Repr::parse(ip.src_addr(), ip.dst_addr(), &p),
                Err(Error::BadChecksum)
            );
        }
        let mut m = msg.to_vec();
        m[20] ^= 1;
        let p = Icmpv6Packet::new_checked(&m[..]).unwrap();
        assert_eq!(
            Icmpv6Repr::parse(ip.src_addr(), ip.dst_addr(), &p),
            Err(Error::BadChecksum)
        );
    }

    #[test]
    fn error_rate_rules() {
        let b = hex(ECHO_REQ);
        let ip = Ipv6Packet::new_checked(&b[..]).unwrap();
        let te = (Icmpv6Message::TimeExceeded, 0);
        assert!(may_send_error(&ip, te, false));
        assert!(!may_send_error(&ip, te, true));
        assert!(may_send_error(&ip, (Icmpv6Message::PacketTooBig, 0), true));
        // To a multicast group: only PTB and PP code 2.
        let mld = hex(MLD_HBH);
        let ip = Ipv6Packet::new_checked(&mld[..]).unwrap();
        // Source :: -> never.
        assert!(!may_send_error(
            &ip,
            (Icmpv6Message::PacketTooBig, 0),
            false
        ));
        // An error about an error.
        let inv = hex(ECHO_REQ);
        let du = Icmpv6Repr::DstUnreachable {
            reason: DstUnreachable::NoRoute,
            unused: 0,
            invoking: &inv,
        };
        let mut pkt = vec![0u8; 40 + du.buffer_len()];
        let src = a("2001:db8::1");
        let dst = a("2001:db8::2");
        crate::ipv6::Ipv6Repr {
            src_addr: src,
            dst_addr: dst,
            next_header: IpProtocol::Icmpv6,
            payload_len: du.buffer_len(),
            hop_limit: 64,
            traffic_class: 0,
            flow_label: 0,
        }
        .emit(&mut Ipv6Packet::new_unchecked(&mut pkt[..]))
        .unwrap();
        du.emit(src, dst, &mut Icmpv6Packet::new_unchecked(&mut pkt[40..]))
            .unwrap();
        let ip = Ipv6Packet::new_checked(&pkt[..]).unwrap();
        assert!(!may_send_error(&ip, te, false));
        assert_eq!(truncate_invoking(&pkt).len(), pkt.len());
        let big = vec![0u8; 2000];
        assert_eq!(truncate_invoking(&big).len(), 1232);
    }

    /// fixtures/udp_ipv6.pcap: a UDP datagram and the kernel's Destination
    /// Unreachable / port unreachable quoting it.
    #[test]
    fn fixture_port_unreachable() {
        let file = include_bytes!("../fixtures/udp_ipv6.pcap");
        let frames = crate::ipv6::pcap::frames(file);
        let ip = Ipv6Packet::new_checked(&frames[1][14..]).unwrap();
        let p = Icmpv6Packet::new_checked(ip.payload()).unwrap();
        let r = Icmpv6Repr::parse(ip.src_addr(), ip.dst_addr(), &p).unwrap();
        let Icmpv6Repr::DstUnreachable {
            reason,
            unused,
            invoking,
        } = r
        else {
            panic!("{r:?}")
        };
        assert_eq!(reason, DstUnreachable::PortUnreachable);
        assert_eq!(unused, 0);
        assert_eq!(invoking, &frames[0][14..]);
        let mut out = vec![0u8; r.buffer_len()];
        r.emit(
            ip.src_addr(),
            ip.dst_addr(),
            &mut Icmpv6Packet::new_unchecked(&mut out[..]),
        )
        .unwrap();
        assert_eq!(&out[..], ip.payload());
        // The quoted datagram is not an ICMPv6 error: an error about it is
        // allowed; an error about this error is not.
        let quoted = Ipv6Packet::new_checked(invoking).unwrap();
        assert!(may_send_error(
            &quoted,
            (Icmpv6Message::DstUnreachable, 4),
            false
        ));
        assert!(!may_send_error(
            &ip,
            (Icmpv6Message::DstUnreachable, 4),
            false
        ));
    }

    #[test]
    fn codepoints_round_trip() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(Icmpv6Message::from(v)), v);
            assert_eq!(u8::from(DstUnreachable::from(v)), v);
            assert_eq!(u8::from(TimeExceeded::from(v)), v);
            assert_eq!(u8::from(ParamProblem::from(v)), v);
        }
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(0u8.., 0..96), ty in 0u8.., fix in proptest::bool::ANY) {
            let src = a("fe80::1");
            let dst = a("ff02::1");
            let mut data = data;
            if data.len() >= 8 {
                // Favour known types and a correct checksum.
                data[0] = [1u8, 2, 3, 4, 128, 129, 133, 134, 135, 136, ty][usize::from(ty % 11)];
                if fix {
                    Icmpv6Packet::new_unchecked(&mut data[..]).fill_checksum(src, dst);
                }
            }
            if let Ok(p) = Icmpv6Packet::new_checked(&data[..]) {
                let _ = (p.msg_type(), p.msg_code(), p.mtu(), p.echo_ident(), p.echo_seq_no(), p.payload());
                if let Ok(r) = Icmpv6Repr::parse(src, dst, &p) {
                    proptest::prop_assert_eq!(r.buffer_len(), data.len());
                    let mut out = vec![0u8; r.buffer_len()];
                    r.emit(src, dst, &mut Icmpv6Packet::new_unchecked(&mut out[..])).unwrap();
                    proptest::prop_assert_eq!(&out[..], &data[..]);
                }
            }
        }
    }
}
