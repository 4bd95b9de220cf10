//! The whole receive path: Ethernet (+802.1Q) -> ARP | IPv4 | IPv6 (+ext
//! headers) -> UDP -> VXLAN -> inner Ethernet -> ARP | IPv4 | IPv6 ->
//! ICMP | ICMPv6/ND | UDP | GRE. Every layer runs its own invariant checks,
//! and the header lengths, the undecoded data and the padding add up to the
//! frame's length.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut acc = vtepd_fuzz::Decoded::default();
    vtepd_fuzz::decode_frame(data, 0, &mut acc);
    assert_eq!(acc.total(), data.len(), "layers do not add up: {acc:?}");
});
