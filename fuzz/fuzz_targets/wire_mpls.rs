//! MPLS label stacks (RFC 3032): the walk stops at the S bit within
//! MAX_DEPTH, every entry re-encodes, the stack re-emits to the same bytes,
//! and a TTL decrement touches only the top entry's TTL.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vtepd_fuzz::check_mpls(data);
});
