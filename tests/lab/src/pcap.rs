//! A minimal reader and writer of classic libpcap files (not pcapng) with
//! link type Ethernet, enough for tcpdump captures and test fixtures.
//!
//! File layout (all fields in the writer's byte order, told by the magic):
//!
//! ```text
//! global header, 24 bytes:
//!   magic u32 (a1b2c3d4: microseconds, a1b23c4d: nanoseconds)
//!   version_major u16, version_minor u16, thiszone i32, sigfigs u32,
//!   snaplen u32, linktype u32 (1 = LINKTYPE_ETHERNET)
//! per record, 16 bytes + incl_len bytes of frame:
//!   ts_sec u32, ts_frac u32, incl_len u32, orig_len u32
//! ```

use std::path::Path;

use anyhow::{bail, Context};

use crate::Result;

/// `LINKTYPE_ETHERNET`.
pub const LINKTYPE_ETHERNET: u32 = 1;
const MAGIC_US: u32 = 0xa1b2_c3d4;
const MAGIC_NS: u32 = 0xa1b2_3c4d;
const GLOBAL_LEN: usize = 24;
const RECORD_LEN: usize = 16;
/// No sane capture record is larger (tcpdump's default snaplen).
const MAX_RECORD: usize = 262_144;

/// One captured frame with its timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Record {
    /// Seconds since the epoch.
    pub ts_sec: u32,
    /// Microseconds (or nanoseconds in a nanosecond file).
    pub ts_frac: u32,
    /// Length of the frame on the wire (may exceed `data.len()`).
    pub orig_len: u32,
    /// The captured bytes, starting with the Ethernet header.
    pub data: Vec<u8>,
}

struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
    big_endian: bool,
}

impl<'a> Cursor<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let end = self.pos.checked_add(n)?;
        let s = self.buf.get(self.pos..end)?;
        self.pos = end;
        Some(s)
    }

    fn u32(&mut self) -> Option<u32> {
        let b: [u8; 4] = self.take(4)?.try_into().ok()?;
        Some(if self.big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    }
}

/// Parse a whole pcap file. With `allow_truncated_tail`, an incomplete last
/// record (a capture still being written) is ignored instead of an error.
pub fn parse_records(bytes: &[u8], allow_truncated_tail: bool) -> Result<Vec<Record>> {
    let magic: [u8; 4] = match bytes.get(..4) {
        Some(m) => m.try_into().context("magic")?,
        None => bail!("pcap: {} bytes, shorter than the magic number", bytes.len()),
    };
    let big_endian = match (u32::from_le_bytes(magic), u32::from_be_bytes(magic)) {
        (MAGIC_US | MAGIC_NS, _) => false,
        (_, MAGIC_US | MAGIC_NS) => true,
        _ => bail!("pcap: bad magic {magic:02x?} (pcapng is not supported)"),
    };
    if bytes.len() < GLOBAL_LEN {
        bail!(
            "pcap: global header truncated ({} of {GLOBAL_LEN} bytes)",
            bytes.len()
        );
    }
    let mut c = Cursor {
        buf: bytes,
        pos: 20,
        big_endian,
    };
    let linktype = c.u32().context("linktype")?;
    if linktype != LINKTYPE_ETHERNET {
        bail!("pcap: link type {linktype}, only Ethernet (1) is supported");
    }
    let mut out = Vec::new();
    while c.pos < bytes.len() {
        let at = c.pos;
        let header = (c.u32(), c.u32(), c.u32(), c.u32());
        let (Some(ts_sec), Some(ts_frac), Some(incl), Some(orig_len)) = header else {
            if allow_truncated_tail {
                break;
            }
            bail!("pcap: record header at offset {at} truncated");
        };
        let incl = incl as usize;
        if incl > MAX_RECORD {
            bail!("pcap: record at offset {at} claims {incl} bytes");
        }
        let Some(data) = c.take(incl) else {
            if allow_truncated_tail {
                break;
            }
            bail!("pcap: record at offset {at} truncated ({incl} bytes announced)");
        };
        out.push(Record {
            ts_sec,
            ts_frac,
            orig_len,
            data: data.to_vec(),
        });
        debug_assert!(c.pos == at + RECORD_LEN + incl);
    }
    Ok(out)
}

/// The frames of a complete pcap file.
pub fn parse(bytes: &[u8]) -> Result<Vec<Vec<u8>>> {
    Ok(parse_records(bytes, false)?
        .into_iter()
        .map(|r| r.data)
        .collect())
}

/// Read the frames of the pcap file at `path`.
pub fn read(path: impl AsRef<Path>) -> Result<Vec<Vec<u8>>> {
    let path = path.as_ref();
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    parse(&bytes).with_context(|| format!("parsing {}", path.display()))
}

/// Serialise records as a little-endian, microsecond pcap file.
pub fn encode_records(records: &[Record]) -> Vec<u8> {
    let mut out = Vec::with_capacity(
        GLOBAL_LEN
            + records
                .iter()
                .map(|r| RECORD_LEN + r.data.len())
                .sum::<usize>(),
    );
    out.extend_from_slice(&MAGIC_US.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&0i32.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    out.extend_from_slice(&(MAX_RECORD as u32).to_le_bytes());
    out.extend_from_slice(&LINKTYPE_ETHERNET.to_le_bytes());
    for r in records {
        out.extend_from_slice(&r.ts_sec.to_le_bytes());
        out.extend_from_slice(&r.ts_frac.to_le_bytes());
        out.extend_from_slice(&(r.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&r.orig_len.to_le_bytes());
        out.extend_from_slice(&r.data);
    }
    out
}

/// Write `records` to `path` (see [`encode_records`]).
pub fn write_records(path: impl AsRef<Path>, records: &[Record]) -> Result<()> {
    let path = path.as_ref();
    std::fs::write(path, encode_records(records))
        .with_context(|| format!("writing {}", path.display()))
}

/// Write bare frames (timestamps 0, one microsecond apart) to `path`.
pub fn write(path: impl AsRef<Path>, frames: &[Vec<u8>]) -> Result<()> {
    let records: Vec<Record> = frames
        .iter()
        .enumerate()
        .map(|(i, f)| Record {
            ts_sec: 0,
            ts_frac: i as u32,
            orig_len: f.len() as u32,
            data: f.clone(),
        })
        .collect();
    write_records(path, &records)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<Record> {
        vec![
            Record {
                ts_sec: 1,
                ts_frac: 2,
                orig_len: 3,
                data: vec![1, 2, 3],
            },
            Record {
                ts_sec: 4,
                ts_frac: 5,
                orig_len: 100,
                data: vec![9; 60],
            },
        ]
    }

    #[test]
    fn round_trip() {
        let bytes = encode_records(&sample());
        assert_eq!(bytes.len(), 24 + 16 + 3 + 16 + 60);
        assert_eq!(parse_records(&bytes, false).unwrap(), sample());
        assert_eq!(parse(&bytes).unwrap(), vec![vec![1, 2, 3], vec![9; 60]]);
    }

    #[test]
    fn big_endian_and_nanosecond_files() {
        let mut be = vec![0xa1, 0xb2, 0x3c, 0x4d, 0, 2, 0, 4];
        be.extend_from_slice(&[0; 12]);
        be.extend_from_slice(&1u32.to_be_bytes());
        be.extend_from_slice(&[0, 0, 0, 7, 0, 0, 0, 8, 0, 0, 0, 2, 0, 0, 0, 2, 0xaa, 0xbb]);
        let r = parse_records(&be, false).unwrap();
        assert_eq!(r.len(), 1);
        assert_eq!((r[0].ts_sec, r[0].ts_frac), (7, 8));
        assert_eq!(r[0].data, vec![0xaa, 0xbb]);
    }

    #[test]
    fn truncation_is_an_error_or_ignored() {
        let bytes = encode_records(&sample());
        for cut in 0..bytes.len() {
            let short = &bytes[..cut];
            let strict = parse_records(short, false);
            if cut == 24 + 16 + 3 || cut == 24 {
                assert!(strict.is_ok(), "cut at {cut}");
            } else {
                assert!(strict.is_err(), "cut at {cut} accepted");
            }
            if cut >= 24 {
                let lenient = parse_records(short, true).unwrap();
                assert!(lenient.len() <= 2);
            }
        }
    }

    #[test]
    fn rejects_other_link_types_and_pcapng() {
        let mut bytes = encode_records(&sample());
        bytes[20] = 113; // LINKTYPE_LINUX_SLL
        assert!(parse(&bytes).is_err());
        let ng = [0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0];
        assert!(parse(&ng).is_err());
    }

    #[test]
    fn rejects_absurd_record_length() {
        let mut bytes = encode_records(&sample());
        bytes[24 + 8..24 + 12].copy_from_slice(&u32::MAX.to_le_bytes());
        assert!(parse_records(&bytes, true).is_err());
    }
}
