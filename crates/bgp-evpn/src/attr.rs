//! Path attributes (RFC 4271 §4.3, §5 and the RFCs named per attribute).
//!
//! ```text
//!  0                   1
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  Attr. Flags  |Attr. Type Code|  then Length: 1 octet, or 2 octets
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+  when the Extended Length flag is set
//! ```
//!
//! A [`PathAttribute`] is its [`AttrFlags`] plus an [`AttrValue`]. Flags are
//! kept as received (Partial, Extended Length) so that attributes re-encode
//! to the same bytes; [`PathAttribute::new`] picks the canonical flags for a
//! known attribute. The encoder sets Extended Length whenever the value is
//! longer than 255 bytes; the bit in `flags` only records a *forced*
//! Extended Length on a short value (FRR sets it on every MP_REACH_NLRI),
//! and the decoder clears it on values over 255 bytes.
//!
//! Decoding an attribute list ([`decode_attributes`]) applies RFC 7606: each
//! malformed attribute becomes an [`AttrError`] carrying its [`Action`]
//! (table in [`malformed_action`]); only errors whose action is session reset
//! fail the decode.

use core::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use crate::error::{Action, AttrError, UpdateError};
use crate::extcomm::{Community, ExtendedCommunity, LargeCommunity};
use crate::iana::{as_path_segment as seg, attr_flags, attr_type as at, update_subcode as sc};
use crate::nlri::NlriList;
use crate::types::{AddressFamily, Afi, Asn, LabelField, RouteDistinguisher};
use crate::wire::{
    CodecContext, DecodeError, EncodeError, LenWidth, PeerKind, Reader, Sink, Writer,
};

/// The flags octet of a path attribute.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AttrFlags(pub u8);

impl AttrFlags {
    /// Well-known (mandatory or discretionary): transitive, not optional.
    pub const WELL_KNOWN: AttrFlags = AttrFlags(attr_flags::TRANSITIVE);
    /// Optional transitive.
    pub const OPTIONAL_TRANSITIVE: AttrFlags =
        AttrFlags(attr_flags::OPTIONAL | attr_flags::TRANSITIVE);
    /// Optional non-transitive.
    pub const OPTIONAL: AttrFlags = AttrFlags(attr_flags::OPTIONAL);

    /// Optional bit.
    pub fn optional(self) -> bool {
        self.0 & attr_flags::OPTIONAL != 0
    }
    /// Transitive bit.
    pub fn transitive(self) -> bool {
        self.0 & attr_flags::TRANSITIVE != 0
    }
    /// Partial bit.
    pub fn partial(self) -> bool {
        self.0 & attr_flags::PARTIAL != 0
    }
    /// Extended Length bit.
    pub fn extended_length(self) -> bool {
        self.0 & attr_flags::EXTENDED_LENGTH != 0
    }
    /// These flags with the Partial bit set.
    pub fn with_partial(self) -> AttrFlags {
        AttrFlags(self.0 | attr_flags::PARTIAL)
    }
}

/// ORIGIN (RFC 4271 §5.1.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Origin {
    /// IGP (0).
    Igp,
    /// EGP (1).
    Egp,
    /// INCOMPLETE (2).
    Incomplete,
}

/// AS_PATH segment types (RFC 4271 §4.3, RFC 5065 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SegmentType {
    /// AS_SET (1).
    Set,
    /// AS_SEQUENCE (2).
    Sequence,
    /// AS_CONFED_SEQUENCE (3).
    ConfedSequence,
    /// AS_CONFED_SET (4).
    ConfedSet,
}

/// One AS_PATH segment. A segment holds at most 255 AS numbers on the wire;
/// the encoder splits longer ones into consecutive segments of the same type.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AsSegment {
    /// The segment type.
    pub kind: SegmentType,
    /// The AS numbers.
    pub asns: Vec<Asn>,
}

/// AS_PATH or AS4_PATH (RFC 4271 §5.1.2, RFC 6793).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct AsPath {
    /// Segments in order.
    pub segments: Vec<AsSegment>,
}

impl AsPath {
    /// An AS_PATH that is one AS_SEQUENCE (empty for no ASNs).
    pub fn sequence(asns: Vec<Asn>) -> AsPath {
        if asns.is_empty() {
            return AsPath::default();
        }
        AsPath {
            segments: vec![AsSegment {
                kind: SegmentType::Sequence,
                asns,
            }],
        }
    }

    /// Path length for the decision process (RFC 4271 §9.1.2.2 a): an AS_SET
    /// counts 1, confederation segments count 0 (RFC 5065 §5.3).
    pub fn path_len(&self) -> usize {
        self.segments
            .iter()
            .map(|s| match s.kind {
                SegmentType::Sequence => s.asns.len(),
                SegmentType::Set => 1,
                SegmentType::ConfedSequence | SegmentType::ConfedSet => 0,
            })
            .sum()
    }

    /// The leftmost AS of a leading AS_SEQUENCE (the neighbouring AS).
    pub fn first_as(&self) -> Option<Asn> {
        let s = self.segments.first()?;
        if s.kind == SegmentType::Sequence {
            s.asns.first().copied()
        } else {
            None
        }
    }

    /// `asn` appears anywhere in the path.
    pub fn contains(&self, asn: Asn) -> bool {
        self.segments.iter().any(|s| s.asns.contains(&asn))
    }

    /// Prepend `asn` to the leading AS_SEQUENCE (creating one if needed).
    pub fn prepend(&mut self, asn: Asn) {
        if let Some(s) = self.segments.first_mut() {
            if s.kind == SegmentType::Sequence && s.asns.len() < 255 {
                s.asns.insert(0, asn);
                return;
            }
        }
        self.segments.insert(
            0,
            AsSegment {
                kind: SegmentType::Sequence,
                asns: vec![asn],
            },
        );
    }
}

/// AGGREGATOR / AS4_AGGREGATOR (RFC 4271 §5.1.7, RFC 6793).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Aggregator {
    /// The aggregating AS.
    pub asn: Asn,
    /// The aggregating router's BGP identifier.
    pub addr: Ipv4Addr,
}

/// The next hop of MP_REACH_NLRI (RFC 4760 §3), by length:
/// 4 (IPv4), 16 (IPv6 global), 32 (global + link-local, RFC 2545 §3),
/// 12/24/48 (the same behind an 8-byte RD, RFC 4364 §4.3.2, RFC 4659 §3.2.1).
/// IPv6 next hops for IPv4 NLRI require RFC 8950 negotiation.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum NextHop {
    /// An IPv4 address (4 bytes).
    Ipv4(Ipv4Addr),
    /// An IPv6 global address and optional link-local address (16 or 32 bytes).
    Ipv6 {
        /// Global address.
        global: Ipv6Addr,
        /// Link-local address.
        link_local: Option<Ipv6Addr>,
    },
    /// RD + IPv4 (12 bytes). The RD is zero in practice.
    VpnIpv4 {
        /// Route distinguisher.
        rd: RouteDistinguisher,
        /// Address.
        addr: Ipv4Addr,
    },
    /// RD + IPv6, optionally followed by RD + link-local (24 or 48 bytes).
    VpnIpv6 {
        /// Route distinguisher.
        rd: RouteDistinguisher,
        /// Global address.
        global: Ipv6Addr,
        /// Link-local address with its RD.
        link_local: Option<(RouteDistinguisher, Ipv6Addr)>,
    },
    /// The next hop of a family this codec does not parse.
    Raw(Vec<u8>),
}

impl NextHop {
    /// Encoded size (the value of the Length of Next Hop field).
    pub fn encoded_len(&self) -> usize {
        match self {
            NextHop::Ipv4(_) => 4,
            NextHop::Ipv6 { link_local, .. } => 16 + link_local.map_or(0, |_| 16),
            NextHop::VpnIpv4 { .. } => 12,
            NextHop::VpnIpv6 { link_local, .. } => 24 + link_local.map_or(0, |_| 24),
            NextHop::Raw(b) => b.len(),
        }
    }

    /// The address to resolve (the global one for IPv6).
    pub fn addr(&self) -> Option<IpAddr> {
        match self {
            NextHop::Ipv4(a) | NextHop::VpnIpv4 { addr: a, .. } => Some(IpAddr::V4(*a)),
            NextHop::Ipv6 { global, .. } | NextHop::VpnIpv6 { global, .. } => {
                Some(IpAddr::V6(*global))
            }
            NextHop::Raw(_) => None,
        }
    }

    /// Whether this next hop may accompany NLRI of `family` in a session
    /// with `ctx` (RFC 4760, RFC 2545, RFC 4364/4659, RFC 8950, RFC 7432).
    pub fn valid_for(&self, family: AddressFamily, ctx: &CodecContext) -> bool {
        let v6 = matches!(self, NextHop::Ipv6 { .. });
        match family {
            AddressFamily::IPV4_UNICAST => {
                matches!(self, NextHop::Ipv4(_)) || (v6 && ctx.allows_next_hop(family, Afi::Ipv6))
            }
            AddressFamily::IPV6_UNICAST => v6,
            AddressFamily::L2VPN_EVPN => matches!(self, NextHop::Ipv4(_)) || v6,
            AddressFamily::VPNV4 => {
                matches!(self, NextHop::VpnIpv4 { .. })
                    || (matches!(self, NextHop::VpnIpv6 { .. })
                        && ctx.allows_next_hop(family, Afi::Ipv6))
            }
            AddressFamily::VPNV6 => matches!(self, NextHop::VpnIpv6 { .. }),
            _ => matches!(self, NextHop::Raw(_)),
        }
    }
}

/// MP_REACH_NLRI (RFC 4760 §3).
///
/// ```text
/// AFI (2) | SAFI (1) | Length of Next Hop (1) | Next Hop (var) |
/// Reserved (1) = 0 | NLRI (var)
/// ```
/// The reserved octet is written as 0 and ignored on receipt.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MpReach {
    /// The next hop.
    pub next_hop: NextHop,
    /// The NLRI; their family is the attribute's AFI/SAFI.
    pub nlri: NlriList,
}

/// MP_UNREACH_NLRI (RFC 4760 §4): AFI (2) | SAFI (1) | Withdrawn routes.
/// An empty list is the End-of-RIB marker of that family (RFC 4724 §2).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct MpUnreach {
    /// The withdrawn NLRI.
    pub nlri: NlriList,
}

/// The tunnel of a PMSI_TUNNEL attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PmsiTunnelId {
    /// Ingress replication (type 6): the endpoint's unicast address, the
    /// VTEP that BUM traffic is replicated to (RFC 7432 §11.2, RFC 8365 §5.1.3).
    IngressReplication(IpAddr),
    /// Any other tunnel type, identifier kept raw.
    Other {
        /// Tunnel type.
        tunnel_type: u8,
        /// Tunnel identifier.
        id: Vec<u8>,
    },
}

/// PMSI_TUNNEL (RFC 6514 §5), sent with EVPN type-3 routes.
///
/// ```text
/// Flags (1) | Tunnel Type (1) | MPLS Label (3) | Tunnel Identifier (var)
/// ```
/// With VXLAN the label field carries the VNI (RFC 8365 §5.1.3).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PmsiTunnel {
    /// Flags (0x01: leaf information required).
    pub flags: u8,
    /// Label or VNI.
    pub label: LabelField,
    /// Tunnel type and identifier.
    pub tunnel: PmsiTunnelId,
}

/// The value of a path attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum AttrValue {
    /// ORIGIN (1).
    Origin(Origin),
    /// AS_PATH (2), 2- or 4-octet per the session.
    AsPath(AsPath),
    /// NEXT_HOP (3).
    NextHop(Ipv4Addr),
    /// MULTI_EXIT_DISC (4).
    MultiExitDisc(u32),
    /// LOCAL_PREF (5).
    LocalPref(u32),
    /// ATOMIC_AGGREGATE (6).
    AtomicAggregate,
    /// AGGREGATOR (7), 6 or 8 bytes per the session.
    Aggregator(Aggregator),
    /// COMMUNITIES (8).
    Communities(Vec<Community>),
    /// ORIGINATOR_ID (9).
    OriginatorId(Ipv4Addr),
    /// CLUSTER_LIST (10).
    ClusterList(Vec<Ipv4Addr>),
    /// MP_REACH_NLRI (14).
    MpReach(MpReach),
    /// MP_UNREACH_NLRI (15).
    MpUnreach(MpUnreach),
    /// EXTENDED COMMUNITIES (16).
    ExtendedCommunities(Vec<ExtendedCommunity>),
    /// AS4_PATH (17), always 4-octet.
    As4Path(AsPath),
    /// AS4_AGGREGATOR (18), always 8 bytes.
    As4Aggregator(Aggregator),
    /// PMSI_TUNNEL (22).
    PmsiTunnel(PmsiTunnel),
    /// LARGE_COMMUNITY (32).
    LargeCommunities(Vec<LargeCommunity>),
    /// Any other attribute, value kept raw (with its flags in the
    /// [`PathAttribute`]).
    Unknown {
        /// Type code.
        type_code: u8,
        /// Value bytes.
        value: Vec<u8>,
    },
}

impl AttrValue {
    /// The attribute type code.
    pub fn type_code(&self) -> u8 {
        match self {
            AttrValue::Origin(_) => at::ORIGIN,
            AttrValue::AsPath(_) => at::AS_PATH,
            AttrValue::NextHop(_) => at::NEXT_HOP,
            AttrValue::MultiExitDisc(_) => at::MULTI_EXIT_DISC,
            AttrValue::LocalPref(_) => at::LOCAL_PREF,
            AttrValue::AtomicAggregate => at::ATOMIC_AGGREGATE,
            AttrValue::Aggregator(_) => at::AGGREGATOR,
            AttrValue::Communities(_) => at::COMMUNITIES,
            AttrValue::OriginatorId(_) => at::ORIGINATOR_ID,
            AttrValue::ClusterList(_) => at::CLUSTER_LIST,
            AttrValue::MpReach(_) => at::MP_REACH_NLRI,
            AttrValue::MpUnreach(_) => at::MP_UNREACH_NLRI,
            AttrValue::ExtendedCommunities(_) => at::EXTENDED_COMMUNITIES,
            AttrValue::As4Path(_) => at::AS4_PATH,
            AttrValue::As4Aggregator(_) => at::AS4_AGGREGATOR,
            AttrValue::PmsiTunnel(_) => at::PMSI_TUNNEL,
            AttrValue::LargeCommunities(_) => at::LARGE_COMMUNITIES,
            AttrValue::Unknown { type_code, .. } => *type_code,
        }
    }
}

/// One path attribute: flags and value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PathAttribute {
    /// Flags as received, or canonical ones from [`PathAttribute::new`].
    pub flags: AttrFlags,
    /// The value.
    pub value: AttrValue,
}

/// The Optional and Transitive bits RFC 4271 and the attribute RFCs give a
/// known attribute; `None` for unknown types.
pub fn expected_flags(type_code: u8) -> Option<AttrFlags> {
    Some(match type_code {
        at::ORIGIN | at::AS_PATH | at::NEXT_HOP | at::LOCAL_PREF | at::ATOMIC_AGGREGATE => {
            AttrFlags::WELL_KNOWN
        }
        at::MULTI_EXIT_DISC
        | at::ORIGINATOR_ID
        | at::CLUSTER_LIST
        | at::MP_REACH_NLRI
        | at::MP_UNREACH_NLRI => AttrFlags::OPTIONAL,
        at::AGGREGATOR
        | at::COMMUNITIES
        | at::EXTENDED_COMMUNITIES
        | at::AS4_PATH
        | at::AS4_AGGREGATOR
        | at::PMSI_TUNNEL
        | at::LARGE_COMMUNITIES => AttrFlags::OPTIONAL_TRANSITIVE,
        _ => return None,
    })
}

/// The RFC 7606 action for a malformed attribute of `type_code` (including
/// an Optional/Transitive flags conflict, RFC 7606 §3 c):
///
/// | attribute | action | RFC 7606 |
/// |---|---|---|
/// | ORIGIN, AS_PATH, NEXT_HOP, MULTI_EXIT_DISC, LOCAL_PREF | treat-as-withdraw | §7.1-7.5 |
/// | ATOMIC_AGGREGATE, AGGREGATOR | attribute discard | §7.6, §7.7 |
/// | COMMUNITIES, ORIGINATOR_ID, CLUSTER_LIST | treat-as-withdraw | §7.8-7.10 |
/// | MP_REACH_NLRI, MP_UNREACH_NLRI | session reset | §7.11, §5.3 (NLRI cannot be located) |
/// | EXTENDED COMMUNITIES | treat-as-withdraw | §7.14 |
/// | AS4_PATH, AS4_AGGREGATOR | attribute discard | RFC 6793 §6 |
/// | LARGE_COMMUNITY | treat-as-withdraw | RFC 8092 §6 |
/// | PMSI_TUNNEL, others | treat-as-withdraw | §2 (the default for attributes that affect route selection or installation) |
pub fn malformed_action(type_code: u8) -> Action {
    match type_code {
        at::ATOMIC_AGGREGATE | at::AGGREGATOR | at::AS4_PATH | at::AS4_AGGREGATOR => {
            Action::AttributeDiscard
        }
        at::MP_REACH_NLRI | at::MP_UNREACH_NLRI => Action::SessionReset,
        _ => Action::TreatAsWithdraw,
    }
}

/// The UPDATE error subcode RFC 4271 §6.3 names for a malformed value
/// (other than a length error) of `type_code`.
fn malformed_subcode(type_code: u8) -> u8 {
    match type_code {
        at::ORIGIN => sc::INVALID_ORIGIN,
        at::AS_PATH => sc::MALFORMED_AS_PATH,
        at::NEXT_HOP => sc::INVALID_NEXT_HOP,
        at::LOCAL_PREF | at::ATOMIC_AGGREGATE => sc::ATTRIBUTE_LENGTH_ERROR,
        _ => sc::OPTIONAL_ATTRIBUTE_ERROR,
    }
}

/// Lengths a known attribute must have (RFC 7606 §7), checked before the
/// value is parsed: `Err(reason)` when the length is wrong.
fn check_len(type_code: u8, len: usize, ctx: &CodecContext) -> Result<(), &'static str> {
    let ok = match type_code {
        at::ORIGIN => len == 1,
        at::NEXT_HOP | at::MULTI_EXIT_DISC | at::LOCAL_PREF | at::ORIGINATOR_ID => len == 4,
        at::ATOMIC_AGGREGATE => len == 0,
        at::AGGREGATOR => len == if ctx.four_octet_as { 8 } else { 6 },
        at::AS4_AGGREGATOR => len == 8,
        at::COMMUNITIES | at::CLUSTER_LIST => len != 0 && len % 4 == 0,
        at::EXTENDED_COMMUNITIES => len != 0 && len % 8 == 0,
        at::LARGE_COMMUNITIES => len != 0 && len % 12 == 0,
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err("attribute length")
    }
}

impl PathAttribute {
    /// A known attribute with its canonical flags (Optional/Transitive from
    /// the RFC, no Partial, Extended Length only when needed); unknown
    /// attributes get optional transitive.
    pub fn new(value: AttrValue) -> PathAttribute {
        let flags = expected_flags(value.type_code()).unwrap_or(AttrFlags::OPTIONAL_TRANSITIVE);
        PathAttribute { flags, value }
    }

    /// An unknown attribute with the given flags.
    pub fn unknown(flags: AttrFlags, type_code: u8, value: Vec<u8>) -> PathAttribute {
        PathAttribute {
            flags,
            value: AttrValue::Unknown { type_code, value },
        }
    }

    /// The type code.
    pub fn type_code(&self) -> u8 {
        self.value.type_code()
    }

    /// What to send on to another peer (RFC 4271 §5, §9.1.3): unknown
    /// optional transitive attributes pass with the Partial bit set, unknown
    /// optional non-transitive ones are dropped (`None`); known attributes
    /// pass unchanged (the update builder rewrites those it must).
    pub fn for_propagation(&self) -> Option<PathAttribute> {
        match &self.value {
            AttrValue::Unknown { .. } if self.flags.transitive() => Some(PathAttribute {
                flags: self.flags.with_partial(),
                value: self.value.clone(),
            }),
            AttrValue::Unknown { .. } => None,
            _ => Some(self.clone()),
        }
    }
}

// ---- wire codec -----------------------------------------------------------

fn segment_type(v: u8) -> Option<SegmentType> {
    Some(match v {
        seg::AS_SET => SegmentType::Set,
        seg::AS_SEQUENCE => SegmentType::Sequence,
        seg::AS_CONFED_SEQUENCE => SegmentType::ConfedSequence,
        seg::AS_CONFED_SET => SegmentType::ConfedSet,
        _ => return None,
    })
}

fn segment_code(t: SegmentType) -> u8 {
    match t {
        SegmentType::Set => seg::AS_SET,
        SegmentType::Sequence => seg::AS_SEQUENCE,
        SegmentType::ConfedSequence => seg::AS_CONFED_SEQUENCE,
        SegmentType::ConfedSet => seg::AS_CONFED_SET,
    }
}

impl AsPath {
    /// Read segments until `r` is empty; `four_octet` selects the AS size.
    /// Malformed (RFC 7606 §7.2): unknown segment type, zero segment
    /// length, or a segment overrunning the attribute.
    pub fn decode(r: &mut Reader<'_>, four_octet: bool) -> Result<AsPath, DecodeError> {
        let mut segments = Vec::new();
        while !r.is_empty() {
            let t_at = r.offset();
            let kind =
                segment_type(r.u8()?).ok_or(Reader::invalid_at(t_at, "AS_PATH segment type"))?;
            let n_at = r.offset();
            let n = r.u8()?;
            if n == 0 {
                return Err(Reader::invalid_at(n_at, "AS_PATH segment length 0"));
            }
            let mut asns = Vec::with_capacity(usize::from(n));
            for _ in 0..n {
                let a = if four_octet {
                    r.u32()?
                } else {
                    u32::from(r.u16()?)
                };
                asns.push(Asn(a));
            }
            segments.push(AsSegment { kind, asns });
        }
        Ok(AsPath { segments })
    }

    /// Encoded size.
    pub fn encoded_len(&self, four_octet: bool) -> usize {
        let w = if four_octet { 4 } else { 2 };
        self.segments
            .iter()
            .filter(|s| !s.asns.is_empty())
            .map(|s| s.asns.len().div_ceil(255) * 2 + s.asns.len() * w)
            .sum()
    }

    /// Write the segments. On a 2-octet session AS numbers above 65535 are
    /// written as AS_TRANS (RFC 6793 §4.2.2; building the AS4_PATH is the
    /// update builder's job). Empty segments are skipped.
    pub fn encode<S: Sink>(&self, w: &mut Writer<'_, S>, four_octet: bool) {
        for s in &self.segments {
            for chunk in s.asns.chunks(255) {
                w.u8(segment_code(s.kind));
                w.u8(chunk.len() as u8);
                for a in chunk {
                    if four_octet {
                        w.u32(a.0);
                    } else {
                        w.u16(a.to_2byte());
                    }
                }
            }
        }
    }
}

fn decode_next_hop(
    family: AddressFamily,
    r: &mut Reader<'_>,
    ctx: &CodecContext,
) -> Result<NextHop, DecodeError> {
    let at = r.offset();
    let known = matches!(
        family,
        AddressFamily::IPV4_UNICAST
            | AddressFamily::IPV6_UNICAST
            | AddressFamily::L2VPN_EVPN
            | AddressFamily::VPNV4
            | AddressFamily::VPNV6
    );
    let vpn = family.safi == crate::types::Safi::MplsVpn;
    let nh = match (known, vpn, r.remaining()) {
        (false, _, _) => NextHop::Raw(r.rest().to_vec()),
        (true, false, 4) => NextHop::Ipv4(r.ipv4()?),
        (true, false, 16) => NextHop::Ipv6 {
            global: r.ipv6()?,
            link_local: None,
        },
        (true, false, 32) => NextHop::Ipv6 {
            global: r.ipv6()?,
            link_local: Some(r.ipv6()?),
        },
        (true, true, 12) => NextHop::VpnIpv4 {
            rd: RouteDistinguisher::decode(r)?,
            addr: r.ipv4()?,
        },
        (true, true, 24) => NextHop::VpnIpv6 {
            rd: RouteDistinguisher::decode(r)?,
            global: r.ipv6()?,
            link_local: None,
        },
        (true, true, 48) => NextHop::VpnIpv6 {
            rd: RouteDistinguisher::decode(r)?,
            global: r.ipv6()?,
            link_local: Some((RouteDistinguisher::decode(r)?, r.ipv6()?)),
        },
        _ => return Err(Reader::invalid_at(at, "next hop length")),
    };
    if !nh.valid_for(family, ctx) {
        return Err(Reader::invalid_at(at, "next hop length for this family"));
    }
    Ok(nh)
}

fn encode_next_hop<S: Sink>(nh: &NextHop, w: &mut Writer<'_, S>) {
    match nh {
        NextHop::Ipv4(a) => w.ipv4(*a),
        NextHop::Ipv6 { global, link_local } => {
            w.ipv6(*global);
            if let Some(l) = link_local {
                w.ipv6(*l);
            }
        }
        NextHop::VpnIpv4 { rd, addr } => {
            rd.encode(w);
            w.ipv4(*addr);
        }
        NextHop::VpnIpv6 {
            rd,
            global,
            link_local,
        } => {
            rd.encode(w);
            w.ipv6(*global);
            if let Some((rd2, l)) = link_local {
                rd2.encode(w);
                w.ipv6(*l);
            }
        }
        NextHop::Raw(b) => w.bytes(b),
    }
}

impl MpReach {
    /// The NLRI family.
    pub fn family(&self) -> AddressFamily {
        self.nlri.family()
    }

    /// Read the attribute value.
    pub fn decode(r: &mut Reader<'_>, ctx: &CodecContext) -> Result<MpReach, DecodeError> {
        let family = AddressFamily::decode(r)?;
        let nh_len = r.u8()?;
        let mut nh = r.sub(usize::from(nh_len))?;
        let next_hop = decode_next_hop(family, &mut nh, ctx)?;
        let _reserved = r.u8()?;
        let nlri = NlriList::decode(family, r, ctx.receives_path_id(family))?;
        Ok(MpReach { next_hop, nlri })
    }

    /// Encoded size of the value.
    pub fn encoded_len(&self) -> usize {
        3 + 1 + self.next_hop.encoded_len() + 1 + self.nlri.encoded_len()
    }

    /// Write the value. Fails when the next hop is not valid for the family
    /// in this session, or ADD-PATH identifiers do not match the session.
    pub fn encode<S: Sink>(
        &self,
        w: &mut Writer<'_, S>,
        ctx: &CodecContext,
    ) -> Result<(), EncodeError> {
        let family = self.family();
        if !self.next_hop.valid_for(family, ctx) {
            return Err(EncodeError::NotNegotiated(
                "next hop for this address family",
            ));
        }
        family.encode(w);
        let m = w.reserve(LenWidth::One, "MP_REACH_NLRI next hop");
        encode_next_hop(&self.next_hop, w);
        w.patch(m)?;
        w.u8(0);
        self.nlri.encode(w, ctx.sends_path_id(family))
    }
}

impl MpUnreach {
    /// The NLRI family.
    pub fn family(&self) -> AddressFamily {
        self.nlri.family()
    }

    /// Read the attribute value.
    pub fn decode(r: &mut Reader<'_>, ctx: &CodecContext) -> Result<MpUnreach, DecodeError> {
        let family = AddressFamily::decode(r)?;
        let nlri = NlriList::decode(family, r, ctx.receives_path_id(family))?;
        Ok(MpUnreach { nlri })
    }

    /// Encoded size of the value.
    pub fn encoded_len(&self) -> usize {
        3 + self.nlri.encoded_len()
    }

    /// Write the value.
    pub fn encode<S: Sink>(
        &self,
        w: &mut Writer<'_, S>,
        ctx: &CodecContext,
    ) -> Result<(), EncodeError> {
        let family = self.family();
        family.encode(w);
        self.nlri.encode(w, ctx.sends_path_id(family))
    }
}

impl PmsiTunnel {
    /// Read the attribute value.
    pub fn decode(r: &mut Reader<'_>) -> Result<PmsiTunnel, DecodeError> {
        let flags = r.u8()?;
        let tunnel_type = r.u8()?;
        let label = LabelField::decode(r)?;
        let id = r.rest();
        let tunnel = match (tunnel_type, id.len()) {
            (crate::iana::pmsi_tunnel_type::INGRESS_REPLICATION, 4 | 16) => {
                let mut ir = Reader::new(id);
                if id.len() == 4 {
                    PmsiTunnelId::IngressReplication(IpAddr::V4(ir.ipv4()?))
                } else {
                    PmsiTunnelId::IngressReplication(IpAddr::V6(ir.ipv6()?))
                }
            }
            _ => PmsiTunnelId::Other {
                tunnel_type,
                id: id.to_vec(),
            },
        };
        Ok(PmsiTunnel {
            flags,
            label,
            tunnel,
        })
    }

    /// Encoded size of the value.
    pub fn encoded_len(&self) -> usize {
        5 + match &self.tunnel {
            PmsiTunnelId::IngressReplication(IpAddr::V4(_)) => 4,
            PmsiTunnelId::IngressReplication(IpAddr::V6(_)) => 16,
            PmsiTunnelId::Other { id, .. } => id.len(),
        }
    }

    /// Write the value.
    pub fn encode<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.u8(self.flags);
        match &self.tunnel {
            PmsiTunnelId::IngressReplication(ip) => {
                w.u8(crate::iana::pmsi_tunnel_type::INGRESS_REPLICATION);
                self.label.encode(w);
                match ip {
                    IpAddr::V4(a) => w.ipv4(*a),
                    IpAddr::V6(a) => w.ipv6(*a),
                }
            }
            PmsiTunnelId::Other { tunnel_type, id } => {
                w.u8(*tunnel_type);
                self.label.encode(w);
                w.bytes(id);
            }
        }
    }
}

impl Aggregator {
    fn decode(r: &mut Reader<'_>, four_octet: bool) -> Result<Aggregator, DecodeError> {
        let asn = if four_octet {
            r.u32()?
        } else {
            u32::from(r.u16()?)
        };
        Ok(Aggregator {
            asn: Asn(asn),
            addr: r.ipv4()?,
        })
    }

    fn encode<S: Sink>(&self, w: &mut Writer<'_, S>, four_octet: bool) {
        if four_octet {
            w.u32(self.asn.0);
        } else {
            w.u16(self.asn.to_2byte());
        }
        w.ipv4(self.addr);
    }
}

fn read_all<T>(
    r: &mut Reader<'_>,
    mut f: impl FnMut(&mut Reader<'_>) -> Result<T, DecodeError>,
) -> Result<Vec<T>, DecodeError> {
    let mut v = Vec::new();
    while !r.is_empty() {
        v.push(f(r)?);
    }
    Ok(v)
}

impl AttrValue {
    /// Read the value of an attribute of `type_code` (length already
    /// checked against [`check_len`] by the caller), consuming `r` entirely.
    fn decode(
        type_code: u8,
        r: &mut Reader<'_>,
        ctx: &CodecContext,
    ) -> Result<AttrValue, DecodeError> {
        let v = match type_code {
            at::ORIGIN => {
                let o = r.offset();
                match r.u8()? {
                    0 => AttrValue::Origin(Origin::Igp),
                    1 => AttrValue::Origin(Origin::Egp),
                    2 => AttrValue::Origin(Origin::Incomplete),
                    _ => return Err(Reader::invalid_at(o, "ORIGIN value")),
                }
            }
            at::AS_PATH => AttrValue::AsPath(AsPath::decode(r, ctx.four_octet_as)?),
            at::NEXT_HOP => AttrValue::NextHop(r.ipv4()?),
            at::MULTI_EXIT_DISC => AttrValue::MultiExitDisc(r.u32()?),
            at::LOCAL_PREF => AttrValue::LocalPref(r.u32()?),
            at::ATOMIC_AGGREGATE => AttrValue::AtomicAggregate,
            at::AGGREGATOR => AttrValue::Aggregator(Aggregator::decode(r, ctx.four_octet_as)?),
            at::COMMUNITIES => AttrValue::Communities(read_all(r, Community::decode)?),
            at::ORIGINATOR_ID => AttrValue::OriginatorId(r.ipv4()?),
            at::CLUSTER_LIST => AttrValue::ClusterList(read_all(r, |r| r.ipv4())?),
            at::MP_REACH_NLRI => AttrValue::MpReach(MpReach::decode(r, ctx)?),
            at::MP_UNREACH_NLRI => AttrValue::MpUnreach(MpUnreach::decode(r, ctx)?),
            at::EXTENDED_COMMUNITIES => {
                AttrValue::ExtendedCommunities(read_all(r, ExtendedCommunity::decode)?)
            }
            at::AS4_PATH => AttrValue::As4Path(AsPath::decode(r, true)?),
            at::AS4_AGGREGATOR => AttrValue::As4Aggregator(Aggregator::decode(r, true)?),
            at::PMSI_TUNNEL => AttrValue::PmsiTunnel(PmsiTunnel::decode(r)?),
            at::LARGE_COMMUNITIES => {
                AttrValue::LargeCommunities(read_all(r, LargeCommunity::decode)?)
            }
            other => AttrValue::Unknown {
                type_code: other,
                value: r.rest().to_vec(),
            },
        };
        r.finish()?;
        Ok(v)
    }

    /// Encoded size of the value in a session with `ctx`.
    pub fn encoded_len(&self, ctx: &CodecContext) -> usize {
        match self {
            AttrValue::Origin(_) => 1,
            AttrValue::AsPath(p) => p.encoded_len(ctx.four_octet_as),
            AttrValue::NextHop(_)
            | AttrValue::MultiExitDisc(_)
            | AttrValue::LocalPref(_)
            | AttrValue::OriginatorId(_) => 4,
            AttrValue::AtomicAggregate => 0,
            AttrValue::Aggregator(_) => {
                if ctx.four_octet_as {
                    8
                } else {
                    6
                }
            }
            AttrValue::Communities(c) => 4 * c.len(),
            AttrValue::ClusterList(c) => 4 * c.len(),
            AttrValue::MpReach(m) => m.encoded_len(),
            AttrValue::MpUnreach(m) => m.encoded_len(),
            AttrValue::ExtendedCommunities(c) => 8 * c.len(),
            AttrValue::As4Path(p) => p.encoded_len(true),
            AttrValue::As4Aggregator(_) => 8,
            AttrValue::PmsiTunnel(p) => p.encoded_len(),
            AttrValue::LargeCommunities(c) => 12 * c.len(),
            AttrValue::Unknown { value, .. } => value.len(),
        }
    }

    fn encode<S: Sink>(
        &self,
        w: &mut Writer<'_, S>,
        ctx: &CodecContext,
    ) -> Result<(), EncodeError> {
        match self {
            AttrValue::Origin(o) => w.u8(match o {
                Origin::Igp => 0,
                Origin::Egp => 1,
                Origin::Incomplete => 2,
            }),
            AttrValue::AsPath(p) => p.encode(w, ctx.four_octet_as),
            AttrValue::NextHop(a) | AttrValue::OriginatorId(a) => w.ipv4(*a),
            AttrValue::MultiExitDisc(v) | AttrValue::LocalPref(v) => w.u32(*v),
            AttrValue::AtomicAggregate => {}
            AttrValue::Aggregator(a) => a.encode(w, ctx.four_octet_as),
            AttrValue::Communities(c) => c.iter().for_each(|c| c.encode(w)),
            AttrValue::ClusterList(c) => c.iter().for_each(|a| w.ipv4(*a)),
            AttrValue::MpReach(m) => m.encode(w, ctx)?,
            AttrValue::MpUnreach(m) => m.encode(w, ctx)?,
            AttrValue::ExtendedCommunities(c) => c.iter().for_each(|c| c.encode(w)),
            AttrValue::As4Path(p) => p.encode(w, true),
            AttrValue::As4Aggregator(a) => a.encode(w, true),
            AttrValue::PmsiTunnel(p) => p.encode(w),
            AttrValue::LargeCommunities(c) => c.iter().for_each(|c| c.encode(w)),
            AttrValue::Unknown { value, .. } => w.bytes(value),
        }
        Ok(())
    }
}

impl PathAttribute {
    /// Encoded size (flags, type, length field, value).
    pub fn encoded_len(&self, ctx: &CodecContext) -> usize {
        let v = self.value.encoded_len(ctx);
        let ext = self.flags.extended_length() || v > 255;
        2 + if ext { 2 } else { 1 } + v
    }

    /// Write the attribute. The Extended Length flag is kept if set and
    /// added when the value exceeds 255 bytes.
    pub fn encode<S: Sink>(
        &self,
        w: &mut Writer<'_, S>,
        ctx: &CodecContext,
    ) -> Result<(), EncodeError> {
        let v = self.value.encoded_len(ctx);
        let ext = self.flags.extended_length() || v > 255;
        let flags = if ext {
            self.flags.0 | attr_flags::EXTENDED_LENGTH
        } else {
            self.flags.0
        };
        w.u8(flags);
        w.u8(self.type_code());
        let m = w.reserve(
            if ext { LenWidth::Two } else { LenWidth::One },
            "path attribute",
        );
        self.value.encode(w, ctx)?;
        w.patch(m)?;
        Ok(())
    }

    /// Read one attribute. On error, the [`AttrError`] says what RFC 7606
    /// prescribes; an attribute whose header or length overruns `r` is
    /// reported with type code of the attribute (or 0) and
    /// [`Action::TreatAsWithdraw`] (RFC 7606 §4), and `r` is left at its end.
    pub fn decode(r: &mut Reader<'_>, ctx: &CodecContext) -> Result<PathAttribute, AttrError> {
        let start = r.offset();
        let whole = r.clone();
        let overrun = |type_code: u8, r: &mut Reader<'_>| {
            r.rest();
            AttrError {
                type_code,
                action: Action::TreatAsWithdraw,
                subcode: sc::ATTRIBUTE_LENGTH_ERROR,
                data: whole.clone().rest().to_vec(),
                offset: start,
                reason: OVERRUN,
            }
        };
        let (Ok(flags), Ok(type_code)) = (r.u8(), r.u8()) else {
            return Err(overrun(0, r));
        };
        let flags = AttrFlags(flags);
        let len = if flags.extended_length() {
            r.u16().map(usize::from)
        } else {
            r.u8().map(usize::from)
        };
        let Ok(len) = len else {
            return Err(overrun(type_code, r));
        };
        let Ok(mut body) = r.sub(len) else {
            return Err(overrun(type_code, r));
        };
        let header_len = r.offset() - start - len;
        let data = whole
            .clone()
            .bytes(header_len + len)
            .map(<[u8]>::to_vec)
            .unwrap_or_default();
        let err = |action: Action, subcode: u8, reason: &'static str| AttrError {
            type_code,
            action,
            subcode,
            data: data.clone(),
            offset: start,
            reason,
        };
        match expected_flags(type_code) {
            None => {
                if !flags.optional() {
                    return Err(err(
                        Action::SessionReset,
                        sc::UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE,
                        "unrecognised well-known attribute",
                    ));
                }
            }
            Some(expect) => {
                let ot = attr_flags::OPTIONAL | attr_flags::TRANSITIVE;
                if flags.0 & ot != expect.0 & ot {
                    return Err(err(
                        malformed_action(type_code),
                        sc::ATTRIBUTE_FLAGS_ERROR,
                        "attribute flags conflict with the type",
                    ));
                }
                if let Err(reason) = check_len(type_code, len, ctx) {
                    return Err(err(
                        malformed_action(type_code),
                        sc::ATTRIBUTE_LENGTH_ERROR,
                        reason,
                    ));
                }
            }
        }
        // Extended Length on a value over 255 bytes is implied; keep the bit
        // only where it is a choice (a short value), so that
        // decode(encode(x)) == x.
        let flags = if len > 255 {
            AttrFlags(flags.0 & !attr_flags::EXTENDED_LENGTH)
        } else {
            flags
        };
        match AttrValue::decode(type_code, &mut body, ctx) {
            Ok(value) => Ok(PathAttribute { flags, value }),
            Err(e) => Err(AttrError {
                offset: e.offset(),
                ..err(
                    malformed_action(type_code),
                    malformed_subcode(type_code),
                    match e {
                        DecodeError::Invalid { what, .. } => what,
                        DecodeError::Truncated { .. } => "attribute value truncated",
                        DecodeError::Trailing { .. } => "trailing bytes in attribute value",
                    },
                )
            }),
        }
    }
}

const OVERRUN: &str = "attribute overruns the path attributes";

/// The outcome of decoding the path attributes of an UPDATE that does not
/// reset the session.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DecodedAttributes {
    /// The attributes that decoded, in order, without discarded ones.
    pub attributes: Vec<PathAttribute>,
    /// What went wrong, each with its RFC 7606 action (never session reset).
    pub errors: Vec<AttrError>,
}

impl DecodedAttributes {
    /// Some error asks for treat-as-withdraw.
    pub fn treat_as_withdraw(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.action == Action::TreatAsWithdraw)
    }
}

/// Decode the Path Attributes field of an UPDATE (all of `r`).
///
/// - An attribute error whose action is session reset fails the decode with
///   [`UpdateError::Attribute`].
/// - MP_REACH_NLRI or MP_UNREACH_NLRI appearing twice fails with
///   [`UpdateError::MalformedAttributeList`] (RFC 7606 §3 g); any other
///   repeated attribute is discarded after the first (recorded as
///   [`Action::AttributeDiscard`]).
/// - An attribute that overruns the field ends the walk with
///   treat-as-withdraw (RFC 7606 §4); the Total Path Attribute Length still
///   locates the NLRI field. If no MP_REACH_NLRI / MP_UNREACH_NLRI was
///   decoded before the overrun, the multiprotocol NLRI cannot be located
///   and the session is reset instead (RFC 7606 §5.3).
/// - LOCAL_PREF from an external peer is discarded (RFC 7606 §7.5).
pub fn decode_attributes(
    r: &mut Reader<'_>,
    ctx: &CodecContext,
) -> Result<DecodedAttributes, UpdateError> {
    let mut out = DecodedAttributes::default();
    let mut seen = [false; 256];
    while !r.is_empty() {
        let at_offset = r.offset();
        match PathAttribute::decode(r, ctx) {
            Ok(a) => {
                let t = a.type_code();
                let first = !seen[usize::from(t)];
                seen[usize::from(t)] = true;
                if !first {
                    if t == at::MP_REACH_NLRI || t == at::MP_UNREACH_NLRI {
                        return Err(UpdateError::MalformedAttributeList {
                            offset: at_offset,
                            what: "MP_REACH_NLRI or MP_UNREACH_NLRI repeated",
                        });
                    }
                    out.errors.push(AttrError {
                        type_code: t,
                        action: Action::AttributeDiscard,
                        subcode: sc::MALFORMED_ATTRIBUTE_LIST,
                        data: Vec::new(),
                        offset: at_offset,
                        reason: "repeated attribute",
                    });
                    continue;
                }
                if t == at::LOCAL_PREF && ctx.peer == PeerKind::External {
                    out.errors.push(AttrError {
                        type_code: t,
                        action: Action::AttributeDiscard,
                        subcode: sc::ATTRIBUTE_FLAGS_ERROR,
                        data: Vec::new(),
                        offset: at_offset,
                        reason: "LOCAL_PREF from an external peer",
                    });
                    continue;
                }
                out.attributes.push(a);
            }
            Err(e) => {
                let t = usize::from(e.type_code);
                let overrun = e.reason == OVERRUN;
                if e.action == Action::SessionReset {
                    return Err(UpdateError::Attribute(e));
                }
                if overrun {
                    if !seen[usize::from(at::MP_REACH_NLRI)]
                        && !seen[usize::from(at::MP_UNREACH_NLRI)]
                    {
                        return Err(UpdateError::Attribute(AttrError {
                            action: Action::SessionReset,
                            subcode: sc::MALFORMED_ATTRIBUTE_LIST,
                            ..e
                        }));
                    }
                    out.errors.push(e);
                    break;
                }
                if seen[t] && e.type_code != 0 {
                    // A malformed repeat of an attribute already taken:
                    // discard it, it changes nothing (RFC 7606 §3 g).
                    out.errors.push(AttrError {
                        action: Action::AttributeDiscard,
                        ..e
                    });
                } else {
                    seen[t] = true;
                    out.errors.push(e);
                }
            }
        }
    }
    Ok(out)
}

/// Write attributes in the given order (an update builder should put
/// MP_REACH_NLRI / MP_UNREACH_NLRI first, RFC 7606 §5.1; see
/// [`canonical_order`]).
pub fn encode_attributes<S: Sink>(
    attrs: &[PathAttribute],
    w: &mut Writer<'_, S>,
    ctx: &CodecContext,
) -> Result<(), EncodeError> {
    for a in attrs {
        a.encode(w, ctx)?;
    }
    Ok(())
}

/// Encoded size of an attribute list.
pub fn attributes_len(attrs: &[PathAttribute], ctx: &CodecContext) -> usize {
    attrs.iter().map(|a| a.encoded_len(ctx)).sum()
}

/// Sort attributes as vtepd sends them: MP_UNREACH_NLRI and MP_REACH_NLRI
/// first (RFC 7606 §5.1), then ascending type code (RFC 4271 §5).
pub fn canonical_order(attrs: &mut [PathAttribute]) {
    attrs.sort_by_key(|a| {
        let t = a.type_code();
        let rank = match t {
            at::MP_UNREACH_NLRI => 0,
            at::MP_REACH_NLRI => 1,
            _ => 2,
        };
        (rank, t)
    });
}

#[cfg(test)]
mod tests;
