//! What the RIB needs to know about, and do to, a route's path attributes.
//!
//! The RIB is generic over its attribute type through [`RibAttributes`] so
//! that one implementation serves every address family and the decision
//! process can be tested on its own. The facts the decision process compares
//! are extracted once per received path into [`PathFacts`]; the attributes
//! themselves are shared (`Arc`) between every NLRI of an UPDATE.

use core::fmt::Debug;
use core::hash::Hash;
use core::net::IpAddr;

use crate::types::{AddressFamily, Asn, RouteTarget, RouterId};
use crate::wire::CodecContext;

/// MAC mobility state of an EVPN type-2 route (RFC 7432 §7.7, §15).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct MacMobility {
    /// Sequence number (0 when the community is absent).
    pub sequence: u32,
    /// Sticky (static) MAC.
    pub sticky: bool,
}

/// ORIGIN values (RFC 4271 §5.1.1), lower is preferred.
pub mod origin {
    /// IGP.
    pub const IGP: u8 = 0;
    /// EGP.
    pub const EGP: u8 = 1;
    /// INCOMPLETE.
    pub const INCOMPLETE: u8 = 2;
}

/// The values the decision process compares, extracted from the attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PathFacts {
    /// LOCAL_PREF, or the configured default when absent.
    pub local_pref: u32,
    /// AS_PATH length for §9.1.2.2 a): an AS_SET counts 1, confederation
    /// segments count 0.
    pub as_path_len: u32,
    /// The first AS of the AS_PATH (the neighbouring AS), if any.
    pub neighbor_as: Option<Asn>,
    /// ORIGIN.
    pub origin: u8,
    /// MULTI_EXIT_DISC; a missing MED is 0, the lowest value (RFC 4271 §9.1.2.2 c).
    pub med: u32,
    /// ORIGINATOR_ID (RFC 4456 §8).
    pub originator_id: Option<RouterId>,
    /// Number of CLUSTER_LIST entries (RFC 4456 §9).
    pub cluster_list_len: u32,
    /// MAC mobility (type-2 routes only; `None` without the community).
    pub mac_mobility: Option<MacMobility>,
}

/// How to rewrite attributes for one peer on the way out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExportParams {
    /// The receiver is an external peer: prepend `local_as`, drop
    /// LOCAL_PREF, ORIGINATOR_ID and CLUSTER_LIST, and drop the MED if
    /// `strip_med` (RFC 4271 §5.1.4).
    pub ebgp: bool,
    /// Our AS.
    pub local_as: Asn,
    /// Replace the next hop with this address (next-hop-self).
    pub next_hop: Option<IpAddr>,
    /// For internal peers: LOCAL_PREF to set when the attribute is absent.
    pub default_local_pref: u32,
    /// The path was learnt, not originated here: towards an external peer
    /// its MED (set by another AS, or meant for our own routers) is not
    /// passed on (RFC 4271 §5.1.4). A MED we originate is sent.
    pub strip_med: bool,
    /// Route reflection (RFC 4456 §8): set ORIGINATOR_ID if absent and
    /// prepend the cluster ID to CLUSTER_LIST.
    pub reflect: Option<Reflection>,
}

/// The attributes route reflection adds (RFC 4456 §8).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Reflection {
    /// The BGP identifier of the peer the route came from (used when the
    /// route has no ORIGINATOR_ID yet).
    pub originator: RouterId,
    /// Our cluster ID.
    pub cluster_id: u32,
}

/// Path attributes as the RIB sees them.
pub trait RibAttributes: Clone + Eq + Hash + Debug {
    /// The values the decision process compares. `default_local_pref`
    /// stands in for a missing LOCAL_PREF.
    fn facts(&self, default_local_pref: u32) -> PathFacts;
    /// Our AS appears in the AS_PATH (loop, RFC 4271 §9.1.2).
    fn as_path_contains(&self, asn: Asn) -> bool;
    /// The CLUSTER_LIST contains `cluster_id` (loop, RFC 4456 §8).
    fn cluster_list_contains(&self, cluster_id: u32) -> bool;
    /// The route targets carried (extended communities).
    fn route_targets(&self) -> Vec<RouteTarget>;
    /// The next hop (from NEXT_HOP or MP_REACH_NLRI).
    fn next_hop(&self) -> Option<IpAddr>;
    /// Carries NO_ADVERTISE (RFC 1997): never sent to any peer.
    fn no_advertise(&self) -> bool;
    /// Carries NO_EXPORT (RFC 1997): not sent to external peers.
    fn no_export(&self) -> bool;
    /// The attributes to send for `params`.
    fn export(&self, params: &ExportParams) -> Self;
    /// Add route targets (for routes originated in a VRF/VNI with export RTs).
    fn with_route_targets(&self, rts: &[RouteTarget]) -> Self;
    /// Bytes the attributes take in an UPDATE of `family` carrying no NLRI:
    /// the path attributes including, for multiprotocol families, the
    /// MP_REACH_NLRI header and next hop (but not its NLRI), in a session
    /// with `ctx`.
    fn encoded_len(&self, family: AddressFamily, ctx: &CodecContext) -> usize;
}
