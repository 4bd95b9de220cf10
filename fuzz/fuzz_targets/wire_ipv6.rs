//! IPv6 (RFC 8200): fixed header re-emit, the extension-header walk
//! (contiguous, inside the payload, agreeing with `upper_layer`), the
//! unfragmentable part, and Fragment header round trips.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vtepd_fuzz::check_ipv6(data);
});
