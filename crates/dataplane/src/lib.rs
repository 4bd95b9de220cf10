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
