//! Shared by the `bgp_*` fuzz targets (included with `#[path]`, not a
//! target itself).
//!
//! Input layout of the targets that need a codec context: the first byte
//! selects it (see [`ctx`]), the rest is the bytes under test. The seeds in
//! `fuzz/seeds/bgp_*/` are cut from the golden captures of GoBGP and FRR
//! (`crates/bgp-evpn/tests/fixtures/`) by `crates/bgp-evpn/tests/golden.rs`.

#![allow(dead_code)]

use vtepd_bgp_evpn::wire::{AddPathDirection, CodecContext, PeerKind, Sink, Writer};
use vtepd_bgp_evpn::{AddressFamily, Afi};

/// The codec context selected by `b`:
/// bit 0: 4-octet AS; bit 1: ADD-PATH both ways for IPv4, IPv6, EVPN and
/// VPNv4/v6; bit 2: extended next hop (IPv4 unicast and VPNv4 with IPv6 next
/// hops); bit 3: extended messages; bit 4: eBGP.
pub fn ctx(b: u8) -> CodecContext {
    let mut c = CodecContext {
        four_octet_as: b & 1 != 0,
        extended_message: b & 8 != 0,
        peer: if b & 16 != 0 {
            PeerKind::External
        } else {
            PeerKind::Internal
        },
        ..CodecContext::default()
    };
    if b & 2 != 0 {
        for f in [
            AddressFamily::IPV4_UNICAST,
            AddressFamily::IPV6_UNICAST,
            AddressFamily::L2VPN_EVPN,
            AddressFamily::VPNV4,
            AddressFamily::VPNV6,
        ] {
            c.add_path.push((f, AddPathDirection::Both));
        }
    }
    if b & 4 != 0 {
        c.extended_next_hop
            .push((AddressFamily::IPV4_UNICAST, Afi::Ipv6));
        c.extended_next_hop.push((AddressFamily::VPNV4, Afi::Ipv6));
    }
    c
}

/// Split the context byte off the input.
pub fn split(data: &[u8]) -> Option<(CodecContext, &[u8])> {
    let (b, rest) = data.split_first()?;
    Some((ctx(*b), rest))
}

/// Run an encoder into a fresh buffer and assert that it wrote exactly
/// `expected_len` bytes.
pub fn encode_checked<F>(what: &str, expected_len: usize, f: F) -> Vec<u8>
where
    F: FnOnce(&mut Writer<'_, Vec<u8>>),
{
    let mut out = Vec::new();
    let mut w = Writer::new(&mut out);
    f(&mut w);
    let written = w.written();
    assert_eq!(
        written, expected_len,
        "{what}: encoded_len != bytes written"
    );
    assert_eq!(out.written(), written);
    out
}
