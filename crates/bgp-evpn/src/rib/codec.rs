//! The RIB on the codec's types: [`PathAttrs`] (path attributes as stored
//! per path) implements [`RibAttributes`], received UPDATEs are applied with
//! [`apply_update`] (RFC 7606 treat-as-withdraw included), and
//! [`build_update`] turns an [`OutUpdate`] into the UPDATE to send.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::Arc;

use super::{
    ExportParams, MacMobility, OutUpdate, PathFacts, PeerId, Rejected, Rib, RibAttributes, Route,
    RouteKey,
};
use crate::attr::{
    self, AsPath, AsSegment, AttrValue, MpReach, MpUnreach, NextHop, Origin, PathAttribute,
    SegmentType,
};
use crate::error::{Action, AttrError};
use crate::extcomm::{Community, ExtendedCommunity};
use crate::iana::attr_type as at;
use crate::message::Update;
use crate::nlri::{NlriList, PathNlri};
use crate::types::{AddressFamily, Afi, Asn, RouteDistinguisher, RouteTarget, RouterId};
use crate::wire::CodecContext;

/// The attributes of one path as the RIB keeps them: every path attribute
/// except NEXT_HOP, MP_REACH_NLRI and MP_UNREACH_NLRI (in canonical order),
/// and the next hop, whichever of NEXT_HOP or MP_REACH_NLRI carried it.
/// Shared by all NLRI of an UPDATE.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct PathAttrs {
    /// The attributes.
    pub attributes: Vec<PathAttribute>,
    /// The next hop.
    pub next_hop: Option<NextHop>,
}

impl PathAttrs {
    /// Attributes for a locally originated route: ORIGIN IGP, an empty
    /// AS_PATH, the next hop, and `extra` (communities, PMSI tunnel, ...).
    pub fn local(next_hop: NextHop, extra: Vec<AttrValue>) -> PathAttrs {
        let mut attributes = vec![
            PathAttribute::new(AttrValue::Origin(Origin::Igp)),
            PathAttribute::new(AttrValue::AsPath(AsPath::default())),
        ];
        attributes.extend(extra.into_iter().map(PathAttribute::new));
        let mut p = PathAttrs {
            attributes,
            next_hop: Some(next_hop),
        };
        p.normalise();
        p
    }

    /// The RIB's attributes of an UPDATE received on a 4-octet-AS session
    /// (every session with FRR and GoBGP): see [`PathAttrs::from_update_ctx`].
    pub fn from_update(u: &Update) -> PathAttrs {
        PathAttrs::from_update_ctx(u, &CodecContext::four_octet())
    }

    /// The RIB's attributes of an UPDATE received in a session with `ctx`.
    /// AS4_PATH and AS4_AGGREGATOR are folded into AS_PATH and AGGREGATOR
    /// on a 2-octet session (RFC 6793 §4.2.3) and dropped on a 4-octet one
    /// (where a NEW speaker must not send them); the RIB keeps 4-octet paths.
    pub fn from_update_ctx(u: &Update, ctx: &CodecContext) -> PathAttrs {
        let mut next_hop = None;
        let mut attributes = Vec::with_capacity(u.attributes.len());
        for a in &u.attributes {
            match &a.value {
                AttrValue::NextHop(nh) => {
                    if next_hop.is_none() {
                        next_hop = Some(NextHop::Ipv4(*nh));
                    }
                }
                AttrValue::MpReach(m) => next_hop = Some(m.next_hop.clone()),
                AttrValue::MpUnreach(_) => {}
                _ => attributes.push(a.clone()),
            }
        }
        let mut p = PathAttrs {
            attributes,
            next_hop,
        };
        if !ctx.four_octet_as {
            p.merge_as4();
        }
        p.remove(at::AS4_PATH);
        p.remove(at::AS4_AGGREGATOR);
        p.normalise();
        p
    }

    /// RFC 6793 §4.2.3: rebuild the 4-octet path of a 2-octet session.
    fn merge_as4(&mut self) {
        let as4_aggr = match self.get(at::AS4_AGGREGATOR) {
            Some(AttrValue::As4Aggregator(a)) => Some(*a),
            _ => None,
        };
        // An AGGREGATOR that is not AS_TRANS means the AS4_ attributes are
        // stale: ignore both.
        match self.get(at::AGGREGATOR) {
            Some(AttrValue::Aggregator(a)) if a.asn != Asn::TRANS => return,
            Some(AttrValue::Aggregator(_)) => {
                if let Some(a4) = as4_aggr {
                    self.set(AttrValue::Aggregator(a4));
                }
            }
            _ => {}
        }
        let (Some(AttrValue::AsPath(p2)), Some(AttrValue::As4Path(p4))) =
            (self.get(at::AS_PATH), self.get(at::AS4_PATH))
        else {
            return;
        };
        let (n2, n4) = (p2.path_len(), p4.path_len());
        if n2 < n4 {
            return;
        }
        let mut need = n2 - n4;
        let mut segments = Vec::new();
        for s in &p2.segments {
            if need == 0 {
                break;
            }
            match s.kind {
                SegmentType::Sequence => {
                    let take = need.min(s.asns.len());
                    segments.push(AsSegment {
                        kind: SegmentType::Sequence,
                        asns: s.asns.iter().take(take).copied().collect(),
                    });
                    need -= take;
                }
                SegmentType::Set => {
                    segments.push(s.clone());
                    need -= 1;
                }
                SegmentType::ConfedSequence | SegmentType::ConfedSet => segments.push(s.clone()),
            }
        }
        for s in &p4.segments {
            // Join the two halves of a sequence split at the AS4 boundary.
            match segments.last_mut() {
                Some(last)
                    if last.kind == SegmentType::Sequence && s.kind == SegmentType::Sequence =>
                {
                    last.asns.extend_from_slice(&s.asns);
                }
                _ => segments.push(s.clone()),
            }
        }
        self.set(AttrValue::AsPath(AsPath { segments }));
    }

    fn normalise(&mut self) {
        attr::canonical_order(&mut self.attributes);
    }

    /// The value of the first attribute of `type_code`.
    pub fn get(&self, type_code: u8) -> Option<&AttrValue> {
        self.attributes
            .iter()
            .map(|a| &a.value)
            .find(|v| v.type_code() == type_code)
    }

    fn get_mut(&mut self, type_code: u8) -> Option<&mut AttrValue> {
        self.attributes
            .iter_mut()
            .map(|a| &mut a.value)
            .find(|v| v.type_code() == type_code)
    }

    fn remove(&mut self, type_code: u8) {
        self.attributes.retain(|a| a.type_code() != type_code);
    }

    fn set(&mut self, value: AttrValue) {
        let t = value.type_code();
        match self.get_mut(t) {
            Some(v) => *v = value,
            None => {
                self.attributes.push(PathAttribute::new(value));
                self.normalise();
            }
        }
    }

    fn as_path(&self) -> Option<&AsPath> {
        match self.get(at::AS_PATH) {
            Some(AttrValue::AsPath(p)) => Some(p),
            _ => None,
        }
    }

    fn ext_communities(&self) -> &[ExtendedCommunity] {
        match self.get(at::EXTENDED_COMMUNITIES) {
            Some(AttrValue::ExtendedCommunities(v)) => v,
            _ => &[],
        }
    }

    fn has_community(&self, c: Community) -> bool {
        matches!(self.get(at::COMMUNITIES), Some(AttrValue::Communities(v)) if v.contains(&c))
    }

    fn cluster_list(&self) -> &[Ipv4Addr] {
        match self.get(at::CLUSTER_LIST) {
            Some(AttrValue::ClusterList(v)) => v,
            _ => &[],
        }
    }
}

impl RibAttributes for PathAttrs {
    fn facts(&self, default_local_pref: u32) -> PathFacts {
        let local_pref = match self.get(at::LOCAL_PREF) {
            Some(AttrValue::LocalPref(v)) => *v,
            _ => default_local_pref,
        };
        let origin = match self.get(at::ORIGIN) {
            Some(AttrValue::Origin(Origin::Igp)) => super::origin::IGP,
            Some(AttrValue::Origin(Origin::Egp)) => super::origin::EGP,
            _ => super::origin::INCOMPLETE,
        };
        let med = match self.get(at::MULTI_EXIT_DISC) {
            Some(AttrValue::MultiExitDisc(v)) => *v,
            _ => 0,
        };
        let originator_id = match self.get(at::ORIGINATOR_ID) {
            Some(AttrValue::OriginatorId(a)) => Some(RouterId(*a)),
            _ => None,
        };
        let mac_mobility = self.ext_communities().iter().find_map(|c| match c {
            ExtendedCommunity::MacMobility { sticky, sequence } => Some(MacMobility {
                sequence: *sequence,
                sticky: *sticky,
            }),
            _ => None,
        });
        let path = self.as_path();
        PathFacts {
            local_pref,
            as_path_len: path.map_or(0, |p| u32::try_from(p.path_len()).unwrap_or(u32::MAX)),
            neighbor_as: path.and_then(AsPath::first_as),
            origin,
            med,
            originator_id,
            cluster_list_len: u32::try_from(self.cluster_list().len()).unwrap_or(u32::MAX),
            mac_mobility,
        }
    }

    fn as_path_contains(&self, asn: Asn) -> bool {
        self.as_path().is_some_and(|p| p.contains(asn))
    }

    fn cluster_list_contains(&self, cluster_id: u32) -> bool {
        self.cluster_list()
            .iter()
            .any(|a| u32::from(*a) == cluster_id)
    }

    fn route_targets(&self) -> Vec<RouteTarget> {
        self.ext_communities()
            .iter()
            .filter_map(ExtendedCommunity::route_target)
            .collect()
    }

    fn next_hop(&self) -> Option<IpAddr> {
        self.next_hop.as_ref().and_then(NextHop::addr)
    }

    fn no_advertise(&self) -> bool {
        self.has_community(Community::NO_ADVERTISE)
    }

    fn no_export(&self) -> bool {
        self.has_community(Community::NO_EXPORT)
    }

    fn export(&self, p: &ExportParams) -> PathAttrs {
        let mut out = PathAttrs {
            attributes: self
                .attributes
                .iter()
                .filter_map(PathAttribute::for_propagation)
                .collect(),
            next_hop: self.next_hop.clone(),
        };
        if p.ebgp {
            let mut path = out.as_path().cloned().unwrap_or_default();
            path.prepend(p.local_as);
            out.set(AttrValue::AsPath(path));
            out.remove(at::LOCAL_PREF);
            out.remove(at::ORIGINATOR_ID);
            out.remove(at::CLUSTER_LIST);
            if p.strip_med {
                // RFC 4271 §5.1.4: a MED received from one AS is not
                // passed to another.
                out.remove(at::MULTI_EXIT_DISC);
            }
        } else if out.get(at::LOCAL_PREF).is_none() {
            out.set(AttrValue::LocalPref(p.default_local_pref));
        }
        if let Some(r) = p.reflect {
            if out.get(at::ORIGINATOR_ID).is_none() {
                out.set(AttrValue::OriginatorId(r.originator.0));
            }
            let mut list = out.cluster_list().to_vec();
            list.insert(0, Ipv4Addr::from(r.cluster_id));
            out.set(AttrValue::ClusterList(list));
        }
        if let Some(nh) = p.next_hop {
            out.next_hop = Some(match nh {
                IpAddr::V4(a) => NextHop::Ipv4(a),
                IpAddr::V6(a) => NextHop::Ipv6 {
                    global: a,
                    link_local: None,
                },
            });
        }
        out
    }

    fn with_route_targets(&self, rts: &[RouteTarget]) -> PathAttrs {
        let mut out = self.clone();
        let mut ecs = out.ext_communities().to_vec();
        for rt in rts {
            let ec = ExtendedCommunity::from(*rt);
            if !ecs.contains(&ec) {
                ecs.push(ec);
            }
        }
        if !ecs.is_empty() {
            out.set(AttrValue::ExtendedCommunities(ecs));
        }
        out
    }

    fn encoded_len(&self, family: AddressFamily, ctx: &CodecContext) -> usize {
        let attrs = attr::attributes_len(&self.attributes, ctx);
        let nh = self
            .next_hop
            .as_ref()
            .map(|n| next_hop_for(family, n).encoded_len())
            .unwrap_or(0);
        if family == AddressFamily::IPV4_UNICAST && !self.mp_ipv4() {
            // NEXT_HOP: flags, type, length, 4 bytes.
            attrs + 3 + 4
        } else {
            // MP_REACH_NLRI with a 2-byte length (an upper bound): flags,
            // type, length, AFI, SAFI, next hop length, next hop, reserved.
            attrs + 4 + 3 + 1 + nh + 1
        }
    }
}

impl PathAttrs {
    /// IPv4 unicast routes whose next hop is IPv6 (RFC 8950) travel in
    /// MP_REACH_NLRI.
    fn mp_ipv4(&self) -> bool {
        matches!(self.next_hop, Some(NextHop::Ipv6 { .. }))
    }
}

/// The next hop in the form `family` carries it (VPN families put a zero RD
/// in front, RFC 4364 §4.3.2, RFC 4659 §3.2.1).
pub fn next_hop_for(family: AddressFamily, nh: &NextHop) -> NextHop {
    match (family, nh) {
        (AddressFamily::VPNV4, NextHop::Ipv4(a)) => NextHop::VpnIpv4 {
            rd: RouteDistinguisher::ZERO,
            addr: *a,
        },
        (AddressFamily::VPNV4 | AddressFamily::VPNV6, NextHop::Ipv6 { global, .. }) => {
            NextHop::VpnIpv6 {
                rd: RouteDistinguisher::ZERO,
                global: *global,
                link_local: None,
            }
        }
        (AddressFamily::VPNV6, NextHop::Ipv4(a)) => NextHop::VpnIpv6 {
            rd: RouteDistinguisher::ZERO,
            global: a.to_ipv6_mapped(),
            link_local: None,
        },
        (
            AddressFamily::IPV4_UNICAST | AddressFamily::IPV6_UNICAST | AddressFamily::L2VPN_EVPN,
            NextHop::VpnIpv4 { addr, .. },
        ) => NextHop::Ipv4(*addr),
        (
            AddressFamily::IPV4_UNICAST | AddressFamily::IPV6_UNICAST | AddressFamily::L2VPN_EVPN,
            NextHop::VpnIpv6 { global, .. },
        ) => NextHop::Ipv6 {
            global: *global,
            link_local: None,
        },
        (AddressFamily::IPV6_UNICAST, NextHop::Ipv4(a)) => NextHop::Ipv6 {
            global: a.to_ipv6_mapped(),
            link_local: None,
        },
        _ => nh.clone(),
    }
}

/// The routes of one UPDATE, split for the RIB.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RibUpdate {
    /// Reachable NLRI with their ADD-PATH identifiers.
    pub announce: Vec<(Option<u32>, Route)>,
    /// Withdrawn NLRI (including, under treat-as-withdraw, the announced ones).
    pub withdraw: Vec<(Option<u32>, Route)>,
    /// The shared attributes of `announce`.
    pub attrs: Option<Arc<PathAttrs>>,
    /// The UPDATE is an End-of-RIB marker for this family (RFC 4724 §2).
    pub end_of_rib: Option<AddressFamily>,
    /// The UPDATE was treated as a withdrawal (RFC 7606 §2).
    pub treat_as_withdraw: bool,
}

fn push_list(out: &mut Vec<(Option<u32>, Route)>, list: &NlriList) {
    match list {
        NlriList::Ipv4Unicast(v) => out.extend(v.iter().map(|p| (p.path_id, Route::Ipv4(p.nlri)))),
        NlriList::Ipv6Unicast(v) => out.extend(v.iter().map(|p| (p.path_id, Route::Ipv6(p.nlri)))),
        NlriList::Evpn(v) => out.extend(v.iter().map(|p| (p.path_id, Route::Evpn(p.nlri.clone())))),
        NlriList::Vpnv4(v) => out.extend(v.iter().map(|p| (p.path_id, Route::Vpnv4(p.nlri)))),
        NlriList::Vpnv6(v) => out.extend(v.iter().map(|p| (p.path_id, Route::Vpnv6(p.nlri)))),
        NlriList::Unknown { .. } => {}
    }
}

/// Split a received UPDATE into what the RIB inserts and withdraws. With a
/// treat-as-withdraw error among `attr_errors`, exactly the NLRI of this
/// UPDATE (NLRI field and MP_REACH_NLRI) become withdrawals.
pub fn split_update(u: &Update, attr_errors: &[AttrError]) -> RibUpdate {
    split_update_ctx(u, attr_errors, &CodecContext::four_octet())
}

/// [`split_update`] for a session with `ctx` (2-octet AS sessions fold
/// AS4_PATH into AS_PATH, see [`PathAttrs::from_update_ctx`]).
pub fn split_update_ctx(u: &Update, attr_errors: &[AttrError], ctx: &CodecContext) -> RibUpdate {
    let mut out = RibUpdate {
        end_of_rib: u.end_of_rib(),
        treat_as_withdraw: attr_errors
            .iter()
            .any(|e| e.action == Action::TreatAsWithdraw),
        ..RibUpdate::default()
    };
    out.withdraw
        .extend(u.withdrawn.iter().map(|p| (p.path_id, Route::Ipv4(p.nlri))));
    if let Some(m) = u.mp_unreach() {
        push_list(&mut out.withdraw, &m.nlri);
    }
    let mut reach = Vec::new();
    reach.extend(u.nlri.iter().map(|p| (p.path_id, Route::Ipv4(p.nlri))));
    if let Some(m) = u.mp_reach() {
        push_list(&mut reach, &m.nlri);
    }
    if out.treat_as_withdraw {
        out.withdraw.extend(reach);
    } else if !reach.is_empty() {
        out.announce = reach;
        out.attrs = Some(Arc::new(PathAttrs::from_update_ctx(u, ctx)));
    }
    out
}

/// What [`apply_update`] did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Applied {
    /// Paths inserted or replaced.
    pub inserted: usize,
    /// Paths removed.
    pub withdrawn: usize,
    /// Paths refused (by route key), with why.
    pub rejected: Vec<(RouteKey, Rejected)>,
    /// End-of-RIB marker for this family.
    pub end_of_rib: Option<AddressFamily>,
}

/// Apply a received UPDATE from `peer` (a 4-octet-AS session) to the RIB.
pub fn apply_update(
    rib: &mut Rib<PathAttrs>,
    peer: PeerId,
    u: &Update,
    attr_errors: &[AttrError],
) -> Applied {
    apply_update_ctx(rib, peer, u, attr_errors, &CodecContext::four_octet())
}

/// Apply a received UPDATE from `peer`, whose session has `ctx`, to the RIB.
pub fn apply_update_ctx(
    rib: &mut Rib<PathAttrs>,
    peer: PeerId,
    u: &Update,
    attr_errors: &[AttrError],
    ctx: &CodecContext,
) -> Applied {
    let split = split_update_ctx(u, attr_errors, ctx);
    let prepared = PreparedUpdate {
        withdraw: split
            .withdraw
            .into_iter()
            .map(|(id, r)| (id, r.key()))
            .collect(),
        announce: split
            .announce
            .into_iter()
            .map(|(id, r)| (id, r.key(), r))
            .collect(),
        attrs: split.attrs,
        end_of_rib: split.end_of_rib,
        treat_as_withdraw: split.treat_as_withdraw,
    };
    apply_prepared(rib, peer, prepared)
}

/// A received UPDATE made ready for the RIB: its routes moved out of the
/// message, each with its key. The daemon prepares UPDATEs in the task that
/// decoded them, so that the RIB's (serial) work is only the RIB's.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PreparedUpdate {
    /// Reachable NLRI: ADD-PATH identifier, key, route.
    pub announce: Vec<(Option<u32>, RouteKey, Route)>,
    /// Withdrawn routes (including, under treat-as-withdraw, the announced
    /// ones): ADD-PATH identifier and key.
    pub withdraw: Vec<(Option<u32>, RouteKey)>,
    /// The shared attributes of `announce`.
    pub attrs: Option<Arc<PathAttrs>>,
    /// The UPDATE is an End-of-RIB marker for this family (RFC 4724 §2).
    pub end_of_rib: Option<AddressFamily>,
    /// The UPDATE was treated as a withdrawal (RFC 7606 §2).
    pub treat_as_withdraw: bool,
}

fn push_owned(out: &mut Vec<(Option<u32>, Route)>, list: NlriList) {
    match list {
        NlriList::Ipv4Unicast(v) => {
            out.extend(v.into_iter().map(|p| (p.path_id, Route::Ipv4(p.nlri))))
        }
        NlriList::Ipv6Unicast(v) => {
            out.extend(v.into_iter().map(|p| (p.path_id, Route::Ipv6(p.nlri))))
        }
        NlriList::Evpn(v) => out.extend(v.into_iter().map(|p| (p.path_id, Route::Evpn(p.nlri)))),
        NlriList::Vpnv4(v) => out.extend(v.into_iter().map(|p| (p.path_id, Route::Vpnv4(p.nlri)))),
        NlriList::Vpnv6(v) => out.extend(v.into_iter().map(|p| (p.path_id, Route::Vpnv6(p.nlri)))),
        NlriList::Unknown { .. } => {}
    }
}

/// [`split_update_ctx`] taking the UPDATE by value: the NLRI are moved, not
/// copied, and keyed. With a treat-as-withdraw error among `attr_errors`,
/// exactly the NLRI of this UPDATE become withdrawals.
pub fn prepare_update(u: Update, attr_errors: &[AttrError], ctx: &CodecContext) -> PreparedUpdate {
    let end_of_rib = u.end_of_rib();
    let treat_as_withdraw = attr_errors
        .iter()
        .any(|e| e.action == Action::TreatAsWithdraw);
    let reaches = !u.nlri.is_empty() || u.mp_reach().is_some_and(|m| !m.nlri.is_empty());
    let attrs =
        (reaches && !treat_as_withdraw).then(|| Arc::new(PathAttrs::from_update_ctx(&u, ctx)));
    let Update {
        withdrawn,
        attributes,
        nlri,
    } = u;
    let mut gone: Vec<(Option<u32>, Route)> = withdrawn
        .into_iter()
        .map(|p| (p.path_id, Route::Ipv4(p.nlri)))
        .collect();
    let mut reach: Vec<(Option<u32>, Route)> = nlri
        .into_iter()
        .map(|p| (p.path_id, Route::Ipv4(p.nlri)))
        .collect();
    // The decoder refuses a second MP_REACH_NLRI or MP_UNREACH_NLRI (RFC
    // 7606 §3 g); only the first of each counts, as in `Update::mp_reach`.
    let (mut seen_reach, mut seen_unreach) = (false, false);
    for a in attributes {
        match a.value {
            AttrValue::MpReach(m) if !seen_reach => {
                seen_reach = true;
                push_owned(&mut reach, m.nlri);
            }
            AttrValue::MpUnreach(m) if !seen_unreach => {
                seen_unreach = true;
                push_owned(&mut gone, m.nlri);
            }
            _ => {}
        }
    }
    if treat_as_withdraw {
        gone.append(&mut reach);
    }
    PreparedUpdate {
        withdraw: gone.into_iter().map(|(id, r)| (id, r.key())).collect(),
        announce: reach.into_iter().map(|(id, r)| (id, r.key(), r)).collect(),
        attrs,
        end_of_rib,
        treat_as_withdraw,
    }
}

/// Apply a [`PreparedUpdate`] from `peer` to the RIB.
pub fn apply_prepared(rib: &mut Rib<PathAttrs>, peer: PeerId, u: PreparedUpdate) -> Applied {
    let mut out = Applied {
        end_of_rib: u.end_of_rib,
        ..Applied::default()
    };
    for (id, key) in &u.withdraw {
        if rib.withdraw_key(peer, *id, key) {
            out.withdrawn += 1;
        }
    }
    if let Some(attrs) = u.attrs {
        for (id, key, r) in u.announce {
            match rib.insert_keyed(peer, id, &key, r, attrs.clone()) {
                Ok(()) => out.inserted += 1,
                Err(e) => out.rejected.push((key, e)),
            }
        }
    }
    out
}

fn to_list(family: AddressFamily, routes: &[Route], path_id: Option<u32>) -> NlriList {
    let mut list = NlriList::empty(family);
    for r in routes {
        match (&mut list, r) {
            (NlriList::Ipv4Unicast(v), Route::Ipv4(p)) => v.push(PathNlri { path_id, nlri: *p }),
            (NlriList::Ipv6Unicast(v), Route::Ipv6(p)) => v.push(PathNlri { path_id, nlri: *p }),
            (NlriList::Evpn(v), Route::Evpn(e)) => v.push(PathNlri {
                path_id,
                nlri: e.clone(),
            }),
            (NlriList::Vpnv4(v), Route::Vpnv4(p)) => v.push(PathNlri { path_id, nlri: *p }),
            (NlriList::Vpnv6(v), Route::Vpnv6(p)) => v.push(PathNlri { path_id, nlri: *p }),
            _ => {}
        }
    }
    list
}

/// The path identifier sent with the (single, best) path of a route when
/// ADD-PATH send is negotiated.
pub const BEST_PATH_ID: u32 = 1;

/// The UPDATE for one [`OutUpdate`] in a session with `ctx`.
pub fn build_update(out: &OutUpdate<PathAttrs>, ctx: &CodecContext) -> Update {
    let family = out.family;
    let path_id = ctx.sends_path_id(family).then_some(BEST_PATH_ID);
    let mut u = Update::default();
    if out.is_end_of_rib() {
        // RFC 4724 §2: an empty UPDATE for IPv4 unicast, otherwise one with
        // only an empty MP_UNREACH_NLRI.
        if family != AddressFamily::IPV4_UNICAST {
            u.attributes
                .push(PathAttribute::new(AttrValue::MpUnreach(MpUnreach {
                    nlri: NlriList::empty(family),
                })));
        }
        return u;
    }
    if !out.withdraw.is_empty() {
        if family == AddressFamily::IPV4_UNICAST {
            u.withdrawn = out
                .withdraw
                .iter()
                .filter_map(|r| match r {
                    Route::Ipv4(p) => Some(PathNlri { path_id, nlri: *p }),
                    _ => None,
                })
                .collect();
        } else {
            u.attributes
                .push(PathAttribute::new(AttrValue::MpUnreach(MpUnreach {
                    nlri: to_list(family, &out.withdraw, path_id),
                })));
        }
    }
    if let Some(attrs) = &out.attrs {
        if !out.announce.is_empty() {
            let mut list: Vec<PathAttribute> = attrs.attributes.clone();
            let nh = attrs.next_hop.as_ref().map(|n| next_hop_for(family, n));
            match (family, nh) {
                (AddressFamily::IPV4_UNICAST, Some(NextHop::Ipv4(a)))
                | (AddressFamily::IPV4_UNICAST, Some(NextHop::VpnIpv4 { addr: a, .. })) => {
                    list.push(PathAttribute::new(AttrValue::NextHop(a)));
                    u.nlri = out
                        .announce
                        .iter()
                        .filter_map(|r| match r {
                            Route::Ipv4(p) => Some(PathNlri { path_id, nlri: *p }),
                            _ => None,
                        })
                        .collect();
                }
                (_, nh) => {
                    let next_hop = nh.unwrap_or(match family.afi {
                        Afi::Ipv6 => NextHop::Ipv6 {
                            global: Ipv6Addr::UNSPECIFIED,
                            link_local: None,
                        },
                        _ => NextHop::Ipv4(Ipv4Addr::UNSPECIFIED),
                    });
                    list.push(PathAttribute::new(AttrValue::MpReach(MpReach {
                        next_hop,
                        nlri: to_list(family, &out.announce, path_id),
                    })));
                }
            }
            if !ctx.four_octet_as {
                add_as4(&mut list);
            }
            u.attributes.extend(list);
        }
    }
    attr::canonical_order(&mut u.attributes);
    u
}

/// RFC 6793 §4.2.2: towards a 2-octet speaker, AS numbers above 65535 go
/// out as AS_TRANS (the codec does that) and the true values in AS4_PATH
/// (without confederation segments) and AS4_AGGREGATOR.
fn add_as4(list: &mut Vec<PathAttribute>) {
    let mut extra = Vec::new();
    for a in list.iter() {
        match &a.value {
            AttrValue::AsPath(p)
                if p.segments
                    .iter()
                    .any(|s| s.asns.iter().any(|x| !x.is_2byte())) =>
            {
                let segments = p
                    .segments
                    .iter()
                    .filter(|s| matches!(s.kind, SegmentType::Sequence | SegmentType::Set))
                    .cloned()
                    .collect();
                extra.push(PathAttribute::new(AttrValue::As4Path(AsPath { segments })));
            }
            AttrValue::Aggregator(g) if !g.asn.is_2byte() => {
                extra.push(PathAttribute::new(AttrValue::As4Aggregator(*g)));
            }
            _ => {}
        }
    }
    list.extend(extra);
}

/// The End-of-RIB marker for `family` (RFC 4724 §2): an empty UPDATE for
/// IPv4 unicast, an UPDATE with only an empty MP_UNREACH_NLRI otherwise.
/// Send it once the initial table has gone out.
pub fn end_of_rib(family: AddressFamily) -> Update {
    let mut u = Update::default();
    if family != AddressFamily::IPV4_UNICAST {
        u.attributes
            .push(PathAttribute::new(AttrValue::MpUnreach(MpUnreach {
                nlri: NlriList::empty(family),
            })));
    }
    u
}

#[cfg(test)]
mod tests;
