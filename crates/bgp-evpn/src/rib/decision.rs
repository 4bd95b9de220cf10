//! The BGP decision process (RFC 4271 §9.1.2) with MAC mobility precedence
//! for EVPN type-2 routes (RFC 7432 §15) and the route reflection tie-breaks
//! (RFC 4456 §9).
//!
//! Selection is by elimination, as §9.1.2.2 describes it: every step keeps
//! the candidates that are best on one criterion and marks the others with
//! the [`LossReason`] of that step. This handles MED correctly (it is only
//! compared between paths from the same neighbouring AS, which makes a
//! pairwise comparison non-transitive) and costs O(paths) per step, except
//! the MED step which is O(paths²) in the worst case (paths per route are
//! few). The steps, in order:
//!
//! 1. MAC mobility (type 2 only): a sticky MAC wins over a non-sticky one,
//!    then the highest sequence number wins (RFC 7432 §15.1, §15.2).
//! 2. Locally originated paths win over learnt ones (what FRR's weight
//!    32768 does; RFC 4271 leaves local preference to policy).
//! 3. Highest degree of preference: LOCAL_PREF (§9.1.1).
//! 4. Shortest AS_PATH (§9.1.2.2 a).
//! 5. Lowest ORIGIN (§9.1.2.2 b).
//! 6. Lowest MED among paths from the same neighbouring AS (§9.1.2.2 c).
//! 7. Paths from external peers over internal ones (§9.1.2.2 d).
//! 8. Lowest interior cost to the next hop (§9.1.2.2 e; a hook, 0 by default).
//! 9. Lowest BGP identifier, the ORIGINATOR_ID standing in for it when
//!    present (§9.1.2.2 f, RFC 4456 §9).
//! 10. Shortest CLUSTER_LIST (RFC 4456 §9).
//! 11. Lowest peer address (§9.1.2.2 g).
//! 12. Lowest ADD-PATH identifier (makes the result total).

use core::fmt;
use core::net::IpAddr;

use super::attrs::PathFacts;
use crate::types::{Asn, RouterId};

/// Why a path was not selected: the decision step that eliminated it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LossReason {
    /// Another path has the sticky MAC flag (RFC 7432 §15.2).
    MacMobilitySticky,
    /// Another path has a higher MAC mobility sequence number (RFC 7432 §15.1).
    MacMobilitySequence,
    /// Another path is locally originated.
    NotLocal,
    /// Another path has a higher LOCAL_PREF.
    LocalPref,
    /// Another path has a shorter AS_PATH.
    AsPathLength,
    /// Another path has a lower ORIGIN.
    Origin,
    /// Another path from the same neighbouring AS has a lower MED.
    Med,
    /// Another path was learnt from an external peer.
    InternalPeer,
    /// Another path has a lower interior cost to its next hop.
    IgpCost,
    /// Another path has a lower BGP identifier (or ORIGINATOR_ID).
    RouterId,
    /// Another path has a shorter CLUSTER_LIST.
    ClusterListLength,
    /// Another path came from a lower peer address.
    PeerAddress,
    /// Another path from the same peer has a lower ADD-PATH identifier.
    PathId,
}

impl fmt::Display for LossReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            LossReason::MacMobilitySticky => "other path has a sticky MAC",
            LossReason::MacMobilitySequence => "lower MAC mobility sequence number",
            LossReason::NotLocal => "other path is locally originated",
            LossReason::LocalPref => "lower LOCAL_PREF",
            LossReason::AsPathLength => "longer AS_PATH",
            LossReason::Origin => "higher ORIGIN",
            LossReason::Med => "higher MED",
            LossReason::InternalPeer => "internal peer, other path is external",
            LossReason::IgpCost => "higher IGP cost",
            LossReason::RouterId => "higher router ID",
            LossReason::ClusterListLength => "longer CLUSTER_LIST",
            LossReason::PeerAddress => "higher peer address",
            LossReason::PathId => "higher path identifier",
        })
    }
}

/// One candidate as the decision process sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// Extracted attribute values.
    pub facts: PathFacts,
    /// Locally originated.
    pub local: bool,
    /// Learnt from an external peer.
    pub ebgp: bool,
    /// The sending peer's BGP identifier (ours for local paths).
    pub peer_router_id: RouterId,
    /// The sending peer's address (unspecified for local paths).
    pub peer_addr: IpAddr,
    /// ADD-PATH identifier.
    pub path_id: u32,
    /// Interior cost to the next hop.
    pub igp_cost: u32,
}

impl Candidate {
    fn router_id(&self) -> RouterId {
        self.facts.originator_id.unwrap_or(self.peer_router_id)
    }
}

/// Run the decision process over `cands`. `lost[i]` is set to the reason
/// candidate `i` lost (or `None` for the winner); returns the winner's index.
/// `mac_mobility` enables step 1 (EVPN type 2); `local_as` is the
/// neighbouring AS of paths with an empty AS_PATH.
pub fn select(
    cands: &[Candidate],
    lost: &mut [Option<LossReason>],
    mac_mobility: bool,
    local_as: Asn,
) -> Option<usize> {
    let n = cands.len().min(lost.len());
    let (cands, lost) = (&cands[..n], &mut lost[..n]);
    for l in lost.iter_mut() {
        *l = None;
    }
    if n == 0 {
        return None;
    }
    if mac_mobility {
        let mob = |c: &Candidate| c.facts.mac_mobility.unwrap_or_default();
        keep_max(cands, lost, LossReason::MacMobilitySticky, |c| {
            u64::from(mob(c).sticky)
        });
        keep_max(cands, lost, LossReason::MacMobilitySequence, |c| {
            u64::from(mob(c).sequence)
        });
    }
    keep_max(cands, lost, LossReason::NotLocal, |c| u64::from(c.local));
    keep_max(cands, lost, LossReason::LocalPref, |c| {
        u64::from(c.facts.local_pref)
    });
    keep_min(cands, lost, LossReason::AsPathLength, |c| {
        u128::from(c.facts.as_path_len)
    });
    keep_min(cands, lost, LossReason::Origin, |c| {
        u128::from(c.facts.origin)
    });
    // MED, per neighbouring AS. The lowest MED of each group is never
    // marked, so marking in place does not change later comparisons.
    let nas = |c: &Candidate| c.facts.neighbor_as.unwrap_or(local_as);
    for i in 0..n {
        if lost[i].is_some() {
            continue;
        }
        let beaten = (0..n).any(|j| {
            lost[j].is_none()
                && nas(&cands[j]) == nas(&cands[i])
                && cands[j].facts.med < cands[i].facts.med
        });
        if beaten {
            lost[i] = Some(LossReason::Med);
        }
    }
    keep_max(cands, lost, LossReason::InternalPeer, |c| u64::from(c.ebgp));
    keep_min(cands, lost, LossReason::IgpCost, |c| u128::from(c.igp_cost));
    keep_min(cands, lost, LossReason::RouterId, |c| {
        u128::from(u32::from(c.router_id().0))
    });
    keep_min(cands, lost, LossReason::ClusterListLength, |c| {
        u128::from(c.facts.cluster_list_len)
    });
    keep_min(cands, lost, LossReason::PeerAddress, |c| {
        addr_rank(c.peer_addr)
    });
    keep_min(cands, lost, LossReason::PathId, |c| u128::from(c.path_id));
    // Equal on every criterion (the same path twice): keep the first.
    let winner = lost.iter().position(Option::is_none)?;
    for (i, l) in lost.iter_mut().enumerate() {
        if i != winner && l.is_none() {
            *l = Some(LossReason::PathId);
        }
    }
    Some(winner)
}

/// IPv4 addresses sort before IPv6 ones; within a family, numerically.
fn addr_rank(a: IpAddr) -> u128 {
    match a {
        IpAddr::V4(v4) => u128::from(u32::from(v4)),
        // Shift IPv6 above every IPv4 value; saturating keeps it total.
        IpAddr::V6(v6) => u128::from(v6).saturating_add(1 << 32),
    }
}

fn keep_max<F: Fn(&Candidate) -> u64>(
    cands: &[Candidate],
    lost: &mut [Option<LossReason>],
    reason: LossReason,
    f: F,
) {
    let best = cands
        .iter()
        .zip(lost.iter())
        .filter(|(_, l)| l.is_none())
        .map(|(c, _)| f(c))
        .max();
    if let Some(best) = best {
        for (c, l) in cands.iter().zip(lost.iter_mut()) {
            if l.is_none() && f(c) < best {
                *l = Some(reason);
            }
        }
    }
}

fn keep_min<F: Fn(&Candidate) -> u128>(
    cands: &[Candidate],
    lost: &mut [Option<LossReason>],
    reason: LossReason,
    f: F,
) {
    let best = cands
        .iter()
        .zip(lost.iter())
        .filter(|(_, l)| l.is_none())
        .map(|(c, _)| f(c))
        .min();
    if let Some(best) = best {
        for (c, l) in cands.iter().zip(lost.iter_mut()) {
            if l.is_none() && f(c) > best {
                *l = Some(reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rib::attrs::MacMobility;
    use core::net::Ipv4Addr;

    fn base() -> Candidate {
        Candidate {
            facts: PathFacts {
                local_pref: 100,
                as_path_len: 1,
                neighbor_as: Some(Asn(65001)),
                origin: 0,
                med: 0,
                originator_id: None,
                cluster_list_len: 0,
                mac_mobility: None,
            },
            local: false,
            ebgp: false,
            peer_router_id: RouterId(Ipv4Addr::new(10, 0, 0, 1)),
            peer_addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, 1)),
            path_id: 0,
            igp_cost: 0,
        }
    }

    /// `winner` beats `loser`, whichever order they are given in, and the
    /// loser is marked with `reason`.
    fn check(winner: Candidate, loser: Candidate, reason: LossReason, mobility: bool) {
        let mut lost = [None; 2];
        assert_eq!(
            select(&[winner, loser], &mut lost, mobility, Asn(65000)),
            Some(0)
        );
        assert_eq!(lost, [None, Some(reason)]);
        assert_eq!(
            select(&[loser, winner], &mut lost, mobility, Asn(65000)),
            Some(1)
        );
        assert_eq!(lost, [Some(reason), None]);
    }

    #[test]
    fn each_step_decides() {
        let b = base();
        let mut w = b;
        w.local = true;
        check(w, b, LossReason::NotLocal, false);

        let mut w = b;
        w.facts.local_pref = 200;
        check(w, b, LossReason::LocalPref, false);

        let mut l = b;
        l.facts.as_path_len = 2;
        check(b, l, LossReason::AsPathLength, false);

        let mut l = b;
        l.facts.origin = 2;
        check(b, l, LossReason::Origin, false);

        let mut l = b;
        l.facts.med = 10;
        check(b, l, LossReason::Med, false);

        let mut w = b;
        w.ebgp = true;
        check(w, b, LossReason::InternalPeer, false);

        let mut l = b;
        l.igp_cost = 5;
        check(b, l, LossReason::IgpCost, false);

        let mut l = b;
        l.peer_router_id = RouterId(Ipv4Addr::new(10, 0, 0, 2));
        check(b, l, LossReason::RouterId, false);

        let mut l = b;
        l.facts.cluster_list_len = 1;
        check(b, l, LossReason::ClusterListLength, false);

        let mut l = b;
        l.peer_addr = IpAddr::V4(Ipv4Addr::new(192, 0, 2, 9));
        check(b, l, LossReason::PeerAddress, false);

        let mut l = b;
        l.path_id = 3;
        check(b, l, LossReason::PathId, false);
    }

    #[test]
    fn originator_id_replaces_router_id() {
        // Peer router IDs say the second wins, but its ORIGINATOR_ID is higher.
        let mut w = base();
        w.peer_router_id = RouterId(Ipv4Addr::new(10, 0, 0, 9));
        w.facts.originator_id = Some(RouterId(Ipv4Addr::new(1, 1, 1, 1)));
        let mut l = base();
        l.peer_router_id = RouterId(Ipv4Addr::new(10, 0, 0, 1));
        l.facts.originator_id = Some(RouterId(Ipv4Addr::new(2, 2, 2, 2)));
        check(w, l, LossReason::RouterId, false);
    }

    #[test]
    fn med_only_within_neighbour_as() {
        // Different neighbouring ASes: MED is not compared; router ID decides.
        let w = base();
        let mut l = base();
        l.facts.neighbor_as = Some(Asn(65002));
        l.facts.med = 0;
        let mut w2 = w;
        w2.facts.med = 50;
        l.peer_router_id = RouterId(Ipv4Addr::new(10, 0, 0, 2));
        check(w2, l, LossReason::RouterId, false);
    }

    #[test]
    fn med_elimination_is_by_group() {
        // RFC 4271 §9.1.2.2 c: A(AS1, MED 10, eBGP) B(AS1, MED 5, iBGP)
        // C(AS2, MED 0, iBGP). A loses on MED to B; then B and C go on and
        // router ID decides.
        let mut a = base();
        a.facts.med = 10;
        a.ebgp = true;
        let mut b = base();
        b.facts.med = 5;
        b.peer_router_id = RouterId(Ipv4Addr::new(10, 0, 0, 3));
        let mut c = base();
        c.facts.neighbor_as = Some(Asn(65002));
        c.peer_router_id = RouterId(Ipv4Addr::new(10, 0, 0, 2));
        let mut lost = [None; 3];
        assert_eq!(select(&[a, b, c], &mut lost, false, Asn(65000)), Some(2));
        assert_eq!(
            lost,
            [Some(LossReason::Med), Some(LossReason::RouterId), None]
        );
    }

    #[test]
    fn mac_mobility_precedence() {
        let mob = |seq: u32, sticky: bool| {
            let mut c = base();
            c.facts.mac_mobility = Some(MacMobility {
                sequence: seq,
                sticky,
            });
            c
        };
        // Higher sequence wins even against a higher LOCAL_PREF and a local path.
        let mut l = mob(1, false);
        l.facts.local_pref = 500;
        l.local = true;
        check(mob(2, false), l, LossReason::MacMobilitySequence, true);
        // No community = sequence 0.
        check(mob(1, false), base(), LossReason::MacMobilitySequence, true);
        // Sticky wins over a higher sequence.
        check(
            mob(0, true),
            mob(9, false),
            LossReason::MacMobilitySticky,
            true,
        );
        // Equal sequence: normal tie-breaks.
        let mut l = mob(4, false);
        l.facts.local_pref = 50;
        check(mob(4, false), l, LossReason::LocalPref, true);
        // Without mobility (not type 2), the sequence is ignored.
        let mut w = mob(0, false);
        w.facts.local_pref = 200;
        check(w, mob(7, false), LossReason::LocalPref, false);
    }

    #[test]
    fn empty_and_single() {
        let mut lost: [Option<LossReason>; 0] = [];
        assert_eq!(select(&[], &mut lost, false, Asn(1)), None);
        let mut lost = [Some(LossReason::Med)];
        assert_eq!(select(&[base()], &mut lost, false, Asn(1)), Some(0));
        assert_eq!(lost, [None]);
        // Identical paths: the first wins, the second is marked.
        let mut lost = [None; 2];
        assert_eq!(select(&[base(), base()], &mut lost, false, Asn(1)), Some(0));
        assert_eq!(lost, [None, Some(LossReason::PathId)]);
    }

    fn arb_candidate() -> impl proptest::strategy::Strategy<Value = Candidate> {
        use proptest::prelude::*;
        (
            (0u32..3, 0u32..3, 0u8..3, 0u32..3, 65001u32..65003),
            (any::<bool>(), any::<bool>(), 1u8..4, 0u32..3, 0u32..3),
            (proptest::option::of((0u32..3, any::<bool>())), 0u32..2),
        )
            .prop_map(
                |((lp, len, origin, med, nas), (local, ebgp, rid, cl, igp), (mob, pid))| {
                    Candidate {
                        facts: PathFacts {
                            local_pref: lp,
                            as_path_len: len,
                            neighbor_as: Some(Asn(nas)),
                            origin,
                            med,
                            originator_id: None,
                            cluster_list_len: cl,
                            mac_mobility: mob
                                .map(|(sequence, sticky)| MacMobility { sequence, sticky }),
                        },
                        local,
                        ebgp,
                        peer_router_id: RouterId(Ipv4Addr::new(10, 0, 0, rid)),
                        peer_addr: IpAddr::V4(Ipv4Addr::new(192, 0, 2, rid)),
                        path_id: pid,
                        igp_cost: igp,
                    }
                },
            )
    }

    proptest::proptest! {
        /// The winner does not depend on the order paths arrived in (the
        /// elimination is set-wide at every step, MED included), and every
        /// loser has a reason.
        #[test]
        fn winner_is_order_independent(
            cands in proptest::collection::vec(arb_candidate(), 1..8),
            mobility: bool,
            rot in 0usize..8,
        ) {
            let mut lost = vec![None; cands.len()];
            let w = select(&cands, &mut lost, mobility, Asn(65000)).unwrap();
            proptest::prop_assert_eq!(lost.iter().filter(|l| l.is_none()).count(), 1);
            let mut rev: Vec<Candidate> = cands.clone();
            rev.reverse();
            let n = rev.len();
            rev.rotate_left(rot % n);
            let mut lost2 = vec![None; n];
            let w2 = select(&rev, &mut lost2, mobility, Asn(65000)).unwrap();
            // The same path wins, or one equal to it on every criterion:
            // between the two, the first given wins whichever that is.
            let (a, b) = (rev[w2], cands[w]);
            let mut l = [None; 2];
            let tie = select(&[a, b], &mut l, mobility, Asn(65000)) == Some(0)
                && select(&[b, a], &mut l, mobility, Asn(65000)) == Some(0);
            proptest::prop_assert!(a == b || tie, "{a:?} won over {b:?}");
            // And the first run's winner lost the second only at the last
            // step, between paths equal on everything.
            let at = (2 * n - 1 - w - rot % n) % n;
            proptest::prop_assert_eq!(rev[at], cands[w]);
            proptest::prop_assert!(
                at == w2 || lost2[at] == Some(LossReason::PathId),
                "first winner lost the second run by {:?}",
                lost2[at]
            );
        }
    }

    #[test]
    fn ipv4_peer_address_before_ipv6() {
        let w = base();
        let mut l = base();
        l.peer_addr = "2001:db8::1".parse().unwrap();
        check(w, l, LossReason::PeerAddress, false);
    }
}
