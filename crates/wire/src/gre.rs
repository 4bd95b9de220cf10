//! GRE headers (RFC 2784) with the Key and Sequence Number extensions of
//! RFC 2890.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |C| |K|S| Reserved0       | Ver |         Protocol Type         |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |      Checksum (optional)      |       Reserved1 (Optional)    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                         Key (optional)                        |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                 Sequence Number (Optional)                    |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The optional words are present, in this order, when their flag is set:
//! C (bit 0) adds Checksum and Reserved1, K (bit 2) the Key, S (bit 3) the
//! Sequence Number. The Protocol Type is an EtherType (0x0800 IPv4, 0x8847
//! MPLS, 0x6558 Ethernet, ...).
//! [`GrePacket::set_flags`] moves the optional words and can make the header
//! longer than the buffer; call `check_len` again after changing the flags
//! of a received packet.
//!
//! # Receive rules
//!
//! - Version must be 0 ([`Error::BadVersion`] from
//!   [`GrePacket::check_len`]; version 1 is PPTP's enhanced GRE).
//! - Bits 1, 4 and 5 (RFC 1701's routing, strict source route and the top
//!   bit of its recursion control) MUST cause a discard (RFC 2784 §2.3):
//!   [`GreRepr::parse`] returns [`Error::BadFlags`].
//! - Bits 6-12 and Reserved1 MUST be sent as zero and ignored on receipt:
//!   `parse` ignores them, [`GreRepr::emit`] writes zeros, and
//!   [`GrePacket::reserved_bits_set`] reports them.
//! - The checksum covers the GRE header and payload with the checksum field
//!   zero (RFC 2784 §2.5). `parse` verifies it when present
//!   ([`Error::BadChecksum`]); the view's buffer must therefore end where the
//!   GRE payload ends (pass the IP payload).

use crate::ethernet::EtherType;
use crate::{be16, be32, checksum, Error, Result};

mod field {
    use crate::Field;
    pub const FLAGS_VER: Field = 0..2;
    pub const PROTOCOL: Field = 2..4;
    pub const BASE_LEN: usize = 4;
    pub const WORD: usize = 4;
}

const FLAG_C: u16 = 0x8000;
const FLAG_K: u16 = 0x2000;
const FLAG_S: u16 = 0x1000;
/// Bits 1, 4 and 5: a receiver not implementing RFC 1701 discards.
const MUST_BE_ZERO: u16 = 0x4c00;
/// Bits 6-12: ignored on receipt.
const IGNORED: u16 = 0x03f8;
const VERSION_MASK: u16 = 0x0007;

/// A read/write view of a GRE header and its payload.
#[derive(Debug, Clone)]
pub struct GrePacket<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> GrePacket<T> {
    /// Wrap a buffer without checking it. Accessors may panic until
    /// [`check_len`](Self::check_len) succeeds; use this only to emit into a
    /// buffer sized by [`GreRepr::buffer_len`] (plus the payload).
    pub const fn new_unchecked(buffer: T) -> GrePacket<T> {
        GrePacket { buffer }
    }

    /// Wrap a buffer and check it (see [`check_len`](Self::check_len)).
    pub fn new_checked(buffer: T) -> Result<GrePacket<T>> {
        let p = Self::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// [`Error::Truncated`] if the 4 base bytes or the optional words the
    /// flags announce are missing; [`Error::BadVersion`] unless the version
    /// is 0.
    pub fn check_len(&self) -> Result<()> {
        let b = self.buffer.as_ref();
        if b.len() < field::BASE_LEN {
            return Err(Error::Truncated);
        }
        if self.version() != 0 {
            return Err(Error::BadVersion);
        }
        if b.len() < self.header_len() {
            return Err(Error::Truncated);
        }
        Ok(())
    }

    /// Consume the view and return the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn flags_ver(&self) -> u16 {
        be16(&self.buffer.as_ref()[field::FLAGS_VER])
    }

    /// The version (0 after `check_len`).
    pub fn version(&self) -> u8 {
        (self.flags_ver() & VERSION_MASK) as u8
    }

    /// C: Checksum and Reserved1 present.
    pub fn checksum_present(&self) -> bool {
        self.flags_ver() & FLAG_C != 0
    }

    /// K: Key present.
    pub fn key_present(&self) -> bool {
        self.flags_ver() & FLAG_K != 0
    }

    /// S: Sequence Number present.
    pub fn seq_present(&self) -> bool {
        self.flags_ver() & FLAG_S != 0
    }

    /// Whether any of bits 1, 4, 5 is set (the packet must be discarded).
    pub fn forbidden_bits_set(&self) -> bool {
        self.flags_ver() & MUST_BE_ZERO != 0
    }

    /// Whether any ignored bit (6-12, or Reserved1 when present) is set.
    pub fn reserved_bits_set(&self) -> bool {
        self.flags_ver() & IGNORED != 0 || self.reserved1().is_some_and(|r| r != 0)
    }

    /// The payload's protocol.
    pub fn protocol_type(&self) -> EtherType {
        EtherType::from(be16(&self.buffer.as_ref()[field::PROTOCOL]))
    }

    /// Header length: 4 plus 4 per optional word.
    pub fn header_len(&self) -> usize {
        let n = usize::from(self.checksum_present())
            + usize::from(self.key_present())
            + usize::from(self.seq_present());
        field::BASE_LEN + n * field::WORD
    }

    fn key_at(&self) -> usize {
        field::BASE_LEN + usize::from(self.checksum_present()) * field::WORD
    }

    fn seq_at(&self) -> usize {
        self.key_at() + usize::from(self.key_present()) * field::WORD
    }

    /// The Checksum field, if present.
    pub fn checksum(&self) -> Option<u16> {
        self.checksum_present()
            .then(|| be16(&self.buffer.as_ref()[4..6]))
    }

    /// Reserved1, if present.
    pub fn reserved1(&self) -> Option<u16> {
        self.checksum_present()
            .then(|| be16(&self.buffer.as_ref()[6..8]))
    }

    /// The Key, if present.
    pub fn key(&self) -> Option<u32> {
        let at = self.key_at();
        self.key_present()
            .then(|| be32(&self.buffer.as_ref()[at..at + 4]))
    }

    /// The Sequence Number, if present.
    pub fn sequence_number(&self) -> Option<u32> {
        let at = self.seq_at();
        self.seq_present()
            .then(|| be32(&self.buffer.as_ref()[at..at + 4]))
    }

    /// Whether the checksum over header and payload verifies; `true` when
    /// there is none.
    pub fn verify_checksum(&self) -> bool {
        !self.checksum_present() || checksum::verify(self.buffer.as_ref())
    }

    /// The payload after the header (to the end of the buffer).
    pub fn payload(&self) -> &[u8] {
        &self.buffer.as_ref()[self.header_len()..]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> GrePacket<T> {
    /// Write flags and version: C, K, S as given, every other bit zero,
    /// version 0. This decides where the optional words go.
    pub fn set_flags(&mut self, checksum: bool, key: bool, seq: bool) {
        let mut v = 0u16;
        if checksum {
            v |= FLAG_C;
        }
        if key {
            v |= FLAG_K;
        }
        if seq {
            v |= FLAG_S;
        }
        self.buffer.as_mut()[field::FLAGS_VER].copy_from_slice(&v.to_be_bytes());
    }

    /// Set the protocol type.
    pub fn set_protocol_type(&mut self, t: EtherType) {
        self.buffer.as_mut()[field::PROTOCOL].copy_from_slice(&u16::from(t).to_be_bytes());
    }

    /// Set the Checksum field and zero Reserved1 (no-op unless C is set).
    pub fn set_checksum(&mut self, c: u16) {
        if self.checksum_present() {
            let b = self.buffer.as_mut();
            b[4..6].copy_from_slice(&c.to_be_bytes());
            b[6..8].fill(0);
        }
    }

    /// Set the Key (no-op unless K is set).
    pub fn set_key(&mut self, key: u32) {
        if self.key_present() {
            let at = self.key_at();
            self.buffer.as_mut()[at..at + 4].copy_from_slice(&key.to_be_bytes());
        }
    }

    /// Set the Sequence Number (no-op unless S is set).
    pub fn set_sequence_number(&mut self, seq: u32) {
        if self.seq_present() {
            let at = self.seq_at();
            self.buffer.as_mut()[at..at + 4].copy_from_slice(&seq.to_be_bytes());
        }
    }

    /// Compute and store the checksum over the header and the rest of the
    /// buffer (no-op unless C is set). Call after the payload is written.
    pub fn fill_checksum(&mut self) {
        if self.checksum_present() {
            self.set_checksum(0);
            let c = checksum::checksum(self.buffer.as_ref());
            self.set_checksum(c);
        }
    }

    /// The payload, mutable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        let at = self.header_len();
        &mut self.buffer.as_mut()[at..]
    }
}

/// The owned form of a GRE header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GreRepr {
    /// The payload's protocol.
    pub protocol: EtherType,
    /// Whether a checksum is carried (its value is computed over the
    /// payload by [`GrePacket::fill_checksum`]).
    pub checksum: bool,
    /// The Key (RFC 2890 §2.1), if any.
    pub key: Option<u32>,
    /// The Sequence Number (RFC 2890 §2.2), if any.
    pub sequence: Option<u32>,
}

impl GreRepr {
    /// Parse a checked header: [`Error::BadFlags`] if bit 1, 4 or 5 is set,
    /// [`Error::BadChecksum`] if a checksum is present and does not verify.
    pub fn parse<T: AsRef<[u8]>>(packet: &GrePacket<T>) -> Result<GreRepr> {
        if packet.version() != 0 {
            return Err(Error::BadVersion);
        }
        if packet.forbidden_bits_set() {
            return Err(Error::BadFlags);
        }
        if !packet.verify_checksum() {
            return Err(Error::BadChecksum);
        }
        Ok(GreRepr {
            protocol: packet.protocol_type(),
            checksum: packet.checksum_present(),
            key: packet.key(),
            sequence: packet.sequence_number(),
        })
    }

    /// Bytes of header [`emit`](Self::emit) writes (4 to 16).
    pub fn buffer_len(&self) -> usize {
        let n = usize::from(self.checksum)
            + usize::from(self.key.is_some())
            + usize::from(self.sequence.is_some());
        field::BASE_LEN + n * field::WORD
    }

    /// Write the header at the start of `packet`, with a zero checksum
    /// field; write the payload next and then call
    /// [`GrePacket::fill_checksum`] when `checksum` is set.
    /// [`Error::Truncated`] if the buffer is shorter than
    /// [`buffer_len`](Self::buffer_len).
    pub fn emit<T: AsRef<[u8]> + AsMut<[u8]>>(&self, packet: &mut GrePacket<T>) -> Result<()> {
        if packet.buffer.as_ref().len() < self.buffer_len() {
            return Err(Error::Truncated);
        }
        packet.set_flags(self.checksum, self.key.is_some(), self.sequence.is_some());
        packet.set_protocol_type(self.protocol);
        packet.set_checksum(0);
        if let Some(k) = self.key {
            packet.set_key(k);
        }
        if let Some(s) = self.sequence {
            packet.set_sequence_number(s);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // No captured GRE: this machine's kernel has no GRE module. The vectors
    // are built from the RFC 2784/2890 layouts; the checksum one was
    // computed independently (one's-complement sum by hand / Python).

    /// Plain GRE carrying IPv4.
    const PLAIN: [u8; 6] = [0x00, 0x00, 0x08, 0x00, 0x45, 0x00];
    /// K set, Ethernet payload, key 0x00006400.
    const KEYED: [u8; 10] = [0x20, 0x00, 0x65, 0x58, 0x00, 0x00, 0x64, 0x00, 0xff, 0xff];
    /// C, K and S set: checksum 0xaa36 over these 20 bytes, key 42,
    /// sequence 1, payload de ad be ef.
    const FULL: [u8; 20] = [
        0xb0, 0x00, 0x08, 0x00, 0xaa, 0x36, 0x00, 0x00, 0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00,
        0x01, 0xde, 0xad, 0xbe, 0xef,
    ];

    #[test]
    fn parse_plain() {
        let p = GrePacket::new_checked(&PLAIN[..]).unwrap();
        assert_eq!(p.header_len(), 4);
        assert_eq!(p.checksum(), None);
        let r = GreRepr::parse(&p).unwrap();
        assert_eq!(
            r,
            GreRepr {
                protocol: EtherType::Ipv4,
                checksum: false,
                key: None,
                sequence: None
            }
        );
        assert_eq!(p.payload(), &[0x45, 0x00]);
    }

    #[test]
    fn parse_keyed_ethernet() {
        let p = GrePacket::new_checked(&KEYED[..]).unwrap();
        let r = GreRepr::parse(&p).unwrap();
        assert_eq!(r.protocol, EtherType::TransparentEthernet);
        assert_eq!(r.key, Some(0x6400));
        assert_eq!(r.buffer_len(), 8);
        let mut out = [0u8; 8];
        r.emit(&mut GrePacket::new_unchecked(&mut out[..])).unwrap();
        assert_eq!(out, KEYED[..8]);
    }

    #[test]
    fn full_header_checksum() {
        let p = GrePacket::new_checked(&FULL[..]).unwrap();
        assert!(p.checksum_present() && p.key_present() && p.seq_present());
        assert_eq!(p.header_len(), 16);
        assert_eq!(p.checksum(), Some(0xaa36));
        assert_eq!(p.reserved1(), Some(0));
        assert_eq!(p.key(), Some(42));
        assert_eq!(p.sequence_number(), Some(1));
        assert!(p.verify_checksum());
        let r = GreRepr::parse(&p).unwrap();

        let mut out = [0u8; 20];
        let mut q = GrePacket::new_unchecked(&mut out[..]);
        r.emit(&mut q).unwrap();
        q.payload_mut().copy_from_slice(&[0xde, 0xad, 0xbe, 0xef]);
        q.fill_checksum();
        assert_eq!(out, FULL);

        let mut bad = FULL;
        bad[19] ^= 1;
        let p = GrePacket::new_checked(&bad[..]).unwrap();
        assert_eq!(GreRepr::parse(&p), Err(Error::BadChecksum));
    }

    #[test]
    fn version_and_flags() {
        let mut b = PLAIN;
        b[1] = 0x01; // version 1 (PPTP)
        assert_eq!(
            GrePacket::new_checked(&b[..]).unwrap_err(),
            Error::BadVersion
        );
        for (byte0, byte1) in [(0x40u8, 0u8), (0x08, 0), (0x04, 0)] {
            let mut b = PLAIN;
            b[0] = byte0;
            b[1] = byte1;
            let p = GrePacket::new_checked(&b[..]).unwrap();
            assert!(p.forbidden_bits_set());
            assert_eq!(GreRepr::parse(&p), Err(Error::BadFlags), "{byte0:#x}");
        }
        // Bits 6-12 are ignored but reported, and emit clears them.
        for (byte0, byte1) in [(0x02u8, 0u8), (0x01, 0), (0x00, 0x80), (0x00, 0x08)] {
            let mut b = PLAIN;
            b[0] = byte0;
            b[1] = byte1;
            let p = GrePacket::new_checked(&b[..]).unwrap();
            assert!(p.reserved_bits_set());
            let r = GreRepr::parse(&p).unwrap();
            let mut out = [0u8; 4];
            r.emit(&mut GrePacket::new_unchecked(&mut out[..])).unwrap();
            assert_eq!(out, PLAIN[..4]);
        }
        // Reserved1 is ignored too (the checksum still has to verify).
        let mut b = FULL;
        b[7] = 1;
        let p = GrePacket::new_checked(&b[..]).unwrap();
        assert!(p.reserved_bits_set());
        let c = checksum::update16(p.checksum().unwrap(), 0, 1);
        b[4..6].copy_from_slice(&c.to_be_bytes());
        let p = GrePacket::new_checked(&b[..]).unwrap();
        assert!(p.verify_checksum());
        assert_eq!(GreRepr::parse(&p).unwrap().key, Some(42));
    }

    #[test]
    fn truncated_at_every_length() {
        for n in 0..16 {
            assert_eq!(
                GrePacket::new_checked(&FULL[..n]).unwrap_err(),
                Error::Truncated,
                "length {n}"
            );
        }
        for n in 0..8 {
            assert_eq!(
                GrePacket::new_checked(&KEYED[..n]).unwrap_err(),
                Error::Truncated
            );
        }
        let r = GreRepr::parse(&GrePacket::new_checked(&FULL[..]).unwrap()).unwrap();
        assert_eq!(
            r.emit(&mut GrePacket::new_unchecked(&mut [0u8; 15][..])),
            Err(Error::Truncated)
        );
    }

    #[test]
    fn setters_respect_flags() {
        let mut b = [0u8; 8];
        let mut p = GrePacket::new_unchecked(&mut b[..]);
        p.set_flags(false, true, false);
        p.set_key(7);
        p.set_sequence_number(9); // no S flag: nothing written
        p.set_checksum(0x1234); // no C flag: nothing written
        p.fill_checksum();
        p.set_protocol_type(EtherType::Mpls);
        assert_eq!(b, [0x20, 0, 0x88, 0x47, 0, 0, 0, 7]);
    }

    proptest::proptest! {
        #[test]
        fn arbitrary_bytes_never_panic(
            mut data in proptest::collection::vec(0u8.., 0..32),
            fix in proptest::bool::ANY,
        ) {
            if fix && data.len() >= 4 {
                data[0] &= !0x4c;
                data[1] &= !0x07;
                if let Ok(mut p) = GrePacket::new_checked(&mut data[..]) {
                    p.fill_checksum();
                }
            }
            if let Ok(p) = GrePacket::new_checked(&data[..]) {
                let _ = (p.payload(), p.checksum(), p.key(), p.sequence_number());
                let _ = (p.reserved_bits_set(), p.verify_checksum());
                if let Ok(r) = GreRepr::parse(&p) {
                    let hl = r.buffer_len();
                    proptest::prop_assert_eq!(hl, p.header_len());
                    let mut out = data.clone();
                    let mut q = GrePacket::new_unchecked(&mut out[..]);
                    r.emit(&mut q).unwrap();
                    q.fill_checksum();
                    // Equal to the input with the ignored bits cleared.
                    let mut want = data.clone();
                    want[0] &= 0xb0;
                    want[1] = 0;
                    if r.checksum {
                        want[6] = 0;
                        want[7] = 0;
                    }
                    let q = GrePacket::new_checked(&out[..]).unwrap();
                    proptest::prop_assert!(q.verify_checksum());
                    proptest::prop_assert_eq!(GreRepr::parse(&q).unwrap(), r);
                    if r.checksum {
                        // The checksum field depends on the cleared bits.
                        want[4..6].copy_from_slice(&out[4..6]);
                    }
                    proptest::prop_assert_eq!(&out[..hl], &want[..hl]);
                    proptest::prop_assert_eq!(&out[hl..], &data[hl..]);
                }
            }
        }
    }
}
