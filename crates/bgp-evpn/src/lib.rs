//! vtepd's BGP speaker for EVPN and L3VPN.
//!
//! # Job
//!
//! The BGP-4 message codec with multiprotocol extensions, EVPN NLRI (route
//! types 1-5), labelled VPNv4/VPNv6 NLRI, a sans-IO session state machine, the
//! RIB with best-path selection, route-target import/export, and unnumbered
//! peer discovery.
//!
//! # Invariants
//!
//! - Sans-IO: nothing here opens a socket, spawns a task or reads a clock. The
//!   session and the RIB are fed `(now, input)` and return actions.
//! - Model types are owned and validated; the wire codec lives beside them.
//!   Decoders read through a bounds-checked cursor and never panic on input.
//! - Every decode error maps to exactly one NOTIFICATION (or, for UPDATE
//!   attributes, to its RFC 7606 action).
//! - Knows nothing of packets on the data path.

#![forbid(unsafe_code)]

pub mod attr;
pub mod capability;
pub mod error;
pub mod extcomm;
pub mod iana;
pub mod message;
pub mod nlri;
pub mod rib;
pub mod session;
pub mod types;
pub mod unnumbered;
pub mod wire;

pub use attr::{AsPath, AttrFlags, AttrValue, MpReach, MpUnreach, NextHop, Origin, PathAttribute};
pub use capability::Capability;
pub use error::{Action, AttrError, MessageError};
pub use extcomm::{Community, ExtendedCommunity, LargeCommunity};
pub use message::{Decoded, Message, Notification, Open, RouteRefresh, Update};
pub use nlri::{EvpnRoute, IpPrefix, Ipv4Prefix, Ipv6Prefix, NlriList, PathNlri};
pub use types::{
    AddressFamily, Afi, Asn, Esi, EthernetTag, LabelField, MacAddress, MplsLabel,
    RouteDistinguisher, RouteTarget, RouterId, Safi, Vni,
};
pub use wire::CodecContext;
