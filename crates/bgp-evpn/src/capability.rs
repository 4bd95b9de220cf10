//! Capabilities advertised in OPEN (RFC 5492) and their values.
//!
//! ```text
//! +------------------------------+
//! | Capability Code (1 octet)    |
//! +------------------------------+
//! | Capability Length (1 octet)  |
//! +------------------------------+
//! | Capability Value (variable)  |
//! +------------------------------+
//! ```
//!
//! A capability decodes to a typed variant only when its value is well
//! formed and re-encodes to the same bytes; anything else (unknown codes,
//! odd lengths, reserved bits set) is kept as [`Capability::Unknown`], so
//! every capability round-trips and a peer's unusual capability never resets
//! the session by itself (RFC 5492 §3: unknown capabilities are ignored).

use crate::iana::capability as code;
use crate::types::{AddressFamily, Afi, Asn, Safi};
use crate::wire::{DecodeError, EncodeError, LenWidth, Reader, Sink, Writer};

/// ADD-PATH send/receive field (RFC 7911 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AddPathMode {
    /// Able to receive (1).
    Receive,
    /// Able to send (2).
    Send,
    /// Both (3).
    Both,
}

/// One family of the ADD-PATH capability: AFI (2) | SAFI (1) | Send/Receive (1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct AddPathEntry {
    /// The family.
    pub family: AddressFamily,
    /// What the sender of the capability can do.
    pub mode: AddPathMode,
}

/// One tuple of the extended next hop capability (RFC 8950 §3):
/// NLRI AFI (2) | NLRI SAFI (2) | Next Hop AFI (2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ExtendedNextHopEntry {
    /// The NLRI family.
    pub family: AddressFamily,
    /// The AFI of next hops allowed for it.
    pub next_hop_afi: Afi,
}

/// One family of the graceful restart capability: AFI (2) | SAFI (1) | Flags (1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GracefulRestartFamily {
    /// The family.
    pub family: AddressFamily,
    /// Flags (0x80: forwarding state preserved).
    pub flags: u8,
}

impl GracefulRestartFamily {
    /// Forwarding state was preserved (F bit).
    pub fn forwarding_preserved(&self) -> bool {
        self.flags & 0x80 != 0
    }
}

/// Graceful restart (RFC 4724 §3):
/// Restart Flags (4 bits) | Restart Time (12 bits) | families.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GracefulRestart {
    /// The 4 flag bits (0x8: restart state R, 0x4: notification N of RFC 8538).
    pub flags: u8,
    /// Restart time in seconds (12 bits).
    pub restart_time: u16,
    /// Per-family state.
    pub families: Vec<GracefulRestartFamily>,
}

impl GracefulRestart {
    /// The R bit (restart state).
    pub const RESTARTING: u8 = 0x8;
    /// The N bit (RFC 8538 §2): graceful restart also after a NOTIFICATION
    /// other than Hard Reset.
    pub const NOTIFICATION: u8 = 0x4;

    /// The R bit: the sender has restarted.
    pub fn restarting(&self) -> bool {
        self.flags & Self::RESTARTING != 0
    }

    /// The N bit: the sender supports RFC 8538.
    pub fn notification(&self) -> bool {
        self.flags & Self::NOTIFICATION != 0
    }
}

/// One capability.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    /// Multiprotocol extensions (1, RFC 4760 §8): AFI (2) | Reserved (1) | SAFI (1).
    Multiprotocol(AddressFamily),
    /// Route refresh (2, RFC 2918).
    RouteRefresh,
    /// Extended next hop encoding (5, RFC 8950).
    ExtendedNextHop(Vec<ExtendedNextHopEntry>),
    /// Extended message (6, RFC 8654).
    ExtendedMessage,
    /// Graceful restart (64, RFC 4724).
    GracefulRestart(GracefulRestart),
    /// 4-octet AS number (65, RFC 6793).
    FourOctetAs(Asn),
    /// ADD-PATH (69, RFC 7911).
    AddPath(Vec<AddPathEntry>),
    /// Enhanced route refresh (70, RFC 7313).
    EnhancedRouteRefresh,
    /// FQDN (73, draft-walton-bgp-hostname-capability, as FRR sends it):
    /// hostname length (1) | hostname | domain length (1) | domain.
    Fqdn {
        /// Host name.
        hostname: String,
        /// Domain name (often empty).
        domain: String,
    },
    /// Pre-standard route refresh (128), as Cisco and FRR send it.
    RouteRefreshCisco,
    /// Anything else, or a known code whose value does not parse.
    Unknown {
        /// Capability code.
        code: u8,
        /// Value bytes.
        value: Vec<u8>,
    },
}

// ---- wire codec -----------------------------------------------------------

fn add_path_mode(v: u8) -> Option<AddPathMode> {
    match v {
        1 => Some(AddPathMode::Receive),
        2 => Some(AddPathMode::Send),
        3 => Some(AddPathMode::Both),
        _ => None,
    }
}

fn parse_value(c: u8, r: &mut Reader<'_>) -> Result<Capability, DecodeError> {
    let cap = match c {
        code::MULTIPROTOCOL => {
            let afi = Afi::from(r.u16()?);
            let reserved = r.u8()?;
            if reserved != 0 {
                return Err(r.invalid("reserved"));
            }
            Capability::Multiprotocol(AddressFamily::new(afi, Safi::from(r.u8()?)))
        }
        code::ROUTE_REFRESH => Capability::RouteRefresh,
        code::ROUTE_REFRESH_CISCO => Capability::RouteRefreshCisco,
        code::EXTENDED_MESSAGE => Capability::ExtendedMessage,
        code::ENHANCED_ROUTE_REFRESH => Capability::EnhancedRouteRefresh,
        code::FOUR_OCTET_AS => Capability::FourOctetAs(Asn(r.u32()?)),
        code::EXTENDED_NEXT_HOP => {
            let mut v = Vec::new();
            while !r.is_empty() {
                let afi = Afi::from(r.u16()?);
                let safi = u8::try_from(r.u16()?).map_err(|_| r.invalid("SAFI"))?;
                let nh = Afi::from(r.u16()?);
                v.push(ExtendedNextHopEntry {
                    family: AddressFamily::new(afi, Safi::from(safi)),
                    next_hop_afi: nh,
                });
            }
            Capability::ExtendedNextHop(v)
        }
        code::GRACEFUL_RESTART => {
            let ft = r.u16()?;
            let mut families = Vec::new();
            while !r.is_empty() {
                families.push(GracefulRestartFamily {
                    family: AddressFamily::decode(r)?,
                    flags: r.u8()?,
                });
            }
            Capability::GracefulRestart(GracefulRestart {
                flags: (ft >> 12) as u8,
                restart_time: ft & 0x0fff,
                families,
            })
        }
        code::ADD_PATH => {
            let mut v = Vec::new();
            while !r.is_empty() {
                let family = AddressFamily::decode(r)?;
                let mode = add_path_mode(r.u8()?).ok_or_else(|| r.invalid("send/receive"))?;
                v.push(AddPathEntry { family, mode });
            }
            Capability::AddPath(v)
        }
        code::FQDN => {
            let n = r.u8()?;
            let hostname = String::from_utf8(r.bytes(usize::from(n))?.to_vec())
                .map_err(|_| r.invalid("hostname"))?;
            let n = r.u8()?;
            let domain = String::from_utf8(r.bytes(usize::from(n))?.to_vec())
                .map_err(|_| r.invalid("domain"))?;
            Capability::Fqdn { hostname, domain }
        }
        other => Capability::Unknown {
            code: other,
            value: r.rest().to_vec(),
        },
    };
    r.finish()?;
    Ok(cap)
}

impl Capability {
    /// The capability code.
    pub fn code(&self) -> u8 {
        match self {
            Capability::Multiprotocol(_) => code::MULTIPROTOCOL,
            Capability::RouteRefresh => code::ROUTE_REFRESH,
            Capability::ExtendedNextHop(_) => code::EXTENDED_NEXT_HOP,
            Capability::ExtendedMessage => code::EXTENDED_MESSAGE,
            Capability::GracefulRestart(_) => code::GRACEFUL_RESTART,
            Capability::FourOctetAs(_) => code::FOUR_OCTET_AS,
            Capability::AddPath(_) => code::ADD_PATH,
            Capability::EnhancedRouteRefresh => code::ENHANCED_ROUTE_REFRESH,
            Capability::Fqdn { .. } => code::FQDN,
            Capability::RouteRefreshCisco => code::ROUTE_REFRESH_CISCO,
            Capability::Unknown { code, .. } => *code,
        }
    }

    /// Read one capability (code, length, value). Fails only when the
    /// length runs past `r`; a malformed value becomes [`Capability::Unknown`].
    pub fn decode(r: &mut Reader<'_>) -> Result<Capability, DecodeError> {
        let c = r.u8()?;
        let len = r.u8()?;
        let mut v = r.sub(usize::from(len))?;
        let raw = v.clone().rest();
        match parse_value(c, &mut v) {
            Ok(cap) => {
                // Keep the raw bytes when the typed value would not
                // re-encode identically (e.g. an FQDN host name > 255 bytes
                // cannot come from the wire, but an odd encoding can).
                let mut check = Vec::with_capacity(raw.len());
                cap.encode_value(&mut Writer::new(&mut check));
                if check == raw {
                    Ok(cap)
                } else {
                    Ok(Capability::Unknown {
                        code: c,
                        value: raw.to_vec(),
                    })
                }
            }
            Err(_) => Ok(Capability::Unknown {
                code: c,
                value: raw.to_vec(),
            }),
        }
    }

    /// Size of the value.
    pub fn value_len(&self) -> usize {
        match self {
            Capability::Multiprotocol(_) | Capability::FourOctetAs(_) => 4,
            Capability::RouteRefresh
            | Capability::ExtendedMessage
            | Capability::EnhancedRouteRefresh
            | Capability::RouteRefreshCisco => 0,
            Capability::ExtendedNextHop(v) => 6 * v.len(),
            Capability::GracefulRestart(g) => 2 + 4 * g.families.len(),
            Capability::AddPath(v) => 4 * v.len(),
            Capability::Fqdn { hostname, domain } => {
                2 + hostname.len().min(255) + domain.len().min(255)
            }
            Capability::Unknown { value, .. } => value.len(),
        }
    }

    /// Encoded size (code, length, value).
    pub fn encoded_len(&self) -> usize {
        2 + self.value_len()
    }

    fn encode_value<S: Sink>(&self, w: &mut Writer<'_, S>) {
        match self {
            Capability::Multiprotocol(f) => {
                w.u16(f.afi.into());
                w.u8(0);
                w.u8(f.safi.into());
            }
            Capability::RouteRefresh
            | Capability::ExtendedMessage
            | Capability::EnhancedRouteRefresh
            | Capability::RouteRefreshCisco => {}
            Capability::FourOctetAs(a) => w.u32(a.0),
            Capability::ExtendedNextHop(v) => {
                for e in v {
                    w.u16(e.family.afi.into());
                    w.u16(u16::from(u8::from(e.family.safi)));
                    w.u16(e.next_hop_afi.into());
                }
            }
            Capability::GracefulRestart(g) => {
                w.u16((u16::from(g.flags & 0xf) << 12) | (g.restart_time & 0x0fff));
                for f in &g.families {
                    f.family.encode(w);
                    w.u8(f.flags);
                }
            }
            Capability::AddPath(v) => {
                for e in v {
                    e.family.encode(w);
                    w.u8(match e.mode {
                        AddPathMode::Receive => 1,
                        AddPathMode::Send => 2,
                        AddPathMode::Both => 3,
                    });
                }
            }
            Capability::Fqdn { hostname, domain } => {
                for s in [hostname, domain] {
                    let b = s.as_bytes();
                    let b = b.get(..255).unwrap_or(b);
                    w.u8(b.len() as u8);
                    w.bytes(b);
                }
            }
            Capability::Unknown { value, .. } => w.bytes(value),
        }
    }

    /// Write code, length and value. Fails if the value exceeds 255 bytes.
    pub fn encode<S: Sink>(&self, w: &mut Writer<'_, S>) -> Result<(), EncodeError> {
        w.u8(self.code());
        let m = w.reserve(LenWidth::One, "capability");
        self.encode_value(w);
        w.patch(m)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(cap: Capability, bytes: &[u8]) {
        let mut v = Vec::new();
        cap.encode(&mut Writer::new(&mut v)).unwrap();
        assert_eq!(v, bytes, "{cap:?}");
        assert_eq!(cap.encoded_len(), v.len());
        let mut r = Reader::new(bytes);
        assert_eq!(Capability::decode(&mut r).unwrap(), cap);
        assert!(r.is_empty());
        for n in 0..bytes.len() {
            assert!(Capability::decode(&mut Reader::new(&bytes[..n])).is_err());
        }
    }

    #[test]
    fn exact_bytes() {
        check(
            Capability::Multiprotocol(AddressFamily::L2VPN_EVPN),
            &[1, 4, 0, 25, 0, 70],
        );
        check(Capability::RouteRefresh, &[2, 0]);
        check(Capability::RouteRefreshCisco, &[128, 0]);
        check(Capability::EnhancedRouteRefresh, &[70, 0]);
        check(Capability::ExtendedMessage, &[6, 0]);
        check(
            Capability::FourOctetAs(Asn(65000)),
            &[65, 4, 0, 0, 0xfd, 0xe8],
        );
        check(
            Capability::ExtendedNextHop(vec![ExtendedNextHopEntry {
                family: AddressFamily::IPV4_UNICAST,
                next_hop_afi: Afi::Ipv6,
            }]),
            &[5, 6, 0, 1, 0, 1, 0, 2],
        );
        check(
            Capability::GracefulRestart(GracefulRestart {
                flags: 0x8,
                restart_time: 120,
                families: vec![GracefulRestartFamily {
                    family: AddressFamily::IPV4_UNICAST,
                    flags: 0x80,
                }],
            }),
            &[64, 6, 0x80, 120, 0, 1, 1, 0x80],
        );
        check(
            Capability::AddPath(vec![AddPathEntry {
                family: AddressFamily::IPV4_UNICAST,
                mode: AddPathMode::Both,
            }]),
            &[69, 4, 0, 1, 1, 3],
        );
        // FRR: hostname capability with an empty domain.
        check(
            Capability::Fqdn {
                hostname: "vtep1".into(),
                domain: String::new(),
            },
            &[73, 7, 5, b'v', b't', b'e', b'p', b'1', 0],
        );
        check(
            Capability::Unknown {
                code: 71,
                value: vec![1, 2],
            },
            &[71, 2, 1, 2],
        );
    }

    #[test]
    fn malformed_known_capabilities_stay_raw() {
        // Multiprotocol with 3 bytes, ADD-PATH with mode 0, FQDN overrun.
        for bytes in [
            &[1u8, 3, 0, 1, 1][..],
            &[69, 4, 0, 1, 1, 0],
            &[73, 3, 5, b'a', b'b'],
            &[1, 4, 0, 1, 9, 1],
        ] {
            let cap = Capability::decode(&mut Reader::new(bytes)).unwrap();
            assert!(matches!(cap, Capability::Unknown { .. }), "{cap:?}");
            let mut v = Vec::new();
            cap.encode(&mut Writer::new(&mut v)).unwrap();
            assert_eq!(v, bytes);
        }
    }
}
