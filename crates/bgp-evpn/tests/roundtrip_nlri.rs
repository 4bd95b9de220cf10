//! decode(encode(x)) == x, `nlri_len()` == bytes written, all input consumed,
//! and every truncation rejected, for every NLRI type and extended community.

mod common;

use common::*;
use proptest::prelude::*;
use vtepd_bgp_evpn::extcomm::ExtendedCommunity;
use vtepd_bgp_evpn::nlri::{
    decode_nlri_list, encode_nlri_list, nlri_list_len, NlriCodec, PathNlri,
};
use vtepd_bgp_evpn::wire::{Reader, Writer};

fn round_trip<T: NlriCodec + PartialEq + std::fmt::Debug>(x: &T) -> Result<(), TestCaseError> {
    let mut v = Vec::new();
    x.encode_nlri(&mut Writer::new(&mut v));
    prop_assert_eq!(v.len(), x.nlri_len());
    let mut r = Reader::new(&v);
    let back = T::decode_nlri(&mut r).map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert!(r.is_empty());
    prop_assert_eq!(&back, x);
    for n in 0..v.len() {
        prop_assert!(T::decode_nlri(&mut Reader::new(&v[..n])).is_err());
    }
    Ok(())
}

fn list_round_trip<T: NlriCodec + PartialEq + std::fmt::Debug>(
    list: &[PathNlri<T>],
    add_path: bool,
) -> Result<(), TestCaseError> {
    let mut v = Vec::new();
    encode_nlri_list(list, add_path, &mut Writer::new(&mut v)).unwrap();
    prop_assert_eq!(v.len(), nlri_list_len(list));
    let back: Vec<PathNlri<T>> = decode_nlri_list(&mut Reader::new(&v), add_path)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    prop_assert_eq!(back.as_slice(), list);
    Ok(())
}

proptest! {
    #[test]
    fn evpn(r in evpn_route()) { round_trip(&r)?; }

    #[test]
    fn ipv4_prefix(p in v4prefix()) { round_trip(&p)?; }

    #[test]
    fn ipv6_prefix(p in v6prefix()) { round_trip(&p)?; }

    #[test]
    fn vpnv4_route(r in vpnv4()) { round_trip(&r)?; }

    #[test]
    fn vpnv6_route(r in vpnv6()) { round_trip(&r)?; }

    #[test]
    fn evpn_list_add_path(l in proptest::collection::vec(path_nlri(evpn_route(), true), 0..8)) {
        list_round_trip(&l, true)?;
    }

    #[test]
    fn vpn_list(l in proptest::collection::vec(path_nlri(vpnv4(), false), 0..8)) {
        list_round_trip(&l, false)?;
    }

    #[test]
    fn ext_communities(c in ext_community()) {
        let b = c.to_bytes();
        prop_assert_eq!(ExtendedCommunity::from_bytes(b), c);
        let mut v = Vec::new();
        c.encode(&mut Writer::new(&mut v));
        prop_assert_eq!(v.len(), ExtendedCommunity::LEN);
        prop_assert_eq!(ExtendedCommunity::decode(&mut Reader::new(&v)).unwrap(), c);
    }

    #[test]
    fn nlri_decoders_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..80)) {
        use vtepd_bgp_evpn::nlri::{EvpnRoute, Ipv4Prefix, Ipv6Prefix, Vpnv4Route, Vpnv6Route};
        let _ = decode_nlri_list::<EvpnRoute>(&mut Reader::new(&bytes), false);
        let _ = decode_nlri_list::<Ipv4Prefix>(&mut Reader::new(&bytes), true);
        let _ = decode_nlri_list::<Ipv6Prefix>(&mut Reader::new(&bytes), false);
        let _ = decode_nlri_list::<Vpnv4Route>(&mut Reader::new(&bytes), false);
        let _ = decode_nlri_list::<Vpnv6Route>(&mut Reader::new(&bytes), false);
    }
}
