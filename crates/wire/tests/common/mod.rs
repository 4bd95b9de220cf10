//! Test support for the fixture tests: a classic-pcap reader and fixture
//! lookup. (The wire crate must not depend on the lab crate, which writes
//! these files, so this is a small reader of its own.)
//!
//! Classic pcap (the libpcap "savefile" format): a 24-byte global header —
//! magic `0xa1b2c3d4` (microsecond) or `0xa1b23c4d` (nanosecond) in the
//! writer's byte order, version 2.4, thiszone, sigfigs, snaplen, link type —
//! then per packet a 16-byte record header (seconds, sub-seconds, captured
//! length, original length) and the captured bytes.

#![allow(dead_code)]

use std::path::{Path, PathBuf};

/// Link type 1: Ethernet (DLT_EN10MB).
pub const LINKTYPE_ETHERNET: u32 = 1;

/// One capture file.
#[derive(Debug)]
pub struct Pcap {
    /// The file's name (for messages).
    pub name: String,
    /// The link type of every packet.
    pub link_type: u32,
    /// The snapshot length.
    pub snaplen: u32,
    /// The packets, in file order.
    pub frames: Vec<Vec<u8>>,
}

fn u32_at(b: &[u8], at: usize, le: bool) -> u32 {
    let w: [u8; 4] = b[at..at + 4].try_into().unwrap();
    if le {
        u32::from_le_bytes(w)
    } else {
        u32::from_be_bytes(w)
    }
}

fn u16_at(b: &[u8], at: usize, le: bool) -> u16 {
    let w: [u8; 2] = b[at..at + 2].try_into().unwrap();
    if le {
        u16::from_le_bytes(w)
    } else {
        u16::from_be_bytes(w)
    }
}

/// Parse a classic pcap file. Panics (it is a test helper) on anything that
/// is not a complete, untruncated capture.
pub fn parse_pcap(name: &str, b: &[u8]) -> Pcap {
    assert!(b.len() >= 24, "{name}: shorter than a pcap global header");
    let le = match b[..4] {
        [0xd4, 0xc3, 0xb2, 0xa1] | [0x4d, 0x3c, 0xb2, 0xa1] => true,
        [0xa1, 0xb2, 0xc3, 0xd4] | [0xa1, 0xb2, 0x3c, 0x4d] => false,
        _ => panic!(
            "{name}: not a classic pcap file (magic {:02x?}; pcapng is not read)",
            &b[..4]
        ),
    };
    let (major, minor) = (u16_at(b, 4, le), u16_at(b, 6, le));
    assert_eq!((major, minor), (2, 4), "{name}: pcap version");
    let snaplen = u32_at(b, 16, le);
    let link_type = u32_at(b, 20, le);
    let mut frames = Vec::new();
    let mut at = 24;
    while at < b.len() {
        assert!(
            at + 16 <= b.len(),
            "{name}: truncated record header at byte {at}"
        );
        let incl = u32_at(b, at + 8, le) as usize;
        let orig = u32_at(b, at + 12, le) as usize;
        assert_eq!(
            incl,
            orig,
            "{name}: packet {} was cut to the snapshot length",
            frames.len()
        );
        let data = b
            .get(at + 16..at + 16 + incl)
            .unwrap_or_else(|| panic!("{name}: truncated packet {}", frames.len()));
        frames.push(data.to_vec());
        at += 16 + incl;
    }
    Pcap {
        name: name.to_string(),
        link_type,
        snaplen,
        frames,
    }
}

/// `crates/wire/fixtures`.
pub fn fixtures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// Read `crates/wire/fixtures/NAME`.
pub fn fixture(name: &str) -> Pcap {
    let path = fixtures_dir().join(name);
    let b = std::fs::read(&path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    let p = parse_pcap(name, &b);
    assert_eq!(p.link_type, LINKTYPE_ETHERNET, "{name}: link type");
    p
}

/// The names of every `*.pcap` in the fixtures directory, sorted.
pub fn fixture_names() -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(fixtures_dir())
        .expect("fixtures directory")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .into_string()
                .expect("utf-8")
        })
        .filter(|n| n.ends_with(".pcap"))
        .collect();
    v.sort();
    v
}

#[test]
fn reader_handles_both_byte_orders() {
    // A one-packet file written big-endian, and the same little-endian.
    let mut be = vec![0xa1, 0xb2, 0xc3, 0xd4, 0, 2, 0, 4];
    be.extend_from_slice(&[0; 8]);
    be.extend_from_slice(&65535u32.to_be_bytes());
    be.extend_from_slice(&1u32.to_be_bytes());
    be.extend_from_slice(&[0; 8]);
    be.extend_from_slice(&3u32.to_be_bytes());
    be.extend_from_slice(&3u32.to_be_bytes());
    be.extend_from_slice(&[7, 8, 9]);
    let p = parse_pcap("be", &be);
    assert_eq!((p.link_type, p.snaplen), (1, 65535));
    assert_eq!(p.frames, vec![vec![7, 8, 9]]);

    let mut le = vec![0xd4, 0xc3, 0xb2, 0xa1, 2, 0, 4, 0];
    le.extend_from_slice(&[0; 8]);
    le.extend_from_slice(&65535u32.to_le_bytes());
    le.extend_from_slice(&1u32.to_le_bytes());
    le.extend_from_slice(&[0; 8]);
    le.extend_from_slice(&2u32.to_le_bytes());
    le.extend_from_slice(&2u32.to_le_bytes());
    le.extend_from_slice(&[5, 6]);
    assert_eq!(parse_pcap("le", &le).frames, vec![vec![5, 6]]);
}
