//! VXLAN (RFC 7348): the header re-emits (reserved bits as zero), the VNI is
//! the top 24 bits of the second word, and header + inner frame = input.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    vtepd_fuzz::check_vxlan(data);
});
