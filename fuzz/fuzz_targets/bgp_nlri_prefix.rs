//! IPv4/IPv6 unicast prefixes (RFC 4271 §4.3, RFC 4760): first input byte
//! bit 0 = ADD-PATH, bit 1 = IPv6 (else IPv4); the rest is a run of
//! prefixes. A list that decodes re-encodes with its `encoded_len` and the
//! input's length, and decodes again to the same prefixes.
#![no_main]

#[path = "bgp_common.rs"]
mod bgp_common;

use libfuzzer_sys::fuzz_target;
use vtepd_bgp_evpn::nlri::NlriList;
use vtepd_bgp_evpn::wire::Reader;
use vtepd_bgp_evpn::AddressFamily;

fuzz_target!(|data: &[u8]| {
    let Some((flag, nlri)) = data.split_first() else {
        return;
    };
    let add_path = flag & 1 != 0;
    let family = if flag & 2 != 0 {
        AddressFamily::IPV6_UNICAST
    } else {
        AddressFamily::IPV4_UNICAST
    };
    let Ok(list) = NlriList::decode(family, &mut Reader::new(nlri), add_path) else {
        return;
    };
    match &list {
        NlriList::Ipv4Unicast(v) => {
            for p in v {
                assert!(p.nlri.prefix_len() <= 32);
            }
        }
        NlriList::Ipv6Unicast(v) => {
            for p in v {
                assert!(p.nlri.prefix_len() <= 128);
            }
        }
        other => panic!("wrong family: {other:?}"),
    }
    let n = list.encoded_len();
    let out = bgp_common::encode_checked("prefix nlri", n, |w| {
        list.encode(w, add_path).expect("path ids match")
    });
    assert_eq!(out.len(), nlri.len(), "same length");
    let again = NlriList::decode(family, &mut Reader::new(&out), add_path).expect("again");
    assert_eq!(again, list, "decode(encode(x)) == x");
});
