//! IPv4 (RFC 791): header re-emit (checksum included), lengths, the options
//! walk, RFC 1624 TTL decrement and NAT deltas against full recomputation.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vtepd_fuzz::check_ipv4(data);
});
