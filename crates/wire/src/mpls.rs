//! MPLS label stacks (RFC 3032 §2.1; the Exp field is Traffic Class since
//! RFC 5462).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                Label                  | TC  |S|       TTL     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! A stack is a run of these 4-byte entries, top first, ending with the
//! entry whose S (bottom of stack) bit is set; the payload follows.
//! [`MplsPacket::check_len`] walks the stack up to [`MAX_DEPTH`] entries:
//! a stack deeper than that is [`Error::Unsupported`], a buffer ending
//! before the bottom entry [`Error::Truncated`].
//!
//! The payload has no type field: the label tells the receiver what
//! follows (for an L3VPN label, an IP packet whose version nibble decides).
//!
//! [`MplsLabel`] is a 20-bit label value, distinct from
//! [`Vni`](crate::vxlan::Vni).

use core::fmt;

use crate::{be32, Error, Result};

mod field {
    pub const ENTRY_LEN: usize = 4;
}

/// The deepest label stack [`MplsPacket`] walks.
pub const MAX_DEPTH: usize = 8;

const LABEL_SHIFT: u32 = 12;
const TC_SHIFT: u32 = 9;
const S_BIT: u32 = 0x100;

/// A 20-bit MPLS label value.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MplsLabel(u32);

impl MplsLabel {
    /// IPv4 Explicit NULL (RFC 3032).
    pub const IPV4_EXPLICIT_NULL: MplsLabel = MplsLabel(0);
    /// Router Alert (RFC 3032).
    pub const ROUTER_ALERT: MplsLabel = MplsLabel(1);
    /// IPv6 Explicit NULL (RFC 3032).
    pub const IPV6_EXPLICIT_NULL: MplsLabel = MplsLabel(2);
    /// Implicit NULL (RFC 3032): signalled, never sent.
    pub const IMPLICIT_NULL: MplsLabel = MplsLabel(3);
    /// Entropy Label Indicator (RFC 6790).
    pub const ENTROPY_LABEL_INDICATOR: MplsLabel = MplsLabel(7);
    /// Generic Associated Channel Label, GAL (RFC 5586).
    pub const GAL: MplsLabel = MplsLabel(13);
    /// OAM Alert Label (RFC 3429).
    pub const OAM_ALERT: MplsLabel = MplsLabel(14);
    /// Extension Label (RFC 7274).
    pub const EXTENSION: MplsLabel = MplsLabel(15);
    /// The largest label value, 2^20 - 1.
    pub const MAX: MplsLabel = MplsLabel(0x000f_ffff);

    /// A label from its value; [`Error::Malformed`] above 2^20 - 1.
    pub const fn new(v: u32) -> Result<MplsLabel> {
        if v > Self::MAX.0 {
            Err(Error::Malformed)
        } else {
            Ok(MplsLabel(v))
        }
    }

    /// The value.
    pub const fn get(self) -> u32 {
        self.0
    }

    /// Labels 0-15 are special-purpose (RFC 3032 §2.1, RFC 7274).
    pub const fn is_special(self) -> bool {
        self.0 < 16
    }
}

impl TryFrom<u32> for MplsLabel {
    type Error = Error;

    fn try_from(v: u32) -> Result<MplsLabel> {
        MplsLabel::new(v)
    }
}

impl From<MplsLabel> for u32 {
    fn from(l: MplsLabel) -> u32 {
        l.0
    }
}

impl fmt::Display for MplsLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for MplsLabel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MplsLabel({})", self.0)
    }
}

/// A read/write view of an MPLS label stack and the payload after it.
#[derive(Debug, Clone)]
pub struct MplsPacket<T: AsRef<[u8]>> {
    buffer: T,
    /// Entries up to and including the bottom one, found by `check_len`.
    depth: u8,
}

impl<T: AsRef<[u8]>> MplsPacket<T> {
    /// Wrap a buffer without checking it; the view has depth 0 until
    /// [`check_len`](Self::check_len) walks the stack. Use this only to
    /// emit.
    pub const fn new_unchecked(buffer: T) -> MplsPacket<T> {
        MplsPacket { buffer, depth: 0 }
    }

    /// Wrap a buffer and walk its stack (see [`check_len`](Self::check_len)).
    pub fn new_checked(buffer: T) -> Result<MplsPacket<T>> {
        let mut p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// Walk the entries until one has S set: [`Error::Truncated`] if the
    /// buffer ends first, [`Error::Unsupported`] if [`MAX_DEPTH`] entries
    /// pass without one.
    pub fn check_len(&mut self) -> Result<()> {
        let b = self.buffer.as_ref();
        for i in 0..MAX_DEPTH {
            let at = i * field::ENTRY_LEN;
            let Some(e) = b.get(at..at + field::ENTRY_LEN) else {
                return Err(Error::Truncated);
            };
            if be32(e) & S_BIT != 0 {
                self.depth = (i + 1) as u8;
                return Ok(());
            }
        }
        Err(Error::Unsupported)
    }

    /// Consume the view and return the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// Number of entries (1..=[`MAX_DEPTH`] after `check_len`).
    pub fn depth(&self) -> usize {
        usize::from(self.depth)
    }

    /// Bytes of label stack (4 per entry).
    pub fn stack_len(&self) -> usize {
        self.depth() * field::ENTRY_LEN
    }

    /// The `i`-th entry from the top, if the stack has it.
    pub fn entry(&self, i: usize) -> Option<MplsRepr> {
        if i >= self.depth() {
            return None;
        }
        let at = i * field::ENTRY_LEN;
        let e = &self.buffer.as_ref()[at..at + field::ENTRY_LEN];
        Some(MplsRepr::from_bytes([e[0], e[1], e[2], e[3]]))
    }

    /// The top entry, or `None` before `check_len`.
    pub fn top(&self) -> Option<MplsRepr> {
        self.entry(0)
    }

    /// The entries, top first.
    pub fn entries(&self) -> impl Iterator<Item = MplsRepr> + '_ {
        (0..self.depth()).filter_map(move |i| self.entry(i))
    }

    /// The payload after the bottom entry.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.stack_len()..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> MplsPacket<T> {
    /// Overwrite the `i`-th entry; [`Error::Malformed`] if `i` is not in
    /// the walked stack or the entry's TC does not fit 3 bits. The S bit is
    /// written as given: keep it set on the bottom entry only.
    pub fn set_entry(&mut self, i: usize, e: &MplsRepr) -> Result<()> {
        if i >= self.depth() || e.tc > 7 {
            return Err(Error::Malformed);
        }
        let at = i * field::ENTRY_LEN;
        self.buffer.as_mut()[at..at + field::ENTRY_LEN].copy_from_slice(&e.to_bytes());
        Ok(())
    }

    /// Label-switching step on the top entry: decrement its TTL. Returns the
    /// new TTL, or `None` (nothing changed) when it is 0 or 1, or the view
    /// is unchecked.
    pub fn decrement_ttl(&mut self) -> Option<u8> {
        let top = self.top()?;
        if top.ttl <= 1 {
            return None;
        }
        self.buffer.as_mut()[3] = top.ttl - 1;
        Some(top.ttl - 1)
    }

    /// The payload after the bottom entry, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let at = self.stack_len();
        &mut self.buffer.as_mut()[at..]
    }
}

/// One label stack entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct MplsRepr {
    /// The label.
    pub label: MplsLabel,
    /// Traffic Class (3 bits; RFC 5462).
    pub tc: u8,
    /// S: bottom of stack.
    pub bottom: bool,
    /// Time to Live.
    pub ttl: u8,
}

impl MplsRepr {
    /// Decode one entry (every bit pattern is a valid entry).
    pub const fn from_bytes(b: [u8; 4]) -> MplsRepr {
        let v = u32::from_be_bytes(b);
        MplsRepr {
            label: MplsLabel(v >> LABEL_SHIFT),
            tc: ((v >> TC_SHIFT) & 0x7) as u8,
            bottom: v & S_BIT != 0,
            ttl: v as u8,
        }
    }

    /// Encode one entry (TC is masked to 3 bits).
    pub const fn to_bytes(&self) -> [u8; 4] {
        let v = (self.label.0 << LABEL_SHIFT)
            | (((self.tc & 0x7) as u32) << TC_SHIFT)
            | if self.bottom { S_BIT } else { 0 }
            | self.ttl as u32;
        v.to_be_bytes()
    }

    /// Parse the top entry of a checked stack.
    pub fn parse<T: AsRef<[u8]>>(packet: &MplsPacket<T>) -> Result<MplsRepr> {
        packet.top().ok_or(Error::Truncated)
    }

    /// Bytes [`emit`](Self::emit) writes: 4.
    pub const fn buffer_len(&self) -> usize {
        field::ENTRY_LEN
    }

    /// Write this entry at the top of `packet`'s buffer.
    /// [`Error::Truncated`] if it is shorter than 4 bytes,
    /// [`Error::Malformed`] if TC does not fit 3 bits.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut MplsPacket<T>) -> Result<()> {
        if self.tc > 7 {
            return Err(Error::Malformed);
        }
        let Some(b) = packet.buffer.as_mut().get_mut(..field::ENTRY_LEN) else {
            return Err(Error::Truncated);
        };
        b.copy_from_slice(&self.to_bytes());
        if packet.depth == 0 && self.bottom {
            packet.depth = 1;
        }
        Ok(())
    }

    /// Write a whole stack, top first, into `out` and return its length.
    /// The S bit is set on the last entry and cleared on the others,
    /// whatever their `bottom` says. [`Error::Malformed`] for an empty stack
    /// or a TC above 7, [`Error::Unsupported`] for more than [`MAX_DEPTH`]
    /// entries, [`Error::Truncated`] if `out` is too short.
    pub fn emit_stack(entries: &[MplsRepr], out: &mut [u8]) -> Result<usize> {
        if entries.is_empty() || entries.iter().any(|e| e.tc > 7) {
            return Err(Error::Malformed);
        }
        if entries.len() > MAX_DEPTH {
            return Err(Error::Unsupported);
        }
        let len = entries.len() * field::ENTRY_LEN;
        let Some(out) = out.get_mut(..len) else {
            return Err(Error::Truncated);
        };
        let last = entries.len() - 1;
        for (i, (e, slot)) in entries
            .iter()
            .zip(out.chunks_exact_mut(field::ENTRY_LEN))
            .enumerate()
        {
            let e = MplsRepr {
                bottom: i == last,
                ..*e
            };
            slot.copy_from_slice(&e.to_bytes());
        }
        Ok(len)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;
    use std::vec::Vec;

    // No captured MPLS: this machine's kernel has no MPLS. Entries are
    // computed from the RFC 3032 layout by hand:
    //   label 16:     16 << 12 = 0x00010000, S=0, TTL 64  -> 00 01 00 40
    //   label 100000: 0x186a0 << 12 = 0x186a0000, S=1, TTL 64 -> 18 6a 01 40
    /// An L3VPN packet: transport label 16, VPN label 100000, then IPv4.
    const L3VPN: [u8; 10] = [0x00, 0x01, 0x00, 0x40, 0x18, 0x6a, 0x01, 0x40, 0x45, 0x00];
    /// IPv4 Explicit NULL with TC 5, S, TTL 1: 0xa00 | 0x100 | 1.
    const EXPLICIT_NULL: [u8; 4] = [0x00, 0x00, 0x0b, 0x01];

    fn e(label: u32, tc: u8, bottom: bool, ttl: u8) -> MplsRepr {
        MplsRepr {
            label: MplsLabel::new(label).unwrap(),
            tc,
            bottom,
            ttl,
        }
    }

    #[test]
    fn parse_two_label_stack() {
        let p = MplsPacket::new_checked(&L3VPN[..]).unwrap();
        assert_eq!(p.depth(), 2);
        assert_eq!(p.stack_len(), 8);
        assert_eq!(p.top(), Some(e(16, 0, false, 64)));
        assert_eq!(p.entry(1), Some(e(100_000, 0, true, 64)));
        assert_eq!(p.entry(2), None);
        assert_eq!(p.payload(), &[0x45, 0x00]);
        assert_eq!(MplsRepr::parse(&p).unwrap().label.get(), 16);
        let all: Vec<_> = p.entries().collect();
        let mut out = [0u8; 8];
        assert_eq!(MplsRepr::emit_stack(&all, &mut out), Ok(8));
        assert_eq!(out, L3VPN[..8]);
    }

    #[test]
    fn explicit_null_entry() {
        let p = MplsPacket::new_checked(&EXPLICIT_NULL[..]).unwrap();
        let r = MplsRepr::parse(&p).unwrap();
        assert_eq!(r, e(0, 5, true, 1));
        assert_eq!(r.label, MplsLabel::IPV4_EXPLICIT_NULL);
        assert!(r.label.is_special());
        assert!(p.payload().is_empty());
        let mut out = [0u8; 4];
        let mut q = MplsPacket::new_unchecked(&mut out[..]);
        r.emit(&mut q).unwrap();
        assert_eq!(q.depth(), 1);
        assert_eq!(out, EXPLICIT_NULL);
    }

    #[test]
    fn special_labels() {
        let specials = [
            (MplsLabel::IPV4_EXPLICIT_NULL, 0),
            (MplsLabel::ROUTER_ALERT, 1),
            (MplsLabel::IPV6_EXPLICIT_NULL, 2),
            (MplsLabel::IMPLICIT_NULL, 3),
            (MplsLabel::ENTROPY_LABEL_INDICATOR, 7),
            (MplsLabel::GAL, 13),
            (MplsLabel::OAM_ALERT, 14),
            (MplsLabel::EXTENSION, 15),
        ];
        for (l, v) in specials {
            assert_eq!(l.get(), v);
            assert!(l.is_special());
        }
        assert!(!MplsLabel::new(16).unwrap().is_special());
        assert_eq!(MplsLabel::new(0x10_0000), Err(Error::Malformed));
        assert_eq!(MplsLabel::try_from(0xf_ffff), Ok(MplsLabel::MAX));
    }

    #[test]
    fn depth_limit_and_truncation() {
        // Eight entries with S on the last: fine. Nine: unsupported.
        let mut b = [0u8; 9 * 4 + 2];
        b[7 * 4 + 2] = 0x01;
        let p = MplsPacket::new_checked(&b[..]).unwrap();
        assert_eq!(p.depth(), MAX_DEPTH);
        b[7 * 4 + 2] = 0x00;
        b[8 * 4 + 2] = 0x01;
        assert_eq!(
            MplsPacket::new_checked(&b[..]).unwrap_err(),
            Error::Unsupported
        );
        for n in 0..8 {
            assert_eq!(
                MplsPacket::new_checked(&L3VPN[..n]).unwrap_err(),
                Error::Truncated,
                "length {n}"
            );
        }
        let stack = [e(1, 0, false, 1); 9];
        let mut out = [0u8; 64];
        assert_eq!(
            MplsRepr::emit_stack(&stack, &mut out),
            Err(Error::Unsupported)
        );
        assert_eq!(MplsRepr::emit_stack(&[], &mut out), Err(Error::Malformed));
        assert_eq!(
            MplsRepr::emit_stack(&stack[..2], &mut out[..7]),
            Err(Error::Truncated)
        );
        assert_eq!(
            MplsRepr::emit_stack(&[e(1, 8, true, 1)], &mut out),
            Err(Error::Malformed)
        );
    }

    #[test]
    fn emit_stack_fixes_s_bits() {
        let mut out = [0u8; 12];
        let n = MplsRepr::emit_stack(
            &[e(16, 0, true, 64), e(17, 1, true, 64), e(18, 2, false, 64)],
            &mut out,
        )
        .unwrap();
        let p = MplsPacket::new_checked(&out[..n]).unwrap();
        assert_eq!(p.depth(), 3);
        let bottoms: Vec<_> = p.entries().map(|x| x.bottom).collect();
        assert_eq!(bottoms, [false, false, true]);
    }

    #[test]
    fn setters_and_ttl() {
        let mut b = L3VPN;
        let mut p = MplsPacket::new_checked(&mut b[..]).unwrap();
        assert_eq!(p.decrement_ttl(), Some(63));
        p.set_entry(0, &e(2000, 3, false, 10)).unwrap();
        assert_eq!(p.set_entry(2, &e(1, 0, true, 1)), Err(Error::Malformed));
        assert_eq!(p.set_entry(0, &e(1, 9, false, 1)), Err(Error::Malformed));
        p.payload_mut()[0] = 0x60;
        assert_eq!(p.top(), Some(e(2000, 3, false, 10)));
        p.set_entry(0, &e(2000, 3, false, 1)).unwrap();
        assert_eq!(p.decrement_ttl(), None);
        assert_eq!(b[8], 0x60);
        // An unchecked view has no stack to work on.
        let mut q = MplsPacket::new_unchecked(&mut b[..]);
        assert_eq!(q.decrement_ttl(), None);
        assert_eq!(MplsRepr::parse(&q), Err(Error::Truncated));
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(0u8.., 0..48)) {
            if let Ok(p) = MplsPacket::new_checked(&data[..]) {
                let _ = p.payload();
                let entries: Vec<_> = p.entries().collect();
                proptest::prop_assert_eq!(entries.len(), p.depth());
                proptest::prop_assert!(entries.last().unwrap().bottom);
                proptest::prop_assert!(entries[..entries.len() - 1].iter().all(|x| !x.bottom));
                let mut out = vec![0u8; p.stack_len()];
                let n = MplsRepr::emit_stack(&entries, &mut out).unwrap();
                proptest::prop_assert_eq!(&out[..n], &data[..p.stack_len()]);
                let top = MplsRepr::parse(&p).unwrap();
                let mut one = [0u8; 4];
                top.emit(&mut MplsPacket::new_unchecked(&mut one[..])).unwrap();
                proptest::prop_assert_eq!(&one[..], &data[..4]);
            }
        }

        #[test]
        fn entry_round_trip(label in 0u32..=0xf_ffff, tc in 0u8..8, s in proptest::bool::ANY, ttl in 0u8..) {
            let r = e(label, tc, s, ttl);
            proptest::prop_assert_eq!(MplsRepr::from_bytes(r.to_bytes()), r);
        }
    }
}
