//! Capabilities (RFC 5492 TLVs): the input is a run of capabilities as one
//! Capabilities optional parameter carries them. Each that decodes (a
//! malformed value becomes `Unknown`) re-encodes with `encoded_len` bytes to
//! exactly its input bytes.
#![no_main]

#[path = "bgp_common.rs"]
mod bgp_common;

use libfuzzer_sys::fuzz_target;
use vtepd_bgp_evpn::wire::Reader;
use vtepd_bgp_evpn::Capability;

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    while !r.is_empty() {
        let at = r.offset();
        let Ok(c) = Capability::decode(&mut r) else {
            return;
        };
        let end = r.offset();
        assert_eq!(c.encoded_len(), end - at, "{c:?}");
        assert_eq!(c.value_len() + 2, end - at, "{c:?}");
        let out = bgp_common::encode_checked("capability", c.encoded_len(), |w| {
            c.encode(w).expect("a decoded capability encodes")
        });
        assert_eq!(out, &data[at..end], "capability round trip: {c:?}");
        let again = Capability::decode(&mut Reader::new(&out)).expect("again");
        assert_eq!(again, c);
    }
});
