//! OPEN messages and capability negotiation: the input is a whole message
//! with its header. An OPEN that decodes re-encodes to exactly the input
//! bytes (parameters are kept as received), and negotiating it against
//! vtepd's own capabilities gives a context consistent with both sides.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vtepd_bgp_evpn::capability::{AddPathEntry, AddPathMode, ExtendedNextHopEntry};
use vtepd_bgp_evpn::session::negotiate;
use vtepd_bgp_evpn::wire::{CodecContext, PeerKind};
use vtepd_bgp_evpn::{AddressFamily, Afi, Asn, Capability, Message};

fn ours() -> Vec<Capability> {
    let fams = [
        AddressFamily::IPV4_UNICAST,
        AddressFamily::IPV6_UNICAST,
        AddressFamily::L2VPN_EVPN,
        AddressFamily::VPNV4,
    ];
    let mut c: Vec<Capability> = fams.iter().map(|f| Capability::Multiprotocol(*f)).collect();
    c.push(Capability::RouteRefresh);
    c.push(Capability::FourOctetAs(Asn(4_200_000_001)));
    c.push(Capability::ExtendedMessage);
    c.push(Capability::ExtendedNextHop(vec![ExtendedNextHopEntry {
        family: AddressFamily::IPV4_UNICAST,
        next_hop_afi: Afi::Ipv6,
    }]));
    c.push(Capability::AddPath(
        fams.iter()
            .map(|f| AddPathEntry {
                family: *f,
                mode: AddPathMode::Both,
            })
            .collect(),
    ));
    c
}

fuzz_target!(|data: &[u8]| {
    let ctx = CodecContext::default();
    let Ok(d) = Message::decode(data, &ctx) else {
        return;
    };
    let Message::Open(open) = &d.message else {
        return;
    };
    let out = d.message.to_vec(&ctx).expect("a decoded OPEN encodes");
    assert_eq!(d.message.encoded_len(&ctx), out.len());
    assert_eq!(out, data, "OPEN re-encodes byte for byte");

    let theirs: Vec<Capability> = open.capabilities().cloned().collect();
    let mine = ours();
    for peer in [PeerKind::Internal, PeerKind::External] {
        let n = negotiate(&mine, &theirs, peer);
        let has = |f: &dyn Fn(&Capability) -> bool| theirs.iter().any(f);
        assert_eq!(
            n.ctx.four_octet_as,
            has(&|c| matches!(c, Capability::FourOctetAs(_))),
            "4-octet AS needs both"
        );
        assert_eq!(n.ctx.peer, peer);
        if n.ctx.extended_message {
            assert!(has(&|c| matches!(c, Capability::ExtendedMessage)));
        }
        for (fam, _) in &n.ctx.add_path {
            assert!(
                n.families.contains(fam),
                "ADD-PATH for {fam:?}, not negotiated"
            );
        }
        for (fam, nh) in &n.ctx.extended_next_hop {
            assert_eq!(*fam, AddressFamily::IPV4_UNICAST);
            assert_eq!(*nh, Afi::Ipv6);
        }
    }
});
