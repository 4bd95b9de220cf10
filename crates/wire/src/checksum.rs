//! The Internet checksum (RFC 1071) and its incremental update (RFC 1624).
//!
//! All functions work on one's-complement 16-bit sums kept in a `u32`
//! accumulator and folded at the end, so a checksum over several pieces
//! (pseudo-header, header, payload) is the fold of the sum of their sums.

use core::net::{Ipv4Addr, Ipv6Addr};

use crate::ip::IpProtocol;

/// One's-complement sum of `data` as big-endian 16-bit words (an odd last byte
/// is padded with zero), not yet folded or complemented.
///
/// Sums of pieces can be added together as long as every piece except the
/// last has an even length.
#[inline]
pub fn sum(data: &[u8]) -> u32 {
    // Add 32-bit words into a u64 so that carries are kept; fold at the end.
    let mut acc: u64 = 0;
    let mut chunks = data.chunks_exact(4);
    for c in &mut chunks {
        acc += u64::from(u32::from_be_bytes([c[0], c[1], c[2], c[3]]));
    }
    let rest = chunks.remainder();
    let mut i = 0;
    while i + 1 < rest.len() {
        acc += u64::from(u16::from_be_bytes([rest[i], rest[i + 1]]));
        i += 2;
    }
    if i < rest.len() {
        acc += u64::from(rest[i]) << 8;
    }
    // Fold 64 -> 32 -> (fits in u32 with room for further additions).
    acc = (acc & 0xffff_ffff) + (acc >> 32);
    acc = (acc & 0xffff_ffff) + (acc >> 32);
    let acc = acc as u32;
    (acc & 0xffff) + (acc >> 16)
}

/// Fold a 32-bit accumulator into a 16-bit one's-complement sum.
#[inline]
pub fn fold(mut acc: u32) -> u16 {
    while acc > 0xffff {
        acc = (acc & 0xffff) + (acc >> 16);
    }
    acc as u16
}

/// The Internet checksum of `data`: the complement of its folded sum.
#[inline]
pub fn checksum(data: &[u8]) -> u16 {
    !fold(sum(data))
}

/// Whether `data`, which contains its own checksum field, verifies: its
/// folded sum is `0xffff`.
#[inline]
pub fn verify(data: &[u8]) -> bool {
    fold(sum(data)) == 0xffff
}

/// Sum of the IPv4 pseudo-header (RFC 768, RFC 793 §3.1).
#[inline]
pub fn pseudo_header_v4(src: Ipv4Addr, dst: Ipv4Addr, proto: IpProtocol, len: u16) -> u32 {
    let s = src.octets();
    let d = dst.octets();
    u32::from(u16::from_be_bytes([s[0], s[1]]))
        + u32::from(u16::from_be_bytes([s[2], s[3]]))
        + u32::from(u16::from_be_bytes([d[0], d[1]]))
        + u32::from(u16::from_be_bytes([d[2], d[3]]))
        + u32::from(u8::from(proto))
        + u32::from(len)
}

/// Sum of the IPv6 pseudo-header (RFC 8200 §8.1): addresses, 32-bit
/// upper-layer length and next header.
#[inline]
pub fn pseudo_header_v6(src: Ipv6Addr, dst: Ipv6Addr, proto: IpProtocol, len: u32) -> u32 {
    let mut acc = sum(&src.octets()) + sum(&dst.octets());
    acc += len >> 16;
    acc += len & 0xffff;
    acc += u32::from(u8::from(proto));
    acc
}

/// RFC 1624 eqn. 3: the new checksum `HC'` after a 16-bit field changes from
/// `old` to `new`, given the old checksum `hc`: `HC' = ~(~HC + ~m + m')`.
///
/// Unlike eqn. 2 of RFC 1141, this never produces `0x0000` from a non-zero
/// sum (the "-0" problem RFC 1624 §3 describes).
#[inline]
pub fn update16(hc: u16, old: u16, new: u16) -> u16 {
    let acc = u32::from(!hc) + u32::from(!old) + u32::from(new);
    !fold(acc)
}

/// [`update16`] for a 32-bit field (an IPv4 address in a NAT rewrite).
#[inline]
pub fn update32(hc: u16, old: u32, new: u32) -> u16 {
    let hc = update16(hc, (old >> 16) as u16, (new >> 16) as u16);
    update16(hc, old as u16, new as u16)
}

/// [`update16`] for a field of any even length: `old` and `new` must have the
/// same length (an IPv6 address, a MAC in a checksummed payload).
///
/// # Panics
///
/// Never; if the lengths differ the shorter one decides how much is used.
#[inline]
pub fn update_bytes(hc: u16, old: &[u8], new: &[u8]) -> u16 {
    let n = old.len().min(new.len());
    let acc = u32::from(!hc) + u32::from(!fold(sum(&old[..n]))) + sum(&new[..n]);
    !fold(acc)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 1071 §3: the example bytes 00 01 f2 03 f4 f5 f6 f7 sum to ddf2
    /// (the RFC shows the folded sum, before complement).
    #[test]
    fn rfc1071_example() {
        let data = [0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7];
        assert_eq!(fold(sum(&data)), 0xddf2);
        assert_eq!(checksum(&data), !0xddf2);
    }

    #[test]
    fn odd_length_pads_with_zero() {
        assert_eq!(fold(sum(&[0xab])), 0xab00);
        assert_eq!(fold(sum(&[0x12, 0x34, 0x56])), 0x1234 + 0x5600);
    }

    /// RFC 1624 §4: HC = 0xDD2F, m = 0x5555 -> m' = 0x3285 gives HC' = 0x0000
    /// with eqn. 3, where eqn. 2 wrongly gives 0xFFFF.
    #[test]
    fn rfc1624_example() {
        assert_eq!(update16(0xdd2f, 0x5555, 0x3285), 0x0000);
    }

    /// A real IPv4 header (captured) with checksum 0xb1e6 verifies, and an
    /// incremental TTL decrement equals a full recomputation.
    #[test]
    fn ipv4_header_and_ttl_decrement() {
        let mut hdr = [
            0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40, 0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7,
        ];
        assert!(verify(&hdr));
        let old = u16::from_be_bytes([hdr[8], hdr[9]]);
        hdr[8] -= 1;
        let new = u16::from_be_bytes([hdr[8], hdr[9]]);
        let hc = u16::from_be_bytes([hdr[10], hdr[11]]);
        let inc = update16(hc, old, new);
        hdr[10..12].copy_from_slice(&[0, 0]);
        let full = checksum(&hdr);
        assert_eq!(inc, full);
    }

    #[test]
    fn update32_matches_recompute() {
        let mut data = [0x12u8, 0x34, 0xc0, 0xa8, 0x01, 0x02, 0x9a, 0xbc];
        let hc = checksum(&data);
        let new = 0x0a00_0001u32;
        let inc = update32(hc, 0xc0a8_0102, new);
        data[2..6].copy_from_slice(&new.to_be_bytes());
        assert_eq!(inc, checksum(&data));
    }

    proptest::proptest! {
        #[test]
        fn sum_of_pieces_is_sum_of_whole(a in proptest::collection::vec(0u8.., 0..64), b in proptest::collection::vec(0u8.., 0..64)) {
            let mut a = a;
            if a.len() % 2 == 1 { a.push(0); }
            let mut whole = a.clone();
            whole.extend_from_slice(&b);
            proptest::prop_assert_eq!(fold(sum(&a) + sum(&b)), fold(sum(&whole)));
        }

        #[test]
        fn incremental_update_equals_full(mut data in proptest::collection::vec(0u8.., 2..128), idx in 0usize..64, new in 0u16..) {
            let i = (idx % (data.len() / 2)) * 2;
            let hc = checksum(&data);
            let old = u16::from_be_bytes([data[i], data[i + 1]]);
            let inc = update16(hc, old, new);
            data[i..i + 2].copy_from_slice(&new.to_be_bytes());
            let full = checksum(&data);
            // One's complement has two zeros; RFC 1624 eqn. 3 can yield 0xffff
            // where a full computation yields 0x0000 only for an all-zero sum.
            proptest::prop_assert!(inc == full || ((inc ^ full) == 0xffff && (inc == 0 || full == 0)));
        }
    }
}
