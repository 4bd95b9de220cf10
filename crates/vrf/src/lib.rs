//! Per-VRF routing tables for vtepd's L3 gateway.
//!
//! # Job
//!
//! One longest-prefix-match table per VRF (tenant) for IPv4 and IPv6, filled by
//! the control plane from EVPN type-5 routes, VPNv4/VPNv6 routes and connected
//! subnets; next-hop resolution to a remote VTEP (router MAC + L3 VNI) or a local
//! bridge domain; and route leaking between VRFs when policy allows it.
//!
//! # Invariants
//!
//! - Tables are read by the dataplane as read-mostly snapshots that the control
//!   plane builds and swaps; a lookup never blocks on an update.
//! - A lookup returns the most specific installed prefix or nothing; there is no
//!   implicit default route.
//! - VRFs are isolated: a route exists in another VRF only if leaking policy put
//!   it there, and it remembers where it came from.
//! - Depends only on `vtepd-wire` types; knows nothing of BGP.
