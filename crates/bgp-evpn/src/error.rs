//! Errors typed by what they cause.
//!
//! - [`MessageError`] (and its parts [`HeaderError`], [`OpenError`],
//!   [`UpdateError`], [`RouteRefreshError`]) ends the session: each maps 1:1
//!   to the NOTIFICATION to send, via [`MessageError::notification`].
//! - [`AttrError`] is an UPDATE attribute problem that RFC 7606 lets the
//!   session survive; it carries the [`Action`] to take. A decoded UPDATE
//!   comes with the list of these; the RIB applies treat-as-withdraw to
//!   exactly the NLRI of that message.

use crate::iana::{
    error_code, header_subcode, open_subcode, route_refresh_subcode, update_subcode,
};
use crate::message::Notification;

/// What RFC 7606 §2 says to do about an UPDATE error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Action {
    /// Drop the offending attribute and process the rest (RFC 7606 §2
    /// "attribute discard").
    AttributeDiscard,
    /// Treat every NLRI of the UPDATE (NLRI field and MP_REACH_NLRI) as
    /// withdrawn (RFC 7606 §2 "treat-as-withdraw").
    TreatAsWithdraw,
    /// Send a NOTIFICATION and close the session (RFC 4271 §6; RFC 7606
    /// "session reset").
    SessionReset,
}

/// A problem with one path attribute (or with the attribute set) of an UPDATE.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
#[error("attribute {type_code}: {reason} at byte {offset} ({action:?})")]
pub struct AttrError {
    /// The attribute type code (0 when the error is not about one attribute).
    pub type_code: u8,
    /// What to do (RFC 7606 §7 per attribute).
    pub action: Action,
    /// The UPDATE Message Error subcode RFC 4271 §6.3 names for this error;
    /// used when the action is (or is escalated to) a session reset.
    pub subcode: u8,
    /// NOTIFICATION data per RFC 4271 §6.3: usually the whole attribute
    /// (flags, type, length, value).
    pub data: Vec<u8>,
    /// Offset of the attribute in the message.
    pub offset: usize,
    /// What was wrong.
    pub reason: &'static str,
}

impl AttrError {
    /// The NOTIFICATION to send if this error resets the session.
    pub fn notification(&self) -> Notification {
        Notification::new(error_code::UPDATE_MESSAGE, self.subcode, self.data.clone())
    }
}

/// Message header errors (RFC 4271 §6.1), NOTIFICATION code 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum HeaderError {
    /// The marker is not all ones (subcode 1).
    #[error("marker is not all ones")]
    ConnectionNotSynchronized,
    /// The length is out of range for the message or its type (subcode 2;
    /// data: the length field).
    #[error("bad message length {0}")]
    BadMessageLength(u16),
    /// Unknown message type (subcode 3; data: the type).
    #[error("bad message type {0}")]
    BadMessageType(u8),
}

/// OPEN message errors (RFC 4271 §6.2, RFC 5492), NOTIFICATION code 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum OpenError {
    /// Version other than 4 (subcode 1; data: the version we support, 2 octets).
    #[error("unsupported BGP version {0}")]
    UnsupportedVersion(u8),
    /// The peer's AS is not the configured one (subcode 2). Raised by the FSM.
    #[error("bad peer AS")]
    BadPeerAs,
    /// BGP identifier zero (RFC 6286 §2.1) or equal to ours (subcode 3).
    #[error("bad BGP identifier")]
    BadBgpIdentifier,
    /// Optional parameter other than capabilities (subcode 4).
    #[error("unsupported optional parameter {0}")]
    UnsupportedOptionalParameter(u8),
    /// Hold time 1 or 2 seconds (subcode 6).
    #[error("unacceptable hold time {0}")]
    UnacceptableHoldTime(u16),
    /// Parameters or capabilities do not parse (subcode 0, unspecific: RFC
    /// 5492 defines no subcode for a malformed capability).
    #[error("malformed OPEN: {what} at byte {offset}")]
    Malformed {
        /// Offset in the message.
        offset: usize,
        /// What was wrong.
        what: &'static str,
    },
}

/// UPDATE errors that reset the session (RFC 4271 §6.3 as revised by RFC
/// 7606), NOTIFICATION code 3.
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum UpdateError {
    /// Withdrawn Routes Length or Total Path Attribute Length inconsistent
    /// with the message length, or MP_REACH_NLRI / MP_UNREACH_NLRI repeated
    /// (RFC 7606 §3 g) (subcode 1).
    #[error("malformed attribute list: {what} at byte {offset}")]
    MalformedAttributeList {
        /// Offset in the message.
        offset: usize,
        /// What was wrong.
        what: &'static str,
    },
    /// The withdrawn routes or NLRI field does not parse (subcode 10; RFC
    /// 7606 §5.3: the NLRI cannot be located reliably).
    #[error("invalid network field at byte {offset}")]
    InvalidNetworkField {
        /// Offset in the message.
        offset: usize,
    },
    /// An attribute error whose RFC 7606 action is session reset
    /// (unrecognised well-known attribute, malformed MP_REACH_NLRI, ...).
    #[error(transparent)]
    Attribute(AttrError),
}

/// ROUTE-REFRESH errors (RFC 7313 §5), NOTIFICATION code 7.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
pub enum RouteRefreshError {
    /// Length other than 23 (subcode 1; data: the whole message).
    #[error("invalid ROUTE-REFRESH length {0}")]
    InvalidMessageLength(u16),
}

/// Any error decoding a message; the session ends with
/// [`MessageError::notification`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, thiserror::Error)]
pub enum MessageError {
    /// Header.
    #[error(transparent)]
    Header(#[from] HeaderError),
    /// OPEN.
    #[error(transparent)]
    Open(#[from] OpenError),
    /// UPDATE.
    #[error(transparent)]
    Update(#[from] UpdateError),
    /// ROUTE-REFRESH.
    #[error(transparent)]
    RouteRefresh {
        /// The error.
        #[from]
        source: RouteRefreshError,
    },
}

impl HeaderError {
    /// The NOTIFICATION to send.
    pub fn notification(&self) -> Notification {
        let (sub, data) = match *self {
            HeaderError::ConnectionNotSynchronized => {
                (header_subcode::CONNECTION_NOT_SYNCHRONIZED, Vec::new())
            }
            HeaderError::BadMessageLength(l) => {
                (header_subcode::BAD_MESSAGE_LENGTH, l.to_be_bytes().to_vec())
            }
            HeaderError::BadMessageType(t) => (header_subcode::BAD_MESSAGE_TYPE, vec![t]),
        };
        Notification::new(error_code::MESSAGE_HEADER, sub, data)
    }
}

impl OpenError {
    /// The NOTIFICATION to send.
    pub fn notification(&self) -> Notification {
        let (sub, data) = match *self {
            OpenError::UnsupportedVersion(_) => (
                open_subcode::UNSUPPORTED_VERSION,
                u16::from(crate::iana::BGP_VERSION).to_be_bytes().to_vec(),
            ),
            OpenError::BadPeerAs => (open_subcode::BAD_PEER_AS, Vec::new()),
            OpenError::BadBgpIdentifier => (open_subcode::BAD_BGP_IDENTIFIER, Vec::new()),
            OpenError::UnsupportedOptionalParameter(_) => {
                (open_subcode::UNSUPPORTED_OPTIONAL_PARAMETER, Vec::new())
            }
            OpenError::UnacceptableHoldTime(_) => {
                (open_subcode::UNACCEPTABLE_HOLD_TIME, Vec::new())
            }
            OpenError::Malformed { .. } => (open_subcode::UNSPECIFIC, Vec::new()),
        };
        Notification::new(error_code::OPEN_MESSAGE, sub, data)
    }
}

impl UpdateError {
    /// The NOTIFICATION to send.
    pub fn notification(&self) -> Notification {
        match self {
            UpdateError::MalformedAttributeList { .. } => Notification::new(
                error_code::UPDATE_MESSAGE,
                update_subcode::MALFORMED_ATTRIBUTE_LIST,
                Vec::new(),
            ),
            UpdateError::InvalidNetworkField { .. } => Notification::new(
                error_code::UPDATE_MESSAGE,
                update_subcode::INVALID_NETWORK_FIELD,
                Vec::new(),
            ),
            UpdateError::Attribute(a) => a.notification(),
        }
    }
}

impl RouteRefreshError {
    /// The NOTIFICATION to send (the caller may append the message as data).
    pub fn notification(&self) -> Notification {
        Notification::new(
            error_code::ROUTE_REFRESH_MESSAGE,
            route_refresh_subcode::INVALID_MESSAGE_LENGTH,
            Vec::new(),
        )
    }
}

impl MessageError {
    /// The NOTIFICATION to send before closing the session.
    pub fn notification(&self) -> Notification {
        match self {
            MessageError::Header(e) => e.notification(),
            MessageError::Open(e) => e.notification(),
            MessageError::Update(e) => e.notification(),
            MessageError::RouteRefresh { source } => source.notification(),
        }
    }
}
