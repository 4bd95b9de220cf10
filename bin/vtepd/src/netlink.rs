//! The kernel's IPv4 routing table over rtnetlink: the routes vtepd adds
//! for prefixes learnt over unnumbered sessions (an IPv4 destination with
//! an IPv6 link-local next hop, RFC 8950), what `ip route replace PREFIX
//! via inet6 LL dev IF proto bgp` does, without a process per route.
//!
//! `netlink-packet-core` frames the messages (the netlink header, the
//! kernel's acknowledgement and error code) and `netlink-sys` is the
//! blocking `NETLINK_ROUTE` socket; the request body, an `rtmsg` and three
//! attributes (linux/rtnetlink.h), is written here: a generic route-message
//! crate would have cost half a megabyte of MIPS binary for it. The
//! destination is in `RTA_DST`, the next hop in `RTA_VIA` (address family
//! and address: the kernel's way to give an IPv4 route a gateway of another
//! family), the device in `RTA_OIF`; protocol `RTPROT_BGP` marks the route
//! as vtepd's, table main, scope universe. Each request asks for an
//! acknowledgement, and the kernel's error code comes back as an
//! [`io::Error`].

use std::io;
use std::net::Ipv6Addr;

use netlink_packet_core::{
    NetlinkDeserializable, NetlinkHeader, NetlinkMessage, NetlinkPayload, NetlinkSerializable,
    NLM_F_ACK, NLM_F_CREATE, NLM_F_REPLACE, NLM_F_REQUEST,
};
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use vtepd_bgp_evpn::Ipv4Prefix;

const RTM_NEWROUTE: u16 = 24;
const RTM_DELROUTE: u16 = 25;
const AF_INET: u8 = 2;
const AF_INET6: u16 = 10;
const RT_TABLE_MAIN: u8 = 254;
const RTPROT_BGP: u8 = 186;
const RT_SCOPE_UNIVERSE: u8 = 0;
const RTN_UNICAST: u8 = 1;
const RTA_DST: u16 = 1;
const RTA_OIF: u16 = 4;
const RTA_VIA: u16 = 18;
/// `struct rtmsg`.
const RTMSG_LEN: usize = 12;

/// A route change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// Add, or replace the route to the same prefix: via `via` on the
    /// interface with index `ifindex`.
    Replace {
        /// The destination.
        prefix: Ipv4Prefix,
        /// The IPv6 (link-local) next hop.
        via: Ipv6Addr,
        /// The outgoing interface.
        ifindex: u32,
    },
    /// Remove vtepd's route to the prefix.
    Delete(Ipv4Prefix),
}

/// The body of a route request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RouteRequest(pub Change);

impl NetlinkSerializable for RouteRequest {
    fn message_type(&self) -> u16 {
        match self.0 {
            Change::Replace { .. } => RTM_NEWROUTE,
            Change::Delete(_) => RTM_DELROUTE,
        }
    }

    fn buffer_len(&self) -> usize {
        // rtmsg, RTA_DST (4 + 4), and for a replace RTA_VIA (4 + 2 + 16,
        // padded to 24) and RTA_OIF (4 + 4).
        RTMSG_LEN
            + 8
            + match self.0 {
                Change::Replace { .. } => 24 + 8,
                Change::Delete(_) => 0,
            }
    }

    fn serialize(&self, buffer: &mut [u8]) {
        let prefix = match self.0 {
            Change::Replace { prefix, .. } | Change::Delete(prefix) => prefix,
        };
        let mut out = Vec::with_capacity(self.buffer_len());
        out.extend_from_slice(&[
            AF_INET,
            prefix.prefix_len(),
            0, // source length
            0, // TOS
            RT_TABLE_MAIN,
            RTPROT_BGP,
            RT_SCOPE_UNIVERSE,
            RTN_UNICAST,
        ]);
        out.extend_from_slice(&0u32.to_ne_bytes()); // flags
        attr(&mut out, RTA_DST, &prefix.addr().octets());
        if let Change::Replace { via, ifindex, .. } = self.0 {
            let mut v = AF_INET6.to_ne_bytes().to_vec();
            v.extend_from_slice(&via.octets());
            attr(&mut out, RTA_VIA, &v);
            attr(&mut out, RTA_OIF, &ifindex.to_ne_bytes());
        }
        // `buffer` is `buffer_len()` long (the trait's contract).
        let n = out.len().min(buffer.len());
        buffer[..n].copy_from_slice(&out[..n]);
    }
}

/// Only acknowledgements and errors are expected back; anything else is
/// refused.
impl NetlinkDeserializable for RouteRequest {
    type Error = io::Error;

    fn deserialize(header: &NetlinkHeader, _: &[u8]) -> Result<Self, io::Error> {
        Err(io::Error::new(
            io::ErrorKind::InvalidData,
            format!("unexpected netlink message type {}", header.message_type),
        ))
    }
}

/// Append one route attribute (length, type, value, padding to 4 bytes).
fn attr(out: &mut Vec<u8>, kind: u16, value: &[u8]) {
    let len = 4 + value.len();
    out.extend_from_slice(&(len as u16).to_ne_bytes());
    out.extend_from_slice(&kind.to_ne_bytes());
    out.extend_from_slice(value);
    out.resize(out.len() + (len.next_multiple_of(4) - len), 0);
}

/// The request for `change`, with sequence number `seq`.
pub fn request(change: Change, seq: u32) -> NetlinkMessage<RouteRequest> {
    let mut header = NetlinkHeader::default();
    header.sequence_number = seq;
    header.flags = match change {
        Change::Replace { .. } => NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE,
        Change::Delete(_) => NLM_F_REQUEST | NLM_F_ACK,
    };
    let mut m = NetlinkMessage::new(header, NetlinkPayload::InnerMessage(RouteRequest(change)));
    m.finalize();
    m
}

/// How long [`Routes::apply`] waits for the kernel's answer.
const ANSWER_TIMEOUT: std::time::Duration = std::time::Duration::from_secs(5);

/// `f`, again while a signal interrupts it.
fn retry<T>(mut f: impl FnMut() -> io::Result<T>) -> io::Result<T> {
    loop {
        match f() {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            r => return r,
        }
    }
}

/// A `NETLINK_ROUTE` socket that applies [`Change`]s one at a time.
#[derive(Debug)]
pub struct Routes {
    sock: Socket,
    seq: u32,
    buf: Vec<u8>,
}

impl Routes {
    /// Open and bind the socket.
    pub fn open() -> io::Result<Routes> {
        let mut sock = Socket::new(NETLINK_ROUTE)?;
        sock.bind_auto()?;
        sock.connect(&SocketAddr::new(0, 0))?;
        // The kernel answers every request at once; the timeout only keeps
        // the worker from waiting for ever on a kernel that does not.
        socket2::SockRef::from(&sock).set_read_timeout(Some(ANSWER_TIMEOUT))?;
        Ok(Routes {
            sock,
            seq: 0,
            buf: vec![0; 8192],
        })
    }

    /// Apply `change` and wait for the kernel's answer.
    pub fn apply(&mut self, change: Change) -> io::Result<()> {
        self.seq = self.seq.wrapping_add(1);
        let req = request(change, self.seq);
        let mut out = vec![0; req.buffer_len()];
        req.serialize(&mut out);
        retry(|| self.sock.send(&out, 0))?;
        loop {
            let n = retry(|| self.sock.recv(&mut &mut self.buf[..], 0))?;
            let mut at = 0;
            while at < n {
                let Some(rest) = self.buf.get(at..n) else {
                    break;
                };
                let msg = NetlinkMessage::<RouteRequest>::deserialize(rest)
                    .map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e.to_string()))?;
                let len = msg.header.length as usize;
                if msg.header.sequence_number == self.seq {
                    if let NetlinkPayload::Error(e) = msg.payload {
                        return match e.code {
                            None => Ok(()),
                            Some(code) => Err(io::Error::from_raw_os_error(-code.get())),
                        };
                    }
                }
                if len == 0 {
                    break;
                }
                at += len.next_multiple_of(4);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(change: Change) -> Vec<u8> {
        let m = request(change, 7);
        let mut out = vec![0; m.buffer_len()];
        m.serialize(&mut out);
        out
    }

    #[test]
    fn replace_is_an_ipv4_route_via_an_ipv6_next_hop() {
        let prefix = Ipv4Prefix::new("10.9.0.0".parse().unwrap(), 24).unwrap();
        let via: Ipv6Addr = "fe80::1".parse().unwrap();
        let b = bytes(Change::Replace {
            prefix,
            via,
            ifindex: 5,
        });
        // nlmsghdr: length, RTM_NEWROUTE (24), REQUEST|ACK|CREATE|REPLACE, seq 7.
        assert_eq!(
            u32::from_ne_bytes(b[0..4].try_into().unwrap()) as usize,
            b.len()
        );
        assert_eq!(u16::from_ne_bytes([b[4], b[5]]), 24);
        assert_eq!(u16::from_ne_bytes([b[6], b[7]]), 0x1 | 0x4 | 0x400 | 0x100);
        assert_eq!(u32::from_ne_bytes(b[8..12].try_into().unwrap()), 7);
        // rtmsg: AF_INET, /24, src 0, tos 0, main (254), bgp (186),
        // universe (0), unicast (1).
        assert_eq!(&b[16..24], &[2, 24, 0, 0, 254, 186, 0, 1]);
        let attrs = &b[28..];
        // RTA_DST (1): 10.9.0.0.
        assert_eq!(&attrs[..8], &[8, 0, 1, 0, 10, 9, 0, 0]);
        // RTA_VIA (18): family AF_INET6 (10), then the address.
        assert_eq!(&attrs[8..12], &[22, 0, 18, 0]);
        assert_eq!(u16::from_ne_bytes([attrs[12], attrs[13]]), 10);
        assert_eq!(&attrs[14..30], &via.octets());
        // Padding to 4, then RTA_OIF (4): 5.
        assert_eq!(&attrs[32..40], &[8, 0, 4, 0, 5, 0, 0, 0]);
        assert_eq!(attrs.len(), 40);
    }

    #[test]
    fn delete_names_prefix_and_protocol() {
        let prefix = Ipv4Prefix::new("10.9.0.1".parse().unwrap(), 32).unwrap();
        let b = bytes(Change::Delete(prefix));
        assert_eq!(u16::from_ne_bytes([b[4], b[5]]), 25);
        assert_eq!(u16::from_ne_bytes([b[6], b[7]]), 0x1 | 0x4);
        assert_eq!(&b[16..24], &[2, 32, 0, 0, 254, 186, 0, 1]);
        assert_eq!(&b[28..], &[8, 0, 1, 0, 10, 9, 0, 1]);
    }
}
