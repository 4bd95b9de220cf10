//! IPv4 and IPv6 fragmentation and bounded, attack-safe reassembly.
//!
//! # Job
//!
//! Split VTEP-to-VTEP packets that exceed a tunnel's MTU into fragments
//! (RFC 791 for IPv4, RFC 8200 §4.5 for IPv6) and put them back together on
//! the far side, so that 1500-byte inner frames cross WireGuard and NAT paths
//! whose MTU is smaller.
//!
//! # Invariants
//!
//! - Reassembly is a sans-IO state machine fed with `(now, fragment)`; it never
//!   reads a clock.
//! - Capacity is fixed when the reassembler is built: a bounded number of
//!   datagrams in progress, a bounded number of bytes buffered, and an explicit
//!   expiry; a flood of fragments evicts the oldest incomplete datagram and is
//!   counted, it never grows memory.
//! - Overlapping fragments are handled as RFC 5722 (IPv6) and RFC 8900 advise:
//!   the whole datagram is dropped, never silently patched.
//! - Fragmentation writes into caller-provided buffers; nothing is allocated
//!   per packet.
