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
pub type Ipv4Prefix = Prefix<Ipv4Addr>;

/// An IPv6 prefix with host bits zero.
pub type Ipv6Prefix = Prefix<Ipv6Addr>;

/// A prefix of an address family `A` ([`Ipv4Addr`] or [`Ipv6Addr`]) with
/// host bits zero; used as [`Ipv4Prefix`] and [`Ipv6Prefix`].
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefix<A> {
    addr: A,
    len: u8,
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for core::net::Ipv4Addr {}
    impl Sealed for core::net::Ipv6Addr {}
}

/// The address types a [`Prefix`] is made of: [`Ipv4Addr`] and
/// [`Ipv6Addr`] (sealed).
pub trait PrefixAddr: sealed::Sealed + Copy + fmt::Debug + fmt::Display {
    /// Width of the address in bits (32 or 128).
    const BITS: u8;
    /// The octets of the address in network order.
    type Octets: AsRef<[u8]>;
    /// Name of the prefix type in `Debug` output.
    #[doc(hidden)]
    const TYPE_NAME: &'static str;
    /// What a decode error for a too long prefix length names.
    #[doc(hidden)]
    const LEN_FIELD: &'static str;
    /// The address with all bits after the first `len` cleared
    /// (`len` ≤ [`Self::BITS`]).
    #[doc(hidden)]
    fn masked(self, len: u8) -> Self;
    /// The address of the prefix bytes of a `len`-bit prefix.
    #[doc(hidden)]
    fn read_prefix(r: &mut Reader<'_>, len: u8) -> Result<Self, DecodeError>;
    /// The address octets.
    #[doc(hidden)]
    fn to_octets(self) -> Self::Octets;
}

impl PrefixAddr for Ipv4Addr {
    const BITS: u8 = 32;
    type Octets = [u8; 4];
    const TYPE_NAME: &'static str = "Ipv4Prefix";
    const LEN_FIELD: &'static str = "IPv4 prefix length";

    fn masked(self, len: u8) -> Ipv4Addr {
        let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
        Ipv4Addr::from(u32::from(self) & mask)
    }

    fn read_prefix(r: &mut Reader<'_>, len: u8) -> Result<Ipv4Addr, DecodeError> {
        let b: [u8; 4] = read_prefix_bytes(r, len)?;
        Ok(Ipv4Addr::from(b))
    }

    fn to_octets(self) -> [u8; 4] {
        self.octets()
    }
}

impl PrefixAddr for Ipv6Addr {
    const BITS: u8 = 128;
    type Octets = [u8; 16];
    const TYPE_NAME: &'static str = "Ipv6Prefix";
    const LEN_FIELD: &'static str = "IPv6 prefix length";

    fn masked(self, len: u8) -> Ipv6Addr {
        let mask = if len == 0 {
            0
        } else {
            u128::MAX << (128 - u32::from(len))
        };
        Ipv6Addr::from(u128::from(self) & mask)
    }

    fn read_prefix(r: &mut Reader<'_>, len: u8) -> Result<Ipv6Addr, DecodeError> {
        let b: [u8; 16] = read_prefix_bytes(r, len)?;
        Ok(Ipv6Addr::from(b))
    }

    fn to_octets(self) -> [u8; 16] {
        self.octets()
    }
}

impl<A: PrefixAddr> Prefix<A> {
    /// A prefix of `len` bits (host bits of `addr` are cleared); `None` if
    /// `len` is longer than the address (32 bits for IPv4, 128 for IPv6).
    pub fn new(addr: A, len: u8) -> Option<Prefix<A>> {
        if len > A::BITS {
            return None;
        }
        Some(Prefix {
            addr: addr.masked(len),
            len,
        })
    }

    /// The network address.
    pub fn addr(&self) -> A {
        self.addr
    }

    /// The prefix length in bits.
    pub fn prefix_len(&self) -> u8 {
        self.len
    }

    /// True for the default route (0.0.0.0/0 or ::/0).
    pub fn is_default(&self) -> bool {
        self.len == 0
    }

    /// Bytes of the encoded prefix (without the length octet).
    fn octets_len(&self) -> usize {
        usize::from(self.len).div_ceil(8)
    }
}

impl<A: PrefixAddr> fmt::Debug for Prefix<A> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct(A::TYPE_NAME)
            .field("addr", &self.addr)
            .field("len", &self.len)
            .finish()
    }
}

impl<A: PrefixAddr> fmt::Display for Prefix<A> {
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

impl<A: PrefixAddr> Prefix<A> {
    /// Read the prefix bytes for a length already read (`len` no longer
    /// than the address checked here, error at `len_offset`).
    pub(crate) fn decode_body(
        r: &mut Reader<'_>,
        len: u8,
        len_offset: usize,
    ) -> Result<Prefix<A>, DecodeError> {
        if len > A::BITS {
            return Err(Reader::invalid_at(len_offset, A::LEN_FIELD));
        }
        let addr = A::read_prefix(r, len)?;
        Ok(Prefix { addr, len })
    }

    /// Write the prefix bytes (without the length octet).
    pub(crate) fn encode_body<S: Sink>(&self, w: &mut Writer<'_, S>) {
        let o = self.addr.to_octets();
        let o = o.as_ref();
        w.bytes(o.get(..self.octets_len()).unwrap_or(o));
    }

    /// Bytes of the body.
    pub(crate) fn body_len(&self) -> usize {
        self.octets_len()
    }
}

impl<A: PrefixAddr> NlriCodec for Prefix<A> {
    fn decode_nlri(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let at = r.offset();
        let len = r.u8()?;
        Prefix::decode_body(r, len, at)
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
        assert!(Ipv6Prefix::new(Ipv6Addr::UNSPECIFIED, 129).is_none());
        assert!(Ipv4Prefix::new(Ipv4Addr::UNSPECIFIED, 33).is_none());
    }

    #[test]
    fn debug_names_the_family() {
        let p = Ipv4Prefix::new(Ipv4Addr::new(10, 0, 0, 0), 8).unwrap();
        assert_eq!(format!("{p:?}"), "Ipv4Prefix { addr: 10.0.0.0, len: 8 }");
        let p = Ipv6Prefix::new(Ipv6Addr::LOCALHOST, 128).unwrap();
        assert_eq!(format!("{p:?}"), "Ipv6Prefix { addr: ::1, len: 128 }");
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
