//! BGP messages (RFC 4271 §4) and their framing.
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |                                                               |
//! +                                                               +
//! |                           Marker (16 octets, all ones)        |
//! +                                                               +
//! |                                                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |          Length               |      Type     |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Calling contract: the transport reads bytes, asks [`frame_len`] how long
//! the next message is (it validates the header, so a bad marker or length
//! is caught before waiting for a body that will never come), and passes
//! exactly that many bytes to [`Message::decode`]. Decoding never panics;
//! every failure is a [`MessageError`] whose
//! [`notification`](MessageError::notification) is what to send. An UPDATE
//! decodes together with the RFC 7606 attribute errors the session survives
//! ([`Decoded::attr_errors`]).

use crate::attr::{self, AttrValue, MpReach, MpUnreach, PathAttribute};
use crate::capability::Capability;
use crate::error::{
    Action, AttrError, HeaderError, MessageError, OpenError, RouteRefreshError, UpdateError,
};
use crate::iana::{self, attr_type as at, message_type as mt, open_param};
use crate::nlri::{decode_nlri_list, encode_nlri_list, nlri_list_len, Ipv4Prefix, PathNlri};
use crate::types::{AddressFamily, Asn, RouterId};
use crate::wire::{CodecContext, EncodeError, LenWidth, Reader, Sink, Writer};

/// The largest BGP message without RFC 8654 (RFC 4271 §4.1).
pub const MAX_MESSAGE_LEN: usize = 4096;
/// The largest BGP message with RFC 8654 extended messages.
pub const MAX_EXTENDED_MESSAGE_LEN: usize = 65535;
/// Size of the message header.
pub const HEADER_LEN: usize = 19;
const MARKER: [u8; 16] = [0xff; 16];

/// OPEN (RFC 4271 §4.2).
///
/// ```text
/// Version (1) | My AS (2) | Hold Time (2) | BGP Identifier (4) |
/// Opt Parm Len (1) | Optional Parameters (var)
/// ```
/// With RFC 9072, Opt Parm Len is 255, the first parameter type is 255 and a
/// 2-octet length follows; each parameter then has a 2-octet length.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Open {
    /// My Autonomous System: the 2-octet AS or AS_TRANS (RFC 6793).
    pub my_as: u16,
    /// Proposed hold time in seconds (0 or ≥ 3).
    pub hold_time: u16,
    /// BGP identifier.
    pub bgp_id: RouterId,
    /// Capabilities optional parameters (type 2), each a list of
    /// capabilities; FRR 8.4 sends one parameter per capability, GoBGP 3.10
    /// one with all of them (seen in the golden captures). Kept as received
    /// so the OPEN re-encodes identically.
    pub params: Vec<Vec<Capability>>,
    /// Use the RFC 9072 extended parameters length encoding (set on decode
    /// if the peer used it; the encoder also uses it when the parameters
    /// exceed 255 bytes).
    pub extended_params: bool,
}

impl Open {
    /// An OPEN with all capabilities in one parameter. `my_as` is set from
    /// `asn` (AS_TRANS when it needs 4 octets); add
    /// [`Capability::FourOctetAs`] to `capabilities` to announce it.
    pub fn new(asn: Asn, hold_time: u16, bgp_id: RouterId, capabilities: Vec<Capability>) -> Open {
        Open {
            my_as: asn.to_2byte(),
            hold_time,
            bgp_id,
            params: if capabilities.is_empty() {
                Vec::new()
            } else {
                vec![capabilities]
            },
            extended_params: false,
        }
    }

    /// Every capability, in order.
    pub fn capabilities(&self) -> impl Iterator<Item = &Capability> {
        self.params.iter().flatten()
    }

    /// The sender's AS: from the 4-octet AS capability if present, else My AS.
    pub fn asn(&self) -> Asn {
        self.capabilities()
            .find_map(|c| match c {
                Capability::FourOctetAs(a) => Some(*a),
                _ => None,
            })
            .unwrap_or(Asn(u32::from(self.my_as)))
    }
}

/// UPDATE (RFC 4271 §4.3).
///
/// ```text
/// Withdrawn Routes Length (2) | Withdrawn Routes (var) |
/// Total Path Attribute Length (2) | Path Attributes (var) | NLRI (var)
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Update {
    /// IPv4 unicast routes withdrawn.
    pub withdrawn: Vec<PathNlri<Ipv4Prefix>>,
    /// Path attributes, in wire order.
    pub attributes: Vec<PathAttribute>,
    /// IPv4 unicast routes announced.
    pub nlri: Vec<PathNlri<Ipv4Prefix>>,
}

impl Update {
    /// The first attribute of `type_code`.
    pub fn attribute(&self, type_code: u8) -> Option<&AttrValue> {
        self.attributes
            .iter()
            .map(|a| &a.value)
            .find(|v| v.type_code() == type_code)
    }

    /// MP_REACH_NLRI, if present.
    pub fn mp_reach(&self) -> Option<&MpReach> {
        match self.attribute(at::MP_REACH_NLRI) {
            Some(AttrValue::MpReach(m)) => Some(m),
            _ => None,
        }
    }

    /// MP_UNREACH_NLRI, if present.
    pub fn mp_unreach(&self) -> Option<&MpUnreach> {
        match self.attribute(at::MP_UNREACH_NLRI) {
            Some(AttrValue::MpUnreach(m)) => Some(m),
            _ => None,
        }
    }

    /// The End-of-RIB marker (RFC 4724 §2) this UPDATE is, if any: an empty
    /// UPDATE for IPv4 unicast, or only an empty MP_UNREACH_NLRI.
    pub fn end_of_rib(&self) -> Option<AddressFamily> {
        if !self.withdrawn.is_empty() || !self.nlri.is_empty() {
            return None;
        }
        match self.attributes.as_slice() {
            [] => Some(AddressFamily::IPV4_UNICAST),
            [PathAttribute {
                value: AttrValue::MpUnreach(m),
                ..
            }] if m.nlri.is_empty() => Some(m.family()),
            _ => None,
        }
    }

    /// The message announces routes (NLRI field or MP_REACH_NLRI).
    pub fn has_reachable_nlri(&self) -> bool {
        !self.nlri.is_empty() || self.mp_reach().is_some_and(|m| !m.nlri.is_empty())
    }
}

/// NOTIFICATION (RFC 4271 §4.5): Error code (1) | Error subcode (1) | Data.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Notification {
    /// Error code (see [`crate::iana::error_code`]).
    pub code: u8,
    /// Error subcode.
    pub subcode: u8,
    /// Data.
    pub data: Vec<u8>,
}

impl Notification {
    /// A notification.
    pub fn new(code: u8, subcode: u8, data: Vec<u8>) -> Notification {
        Notification {
            code,
            subcode,
            data,
        }
    }

    /// Hold timer expired (code 4).
    pub fn hold_timer_expired() -> Notification {
        Notification::new(iana::error_code::HOLD_TIMER_EXPIRED, 0, Vec::new())
    }

    /// Cease with a subcode (RFC 4486).
    pub fn cease(subcode: u8) -> Notification {
        Notification::new(iana::error_code::CEASE, subcode, Vec::new())
    }

    /// A Hard Reset (Cease 6/9, RFC 8538 §3) standing for `inner`: its
    /// data is `inner`'s code, subcode and data.
    pub fn hard_reset(inner: &Notification) -> Notification {
        let mut data = Vec::with_capacity(2 + inner.data.len());
        data.extend_from_slice(&[inner.code, inner.subcode]);
        data.extend_from_slice(&inner.data);
        Notification::new(
            iana::error_code::CEASE,
            iana::cease_subcode::HARD_RESET,
            data,
        )
    }

    /// This is a Hard Reset (RFC 8538 §3).
    pub fn is_hard_reset(&self) -> bool {
        self.code == iana::error_code::CEASE && self.subcode == iana::cease_subcode::HARD_RESET
    }
}

/// ROUTE-REFRESH subtype (RFC 7313 §3.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RouteRefreshSubtype {
    /// Normal request (0).
    Normal,
    /// Beginning of route refresh (1).
    BeginningOfRefresh,
    /// End of route refresh (2).
    EndOfRefresh,
    /// Reserved values, kept.
    Unknown(u8),
}

/// ROUTE-REFRESH (RFC 2918 §3, RFC 7313 §3.2): AFI (2) | Subtype (1) | SAFI (1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteRefresh {
    /// The family to refresh.
    pub family: AddressFamily,
    /// The subtype.
    pub subtype: RouteRefreshSubtype,
}

/// Any BGP message.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Message {
    /// OPEN.
    Open(Open),
    /// UPDATE.
    Update(Update),
    /// NOTIFICATION.
    Notification(Notification),
    /// KEEPALIVE (header only).
    Keepalive,
    /// ROUTE-REFRESH.
    RouteRefresh(RouteRefresh),
}

/// A decoded message and, for an UPDATE, the attribute errors the session
/// survives (each with its RFC 7606 action: treat-as-withdraw or discard).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decoded {
    /// The message (discarded attributes removed).
    pub message: Message,
    /// Attribute errors (empty for other message types).
    pub attr_errors: Vec<AttrError>,
}

impl Decoded {
    /// Some error asks the RIB to treat every NLRI of this UPDATE as withdrawn.
    pub fn treat_as_withdraw(&self) -> bool {
        self.attr_errors
            .iter()
            .any(|e| e.action == Action::TreatAsWithdraw)
    }
}

// ---- wire codec -----------------------------------------------------------

/// Validate the header at the start of `buf` and return the message length,
/// or `Ok(None)` if fewer than 19 bytes are available.
pub fn frame_len(buf: &[u8], ctx: &CodecContext) -> Result<Option<usize>, MessageError> {
    let mut r = Reader::new(buf);
    let (Ok(marker), Ok(len), Ok(t)) = (r.array::<16>(), r.u16(), r.u8()) else {
        return Ok(None);
    };
    if marker != MARKER {
        return Err(HeaderError::ConnectionNotSynchronized.into());
    }
    check_len(t, len, ctx)?;
    Ok(Some(usize::from(len)))
}

/// RFC 4271 §6.1 length checks per type (RFC 8654 §4: OPEN and KEEPALIVE
/// stay within 4096; RFC 7313 §5 for ROUTE-REFRESH).
fn check_len(t: u8, len: u16, ctx: &CodecContext) -> Result<(), MessageError> {
    let l = usize::from(len);
    let bad = HeaderError::BadMessageLength(len);
    let ok = match t {
        mt::OPEN => (29..=MAX_MESSAGE_LEN).contains(&l),
        mt::UPDATE => (23..=ctx.max_message_len()).contains(&l),
        mt::NOTIFICATION => (21..=ctx.max_message_len()).contains(&l),
        mt::KEEPALIVE => l == HEADER_LEN,
        mt::ROUTE_REFRESH => {
            if l < HEADER_LEN {
                false
            } else if l != 23 {
                return Err(RouteRefreshError::InvalidMessageLength(len).into());
            } else {
                true
            }
        }
        other => return Err(HeaderError::BadMessageType(other).into()),
    };
    if ok {
        Ok(())
    } else {
        Err(bad.into())
    }
}

impl Message {
    /// The message type code.
    pub fn message_type(&self) -> u8 {
        match self {
            Message::Open(_) => mt::OPEN,
            Message::Update(_) => mt::UPDATE,
            Message::Notification(_) => mt::NOTIFICATION,
            Message::Keepalive => mt::KEEPALIVE,
            Message::RouteRefresh(_) => mt::ROUTE_REFRESH,
        }
    }

    /// Decode exactly one message (header included) from `buf`.
    pub fn decode(buf: &[u8], ctx: &CodecContext) -> Result<Decoded, MessageError> {
        let mut r = Reader::new(buf);
        let marker: [u8; 16] = r
            .array()
            .map_err(|_| HeaderError::BadMessageLength(buf.len().min(65535) as u16))?;
        if marker != MARKER {
            return Err(HeaderError::ConnectionNotSynchronized.into());
        }
        let (Ok(len), Ok(t)) = (r.u16(), r.u8()) else {
            return Err(HeaderError::BadMessageLength(buf.len() as u16).into());
        };
        check_len(t, len, ctx)?;
        if usize::from(len) != buf.len() {
            return Err(HeaderError::BadMessageLength(len).into());
        }
        let mut attr_errors = Vec::new();
        let message = match t {
            mt::OPEN => Message::Open(decode_open(&mut r)?),
            mt::UPDATE => {
                let (u, errs) = decode_update(&mut r, ctx)?;
                attr_errors = errs;
                Message::Update(u)
            }
            mt::NOTIFICATION => Message::Notification(Notification {
                code: r.u8().map_err(|_| HeaderError::BadMessageLength(len))?,
                subcode: r.u8().map_err(|_| HeaderError::BadMessageLength(len))?,
                data: r.rest().to_vec(),
            }),
            mt::KEEPALIVE => Message::Keepalive,
            _ => {
                let bad = |_| RouteRefreshError::InvalidMessageLength(len);
                let afi = r.u16().map_err(bad)?;
                let st = r.u8().map_err(bad)?;
                let safi = r.u8().map_err(bad)?;
                Message::RouteRefresh(RouteRefresh {
                    family: AddressFamily::new(afi.into(), safi.into()),
                    subtype: match st {
                        iana::route_refresh_subtype::NORMAL => RouteRefreshSubtype::Normal,
                        iana::route_refresh_subtype::BORR => {
                            RouteRefreshSubtype::BeginningOfRefresh
                        }
                        iana::route_refresh_subtype::EORR => RouteRefreshSubtype::EndOfRefresh,
                        other => RouteRefreshSubtype::Unknown(other),
                    },
                })
            }
        };
        Ok(Decoded {
            message,
            attr_errors,
        })
    }

    /// Bytes [`Message::encode`] writes.
    pub fn encoded_len(&self, ctx: &CodecContext) -> usize {
        HEADER_LEN
            + match self {
                Message::Open(o) => open_body_len(o),
                Message::Update(u) => {
                    4 + nlri_list_len(&u.withdrawn)
                        + attr::attributes_len(&u.attributes, ctx)
                        + nlri_list_len(&u.nlri)
                }
                Message::Notification(n) => 2 + n.data.len(),
                Message::Keepalive => 0,
                Message::RouteRefresh(_) => 4,
            }
    }

    /// Write the message, header included; returns its length. Fails when
    /// the message exceeds the session's maximum (4096, or 65535 with RFC
    /// 8654 for UPDATE and NOTIFICATION), or a value cannot be expressed in
    /// this session (ADD-PATH, next hop).
    pub fn encode<S: Sink>(
        &self,
        w: &mut Writer<'_, S>,
        ctx: &CodecContext,
    ) -> Result<usize, EncodeError> {
        w.bytes(&MARKER);
        let m = w.reserve(LenWidth::Two, "message");
        w.u8(self.message_type());
        match self {
            Message::Open(o) => encode_open(o, w)?,
            Message::Update(u) => {
                let add_path = ctx.sends_path_id(AddressFamily::IPV4_UNICAST);
                let wm = w.reserve(LenWidth::Two, "withdrawn routes");
                encode_nlri_list(&u.withdrawn, add_path, w)?;
                w.patch(wm)?;
                let am = w.reserve(LenWidth::Two, "path attributes");
                attr::encode_attributes(&u.attributes, w, ctx)?;
                w.patch(am)?;
                encode_nlri_list(&u.nlri, add_path, w)?;
            }
            Message::Notification(n) => {
                w.u8(n.code);
                w.u8(n.subcode);
                w.bytes(&n.data);
            }
            Message::Keepalive => {}
            Message::RouteRefresh(rr) => {
                w.u16(rr.family.afi.into());
                w.u8(match rr.subtype {
                    RouteRefreshSubtype::Normal => iana::route_refresh_subtype::NORMAL,
                    RouteRefreshSubtype::BeginningOfRefresh => iana::route_refresh_subtype::BORR,
                    RouteRefreshSubtype::EndOfRefresh => iana::route_refresh_subtype::EORR,
                    RouteRefreshSubtype::Unknown(v) => v,
                });
                w.u8(rr.family.safi.into());
            }
        }
        let len = w.patch_with(m, 16 + 2)?;
        let max = match self {
            Message::Open(_) | Message::Keepalive => MAX_MESSAGE_LEN,
            _ => ctx.max_message_len(),
        };
        if len > max {
            return Err(EncodeError::TooLong {
                what: "BGP message",
                len,
                max,
            });
        }
        Ok(len)
    }

    /// Encode into a new vector.
    pub fn to_vec(&self, ctx: &CodecContext) -> Result<Vec<u8>, EncodeError> {
        let mut v = Vec::with_capacity(self.encoded_len(ctx));
        self.encode(&mut Writer::new(&mut v), ctx)?;
        Ok(v)
    }
}

fn params_len(o: &Open) -> usize {
    let per = if o.extended_params { 3 } else { 2 };
    o.params
        .iter()
        .map(|p| per + p.iter().map(Capability::encoded_len).sum::<usize>())
        .sum()
}

fn uses_extended(o: &Open) -> bool {
    o.extended_params || params_len(o) > 255
}

fn open_body_len(o: &Open) -> usize {
    if uses_extended(o) {
        let o2 = Open {
            extended_params: true,
            ..o.clone()
        };
        10 + 3 + params_len(&o2)
    } else {
        10 + params_len(o)
    }
}

fn encode_open<S: Sink>(o: &Open, w: &mut Writer<'_, S>) -> Result<(), EncodeError> {
    w.u8(iana::BGP_VERSION);
    w.u16(o.my_as);
    w.u16(o.hold_time);
    w.ipv4(o.bgp_id.0);
    if uses_extended(o) {
        w.u8(255);
        w.u8(open_param::EXTENDED_LENGTH);
        let m = w.reserve(LenWidth::Two, "optional parameters");
        for p in &o.params {
            w.u8(open_param::CAPABILITIES);
            let pm = w.reserve(LenWidth::Two, "optional parameter");
            for c in p {
                c.encode(w)?;
            }
            w.patch(pm)?;
        }
        w.patch(m)?;
    } else {
        let m = w.reserve(LenWidth::One, "optional parameters");
        for p in &o.params {
            w.u8(open_param::CAPABILITIES);
            let pm = w.reserve(LenWidth::One, "optional parameter");
            for c in p {
                c.encode(w)?;
            }
            w.patch(pm)?;
        }
        w.patch(m)?;
    }
    Ok(())
}

fn decode_open(r: &mut Reader<'_>) -> Result<Open, MessageError> {
    let malformed = |e: crate::wire::DecodeError| OpenError::Malformed {
        offset: e.offset(),
        what: match e {
            crate::wire::DecodeError::Invalid { what, .. } => what,
            crate::wire::DecodeError::Truncated { .. } => "OPEN truncated",
            crate::wire::DecodeError::Trailing { .. } => "bytes after the optional parameters",
        },
    };
    let version = r.u8().map_err(malformed)?;
    if version != iana::BGP_VERSION {
        return Err(OpenError::UnsupportedVersion(version).into());
    }
    let my_as = r.u16().map_err(malformed)?;
    let hold_time = r.u16().map_err(malformed)?;
    if hold_time == 1 || hold_time == 2 {
        return Err(OpenError::UnacceptableHoldTime(hold_time).into());
    }
    let bgp_id = r.ipv4().map_err(malformed)?;
    if bgp_id.is_unspecified() {
        return Err(OpenError::BadBgpIdentifier.into());
    }
    let opt_len = r.u8().map_err(malformed)?;
    let extended = opt_len == 255 && r.peek_u8().ok() == Some(open_param::EXTENDED_LENGTH);
    let mut body = if extended {
        r.u8().map_err(malformed)?;
        let n = r.u16().map_err(malformed)?;
        r.sub(usize::from(n)).map_err(malformed)?
    } else {
        r.sub(usize::from(opt_len)).map_err(malformed)?
    };
    r.finish().map_err(malformed)?;
    let mut params = Vec::new();
    while !body.is_empty() {
        let t = body.u8().map_err(malformed)?;
        let n = if extended {
            body.u16().map(usize::from)
        } else {
            body.u8().map(usize::from)
        }
        .map_err(malformed)?;
        let mut p = body.sub(n).map_err(malformed)?;
        if t != open_param::CAPABILITIES {
            return Err(OpenError::UnsupportedOptionalParameter(t).into());
        }
        let mut caps = Vec::new();
        while !p.is_empty() {
            caps.push(Capability::decode(&mut p).map_err(malformed)?);
        }
        params.push(caps);
    }
    Ok(Open {
        my_as,
        hold_time,
        bgp_id: RouterId(bgp_id),
        params,
        extended_params: extended,
    })
}

fn decode_update(
    r: &mut Reader<'_>,
    ctx: &CodecContext,
) -> Result<(Update, Vec<AttrError>), MessageError> {
    let list_err =
        |offset: usize, what: &'static str| UpdateError::MalformedAttributeList { offset, what };
    let add_path = ctx.receives_path_id(AddressFamily::IPV4_UNICAST);
    let o = r.offset();
    let wl = r
        .u16()
        .map_err(|_| list_err(o, "withdrawn routes length"))?;
    let mut wr = r
        .sub(usize::from(wl))
        .map_err(|_| list_err(o, "withdrawn routes length overruns the message"))?;
    let withdrawn = decode_nlri_list(&mut wr, add_path)
        .map_err(|e| UpdateError::InvalidNetworkField { offset: e.offset() })?;
    let o = r.offset();
    let al = r
        .u16()
        .map_err(|_| list_err(o, "total path attribute length"))?;
    let mut ar = r
        .sub(usize::from(al))
        .map_err(|_| list_err(o, "total path attribute length overruns the message"))?;
    let decoded = attr::decode_attributes(&mut ar, ctx)?;
    let nlri = decode_nlri_list(r, add_path)
        .map_err(|e| UpdateError::InvalidNetworkField { offset: e.offset() })?;
    let update = Update {
        withdrawn,
        attributes: decoded.attributes,
        nlri,
    };
    let mut errors = decoded.errors;
    // RFC 7606 §3 d: a missing well-known mandatory attribute is
    // treat-as-withdraw; only required when the UPDATE announces routes
    // (RFC 4760 §4: NEXT_HOP only with NLRI in the NLRI field).
    if update.has_reachable_nlri() {
        let mut needed = vec![at::ORIGIN, at::AS_PATH];
        if !update.nlri.is_empty() {
            needed.push(at::NEXT_HOP);
        }
        for t in needed {
            let present = update.attribute(t).is_some() || errors.iter().any(|e| e.type_code == t);
            if !present {
                errors.push(AttrError {
                    type_code: t,
                    action: Action::TreatAsWithdraw,
                    subcode: iana::update_subcode::MISSING_WELL_KNOWN_ATTRIBUTE,
                    data: vec![t],
                    offset: o,
                    reason: "missing well-known mandatory attribute",
                });
            }
        }
    }
    Ok((update, errors))
}

#[cfg(test)]
mod tests;
