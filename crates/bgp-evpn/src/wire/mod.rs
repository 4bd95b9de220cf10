//! The byte-level machinery shared by every codec in this crate.
//!
//! - [`Reader`] is the only way decoders read input: every read is bounds
//!   checked and a failure carries the absolute byte offset where it happened
//!   ([`DecodeError`]). Nothing indexes a byte slice directly.
//! - [`Writer`] appends to a [`Sink`] (`Vec<u8>` or `bytes::BytesMut`) and
//!   writes length fields by reserving them first and back-patching them once
//!   the body is written ([`Writer::reserve`], [`Writer::patch`]), so no body
//!   is ever built in a temporary buffer.
//! - [`CodecContext`] is the negotiated session state that changes encodings
//!   (RFC 6793 4-octet AS, RFC 7911 ADD-PATH, RFC 8950 extended next hop,
//!   RFC 8654 extended messages). The session FSM produces it; the codec never
//!   guesses.

mod context;
mod cursor;

pub use context::{AddPathDirection, CodecContext, PeerKind};
pub use cursor::{DecodeError, EncodeError, LenMark, LenWidth, Reader, Sink, Writer};
