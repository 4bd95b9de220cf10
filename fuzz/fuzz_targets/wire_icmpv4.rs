//! ICMPv4 (RFC 792): a message re-emits byte for byte (checksum included),
//! parse(emit(x)) == x, and an echo reply made in place (RFC 1624) equals
//! one emitted from scratch.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vtepd_fuzz::check_icmpv4(data);
});
