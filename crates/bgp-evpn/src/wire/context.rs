//! The negotiated session state that changes how messages are encoded.

use crate::types::{AddressFamily, Afi};

/// Which way ADD-PATH (RFC 7911 §4) path identifiers flow for one family,
/// seen from this speaker after negotiation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AddPathDirection {
    /// We receive path identifiers (the peer sends them).
    Receive,
    /// We send path identifiers.
    Send,
    /// Both directions.
    Both,
}

impl AddPathDirection {
    fn receives(self) -> bool {
        matches!(self, AddPathDirection::Receive | AddPathDirection::Both)
    }
    fn sends(self) -> bool {
        matches!(self, AddPathDirection::Send | AddPathDirection::Both)
    }
}

/// Whether the peer is in our AS. Only RFC 7606 §7.5 (LOCAL_PREF from an
/// external peer is discarded) depends on it in the codec.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum PeerKind {
    /// iBGP.
    #[default]
    Internal,
    /// eBGP.
    External,
}

/// The negotiated parameters the codec needs, produced by the session FSM
/// from both OPENs. The default is a plain RFC 4271 session: 2-octet AS, no
/// ADD-PATH, no extended next hop, 4096-byte messages, iBGP.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CodecContext {
    /// Both sides advertised the 4-octet AS capability (RFC 6793): AS_PATH
    /// and AGGREGATOR carry 4-octet AS numbers.
    pub four_octet_as: bool,
    /// ADD-PATH per address family and direction (RFC 7911).
    pub add_path: Vec<(AddressFamily, AddPathDirection)>,
    /// Families whose NLRI may carry a next hop of another AFI (RFC 8950):
    /// `(NLRI family, next-hop AFI)`.
    pub extended_next_hop: Vec<(AddressFamily, Afi)>,
    /// Both sides advertised the extended message capability (RFC 8654).
    pub extended_message: bool,
    /// Internal or external peer.
    pub peer: PeerKind,
}

impl CodecContext {
    /// A context for a 4-octet-AS session without other extensions (what
    /// FRR and GoBGP negotiate by default).
    pub fn four_octet() -> CodecContext {
        CodecContext {
            four_octet_as: true,
            ..CodecContext::default()
        }
    }

    /// Received NLRI of `family` carry a path identifier.
    pub fn receives_path_id(&self, family: AddressFamily) -> bool {
        self.add_path
            .iter()
            .any(|(f, d)| *f == family && d.receives())
    }

    /// NLRI of `family` that we send carry a path identifier.
    pub fn sends_path_id(&self, family: AddressFamily) -> bool {
        self.add_path.iter().any(|(f, d)| *f == family && d.sends())
    }

    /// NLRI of `family` may have a next hop of address family `nh`.
    pub fn allows_next_hop(&self, family: AddressFamily, nh: Afi) -> bool {
        self.extended_next_hop
            .iter()
            .any(|(f, a)| *f == family && *a == nh)
    }

    /// The largest message this session may carry: 4096, or 65535 with
    /// RFC 8654 extended messages.
    pub fn max_message_len(&self) -> usize {
        if self.extended_message {
            crate::message::MAX_EXTENDED_MESSAGE_LEN
        } else {
            crate::message::MAX_MESSAGE_LEN
        }
    }
}
