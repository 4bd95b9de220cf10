//! IPv6 (RFC 8200): the fixed header, the extension-header chain and the
//! Fragment header.
//!
//! The fixed header (RFC 8200 §3):
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version| Traffic Class |           Flow Label                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Payload Length        |  Next Header  |   Hop Limit   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! +                                                               +
//! |                                                               |
//! +                         Source Address                        +
//! |                                                               |
//! +                                                               +
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! +                                                               +
//! |                                                               |
//! +                      Destination Address                      +
//! |                                                               |
//! +                                                               +
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Extension headers (RFC 8200 §4) other than Fragment and AH share one
//! layout: Next Header, Hdr Ext Len (in 8-octet units, not counting the first
//! 8 octets), then data. The Fragment header (RFC 8200 §4.5) is always 8
//! octets:
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Next Header  |   Reserved    |      Fragment Offset    |Res|M|
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Identification                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! and AH (RFC 4302 §2.2) counts its Payload Len in 4-octet units minus 2.
//!
//! # Invariants
//!
//! - [`Ipv6Packet::check_len`] accepts a buffer that holds the 40-byte header,
//!   has version 6 and holds `40 + payload_len` bytes. The buffer may be
//!   longer (Ethernet padding); [`Ipv6Packet::payload`] is trimmed to the
//!   declared length. A payload length of 0 means an empty payload
//!   (jumbograms, RFC 2675, are not supported).
//! - [`ExtHeaders`] walks the extension-header chain inside the declared
//!   payload with no allocation, at most [`MAX_EXT_HEADERS`] headers.
//!   Offsets it returns are from the start of the IPv6 header.

use core::net::Ipv6Addr;

use crate::ethernet::EthernetAddress;
use crate::{be16, be32, Error, IpProtocol, Result};

mod field {
    use crate::Field;
    /// Version (4 bits), traffic class (8 bits), flow label (20 bits).
    pub const VER_TC_FLOW: Field = 0..4;
    pub const PAYLOAD_LEN: Field = 4..6;
    pub const NEXT_HEADER: usize = 6;
    pub const HOP_LIMIT: usize = 7;
    pub const SRC_ADDR: Field = 8..24;
    pub const DST_ADDR: Field = 24..40;
    pub const HEADER_LEN: usize = 40;
}

mod frag_field {
    use crate::Field;
    pub const NEXT_HEADER: usize = 0;
    pub const RESERVED: usize = 1;
    /// Fragment offset (13 bits), Res (2 bits), M (1 bit).
    pub const OFFSET_FLAGS: Field = 2..4;
    pub const IDENT: Field = 4..8;
    pub const HEADER_LEN: usize = 8;
}

/// Length of the IPv6 fixed header.
pub const HEADER_LEN: usize = field::HEADER_LEN;

/// The most extension headers [`ExtHeaders`] walks before giving up with
/// [`Error::Unsupported`]. Real traffic carries two or three at most; a long
/// chain is an attack on middleboxes (RFC 7112, RFC 9098).
pub const MAX_EXT_HEADERS: usize = 8;

/// ff02::1, all nodes on the link.
pub const LINK_LOCAL_ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
/// ff02::2, all routers on the link.
pub const LINK_LOCAL_ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);

/// The solicited-node multicast address of `addr` (RFC 4291 §2.7.1):
/// ff02::1:ffXX:XXXX with the low 24 bits of `addr`.
pub fn solicited_node(addr: Ipv6Addr) -> Ipv6Addr {
    let o = addr.octets();
    Ipv6Addr::from([
        0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff, o[13], o[14], o[15],
    ])
}

/// Whether `addr` is a solicited-node multicast address (ff02::1:ff00:0/104).
pub fn is_solicited_node(addr: Ipv6Addr) -> bool {
    let o = addr.octets();
    o[..13] == [0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01, 0xff]
}

/// Whether `addr` is unicast link-local (fe80::/10).
pub fn is_link_local(addr: Ipv6Addr) -> bool {
    let o = addr.octets();
    o[0] == 0xfe && o[1] & 0xc0 == 0x80
}

/// The link-local address fe80::/64 with the modified EUI-64 interface
/// identifier derived from `mac` (RFC 4291 appendix A, RFC 2464 §4): the U/L
/// bit inverted and ff:fe inserted in the middle.
pub fn link_local_from_mac(mac: EthernetAddress) -> Ipv6Addr {
    let m = mac.0;
    Ipv6Addr::from([
        0xfe,
        0x80,
        0,
        0,
        0,
        0,
        0,
        0,
        m[0] ^ 0x02,
        m[1],
        m[2],
        0xff,
        0xfe,
        m[3],
        m[4],
        m[5],
    ])
}

fn addr_at(b: &[u8]) -> Ipv6Addr {
    let mut a = [0u8; 16];
    a.copy_from_slice(b);
    Ipv6Addr::from(a)
}

/// A read/write view of an IPv6 packet (fixed header plus payload).
#[derive(Debug, Clone)]
pub struct Ipv6Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Ipv6Packet<T> {
    /// Length of the fixed header.
    pub const HEADER_LEN: usize = field::HEADER_LEN;

    /// Wrap a buffer without checking it. Accessors may panic until
    /// [`check_len`](Self::check_len) succeeds; use this only to emit into a
    /// buffer sized by [`Ipv6Repr::buffer_len`] plus the payload.
    pub fn new_unchecked(buffer: T) -> Ipv6Packet<T> {
        Ipv6Packet { buffer }
    }

    /// Wrap a buffer and run [`check_len`](Self::check_len).
    pub fn new_checked(buffer: T) -> Result<Ipv6Packet<T>> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// Check that the fixed header is present ([`Error::Truncated`]), that
    /// the version is 6 ([`Error::BadVersion`]) and that the buffer holds
    /// the declared payload ([`Error::Truncated`]).
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        if b.len() < field::HEADER_LEN {
            return Err(Error::Truncated);
        }
        if b[0] >> 4 != 6 {
            return Err(Error::BadVersion);
        }
        if field::HEADER_LEN + usize::from(be16(&b[field::PAYLOAD_LEN])) > b.len() {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Consume the view and return the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The version field (6 once checked).
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[0] >> 4
    }

    /// The traffic class (DSCP << 2 | ECN).
    pub fn traffic_class(&self) -> u8 {
        let w = be32(&self.buffer.as_ref()[field::VER_TC_FLOW]);
        (w >> 20) as u8
    }

    /// The DSCP (upper 6 bits of the traffic class).
    pub fn dscp(&self) -> u8 {
        self.traffic_class() >> 2
    }

    /// The ECN codepoint (lower 2 bits of the traffic class).
    pub fn ecn(&self) -> u8 {
        self.traffic_class() & 0x3
    }

    /// The 20-bit flow label.
    pub fn flow_label(&self) -> u32 {
        be32(&self.buffer.as_ref()[field::VER_TC_FLOW]) & 0x000f_ffff
    }

    /// The payload length field: bytes after the fixed header, extension
    /// headers included.
    pub fn payload_len(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::PAYLOAD_LEN])
    }

    /// Header plus declared payload: the packet's length on the wire.
    pub fn total_len(&self) -> usize {
        field::HEADER_LEN + usize::from(self.payload_len())
    }

    /// The Next Header field of the fixed header.
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol::from(self.buffer.as_ref()[field::NEXT_HEADER])
    }

    /// The hop limit.
    pub fn hop_limit(&self) -> u8 {
        self.buffer.as_ref()[field::HOP_LIMIT]
    }

    /// The source address.
    pub fn src_addr(&self) -> Ipv6Addr {
        addr_at(&self.buffer.as_ref()[field::SRC_ADDR])
    }

    /// The destination address.
    pub fn dst_addr(&self) -> Ipv6Addr {
        addr_at(&self.buffer.as_ref()[field::DST_ADDR])
    }

    /// Length of the fixed header (always 40).
    pub fn header_len(&self) -> usize {
        field::HEADER_LEN
    }

    /// The declared payload (extension headers and upper layer), without
    /// any link-layer padding that follows it in the buffer.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[field::HEADER_LEN..self.total_len()]
    }

    /// The packet as declared: header plus payload, without padding.
    pub fn packet(&self) -> &[u8] {
        &self.buffer.as_ref()[..self.total_len()]
    }

    /// An iterator over the extension headers that follow the fixed header.
    pub fn ext_headers(&self) -> ExtHeaders<'_> {
        ExtHeaders::new(self.payload(), self.next_header())
    }

    /// Walk the extension-header chain to the upper-layer header.
    pub fn upper_layer(&self) -> Result<UpperLayer> {
        self.ext_headers().upper_layer()
    }

    /// The unfragmentable part (RFC 8200 §4.5) of the packet: what a
    /// fragmenting source repeats in every fragment.
    pub fn unfragmentable_part(&self) -> Result<Unfragmentable> {
        unfragmentable_part(self.payload(), self.next_header())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv6Packet<T> {
    fn set_ver_tc_flow(&mut self, w: u32) {
        self.buffer.as_mut()[field::VER_TC_FLOW].copy_from_slice(&w.to_be_bytes());
    }

    fn ver_tc_flow(&self) -> u32 {
        be32(&self.buffer.as_ref()[field::VER_TC_FLOW])
    }

    /// Set the version nibble.
    pub fn set_version(&mut self, v: u8) {
        let w = (self.ver_tc_flow() & 0x0fff_ffff) | (u32::from(v & 0xf) << 28);
        self.set_ver_tc_flow(w);
    }

    /// Set the traffic class.
    pub fn set_traffic_class(&mut self, tc: u8) {
        let w = (self.ver_tc_flow() & 0xf00f_ffff) | (u32::from(tc) << 20);
        self.set_ver_tc_flow(w);
    }

    /// Set the flow label (the upper 12 bits of `fl` are ignored).
    pub fn set_flow_label(&mut self, fl: u32) {
        let w = (self.ver_tc_flow() & 0xfff0_0000) | (fl & 0x000f_ffff);
        self.set_ver_tc_flow(w);
    }

    /// Set the payload length.
    pub fn set_payload_len(&mut self, len: u16) {
        self.buffer.as_mut()[field::PAYLOAD_LEN].copy_from_slice(&len.to_be_bytes());
    }

    /// Set the Next Header field of the fixed header.
    pub fn set_next_header(&mut self, p: IpProtocol) {
        self.buffer.as_mut()[field::NEXT_HEADER] = u8::from(p);
    }

    /// Set the hop limit.
    pub fn set_hop_limit(&mut self, h: u8) {
        self.buffer.as_mut()[field::HOP_LIMIT] = h;
    }

    /// Set the source address.
    pub fn set_src_addr(&mut self, a: Ipv6Addr) {
        self.buffer.as_mut()[field::SRC_ADDR].copy_from_slice(&a.octets());
    }

    /// Set the destination address.
    pub fn set_dst_addr(&mut self, a: Ipv6Addr) {
        self.buffer.as_mut()[field::DST_ADDR].copy_from_slice(&a.octets());
    }

    /// Decrement the hop limit for forwarding (RFC 8200 §3). IPv6 has no
    /// header checksum, so nothing else changes. Returns the new hop limit,
    /// or `None`, leaving the packet unchanged, when the hop limit is 0 or 1:
    /// the packet must then not be forwarded and the router sends an ICMPv6
    /// Time Exceeded (code 0) instead (RFC 4443 §3.3).
    pub fn decrement_hop_limit(&mut self) -> Option<u8> {
        let h = self.hop_limit();
        if h <= 1 {
            return None;
        }
        self.set_hop_limit(h - 1);
        Some(h - 1)
    }

    /// The declared payload, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let end = self.total_len();
        &mut self.buffer.as_mut()[field::HEADER_LEN..end]
    }
}

/// The owned form of an IPv6 fixed header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv6Repr {
    /// Source address.
    pub src_addr: Ipv6Addr,
    /// Destination address.
    pub dst_addr: Ipv6Addr,
    /// The fixed header's Next Header field.
    pub next_header: IpProtocol,
    /// Payload length (extension headers included), at most 65535.
    pub payload_len: usize,
    /// Hop limit.
    pub hop_limit: u8,
    /// Traffic class (DSCP << 2 | ECN).
    pub traffic_class: u8,
    /// Flow label (20 bits).
    pub flow_label: u32,
}

impl Ipv6Repr {
    /// Parse a checked packet. The version was checked by `check_len`; this
    /// checks it again so a packet built with `new_unchecked` is caught.
    pub fn parse<T: AsRef<[u8]>>(packet: &Ipv6Packet<T>) -> Result<Ipv6Repr> {
        packet.check_len()?;
        Ok(Ipv6Repr {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            next_header: packet.next_header(),
            payload_len: usize::from(packet.payload_len()),
            hop_limit: packet.hop_limit(),
            traffic_class: packet.traffic_class(),
            flow_label: packet.flow_label(),
        })
    }

    /// Bytes of header [`emit`](Self::emit) writes (always 40).
    pub const fn buffer_len(&self) -> usize {
        field::HEADER_LEN
    }

    /// Write the fixed header at the start of `packet`'s buffer. The buffer
    /// must hold at least 40 bytes ([`Error::Truncated`]); the payload is not
    /// touched. A `payload_len` over 65535 or a flow label over 20 bits is
    /// [`Error::BadLength`] / [`Error::Malformed`].
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Ipv6Packet<T>) -> Result<()> {
        if packet.buffer.as_ref().len() < field::HEADER_LEN {
            return Err(Error::Truncated);
        }
        let len = u16::try_from(self.payload_len).map_err(|_| Error::BadLength)?;
        if self.flow_label > 0x000f_ffff {
            return Err(Error::Malformed);
        }
        packet.set_ver_tc_flow(
            (6u32 << 28) | (u32::from(self.traffic_class) << 20) | self.flow_label,
        );
        packet.set_payload_len(len);
        packet.set_next_header(self.next_header);
        packet.set_hop_limit(self.hop_limit);
        packet.set_src_addr(self.src_addr);
        packet.set_dst_addr(self.dst_addr);
        Ok(())
    }
}

/// Whether `p` is an extension header this module walks (RFC 8200 §4 plus
/// AH). ESP, No Next Header and every other value end the chain.
pub fn is_ext_header(p: IpProtocol) -> bool {
    matches!(
        p,
        IpProtocol::HopByHop
            | IpProtocol::Ipv6Route
            | IpProtocol::Ipv6Frag
            | IpProtocol::Ipv6Opts
            | IpProtocol::Ah
    )
}

/// One extension header found by [`ExtHeaders`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtHeader<'a> {
    /// Which extension header this is.
    pub kind: IpProtocol,
    /// Its offset from the start of the IPv6 header.
    pub offset: usize,
    /// The header's bytes (Next Header and length fields included).
    pub data: &'a [u8],
    /// The value of its Next Header field.
    pub next_header: IpProtocol,
}

impl<'a> ExtHeader<'a> {
    /// The header's body after Next Header and Hdr Ext Len: the options of
    /// Hop-by-Hop and Destination Options, the routing type and data of a
    /// Routing header, the rest of a Fragment or AH header.
    pub fn body(&self) -> &'a [u8] {
        self.data.get(2..).unwrap_or(&[])
    }

    /// The Fragment header, if this is one.
    pub fn fragment(&self) -> Option<Ipv6FragmentRepr> {
        if self.kind != IpProtocol::Ipv6Frag {
            return None;
        }
        Ipv6FragmentHeader::new_checked(self.data)
            .ok()
            .map(|h| Ipv6FragmentRepr::parse(&h))
    }
}

/// The end of the extension-header chain, as found by
/// [`ExtHeaders::upper_layer`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UpperLayer {
    /// The upper-layer protocol (ICMPv6, UDP, ..., ESP, No Next Header or an
    /// unknown value).
    pub protocol: IpProtocol,
    /// Offset of the upper-layer header from the start of the IPv6 header.
    /// For a non-first fragment ([`is_later_fragment`](Self::is_later_fragment))
    /// this is where the fragment's data starts, not a header.
    pub offset: usize,
    /// The Fragment header, if the packet has one, with its offset from the
    /// start of the IPv6 header.
    pub fragment: Option<(usize, Ipv6FragmentRepr)>,
}

impl UpperLayer {
    /// Whether this packet is a fragment with a non-zero offset: the walk
    /// stopped at its Fragment header and `protocol` is only the value of
    /// that header's Next Header field.
    pub fn is_later_fragment(&self) -> bool {
        matches!(self.fragment, Some((_, f)) if f.frag_offset != 0)
    }
}

/// An allocation-free walk over the extension headers of an IPv6 payload.
///
/// Yields each extension header, then stops; a malformed header yields one
/// error and ends the walk. Rules:
///
/// - Hop-by-Hop may only come first (RFC 8200 §4.1), else [`Error::BadOption`].
/// - Fewer than 8 bytes left for a header is [`Error::Truncated`]; a header
///   whose declared length runs past the payload is [`Error::BadOption`]; an
///   AH whose length is not a multiple of 8 octets (RFC 4302 §2.2) is
///   [`Error::BadOption`].
/// - More than [`MAX_EXT_HEADERS`] headers is [`Error::Unsupported`].
/// - A Fragment header with a non-zero offset ends the walk: what follows is
///   fragment data.
#[derive(Debug, Clone)]
pub struct ExtHeaders<'a> {
    payload: &'a [u8],
    next: IpProtocol,
    /// Offset into `payload`.
    at: usize,
    count: usize,
    done: bool,
    fragment: Option<(usize, Ipv6FragmentRepr)>,
}

impl<'a> ExtHeaders<'a> {
    /// Walk `payload` (the IPv6 payload, trimmed to the payload length),
    /// whose first header is `next_header` (the fixed header's field).
    pub fn new(payload: &'a [u8], next_header: IpProtocol) -> ExtHeaders<'a> {
        ExtHeaders {
            payload,
            next: next_header,
            at: 0,
            count: 0,
            done: false,
            fragment: None,
        }
    }

    fn step(&mut self) -> Result<Option<ExtHeader<'a>>> {
        if !is_ext_header(self.next) {
            return Ok(None);
        }
        if let Some((_, f)) = self.fragment {
            if f.frag_offset != 0 {
                return Ok(None);
            }
        }
        if self.next == IpProtocol::HopByHop && self.count != 0 {
            return Err(Error::BadOption);
        }
        if self.count == MAX_EXT_HEADERS {
            return Err(Error::Unsupported);
        }
        let rest = self.payload.get(self.at..).unwrap_or(&[]);
        if rest.len() < 8 {
            return Err(Error::Truncated);
        }
        let len = match self.next {
            IpProtocol::Ipv6Frag => frag_field::HEADER_LEN,
            IpProtocol::Ah => {
                let n = (usize::from(rest[1]) + 2) * 4;
                if n % 8 != 0 {
                    return Err(Error::BadOption);
                }
                n
            }
            _ => (usize::from(rest[1]) + 1) * 8,
        };
        let data = rest.get(..len).ok_or(Error::BadOption)?;
        let hdr = ExtHeader {
            kind: self.next,
            offset: field::HEADER_LEN + self.at,
            data,
            next_header: IpProtocol::from(data[0]),
        };
        if self.next == IpProtocol::Ipv6Frag {
            let f = Ipv6FragmentRepr::parse(&Ipv6FragmentHeader::new_unchecked(data));
            self.fragment = Some((hdr.offset, f));
        }
        self.count += 1;
        self.at += len;
        self.next = hdr.next_header;
        Ok(Some(hdr))
    }

    /// Walk the rest of the chain and return where the upper layer starts.
    pub fn upper_layer(mut self) -> Result<UpperLayer> {
        for h in &mut self {
            h?;
        }
        Ok(UpperLayer {
            protocol: self.next,
            offset: field::HEADER_LEN + self.at,
            fragment: self.fragment,
        })
    }
}

impl<'a> Iterator for ExtHeaders<'a> {
    type Item = Result<ExtHeader<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        match self.step() {
            Ok(Some(h)) => Some(Ok(h)),
            Ok(None) => {
                self.done = true;
                None
            }
            Err(e) => {
                self.done = true;
                Some(Err(e))
            }
        }
    }
}

/// What a node must do with an option it does not recognise: the two
/// high-order bits of the option type (RFC 8200 §4.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum UnknownOptionAction {
    /// 00: skip the option and continue.
    Skip,
    /// 01: discard the packet.
    Discard,
    /// 10: discard and send ICMPv6 Parameter Problem code 2.
    DiscardAndReport,
    /// 11: as 10, but only if the destination is not multicast.
    DiscardAndReportUnicast,
}

/// One option of a Hop-by-Hop or Destination Options header (RFC 8200 §4.2).
///
/// ```text
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
/// |  Option Type  |  Opt Data Len |  Option Data
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+- - - - - - - - -
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Ipv6Option<'a> {
    /// Pad1 (type 0): a single zero octet, no length field.
    Pad1,
    /// PadN (type 1) with this many data octets.
    PadN(u8),
    /// Router Alert (type 5, RFC 2711) with its 16-bit value (0: MLD).
    RouterAlert(u16),
    /// Any other option: type and data.
    Unknown(u8, &'a [u8]),
}

impl Ipv6Option<'_> {
    /// The action for an unrecognised option of type `t`.
    pub fn action(t: u8) -> UnknownOptionAction {
        match t >> 6 {
            0 => UnknownOptionAction::Skip,
            1 => UnknownOptionAction::Discard,
            2 => UnknownOptionAction::DiscardAndReport,
            _ => UnknownOptionAction::DiscardAndReportUnicast,
        }
    }
}

/// An allocation-free walk over the options of a Hop-by-Hop or Destination
/// Options header ([`ExtHeader::body`]). An option running past the header,
/// or a Router Alert whose length is not 2, yields one
/// [`Error::BadOption`] and ends the walk.
#[derive(Debug, Clone)]
pub struct Ipv6OptionIter<'a> {
    bytes: &'a [u8],
    done: bool,
}

impl<'a> Ipv6OptionIter<'a> {
    /// Walk `bytes`, the options area of the header.
    pub fn new(bytes: &'a [u8]) -> Ipv6OptionIter<'a> {
        Ipv6OptionIter { bytes, done: false }
    }

    fn step(&mut self) -> Result<Ipv6Option<'a>> {
        let t = self.bytes[0];
        if t == 0 {
            self.bytes = &self.bytes[1..];
            return Ok(Ipv6Option::Pad1);
        }
        let len = usize::from(*self.bytes.get(1).ok_or(Error::BadOption)?);
        let data = self.bytes.get(2..2 + len).ok_or(Error::BadOption)?;
        self.bytes = &self.bytes[2 + len..];
        Ok(match t {
            1 => Ipv6Option::PadN(len as u8),
            5 => {
                if len != 2 {
                    return Err(Error::BadOption);
                }
                Ipv6Option::RouterAlert(be16(data))
            }
            _ => Ipv6Option::Unknown(t, data),
        })
    }
}

impl<'a> Iterator for Ipv6OptionIter<'a> {
    type Item = Result<Ipv6Option<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.bytes.is_empty() {
            return None;
        }
        let r = self.step();
        if r.is_err() {
            self.done = true;
        }
        Some(r)
    }
}

/// Where the unfragmentable part of a packet ends (RFC 8200 §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Unfragmentable {
    /// Length from the start of the IPv6 header: the fixed header, plus
    /// Hop-by-Hop, plus any Routing header and the headers before it.
    pub len: usize,
    /// The protocol of the first fragmentable header: the value the
    /// Fragment header's Next Header field takes.
    pub next_header: IpProtocol,
    /// Offset (from the start of the IPv6 header) of the Next Header field
    /// that must be rewritten to 44 (Fragment): 6 for the fixed header's.
    pub next_header_field: usize,
}

fn unfragmentable_part(payload: &[u8], first: IpProtocol) -> Result<Unfragmentable> {
    let mut u = Unfragmentable {
        len: field::HEADER_LEN,
        next_header: first,
        next_header_field: field::NEXT_HEADER,
    };
    for h in ExtHeaders::new(payload, first) {
        let h = h?;
        match h.kind {
            IpProtocol::HopByHop | IpProtocol::Ipv6Route => {
                u = Unfragmentable {
                    len: h.offset + h.data.len(),
                    next_header: h.next_header,
                    next_header_field: h.offset,
                };
            }
            // An already fragmented packet is not fragmented again.
            IpProtocol::Ipv6Frag => return Err(Error::Unsupported),
            _ => {}
        }
    }
    Ok(u)
}

/// A read/write view of an IPv6 Fragment header (8 bytes).
#[derive(Debug, Clone)]
pub struct Ipv6FragmentHeader<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Ipv6FragmentHeader<T> {
    /// Length of a Fragment header.
    pub const HEADER_LEN: usize = frag_field::HEADER_LEN;

    /// Wrap a buffer without checking it.
    pub fn new_unchecked(buffer: T) -> Ipv6FragmentHeader<T> {
        Ipv6FragmentHeader { buffer }
    }

    /// Wrap a buffer holding at least 8 bytes.
    pub fn new_checked(buffer: T) -> Result<Ipv6FragmentHeader<T>> {
        let h = Self::new_unchecked(buffer);
        h.check_len()?;
        Ok(h)
    }

    /// [`Error::Truncated`] if the buffer is shorter than 8 bytes.
    pub fn check_len(&self) -> Result<()> {
        if self.buffer.as_ref().len() < frag_field::HEADER_LEN {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Consume the view and return the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The Next Header field.
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol::from(self.buffer.as_ref()[frag_field::NEXT_HEADER])
    }

    /// The 8-bit Reserved field.
    pub fn reserved(&self) -> u8 {
        self.buffer.as_ref()[frag_field::RESERVED]
    }

    /// Fragment offset in 8-octet units.
    pub fn frag_offset(&self) -> u16 {
        be16(&self.buffer.as_ref()[frag_field::OFFSET_FLAGS]) >> 3
    }

    /// The 2-bit Res field.
    pub fn res(&self) -> u8 {
        ((be16(&self.buffer.as_ref()[frag_field::OFFSET_FLAGS]) >> 1) & 0x3) as u8
    }

    /// The M flag: more fragments follow.
    pub fn more_frags(&self) -> bool {
        be16(&self.buffer.as_ref()[frag_field::OFFSET_FLAGS]) & 1 != 0
    }

    /// The Identification field.
    pub fn ident(&self) -> u32 {
        be32(&self.buffer.as_ref()[frag_field::IDENT])
    }

    /// The bytes after the header.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[frag_field::HEADER_LEN..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv6FragmentHeader<T> {
    /// Set the Next Header field.
    pub fn set_next_header(&mut self, p: IpProtocol) {
        self.buffer.as_mut()[frag_field::NEXT_HEADER] = u8::from(p);
    }

    /// Set the 8-bit Reserved field.
    pub fn set_reserved(&mut self, v: u8) {
        self.buffer.as_mut()[frag_field::RESERVED] = v;
    }

    fn set_offset_flags(&mut self, offset: u16, res: u8, more: bool) {
        let w = (offset << 3) | (u16::from(res & 0x3) << 1) | u16::from(more);
        self.buffer.as_mut()[frag_field::OFFSET_FLAGS].copy_from_slice(&w.to_be_bytes());
    }

    /// Set the fragment offset in 8-octet units (13 bits).
    pub fn set_frag_offset(&mut self, offset: u16) {
        let (res, more) = (self.res(), self.more_frags());
        self.set_offset_flags(offset & 0x1fff, res, more);
    }

    /// Set the 2-bit Res field.
    pub fn set_res(&mut self, res: u8) {
        let (off, more) = (self.frag_offset(), self.more_frags());
        self.set_offset_flags(off, res, more);
    }

    /// Set the M flag.
    pub fn set_more_frags(&mut self, more: bool) {
        let (off, res) = (self.frag_offset(), self.res());
        self.set_offset_flags(off, res, more);
    }

    /// Set the Identification field.
    pub fn set_ident(&mut self, id: u32) {
        self.buffer.as_mut()[frag_field::IDENT].copy_from_slice(&id.to_be_bytes());
    }

    /// The bytes after the header, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[frag_field::HEADER_LEN..]
    }
}

/// The owned form of a Fragment header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv6FragmentRepr {
    /// The Next Header field: the first header of the fragmentable part.
    pub next_header: IpProtocol,
    /// Fragment offset in 8-octet units (13 bits).
    pub frag_offset: u16,
    /// M flag: more fragments follow.
    pub more_frags: bool,
    /// Identification.
    pub ident: u32,
    /// The 8-bit Reserved field (zero when sent, ignored when received).
    pub reserved: u8,
    /// The 2-bit Res field (zero when sent, ignored when received).
    pub res: u8,
}

impl Ipv6FragmentRepr {
    /// A Fragment header for the fragment starting at `byte_offset` of the
    /// fragmentable part. `byte_offset` must be a multiple of 8 and below
    /// 65536 ([`Error::BadLength`]). Reserved fields are zero.
    pub fn new(
        next_header: IpProtocol,
        byte_offset: usize,
        more_frags: bool,
        ident: u32,
    ) -> Result<Ipv6FragmentRepr> {
        if byte_offset % 8 != 0 || byte_offset > 0xffff {
            return Err(Error::BadLength);
        }
        Ok(Ipv6FragmentRepr {
            next_header,
            frag_offset: (byte_offset / 8) as u16,
            more_frags,
            ident,
            reserved: 0,
            res: 0,
        })
    }

    /// Parse a checked header. Reserved fields are kept, not rejected
    /// (RFC 8200 §4.5: ignored on reception).
    pub fn parse<T: AsRef<[u8]>>(header: &Ipv6FragmentHeader<T>) -> Ipv6FragmentRepr {
        Ipv6FragmentRepr {
            next_header: header.next_header(),
            frag_offset: header.frag_offset(),
            more_frags: header.more_frags(),
            ident: header.ident(),
            reserved: header.reserved(),
            res: header.res(),
        }
    }

    /// The fragment offset in bytes.
    pub fn byte_offset(&self) -> usize {
        usize::from(self.frag_offset) * 8
    }

    /// An atomic fragment (RFC 6946): offset 0 and no more fragments.
    pub fn is_atomic(&self) -> bool {
        self.frag_offset == 0 && !self.more_frags
    }

    /// Bytes [`emit`](Self::emit) writes (always 8).
    pub const fn buffer_len(&self) -> usize {
        frag_field::HEADER_LEN
    }

    /// Write the header. A buffer shorter than 8 bytes is
    /// [`Error::Truncated`]; an offset over 13 bits is [`Error::BadLength`].
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(
        &self,
        header: &mut Ipv6FragmentHeader<T>,
    ) -> Result<()> {
        header.check_len()?;
        if self.frag_offset > 0x1fff {
            return Err(Error::BadLength);
        }
        header.set_next_header(self.next_header);
        header.set_reserved(self.reserved);
        header.set_offset_flags(self.frag_offset, self.res, self.more_frags);
        header.set_ident(self.ident);
        Ok(())
    }

    /// Write the header into the first 8 bytes of `buf`.
    pub fn emit_into(&self, buf: &mut [u8]) -> Result<()> {
        self.emit(&mut Ipv6FragmentHeader::new_unchecked(buf))
    }
}

/// A minimal reader of classic little-endian pcap files for the fixture
/// tests of this module, ICMPv6 and ND.
#[cfg(test)]
pub(crate) mod pcap {
    use std::vec::Vec;

    /// The frames of a classic pcap file (magic a1b2c3d4, little-endian).
    pub(crate) fn frames(file: &[u8]) -> Vec<&[u8]> {
        assert_eq!(file.get(..4), Some(&[0xd4, 0xc3, 0xb2, 0xa1][..]));
        let mut out = Vec::new();
        let mut at = 24;
        while at < file.len() {
            let h = &file[at..at + 16];
            let incl = u32::from_le_bytes([h[8], h[9], h[10], h[11]]) as usize;
            out.push(&file[at + 16..at + 16 + incl]);
            at += 16 + incl;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec::Vec;

    use crate::test_util::{hex, ECHO_REQUEST_V6 as ECHO, MLD_HBH};

    /// Captured: the fixed header and Fragment header of the second fragment
    /// of a 1648-byte echo request (offset 1448, M=0, ident 0x6030103a).
    const FRAG2_HEAD: &str = concat!(
        "600da38200a82c4020010db800000000000000000000000a20010db800000000000000000000000b",
        "3a0005a86030103a"
    );

    #[test]
    fn parse_captured_echo() {
        let b = hex(ECHO);
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.version(), 6);
        assert_eq!(p.traffic_class(), 0);
        assert_eq!(p.flow_label(), 0x0da382);
        assert_eq!(p.payload_len(), 64);
        assert_eq!(p.next_header(), IpProtocol::Icmpv6);
        assert_eq!(p.hop_limit(), 64);
        assert_eq!(p.src_addr(), "2001:db8::a".parse::<Ipv6Addr>().unwrap());
        assert_eq!(p.dst_addr(), "2001:db8::b".parse::<Ipv6Addr>().unwrap());
        assert_eq!(p.payload().len(), 64);
        let u = p.upper_layer().unwrap();
        assert_eq!(u.protocol, IpProtocol::Icmpv6);
        assert_eq!(u.offset, 40);
        assert_eq!(u.fragment, None);
        let r = Ipv6Repr::parse(&p).unwrap();
        let mut out = [0u8; 40];
        r.emit(&mut Ipv6Packet::new_unchecked(&mut out[..]))
            .unwrap();
        assert_eq!(&out[..], &b[..40]);
    }

    #[test]
    fn hop_by_hop_walk() {
        let b = hex(MLD_HBH);
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.next_header(), IpProtocol::HopByHop);
        let hs: Vec<_> = p.ext_headers().map(|h| h.unwrap()).collect();
        assert_eq!(hs.len(), 1);
        assert_eq!(hs[0].kind, IpProtocol::HopByHop);
        assert_eq!(hs[0].offset, 40);
        assert_eq!(hs[0].data.len(), 8);
        // Router Alert option, value 0 (MLD), then PadN of 0 data bytes.
        assert_eq!(hs[0].body(), &[0x05, 0x02, 0x00, 0x00, 0x01, 0x00]);
        let opts: Vec<_> = Ipv6OptionIter::new(hs[0].body())
            .map(|o| o.unwrap())
            .collect();
        assert_eq!(
            opts,
            std::vec![Ipv6Option::RouterAlert(0), Ipv6Option::PadN(0)]
        );
        let u = p.upper_layer().unwrap();
        assert_eq!(u.protocol, IpProtocol::Icmpv6);
        assert_eq!(u.offset, 48);
        assert_eq!(b[u.offset], 143); // MLDv2 report
        let uf = p.unfragmentable_part().unwrap();
        assert_eq!(uf.len, 48);
        assert_eq!(uf.next_header, IpProtocol::Icmpv6);
        assert_eq!(uf.next_header_field, 40);
    }

    #[test]
    fn later_fragment_stops_walk() {
        let mut b = hex(FRAG2_HEAD);
        b.resize(40 + 0xa8, 0xaa);
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        let u = p.upper_layer().unwrap();
        let (at, f) = u.fragment.unwrap();
        assert_eq!(at, 40);
        assert_eq!(f.next_header, IpProtocol::Icmpv6);
        assert_eq!(f.byte_offset(), 1448);
        assert!(!f.more_frags);
        assert_eq!(f.ident, 0x6030_103a);
        assert!(u.is_later_fragment());
        assert_eq!(u.offset, 48);
        assert_eq!(p.unfragmentable_part(), Err(Error::Unsupported));
        let mut out = [0u8; 8];
        f.emit_into(&mut out).unwrap();
        assert_eq!(&out[..], &b[40..48]);
    }

    #[test]
    fn first_fragment_continues_walk() {
        // Fixed header -> Fragment (offset 0, M) -> Destination Options -> UDP.
        let mut b = std::vec![0u8; 40 + 8 + 16 + 8];
        let r = Ipv6Repr {
            src_addr: Ipv6Addr::LOCALHOST,
            dst_addr: Ipv6Addr::LOCALHOST,
            next_header: IpProtocol::Ipv6Frag,
            payload_len: 32,
            hop_limit: 64,
            traffic_class: 0xb8,
            flow_label: 0x12345,
        };
        r.emit(&mut Ipv6Packet::new_unchecked(&mut b[..])).unwrap();
        Ipv6FragmentRepr::new(IpProtocol::Ipv6Opts, 0, true, 7)
            .unwrap()
            .emit_into(&mut b[40..])
            .unwrap();
        b[48] = 17; // UDP
        b[49] = 1; // 16 bytes
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.dscp(), 46);
        assert_eq!(p.ecn(), 0);
        let u = p.upper_layer().unwrap();
        assert_eq!(u.protocol, IpProtocol::Udp);
        assert_eq!(u.offset, 64);
        assert!(!u.is_later_fragment());
        assert!(!u.fragment.unwrap().1.is_atomic());
    }

    #[test]
    fn chain_rules() {
        let base = |first: IpProtocol, payload: &[u8]| {
            let mut b = std::vec![0u8; 40];
            Ipv6Repr {
                src_addr: Ipv6Addr::UNSPECIFIED,
                dst_addr: Ipv6Addr::UNSPECIFIED,
                next_header: first,
                payload_len: payload.len(),
                hop_limit: 1,
                traffic_class: 0,
                flow_label: 0,
            }
            .emit(&mut Ipv6Packet::new_unchecked(&mut b[..]))
            .unwrap();
            b.extend_from_slice(payload);
            b
        };
        let walk = |b: &[u8]| Ipv6Packet::new_checked(b).unwrap().upper_layer();
        // Hop-by-Hop after Destination Options.
        let mut pl = [0u8; 16];
        pl[0] = 0;
        assert_eq!(
            walk(&base(IpProtocol::Ipv6Opts, &pl)),
            Err(Error::BadOption)
        );
        // Destination Options whose length runs past the payload.
        let mut pl = [0u8; 16];
        pl[0] = 59;
        pl[1] = 2;
        assert_eq!(
            walk(&base(IpProtocol::Ipv6Opts, &pl)),
            Err(Error::BadOption)
        );
        // Fewer than 8 bytes for a header.
        assert_eq!(
            walk(&base(IpProtocol::Ipv6Route, &[59, 0, 0, 0])),
            Err(Error::Truncated)
        );
        // AH: length 4 -> (4+2)*4 = 24 bytes, fine; length 3 -> 20, not /8.
        let mut pl = [0u8; 24];
        pl[0] = 59;
        pl[1] = 4;
        let u = walk(&base(IpProtocol::Ah, &pl)).unwrap();
        assert_eq!(u.protocol, IpProtocol::Ipv6NoNxt);
        assert_eq!(u.offset, 64);
        pl[1] = 3;
        assert_eq!(walk(&base(IpProtocol::Ah, &pl)), Err(Error::BadOption));
        // Nine Destination Options headers: over the bound.
        let mut pl = std::vec![0u8; 9 * 8];
        for i in 0..9 {
            pl[i * 8] = if i == 8 { 59 } else { 60 };
        }
        assert_eq!(
            walk(&base(IpProtocol::Ipv6Opts, &pl)),
            Err(Error::Unsupported)
        );
        // Eight are fine.
        let mut pl = std::vec![0u8; 8 * 8];
        for i in 0..8 {
            pl[i * 8] = if i == 7 { 59 } else { 60 };
        }
        assert_eq!(walk(&base(IpProtocol::Ipv6Opts, &pl)).unwrap().offset, 104);
        // Hop-by-Hop, then a Routing header: unfragmentable part ends after it.
        let mut pl = [0u8; 24];
        pl[0] = 43;
        pl[8] = 60;
        pl[16] = 6;
        let b = base(IpProtocol::HopByHop, &pl);
        let p = Ipv6Packet::new_checked(&b[..]).unwrap();
        let uf = p.unfragmentable_part().unwrap();
        assert_eq!(uf.len, 56);
        assert_eq!(uf.next_header, IpProtocol::Ipv6Opts);
        assert_eq!(uf.next_header_field, 48);
        assert_eq!(p.upper_layer().unwrap().protocol, IpProtocol::Tcp);
    }

    #[test]
    fn option_walk() {
        let b = [0u8, 0x3e, 2, 0xaa, 0xbb, 1, 1, 0];
        let v: Vec<_> = Ipv6OptionIter::new(&b).collect();
        assert_eq!(
            v,
            std::vec![
                Ok(Ipv6Option::Pad1),
                Ok(Ipv6Option::Unknown(0x3e, &[0xaa, 0xbb])),
                Ok(Ipv6Option::PadN(1)),
            ]
        );
        assert_eq!(Ipv6Option::action(0x3e), UnknownOptionAction::Skip);
        assert_eq!(Ipv6Option::action(0x5e), UnknownOptionAction::Discard);
        assert_eq!(
            Ipv6Option::action(0x8e),
            UnknownOptionAction::DiscardAndReport
        );
        assert_eq!(
            Ipv6Option::action(0xc2),
            UnknownOptionAction::DiscardAndReportUnicast
        );
        for bad in [&[1u8][..], &[1, 3, 0, 0], &[5, 1, 0], &[0x3e, 9]] {
            let mut it = Ipv6OptionIter::new(bad);
            assert_eq!(it.next(), Some(Err(Error::BadOption)), "{bad:?}");
            assert_eq!(it.next(), None);
        }
    }

    /// The kernel's fragments of a 3000-byte echo request and its reply
    /// (fixtures/frag_ipv6.pcap): offsets 0, 1400, 2800, M on the first two.
    #[test]
    fn fixture_ipv6_fragments() {
        let file = include_bytes!("../fixtures/frag_ipv6.pcap");
        let frames = pcap::frames(file);
        assert_eq!(frames.len(), 6);
        for (i, f) in frames.iter().enumerate() {
            let p = Ipv6Packet::new_checked(&f[14..]).unwrap();
            assert_eq!(p.next_header(), IpProtocol::Ipv6Frag);
            let u = p.upper_layer().unwrap();
            let (at, frag) = u.fragment.unwrap();
            assert_eq!(at, 40);
            assert_eq!(frag.next_header, IpProtocol::Icmpv6);
            assert_eq!(frag.byte_offset(), [0, 1400, 2800][i % 3]);
            assert_eq!(frag.more_frags, i % 3 != 2);
            assert_eq!(u.is_later_fragment(), i % 3 != 0);
            assert_eq!(u.offset, 48);
            assert_eq!(usize::from(p.payload_len()), [1408, 1408, 216][i % 3]);
            let mut hdr = [0u8; 8];
            frag.emit_into(&mut hdr).unwrap();
            assert_eq!(&hdr[..], &f[14 + 40..14 + 48]);
        }
    }

    #[test]
    fn lengths_and_version() {
        let b = hex(ECHO);
        for n in 0..40 {
            assert_eq!(
                Ipv6Packet::new_checked(&b[..n]).unwrap_err(),
                Error::Truncated
            );
        }
        for n in 40..b.len() {
            assert_eq!(
                Ipv6Packet::new_checked(&b[..n]).unwrap_err(),
                Error::Truncated
            );
        }
        // Padding after the declared payload is allowed and not in payload().
        let mut padded = b.clone();
        padded.extend_from_slice(&[0; 6]);
        let p = Ipv6Packet::new_checked(&padded[..]).unwrap();
        assert_eq!(p.payload().len(), 64);
        assert_eq!(p.packet(), &b[..]);
        let mut v4 = b.clone();
        v4[0] = 0x45;
        assert_eq!(
            Ipv6Packet::new_checked(&v4[..]).unwrap_err(),
            Error::BadVersion
        );
    }

    #[test]
    fn setters_and_hop_limit() {
        let mut b = hex(ECHO);
        let mut p = Ipv6Packet::new_checked(&mut b[..]).unwrap();
        p.set_traffic_class(0xfe);
        p.set_flow_label(0xfffff);
        assert_eq!(p.version(), 6);
        assert_eq!(p.traffic_class(), 0xfe);
        assert_eq!(p.flow_label(), 0xfffff);
        assert_eq!(p.decrement_hop_limit(), Some(63));
        assert_eq!(p.hop_limit(), 63);
        p.set_hop_limit(1);
        assert_eq!(p.decrement_hop_limit(), None);
        assert_eq!(p.hop_limit(), 1);
        p.set_hop_limit(0);
        assert_eq!(p.decrement_hop_limit(), None);
    }

    #[test]
    fn emit_rejects_bad_values() {
        let mut r = Ipv6Repr {
            src_addr: Ipv6Addr::LOCALHOST,
            dst_addr: Ipv6Addr::LOCALHOST,
            next_header: IpProtocol::Udp,
            payload_len: 65536,
            hop_limit: 64,
            traffic_class: 0,
            flow_label: 0,
        };
        let mut b = [0u8; 40];
        assert_eq!(
            r.emit(&mut Ipv6Packet::new_unchecked(&mut b[..])),
            Err(Error::BadLength)
        );
        r.payload_len = 0;
        r.flow_label = 0x10_0000;
        assert_eq!(
            r.emit(&mut Ipv6Packet::new_unchecked(&mut b[..])),
            Err(Error::Malformed)
        );
        r.flow_label = 0;
        assert_eq!(
            r.emit(&mut Ipv6Packet::new_unchecked(&mut b[..39])),
            Err(Error::Truncated)
        );
        assert_eq!(
            Ipv6FragmentRepr::new(IpProtocol::Udp, 12, false, 0),
            Err(Error::BadLength)
        );
        assert_eq!(
            Ipv6FragmentRepr::new(IpProtocol::Udp, 65536, false, 0),
            Err(Error::BadLength)
        );
        let f = Ipv6FragmentRepr::new(IpProtocol::Udp, 65528, true, 1).unwrap();
        assert_eq!(f.frag_offset, 8191);
    }

    #[test]
    fn address_helpers() {
        let a: Ipv6Addr = "2001:db8::12:3456:789a".parse().unwrap();
        assert_eq!(
            solicited_node(a),
            "ff02::1:ff56:789a".parse::<Ipv6Addr>().unwrap()
        );
        assert!(is_solicited_node(solicited_node(a)));
        assert!(!is_solicited_node(LINK_LOCAL_ALL_NODES));
        let mac: EthernetAddress = "02:00:00:00:00:0a".parse().unwrap();
        // The captured hosts' link-local addresses.
        assert_eq!(
            link_local_from_mac(mac),
            "fe80::ff:fe00:a".parse::<Ipv6Addr>().unwrap()
        );
        assert!(is_link_local(link_local_from_mac(mac)));
        assert!(!is_link_local(a));
    }

    proptest::proptest! {
        #[test]
        fn generated_chains_walk_to_the_upper_layer(
            hdrs in proptest::collection::vec((0u8..4, 0u8..4), 0..11),
            hbh in proptest::bool::ANY,
        ) {
            // Build fixed header -> [Hop-by-Hop] -> generated headers -> UDP.
            let kinds = [IpProtocol::Ipv6Opts, IpProtocol::Ipv6Route, IpProtocol::Ipv6Frag, IpProtocol::Ah];
            let mut chain: Vec<(IpProtocol, usize)> = Vec::new();
            if hbh {
                chain.push((IpProtocol::HopByHop, 8));
            }
            for (k, l) in hdrs {
                let kind = kinds[usize::from(k)];
                let len = match kind {
                    IpProtocol::Ipv6Frag => 8,
                    IpProtocol::Ah => (usize::from(l) * 2 + 2) * 4, // AH lengths that are /8
                    _ => (usize::from(l) + 1) * 8,
                };
                chain.push((kind, len));
            }
            let mut payload = Vec::new();
            for (i, (kind, len)) in chain.iter().enumerate() {
                let next = chain.get(i + 1).map(|c| c.0).unwrap_or(IpProtocol::Udp);
                let mut h = std::vec![0u8; *len];
                h[0] = u8::from(next);
                h[1] = match kind {
                    IpProtocol::Ipv6Frag => 0,
                    IpProtocol::Ah => (len / 4 - 2) as u8,
                    _ => (len / 8 - 1) as u8,
                };
                payload.extend_from_slice(&h);
            }
            let upper_at = 40 + payload.len();
            payload.extend_from_slice(&[0u8; 8]);
            let first = chain.first().map(|c| c.0).unwrap_or(IpProtocol::Udp);
            let mut b = std::vec![0u8; 40];
            Ipv6Repr {
                src_addr: Ipv6Addr::LOCALHOST,
                dst_addr: Ipv6Addr::LOCALHOST,
                next_header: first,
                payload_len: payload.len(),
                hop_limit: 64,
                traffic_class: 0,
                flow_label: 0,
            }
            .emit(&mut Ipv6Packet::new_unchecked(&mut b[..]))
            .unwrap();
            b.extend_from_slice(&payload);
            let p = Ipv6Packet::new_checked(&b[..]).unwrap();
            let r = p.upper_layer();
            if chain.len() > MAX_EXT_HEADERS {
                proptest::prop_assert_eq!(r, Err(Error::Unsupported));
            } else {
                let u = r.unwrap();
                proptest::prop_assert_eq!(u.protocol, IpProtocol::Udp);
                proptest::prop_assert_eq!(u.offset, upper_at);
                proptest::prop_assert_eq!(u.fragment.is_some(), chain.iter().any(|c| c.0 == IpProtocol::Ipv6Frag));
                let offsets: Vec<usize> = p.ext_headers().map(|h| h.unwrap().offset).collect();
                proptest::prop_assert_eq!(offsets.len(), chain.len());
            }
            // Cutting the payload anywhere inside the chain is an error, never a panic.
            for cut in 0..upper_at - 40 {
                let mut t = b[..40 + cut].to_vec();
                t[4..6].copy_from_slice(&(cut as u16).to_be_bytes());
                let p = Ipv6Packet::new_checked(&t[..]).unwrap();
                proptest::prop_assert!(p.upper_layer().is_err());
            }
        }

        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(0u8.., 0..160), nh in 0u8..) {
            let mut data = data;
            if data.len() >= 40 {
                // Make a good share of inputs pass the checks.
                data[0] = 0x60 | (data[0] & 0x0f);
                let pl = (data.len() - 40) as u16;
                data[4..6].copy_from_slice(&pl.to_be_bytes());
                data[6] = [0u8, 43, 44, 60, 51, 58, nh][usize::from(nh % 7)];
            }
            if let Ok(p) = Ipv6Packet::new_checked(&data[..]) {
                let r = Ipv6Repr::parse(&p).unwrap();
                let mut out = [0u8; 40];
                r.emit(&mut Ipv6Packet::new_unchecked(&mut out[..])).unwrap();
                proptest::prop_assert_eq!(&out[..], &data[..40]);
                let mut n = 0;
                for h in p.ext_headers() {
                    n += 1;
                    if let Ok(h) = h {
                        proptest::prop_assert!(h.offset + h.data.len() <= p.total_len());
                        if matches!(h.kind, IpProtocol::HopByHop | IpProtocol::Ipv6Opts) {
                            for o in Ipv6OptionIter::new(h.body()) { let _ = o; }
                        }
                        if let Some(f) = h.fragment() {
                            let mut fb = [0u8; 8];
                            f.emit_into(&mut fb).unwrap();
                            proptest::prop_assert_eq!(&fb[..], h.data);
                        }
                    }
                }
                proptest::prop_assert!(n <= MAX_EXT_HEADERS + 1);
                if let Ok(u) = p.upper_layer() {
                    proptest::prop_assert!(u.offset <= p.total_len());
                }
                let _ = p.unfragmentable_part();
            }
        }
    }
}
