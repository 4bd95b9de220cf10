//! Zero-copy views of every packet header vtepd touches.
//!
//! # The contract (every module follows it)
//!
//! Each header `Foo` comes as two types:
//!
//! - `FooPacket<T: AsRef<[u8]>>`, a view over a byte buffer. It is built with
//!   `FooPacket::new_checked`, which runs one length check (`check_len`) and
//!   returns [`Error::Truncated`] (or a more specific error) when the buffer is
//!   too short for the fixed header *and* for every length the header itself
//!   declares. After that check **no accessor can panic**: every getter reads a
//!   byte range that the check proved is inside the buffer. `new_unchecked`
//!   exists for emitting into a buffer the caller sized with `Repr::buffer_len`.
//!   Setters exist when `T: AsMut<[u8]>`.
//! - `FooRepr`, a small owned, `Copy` (where possible) description of the
//!   header. `FooRepr::parse(&FooPacket)` validates semantics (versions,
//!   reserved bits, checksums where the caller asks) and
//!   `FooRepr::emit(&mut FooPacket)` writes exactly `buffer_len()` bytes of
//!   header. `parse(emit(x)) == x` for every valid `x`.
//!
//! Field positions are `const` byte ranges in a private `field` module of
//! each header, named after the RFC's diagram, which is quoted in the module
//! docs.
//!
//! Errors are the small `Copy` enum [`Error`]: the dataplane counts them by
//! kind and drops the packet; nothing here allocates.
//!
//! Multi-byte fields are big-endian (network order) unless a field's doc says
//! otherwise. Addresses use `core::net::{Ipv4Addr, Ipv6Addr}` and this crate's
//! [`EthernetAddress`].

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

pub mod arp;
pub mod checksum;
mod error;
pub mod ethernet;
pub mod gre;
mod icmp_header;
pub mod icmpv4;
pub mod icmpv6;
pub mod ip;
pub mod ipv4;
pub mod ipv6;
pub mod mpls;
pub mod ndp;
pub mod udp;
pub mod vxlan;

#[cfg(test)]
mod test_util;

pub use arp::{ArpOperation, ArpPacket, ArpRepr};
pub use error::{Error, Result};
pub use ethernet::{EtherType, EthernetAddress, EthernetFrame, EthernetRepr, VlanTag};
pub use gre::{GrePacket, GreRepr};
pub use icmpv4::{Icmpv4Packet, Icmpv4Repr};
pub use icmpv6::{Icmpv6Message, Icmpv6Packet, Icmpv6Repr};
pub use ip::IpProtocol;
pub use ipv4::{ChecksumDelta, Ipv4Options, Ipv4Packet, Ipv4Repr};
pub use ipv6::{Ipv6FragmentHeader, Ipv6FragmentRepr, Ipv6Packet, Ipv6Repr};
pub use mpls::{MplsLabel, MplsPacket, MplsRepr};
pub use ndp::{NdiscFrame, NdiscOption, NdiscOptions, NdiscPacket, NdiscRepr};
pub use udp::{Ipv6ZeroChecksum, UdpPacket, UdpRepr};
pub use vxlan::{Vni, VxlanPacket, VxlanRepr, VXLAN_PORT};

/// A byte range inside a header: `start..end` from the start of the header.
pub(crate) type Field = core::ops::Range<usize>;
/// The bytes from `start` to the end of the buffer.
pub(crate) type Rest = core::ops::RangeFrom<usize>;

/// Read a big-endian `u16` from a slice the caller proved is 2 bytes long.
#[inline]
pub(crate) fn be16(b: &[u8]) -> u16 {
    u16::from_be_bytes([b[0], b[1]])
}

/// Read a big-endian `u32` from a slice the caller proved is 4 bytes long.
#[inline]
pub(crate) fn be32(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}
