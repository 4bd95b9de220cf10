//! Embedded WireGuard for vtepd, built on boringtun's Noise implementation.
//!
//! # Job
//!
//! Terminate WireGuard tunnels in user space on kernels that have no WireGuard
//! module: a peer table with keys, allowed IPs and endpoints, endpoint roaming,
//! persistent keepalives for peers behind NAT, a host interface (TUN) for the
//! router's own traffic (BGP over the tunnel), and a direct path that hands
//! decrypted VTEP-to-VTEP packets to the dataplane without a trip through the
//! kernel.
//!
//! # Invariants
//!
//! - Time is an input: boringtun's own clock reads are wrapped behind this
//!   crate's tick, so the peer table is driven by `(now, input)` like every
//!   other protocol core.
//! - The peer table is bounded; an unknown sender costs a cookie reply, not
//!   state.
//! - Encryption and decryption write into caller-provided buffers; nothing is
//!   allocated per packet.
