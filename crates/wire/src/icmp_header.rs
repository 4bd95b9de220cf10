//! The header ICMPv4 (RFC 792) and ICMPv6 (RFC 4443 §2.1) share:
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |     Type      |     Code      |          Checksum             |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |  type-specific word (Identifier + Sequence Number for echo)   |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! The field offsets, and the accessors of [`crate::icmpv4::Icmpv4Packet`]
//! and [`crate::icmpv6::Icmpv6Packet`] that read and write them, written
//! once. The type field and the checksum computation differ (ICMPv6 has a
//! typed message and a pseudo-header) and stay in the two modules.

pub(crate) mod field {
    use crate::Field;
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Field = 2..4;
    /// The type-specific second word.
    pub const REST: Field = 4..8;
    pub const ECHO_IDENT: Field = 4..6;
    pub const ECHO_SEQ_NO: Field = 6..8;
    pub const HEADER_LEN: usize = 8;
}

/// The read accessors of the shared header, for the body of
/// `impl<T: AsRef<[u8]>> View<T>` of a view whose bytes are `self.buffer`.
macro_rules! icmp_header_getters {
    () => {
        /// Length of the header: type, code, checksum and the 4-octet
        /// type-specific word.
        pub const HEADER_LEN: usize = $crate::icmp_header::field::HEADER_LEN;

        /// Wrap a buffer and run [`check_len`](Self::check_len).
        pub fn new_checked(buffer: T) -> $crate::Result<Self> {
            let p = Self::new_unchecked(buffer);
            p.check_len()?;
            Ok(p)
        }

        /// [`Error::Truncated`](crate::Error::Truncated) if the buffer is
        /// shorter than the 8-byte header. (Type-specific minimums beyond
        /// that are checked by the parsers of the message types.)
        pub fn check_len(&self) -> $crate::Result<()> {
            if self.buffer.as_ref().len() < $crate::icmp_header::field::HEADER_LEN {
                return Err($crate::Error::Truncated);
            }
            Ok(())
        }

        /// Consume the view and return the buffer.
        pub fn into_inner(self) -> T {
            self.buffer
        }

        /// The code.
        pub fn msg_code(&self) -> u8 {
            self.buffer.as_ref()[$crate::icmp_header::field::CODE]
        }

        /// The checksum field.
        pub fn checksum(&self) -> u16 {
            $crate::be16(&self.buffer.as_ref()[$crate::icmp_header::field::CHECKSUM])
        }

        /// The type-specific second word (octets 4..8) as one big-endian
        /// number.
        pub fn rest_of_header(&self) -> u32 {
            $crate::be32(&self.buffer.as_ref()[$crate::icmp_header::field::REST])
        }

        /// Echo identifier (octets 4..6).
        pub fn echo_ident(&self) -> u16 {
            $crate::be16(&self.buffer.as_ref()[$crate::icmp_header::field::ECHO_IDENT])
        }

        /// Echo sequence number (octets 6..8).
        pub fn echo_seq_no(&self) -> u16 {
            $crate::be16(&self.buffer.as_ref()[$crate::icmp_header::field::ECHO_SEQ_NO])
        }

        /// Everything after the 8-byte header: echo data or the invoking
        /// packet of an error.
        pub fn payload(&self) -> &[u8] {
            &self.buffer.as_ref()[$crate::icmp_header::field::HEADER_LEN..]
        }
    };
}

/// The write accessors of the shared header, for the body of
/// `impl<T: AsRef<[u8]> + AsMut<[u8]>> View<T>`.
macro_rules! icmp_header_setters {
    () => {
        /// Set the code.
        pub fn set_msg_code(&mut self, c: u8) {
            self.buffer.as_mut()[$crate::icmp_header::field::CODE] = c;
        }

        /// Set the checksum field.
        pub fn set_checksum(&mut self, c: u16) {
            self.buffer.as_mut()[$crate::icmp_header::field::CHECKSUM]
                .copy_from_slice(&c.to_be_bytes());
        }

        /// Set the type-specific second word (octets 4..8).
        pub fn set_rest_of_header(&mut self, v: u32) {
            self.buffer.as_mut()[$crate::icmp_header::field::REST]
                .copy_from_slice(&v.to_be_bytes());
        }

        /// Set the echo identifier.
        pub fn set_echo_ident(&mut self, v: u16) {
            self.buffer.as_mut()[$crate::icmp_header::field::ECHO_IDENT]
                .copy_from_slice(&v.to_be_bytes());
        }

        /// Set the echo sequence number.
        pub fn set_echo_seq_no(&mut self, v: u16) {
            self.buffer.as_mut()[$crate::icmp_header::field::ECHO_SEQ_NO]
                .copy_from_slice(&v.to_be_bytes());
        }

        /// Everything after the 8-byte header, mutable.
        pub fn payload_mut(&mut self) -> &mut [u8] {
            &mut self.buffer.as_mut()[$crate::icmp_header::field::HEADER_LEN..]
        }
    };
}

pub(crate) use icmp_header_getters;
pub(crate) use icmp_header_setters;
