//! IEEE 802.1Q tags on local ports: the L2 gateway between VLANs and VNIs.
//!
//! A local port is either an **access** port (untagged frames, one VNI) or
//! a **trunk** (a map VLAN ID → VNI, one tag per frame). The switch strips
//! the tag of a frame received on a trunk before bridging, so the domain,
//! the MAC table, ARP/ND suppression and VXLAN all see the untagged frame:
//! RFC 7348 §6.1 has a decapsulating VTEP discard inner frames with a VLAN
//! tag unless configured otherwise, so the inner frame on VXLAN carries
//! none. A frame forwarded out of a trunk gets the tag of its VNI pushed.
//!
//! ```text
//!  untagged:  | dst (6) | src (6) | EtherType (2) | payload ...
//!  tagged:    | dst (6) | src (6) | 0x8100 | PCP DEI VID (2) | EtherType (2) | payload ...
//! ```
//!
//! # In place, no allocation
//!
//! - [`pop`] moves the 12 address bytes 4 bytes forward over the tag; the
//!   untagged frame starts 4 bytes later in the same buffer.
//! - [`push`] moves them 4 bytes back and writes the tag between them and
//!   the EtherType: the frame must have [`TAG_LEN`] bytes of headroom
//!   before it in the caller's buffer (the worker receives frames after
//!   `HEADROOM` bytes, and decapsulated frames sit after their outer
//!   headers, so both have it). A pushed tag overwrites the 4 bytes before
//!   the frame: a driver that still needs the untagged frame (copies queued
//!   for access ports or the overlay) uses [`copy_tagged`] instead.
//!
//! Only customer tags (TPID 0x8100) are handled; VID 0 (priority-tagged)
//! and 4095 are never mapped. Pushed tags carry priority 0.

use core::ops::Range;

use crate::stats::DropReason;
use crate::MIN_FRAME_LEN;

/// Length of one 802.1Q tag (TPID and TCI).
pub const TAG_LEN: usize = 4;

/// The 802.1Q customer tag protocol identifier.
pub const TPID: u16 = 0x8100;

/// Offset of the tag (or of the EtherType of an untagged frame).
const TAG_AT: usize = 12;

/// Whether `vid` may be mapped to a VNI (1 to 4094).
pub const fn vid_is_valid(vid: u16) -> bool {
    vid >= 1 && vid <= 4094
}

/// The VLAN ID of a frame tagged with TPID 0x8100 (`None` if untagged or
/// too short to carry a tag and an EtherType).
pub fn vid(frame: &[u8]) -> Option<u16> {
    if frame.len() < MIN_FRAME_LEN + TAG_LEN {
        return None;
    }
    let tpid = frame.get(TAG_AT..TAG_AT + 2)?;
    if tpid != TPID.to_be_bytes() {
        return None;
    }
    let tci = frame.get(TAG_AT + 2..TAG_AT + 4)?;
    Some(u16::from_be_bytes([tci[0], tci[1]]) & 0x0fff)
}

/// Whether the frame starts like an 802.1Q-tagged one (TPID 0x8100 where
/// the EtherType would be), whatever its length.
pub fn is_tagged(frame: &[u8]) -> bool {
    frame.get(TAG_AT..TAG_AT + 2) == Some(&TPID.to_be_bytes()[..])
}

/// Strip the tag of the frame in `buf[frame]`, in place. Returns the VLAN
/// ID and the range of the untagged frame (`frame.start + 4 .. frame.end`).
///
/// Errors: [`DropReason::NoBufferRoom`] if `frame` is not inside `buf`,
/// [`DropReason::VlanUnmapped`] if the frame is not tagged,
/// [`DropReason::Runt`] if it is tagged but shorter than a tagged header.
pub fn pop(buf: &mut [u8], frame: Range<usize>) -> Result<(u16, Range<usize>), DropReason> {
    let f = buf.get(frame.clone()).ok_or(DropReason::NoBufferRoom)?;
    if !is_tagged(f) {
        return Err(DropReason::VlanUnmapped);
    }
    let vid = vid(f).ok_or(DropReason::Runt)?;
    buf.copy_within(frame.start..frame.start + TAG_AT, frame.start + TAG_LEN);
    Ok((vid, frame.start + TAG_LEN..frame.end))
}

/// Push a tag with VLAN ID `vid` (priority 0) onto the frame in
/// `buf[frame]`, in place, using the 4 bytes of headroom before it.
/// Returns the range of the tagged frame (`frame.start - 4 .. frame.end`).
///
/// Errors: [`DropReason::NoBufferRoom`] if `frame` is not inside `buf` or
/// has less than [`TAG_LEN`] bytes before it, [`DropReason::Runt`] if it
/// is shorter than an Ethernet header.
pub fn push(buf: &mut [u8], frame: Range<usize>, vid: u16) -> Result<Range<usize>, DropReason> {
    if frame.start < TAG_LEN || frame.end > buf.len() || frame.start > frame.end {
        return Err(DropReason::NoBufferRoom);
    }
    if frame.end - frame.start < MIN_FRAME_LEN {
        return Err(DropReason::Runt);
    }
    let start = frame.start - TAG_LEN;
    buf.copy_within(frame.start..frame.start + TAG_AT, start);
    let tag = buf
        .get_mut(start + TAG_AT..start + TAG_AT + TAG_LEN)
        .ok_or(DropReason::NoBufferRoom)?;
    tag[..2].copy_from_slice(&TPID.to_be_bytes());
    tag[2..].copy_from_slice(&(vid & 0x0fff).to_be_bytes());
    Ok(start..frame.end)
}

/// Write `frame` with a tag for `vid` (priority 0) into `out`, leaving
/// `frame` untouched. Returns the tagged length (`frame.len() + 4`).
///
/// Errors: [`DropReason::NoBufferRoom`] if `out` is too short,
/// [`DropReason::Runt`] if `frame` is shorter than an Ethernet header.
pub fn copy_tagged(frame: &[u8], vid: u16, out: &mut [u8]) -> Result<usize, DropReason> {
    if frame.len() < MIN_FRAME_LEN {
        return Err(DropReason::Runt);
    }
    let n = frame.len() + TAG_LEN;
    let out = out.get_mut(..n).ok_or(DropReason::NoBufferRoom)?;
    let (addrs, rest) = frame.split_at(TAG_AT);
    out[..TAG_AT].copy_from_slice(addrs);
    out[TAG_AT..TAG_AT + 2].copy_from_slice(&TPID.to_be_bytes());
    out[TAG_AT + 2..TAG_AT + TAG_LEN].copy_from_slice(&(vid & 0x0fff).to_be_bytes());
    out[TAG_AT + TAG_LEN..].copy_from_slice(rest);
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An ARP request frame (broadcast from 02:00:00:00:00:01), untagged.
    const UNTAGGED: [u8; 18] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, // dst
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, // src
        0x08, 0x06, // ARP
        0x00, 0x01, 0x08, 0x00, // payload start
    ];
    /// The same frame tagged with VLAN 10 (0x00a), priority 0.
    const TAGGED: [u8; 22] = [
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, //
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, //
        0x81, 0x00, 0x00, 0x0a, // 802.1Q, VID 10
        0x08, 0x06, //
        0x00, 0x01, 0x08, 0x00,
    ];

    #[test]
    fn pop_in_place_is_byte_exact() {
        let mut buf = [0xeeu8; 30];
        buf[4..26].copy_from_slice(&TAGGED);
        let (vid, r) = pop(&mut buf, 4..26).unwrap();
        assert_eq!(vid, 10);
        assert_eq!(r, 8..26);
        assert_eq!(&buf[r], &UNTAGGED[..]);
        // Bytes outside the frame are untouched.
        assert_eq!(&buf[..4], &[0xee; 4]);
        assert_eq!(&buf[26..], &[0xee; 4]);
    }

    #[test]
    fn push_in_place_is_byte_exact() {
        let mut buf = [0xeeu8; 30];
        buf[8..26].copy_from_slice(&UNTAGGED);
        let r = push(&mut buf, 8..26, 10).unwrap();
        assert_eq!(r, 4..26);
        assert_eq!(&buf[r], &TAGGED[..]);
        assert_eq!(&buf[..4], &[0xee; 4]);
        // PCP/DEI bits of a pushed tag are zero; only 12 bits of VID.
        let mut b2 = [0u8; 22];
        b2[4..].copy_from_slice(&UNTAGGED);
        let r = push(&mut b2, 4..22, 0xf00a).unwrap();
        assert_eq!(&b2[r], &TAGGED[..]);
    }

    #[test]
    fn pop_then_push_round_trips_with_pcp_cleared() {
        let mut t = TAGGED;
        t[14] = 0xe0; // PCP 7
        let mut buf = [0u8; 26];
        buf[4..].copy_from_slice(&t);
        let (vid, r) = pop(&mut buf, 4..26).unwrap();
        assert_eq!(vid, 10);
        let r = push(&mut buf, r, vid).unwrap();
        assert_eq!(&buf[r], &TAGGED[..]);
    }

    #[test]
    fn copy_tagged_is_byte_exact() {
        let mut out = [0u8; 40];
        assert_eq!(copy_tagged(&UNTAGGED, 10, &mut out), Ok(22));
        assert_eq!(&out[..22], &TAGGED[..]);
        assert_eq!(
            copy_tagged(&UNTAGGED, 10, &mut out[..21]),
            Err(DropReason::NoBufferRoom)
        );
        assert_eq!(
            copy_tagged(&UNTAGGED[..13], 10, &mut out),
            Err(DropReason::Runt)
        );
    }

    #[test]
    fn errors() {
        let mut buf = [0u8; 40];
        buf[..18].copy_from_slice(&UNTAGGED);
        // Untagged: nothing to pop.
        assert_eq!(pop(&mut buf, 0..18), Err(DropReason::VlanUnmapped));
        // Out of the buffer.
        assert_eq!(pop(&mut buf, 30..50), Err(DropReason::NoBufferRoom));
        // Tagged but cut inside the EtherType.
        buf[..22].copy_from_slice(&TAGGED);
        assert_eq!(pop(&mut buf, 0..17), Err(DropReason::Runt));
        // No headroom for a push.
        assert_eq!(push(&mut buf, 3..21, 10), Err(DropReason::NoBufferRoom));
        assert_eq!(push(&mut buf, 4..41, 10), Err(DropReason::NoBufferRoom));
        assert_eq!(push(&mut buf, 4..17, 10), Err(DropReason::Runt));
        assert_eq!(vid(&TAGGED), Some(10));
        assert_eq!(vid(&UNTAGGED), None);
        assert!(is_tagged(&TAGGED[..14]));
        assert_eq!(vid(&TAGGED[..17]), None);
        assert!(!vid_is_valid(0) && vid_is_valid(1) && vid_is_valid(4094) && !vid_is_valid(4095));
    }

    proptest::proptest! {
        #[test]
        fn push_pop_round_trip(body in proptest::collection::vec(0u8.., 14..80), vid in 1u16..4095, head in 4usize..20) {
            let mut f = body.clone();
            // Not itself tagged (else pop would find the inner tag).
            f[12] = 0x08;
            let mut buf = vec![0u8; head + f.len() + 3];
            buf[head..head + f.len()].copy_from_slice(&f);
            let t = push(&mut buf, head..head + f.len(), vid).unwrap();
            proptest::prop_assert_eq!(t.len(), f.len() + TAG_LEN);
            let mut copy = vec![0u8; t.len()];
            proptest::prop_assert_eq!(copy_tagged(&f, vid, &mut copy), Ok(t.len()));
            proptest::prop_assert_eq!(&copy[..], &buf[t.clone()]);
            let (v, u) = pop(&mut buf, t).unwrap();
            proptest::prop_assert_eq!(v, vid);
            proptest::prop_assert_eq!(&buf[u], &f[..]);
        }
    }
}
