//! Labelled VPN NLRI (RFC 4364, RFC 4659, RFC 8277): first input byte bit 0
//! = ADD-PATH, bit 1 = VPNv6 (else VPNv4); the rest is a run of NLRI. A list
//! that decodes re-encodes with its `encoded_len` and decodes again to the
//! same routes; the same length as the input.
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
        AddressFamily::VPNV6
    } else {
        AddressFamily::VPNV4
    };
    let Ok(list) = NlriList::decode(family, &mut Reader::new(nlri), add_path) else {
        return;
    };
    assert_eq!(list.family(), family);
    let n = list.encoded_len();
    let out = bgp_common::encode_checked("vpn nlri", n, |w| {
        list.encode(w, add_path).expect("path ids match")
    });
    assert_eq!(out.len(), nlri.len(), "same length");
    let again = NlriList::decode(family, &mut Reader::new(&out), add_path).expect("again");
    assert_eq!(again, list, "decode(encode(x)) == x");
});
