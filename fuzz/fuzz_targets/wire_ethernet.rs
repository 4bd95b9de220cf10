//! Ethernet II + 802.1Q: a checked frame parses to a repr that re-emits the
//! same header bytes, and the payload is exactly the bytes after the header.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vtepd_wire::{EthernetFrame, EthernetRepr};

fuzz_target!(|data: &[u8]| {
    let Ok(frame) = EthernetFrame::new_checked(data) else {
        return;
    };
    let repr = EthernetRepr::parse(&frame).expect("a checked frame always parses");
    assert_eq!(repr.buffer_len(), frame.header_len());
    assert_eq!(frame.payload().len() + frame.header_len(), data.len());
    let mut out = vec![0u8; repr.buffer_len()];
    repr.emit(&mut EthernetFrame::new_unchecked(&mut out[..]))
        .expect("buffer_len bytes are enough");
    assert_eq!(&out[..], &data[..repr.buffer_len()]);
});
