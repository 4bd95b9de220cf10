//! Capability negotiation: from our OPEN's capabilities and the peer's to
//! the session parameters and the [`CodecContext`] (RFC 5492 and the RFC of
//! each capability).

use crate::capability::{AddPathEntry, AddPathMode, Capability, GracefulRestart};
use crate::types::{AddressFamily, Asn};
use crate::wire::{AddPathDirection, CodecContext, PeerKind};

/// What both sides agreed on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Negotiated {
    /// The codec context for this session.
    pub ctx: CodecContext,
    /// Address families both sides advertised (RFC 4760 §8). A peer that
    /// advertises no multiprotocol capability speaks IPv4 unicast only.
    pub families: Vec<AddressFamily>,
    /// The peer can receive ROUTE-REFRESH (RFC 2918, or Cisco's code 128).
    pub route_refresh: bool,
    /// Both advertised enhanced route refresh (RFC 7313).
    pub enhanced_route_refresh: bool,
    /// The peer's graceful restart capability, if sent (RFC 4724).
    pub peer_graceful_restart: Option<GracefulRestart>,
    /// Both sides set the N bit (RFC 8538 §2): NOTIFICATIONs other than
    /// Hard Reset end the session gracefully, and a Cease that should flush
    /// the peer's routes goes as Hard Reset.
    pub graceful_notification: bool,
    /// The peer's hostname and domain (FRR's FQDN capability).
    pub peer_hostname: Option<(String, String)>,
}

/// The peer's AS from its OPEN: the 4-octet AS capability when present
/// (RFC 6793 §4.1), else the 2-octet My Autonomous System field.
pub fn peer_asn(my_as: u16, caps: &[Capability]) -> Asn {
    caps.iter()
        .find_map(|c| match c {
            Capability::FourOctetAs(a) => Some(*a),
            _ => None,
        })
        .unwrap_or(Asn(u32::from(my_as)))
}

fn families(caps: &[Capability]) -> Vec<AddressFamily> {
    let mut v: Vec<AddressFamily> = caps
        .iter()
        .filter_map(|c| match c {
            Capability::Multiprotocol(f) => Some(*f),
            _ => None,
        })
        .collect();
    if v.is_empty() {
        v.push(AddressFamily::IPV4_UNICAST);
    }
    v
}

fn add_path_mode(caps: &[Capability], family: AddressFamily) -> Option<AddPathMode> {
    caps.iter()
        .filter_map(|c| match c {
            Capability::AddPath(v) => Some(v),
            _ => None,
        })
        .flat_map(|v| v.iter())
        .find(|e: &&AddPathEntry| e.family == family)
        .map(|e| e.mode)
}

fn can_send(m: AddPathMode) -> bool {
    matches!(m, AddPathMode::Send | AddPathMode::Both)
}

fn can_receive(m: AddPathMode) -> bool {
    matches!(m, AddPathMode::Receive | AddPathMode::Both)
}

/// Negotiate `ours` (what we advertised) with `theirs` (the peer's OPEN).
pub fn negotiate(ours: &[Capability], theirs: &[Capability], peer: PeerKind) -> Negotiated {
    let has = |caps: &[Capability], f: &dyn Fn(&Capability) -> bool| caps.iter().any(f);
    let four_octet_as = has(ours, &|c| matches!(c, Capability::FourOctetAs(_)))
        && has(theirs, &|c| matches!(c, Capability::FourOctetAs(_)));
    let our_fams = families(ours);
    let their_fams = families(theirs);
    let fams: Vec<AddressFamily> = our_fams
        .iter()
        .copied()
        .filter(|f| their_fams.contains(f))
        .collect();

    // ADD-PATH (RFC 7911 §5): we receive path IDs for a family when we said
    // Receive and the peer said Send, and send them the other way round.
    let mut add_path = Vec::new();
    for f in &fams {
        let (Some(me), Some(them)) = (add_path_mode(ours, *f), add_path_mode(theirs, *f)) else {
            continue;
        };
        let rx = can_receive(me) && can_send(them);
        let tx = can_send(me) && can_receive(them);
        let dir = match (rx, tx) {
            (true, true) => AddPathDirection::Both,
            (true, false) => AddPathDirection::Receive,
            (false, true) => AddPathDirection::Send,
            (false, false) => continue,
        };
        add_path.push((*f, dir));
    }

    // Extended next hop (RFC 8950 §4): a tuple both sides advertised.
    let enh = |caps: &[Capability]| -> Vec<(AddressFamily, crate::types::Afi)> {
        caps.iter()
            .filter_map(|c| match c {
                Capability::ExtendedNextHop(v) => Some(v),
                _ => None,
            })
            .flat_map(|v| v.iter().map(|e| (e.family, e.next_hop_afi)))
            .collect()
    };
    let their_enh = enh(theirs);
    let extended_next_hop = enh(ours)
        .into_iter()
        .filter(|t| their_enh.contains(t) && fams.contains(&t.0))
        .collect();

    let extended_message = has(ours, &|c| matches!(c, Capability::ExtendedMessage))
        && has(theirs, &|c| matches!(c, Capability::ExtendedMessage));
    let route_refresh = has(theirs, &|c| {
        matches!(c, Capability::RouteRefresh | Capability::RouteRefreshCisco)
    });
    let enhanced_route_refresh = has(ours, &|c| matches!(c, Capability::EnhancedRouteRefresh))
        && has(theirs, &|c| matches!(c, Capability::EnhancedRouteRefresh));
    let peer_graceful_restart = theirs.iter().find_map(|c| match c {
        Capability::GracefulRestart(g) => Some(g.clone()),
        _ => None,
    });
    let n_bit = |caps: &[Capability]| {
        has(
            caps,
            &|c| matches!(c, Capability::GracefulRestart(g) if g.notification()),
        )
    };
    let graceful_notification = n_bit(ours) && n_bit(theirs);
    let peer_hostname = theirs.iter().find_map(|c| match c {
        Capability::Fqdn { hostname, domain } => Some((hostname.clone(), domain.clone())),
        _ => None,
    });
    Negotiated {
        ctx: CodecContext {
            four_octet_as,
            add_path,
            extended_next_hop,
            extended_message,
            peer,
        },
        families: fams,
        route_refresh,
        enhanced_route_refresh,
        peer_graceful_restart,
        graceful_notification,
        peer_hostname,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::capability::ExtendedNextHopEntry;
    use crate::types::Afi;

    fn mp(f: AddressFamily) -> Capability {
        Capability::Multiprotocol(f)
    }

    #[test]
    fn families_intersect_and_default_to_ipv4() {
        let ours = [
            mp(AddressFamily::L2VPN_EVPN),
            mp(AddressFamily::IPV4_UNICAST),
            Capability::FourOctetAs(Asn(65000)),
        ];
        let theirs = [mp(AddressFamily::L2VPN_EVPN), mp(AddressFamily::VPNV4)];
        let n = negotiate(&ours, &theirs, PeerKind::Internal);
        assert_eq!(n.families, vec![AddressFamily::L2VPN_EVPN]);
        assert!(!n.ctx.four_octet_as, "the peer did not send 4-octet AS");
        // No multiprotocol capability at all: IPv4 unicast.
        let n = negotiate(
            &ours,
            &[Capability::FourOctetAs(Asn(1))],
            PeerKind::External,
        );
        assert_eq!(n.families, vec![AddressFamily::IPV4_UNICAST]);
        assert!(n.ctx.four_octet_as);
        assert_eq!(n.ctx.peer, PeerKind::External);
    }

    #[test]
    fn add_path_directions() {
        let f = AddressFamily::L2VPN_EVPN;
        let ap = |m| Capability::AddPath(vec![AddPathEntry { family: f, mode: m }]);
        let cases = [
            (
                AddPathMode::Both,
                AddPathMode::Both,
                Some(AddPathDirection::Both),
            ),
            (
                AddPathMode::Receive,
                AddPathMode::Send,
                Some(AddPathDirection::Receive),
            ),
            (
                AddPathMode::Send,
                AddPathMode::Receive,
                Some(AddPathDirection::Send),
            ),
            (AddPathMode::Send, AddPathMode::Send, None),
            (
                AddPathMode::Both,
                AddPathMode::Receive,
                Some(AddPathDirection::Send),
            ),
        ];
        for (me, them, want) in cases {
            let n = negotiate(&[mp(f), ap(me)], &[mp(f), ap(them)], PeerKind::Internal);
            let got = n.ctx.add_path.first().map(|(_, d)| *d);
            assert_eq!(got, want, "{me:?}/{them:?}");
        }
        // ADD-PATH for a family that was not negotiated is ignored.
        let n = negotiate(
            &[mp(AddressFamily::IPV4_UNICAST), ap(AddPathMode::Both)],
            &[mp(AddressFamily::IPV4_UNICAST), ap(AddPathMode::Both)],
            PeerKind::Internal,
        );
        assert!(n.ctx.add_path.is_empty());
    }

    #[test]
    fn extended_next_hop_message_refresh_gr() {
        let enh = Capability::ExtendedNextHop(vec![ExtendedNextHopEntry {
            family: AddressFamily::IPV4_UNICAST,
            next_hop_afi: Afi::Ipv6,
        }]);
        let ours = [
            mp(AddressFamily::IPV4_UNICAST),
            enh.clone(),
            Capability::ExtendedMessage,
            Capability::RouteRefresh,
            Capability::EnhancedRouteRefresh,
        ];
        let theirs = [
            mp(AddressFamily::IPV4_UNICAST),
            enh,
            Capability::ExtendedMessage,
            Capability::RouteRefreshCisco,
            Capability::GracefulRestart(GracefulRestart {
                flags: 0,
                restart_time: 120,
                families: vec![],
            }),
            Capability::Fqdn {
                hostname: "leaf1".into(),
                domain: String::new(),
            },
        ];
        let n = negotiate(&ours, &theirs, PeerKind::Internal);
        assert!(n
            .ctx
            .allows_next_hop(AddressFamily::IPV4_UNICAST, Afi::Ipv6));
        assert!(n.ctx.extended_message);
        assert_eq!(n.ctx.max_message_len(), 65535);
        assert!(n.route_refresh);
        assert!(!n.enhanced_route_refresh);
        assert_eq!(n.peer_graceful_restart.unwrap().restart_time, 120);
        assert_eq!(n.peer_hostname.unwrap().0, "leaf1");
        // One side only: nothing.
        let n = negotiate(
            &ours,
            &[mp(AddressFamily::IPV4_UNICAST)],
            PeerKind::Internal,
        );
        assert!(!n.ctx.extended_message);
        assert!(n.ctx.extended_next_hop.is_empty());
        assert!(!n.route_refresh);
    }

    #[test]
    fn peer_as_from_capability_or_field() {
        assert_eq!(peer_asn(65001, &[]), Asn(65001));
        assert_eq!(
            peer_asn(23456, &[Capability::FourOctetAs(Asn(4_200_000_000))]),
            Asn(4_200_000_000)
        );
    }
}
