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

/// Captured (Linux, veth between two namespaces): an ICMPv6 echo request
/// 2001:db8::a -> 2001:db8::b, the IPv6 packet after the Ethernet header;
/// the kernel computed the checksum 0xd136.
pub(crate) const ECHO_REQUEST_V6: &str = concat!(
    "600da38200403a4020010db800000000000000000000000a20010db800000000000000000000000b",
    "8000d1362ff500011a3f076b000000003a540800000000001011121314151617",
    "18191a1b1c1d1e1f202122232425262728292a2b2c2d2e2f3031323334353637"
);

/// Captured: an MLDv2 report from :: to ff02::16 with a Hop-by-Hop header
/// carrying Router Alert (RFC 2711) and PadN (an ICMPv6 type the crate does
/// not model).
pub(crate) const MLD_HBH: &str = concat!(
    "600000000024000100000000000000000000000000000000ff020000000000000000000000000016",
    "3a000502000001008f006f800000000104000000ff0200000000000000000001ff00000a"
);
