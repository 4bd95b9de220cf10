//! VXLAN headers (RFC 7348 §5).
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |R|R|R|R|I|R|R|R|            Reserved                           |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                VXLAN Network Identifier (VNI) |   Reserved    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The header follows a UDP header whose destination port is
//! [`VXLAN_PORT`] (4789) and precedes the inner Ethernet frame.
//!
//! # Receive rules
//!
//! - The I flag MUST be set for a valid VNI (RFC 7348 §5);
//!   [`VxlanRepr::parse`] returns [`Error::BadFlags`] when it is clear.
//! - The reserved fields "MUST be set to zero on transmission and ignored on
//!   receipt". `parse` therefore ignores them, and [`VxlanRepr::emit`] writes
//!   them as zero. A receiver that wants to count senders that set them (for
//!   example VXLAN-GBP or VXLAN-GPE speakers, whose extra flags live in these
//!   bits) asks the view: [`VxlanPacket::reserved_bits_set`].

use core::fmt;

use crate::{be32, Error, Result};

/// The IANA-assigned UDP destination port for VXLAN (RFC 7348 §5).
pub const VXLAN_PORT: u16 = 4789;

/// A 24-bit VXLAN Network Identifier.
///
/// Always `<= Vni::MAX`; built with [`Vni::new`] (checked) or from three
/// bytes. Distinct from an MPLS label on purpose: an EVPN-VXLAN route carries
/// the raw 24-bit VNI in its label field (RFC 8365 §5.1.3).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Vni(u32);

impl Vni {
    /// The largest VNI, 2^24 - 1.
    pub const MAX: Vni = Vni(0x00ff_ffff);

    /// A VNI from its numeric value; [`Error::Malformed`] if it needs more
    /// than 24 bits.
    pub const fn new(v: u32) -> Result<Vni> {
        if v > Self::MAX.0 {
            Err(Error::Malformed)
        } else {
            Ok(Vni(v))
        }
    }

    /// The VNI in three network-order bytes (always valid).
    pub const fn from_be_bytes(b: [u8; 3]) -> Vni {
        Vni(((b[0] as u32) << 16) | ((b[1] as u32) << 8) | (b[2] as u32))
    }

    /// The three network-order bytes of the VNI.
    pub const fn to_be_bytes(self) -> [u8; 3] {
        [(self.0 >> 16) as u8, (self.0 >> 8) as u8, self.0 as u8]
    }

    /// The numeric value (`<= 0xff_ffff`).
    pub const fn get(self) -> u32 {
        self.0
    }
}

impl TryFrom<u32> for Vni {
    type Error = Error;

    fn try_from(v: u32) -> Result<Vni> {
        Vni::new(v)
    }
}

impl From<Vni> for u32 {
    fn from(v: Vni) -> u32 {
        v.0
    }
}

impl fmt::Display for Vni {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.0, f)
    }
}

impl fmt::Debug for Vni {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Vni({})", self.0)
    }
}

mod field {
    use crate::{Field, Rest};
    /// `R|R|R|R|I|R|R|R`.
    pub const FLAGS: usize = 0;
    /// The 24 reserved bits after the flags.
    pub const RESERVED1: Field = 1..4;
    /// VNI (24 bits) and the last reserved byte.
    pub const VNI_WORD: Field = 4..8;
    pub const VNI: Field = 4..7;
    pub const RESERVED2: usize = 7;
    pub const PAYLOAD: Rest = 8..;
    pub const HEADER_LEN: usize = 8;
}

/// The I flag: "set to 1 for a valid VXLAN Network ID".
pub const FLAG_I: u8 = 0x08;

/// A read/write view of a VXLAN header and the inner frame after it.
#[derive(Debug, Clone)]
pub struct VxlanPacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> VxlanPacket<T> {
    /// Length of the VXLAN header.
    pub const HEADER_LEN: usize = field::HEADER_LEN;

    /// Wrap a buffer without checking it. Accessors may panic until
    /// [`check_len`](Self::check_len) succeeds; use this only to emit into a
    /// buffer sized by [`VxlanRepr::buffer_len`].
    pub const fn new_unchecked(buffer: T) -> VxlanPacket<T> {
        VxlanPacket { buffer }
    }

    /// Wrap a buffer and check that the 8-byte header is there.
    pub fn new_checked(buffer: T) -> Result<VxlanPacket<T>> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// [`Error::Truncated`] if the buffer is shorter than the header.
    pub fn check_len(&self) -> Result<()> {
        if self.buffer.as_ref().len() < field::HEADER_LEN {
            Err(Error::Truncated)
        } else {
            Ok(())
        }
    }

    /// Consume the view and return the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The whole flags byte (`R|R|R|R|I|R|R|R`).
    pub fn flags(&self) -> u8 {
        self.buffer.as_ref()[field::FLAGS]
    }

    /// The I flag: the VNI field is valid.
    pub fn i_flag(&self) -> bool {
        self.flags() & FLAG_I != 0
    }

    /// The VXLAN Network Identifier.
    pub fn vni(&self) -> Vni {
        let b = &self.buffer.as_ref()[field::VNI];
        Vni::from_be_bytes([b[0], b[1], b[2]])
    }

    /// Whether any reserved bit (flags other than I, the 24 bits after the
    /// flags, or the byte after the VNI) is non-zero. RFC 7348 says to ignore
    /// them on receipt; this exists so the receiver can count such packets.
    pub fn reserved_bits_set(&self) -> bool {
        let b = self.buffer.as_ref();
        b[field::FLAGS] & !FLAG_I != 0
            || b[field::RESERVED1].iter().any(|&x| x != 0)
            || b[field::RESERVED2] != 0
    }

    /// The second 32-bit word as a number: VNI in the top 24 bits.
    pub fn vni_word(&self) -> u32 {
        be32(&self.buffer.as_ref()[field::VNI_WORD])
    }

    /// The encapsulated Ethernet frame.
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[field::PAYLOAD]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> VxlanPacket<T> {
    /// Set the flags byte.
    pub fn set_flags(&mut self, flags: u8) {
        self.buffer.as_mut()[field::FLAGS] = flags;
    }

    /// Set the VNI (leaves the reserved byte after it alone).
    pub fn set_vni(&mut self, vni: Vni) {
        self.buffer.as_mut()[field::VNI].copy_from_slice(&vni.to_be_bytes());
    }

    /// Zero every reserved bit, keeping the I flag and the VNI.
    pub fn clear_reserved(&mut self) {
        let b = self.buffer.as_mut();
        b[field::FLAGS] &= FLAG_I;
        b[field::RESERVED1].fill(0);
        b[field::RESERVED2] = 0;
    }

    /// The encapsulated frame, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        &mut self.buffer.as_mut()[field::PAYLOAD]
    }
}

/// The owned form of a VXLAN header: only the VNI carries information.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VxlanRepr {
    /// The VXLAN Network Identifier.
    pub vni: Vni,
}

impl VxlanRepr {
    /// Parse a checked header: [`Error::BadFlags`] unless the I flag is set.
    /// Reserved bits are ignored (see the module docs).
    pub fn parse<T: AsRef<[u8]>>(packet: &VxlanPacket<T>) -> Result<VxlanRepr> {
        if !packet.i_flag() {
            return Err(Error::BadFlags);
        }
        Ok(VxlanRepr { vni: packet.vni() })
    }

    /// Bytes of header [`emit`](Self::emit) writes: 8.
    pub const fn buffer_len(&self) -> usize {
        field::HEADER_LEN
    }

    /// Write the header (I flag, VNI, every reserved bit zero) at the start of
    /// `packet`; [`Error::Truncated`] if the buffer is shorter than 8 bytes.
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut VxlanPacket<T>) -> Result<()> {
        let b = packet.buffer.as_mut();
        let Some(hdr) = b.get_mut(..field::HEADER_LEN) else {
            return Err(Error::Truncated);
        };
        let v = self.vni.to_be_bytes();
        hdr.copy_from_slice(&[FLAG_I, 0, 0, 0, v[0], v[1], v[2], 0]);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::{format, vec};

    /// A VXLAN header for VNI 100 (the bytes Linux sends, see udp.rs), then
    /// the start of an inner Ethernet frame (a broadcast ARP).
    const VNI_100: [u8; 22] = [
        0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64, 0x00, // VXLAN, VNI 100
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06,
    ];

    #[test]
    fn parse_vni_100() {
        let p = VxlanPacket::new_checked(&VNI_100[..]).unwrap();
        assert!(p.i_flag());
        assert!(!p.reserved_bits_set());
        assert_eq!(p.vni().get(), 100);
        assert_eq!(p.vni_word(), 100 << 8);
        assert_eq!(p.payload(), &VNI_100[8..]);
        let r = VxlanRepr::parse(&p).unwrap();
        assert_eq!(r.vni, Vni::new(100).unwrap());
        assert_eq!(format!("{}", r.vni), "100");
    }

    #[test]
    fn emit_exact_bytes() {
        let r = VxlanRepr {
            vni: Vni::new(0x12_3456).unwrap(),
        };
        let mut out = [0xaau8; 8];
        r.emit(&mut VxlanPacket::new_unchecked(&mut out[..]))
            .unwrap();
        assert_eq!(out, [0x08, 0, 0, 0, 0x12, 0x34, 0x56, 0]);
        assert_eq!(
            r.emit(&mut VxlanPacket::new_unchecked(&mut [0u8; 7][..])),
            Err(Error::Truncated)
        );
    }

    #[test]
    fn i_flag_required() {
        let mut b = VNI_100;
        b[0] = 0x00;
        let p = VxlanPacket::new_checked(&b[..]).unwrap();
        assert_eq!(VxlanRepr::parse(&p), Err(Error::BadFlags));
        // Another flag without I is still rejected.
        b[0] = 0x80;
        let p = VxlanPacket::new_checked(&b[..]).unwrap();
        assert_eq!(VxlanRepr::parse(&p), Err(Error::BadFlags));
    }

    #[test]
    fn reserved_bits_ignored_but_reported() {
        for (i, v) in [(0usize, 0x88u8), (1, 1), (2, 0x80), (3, 0x10), (7, 0xff)] {
            let mut b = VNI_100;
            b[i] = v;
            let mut p = VxlanPacket::new_checked(&mut b[..]).unwrap();
            assert!(p.reserved_bits_set(), "byte {i}");
            assert_eq!(VxlanRepr::parse(&p).unwrap().vni.get(), 100);
            p.clear_reserved();
            assert!(!p.reserved_bits_set());
            assert_eq!(&b[..8], &VNI_100[..8]);
        }
    }

    #[test]
    fn vni_bounds() {
        assert_eq!(Vni::new(0xff_ffff).unwrap(), Vni::MAX);
        assert_eq!(Vni::new(0x100_0000), Err(Error::Malformed));
        assert_eq!(Vni::try_from(u32::MAX), Err(Error::Malformed));
        assert_eq!(u32::from(Vni::from_be_bytes([1, 2, 3])), 0x01_0203);
        assert_eq!(Vni::MAX.to_be_bytes(), [0xff; 3]);
    }

    #[test]
    fn setters() {
        let mut b = VNI_100;
        let mut p = VxlanPacket::new_checked(&mut b[..]).unwrap();
        p.set_vni(Vni::new(4000).unwrap());
        p.set_flags(0);
        p.payload_mut()[0] = 0x33;
        assert_eq!(&b[..9], &[0, 0, 0, 0, 0x00, 0x0f, 0xa0, 0, 0x33]);
    }

    #[test]
    fn truncated_at_every_length() {
        for n in 0..8 {
            assert_eq!(
                VxlanPacket::new_checked(&VNI_100[..n]).unwrap_err(),
                Error::Truncated
            );
        }
        let p = VxlanPacket::new_checked(&VNI_100[..8]).unwrap();
        assert!(p.payload().is_empty());
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(data in proptest::collection::vec(0u8.., 0..24)) {
            if let Ok(p) = VxlanPacket::new_checked(&data[..]) {
                let _ = (p.flags(), p.payload(), p.reserved_bits_set(), p.vni_word());
                if let Ok(r) = VxlanRepr::parse(&p) {
                    let mut out = vec![0u8; r.buffer_len()];
                    r.emit(&mut VxlanPacket::new_unchecked(&mut out[..])).unwrap();
                    // Emit reproduces the header with the reserved bits zeroed.
                    let mut want = data[..8].to_vec();
                    VxlanPacket::new_unchecked(&mut want[..]).clear_reserved();
                    proptest::prop_assert_eq!(&out[..], &want[..]);
                    if !p.reserved_bits_set() {
                        proptest::prop_assert_eq!(&out[..], &data[..8]);
                    }
                }
            }
        }

        #[test]
        fn round_trip(v in 0u32..=0xff_ffff) {
            let r = VxlanRepr { vni: Vni::new(v).unwrap() };
            let mut out = [0u8; 8];
            r.emit(&mut VxlanPacket::new_unchecked(&mut out[..])).unwrap();
            let p = VxlanPacket::new_checked(&out[..]).unwrap();
            proptest::prop_assert_eq!(VxlanRepr::parse(&p).unwrap(), r);
        }
    }
}
