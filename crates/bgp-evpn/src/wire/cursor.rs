//! Bounds-checked [`Reader`] and back-patching [`Writer`].

use core::net::{Ipv4Addr, Ipv6Addr};

/// Why bytes could not be decoded, and where.
///
/// `offset` is the absolute position (from the start of the buffer the
/// outermost [`Reader`] was built over) of the first byte that could not be
/// accepted. Higher layers map this to the NOTIFICATION or RFC 7606 action that
/// fits the context (see `crate::error`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum DecodeError {
    /// The input ended `needed` bytes too early.
    #[error("truncated at byte {offset}: {needed} more byte(s) needed")]
    Truncated {
        /// Absolute offset of the read that failed.
        offset: usize,
        /// How many bytes were missing.
        needed: usize,
    },
    /// A field has a value the protocol forbids.
    #[error("invalid {what} at byte {offset}")]
    Invalid {
        /// Absolute offset of the field.
        offset: usize,
        /// What was wrong (a static description, no allocation).
        what: &'static str,
    },
    /// Bytes were left over where a length field said the item ends.
    #[error("{remaining} unexpected trailing byte(s) at byte {offset}")]
    Trailing {
        /// Absolute offset of the first left-over byte.
        offset: usize,
        /// How many bytes were left over.
        remaining: usize,
    },
}

impl DecodeError {
    /// The absolute byte offset the error refers to.
    pub fn offset(&self) -> usize {
        match *self {
            DecodeError::Truncated { offset, .. }
            | DecodeError::Invalid { offset, .. }
            | DecodeError::Trailing { offset, .. } => offset,
        }
    }
}

/// Why a value could not be encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum EncodeError {
    /// A length does not fit its field (e.g. an UPDATE longer than the
    /// negotiated maximum message size, or an attribute over 65535 bytes).
    #[error("{what}: length {len} exceeds the maximum {max}")]
    TooLong {
        /// Which length field overflowed.
        what: &'static str,
        /// The length that was needed.
        len: usize,
        /// The largest value the field (or the session) allows.
        max: usize,
    },
    /// The value cannot be expressed in this session's encoding (e.g. an IPv4
    /// NLRI with an IPv6 next hop when RFC 8950 was not negotiated).
    #[error("cannot encode {0} in this session")]
    NotNegotiated(&'static str),
}

/// A bounds-checked cursor over input bytes.
///
/// Every read either returns the value and advances, or returns a
/// [`DecodeError`] carrying the absolute offset; it never panics.
#[derive(Debug, Clone)]
pub struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
    base: usize,
}

impl<'a> Reader<'a> {
    /// A reader over `buf`, whose first byte is at absolute offset 0.
    pub fn new(buf: &'a [u8]) -> Reader<'a> {
        Reader::with_base(buf, 0)
    }

    /// A reader over `buf`, whose first byte is at absolute offset `base`
    /// (so errors inside a message body report positions in the message).
    pub fn with_base(buf: &'a [u8], base: usize) -> Reader<'a> {
        Reader { buf, pos: 0, base }
    }

    /// Absolute offset of the next byte to read.
    pub fn offset(&self) -> usize {
        self.base + self.pos
    }

    /// Bytes left to read.
    pub fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// True when every byte has been read.
    pub fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// An [`DecodeError::Invalid`] at the current offset.
    pub fn invalid(&self, what: &'static str) -> DecodeError {
        DecodeError::Invalid {
            offset: self.offset(),
            what,
        }
    }

    /// An [`DecodeError::Invalid`] at `offset` (an offset saved earlier).
    pub fn invalid_at(offset: usize, what: &'static str) -> DecodeError {
        DecodeError::Invalid { offset, what }
    }

    /// Take the next `n` bytes.
    pub fn bytes(&mut self, n: usize) -> Result<&'a [u8], DecodeError> {
        let rest = self.buf.get(self.pos..).unwrap_or(&[]);
        match rest.get(..n) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(DecodeError::Truncated {
                offset: self.offset(),
                needed: n - rest.len(),
            }),
        }
    }

    /// Take the next `N` bytes as an array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], DecodeError> {
        let s = self.bytes(N)?;
        let mut out = [0u8; N];
        out.copy_from_slice(s);
        Ok(out)
    }

    /// Look at the next byte without consuming it.
    pub fn peek_u8(&self) -> Result<u8, DecodeError> {
        self.buf
            .get(self.pos)
            .copied()
            .ok_or(DecodeError::Truncated {
                offset: self.offset(),
                needed: 1,
            })
    }

    /// One byte.
    pub fn u8(&mut self) -> Result<u8, DecodeError> {
        let [b] = self.array::<1>()?;
        Ok(b)
    }

    /// A big-endian `u16`.
    pub fn u16(&mut self) -> Result<u16, DecodeError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// A big-endian 24-bit value.
    pub fn u24(&mut self) -> Result<u32, DecodeError> {
        let [a, b, c] = self.array()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    /// A big-endian `u32`.
    pub fn u32(&mut self) -> Result<u32, DecodeError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// An IPv4 address (4 bytes).
    pub fn ipv4(&mut self) -> Result<Ipv4Addr, DecodeError> {
        Ok(Ipv4Addr::from(self.array::<4>()?))
    }

    /// An IPv6 address (16 bytes).
    pub fn ipv6(&mut self) -> Result<Ipv6Addr, DecodeError> {
        Ok(Ipv6Addr::from(self.array::<16>()?))
    }

    /// Split off the next `n` bytes as their own reader (offsets stay
    /// absolute) and advance past them.
    pub fn sub(&mut self, n: usize) -> Result<Reader<'a>, DecodeError> {
        let base = self.offset();
        let s = self.bytes(n)?;
        Ok(Reader::with_base(s, base))
    }

    /// Take everything that is left.
    pub fn rest(&mut self) -> &'a [u8] {
        let s = self.buf.get(self.pos..).unwrap_or(&[]);
        self.pos = self.buf.len();
        s
    }

    /// Succeed only if every byte was consumed.
    pub fn finish(&self) -> Result<(), DecodeError> {
        if self.is_empty() {
            Ok(())
        } else {
            Err(DecodeError::Trailing {
                offset: self.offset(),
                remaining: self.remaining(),
            })
        }
    }
}

/// Where encoded bytes go: `Vec<u8>` or `bytes::BytesMut`.
pub trait Sink {
    /// Append bytes.
    fn put(&mut self, bytes: &[u8]);
    /// Bytes written so far.
    fn written(&self) -> usize;
    /// Overwrite `bytes.len()` bytes at `at` (which were written before).
    fn overwrite(&mut self, at: usize, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn written(&self) -> usize {
        self.len()
    }
    fn overwrite(&mut self, at: usize, bytes: &[u8]) {
        if let Some(dst) = self.get_mut(at..at + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
    }
}

impl Sink for bytes::BytesMut {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn written(&self) -> usize {
        self.len()
    }
    fn overwrite(&mut self, at: usize, bytes: &[u8]) {
        if let Some(dst) = self.get_mut(at..at + bytes.len()) {
            dst.copy_from_slice(bytes);
        }
    }
}

/// Width of a reserved length field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LenWidth {
    /// One octet (max 255).
    One,
    /// Two octets (max 65535).
    Two,
}

/// A reserved length field, returned by [`Writer::reserve`] and consumed by
/// [`Writer::patch`].
#[derive(Debug)]
#[must_use = "a reserved length must be patched"]
pub struct LenMark {
    at: usize,
    width: LenWidth,
    what: &'static str,
}

/// Appends big-endian fields to a [`Sink`] and back-patches length fields.
#[derive(Debug)]
pub struct Writer<'a, S: Sink> {
    out: &'a mut S,
    start: usize,
}

impl<'a, S: Sink> Writer<'a, S> {
    /// A writer appending to `out` (existing contents are kept).
    pub fn new(out: &'a mut S) -> Writer<'a, S> {
        let start = out.written();
        Writer { out, start }
    }

    /// Bytes written through this writer.
    pub fn written(&self) -> usize {
        self.out.written() - self.start
    }

    /// Append bytes.
    pub fn bytes(&mut self, b: &[u8]) {
        self.out.put(b);
    }

    /// Append one byte.
    pub fn u8(&mut self, v: u8) {
        self.out.put(&[v]);
    }

    /// Append a big-endian `u16`.
    pub fn u16(&mut self, v: u16) {
        self.out.put(&v.to_be_bytes());
    }

    /// Append the low 24 bits of `v`, big-endian.
    pub fn u24(&mut self, v: u32) {
        let b = v.to_be_bytes();
        self.out.put(&[b[1], b[2], b[3]]);
    }

    /// Append a big-endian `u32`.
    pub fn u32(&mut self, v: u32) {
        self.out.put(&v.to_be_bytes());
    }

    /// Append an IPv4 address.
    pub fn ipv4(&mut self, a: Ipv4Addr) {
        self.out.put(&a.octets());
    }

    /// Append an IPv6 address.
    pub fn ipv6(&mut self, a: Ipv6Addr) {
        self.out.put(&a.octets());
    }

    /// Reserve a length field of `width`, to be filled by [`Writer::patch`]
    /// with the number of bytes written after it. `what` names the field in
    /// the overflow error.
    pub fn reserve(&mut self, width: LenWidth, what: &'static str) -> LenMark {
        let at = self.out.written();
        match width {
            LenWidth::One => self.out.put(&[0]),
            LenWidth::Two => self.out.put(&[0, 0]),
        }
        LenMark { at, width, what }
    }

    /// Fill a reserved length field with the number of bytes written since,
    /// plus `extra` (for lengths that count their own header, like the BGP
    /// message length). Fails when the value does not fit the field.
    pub fn patch_with(&mut self, mark: LenMark, extra: usize) -> Result<usize, EncodeError> {
        let (w, max) = match mark.width {
            LenWidth::One => (1, usize::from(u8::MAX)),
            LenWidth::Two => (2, usize::from(u16::MAX)),
        };
        let len = self.out.written() - mark.at - w + extra;
        if len > max {
            return Err(EncodeError::TooLong {
                what: mark.what,
                len,
                max,
            });
        }
        match mark.width {
            LenWidth::One => self.out.overwrite(mark.at, &[len as u8]),
            LenWidth::Two => self.out.overwrite(mark.at, &(len as u16).to_be_bytes()),
        }
        Ok(len)
    }

    /// [`Writer::patch_with`] with no extra.
    pub fn patch(&mut self, mark: LenMark) -> Result<usize, EncodeError> {
        self.patch_with(mark, 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_bounds_checked_with_offsets() {
        let data = [1u8, 2, 3, 4, 5];
        let mut r = Reader::with_base(&data, 10);
        assert_eq!(r.u8().unwrap(), 1);
        assert_eq!(r.u16().unwrap(), 0x0203);
        assert_eq!(r.offset(), 13);
        assert_eq!(
            r.u32(),
            Err(DecodeError::Truncated {
                offset: 13,
                needed: 2
            })
        );
        // A failed read does not advance.
        assert_eq!(r.offset(), 13);
        let mut s = r.sub(1).unwrap();
        assert_eq!(s.offset(), 13);
        assert_eq!(s.u8().unwrap(), 4);
        assert!(s.finish().is_ok());
        assert_eq!(
            r.finish(),
            Err(DecodeError::Trailing {
                offset: 14,
                remaining: 1
            })
        );
        assert_eq!(r.rest(), &[5]);
        assert!(r.is_empty());
        assert!(r.sub(1).is_err());
        assert!(r.peek_u8().is_err());
    }

    #[test]
    fn reserved_lengths_are_back_patched() {
        let mut v = vec![0xaa];
        let mut w = Writer::new(&mut v);
        let m = w.reserve(LenWidth::Two, "test");
        w.u24(0x010203);
        let inner = w.reserve(LenWidth::One, "inner");
        w.bytes(&[9, 9]);
        assert_eq!(w.patch(inner).unwrap(), 2);
        assert_eq!(w.patch_with(m, 1).unwrap(), 7);
        assert_eq!(w.written(), 8);
        assert_eq!(v, [0xaa, 0, 7, 1, 2, 3, 2, 9, 9]);
    }

    #[test]
    fn overflowing_length_is_an_error() {
        let mut v = Vec::new();
        let mut w = Writer::new(&mut v);
        let m = w.reserve(LenWidth::One, "short");
        w.bytes(&[0; 256]);
        assert_eq!(
            w.patch(m),
            Err(EncodeError::TooLong {
                what: "short",
                len: 256,
                max: 255
            })
        );
    }

    #[test]
    fn writes_into_bytes_mut() {
        let mut b = bytes::BytesMut::new();
        let mut w = Writer::new(&mut b);
        let m = w.reserve(LenWidth::One, "x");
        w.ipv4(Ipv4Addr::new(10, 0, 0, 1));
        w.patch(m).unwrap();
        assert_eq!(&b[..], &[4, 10, 0, 0, 1]);
    }
}
