//! Network layer reachability information: what a route is about.
//!
//! - [`prefix`]: IPv4/IPv6 unicast prefixes (RFC 4271, RFC 4760).
//! - [`evpn`]: EVPN routes of types 1-5 (RFC 7432 §7, RFC 9136 §3).
//! - [`vpn`]: labelled VPNv4/VPNv6 routes (RFC 4364, RFC 4659, RFC 8277).
//!
//! Every NLRI type implements [`NlriCodec`]; lists of NLRI, each optionally
//! preceded by an ADD-PATH path identifier (RFC 7911 §3), are read and
//! written by [`decode_nlri_list`] and [`encode_nlri_list`]. [`NlriList`]
//! is a typed list for one address family, as MP_REACH_NLRI and
//! MP_UNREACH_NLRI carry it.

pub mod evpn;
pub mod prefix;
pub mod vpn;

use crate::types::AddressFamily;
use crate::wire::{DecodeError, EncodeError, Reader, Sink, Writer};

pub use evpn::EvpnRoute;
pub use prefix::{IpPrefix, Ipv4Prefix, Ipv6Prefix, Prefix, PrefixAddr};
pub use vpn::{Vpnv4Route, Vpnv6Route};

/// The codec of one NLRI (without the ADD-PATH path identifier).
pub trait NlriCodec: Sized {
    /// Read one NLRI.
    fn decode_nlri(r: &mut Reader<'_>) -> Result<Self, DecodeError>;
    /// Bytes [`NlriCodec::encode_nlri`] writes.
    fn nlri_len(&self) -> usize;
    /// Write one NLRI.
    fn encode_nlri<S: Sink>(&self, w: &mut Writer<'_, S>);
}

/// An NLRI with its ADD-PATH path identifier (RFC 7911 §3), present exactly
/// when ADD-PATH was negotiated for its family in that direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct PathNlri<T> {
    /// The path identifier, if ADD-PATH is in use.
    pub path_id: Option<u32>,
    /// The NLRI.
    pub nlri: T,
}

impl<T> PathNlri<T> {
    /// An NLRI without a path identifier.
    pub fn new(nlri: T) -> PathNlri<T> {
        PathNlri {
            path_id: None,
            nlri,
        }
    }

    /// An NLRI with a path identifier.
    pub fn with_path_id(path_id: u32, nlri: T) -> PathNlri<T> {
        PathNlri {
            path_id: Some(path_id),
            nlri,
        }
    }
}

impl<T: NlriCodec> PathNlri<T> {
    /// Encoded size, path identifier included.
    pub fn encoded_len(&self) -> usize {
        self.path_id.map_or(0, |_| 4) + self.nlri.nlri_len()
    }
}

/// Read NLRI until the reader is empty; `add_path` says whether each one is
/// preceded by a 4-byte path identifier.
pub fn decode_nlri_list<T: NlriCodec>(
    r: &mut Reader<'_>,
    add_path: bool,
) -> Result<Vec<PathNlri<T>>, DecodeError> {
    let mut out = Vec::new();
    while !r.is_empty() {
        let path_id = if add_path { Some(r.u32()?) } else { None };
        let nlri = T::decode_nlri(r)?;
        out.push(PathNlri { path_id, nlri });
    }
    Ok(out)
}

/// Write NLRI; fails if an entry's path identifier presence does not match
/// `add_path` (the codec does not invent or drop identifiers).
pub fn encode_nlri_list<T: NlriCodec, S: Sink>(
    list: &[PathNlri<T>],
    add_path: bool,
    w: &mut Writer<'_, S>,
) -> Result<(), EncodeError> {
    for p in list {
        match (p.path_id, add_path) {
            (Some(id), true) => w.u32(id),
            (None, false) => {}
            (Some(_), false) => return Err(EncodeError::NotNegotiated("ADD-PATH path identifier")),
            (None, true) => {
                return Err(EncodeError::NotNegotiated(
                    "NLRI without path identifier on an ADD-PATH session",
                ))
            }
        }
        p.nlri.encode_nlri(w);
    }
    Ok(())
}

/// Encoded size of a list.
pub fn nlri_list_len<T: NlriCodec>(list: &[PathNlri<T>]) -> usize {
    list.iter().map(PathNlri::encoded_len).sum()
}

/// The NLRI of one address family, as MP_REACH_NLRI / MP_UNREACH_NLRI carry
/// them. Families this codec does not parse keep their bytes raw.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum NlriList {
    /// IPv4 unicast (1/1).
    Ipv4Unicast(Vec<PathNlri<Ipv4Prefix>>),
    /// IPv6 unicast (2/1).
    Ipv6Unicast(Vec<PathNlri<Ipv6Prefix>>),
    /// L2VPN EVPN (25/70).
    Evpn(Vec<PathNlri<EvpnRoute>>),
    /// VPNv4 (1/128).
    Vpnv4(Vec<PathNlri<Vpnv4Route>>),
    /// VPNv6 (2/128).
    Vpnv6(Vec<PathNlri<Vpnv6Route>>),
    /// Any other family: the NLRI bytes as received.
    Unknown {
        /// The family.
        family: AddressFamily,
        /// The NLRI bytes.
        raw: Vec<u8>,
    },
}

impl NlriList {
    /// An empty list of `family` (an End-of-RIB marker for MP_UNREACH_NLRI).
    pub fn empty(family: AddressFamily) -> NlriList {
        match family {
            AddressFamily::IPV4_UNICAST => NlriList::Ipv4Unicast(Vec::new()),
            AddressFamily::IPV6_UNICAST => NlriList::Ipv6Unicast(Vec::new()),
            AddressFamily::L2VPN_EVPN => NlriList::Evpn(Vec::new()),
            AddressFamily::VPNV4 => NlriList::Vpnv4(Vec::new()),
            AddressFamily::VPNV6 => NlriList::Vpnv6(Vec::new()),
            family => NlriList::Unknown {
                family,
                raw: Vec::new(),
            },
        }
    }

    /// The family.
    pub fn family(&self) -> AddressFamily {
        match self {
            NlriList::Ipv4Unicast(_) => AddressFamily::IPV4_UNICAST,
            NlriList::Ipv6Unicast(_) => AddressFamily::IPV6_UNICAST,
            NlriList::Evpn(_) => AddressFamily::L2VPN_EVPN,
            NlriList::Vpnv4(_) => AddressFamily::VPNV4,
            NlriList::Vpnv6(_) => AddressFamily::VPNV6,
            NlriList::Unknown { family, .. } => *family,
        }
    }

    /// Number of NLRI (0 for unknown families).
    pub fn len(&self) -> usize {
        match self {
            NlriList::Ipv4Unicast(v) => v.len(),
            NlriList::Ipv6Unicast(v) => v.len(),
            NlriList::Evpn(v) => v.len(),
            NlriList::Vpnv4(v) => v.len(),
            NlriList::Vpnv6(v) => v.len(),
            NlriList::Unknown { .. } => 0,
        }
    }

    /// No NLRI (for an unknown family: no bytes).
    pub fn is_empty(&self) -> bool {
        match self {
            NlriList::Unknown { raw, .. } => raw.is_empty(),
            _ => self.len() == 0,
        }
    }

    /// Read the rest of `r` as NLRI of `family`.
    pub fn decode(
        family: AddressFamily,
        r: &mut Reader<'_>,
        add_path: bool,
    ) -> Result<NlriList, DecodeError> {
        Ok(match family {
            AddressFamily::IPV4_UNICAST => NlriList::Ipv4Unicast(decode_nlri_list(r, add_path)?),
            AddressFamily::IPV6_UNICAST => NlriList::Ipv6Unicast(decode_nlri_list(r, add_path)?),
            AddressFamily::L2VPN_EVPN => NlriList::Evpn(decode_nlri_list(r, add_path)?),
            AddressFamily::VPNV4 => NlriList::Vpnv4(decode_nlri_list(r, add_path)?),
            AddressFamily::VPNV6 => NlriList::Vpnv6(decode_nlri_list(r, add_path)?),
            family => NlriList::Unknown {
                family,
                raw: r.rest().to_vec(),
            },
        })
    }

    /// Encoded size.
    pub fn encoded_len(&self) -> usize {
        match self {
            NlriList::Ipv4Unicast(v) => nlri_list_len(v),
            NlriList::Ipv6Unicast(v) => nlri_list_len(v),
            NlriList::Evpn(v) => nlri_list_len(v),
            NlriList::Vpnv4(v) => nlri_list_len(v),
            NlriList::Vpnv6(v) => nlri_list_len(v),
            NlriList::Unknown { raw, .. } => raw.len(),
        }
    }

    /// Write the NLRI (not the AFI/SAFI).
    pub fn encode<S: Sink>(
        &self,
        w: &mut Writer<'_, S>,
        add_path: bool,
    ) -> Result<(), EncodeError> {
        match self {
            NlriList::Ipv4Unicast(v) => encode_nlri_list(v, add_path, w),
            NlriList::Ipv6Unicast(v) => encode_nlri_list(v, add_path, w),
            NlriList::Evpn(v) => encode_nlri_list(v, add_path, w),
            NlriList::Vpnv4(v) => encode_nlri_list(v, add_path, w),
            NlriList::Vpnv6(v) => encode_nlri_list(v, add_path, w),
            NlriList::Unknown { raw, .. } => {
                w.bytes(raw);
                Ok(())
            }
        }
    }
}
