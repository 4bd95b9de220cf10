//! IPv4 and IPv6 unicast prefixes (RFC 4271 §4.3, RFC 4760 §5).
//!
//! ```text
//! +---------------------------+
//! |   Length (1 octet, bits)  |
//! +---------------------------+
//! |   Prefix (ceil(Length/8)) |
//! +---------------------------+
//! ```
//!
//! Host bits beyond the prefix length are cleared on construction and on
//! decode, so equal prefixes compare equal and encoding is canonical.

use core::fmt;
use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use super::NlriCodec;
use crate::wire::{DecodeError, Reader, Sink, Writer};

/// An IPv4 prefix with host bits zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv4Prefix {
    addr: Ipv4Addr,
    len: u8,
}

impl Ipv4Prefix {
    /// A prefix of `len` bits (host bits of `addr` are cleared); `None` if
    /// `len > 32`.
    pub fn new(addr: Ipv4Addr, len: u8) -> Option<Ipv4Prefix> {
        if len > 32 {
            return None;
        }
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        Some(Ipv4Prefix {
            addr: Ipv4Addr::from(u32::from(addr) & mask),
            len,
        })
    }

    /// The network address.
    pub fn addr(&self) -> Ipv4Addr {
        self.addr
    }

    /// The prefix length in bits.
    pub fn prefix_len(&self) -> u8 {
        self.len
    }

    /// True for the default route 0.0.0.0/0.
    pub fn is_default(&self) -> bool {
        self.len == 0
    }

    /// Bytes of the encoded prefix (without the length octet).
    fn octets_len(&self) -> usize {
        usize::from(self.len).div_ceil(8)
    }
}

impl fmt::Display for Ipv4Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// An IPv6 prefix with host bits zero.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ipv6Prefix {
    addr: Ipv6Addr,
    len: u8,
}

impl Ipv6Prefix {
    /// A prefix of `len` bits (host bits of `addr` are cleared); `None` if
    /// `len > 128`.
    pub fn new(addr: Ipv6Addr, len: u8) -> Option<Ipv6Prefix> {
        if len > 128 {
            return None;
        }
        let mask = if len == 0 {
            0
        } else {
            u128::MAX << (128 - u32::from(len))
        };
        Some(Ipv6Prefix {
            addr: Ipv6Addr::from(u128::from(addr) & mask),
            len,
        })
    }

    /// The network address.
    pub fn addr(&self) -> Ipv6Addr {
        self.addr
    }

    /// The prefix length in bits.
    pub fn prefix_len(&self) -> u8 {
        self.len
    }

    /// True for the default route ::/0.
    pub fn is_default(&self) -> bool {
        self.len == 0
    }

    fn octets_len(&self) -> usize {
        usize::from(self.len).div_ceil(8)
    }
}

impl fmt::Display for Ipv6Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

/// An IPv4 or IPv6 prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IpPrefix {
    /// IPv4.
    V4(Ipv4Prefix),
    /// IPv6.
    V6(Ipv6Prefix),
}

impl IpPrefix {
    /// The network address.
    pub fn addr(&self) -> IpAddr {
        match self {
            IpPrefix::V4(p) => IpAddr::V4(p.addr()),
            IpPrefix::V6(p) => IpAddr::V6(p.addr()),
        }
    }

    /// The prefix length in bits.
    pub fn prefix_len(&self) -> u8 {
        match self {
            IpPrefix::V4(p) => p.prefix_len(),
            IpPrefix::V6(p) => p.prefix_len(),
        }
    }
}

impl fmt::Display for IpPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IpPrefix::V4(p) => p.fmt(f),
            IpPrefix::V6(p) => p.fmt(f),
        }
    }
}

// ---- wire codec -----------------------------------------------------------

/// Read `bits` worth of prefix bytes (ceil(bits/8)) into a zeroed array of
/// `N` bytes, clearing the host bits of the last byte.
pub(crate) fn read_prefix_bytes<const N: usize>(
    r: &mut Reader<'_>,
    bits: u8,
) -> Result<[u8; N], DecodeError> {
    let n = usize::from(bits).div_ceil(8);
    let mut out = [0u8; N];
    let src = r.bytes(n)?;
    if let Some(dst) = out.get_mut(..n) {
        dst.copy_from_slice(src);
    }
    let spare = (n * 8) - usize::from(bits);
    if spare > 0 {
        if let Some(last) = out.get_mut(n - 1) {
            *last &= 0xffu8 << spare;
        }
    }
    Ok(out)
}

impl Ipv4Prefix {
    /// Read the prefix bytes for a length already read (`len` ≤ 32 checked
    /// here, error at `len_offset`).
    pub(crate) fn decode_body(
        r: &mut Reader<'_>,
        len: u8,
        len_offset: usize,
    ) -> Result<Ipv4Prefix, DecodeError> {
        if len > 32 {
            return Err(Reader::invalid_at(len_offset, "IPv4 prefix length"));
        }
        let b: [u8; 4] = read_prefix_bytes(r, len)?;
        Ok(Ipv4Prefix {
            addr: Ipv4Addr::from(b),
            len,
        })
    }

    /// Write the prefix bytes (without the length octet).
    pub(crate) fn encode_body<S: Sink>(&self, w: &mut Writer<'_, S>) {
        let o = self.addr.octets();
        w.bytes(o.get(..self.octets_len()).unwrap_or(&o));
    }

    /// Bytes of the body.
    pub(crate) fn body_len(&self) -> usize {
        self.octets_len()
    }
}

impl Ipv6Prefix {
    /// See [`Ipv4Prefix::decode_body`].
    pub(crate) fn decode_body(
        r: &mut Reader<'_>,
        len: u8,
        len_offset: usize,
    ) -> Result<Ipv6Prefix, DecodeError> {
        if len > 128 {
            return Err(Reader::invalid_at(len_offset, "IPv6 prefix length"));
        }
        let b: [u8; 16] = read_prefix_bytes(r, len)?;
        Ok(Ipv6Prefix {
            addr: Ipv6Addr::from(b),
            len,
        })
    }

    /// Write the prefix bytes (without the length octet).
    pub(crate) fn encode_body<S: Sink>(&self, w: &mut Writer<'_, S>) {
        let o = self.addr.octets();
        w.bytes(o.get(..self.octets_len()).unwrap_or(&o));
    }

    /// Bytes of the body.
    pub(crate) fn body_len(&self) -> usize {
        self.octets_len()
    }
}

impl NlriCodec for Ipv4Prefix {
    fn decode_nlri(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.offset();
        let len = r.u8()?;
        Ipv4Prefix::decode_body(r, len, at)
    }

    fn nlri_len(&self) -> usize {
        1 + self.octets_len()
    }

    fn encode_nlri<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.u8(self.len);
        self.encode_body(w);
    }
}

impl NlriCodec for Ipv6Prefix {
    fn decode_nlri(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.offset();
        let len = r.u8()?;
        Ipv6Prefix::decode_body(r, len, at)
    }

    fn nlri_len(&self) -> usize {
        1 + self.octets_len()
    }

    fn encode_nlri<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.u8(self.len);
        self.encode_body(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::nlri::{decode_nlri_list, encode_nlri_list, PathNlri};

    #[test]
    fn ipv4_prefix_bytes() {
        let p = Ipv4Prefix::new(Ipv4Addr::new(10, 1, 2, 3), 23).unwrap();
        assert_eq!(p.addr(), Ipv4Addr::new(10, 1, 2, 0));
        let mut v = Vec::new();
        p.encode_nlri(&mut Writer::new(&mut v));
        assert_eq!(v, [23, 10, 1, 2]);
        assert_eq!(p.nlri_len(), v.len());
        // Host bits on the wire are cleared.
        let got = Ipv4Prefix::decode_nlri(&mut Reader::new(&[23, 10, 1, 3])).unwrap();
        assert_eq!(got, p);
        assert!(Ipv4Prefix::decode_nlri(&mut Reader::new(&[33, 1, 1, 1, 1, 1])).is_err());
        assert!(Ipv4Prefix::decode_nlri(&mut Reader::new(&[24, 1, 1])).is_err());
        let d = Ipv4Prefix::new(Ipv4Addr::UNSPECIFIED, 0).unwrap();
        let mut v = Vec::new();
        d.encode_nlri(&mut Writer::new(&mut v));
        assert_eq!(v, [0]);
    }

    #[test]
    fn ipv6_prefix_bytes() {
        let p = Ipv6Prefix::new("2001:db8:ffff::".parse().unwrap(), 33).unwrap();
        let mut v = Vec::new();
        p.encode_nlri(&mut Writer::new(&mut v));
        assert_eq!(v, [33, 0x20, 0x01, 0x0d, 0xb8, 0x80]);
        assert_eq!(Ipv6Prefix::decode_nlri(&mut Reader::new(&v)).unwrap(), p);
        assert!(Ipv6Prefix::decode_nlri(&mut Reader::new(&[129])).is_err());
    }

    #[test]
    fn add_path_list() {
        let a = Ipv4Prefix::new(Ipv4Addr::new(192, 0, 2, 0), 24).unwrap();
        let list = vec![PathNlri::with_path_id(7, a), PathNlri::with_path_id(8, a)];
        let mut v = Vec::new();
        encode_nlri_list(&list, true, &mut Writer::new(&mut v)).unwrap();
        assert_eq!(v, [0, 0, 0, 7, 24, 192, 0, 2, 0, 0, 0, 8, 24, 192, 0, 2]);
        let back: Vec<PathNlri<Ipv4Prefix>> = decode_nlri_list(&mut Reader::new(&v), true).unwrap();
        assert_eq!(back, list);
        // Without ADD-PATH the same bytes are garbage: 0.0.0.0/0 then a bad length.
        assert!(decode_nlri_list::<Ipv4Prefix>(&mut Reader::new(&v), false).is_err());
    }
}
