//! ICMPv6 (RFC 4443). Input: source and destination addresses (16+16
//! bytes), then the message. Re-emit with the pseudo-header checksum gives
//! the same bytes; ND messages go through the ND checks too.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((src, dst, msg)) = vtepd_fuzz::split_v6_addrs(data) {
        vtepd_fuzz::check_icmpv6(src, dst, msg);
    }
});
