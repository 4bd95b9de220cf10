//! vtepd's user-space switch and L3 gateway.
//!
//! # Job
//!
//! Bridge domains (one per VNI) with MAC learning, aging and flood lists; ARP
//! and ND suppression; VXLAN encapsulation and decapsulation (RFC 7348); the
//! anycast L3 gateway with symmetric IRB; and the port backends (TAP,
//! AF_PACKET, batched UDP) that move frames in and out.
//!
//! # Invariants
//!
//! - The forwarding decision (learn, look up, flood, encapsulate) is sans-IO and
//!   works on caller-provided byte buffers; it never allocates per packet.
//! - Every table an outsider can grow (MACs, ARP/ND bindings) has a fixed bound,
//!   and entries installed by the control plane are never evicted by learning.
//! - Learnt, moved and aged MACs are reported as events for the control plane.
//!
//! # The sans-IO core
//!
//! - [`mac_table`]: the bounded MAC table of one domain, its precedence rules
//!   (static > control plane > learnt), aging on a caller-supplied clock and
//!   the event queue ([`MacEvent`]).
//! - [`bridge`]: [`BridgeDomain`], its ports and flood list, and the
//!   forwarding decision ([`Forward`]) for frames from local ports and from
//!   the overlay (split horizon).
//! - [`vxlan`]: in-place VXLAN encapsulation into caller headroom,
//!   decapsulation checks, and the flow-hash UDP source port (RFC 7348 §5).
//! - [`outer`]: outer IPv4/IPv6 and UDP headers for raw-socket underlays
//!   (DF policy, UDP checksum policy, flow label), and their checks on
//!   receive.
//! - [`switch`]: [`Switch`], the domains of a worker keyed by VNI, access
//!   and trunk ports, and the two receive paths (local port, overlay).
//! - [`vlan`]: 802.1Q tags popped and pushed in place (the VLAN ↔ VNI
//!   gateway of trunk ports).
//! - [`suppress`]: ARP/ND suppression: the bounded IP → MAC binding table
//!   (snooped, control-plane, static) and byte-exact local answers.
//! - [`stats`]: plain `u64` counters per port and per VNI, drops by
//!   [`DropReason`].
//! - [`time`]: [`Timestamp`], the clock as an input.
//!
//! Time is always an argument (`now: Timestamp`); nothing here reads a clock,
//! opens a socket or spawns a thread. Frames are `&[u8]` of one Ethernet frame
//! without FCS, from [`MIN_FRAME_LEN`] to [`MAX_FRAME_LEN`] bytes.

pub mod bridge;
pub mod mac_table;
pub mod outer;
pub mod stats;
pub mod suppress;
pub mod switch;
pub mod sys;
pub mod time;
pub mod vlan;
pub mod vxlan;
pub mod worker;

pub use bridge::{BridgeConfig, BridgeDomain, Flood, Forward, TableFullPolicy};
pub use mac_table::{
    Destination, EntryKind, InstallError, LearnError, LearnOutcome, MacEntry, MacEvent, MacTable,
    MacTableConfig, PortId,
};
pub use stats::{Counter, DropCounters, DropReason, PortStats, VniStats};
pub use suppress::{Answer, Binding, BindingEvent, BindingKind, SuppressConfig, SuppressTable};
pub use switch::{EgressTags, OverlayRx, PortMode, PortRx, Switch, SwitchError, SwitchStats};
pub use time::Timestamp;
pub use vtepd_wire::vxlan::Vni;
pub use vxlan::{Decapsulated, VxlanConfig};

/// The shortest frame the dataplane accepts: an untagged Ethernet header.
pub const MIN_FRAME_LEN: usize = 14;

/// The longest inner frame the dataplane accepts (a 9000-byte jumbo payload
/// plus headers, as switches commonly allow).
pub const MAX_FRAME_LEN: usize = 9216;
