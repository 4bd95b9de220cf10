//! ARP (RFC 826): a checked packet re-emits its 28 bytes, and a request's
//! reply (frame-building and in place) swaps the addresses as RFC 826 says.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vtepd_fuzz::check_arp(data);
});
