//! UDP (RFC 768) over IPv4 or IPv6. Input: a family byte (even: IPv4, odd:
//! IPv6), source and destination addresses, the datagram. Checks lengths,
//! header re-emit, filled checksums verify, catch a changed byte, match a
//! received valid checksum, and follow a NAT delta.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Some((addrs, dgram)) = vtepd_fuzz::split_udp_input(data) {
        vtepd_fuzz::check_udp(addrs, dgram);
    }
});
