//! IPv4 headers (RFC 791 §3.1), with options.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |Version|  IHL  |Type of Service|          Total Length         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |         Identification        |Flags|      Fragment Offset    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Time to Live |    Protocol   |         Header Checksum       |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                       Source Address                          |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Destination Address                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                    Options                    |    Padding    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Flags are `0|DF|MF` (bit 0 reserved, must be zero). The Type of Service
//! byte is read as DSCP (6 bits) and ECN (2 bits) (RFC 2474, RFC 3168).
//!
//! # Invariants after [`Ipv4Packet::check_len`]
//!
//! The buffer holds at least 20 bytes, the version is 4,
//! `20 <= IHL*4 <= Total Length <= buffer length`. Every accessor reads
//! inside those bounds, so none can panic. The buffer may be longer than
//! Total Length (Ethernet padding); [`Ipv4Packet::payload`] stops at Total
//! Length.
//! Setters that change IHL or Total Length can break these invariants;
//! call `check_len` again after using them on a received buffer.
//!
//! # Semantic checks in [`Ipv4Repr::parse`]
//!
//! Header checksum ([`Error::BadChecksum`]), the reserved flag
//! ([`Error::BadFlags`]) and the option list walk ([`Error::BadOption`]):
//! End of Option List (0) ends the list, No Operation (1) is one byte, every
//! other option has a length byte that counts the type and length bytes, is at
//! least 2 and stays inside the options area.
//!
//! # Forwarding and NAT
//!
//! [`Ipv4Packet::decrement_ttl`] and the `rewrite_*_addr` methods update the
//! header checksum incrementally (RFC 1624 eqn. 3). The address rewrites
//! return a [`ChecksumDelta`] to apply to the transport checksum, which covers
//! the addresses through its pseudo-header.

use core::fmt;
use core::net::Ipv4Addr;

use crate::checksum;
use crate::ip::IpProtocol;
use crate::{be16, Error, Result};

mod field {
    use crate::Field;
    /// Version (high nibble) and IHL (low nibble).
    pub const VER_IHL: usize = 0;
    /// DSCP (6 bits) and ECN (2 bits).
    pub const TOS: usize = 1;
    pub const LENGTH: Field = 2..4;
    pub const IDENT: Field = 4..6;
    /// Flags (3 bits) and Fragment Offset (13 bits).
    pub const FLG_OFF: Field = 6..8;
    pub const TTL: usize = 8;
    pub const PROTOCOL: usize = 9;
    /// TTL and Protocol as one 16-bit checksum word.
    pub const TTL_PROTOCOL: Field = 8..10;
    pub const CHECKSUM: Field = 10..12;
    pub const SRC_ADDR: Field = 12..16;
    pub const DST_ADDR: Field = 16..20;
    pub const OPTIONS_START: usize = 20;
    pub const MIN_HEADER_LEN: usize = 20;
}

/// Length of an IPv4 header without options.
pub const MIN_HEADER_LEN: usize = field::MIN_HEADER_LEN;
/// Longest IPv4 header (IHL = 15).
pub const MAX_HEADER_LEN: usize = 60;
/// Most bytes of options a header can carry.
pub const MAX_OPTIONS_LEN: usize = MAX_HEADER_LEN - MIN_HEADER_LEN;

const FLAG_RESERVED: u16 = 0x8000;
const FLAG_DF: u16 = 0x4000;
const FLAG_MF: u16 = 0x2000;
const OFFSET_MASK: u16 = 0x1fff;

/// Option type: End of Option List (RFC 791).
pub const OPT_END: u8 = 0;
/// Option type: No Operation (RFC 791).
pub const OPT_NOP: u8 = 1;
/// Option type: Record Route (RFC 791).
pub const OPT_RECORD_ROUTE: u8 = 7;
/// Option type: Internet Timestamp (RFC 791).
pub const OPT_TIMESTAMP: u8 = 68;
/// Option type: Loose Source and Record Route (RFC 791).
pub const OPT_LSRR: u8 = 131;
/// Option type: Strict Source and Record Route (RFC 791).
pub const OPT_SSRR: u8 = 137;
/// Option type: Router Alert (RFC 2113).
pub const OPT_ROUTER_ALERT: u8 = 148;

/// The change an address rewrite makes to every checksum covering it.
///
/// It is the one's-complement sum `~old + new` over the 16-bit words that
/// changed (RFC 1624 eqn. 3 without the final steps), so it can be applied
/// to several checksums (the IP header's and the transport's pseudo-header
/// sum) and combined with other deltas.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct ChecksumDelta(u16);

impl ChecksumDelta {
    /// No change.
    pub const NONE: ChecksumDelta = ChecksumDelta(0);

    /// The delta for a 16-bit word changing from `old` to `new`.
    pub fn from_u16(old: u16, new: u16) -> ChecksumDelta {
        ChecksumDelta(checksum::fold(u32::from(!old) + u32::from(new)))
    }

    /// The delta for a 32-bit field (two aligned words) changing.
    pub fn from_u32(old: u32, new: u32) -> ChecksumDelta {
        Self::from_u16((old >> 16) as u16, (new >> 16) as u16)
            .combine(Self::from_u16(old as u16, new as u16))
    }

    /// The delta for an IPv4 address changing (in a header or pseudo-header).
    pub fn from_addrs(old: Ipv4Addr, new: Ipv4Addr) -> ChecksumDelta {
        Self::from_u32(u32::from(old), u32::from(new))
    }

    /// Both changes at once.
    pub fn combine(self, other: ChecksumDelta) -> ChecksumDelta {
        ChecksumDelta(checksum::fold(u32::from(self.0) + u32::from(other.0)))
    }

    /// The checksum field value after the change, given the one before:
    /// `HC' = ~(~HC + delta)`. A caller whose protocol forbids a zero
    /// checksum (UDP) maps a `0x0000` result to `0xffff`.
    pub fn apply(self, hc: u16) -> u16 {
        !checksum::fold(u32::from(!hc) + u32::from(self.0))
    }

    /// The raw one's-complement sum.
    pub const fn get(self) -> u16 {
        self.0
    }
}

/// One option from an IPv4 header's option list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Ipv4Option<'a> {
    /// The option-type byte (copied flag, class and number).
    pub kind: u8,
    /// The bytes after the type and length bytes (empty for No Operation).
    pub data: &'a [u8],
}

impl Ipv4Option<'_> {
    /// The copied flag: the option must be copied into every fragment
    /// (RFC 791 §3.1).
    pub const fn copied(&self) -> bool {
        self.kind & 0x80 != 0
    }
}

/// An iterator over an option list; yields [`Error::BadOption`] once and
/// stops when the list is malformed. End of Option List ends it.
#[derive(Debug, Clone)]
pub struct Ipv4OptionIter<'a> {
    rest: &'a [u8],
}

impl<'a> Ipv4OptionIter<'a> {
    /// Walk the raw options area of a header.
    pub const fn new(options: &'a [u8]) -> Ipv4OptionIter<'a> {
        Ipv4OptionIter { rest: options }
    }
}

impl<'a> Iterator for Ipv4OptionIter<'a> {
    type Item = Result<Ipv4Option<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        let (&kind, after) = self.rest.split_first()?;
        match kind {
            OPT_END => {
                self.rest = &[];
                None
            }
            OPT_NOP => {
                self.rest = after;
                Some(Ok(Ipv4Option { kind, data: &[] }))
            }
            _ => {
                let len = after.first().map(|&l| usize::from(l));
                match len {
                    Some(len) if len >= 2 && len <= self.rest.len() => {
                        let data = self.rest.get(2..len).unwrap_or(&[]);
                        self.rest = self.rest.get(len..).unwrap_or(&[]);
                        Some(Ok(Ipv4Option { kind, data }))
                    }
                    _ => {
                        self.rest = &[];
                        Some(Err(Error::BadOption))
                    }
                }
            }
        }
    }
}

/// Check that an options area walks cleanly.
fn validate_options(options: &[u8]) -> Result<()> {
    for opt in Ipv4OptionIter::new(options) {
        opt?;
    }
    Ok(())
}

/// The raw options of a header, kept inline (no allocation): at most 40
/// bytes, always a multiple of 4 (padding included), always a valid list.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Options {
    bytes: [u8; MAX_OPTIONS_LEN],
    len: u8,
}

impl Ipv4Options {
    /// No options.
    pub const EMPTY: Ipv4Options = Ipv4Options {
        bytes: [0; MAX_OPTIONS_LEN],
        len: 0,
    };

    /// Options from raw bytes, padded with zeros (End of Option List) to a
    /// multiple of 4. [`Error::BadOption`] if the list does not walk cleanly
    /// or is longer than 40 bytes.
    pub fn new(raw: &[u8]) -> Result<Ipv4Options> {
        if raw.len() > MAX_OPTIONS_LEN {
            return Err(Error::BadOption);
        }
        validate_options(raw)?;
        let mut o = Ipv4Options::EMPTY;
        o.bytes[..raw.len()].copy_from_slice(raw);
        o.len = raw.len().next_multiple_of(4) as u8;
        Ok(o)
    }

    /// The bytes as they go on the wire (padding included).
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes[..usize::from(self.len)]
    }

    /// Length on the wire in bytes (a multiple of 4).
    pub const fn len(&self) -> usize {
        self.len as usize
    }

    /// No options.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Walk the options.
    pub fn iter(&self) -> Ipv4OptionIter<'_> {
        Ipv4OptionIter::new(self.as_bytes())
    }
}

impl Default for Ipv4Options {
    fn default() -> Self {
        Ipv4Options::EMPTY
    }
}

impl fmt::Debug for Ipv4Options {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Ipv4Options")
            .field(&self.as_bytes())
            .finish()
    }
}

/// A read/write view of an IPv4 packet.
#[derive(Debug, Clone)]
pub struct Ipv4Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Ipv4Packet<T> {
    /// Wrap a buffer without checking it. Accessors may panic until
    /// [`check_len`](Self::check_len) succeeds; use this only to emit into a
    /// buffer sized by [`Ipv4Repr::buffer_len`] (plus the payload).
    pub const fn new_unchecked(buffer: T) -> Ipv4Packet<T> {
        Ipv4Packet { buffer }
    }

    /// Wrap a buffer and check it (see [`check_len`](Self::check_len)).
    pub fn new_checked(buffer: T) -> Result<Ipv4Packet<T>> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// Check the buffer against the header's own lengths:
    ///
    /// - fewer than 20 bytes: [`Error::Truncated`];
    /// - version not 4: [`Error::BadVersion`];
    /// - IHL below 5: [`Error::BadLength`];
    /// - IHL*4 past the buffer: [`Error::Truncated`];
    /// - Total Length below IHL*4: [`Error::BadLength`];
    /// - Total Length past the buffer: [`Error::Truncated`].
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        let Some(&ver_ihl) = b.get(field::VER_IHL) else {
            return Err(Error::Truncated);
        };
        if b.len() < field::MIN_HEADER_LEN {
            return Err(Error::Truncated);
        }
        if ver_ihl >> 4 != 4 {
            return Err(Error::BadVersion);
        }
        let hl = usize::from(ver_ihl & 0x0f) * 4;
        if hl < field::MIN_HEADER_LEN {
            return Err(Error::BadLength);
        }
        if hl > b.len() {
            return Err(Error::Truncated);
        }
        let total = usize::from(be16(&b[field::LENGTH]));
        if total < hl {
            return Err(Error::BadLength);
        }
        if total > b.len() {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Consume the view and return the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The version field (4 after `check_len`).
    pub fn version(&self) -> u8 {
        self.buffer.as_ref()[field::VER_IHL] >> 4
    }

    /// Header length in bytes (IHL * 4).
    pub fn header_len(&self) -> usize {
        usize::from(self.buffer.as_ref()[field::VER_IHL] & 0x0f) * 4
    }

    /// The whole Type of Service byte.
    pub fn tos(&self) -> u8 {
        self.buffer.as_ref()[field::TOS]
    }

    /// Differentiated Services Code Point (6 bits).
    pub fn dscp(&self) -> u8 {
        self.tos() >> 2
    }

    /// Explicit Congestion Notification (2 bits).
    pub fn ecn(&self) -> u8 {
        self.tos() & 0x03
    }

    /// Total Length: header plus payload in bytes.
    pub fn total_len(&self) -> usize {
        usize::from(be16(&self.buffer.as_ref()[field::LENGTH]))
    }

    /// Identification.
    pub fn ident(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::IDENT])
    }

    fn flg_off(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::FLG_OFF])
    }

    /// The reserved flag (bit 0), which must be zero.
    pub fn reserved_flag(&self) -> bool {
        self.flg_off() & FLAG_RESERVED != 0
    }

    /// Don't Fragment.
    pub fn dont_frag(&self) -> bool {
        self.flg_off() & FLAG_DF != 0
    }

    /// More Fragments.
    pub fn more_frags(&self) -> bool {
        self.flg_off() & FLAG_MF != 0
    }

    /// Fragment offset in bytes (the field times 8).
    pub fn frag_offset(&self) -> u16 {
        (self.flg_off() & OFFSET_MASK) << 3
    }

    /// Whether this is a fragment (MF set or a non-zero offset).
    pub fn is_fragment(&self) -> bool {
        self.flg_off() & (FLAG_MF | OFFSET_MASK) != 0
    }

    /// Time to Live.
    pub fn ttl(&self) -> u8 {
        self.buffer.as_ref()[field::TTL]
    }

    /// The payload's protocol.
    pub fn protocol(&self) -> IpProtocol {
        IpProtocol::from(self.buffer.as_ref()[field::PROTOCOL])
    }

    /// The header checksum field.
    pub fn checksum(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::CHECKSUM])
    }

    /// Source address.
    pub fn src_addr(&self) -> Ipv4Addr {
        let b = &self.buffer.as_ref()[field::SRC_ADDR];
        Ipv4Addr::new(b[0], b[1], b[2], b[3])
    }

    /// Destination address.
    pub fn dst_addr(&self) -> Ipv4Addr {
        let b = &self.buffer.as_ref()[field::DST_ADDR];
        Ipv4Addr::new(b[0], b[1], b[2], b[3])
    }

    /// The header bytes (options included).
    pub fn header(&self) -> &[u8] {
        &self.buffer.as_ref()[..self.header_len()]
    }

    /// The raw options area (IHL*4 - 20 bytes, padding included).
    pub fn options(&self) -> &[u8] {
        &self.buffer.as_ref()[field::OPTIONS_START..self.header_len()]
    }

    /// Walk the options.
    pub fn option_iter(&self) -> Ipv4OptionIter<'_> {
        Ipv4OptionIter::new(self.options())
    }

    /// Whether the header checksum verifies.
    pub fn verify_checksum(&self) -> bool {
        checksum::verify(self.header())
    }

    /// The payload: from the end of the header to Total Length (any bytes
    /// after that, such as Ethernet padding, are not part of it).
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len()..self.total_len()]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Ipv4Packet<T> {
    /// Set version and IHL from a header length in bytes (a multiple of 4
    /// between 20 and 60; other values are truncated to fit the nibble).
    pub fn set_version_and_header_len(&mut self, version: u8, header_len: usize) {
        let ihl = ((header_len / 4) & 0x0f) as u8;
        self.buffer.as_mut()[field::VER_IHL] = (version << 4) | ihl;
    }

    /// Set the Type of Service byte.
    pub fn set_tos(&mut self, tos: u8) {
        self.buffer.as_mut()[field::TOS] = tos;
    }

    /// Set the DSCP, keeping the ECN bits.
    pub fn set_dscp(&mut self, dscp: u8) {
        let ecn = self.ecn();
        self.set_tos(((dscp & 0x3f) << 2) | ecn);
    }

    /// Set the ECN bits, keeping the DSCP.
    pub fn set_ecn(&mut self, ecn: u8) {
        let tos = (self.tos() & !0x03) | (ecn & 0x03);
        self.set_tos(tos);
    }

    /// Set Total Length.
    pub fn set_total_len(&mut self, len: u16) {
        self.buffer.as_mut()[field::LENGTH].copy_from_slice(&len.to_be_bytes());
    }

    /// Set Identification.
    pub fn set_ident(&mut self, ident: u16) {
        self.buffer.as_mut()[field::IDENT].copy_from_slice(&ident.to_be_bytes());
    }

    fn set_flg_off(&mut self, v: u16) {
        self.buffer.as_mut()[field::FLG_OFF].copy_from_slice(&v.to_be_bytes());
    }

    /// Set or clear Don't Fragment.
    pub fn set_dont_frag(&mut self, on: bool) {
        let v = self.flg_off();
        self.set_flg_off(if on { v | FLAG_DF } else { v & !FLAG_DF });
    }

    /// Set or clear More Fragments.
    pub fn set_more_frags(&mut self, on: bool) {
        let v = self.flg_off();
        self.set_flg_off(if on { v | FLAG_MF } else { v & !FLAG_MF });
    }

    /// Set the fragment offset in bytes; the low three bits are dropped
    /// (offsets are in units of 8 bytes).
    pub fn set_frag_offset(&mut self, bytes: u16) {
        let v = (self.flg_off() & !OFFSET_MASK) | ((bytes >> 3) & OFFSET_MASK);
        self.set_flg_off(v);
    }

    /// Set Time to Live (the checksum is not updated).
    pub fn set_ttl(&mut self, ttl: u8) {
        self.buffer.as_mut()[field::TTL] = ttl;
    }

    /// Set the protocol.
    pub fn set_protocol(&mut self, p: IpProtocol) {
        self.buffer.as_mut()[field::PROTOCOL] = u8::from(p);
    }

    /// Set the header checksum field.
    pub fn set_checksum(&mut self, c: u16) {
        self.buffer.as_mut()[field::CHECKSUM].copy_from_slice(&c.to_be_bytes());
    }

    /// Set the source address (the checksum is not updated).
    pub fn set_src_addr(&mut self, a: Ipv4Addr) {
        self.buffer.as_mut()[field::SRC_ADDR].copy_from_slice(&a.octets());
    }

    /// Set the destination address (the checksum is not updated).
    pub fn set_dst_addr(&mut self, a: Ipv4Addr) {
        self.buffer.as_mut()[field::DST_ADDR].copy_from_slice(&a.octets());
    }

    /// Compute and store the header checksum.
    pub fn fill_checksum(&mut self) {
        self.set_checksum(0);
        let c = checksum::checksum(self.header());
        self.set_checksum(c);
    }

    /// The raw options area, mutable.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let hl = self.header_len();
        &mut self.buffer.as_mut()[field::OPTIONS_START..hl]
    }

    /// The payload (up to Total Length), mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let (hl, total) = (self.header_len(), self.total_len());
        &mut self.buffer.as_mut()[hl..total]
    }

    /// Forwarding step: decrement TTL and update the checksum incrementally
    /// (RFC 1624). Returns the new TTL, or `None`, leaving the packet
    /// untouched, when the TTL is 0 or 1 (the packet must not be forwarded;
    /// RFC 1812 §5.3.1 has the router send Time Exceeded instead).
    pub fn decrement_ttl(&mut self) -> Option<u8> {
        let ttl = self.ttl();
        if ttl <= 1 {
            return None;
        }
        let old = be16(&self.buffer.as_ref()[field::TTL_PROTOCOL]);
        self.set_ttl(ttl - 1);
        let new = be16(&self.buffer.as_ref()[field::TTL_PROTOCOL]);
        let c = checksum::update16(self.checksum(), old, new);
        self.set_checksum(c);
        Some(ttl - 1)
    }

    /// NAT: replace the source address, update the header checksum
    /// incrementally, and return the delta for the transport checksum.
    pub fn rewrite_src_addr(&mut self, new: Ipv4Addr) -> ChecksumDelta {
        let d = ChecksumDelta::from_addrs(self.src_addr(), new);
        self.set_src_addr(new);
        let c = d.apply(self.checksum());
        self.set_checksum(c);
        d
    }

    /// NAT: replace the destination address, update the header checksum
    /// incrementally, and return the delta for the transport checksum.
    pub fn rewrite_dst_addr(&mut self, new: Ipv4Addr) -> ChecksumDelta {
        let d = ChecksumDelta::from_addrs(self.dst_addr(), new);
        self.set_dst_addr(new);
        let c = d.apply(self.checksum());
        self.set_checksum(c);
        d
    }
}

/// The owned form of an IPv4 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv4Repr {
    /// Source address.
    pub src_addr: Ipv4Addr,
    /// Destination address.
    pub dst_addr: Ipv4Addr,
    /// The payload's protocol.
    pub protocol: IpProtocol,
    /// Payload length in bytes (Total Length minus the header).
    pub payload_len: usize,
    /// Time to Live.
    pub ttl: u8,
    /// Differentiated Services Code Point (0..=63).
    pub dscp: u8,
    /// Explicit Congestion Notification (0..=3).
    pub ecn: u8,
    /// Identification.
    pub ident: u16,
    /// Don't Fragment.
    pub dont_frag: bool,
    /// More Fragments.
    pub more_frags: bool,
    /// Fragment offset in bytes (a multiple of 8).
    pub frag_offset: u16,
    /// Options, padding included.
    pub options: Ipv4Options,
}

impl Ipv4Repr {
    /// A plain header: no options, not a fragment, DSCP/ECN 0, ident 0.
    pub fn new(
        src_addr: Ipv4Addr,
        dst_addr: Ipv4Addr,
        protocol: IpProtocol,
        payload_len: usize,
        ttl: u8,
    ) -> Ipv4Repr {
        Ipv4Repr {
            src_addr,
            dst_addr,
            protocol,
            payload_len,
            ttl,
            dscp: 0,
            ecn: 0,
            ident: 0,
            dont_frag: false,
            more_frags: false,
            frag_offset: 0,
            options: Ipv4Options::EMPTY,
        }
    }

    /// Parse a checked packet: verifies the header checksum
    /// ([`Error::BadChecksum`]), that the reserved flag is clear
    /// ([`Error::BadFlags`]) and that the options walk
    /// ([`Error::BadOption`]).
    pub fn parse<T: AsRef<[u8]>>(packet: &Ipv4Packet<T>) -> Result<Ipv4Repr> {
        if packet.version() != 4 {
            return Err(Error::BadVersion);
        }
        if !packet.verify_checksum() {
            return Err(Error::BadChecksum);
        }
        if packet.reserved_flag() {
            return Err(Error::BadFlags);
        }
        let raw = packet.options();
        validate_options(raw)?;
        // `raw` is at most 40 bytes and a multiple of 4 (IHL <= 15).
        let mut options = Ipv4Options::EMPTY;
        options.bytes[..raw.len()].copy_from_slice(raw);
        options.len = raw.len() as u8;
        Ok(Ipv4Repr {
            src_addr: packet.src_addr(),
            dst_addr: packet.dst_addr(),
            protocol: packet.protocol(),
            payload_len: packet.total_len() - packet.header_len(),
            ttl: packet.ttl(),
            dscp: packet.dscp(),
            ecn: packet.ecn(),
            ident: packet.ident(),
            dont_frag: packet.dont_frag(),
            more_frags: packet.more_frags(),
            frag_offset: packet.frag_offset(),
            options,
        })
    }

    /// Bytes of header [`emit`](Self::emit) writes (20 plus options).
    pub fn buffer_len(&self) -> usize {
        field::MIN_HEADER_LEN + self.options.len()
    }

    /// Header plus payload: the Total Length emit writes.
    pub fn total_len(&self) -> usize {
        self.buffer_len() + self.payload_len
    }

    /// Write the header (checksum included) at the start of `packet`.
    ///
    /// Errors: [`Error::Truncated`] if the buffer is shorter than
    /// [`buffer_len`](Self::buffer_len); [`Error::BadLength`] if the total
    /// length exceeds 65535; [`Error::Malformed`] for a DSCP above 63, an
    /// ECN above 3 or a fragment offset that is not a multiple of 8. The
    /// payload is the caller's to write (the buffer must then hold
    /// [`total_len`](Self::total_len) bytes).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut Ipv4Packet<T>) -> Result<()> {
        let total = u16::try_from(self.total_len()).map_err(|_| Error::BadLength)?;
        if self.dscp > 0x3f || self.ecn > 0x03 || self.frag_offset % 8 != 0 {
            return Err(Error::Malformed);
        }
        let hl = self.buffer_len();
        if packet.buffer.as_ref().len() < hl {
            return Err(Error::Truncated);
        }
        packet.set_version_and_header_len(4, hl);
        packet.set_tos((self.dscp << 2) | self.ecn);
        packet.set_total_len(total);
        packet.set_ident(self.ident);
        let mut flg_off = self.frag_offset >> 3;
        if self.dont_frag {
            flg_off |= FLAG_DF;
        }
        if self.more_frags {
            flg_off |= FLAG_MF;
        }
        packet.set_flg_off(flg_off);
        packet.set_ttl(self.ttl);
        packet.set_protocol(self.protocol);
        packet.set_src_addr(self.src_addr);
        packet.set_dst_addr(self.dst_addr);
        packet.buffer.as_mut()[field::OPTIONS_START..hl].copy_from_slice(self.options.as_bytes());
        packet.fill_checksum();
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;
    use std::vec::Vec;

    // Captured with tcpdump between two network namespaces (transmit
    // checksum offload off, so every checksum is final). Ethernet stripped.

    /// `ping -c1 10.77.0.2` from 10.77.0.1: DF, TTL 64, ICMP echo request.
    const ECHO_REQUEST: [u8; 84] = [
        0x45, 0x00, 0x00, 0x54, 0xea, 0x5e, 0x40, 0x00, 0x40, 0x01, 0x3b, 0xae, 0x0a, 0x4d, 0x00,
        0x01, 0x0a, 0x4d, 0x00, 0x02, 0x08, 0x00, 0x12, 0x72, 0x36, 0x39, 0x00, 0x01, 0x69, 0x3f,
        0x07, 0x6b, 0x00, 0x00, 0x00, 0x00, 0x73, 0xd6, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
        0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
        0x20, 0x21, 0x22, 0x23, 0x24, 0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e,
        0x2f, 0x30, 0x31, 0x32, 0x33, 0x34, 0x35, 0x36, 0x37,
    ];

    /// `ping -c1 -R 10.77.0.2`: IHL 15, options NOP + Record Route (length
    /// 39, pointer 8, first slot 10.77.0.1).
    const RR_ECHO_REQUEST: [u8; 124] = [
        0x4f, 0x00, 0x00, 0x7c, 0xea, 0x5f, 0x40, 0x00, 0x40, 0x01, 0xff, 0x27, 0x0a, 0x4d, 0x00,
        0x01, 0x0a, 0x4d, 0x00, 0x02, 0x01, 0x07, 0x27, 0x08, 0x0a, 0x4d, 0x00, 0x01, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x08, 0x00, 0xe2, 0x62, 0x36, 0x3a, 0x00, 0x01, 0x69, 0x3f, 0x07, 0x6b, 0x00, 0x00, 0x00,
        0x00, 0xa3, 0xe4, 0x0c, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
        0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x21, 0x22, 0x23, 0x24,
        0x25, 0x26, 0x27, 0x28, 0x29, 0x2a, 0x2b, 0x2c, 0x2d, 0x2e, 0x2f, 0x30, 0x31, 0x32, 0x33,
        0x34, 0x35, 0x36, 0x37,
    ];

    /// The reply: Record Route (pointer 16) then End of Option List.
    const RR_ECHO_REPLY_HEADER: [u8; 60] = [
        0x4f, 0x00, 0x00, 0x7c, 0x36, 0x64, 0x00, 0x00, 0x40, 0x01, 0x22, 0x3b, 0x0a, 0x4d, 0x00,
        0x02, 0x0a, 0x4d, 0x00, 0x01, 0x07, 0x27, 0x10, 0x0a, 0x4d, 0x00, 0x01, 0x0a, 0x4d, 0x00,
        0x02, 0x0a, 0x4d, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    fn a(s: &str) -> Ipv4Addr {
        s.parse().unwrap()
    }

    #[test]
    fn parse_captured_echo_request() {
        let p = Ipv4Packet::new_checked(&ECHO_REQUEST[..]).unwrap();
        assert!(p.verify_checksum());
        assert_eq!(p.header_len(), 20);
        assert_eq!(p.total_len(), 84);
        assert!(p.dont_frag() && !p.more_frags() && !p.is_fragment());
        assert_eq!(p.protocol(), IpProtocol::Icmp);
        assert_eq!(p.payload().len(), 64);
        assert!(p.options().is_empty());
        let r = Ipv4Repr::parse(&p).unwrap();
        assert_eq!(r.src_addr, a("10.77.0.1"));
        assert_eq!(r.dst_addr, a("10.77.0.2"));
        assert_eq!((r.ttl, r.ident, r.dscp, r.ecn), (64, 0xea5e, 0, 0));
        assert_eq!(r.payload_len, 64);
        let mut out = [0u8; 84];
        let mut q = Ipv4Packet::new_unchecked(&mut out[..]);
        r.emit(&mut q).unwrap();
        q.payload_mut().copy_from_slice(p.payload());
        assert_eq!(out, ECHO_REQUEST);
    }

    #[test]
    fn parse_captured_record_route() {
        let p = Ipv4Packet::new_checked(&RR_ECHO_REQUEST[..]).unwrap();
        assert_eq!(p.header_len(), 60);
        let opts: Vec<_> = p.option_iter().map(|o| o.unwrap()).collect();
        assert_eq!(opts.len(), 2);
        assert_eq!(opts[0].kind, OPT_NOP);
        assert_eq!(opts[1].kind, OPT_RECORD_ROUTE);
        assert!(!opts[1].copied());
        assert_eq!(opts[1].data.len(), 37);
        assert_eq!(&opts[1].data[..5], &[8, 10, 77, 0, 1]);
        let r = Ipv4Repr::parse(&p).unwrap();
        assert_eq!(r.options.len(), 40);
        assert_eq!(r.buffer_len(), 60);
        let mut out = [0u8; 124];
        let mut q = Ipv4Packet::new_unchecked(&mut out[..]);
        r.emit(&mut q).unwrap();
        q.payload_mut().copy_from_slice(p.payload());
        assert_eq!(out, RR_ECHO_REQUEST);

        let mut reply = [0u8; 124];
        reply[..60].copy_from_slice(&RR_ECHO_REPLY_HEADER);
        let p = Ipv4Packet::new_checked(&reply[..]).unwrap();
        assert!(p.verify_checksum());
        let opts: Vec<_> = p.option_iter().map(|o| o.unwrap()).collect();
        assert_eq!(opts.len(), 1, "End of Option List ends the walk");
        assert_eq!(opts[0].data[0], 16);
        let r = Ipv4Repr::parse(&p).unwrap();
        assert_eq!(r.options.as_bytes(), &RR_ECHO_REPLY_HEADER[20..]);
    }

    /// The header from RFC 1071-era textbooks also used in checksum.rs.
    #[test]
    fn classic_header_verifies() {
        let mut b = [0u8; 0x73];
        b[..20].copy_from_slice(&[
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ]);
        let p = Ipv4Packet::new_checked(&b[..]).unwrap();
        assert!(p.verify_checksum());
        assert_eq!(p.checksum(), 0xb861);
        assert_eq!(Ipv4Repr::parse(&p).unwrap().protocol, IpProtocol::Udp);
        // Total Length 0x73 but only 20 bytes: truncated.
        assert_eq!(
            Ipv4Packet::new_checked(&b[..20]).unwrap_err(),
            Error::Truncated
        );
    }

    #[test]
    fn length_errors() {
        let mut b = ECHO_REQUEST;
        b[0] = 0x65;
        assert_eq!(
            Ipv4Packet::new_checked(&b[..]).unwrap_err(),
            Error::BadVersion
        );
        b[0] = 0x44; // IHL 4
        assert_eq!(
            Ipv4Packet::new_checked(&b[..]).unwrap_err(),
            Error::BadLength
        );
        b[0] = 0x4f; // IHL 15 = 60 bytes, fits the buffer
        b[2..4].copy_from_slice(&40u16.to_be_bytes()); // Total Length < IHL*4
        assert_eq!(
            Ipv4Packet::new_checked(&b[..]).unwrap_err(),
            Error::BadLength
        );
        b[2..4].copy_from_slice(&85u16.to_be_bytes()); // past the buffer
        assert_eq!(
            Ipv4Packet::new_checked(&b[..]).unwrap_err(),
            Error::Truncated
        );
        // IHL*4 past a short buffer.
        assert_eq!(
            Ipv4Packet::new_checked(&b[..40]).unwrap_err(),
            Error::Truncated
        );
    }

    #[test]
    fn truncated_at_every_length() {
        for n in 0..ECHO_REQUEST.len() {
            assert_eq!(
                Ipv4Packet::new_checked(&ECHO_REQUEST[..n]).unwrap_err(),
                Error::Truncated,
                "length {n}"
            );
        }
        for n in 0..RR_ECHO_REQUEST.len() {
            assert_eq!(
                Ipv4Packet::new_checked(&RR_ECHO_REQUEST[..n]).unwrap_err(),
                Error::Truncated,
                "length {n}"
            );
        }
    }

    #[test]
    fn ethernet_padding_is_not_payload() {
        let mut b = [0u8; 60];
        let r = Ipv4Repr::new(a("10.0.0.1"), a("10.0.0.2"), IpProtocol::Udp, 8, 64);
        r.emit(&mut Ipv4Packet::new_unchecked(&mut b[..])).unwrap();
        let p = Ipv4Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.payload().len(), 8);
        assert_eq!(Ipv4Repr::parse(&p).unwrap(), r);
    }

    #[test]
    fn semantic_errors() {
        let mut b = ECHO_REQUEST;
        b[10] ^= 1;
        let p = Ipv4Packet::new_checked(&b[..]).unwrap();
        assert_eq!(Ipv4Repr::parse(&p), Err(Error::BadChecksum));

        let mut b = ECHO_REQUEST;
        b[6] |= 0x80;
        let mut p = Ipv4Packet::new_checked(&mut b[..]).unwrap();
        p.fill_checksum();
        assert_eq!(Ipv4Repr::parse(&p), Err(Error::BadFlags));
    }

    fn with_options(opts: &[u8]) -> Vec<u8> {
        let hl = 20 + opts.len();
        let mut b = vec![0u8; hl];
        b[0] = 0x40 | (hl / 4) as u8;
        b[2..4].copy_from_slice(&(hl as u16).to_be_bytes());
        b[8] = 1;
        b[20..].copy_from_slice(opts);
        let mut p = Ipv4Packet::new_unchecked(&mut b[..]);
        p.fill_checksum();
        b
    }

    #[test]
    fn option_walk() {
        // Router Alert (RFC 2113): 94 04 00 00.
        let b = with_options(&[0x94, 0x04, 0x00, 0x00]);
        let p = Ipv4Packet::new_checked(&b[..]).unwrap();
        let r = Ipv4Repr::parse(&p).unwrap();
        let o = r.options.iter().next().unwrap().unwrap();
        assert_eq!((o.kind, o.data), (OPT_ROUTER_ALERT, &[0u8, 0][..]));
        assert!(o.copied());
        // NOPs and EOL with junk after it are fine.
        let b = with_options(&[1, 1, 0, 0xee]);
        let p = Ipv4Packet::new_checked(&b[..]).unwrap();
        assert_eq!(p.option_iter().count(), 2);
        assert!(Ipv4Repr::parse(&p).is_ok());
        for bad in [
            &[0x07, 0x00, 0x00, 0x00][..], // length 0
            &[0x07, 0x01, 0x00, 0x00][..], // length 1
            &[0x01, 0x01, 0x01, 0x07][..], // no length byte
            &[0x07, 0x05, 0x00, 0x00][..], // runs past the area
        ] {
            let b = with_options(bad);
            let p = Ipv4Packet::new_checked(&b[..]).unwrap();
            assert_eq!(Ipv4Repr::parse(&p), Err(Error::BadOption), "{bad:?}");
            assert_eq!(p.option_iter().last(), Some(Err(Error::BadOption)));
        }
        assert_eq!(Ipv4Options::new(&[0x07, 0x05]), Err(Error::BadOption));
        assert_eq!(Ipv4Options::new(&[1; 41]), Err(Error::BadOption));
        let o = Ipv4Options::new(&[0x94, 0x04, 0, 0, 1]).unwrap();
        assert_eq!(o.as_bytes(), &[0x94, 0x04, 0, 0, 1, 0, 0, 0]);
    }

    #[test]
    fn fragment_fields() {
        let mut r = Ipv4Repr::new(a("192.0.2.1"), a("192.0.2.2"), IpProtocol::Udp, 16, 3);
        r.more_frags = true;
        r.frag_offset = 1480;
        r.ident = 0x1234;
        r.dscp = 46;
        r.ecn = 2;
        let mut b = [0u8; 36];
        r.emit(&mut Ipv4Packet::new_unchecked(&mut b[..])).unwrap();
        assert_eq!(
            &b[..12],
            &[0x45, 0xba, 0, 36, 0x12, 0x34, 0x20, 185, 3, 17, b[10], b[11]]
        );
        let p = Ipv4Packet::new_checked(&b[..]).unwrap();
        assert!(p.is_fragment());
        assert_eq!(Ipv4Repr::parse(&p).unwrap(), r);

        r.frag_offset = 1481;
        assert_eq!(
            r.emit(&mut Ipv4Packet::new_unchecked(&mut b[..])),
            Err(Error::Malformed)
        );
        r.frag_offset = 0;
        r.dscp = 64;
        assert_eq!(
            r.emit(&mut Ipv4Packet::new_unchecked(&mut b[..])),
            Err(Error::Malformed)
        );
        r.dscp = 0;
        r.payload_len = 65516;
        assert_eq!(
            r.emit(&mut Ipv4Packet::new_unchecked(&mut b[..])),
            Err(Error::BadLength)
        );
        r.payload_len = 0;
        assert_eq!(
            r.emit(&mut Ipv4Packet::new_unchecked(&mut b[..19])),
            Err(Error::Truncated)
        );
    }

    #[test]
    fn setters() {
        let mut b = ECHO_REQUEST;
        let mut p = Ipv4Packet::new_checked(&mut b[..]).unwrap();
        p.set_dscp(10);
        p.set_ecn(3);
        assert_eq!((p.dscp(), p.ecn(), p.tos()), (10, 3, 43));
        p.set_dont_frag(false);
        p.set_more_frags(true);
        p.set_frag_offset(64);
        assert!(!p.dont_frag() && p.more_frags());
        assert_eq!(p.frag_offset(), 64);
        p.set_more_frags(false);
        p.set_dont_frag(true);
        assert_eq!(p.frag_offset(), 64);
        p.fill_checksum();
        assert!(p.verify_checksum());
        p.options_mut(); // empty, must not panic
        assert_eq!(p.payload_mut().len(), 64);
    }

    #[test]
    fn ttl_decrement_is_incremental() {
        let mut b = ECHO_REQUEST;
        let mut p = Ipv4Packet::new_checked(&mut b[..]).unwrap();
        for want in (1..64).rev() {
            assert_eq!(p.decrement_ttl(), Some(want));
            assert!(p.verify_checksum(), "ttl {want}");
            let inc = p.checksum();
            p.fill_checksum();
            assert_eq!(inc, p.checksum());
        }
        assert_eq!(p.ttl(), 1);
        assert_eq!(p.decrement_ttl(), None);
        assert_eq!(p.ttl(), 1);
        p.set_ttl(0);
        assert_eq!(p.decrement_ttl(), None);
    }

    #[test]
    fn nat_rewrite_updates_both_checksums() {
        // A UDP datagram: rewrite the source and check the transport
        // checksum with the returned delta against a full recomputation.
        let mut b = [0u8; 28];
        let r = Ipv4Repr::new(a("10.77.0.1"), a("10.77.0.2"), IpProtocol::Udp, 8, 64);
        r.emit(&mut Ipv4Packet::new_unchecked(&mut b[..])).unwrap();
        b[20..28].copy_from_slice(&[0x9c, 0x40, 0x15, 0xb3, 0x00, 0x08, 0, 0]);
        let l4 = |b: &[u8], s: Ipv4Addr, d: Ipv4Addr| {
            !checksum::fold(
                checksum::pseudo_header_v4(s, d, IpProtocol::Udp, 8) + checksum::sum(&b[20..26]),
            )
        };
        let c = l4(&b, a("10.77.0.1"), a("10.77.0.2"));
        b[26..28].copy_from_slice(&c.to_be_bytes());

        let mut p = Ipv4Packet::new_checked(&mut b[..]).unwrap();
        let d1 = p.rewrite_src_addr(a("203.0.113.9"));
        let d2 = p.rewrite_dst_addr(a("198.51.100.250"));
        assert!(p.verify_checksum());
        let new_l4 = d1.combine(d2).apply(c);
        assert_eq!(
            new_l4,
            l4(&b, a("203.0.113.9"), a("198.51.100.250")),
            "incremental L4 checksum equals recomputation"
        );
        assert_eq!(ChecksumDelta::NONE.apply(c), c);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(
            mut data in proptest::collection::vec(0u8.., 0..100),
            fix in proptest::bool::ANY,
        ) {
            // Steer half the cases towards headers that get past the checks.
            if fix && data.len() >= 20 {
                let hl = 20 + (usize::from(data[0]) % 11) * 4;
                if hl <= data.len() {
                    data[0] = 0x40 | (hl / 4) as u8;
                    let total = hl + (data.len() - hl) / 2;
                    data[2..4].copy_from_slice(&(total as u16).to_be_bytes());
                    data[6] &= 0x7f;
                    let mut p = Ipv4Packet::new_unchecked(&mut data[..]);
                    p.fill_checksum();
                }
            }
            if let Ok(p) = Ipv4Packet::new_checked(&data[..]) {
                let _ = (p.payload(), p.options(), p.option_iter().count(), p.frag_offset());
                if let Ok(r) = Ipv4Repr::parse(&p) {
                    proptest::prop_assert_eq!(r.buffer_len(), p.header_len());
                    let mut out = vec![0u8; r.buffer_len()];
                    r.emit(&mut Ipv4Packet::new_unchecked(&mut out[..])).unwrap();
                    proptest::prop_assert_eq!(&out[..], p.header());
                }
            }
        }

        #[test]
        fn emit_parse_round_trip(
            src in 0u32.., dst in 0u32.., proto in 0u8.., len in 0usize..1500,
            ttl in 0u8.., dscp in 0u8..64, ecn in 0u8..4, ident in 0u16..,
            df in proptest::bool::ANY, mf in proptest::bool::ANY, off in 0u16..8192,
            nops in 0usize..41,
        ) {
            let r = Ipv4Repr {
                src_addr: Ipv4Addr::from(src),
                dst_addr: Ipv4Addr::from(dst),
                protocol: IpProtocol::from(proto),
                payload_len: len,
                ttl, dscp, ecn, ident,
                dont_frag: df,
                more_frags: mf,
                frag_offset: off * 8,
                options: Ipv4Options::new(&[OPT_NOP; 40][..nops]).unwrap(),
            };
            let mut out = vec![0u8; r.total_len()];
            r.emit(&mut Ipv4Packet::new_unchecked(&mut out[..])).unwrap();
            let p = Ipv4Packet::new_checked(&out[..]).unwrap();
            proptest::prop_assert_eq!(Ipv4Repr::parse(&p).unwrap(), r);
        }
    }
}
