//! The Path Attributes field of an UPDATE: the first input byte selects the
//! codec context, the rest is the attribute bytes. What decodes (RFC 7606:
//! maybe with discarded attributes or treat-as-withdraw) re-encodes with
//! `attributes_len` bytes and decodes again to the same attributes with no
//! error; an error-free decode re-encodes to the same length.
#![no_main]

#[path = "bgp_common.rs"]
mod bgp_common;

use libfuzzer_sys::fuzz_target;
use vtepd_bgp_evpn::attr::{attributes_len, decode_attributes, encode_attributes};
use vtepd_bgp_evpn::wire::Reader;

fuzz_target!(|data: &[u8]| {
    let Some((ctx, attrs)) = bgp_common::split(data) else {
        return;
    };
    let mut r = Reader::new(attrs);
    let Ok(d) = decode_attributes(&mut r, &ctx) else {
        return;
    };
    for e in &d.errors {
        assert!(
            e.offset <= attrs.len(),
            "error offset past the input: {e:?}"
        );
    }
    let n = attributes_len(&d.attributes, &ctx);
    let once = bgp_common::encode_checked("attributes", n, |w| {
        encode_attributes(&d.attributes, w, &ctx).expect("decoded attributes encode")
    });
    let again =
        decode_attributes(&mut Reader::new(&once), &ctx).expect("re-encoded attributes decode");
    assert!(again.errors.is_empty(), "{:?}", again.errors);
    assert_eq!(again.attributes, d.attributes, "decode(encode(x)) == x");
    if d.errors.is_empty() {
        assert_eq!(once.len(), attrs.len(), "nothing dropped, same length");
    }
});
