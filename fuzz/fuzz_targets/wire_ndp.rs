//! Neighbor Discovery (RFC 4861). Input: source and destination addresses
//! (16+16 bytes), then the ICMPv6 message. Options tile the message, each
//! re-emits, the message re-emits, a whole ND frame round-trips, and a
//! solicitation is answered with the right advertisement.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((src, dst, msg)) = vtepd_fuzz::split_v6_addrs(data) {
        vtepd_fuzz::check_ndp(src, dst, msg);
    }
});
