//! The one error type of the wire crate: small, `Copy`, countable.

use core::fmt;

/// Why a buffer was not accepted as a header.
///
/// The dataplane keeps a counter per variant and drops the packet; the
/// variants say what was wrong, not where (the caller knows which header it
/// was parsing).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Error {
    /// The buffer is shorter than the fixed header or than a length the header
    /// declares.
    Truncated,
    /// A length field is inconsistent (smaller than the header, or longer than
    /// the buffer or the enclosing packet).
    BadLength,
    /// A version field is not the one this parser handles.
    BadVersion,
    /// A checksum does not verify.
    BadChecksum,
    /// A flag or reserved bit that must have a fixed value does not.
    BadFlags,
    /// An option or extension header is malformed (length 0 where forbidden,
    /// running past its container, or repeated where it must not be).
    BadOption,
    /// A field has a value the protocol forbids (e.g. a multicast source MAC).
    Malformed,
    /// A code point this parser does not handle.
    Unsupported,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            Error::Truncated => "truncated packet",
            Error::BadLength => "inconsistent length field",
            Error::BadVersion => "wrong protocol version",
            Error::BadChecksum => "checksum mismatch",
            Error::BadFlags => "invalid flags or reserved bits",
            Error::BadOption => "malformed option or extension header",
            Error::Malformed => "malformed field value",
            Error::Unsupported => "unsupported code point",
        };
        f.write_str(s)
    }
}

impl core::error::Error for Error {}

/// The wire crate's result type.
pub type Result<T> = core::result::Result<T, Error>;
