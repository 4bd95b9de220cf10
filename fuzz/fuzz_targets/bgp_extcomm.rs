//! Extended communities (RFC 4360 and the EVPN/tunnel ones): the input is
//! cut into 8-byte communities; each one, known or not, re-encodes to its
//! own bytes and its typed form is stable. The tail (< 8 bytes) is read as
//! standard (4-byte) communities, then large (12-byte) ones from the start.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vtepd_bgp_evpn::wire::{Reader, Writer};
use vtepd_bgp_evpn::{Community, ExtendedCommunity, LargeCommunity};

fuzz_target!(|data: &[u8]| {
    let mut r = Reader::new(data);
    while r.remaining() >= 8 {
        let at = r.offset();
        let c = ExtendedCommunity::decode(&mut r).expect("8 bytes are there");
        let raw: [u8; 8] = data[at..at + 8].try_into().expect("8 bytes");
        assert_eq!(c.to_bytes(), raw, "extended community round trip: {c:?}");
        assert_eq!(ExtendedCommunity::from_bytes(raw), c);
        let mut out = Vec::new();
        c.encode(&mut Writer::new(&mut out));
        assert_eq!(out, raw);
        // Transitivity is the type's bit 0x40 (clear = transitive).
        assert_eq!(c.is_transitive(), raw[0] & 0x40 == 0, "{c:?}");
        if let Some(rt) = c.route_target() {
            assert_eq!(ExtendedCommunity::from(rt), c);
        }
    }
    while r.remaining() >= 4 {
        let at = r.offset();
        let c = Community::decode(&mut r).expect("4 bytes");
        let mut out = Vec::new();
        c.encode(&mut Writer::new(&mut out));
        assert_eq!(out, &data[at..at + 4]);
    }
    let mut r = Reader::new(data);
    while r.remaining() >= LargeCommunity::LEN {
        let at = r.offset();
        let c = LargeCommunity::decode(&mut r).expect("12 bytes");
        let mut out = Vec::new();
        c.encode(&mut Writer::new(&mut out));
        assert_eq!(out, &data[at..at + 12]);
    }
});
