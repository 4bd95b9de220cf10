//! Helpers the unit tests of several header modules share.

use core::net::Ipv6Addr;
use std::vec::Vec;

/// Bytes from a hex string; white space between the digits is ignored.
pub(crate) fn hex(s: &str) -> Vec<u8> {
    let s: Vec<u8> = s.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    s.chunks(2)
        .map(|c| u8::from_str_radix(core::str::from_utf8(c).unwrap(), 16).unwrap())
        .collect()
}

/// An IPv6 address from its text form.
pub(crate) fn a(s: &str) -> Ipv6Addr {
    s.parse().unwrap()
}
