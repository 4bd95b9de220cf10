//! BGP messages (RFC 4271 §4). The message codec lands in the next stage.

/// The largest BGP message without RFC 8654 (RFC 4271 §4.1).
pub const MAX_MESSAGE_LEN: usize = 4096;
/// The largest BGP message with RFC 8654 extended messages.
pub const MAX_EXTENDED_MESSAGE_LEN: usize = 65535;
