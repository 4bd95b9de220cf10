//! EVPN NLRI (RFC 7432 §7, RFC 9136): the first input byte's low bit says
//! whether ADD-PATH path identifiers precede each route; the rest is a run
//! of NLRI. A list that decodes re-encodes to the input's length and
//! decodes again to the same routes; to exactly the input bytes unless a
//! type-5 prefix had host bits set (they are cleared on decode).
#![no_main]

#[path = "bgp_common.rs"]
mod bgp_common;

use libfuzzer_sys::fuzz_target;
use vtepd_bgp_evpn::nlri::{decode_nlri_list, encode_nlri_list, nlri_list_len, EvpnRoute};
use vtepd_bgp_evpn::wire::Reader;

fuzz_target!(|data: &[u8]| {
    let Some((flag, nlri)) = data.split_first() else {
        return;
    };
    let add_path = flag & 1 != 0;
    let Ok(list) = decode_nlri_list::<EvpnRoute>(&mut Reader::new(nlri), add_path) else {
        return;
    };
    for p in &list {
        // Route types and RDs are what the bytes say.
        if let Some(rd) = p.nlri.rd() {
            assert_eq!(
                vtepd_bgp_evpn::RouteDistinguisher::from_bytes(rd.to_bytes()),
                rd
            );
        }
        assert!(p.nlri.value_len() <= 255);
    }
    let n = nlri_list_len(&list);
    let out = bgp_common::encode_checked("evpn nlri", n, |w| {
        encode_nlri_list(&list, add_path, w).expect("path ids match")
    });
    assert_eq!(out.len(), nlri.len(), "same length");
    // Byte for byte, except that a type-5 prefix is normalised: host bits
    // beyond the prefix length are cleared (see `Ipv4Prefix::new`).
    if !list
        .iter()
        .any(|p| matches!(p.nlri, EvpnRoute::IpPrefix(_)))
    {
        assert_eq!(out, nlri, "EVPN NLRI re-encode byte for byte");
    }
    let again = decode_nlri_list::<EvpnRoute>(&mut Reader::new(&out), add_path).expect("again");
    assert_eq!(again, list);
});
