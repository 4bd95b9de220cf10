//! Labelled VPN-IPv4 / VPN-IPv6 NLRI (SAFI 128; RFC 4364 §4.3.4, RFC 4659
//! §3.2, encoding per RFC 8277 §2).
//!
//! ```text
//! +---------------------------+
//! |   Length (1 octet, bits)  |  = 24 (label) + 64 (RD) + prefix bits
//! +---------------------------+
//! |   Label (3 octets)        |
//! +---------------------------+
//! |   Route Distinguisher (8) |
//! +---------------------------+
//! |   Prefix (variable)       |
//! +---------------------------+
//! ```
//!
//! This codec speaks the single-label encoding (RFC 8277 §2.2), the only one
//! used unless the Multiple Labels capability (code 8) is negotiated, which
//! vtepd does not advertise: exactly one label field, whose bottom-of-stack
//! bit is ignored on receipt (a label with S=0 still ends the stack).
//!
//! In MP_UNREACH_NLRI the label field is a 3-octet compatibility field
//! (RFC 8277 §2.4) that SHOULD be 0x800000 ([`MplsLabel::WITHDRAW_COMPAT`])
//! and is ignored on receipt; some speakers send 0x000000. Both decode the
//! same way here, the field is kept as received, and the RIB must not use
//! it to identify the route (the key is RD + prefix).

use core::fmt;

use super::prefix::{Ipv4Prefix, Ipv6Prefix};
use super::NlriCodec;
use crate::types::{MplsLabel, RouteDistinguisher};
use crate::wire::{DecodeError, Reader, Sink, Writer};

/// A labelled VPN route for prefix type `P`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct VpnRoute<P> {
    /// The label (or the withdrawal compatibility field).
    pub label: MplsLabel,
    /// Route distinguisher.
    pub rd: RouteDistinguisher,
    /// The customer prefix.
    pub prefix: P,
}

/// A VPN-IPv4 route.
pub type Vpnv4Route = VpnRoute<Ipv4Prefix>;
/// A VPN-IPv6 route.
pub type Vpnv6Route = VpnRoute<Ipv6Prefix>;

impl<P> VpnRoute<P> {
    /// The route as it appears in a withdrawal: the same RD and prefix with
    /// the compatibility label 0x800000.
    pub fn withdrawal(self) -> VpnRoute<P> {
        VpnRoute {
            label: MplsLabel::WITHDRAW_COMPAT,
            ..self
        }
    }
}

impl<P: fmt::Display> fmt::Display for VpnRoute<P> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{} label {}",
            self.rd,
            self.prefix,
            self.label.label()
        )
    }
}

// ---- wire codec -----------------------------------------------------------

const LABEL_RD_BITS: u8 = 24 + 64;

fn decode_head(
    r: &mut Reader<'_>,
    max_bits: u8,
) -> Result<(u8, usize, MplsLabel, RouteDistinguisher), DecodeError> {
    let at = r.offset();
    let bits = r.u8()?;
    if bits < LABEL_RD_BITS || bits - LABEL_RD_BITS > max_bits {
        return Err(Reader::invalid_at(at, "VPN NLRI length"));
    }
    let label = MplsLabel::decode(r)?;
    let rd = RouteDistinguisher::decode(r)?;
    Ok((bits - LABEL_RD_BITS, at, label, rd))
}

impl NlriCodec for Vpnv4Route {
    fn decode_nlri(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        let (len, at, label, rd) = decode_head(r, 32)?;
        let prefix = Ipv4Prefix::decode_body(r, len, at)?;
        Ok(VpnRoute { label, rd, prefix })
    }

    fn nlri_len(&self) -> usize {
        1 + 3 + 8 + self.prefix.body_len()
    }

    fn encode_nlri<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.u8(LABEL_RD_BITS + self.prefix.prefix_len());
        self.label.encode(w);
        self.rd.encode(w);
        self.prefix.encode_body(w);
    }
}

impl NlriCodec for Vpnv6Route {
    fn decode_nlri(r: &mut Reader<'_>) -> Result<Self, DecodeError> {
        // 88 + 128 = 216 fits the length octet.
        let (len, at, label, rd) = decode_head(r, 128)?;
        let prefix = Ipv6Prefix::decode_body(r, len, at)?;
        Ok(VpnRoute { label, rd, prefix })
    }

    fn nlri_len(&self) -> usize {
        1 + 3 + 8 + self.prefix.body_len()
    }

    fn encode_nlri<S: Sink>(&self, w: &mut Writer<'_, S>) {
        w.u8(LABEL_RD_BITS + self.prefix.prefix_len());
        self.label.encode(w);
        self.rd.encode(w);
        self.prefix.encode_body(w);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use core::net::{Ipv4Addr, Ipv6Addr};

    fn route() -> Vpnv4Route {
        VpnRoute {
            label: MplsLabel::new(16000, true).unwrap(),
            rd: RouteDistinguisher::As2 {
                asn: 65000,
                number: 1,
            },
            prefix: Ipv4Prefix::new(Ipv4Addr::new(172, 16, 1, 0), 24).unwrap(),
        }
    }

    #[test]
    fn vpnv4_bytes() {
        let r = route();
        let mut v = Vec::new();
        r.encode_nlri(&mut Writer::new(&mut v));
        // 88 + 24 = 112 bits; label 16000 << 4 | 1 = 0x03e801.
        let expect = [
            112, 0x03, 0xe8, 0x01, 0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 172, 16, 1,
        ];
        assert_eq!(v, expect);
        assert_eq!(r.nlri_len(), v.len());
        let mut rd = Reader::new(&v);
        assert_eq!(Vpnv4Route::decode_nlri(&mut rd).unwrap(), r);
        assert!(rd.is_empty());
        for n in 0..v.len() {
            assert!(Vpnv4Route::decode_nlri(&mut Reader::new(&v[..n])).is_err());
        }
        // 87 bits cannot hold a label and an RD; 121 bits is more than /32.
        assert!(Vpnv4Route::decode_nlri(&mut Reader::new(&[87, 0, 0, 0])).is_err());
        let mut bad = v.clone();
        bad[0] = 121;
        assert!(Vpnv4Route::decode_nlri(&mut Reader::new(&bad)).is_err());
    }

    #[test]
    fn withdraw_compat_labels_decode_as_one_label() {
        for label in [[0x80, 0, 0], [0, 0, 0]] {
            let mut v = vec![112];
            v.extend_from_slice(&label);
            v.extend_from_slice(&[0, 0, 0xfd, 0xe8, 0, 0, 0, 1, 172, 16, 1]);
            let got = Vpnv4Route::decode_nlri(&mut Reader::new(&v)).unwrap();
            assert_eq!(got.label, MplsLabel(label));
            assert_eq!(got.rd, route().rd);
            assert_eq!(got.prefix, route().prefix);
        }
        assert_eq!(route().withdrawal().label, MplsLabel::WITHDRAW_COMPAT);
    }

    #[test]
    fn vpnv6_bytes() {
        let r = Vpnv6Route {
            label: MplsLabel::new(3, true).unwrap(),
            rd: RouteDistinguisher::Ipv4 {
                addr: Ipv4Addr::new(1, 1, 1, 1),
                number: 9,
            },
            prefix: Ipv6Prefix::new("2001:db8::".parse::<Ipv6Addr>().unwrap(), 32).unwrap(),
        };
        let mut v = Vec::new();
        r.encode_nlri(&mut Writer::new(&mut v));
        assert_eq!(
            v,
            [120, 0, 0, 0x31, 0, 1, 1, 1, 1, 1, 0, 9, 0x20, 0x01, 0x0d, 0xb8]
        );
        assert_eq!(Vpnv6Route::decode_nlri(&mut Reader::new(&v)).unwrap(), r);
    }
}
