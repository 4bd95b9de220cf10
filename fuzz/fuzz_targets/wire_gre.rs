//! GRE (RFC 2784/2890): header length from the C/K/S bits, re-emit with a
//! filled checksum verifies and gives the same bytes, parse(emit(x)) == x.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vtepd_fuzz::check_gre(data);
});
