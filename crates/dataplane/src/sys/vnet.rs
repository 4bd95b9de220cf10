//! The virtio-net header that TAP devices (`IFF_VNET_HDR`) and packet
//! sockets (`PACKET_VNET_HDR`) put in front of every frame, and what the
//! dataplane must do with the offloads it announces.
//!
//! This file is safe code; it lives beside the system calls because only
//! they produce and consume the header.
//!
//! # The header (virtio 1.x, §5.1.6 "Device Operation", legacy layout)
//!
//! ```text
//!  0      1          2         4          6            8             10
//! +-------+----------+---------+----------+------------+-------------+
//! | flags | gso_type | hdr_len | gso_size | csum_start | csum_offset |
//! +-------+----------+---------+----------+------------+-------------+
//! ```
//!
//! The 16-bit fields are in the host's byte order (Linux's "legacy"
//! virtio endianness: tun without `TUNSETVNETLE` and `af_packet` both use
//! it on every architecture vtepd runs on).
//!
//! # Contract
//!
//! - `VIRTIO_NET_HDR_F_NEEDS_CSUM`: the transport checksum field at
//!   `csum_start + csum_offset` holds only the pseudo-header sum; the sum
//!   from `csum_start` to the end must be folded into it before the frame
//!   leaves the host ([`complete_checksum`]).
//! - `gso_type` TCPv4/TCPv6: the frame is a TCP super-frame whose payload
//!   must be cut into `gso_size` pieces, each with copies of the headers and
//!   fixed lengths, IPv4 identification, sequence numbers, flags and
//!   checksums ([`segment`], [`segment_headers`]). UDP_L4 (UDP GSO) is cut the same way into
//!   UDP datagrams. Every other type (UFO, unknown) is refused.
//! - Segmentation writes into a caller buffer; nothing allocates. Errors are
//!   small `Copy` values the driver counts and drops.
#![deny(unsafe_code)]

use core::ops::Range;

use vtepd_wire::checksum;

/// Length of the legacy virtio-net header (no `num_buffers`).
pub const VNET_HDR_LEN: usize = 10;

/// `flags`: the transport checksum is partial.
pub const F_NEEDS_CSUM: u8 = 1;
/// `flags`: the checksum was verified (receive side).
pub const F_DATA_VALID: u8 = 2;

/// `gso_type` values (the low 7 bits; bit 7 is ECN).
pub mod gso {
    /// Not a super-frame.
    pub const NONE: u8 = 0;
    /// TCP over IPv4.
    pub const TCPV4: u8 = 1;
    /// UDP fragmentation offload (refused).
    pub const UDP: u8 = 3;
    /// TCP over IPv6.
    pub const TCPV6: u8 = 4;
    /// UDP segmentation (UDP GSO).
    pub const UDP_L4: u8 = 5;
    /// The ECN flag bit.
    pub const ECN: u8 = 0x80;
}

/// Why an offloaded frame could not be prepared for the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OffloadError {
    /// Shorter than the virtio header or the headers it points at.
    #[error("truncated frame or virtio header")]
    Truncated,
    /// Checksum offsets or IP/TCP headers do not make sense.
    #[error("inconsistent offload metadata")]
    BadHeader,
    /// A GSO type other than TCPv4/TCPv6/UDP_L4.
    #[error("unsupported GSO type {0:#x}")]
    Unsupported(u8),
    /// The output buffer cannot hold every segment.
    #[error("segment buffer too small")]
    NoRoom,
}

/// A parsed virtio-net header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct VnetHdr {
    /// `F_NEEDS_CSUM`, `F_DATA_VALID`.
    pub flags: u8,
    /// One of [`gso`], possibly with [`gso::ECN`].
    pub gso_type: u8,
    /// Length of the headers (a hint; recomputed here).
    pub hdr_len: u16,
    /// Payload bytes per segment.
    pub gso_size: u16,
    /// Where checksumming starts (the transport header).
    pub csum_start: u16,
    /// Offset of the checksum field from `csum_start`.
    pub csum_offset: u16,
}

impl VnetHdr {
    /// A header announcing nothing: a plain, complete frame.
    pub const PLAIN: VnetHdr = VnetHdr {
        flags: 0,
        gso_type: gso::NONE,
        hdr_len: 0,
        gso_size: 0,
        csum_start: 0,
        csum_offset: 0,
    };

    /// Parse the first [`VNET_HDR_LEN`] bytes of `b`.
    pub fn parse(b: &[u8]) -> Result<VnetHdr, OffloadError> {
        let h = b.get(..VNET_HDR_LEN).ok_or(OffloadError::Truncated)?;
        let u = |i: usize| u16::from_ne_bytes([h[i], h[i + 1]]);
        Ok(VnetHdr {
            flags: h[0],
            gso_type: h[1],
            hdr_len: u(2),
            gso_size: u(4),
            csum_start: u(6),
            csum_offset: u(8),
        })
    }

    /// Write the header into the first [`VNET_HDR_LEN`] bytes of `b`.
    pub fn emit(&self, b: &mut [u8]) -> Result<(), OffloadError> {
        let h = b.get_mut(..VNET_HDR_LEN).ok_or(OffloadError::NoRoom)?;
        h[0] = self.flags;
        h[1] = self.gso_type;
        h[2..4].copy_from_slice(&self.hdr_len.to_ne_bytes());
        h[4..6].copy_from_slice(&self.gso_size.to_ne_bytes());
        h[6..8].copy_from_slice(&self.csum_start.to_ne_bytes());
        h[8..10].copy_from_slice(&self.csum_offset.to_ne_bytes());
        Ok(())
    }

    /// The GSO type without the ECN bit.
    pub fn gso_kind(&self) -> u8 {
        self.gso_type & !gso::ECN
    }

    /// Whether the frame is a super-frame to segment.
    pub fn is_gso(&self) -> bool {
        self.gso_kind() != gso::NONE
    }

    /// Whether the transport checksum is partial.
    pub fn needs_csum(&self) -> bool {
        self.flags & F_NEEDS_CSUM != 0
    }
}

/// Fold the sum of `frame[csum_start..]` into the partial checksum at
/// `csum_start + csum_offset` (`VIRTIO_NET_HDR_F_NEEDS_CSUM`).
pub fn complete_checksum(
    frame: &mut [u8],
    csum_start: u16,
    csum_offset: u16,
) -> Result<(), OffloadError> {
    let start = usize::from(csum_start);
    let at = start + usize::from(csum_offset);
    if at + 2 > frame.len() {
        return Err(OffloadError::BadHeader);
    }
    let c = !checksum::fold(wide_sum(frame.get(start..).ok_or(OffloadError::BadHeader)?));
    frame[at..at + 2].copy_from_slice(&c.to_be_bytes());
    Ok(())
}

/// How a super-frame was laid out in the output buffer by [`segment`]:
/// segment `k` starts at `k * stride + headroom` and is `seg_len(k)` bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Segments {
    /// Number of segments.
    pub count: usize,
    /// Distance between the starts of two segments' slots.
    pub stride: usize,
    /// Free bytes in front of every segment (for an encapsulation header).
    pub headroom: usize,
    /// Length of a full segment (headers + `gso_size`).
    pub full_len: usize,
    /// Length of the last segment.
    pub last_len: usize,
}

impl Segments {
    /// The byte range of segment `k` in the output buffer.
    pub fn range(&self, k: usize) -> Range<usize> {
        let start = k * self.stride + self.headroom;
        let len = if k + 1 == self.count {
            self.last_len
        } else {
            self.full_len
        };
        start..start + len
    }
}

/// How [`segment_headers`] laid out a super-frame: the headers of segment
/// `k` are at [`header(k)`](Self::header) in the output buffer (after
/// `headroom` free bytes), its payload is [`payload(k)`](Self::payload) of
/// the super-frame, unchanged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SegmentHeaders {
    /// Number of segments.
    pub count: usize,
    /// Distance between two segments' header slots.
    pub stride: usize,
    /// Free bytes in front of every header block.
    pub headroom: usize,
    /// Length of the header block (Ethernet to transport header).
    pub hdrs: usize,
    /// Payload bytes per full segment.
    pub mss: usize,
    /// Total payload bytes of the super-frame (after the headers).
    pub payload_len: usize,
}

impl SegmentHeaders {
    /// The byte range of segment `k`'s headers in the output buffer.
    pub fn header(&self, k: usize) -> Range<usize> {
        let start = k * self.stride + self.headroom;
        start..start + self.hdrs
    }

    /// The byte range of segment `k`'s payload in the super-frame.
    pub fn payload(&self, k: usize) -> Range<usize> {
        let start = self.hdrs + k * self.mss;
        let end = (start + self.mss).min(self.hdrs + self.payload_len);
        start..end.max(start)
    }

    /// The length of segment `k` as a complete frame.
    pub fn frame_len(&self, k: usize) -> usize {
        let p = self.payload(k);
        self.hdrs + (p.end - p.start)
    }
}

/// Where the L3 header of an Ethernet frame starts and which version it is,
/// skipping up to two VLAN tags.
fn l3_offset(frame: &[u8]) -> Result<(usize, u16), OffloadError> {
    let mut off = 12;
    for _ in 0..3 {
        let t = frame.get(off..off + 2).ok_or(OffloadError::Truncated)?;
        let et = u16::from_be_bytes([t[0], t[1]]);
        if et == 0x8100 || et == 0x88a8 {
            off += 4;
            continue;
        }
        return Ok((off + 2, et));
    }
    Err(OffloadError::BadHeader)
}

/// Cut a GSO super-frame (TCPv4, TCPv6 or UDP_L4) described by `hdr` into
/// complete frames in `out`, each preceded by `headroom` free bytes and
/// followed directly by the next segment's headroom, so that with a
/// headroom of one encapsulation header the encapsulated segments are
/// contiguous and of equal length (the shape `UDP_SEGMENT` sends in one
/// call). Every checksum is computed in full. Never allocates.
pub fn segment(
    frame: &[u8],
    hdr: &VnetHdr,
    out: &mut [u8],
    headroom: usize,
) -> Result<Segments, OffloadError> {
    cut(frame, hdr, out, headroom, false).map(|(s, _)| s)
}

/// [`segment`] without copying payloads: writes only each segment's
/// headers (lengths, identification, sequence number, flags and a full
/// checksum over headers and payload) into `out`, `headroom` free bytes in
/// front of each; segment `k` is then those headers followed by
/// [`SegmentHeaders::payload`]`(k)` of `frame`, for a scatter-gather send.
/// Never allocates.
pub fn segment_headers(
    frame: &[u8],
    hdr: &VnetHdr,
    out: &mut [u8],
    headroom: usize,
) -> Result<SegmentHeaders, OffloadError> {
    cut(frame, hdr, out, headroom, true).map(|(_, h)| h)
}

/// The work of [`segment`] (whole segments) and [`segment_headers`]
/// (`headers_only`).
fn cut(
    frame: &[u8],
    hdr: &VnetHdr,
    out: &mut [u8],
    headroom: usize,
    headers_only: bool,
) -> Result<(Segments, SegmentHeaders), OffloadError> {
    let kind = hdr.gso_kind();
    let (l3, et) = l3_offset(frame)?;
    let is_tcp = match kind {
        gso::TCPV4 | gso::TCPV6 => true,
        gso::UDP_L4 => false,
        k => return Err(OffloadError::Unsupported(k)),
    };
    let v4 = match et {
        0x0800 => true,
        0x86dd => false,
        _ => return Err(OffloadError::BadHeader),
    };
    if (kind == gso::TCPV4 && !v4) || (kind == gso::TCPV6 && v4) {
        return Err(OffloadError::BadHeader);
    }
    // The transport header: csum_start when the checksum is partial (it is
    // for every GSO frame Linux produces), else after a plain IP header.
    let l4 = if hdr.needs_csum() {
        usize::from(hdr.csum_start)
    } else if v4 {
        let b = *frame.get(l3).ok_or(OffloadError::Truncated)?;
        l3 + usize::from(b & 0x0f) * 4
    } else {
        l3 + 40
    };
    if l4 < l3 + if v4 { 20 } else { 40 } {
        return Err(OffloadError::BadHeader);
    }
    let l4_len = if is_tcp {
        let b = *frame.get(l4 + 12).ok_or(OffloadError::Truncated)?;
        usize::from(b >> 4) * 4
    } else {
        8
    };
    if l4_len < if is_tcp { 20 } else { 8 } {
        return Err(OffloadError::BadHeader);
    }
    let hdrs = l4 + l4_len;
    let payload = frame.get(hdrs..).ok_or(OffloadError::Truncated)?;
    let mss = usize::from(hdr.gso_size);
    if mss == 0 {
        return Err(OffloadError::BadHeader);
    }
    let count = payload.len().div_ceil(mss).max(1);
    let full_len = hdrs + mss;
    let stride = headroom + if headers_only { hdrs } else { full_len };
    let last_payload = payload.len() - (count - 1) * mss;
    let segs = Segments {
        count,
        stride,
        headroom,
        full_len,
        last_len: hdrs + last_payload,
    };
    let heads = SegmentHeaders {
        count,
        stride,
        headroom,
        hdrs,
        mss,
        payload_len: payload.len(),
    };
    let need = if headers_only {
        (count - 1) * stride + headroom + hdrs
    } else {
        (count - 1) * stride + headroom + segs.last_len
    };
    if need > out.len() {
        return Err(OffloadError::NoRoom);
    }
    let headers = frame.get(..hdrs).ok_or(OffloadError::Truncated)?;
    let (src_sum, ip_id, seq) = if v4 {
        let ip = frame.get(l3..l3 + 20).ok_or(OffloadError::Truncated)?;
        (
            checksum::sum(&ip[12..20]),
            u16::from_be_bytes([ip[4], ip[5]]),
            0,
        )
    } else {
        let ip = frame.get(l3..l3 + 40).ok_or(OffloadError::Truncated)?;
        (checksum::sum(&ip[8..40]), 0, 0)
    };
    let seq0 = if is_tcp {
        let t = frame.get(l4 + 4..l4 + 8).ok_or(OffloadError::Truncated)?;
        u32::from_be_bytes([t[0], t[1], t[2], t[3]])
    } else {
        seq
    };
    let tcp_flags = if is_tcp { headers[l4 + 13] } else { 0 };
    let proto: u32 = if is_tcp { 6 } else { 17 };
    for k in 0..count {
        let seg_len = if k + 1 == count {
            segs.last_len
        } else {
            full_len
        };
        let pl = &payload[k * mss..k * mss + (seg_len - hdrs)];
        let seg = if headers_only {
            &mut out[heads.header(k)]
        } else {
            let r = segs.range(k);
            let seg = &mut out[r];
            seg[hdrs..].copy_from_slice(pl);
            seg
        };
        seg[..hdrs].copy_from_slice(headers);
        let l4_total = seg_len - l4;
        if v4 {
            let tot = (seg_len - l3) as u16;
            seg[l3 + 2..l3 + 4].copy_from_slice(&tot.to_be_bytes());
            let id = ip_id.wrapping_add(k as u16);
            seg[l3 + 4..l3 + 6].copy_from_slice(&id.to_be_bytes());
            seg[l3 + 10..l3 + 12].copy_from_slice(&[0, 0]);
            let ihl = l4 - l3;
            let c = checksum::checksum(&seg[l3..l3 + ihl]);
            seg[l3 + 10..l3 + 12].copy_from_slice(&c.to_be_bytes());
        } else {
            let plen = (seg_len - l3 - 40) as u16;
            seg[l3 + 4..l3 + 6].copy_from_slice(&plen.to_be_bytes());
        }
        let csum_at = if is_tcp {
            let s = seq0.wrapping_add((k * mss) as u32);
            seg[l4 + 4..l4 + 8].copy_from_slice(&s.to_be_bytes());
            // FIN and PSH only on the last segment, CWR only on the first.
            let mut f = tcp_flags;
            if k + 1 != count {
                f &= !(0x01 | 0x08);
            }
            if k != 0 {
                f &= !0x80;
            }
            seg[l4 + 13] = f;
            l4 + 16
        } else {
            let ul = l4_total as u16;
            seg[l4 + 4..l4 + 6].copy_from_slice(&ul.to_be_bytes());
            l4 + 6
        };
        seg[csum_at..csum_at + 2].copy_from_slice(&[0, 0]);
        let pseudo = src_sum + proto + (l4_total as u32 >> 16) + (l4_total as u32 & 0xffff);
        // The transport header is a whole number of 16-bit words, so the
        // payload's sum adds on (headers-only: the payload is elsewhere).
        let body = if headers_only {
            wide_sum(&seg[l4..hdrs]) + wide_sum(pl)
        } else {
            wide_sum(&seg[l4..])
        };
        let mut c = !checksum::fold(pseudo + body);
        if !is_tcp && c == 0 {
            c = 0xffff;
        }
        seg[csum_at..csum_at + 2].copy_from_slice(&c.to_be_bytes());
    }
    Ok((segs, heads))
}

/// The one's-complement sum of `data` as big-endian 16-bit words, like
/// [`checksum::sum`] (same result, folded to at most 17 bits), but adding
/// 64-bit words with end-around carry (RFC 1071 §2(B): the sum may be
/// computed over any word size and folded at the end), which is about
/// twice as fast on the payloads that segmentation and coalescing check.
pub fn wide_sum(data: &[u8]) -> u32 {
    // The sum is independent of byte order (RFC 1071 §2(B)): add the data
    // as native-endian 32-bit words into independent 64-bit accumulators
    // (no carries to handle below 2^32 words, and the compiler can
    // vectorise the loop), fold, then swap the bytes of the result on a
    // little-endian machine.
    let mut acc = [0u64; 4];
    let mut chunks = data.chunks_exact(16);
    for c in &mut chunks {
        for (k, a) in acc.iter_mut().enumerate() {
            let w = [c[4 * k], c[4 * k + 1], c[4 * k + 2], c[4 * k + 3]];
            *a += u64::from(u32::from_ne_bytes(w));
        }
    }
    let mut rest = chunks.remainder().chunks(4);
    for c in &mut rest {
        let mut w = [0u8; 4];
        w[..c.len()].copy_from_slice(c);
        acc[0] += u64::from(u32::from_ne_bytes(w));
    }
    // No accumulator overflows below 2^32 words (16 GiB) of data.
    let sum = acc
        .iter()
        .fold(0u64, |s, a| s + (a & 0xffff_ffff) + (a >> 32));
    // Fold 64 -> 16 bits with end-around carries.
    let mut a = (sum & 0xffff_ffff) + (sum >> 32);
    a = (a & 0xffff) + (a >> 16);
    a = (a & 0xffff) + (a >> 16);
    a = (a & 0xffff) + (a >> 16);
    let a = a as u16;
    u32::from(if cfg!(target_endian = "little") {
        a.swap_bytes()
    } else {
        a
    })
}

/// What a frame must look like to join a coalesced TCP super-frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct TcpShape {
    v4: bool,
    l3: usize,
    l4: usize,
    hdrs: usize,
    seq: u32,
    flags: u8,
    payload: usize,
}

/// Parse a frame as an unfragmented, option-free-IP TCP segment whose
/// checksum verifies. `None`: not a candidate for coalescing.
fn tcp_shape(frame: &[u8]) -> Option<TcpShape> {
    let et = u16::from_be_bytes([*frame.get(12)?, *frame.get(13)?]);
    let l3 = 14;
    let (v4, l4, pseudo) = match et {
        0x0800 => {
            let ip = frame.get(l3..l3 + 20)?;
            let tot = usize::from(u16::from_be_bytes([ip[2], ip[3]]));
            let frag = u16::from_be_bytes([ip[6], ip[7]]) & 0x3fff;
            if ip[0] != 0x45 || ip[9] != 6 || frag != 0 || tot != frame.len() - l3 {
                return None;
            }
            if !checksum::verify(ip) {
                return None;
            }
            let l4_len = (tot - 20) as u32;
            (true, l3 + 20, checksum::sum(&ip[12..20]) + 6 + l4_len)
        }
        0x86dd => {
            let ip = frame.get(l3..l3 + 40)?;
            let plen = usize::from(u16::from_be_bytes([ip[4], ip[5]]));
            if ip[0] >> 4 != 6 || ip[6] != 6 || plen != frame.len() - l3 - 40 {
                return None;
            }
            (false, l3 + 40, checksum::sum(&ip[8..40]) + 6 + plen as u32)
        }
        _ => return None,
    };
    let tcp = frame.get(l4..l4 + 20)?;
    let thl = usize::from(tcp[12] >> 4) * 4;
    let hdrs = l4 + thl;
    if thl < 20 || hdrs > frame.len() {
        return None;
    }
    let flags = tcp[13];
    // Only plain data segments: ACK, optionally PSH; nothing else.
    if flags & !0x08 != 0x10 {
        return None;
    }
    if checksum::fold(pseudo + wide_sum(frame.get(l4..)?)) != 0xffff {
        return None;
    }
    Some(TcpShape {
        v4,
        l3,
        l4,
        hdrs,
        seq: u32::from_be_bytes([tcp[4], tcp[5], tcp[6], tcp[7]]),
        flags,
        payload: frame.len() - hdrs,
    })
}

/// Coalesces consecutive TCP segments of one flow into a super-frame with a
/// virtio-net header (GRO in user space), so that a TAP or packet socket
/// takes one frame instead of dozens.
///
/// A segment joins the open super-frame when it has the same Ethernet
/// header, IP header fields (bar length, identification and checksum) and
/// TCP header (bar sequence number, checksum and the PSH flag), its
/// sequence number follows on, and its payload is no longer than the
/// first's; a shorter segment or one with PSH closes the super-frame. Only
/// segments whose checksums verify are taken, since the result is handed
/// over with a partial checksum that the receiver trusts. The super-frame
/// is built in a caller buffer; nothing allocates.
#[derive(Debug, Default, Clone)]
pub struct TcpCoalescer {
    open: bool,
    closed: bool,
    start: usize,
    len: usize,
    shape: TcpShape,
    mss: usize,
    next_seq: u32,
    count: usize,
    limit: usize,
}

/// A finished super-frame: its place in the buffer and the header to send
/// it with (`PLAIN` if it holds a single segment).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coalesced {
    /// The frame's range in the buffer.
    pub range: Range<usize>,
    /// The header to send in front of it.
    pub hdr: VnetHdr,
    /// How many segments it holds.
    pub segments: usize,
}

/// The most bytes of IP payload a super-frame may reach.
const MAX_SUPER: usize = 65_000;

impl TcpCoalescer {
    /// Whether a super-frame is open.
    pub fn is_open(&self) -> bool {
        self.open
    }

    /// Start a super-frame with `frame` at `buf[at..]`. Returns `false`
    /// (and copies nothing) if the frame is not a candidate or does not
    /// fit; the caller then sends it as it is.
    pub fn start(&mut self, buf: &mut [u8], at: usize, frame: &[u8]) -> bool {
        self.open = false;
        let Some(shape) = tcp_shape(frame) else {
            return false;
        };
        let Some(dst) = buf.get_mut(at..at + frame.len()) else {
            return false;
        };
        dst.copy_from_slice(frame);
        self.open = true;
        self.closed = shape.flags & 0x08 != 0 || shape.payload == 0;
        self.start = at;
        self.len = frame.len();
        self.mss = shape.payload;
        self.next_seq = shape.seq.wrapping_add(shape.payload as u32);
        self.count = 1;
        self.limit = buf.len();
        self.shape = shape;
        true
    }

    /// Append `frame` to the open super-frame if it belongs there.
    pub fn push(&mut self, buf: &mut [u8], frame: &[u8]) -> bool {
        if !self.open || self.closed || self.count >= 64 {
            return false;
        }
        let Some(s) = tcp_shape(frame) else {
            return false;
        };
        let h = self.shape;
        if s.v4 != h.v4
            || s.hdrs != h.hdrs
            || s.seq != self.next_seq
            || s.payload == 0
            || s.payload > self.mss
            || self.len + s.payload - h.l3 > MAX_SUPER
            || self.start + self.len + s.payload > self.limit.min(buf.len())
        {
            return false;
        }
        let Some(first) = buf.get(self.start..self.start + h.hdrs) else {
            return false;
        };
        let Some(fh) = frame.get(..h.hdrs) else {
            return false;
        };
        // Ethernet header; IP header except length/id/checksum (v4) or
        // payload length (v6); TCP header except seq (4..8), flags (13)
        // and checksum (16..18).
        let same = |r: Range<usize>| first.get(r.clone()) == fh.get(r);
        let ip_same = if h.v4 {
            same(0..h.l3 + 2) && same(h.l3 + 6..h.l3 + 10) && same(h.l3 + 12..h.l4)
        } else {
            same(0..h.l3 + 4) && same(h.l3 + 6..h.l4)
        };
        let tcp_same = same(h.l4..h.l4 + 4)
            && same(h.l4 + 8..h.l4 + 13)
            && same(h.l4 + 14..h.l4 + 16)
            && same(h.l4 + 18..h.hdrs);
        if !ip_same || !tcp_same {
            return false;
        }
        let end = self.start + self.len;
        let Some(dst) = buf.get_mut(end..end + s.payload) else {
            return false;
        };
        dst.copy_from_slice(&frame[h.hdrs..]);
        self.len += s.payload;
        self.count += 1;
        self.next_seq = s.seq.wrapping_add(s.payload as u32);
        if s.flags & 0x08 != 0 {
            if let Some(f) = buf.get_mut(self.start + h.l4 + 13) {
                *f |= 0x08;
            }
            self.closed = true;
        }
        if s.payload < self.mss {
            self.closed = true;
        }
        true
    }

    /// Close the open super-frame: fix its lengths and checksums. Returns
    /// where it is and how to send it.
    pub fn finish(&mut self, buf: &mut [u8]) -> Option<Coalesced> {
        if !self.open {
            return None;
        }
        self.open = false;
        let range = self.start..self.start + self.len;
        if self.count == 1 {
            return Some(Coalesced {
                range,
                hdr: VnetHdr::PLAIN,
                segments: 1,
            });
        }
        let h = self.shape;
        let f = buf.get_mut(range.clone())?;
        let l4_len = f.len() - h.l4;
        let pseudo = if h.v4 {
            let tot = (f.len() - h.l3) as u16;
            f[h.l3 + 2..h.l3 + 4].copy_from_slice(&tot.to_be_bytes());
            f[h.l3 + 10..h.l3 + 12].copy_from_slice(&[0, 0]);
            let c = checksum::checksum(&f[h.l3..h.l4]);
            f[h.l3 + 10..h.l3 + 12].copy_from_slice(&c.to_be_bytes());
            checksum::sum(&f[h.l3 + 12..h.l3 + 20]) + 6 + l4_len as u32
        } else {
            let plen = (f.len() - h.l3 - 40) as u16;
            f[h.l3 + 4..h.l3 + 6].copy_from_slice(&plen.to_be_bytes());
            checksum::sum(&f[h.l3 + 8..h.l3 + 40]) + 6 + l4_len as u32
        };
        // A partial checksum: the folded pseudo-header sum, which the
        // receiver (or a NIC) completes over the payload.
        let p = checksum::fold(pseudo);
        f[h.l4 + 16..h.l4 + 18].copy_from_slice(&p.to_be_bytes());
        Some(Coalesced {
            range,
            hdr: VnetHdr {
                flags: F_NEEDS_CSUM,
                gso_type: if h.v4 { gso::TCPV4 } else { gso::TCPV6 },
                hdr_len: h.hdrs as u16,
                gso_size: self.mss as u16,
                csum_start: h.l4 as u16,
                csum_offset: 16,
            },
            segments: self.count,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An Ethernet + IPv4 + TCP super-frame with a partial checksum, as
    /// Linux hands it over: `payload` bytes of pattern, flags PSH|ACK.
    fn tcp4_superframe(payload: usize) -> Vec<u8> {
        let mut f = vec![0u8; 14 + 20 + 20 + payload];
        f[0..6].copy_from_slice(&[2, 0, 0, 0, 0, 2]);
        f[6..12].copy_from_slice(&[2, 0, 0, 0, 0, 1]);
        f[12..14].copy_from_slice(&[0x08, 0x00]);
        let ip = &mut f[14..34];
        ip[0] = 0x45;
        let tot = (20 + 20 + payload) as u16;
        ip[2..4].copy_from_slice(&tot.to_be_bytes());
        ip[4..6].copy_from_slice(&0x1234u16.to_be_bytes());
        ip[6] = 0x40;
        ip[8] = 64;
        ip[9] = 6;
        ip[12..16].copy_from_slice(&[10, 1, 0, 1]);
        ip[16..20].copy_from_slice(&[10, 1, 0, 2]);
        let tcp = &mut f[34..54];
        tcp[0..2].copy_from_slice(&1000u16.to_be_bytes());
        tcp[2..4].copy_from_slice(&5201u16.to_be_bytes());
        tcp[4..8].copy_from_slice(&0xffff_fff0u32.to_be_bytes());
        tcp[12] = 5 << 4;
        tcp[13] = 0x18;
        for (i, b) in f[54..].iter_mut().enumerate() {
            *b = (i % 251) as u8;
        }
        f
    }

    fn verify_tcp4(seg: &[u8]) {
        let ip = &seg[14..34];
        assert!(checksum::verify(ip), "IPv4 header checksum");
        let l4 = &seg[34..];
        let pseudo = checksum::sum(&ip[12..20]) + 6 + l4.len() as u32;
        assert_eq!(
            checksum::fold(pseudo + checksum::sum(l4)),
            0xffff,
            "TCP checksum"
        );
    }

    #[test]
    fn wide_sum_matches_the_reference() {
        let data: Vec<u8> = (0..3100u32)
            .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
            .collect();
        for len in (0..64).chain([1399, 1400, 1401, 2999, 3000]) {
            for start in 0..3 {
                let d = &data[start..start + len];
                assert_eq!(
                    checksum::fold(wide_sum(d)),
                    checksum::fold(checksum::sum(d)),
                    "len {len} start {start}"
                );
            }
        }
        let ones = [0xffu8; 64];
        assert_eq!(
            checksum::fold(wide_sum(&ones)),
            checksum::fold(checksum::sum(&ones))
        );
        // A whole super-frame's worth, odd lengths and offsets.
        let big: Vec<u8> = (0..70_000u32)
            .map(|i| (i.wrapping_mul(2_246_822_519) >> 11) as u8)
            .collect();
        for (start, len) in [(0, 65_536), (1, 65_535), (3, 64_001), (2, 17)] {
            let d = &big[start..start + len];
            assert_eq!(
                checksum::fold(wide_sum(d)),
                checksum::fold(checksum::sum(d)),
                "len {len} start {start}"
            );
        }
        let all = [0xffu8; 65_536];
        assert_eq!(
            checksum::fold(wide_sum(&all)),
            checksum::fold(checksum::sum(&all))
        );
    }

    #[test]
    fn header_round_trip() {
        let h = VnetHdr {
            flags: F_NEEDS_CSUM,
            gso_type: gso::TCPV6 | gso::ECN,
            hdr_len: 74,
            gso_size: 1440,
            csum_start: 54,
            csum_offset: 16,
        };
        let mut b = [0u8; VNET_HDR_LEN];
        h.emit(&mut b).unwrap();
        assert_eq!(VnetHdr::parse(&b).unwrap(), h);
        assert_eq!(h.gso_kind(), gso::TCPV6);
        assert!(h.is_gso() && h.needs_csum());
        assert_eq!(VnetHdr::parse(&b[..9]), Err(OffloadError::Truncated));
    }

    /// Headers-only segmentation plus the untouched payload slices gives
    /// exactly the frames of full segmentation (odd sizes included).
    #[test]
    fn segment_headers_matches_segment() {
        for (payload, mss) in [
            (3000, 1448),
            (1, 1398),
            (65_000, 1397),
            (1448, 1448),
            (7, 2),
        ] {
            let f = tcp4_superframe(payload);
            let h = VnetHdr {
                flags: F_NEEDS_CSUM,
                gso_type: gso::TCPV4,
                hdr_len: 54,
                gso_size: mss,
                csum_start: 34,
                csum_offset: 16,
            };
            let mut full = vec![0u8; 300_000];
            let s = segment(&f, &h, &mut full, 8).unwrap();
            let mut heads = vec![0u8; 300_000];
            let t = segment_headers(&f, &h, &mut heads, 8).unwrap();
            assert_eq!(t.count, s.count);
            assert_eq!(t.stride, 8 + 54);
            for k in 0..s.count {
                let mut joined = heads[t.header(k)].to_vec();
                joined.extend_from_slice(&f[t.payload(k)]);
                assert_eq!(joined.len(), t.frame_len(k));
                assert_eq!(
                    joined,
                    full[s.range(k)],
                    "payload {payload} mss {mss} seg {k}"
                );
            }
            // Too little room for the header blocks.
            let need = (t.count - 1) * t.stride + 8 + 54;
            let mut small = vec![0u8; need - 1];
            assert_eq!(
                segment_headers(&f, &h, &mut small, 8),
                Err(OffloadError::NoRoom)
            );
        }
    }

    #[test]
    fn tcp4_superframe_is_cut_with_fixed_headers() {
        let f = tcp4_superframe(3000);
        let h = VnetHdr {
            flags: F_NEEDS_CSUM,
            gso_type: gso::TCPV4,
            hdr_len: 54,
            gso_size: 1448,
            csum_start: 34,
            csum_offset: 16,
        };
        let mut out = vec![0u8; 8192];
        let s = segment(&f, &h, &mut out, 8).unwrap();
        assert_eq!(s.count, 3);
        assert_eq!(s.full_len, 54 + 1448);
        assert_eq!(s.last_len, 54 + 3000 - 2 * 1448);
        assert_eq!(s.stride, 8 + 54 + 1448);
        let mut payload = Vec::new();
        for k in 0..s.count {
            let seg = &out[s.range(k)];
            verify_tcp4(seg);
            let tot = u16::from_be_bytes([seg[16], seg[17]]) as usize;
            assert_eq!(tot, seg.len() - 14);
            assert_eq!(u16::from_be_bytes([seg[18], seg[19]]), 0x1234 + k as u16);
            let seq = u32::from_be_bytes([seg[38], seg[39], seg[40], seg[41]]);
            assert_eq!(seq, 0xffff_fff0u32.wrapping_add((k * 1448) as u32));
            let psh = seg[47] & 0x08 != 0;
            assert_eq!(psh, k == 2, "PSH only on the last segment");
            payload.extend_from_slice(&seg[54..]);
        }
        assert_eq!(payload, f[54..]);
        // Segments are contiguous behind their headroom.
        assert_eq!(s.range(1).start, s.range(0).end + 8);
    }

    #[test]
    fn tcp6_superframe_is_cut() {
        let payload = 2500;
        let mut f = vec![0u8; 14 + 40 + 32 + payload];
        f[12..14].copy_from_slice(&[0x86, 0xdd]);
        f[14] = 0x60;
        f[14 + 4..14 + 6].copy_from_slice(&((32 + payload) as u16).to_be_bytes());
        f[14 + 6] = 6;
        f[14 + 7] = 64;
        f[14 + 8] = 0xfd;
        f[14 + 39] = 1;
        f[14 + 24] = 0xfd;
        f[14 + 55] = 2;
        f[54 + 12] = 8 << 4;
        f[54 + 13] = 0x19; // FIN|PSH|ACK
        for (i, b) in f[86..].iter_mut().enumerate() {
            *b = i as u8;
        }
        let h = VnetHdr {
            flags: F_NEEDS_CSUM,
            gso_type: gso::TCPV6,
            hdr_len: 86,
            gso_size: 1000,
            csum_start: 54,
            csum_offset: 16,
        };
        let mut out = vec![0u8; 4096];
        let s = segment(&f, &h, &mut out, 0).unwrap();
        assert_eq!(s.count, 3);
        // Headers-only segmentation gives the same frames (odd gso_size
        // too).
        for mss in [1000u16, 999] {
            let h = VnetHdr { gso_size: mss, ..h };
            let mut full = vec![0u8; 8192];
            let s = segment(&f, &h, &mut full, 8).unwrap();
            let mut heads = vec![0u8; 1024];
            let t = segment_headers(&f, &h, &mut heads, 8).unwrap();
            for k in 0..s.count {
                let joined = [&heads[t.header(k)], &f[t.payload(k)]].concat();
                assert_eq!(joined, full[s.range(k)], "mss {mss} seg {k}");
            }
        }
        // And a UDP GSO (UDP_L4) super-frame over the same IPv6 header.
        let mut u = f[..54 + 8 + 700].to_vec();
        u[14 + 4..14 + 6].copy_from_slice(&708u16.to_be_bytes());
        u[14 + 6] = 17;
        u[54..58].copy_from_slice(&[0x13, 0x88, 0x13, 0x89]);
        let uh = VnetHdr {
            flags: F_NEEDS_CSUM,
            gso_type: gso::UDP_L4,
            hdr_len: 62,
            gso_size: 301,
            csum_start: 54,
            csum_offset: 6,
        };
        let mut full = vec![0u8; 4096];
        let s2 = segment(&u, &uh, &mut full, 8).unwrap();
        assert_eq!(s2.count, 3);
        let mut heads = vec![0u8; 1024];
        let t = segment_headers(&u, &uh, &mut heads, 8).unwrap();
        for k in 0..s2.count {
            let joined = [&heads[t.header(k)], &u[t.payload(k)]].concat();
            assert_eq!(joined, full[s2.range(k)], "udp seg {k}");
        }
        for k in 0..3 {
            let seg = &out[s.range(k)];
            let plen = u16::from_be_bytes([seg[18], seg[19]]) as usize;
            assert_eq!(plen, seg.len() - 54);
            let l4 = &seg[54..];
            let pseudo = checksum::sum(&seg[22..54]) + 6 + l4.len() as u32;
            assert_eq!(checksum::fold(pseudo + checksum::sum(l4)), 0xffff);
            assert_eq!(seg[54 + 13] & 0x01 != 0, k == 2, "FIN only last");
        }
    }

    #[test]
    fn refuses_bad_input() {
        let f = tcp4_superframe(100);
        let mut h = VnetHdr {
            flags: F_NEEDS_CSUM,
            gso_type: gso::UDP,
            gso_size: 10,
            csum_start: 34,
            csum_offset: 16,
            hdr_len: 54,
        };
        let mut out = vec![0u8; 4096];
        assert_eq!(
            segment(&f, &h, &mut out, 0),
            Err(OffloadError::Unsupported(gso::UDP))
        );
        h.gso_type = gso::TCPV6;
        assert_eq!(segment(&f, &h, &mut out, 0), Err(OffloadError::BadHeader));
        h.gso_type = gso::TCPV4;
        h.gso_size = 0;
        assert_eq!(segment(&f, &h, &mut out, 0), Err(OffloadError::BadHeader));
        h.gso_size = 10;
        let mut small = [0u8; 100];
        assert_eq!(segment(&f, &h, &mut small, 0), Err(OffloadError::NoRoom));
        for n in 0..54 {
            assert!(segment(&f[..n], &h, &mut out, 0).is_err());
        }
        let mut g = f.clone();
        assert_eq!(
            complete_checksum(&mut g, 200, 16),
            Err(OffloadError::BadHeader)
        );
    }

    #[test]
    fn partial_checksum_is_completed() {
        let mut f = tcp4_superframe(333);
        let ipc = checksum::checksum(&f[14..34]);
        f[24..26].copy_from_slice(&ipc.to_be_bytes());
        // What Linux leaves: the pseudo-header sum, not complemented.
        let l4_len = (f.len() - 34) as u32;
        let pseudo = checksum::fold(checksum::sum(&f[26..34]) + 6 + l4_len);
        f[50..52].copy_from_slice(&pseudo.to_be_bytes());
        complete_checksum(&mut f, 34, 16).unwrap();
        verify_tcp4(&f);
    }

    #[test]
    fn coalescing_inverts_segmentation() {
        let f = tcp4_superframe(5000);
        let h = VnetHdr {
            flags: F_NEEDS_CSUM,
            gso_type: gso::TCPV4,
            hdr_len: 54,
            gso_size: 1000,
            csum_start: 34,
            csum_offset: 16,
        };
        let mut segs_buf = vec![0u8; 16384];
        let s = segment(&f, &h, &mut segs_buf, 0).unwrap();
        assert_eq!(s.count, 5);
        let mut out = vec![0u8; 16384];
        let mut c = TcpCoalescer::default();
        assert!(c.start(&mut out, 100, &segs_buf[s.range(0)]));
        for k in 1..5 {
            assert!(c.push(&mut out, &segs_buf[s.range(k)]), "segment {k}");
        }
        let done = c.finish(&mut out).unwrap();
        assert_eq!(done.segments, 5);
        assert_eq!(done.hdr.gso_type, gso::TCPV4);
        assert_eq!(done.hdr.gso_size, 1000);
        let mut g = out[done.range.clone()].to_vec();
        assert_eq!(g.len(), f.len());
        // Payload identical; completing the partial checksum verifies.
        assert_eq!(g[54..], f[54..]);
        complete_checksum(&mut g, done.hdr.csum_start, done.hdr.csum_offset).unwrap();
        verify_tcp4(&g);
        // PSH came from the last segment.
        assert_eq!(g[47] & 0x08, 0x08);
        // Segmenting it again gives the same segments back.
        let mut again = vec![0u8; 16384];
        let s2 = segment(&out[done.range.clone()], &done.hdr, &mut again, 0).unwrap();
        for k in 0..5 {
            let (a, b) = (&again[s2.range(k)], &segs_buf[s.range(k)]);
            assert_eq!(a[34..], b[34..], "TCP part of segment {k}");
        }
    }

    #[test]
    fn coalescer_refuses_gaps_other_flows_and_bad_checksums() {
        let f = tcp4_superframe(3000);
        let h = VnetHdr {
            flags: F_NEEDS_CSUM,
            gso_type: gso::TCPV4,
            hdr_len: 54,
            gso_size: 1000,
            csum_start: 34,
            csum_offset: 16,
        };
        let mut sb = vec![0u8; 8192];
        let s = segment(&f, &h, &mut sb, 0).unwrap();
        let mut out = vec![0u8; 8192];
        let mut c = TcpCoalescer::default();
        assert!(c.start(&mut out, 0, &sb[s.range(0)]));
        // A gap (segment 2 before 1).
        assert!(!c.push(&mut out, &sb[s.range(2)]));
        // Another flow: different source port.
        let mut other = sb[s.range(1)].to_vec();
        other[34] ^= 1;
        assert!(!c.push(&mut out, &other));
        // Corrupted payload.
        let mut bad = sb[s.range(1)].to_vec();
        bad[100] ^= 0xff;
        assert!(!c.push(&mut out, &bad));
        assert!(c.push(&mut out, &sb[s.range(1)]));
        let d = c.finish(&mut out).unwrap();
        assert_eq!(d.segments, 2);
        assert!(!c.is_open());
        // Non-TCP is never started.
        let mut udp = sb[s.range(0)].to_vec();
        udp[23] = 17;
        assert!(!c.start(&mut out, 0, &udp));
        assert_eq!(c.finish(&mut out), None);
    }
}
