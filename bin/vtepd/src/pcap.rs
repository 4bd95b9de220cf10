//! Reading classic libpcap files (the format tcpdump writes by default), for
//! `vtepd decode`. Both byte orders, microsecond and nanosecond timestamps;
//! only the Ethernet link type (1) is accepted.

use anyhow::{bail, ensure, Context, Result};

const MAGIC_US: u32 = 0xa1b2_c3d4;
const MAGIC_NS: u32 = 0xa1b2_3c4d;
const LINKTYPE_ETHERNET: u32 = 1;

/// One captured frame.
#[derive(Debug)]
pub struct Record<'a> {
    /// Capture time, seconds and sub-second nanoseconds.
    pub ts: (u32, u32),
    /// Length on the wire (may exceed `data.len()` if the capture was cut).
    pub orig_len: u32,
    /// The captured bytes.
    pub data: &'a [u8],
}

/// Split a whole pcap file into its records.
pub fn records(file: &[u8]) -> Result<Vec<Record<'_>>> {
    ensure!(
        file.len() >= 24,
        "not a pcap file: {} bytes, the header alone is 24",
        file.len()
    );
    let magic_le = u32::from_le_bytes(file[0..4].try_into()?);
    let magic_be = u32::from_be_bytes(file[0..4].try_into()?);
    let (le, nanos) = match (magic_le, magic_be) {
        (MAGIC_US, _) => (true, false),
        (MAGIC_NS, _) => (true, true),
        (_, MAGIC_US) => (false, false),
        (_, MAGIC_NS) => (false, true),
        _ => bail!("not a classic pcap file (magic {magic_le:#010x}); pcapng is not supported"),
    };
    let u32_at = |b: &[u8], at: usize| -> Result<u32> {
        let w: [u8; 4] = b.get(at..at + 4).context("truncated pcap")?.try_into()?;
        Ok(if le {
            u32::from_le_bytes(w)
        } else {
            u32::from_be_bytes(w)
        })
    };
    let linktype = u32_at(file, 20)? & 0x0fff_ffff;
    ensure!(
        linktype == LINKTYPE_ETHERNET,
        "pcap link type {linktype} is not Ethernet (1)"
    );
    let mut out = Vec::new();
    let mut at = 24;
    while at < file.len() {
        let sec = u32_at(file, at).with_context(|| format!("record header at byte {at}"))?;
        let frac = u32_at(file, at + 4)?;
        let incl = u32_at(file, at + 8)? as usize;
        let orig_len = u32_at(file, at + 12)?;
        let start = at + 16;
        let data = file.get(start..start + incl).with_context(|| {
            format!("record at byte {at} claims {incl} bytes past the end of the file")
        })?;
        let nsec = if nanos {
            frac
        } else {
            frac.saturating_mul(1000)
        };
        out.push(Record {
            ts: (sec, nsec),
            orig_len,
            data,
        });
        at = start + incl;
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(le: bool, frames: &[&[u8]]) -> Vec<u8> {
        let w = |v: u32| if le { v.to_le_bytes() } else { v.to_be_bytes() };
        let mut f = Vec::new();
        f.extend(w(MAGIC_US));
        f.extend(if le { [2, 0, 4, 0] } else { [0, 2, 0, 4] });
        f.extend([0; 8]);
        f.extend(w(65535));
        f.extend(w(1));
        for (i, fr) in frames.iter().enumerate() {
            f.extend(w(i as u32));
            f.extend(w(5));
            f.extend(w(fr.len() as u32));
            f.extend(w(fr.len() as u32));
            f.extend(*fr);
        }
        f
    }

    #[test]
    fn both_byte_orders() {
        for le in [true, false] {
            let f = file(le, &[&[1, 2, 3], &[4]]);
            let r = records(&f).unwrap();
            assert_eq!(r.len(), 2);
            assert_eq!(r[0].data, &[1, 2, 3]);
            assert_eq!(r[1].ts, (1, 5000));
        }
    }

    #[test]
    fn errors_name_the_problem() {
        assert!(records(&[0; 10]).unwrap_err().to_string().contains("24"));
        let mut f = file(true, &[&[1, 2, 3]]);
        f.truncate(f.len() - 1);
        assert!(records(&f)
            .unwrap_err()
            .to_string()
            .contains("past the end"));
        let mut f = file(true, &[]);
        f[20] = 101;
        assert!(records(&f)
            .unwrap_err()
            .to_string()
            .contains("not Ethernet"));
    }
}
