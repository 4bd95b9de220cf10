//! Whole BGP messages: the first input byte selects the codec context
//! (bgp_common::ctx), the rest is one message with its header. A message
//! that decodes re-encodes with `encoded_len` bytes, decodes again to an
//! equal value with no new kind of attribute error, and re-encoding is a fixed point.
//! A message that decoded without attribute errors re-encodes to the
//! input's length.
#![no_main]

#[path = "bgp_common.rs"]
mod bgp_common;

use libfuzzer_sys::fuzz_target;
use vtepd_bgp_evpn::message::frame_len;
use vtepd_bgp_evpn::{Action, Message};

fuzz_target!(|data: &[u8]| {
    let Some((ctx, msg)) = bgp_common::split(data) else {
        return;
    };
    // The framing check agrees with the decoder about the length.
    let framed = frame_len(msg, &ctx);
    let Ok(d) = Message::decode(msg, &ctx) else {
        return;
    };
    let len = match framed {
        Ok(Some(n)) => n,
        other => panic!("decoded, but frame_len says {other:?}"),
    };
    assert_eq!(len, msg.len(), "decode takes exactly one whole message");
    let m = &d.message;
    let n = m.encoded_len(&ctx);
    let once = bgp_common::encode_checked("message", n, |w| {
        m.encode(w, &ctx).expect("a decoded message encodes");
    });
    assert_eq!(m.to_vec(&ctx).expect("to_vec"), once, "to_vec == encode");
    let again = Message::decode(&once, &ctx).expect("a re-encoded message decodes");
    // Discarded attributes are gone, so only treat-as-withdraw can remain
    // (an attribute dropped as malformed is now missing), and only if the
    // first decode was treat-as-withdraw already.
    if d.treat_as_withdraw() {
        for e in &again.attr_errors {
            assert_eq!(e.action, Action::TreatAsWithdraw, "{e:?}");
        }
    } else {
        assert!(
            again.attr_errors.is_empty(),
            "re-encoding has attribute errors: {:?}, first: {:?}",
            again.attr_errors,
            d.attr_errors
        );
    }
    assert_eq!(&again.message, m, "decode(encode(x)) == x");
    let twice = again.message.to_vec(&ctx).expect("encode again");
    assert_eq!(twice, once, "encoding is a fixed point");
    if d.attr_errors.is_empty() {
        // Everything was understood and nothing was dropped: non-canonical
        // details (flags, trailing prefix bits, reserved octets) are kept or
        // normalised in place, never added or removed.
        assert_eq!(
            once.len(),
            len,
            "error-free decode re-encodes to the same length"
        );
    }
});
