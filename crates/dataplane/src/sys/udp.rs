//! The underlay UDP socket: batched receive and send, UDP GRO and GSO.
//!
//! - `recvmmsg` fills a [`RecvBatch`]; with GRO on (`UDP_GRO`), one message
//!   may hold several datagrams of one flow back to back, each
//!   [`RecvBatch::gro_size`] bytes except a shorter last one (the size comes
//!   from the `UDP_GRO` control message).
//! - `sendmmsg` sends [`UdpTx`] messages; a message with a non-zero
//!   `segment` carries a `UDP_SEGMENT` control message and the kernel cuts
//!   its payload into datagrams of that size (UDP GSO): one system call and
//!   one trip through the stack for up to 64 datagrams.
//! - `SO_REUSEPORT` lets one socket per worker share the port.
//! - The socket family follows the bound address; remote VTEPs must be of
//!   the same family.

use std::io;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr, SocketAddrV4, SocketAddrV6};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::{cvt, setsockopt_int, RecvBatch, MAX_BATCH};

const SOL_UDP: libc::c_int = 17;
const UDP_SEGMENT: libc::c_int = 103;
const UDP_GRO: libc::c_int = 104;

/// The most datagrams one GSO send may carry (the kernel's
/// `UDP_MAX_SEGMENTS` on the oldest kernels that have GSO).
pub const MAX_GSO_SEGMENTS: usize = 64;
/// The most payload bytes one GSO send may carry.
pub const MAX_GSO_BYTES: usize = 65_000;

/// Options of the underlay socket.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UdpOptions {
    /// `SO_REUSEPORT` (one socket per worker).
    pub reuse_port: bool,
    /// Ask for `UDP_GRO` on receive (ignored if the kernel lacks it).
    pub gro: bool,
    /// Use `UDP_SEGMENT` on send when the kernel has it.
    pub gso: bool,
    /// Set the DF bit on IPv4 (`IP_PMTUDISC_DO`); off lets the kernel
    /// fragment oversized outer packets, as Linux's VXLAN does by default.
    pub df: bool,
    /// Socket buffer sizes in bytes.
    pub buffer: usize,
}

impl Default for UdpOptions {
    fn default() -> Self {
        UdpOptions {
            reuse_port: true,
            gro: true,
            gso: true,
            df: false,
            buffer: 8 << 20,
        }
    }
}

/// One datagram (or GSO train) to send.
#[derive(Debug, Clone, Copy)]
pub struct UdpTx<'a> {
    /// The UDP payload (for GSO: the concatenated datagrams).
    pub payload: &'a [u8],
    /// Destination.
    pub dst: SocketAddr,
    /// GSO segment size; 0 sends `payload` as one datagram.
    pub segment: u16,
}

/// One datagram (or GSO train) gathered from several slices (headers and
/// payloads kept where they are: scatter-gather).
#[derive(Debug, Clone, Copy)]
pub struct UdpTxV<'a> {
    /// The pieces of the UDP payload, in order.
    pub parts: &'a [&'a [u8]],
    /// Destination.
    pub dst: SocketAddr,
    /// GSO segment size; 0 sends the payload as one datagram.
    pub segment: u16,
    /// ECN codepoint for the outer IP header (RFC 6040: the inner one);
    /// 0 leaves the socket's default (Not-ECT).
    pub ecn: u8,
}

/// The most slices one [`UdpSocket::send_batch_v`] system call carries.
pub const MAX_PARTS: usize = 1024;

/// A bound underlay socket (see the module docs).
#[derive(Debug)]
pub struct UdpSocket {
    fd: OwnedFd,
    local: SocketAddr,
    gro: bool,
    gso: bool,
}

/// A socket address in the C layout, large enough for IPv6.
#[repr(C)]
#[derive(Clone, Copy)]
union RawAddr {
    v4: libc::sockaddr_in,
    v6: libc::sockaddr_in6,
}

fn raw_addr(a: &SocketAddr) -> (RawAddr, libc::socklen_t) {
    match a {
        SocketAddr::V4(a) => {
            // SAFETY: plain C struct, zero is valid.
            let mut s: libc::sockaddr_in = unsafe { core::mem::zeroed() };
            s.sin_family = libc::AF_INET as libc::sa_family_t;
            s.sin_port = a.port().to_be();
            s.sin_addr.s_addr = u32::from_ne_bytes(a.ip().octets());
            (
                RawAddr { v4: s },
                core::mem::size_of::<libc::sockaddr_in>() as libc::socklen_t,
            )
        }
        SocketAddr::V6(a) => {
            // SAFETY: plain C struct, zero is valid.
            let mut s: libc::sockaddr_in6 = unsafe { core::mem::zeroed() };
            s.sin6_family = libc::AF_INET6 as libc::sa_family_t;
            s.sin6_port = a.port().to_be();
            s.sin6_addr.s6_addr = a.ip().octets();
            s.sin6_scope_id = a.scope_id();
            (
                RawAddr { v6: s },
                core::mem::size_of::<libc::sockaddr_in6>() as libc::socklen_t,
            )
        }
    }
}

fn from_raw(s: &libc::sockaddr_storage) -> Option<SocketAddr> {
    match libc::c_int::from(s.ss_family) {
        libc::AF_INET => {
            // SAFETY: the kernel wrote a sockaddr_in (family AF_INET) into
            // storage that is larger and suitably aligned.
            let a: &libc::sockaddr_in = unsafe { &*(s as *const _ as *const libc::sockaddr_in) };
            let ip = Ipv4Addr::from(a.sin_addr.s_addr.to_ne_bytes());
            Some(SocketAddr::V4(SocketAddrV4::new(
                ip,
                u16::from_be(a.sin_port),
            )))
        }
        libc::AF_INET6 => {
            // SAFETY: as above for sockaddr_in6.
            let a: &libc::sockaddr_in6 = unsafe { &*(s as *const _ as *const libc::sockaddr_in6) };
            let ip = Ipv6Addr::from(a.sin6_addr.s6_addr);
            // A v4-mapped sender on a dual-stack socket is an IPv4 VTEP.
            if let Some(v4) = ip.to_ipv4_mapped() {
                return Some(SocketAddr::V4(SocketAddrV4::new(
                    v4,
                    u16::from_be(a.sin6_port),
                )));
            }
            Some(SocketAddr::V6(SocketAddrV6::new(
                ip,
                u16::from_be(a.sin6_port),
                a.sin6_flowinfo,
                a.sin6_scope_id,
            )))
        }
        _ => None,
    }
}

/// Room for one `UDP_GRO` / `UDP_SEGMENT` control message, 8-aligned.
type CmsgBuf = [u64; 8];

impl UdpSocket {
    /// Bind a non-blocking UDP socket to `local` with `opts`.
    pub fn bind(local: SocketAddr, opts: UdpOptions) -> io::Result<UdpSocket> {
        Self::bind_with(local, opts, opts.buffer)
    }

    /// Bind a send-only socket to `local` (no `SO_REUSEPORT`, no GRO, a
    /// minimal receive buffer): one of the source-port sockets that give
    /// outer packets their per-flow UDP source port (RFC 7348 §5). Nothing
    /// is ever read from it.
    pub fn bind_sender(local: SocketAddr, opts: UdpOptions) -> io::Result<UdpSocket> {
        let opts = UdpOptions {
            reuse_port: false,
            gro: false,
            ..opts
        };
        Self::bind_with(local, opts, 0)
    }

    fn bind_with(local: SocketAddr, opts: UdpOptions, rcvbuf: usize) -> io::Result<UdpSocket> {
        let family = match local.ip() {
            IpAddr::V4(_) => libc::AF_INET,
            IpAddr::V6(_) => libc::AF_INET6,
        };
        // SAFETY: plain socket call.
        let fd = cvt(unsafe {
            libc::socket(
                family,
                libc::SOCK_DGRAM | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                0,
            )
        })?;
        // SAFETY: `fd` was just returned by socket() and is owned here.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let raw = fd.as_raw_fd();
        if opts.reuse_port {
            setsockopt_int(raw, libc::SOL_SOCKET, libc::SO_REUSEPORT, 1)?;
        }
        let buf = opts.buffer.min(i32::MAX as usize) as libc::c_int;
        let rbuf = rcvbuf.min(i32::MAX as usize) as libc::c_int;
        let _ = setsockopt_int(raw, libc::SOL_SOCKET, libc::SO_RCVBUF, rbuf);
        let _ = setsockopt_int(raw, libc::SOL_SOCKET, libc::SO_SNDBUF, buf);
        // Privileged variants raise the limits past net.core.*mem_max.
        if rbuf > 0 {
            let _ = setsockopt_int(raw, libc::SOL_SOCKET, libc::SO_RCVBUFFORCE, rbuf);
        }
        let _ = setsockopt_int(raw, libc::SOL_SOCKET, libc::SO_SNDBUFFORCE, buf);
        if family == libc::AF_INET {
            let pmtu = if opts.df {
                libc::IP_PMTUDISC_DO
            } else {
                libc::IP_PMTUDISC_DONT
            };
            setsockopt_int(raw, libc::IPPROTO_IP, libc::IP_MTU_DISCOVER, pmtu)?;
        } else {
            setsockopt_int(raw, libc::IPPROTO_IPV6, libc::IPV6_V6ONLY, 1)?;
            let pmtu = if opts.df {
                libc::IPV6_PMTUDISC_DO
            } else {
                libc::IPV6_PMTUDISC_DONT
            };
            let _ = setsockopt_int(raw, libc::IPPROTO_IPV6, libc::IPV6_MTU_DISCOVER, pmtu);
        }
        let (addr, len) = raw_addr(&local);
        // SAFETY: `addr` lives for the call and `len` is its size.
        cvt(unsafe { libc::bind(raw, (&addr as *const RawAddr).cast(), len) })?;
        let gro = opts.gro && setsockopt_int(raw, SOL_UDP, UDP_GRO, 1).is_ok();
        // The outer ECN field of every received message (RFC 6040).
        let _ = if family == libc::AF_INET {
            setsockopt_int(raw, libc::IPPROTO_IP, libc::IP_RECVTOS, 1)
        } else {
            setsockopt_int(raw, libc::IPPROTO_IPV6, libc::IPV6_RECVTCLASS, 1)
        };
        // Probing UDP_SEGMENT with 0 succeeds where the kernel has it.
        let gso = opts.gso && setsockopt_int(raw, SOL_UDP, UDP_SEGMENT, 0).is_ok();
        Ok(UdpSocket {
            fd,
            local,
            gro,
            gso,
        })
    }

    /// The address the socket is bound to (as given to `bind`; port 0
    /// stays 0, see [`UdpSocket::bound_port`]).
    pub fn local_addr(&self) -> SocketAddr {
        self.local
    }

    /// The port the kernel bound the socket to (`getsockname`).
    pub fn bound_port(&self) -> io::Result<u16> {
        // SAFETY: plain C struct, zero is valid.
        let mut st: libc::sockaddr_storage = unsafe { core::mem::zeroed() };
        let mut len = core::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
        // SAFETY: `st` and `len` live for the call; `len` is st's size.
        cvt(unsafe {
            libc::getsockname(
                self.fd.as_raw_fd(),
                (&mut st as *mut libc::sockaddr_storage).cast(),
                &mut len,
            )
        })?;
        from_raw(&st)
            .map(|a| a.port())
            .ok_or_else(|| io::Error::other("unexpected socket family"))
    }

    /// Whether GRO is on.
    pub fn gro(&self) -> bool {
        self.gro
    }

    /// Whether GSO sends are possible.
    pub fn gso(&self) -> bool {
        self.gso
    }

    /// Receive up to `batch.capacity()` messages in one `recvmmsg`, with
    /// their senders and GRO segment sizes. Returns the count (0 if none
    /// was waiting).
    pub fn recv_batch(&self, batch: &mut RecvBatch) -> io::Result<usize> {
        // SAFETY (zeroed locals): plain C structs, zero is valid.
        let mut iov: [libc::iovec; MAX_BATCH] = unsafe { core::mem::zeroed() };
        let mut names: [libc::sockaddr_storage; MAX_BATCH] = unsafe { core::mem::zeroed() };
        let mut msgs: [libc::mmsghdr; MAX_BATCH] = unsafe { core::mem::zeroed() };
        let mut cmsgs: [CmsgBuf; MAX_BATCH] = [[0; 8]; MAX_BATCH];
        let mut n = 0;
        for (area, (v, (m, (name, c)))) in batch.areas().zip(
            iov.iter_mut()
                .zip(msgs.iter_mut().zip(names.iter_mut().zip(cmsgs.iter_mut()))),
        ) {
            v.iov_base = area.as_mut_ptr().cast();
            v.iov_len = area.len();
            m.msg_hdr.msg_iov = v;
            m.msg_hdr.msg_iovlen = 1;
            m.msg_hdr.msg_name = (name as *mut libc::sockaddr_storage).cast();
            m.msg_hdr.msg_namelen =
                core::mem::size_of::<libc::sockaddr_storage>() as libc::socklen_t;
            m.msg_hdr.msg_control = c.as_mut_ptr().cast();
            m.msg_hdr.msg_controllen = core::mem::size_of::<CmsgBuf>() as _;
            n += 1;
        }
        // SAFETY: every pointer in `msgs[..n]` refers to a local array or
        // an exclusively borrowed area of `batch`, with its exact length.
        let r = unsafe {
            libc::recvmmsg(
                self.fd.as_raw_fd(),
                msgs.as_mut_ptr(),
                n as _,
                libc::MSG_DONTWAIT as _,
                core::ptr::null_mut(),
            )
        };
        let got = match cvt(r) {
            Ok(g) => g as usize,
            Err(e) if super::would_block(&e) => 0,
            Err(e) => return Err(e),
        };
        batch.set_filled(got);
        for i in 0..got {
            batch.set_len(i, msgs[i].msg_len as usize);
            batch.addrs[i] = from_raw(&names[i]);
            let (g, tos) = control_values(&msgs[i].msg_hdr);
            batch.seg[i] = g;
            batch.tos[i] = tos;
        }
        Ok(got)
    }

    /// [`send_batch`](Self::send_batch) for gathered messages: each
    /// message's slices become its iovec (calls of up to [`MAX_BATCH`]
    /// messages and [`MAX_PARTS`] slices; a message with more slices than
    /// that is not sent). Returns how many messages the kernel took.
    pub fn send_batch_v(&self, msgs: &[UdpTxV<'_>]) -> io::Result<usize> {
        let mut sent = 0;
        let mut i = 0;
        while i < msgs.len() {
            // SAFETY (zeroed locals): plain C structs, zero is valid.
            let mut iov: [libc::iovec; MAX_PARTS] = unsafe { core::mem::zeroed() };
            let mut hdrs: [libc::mmsghdr; MAX_BATCH] = unsafe { core::mem::zeroed() };
            let mut names: [RawAddr; MAX_BATCH] = unsafe { core::mem::zeroed() };
            let mut cmsgs: [CmsgBuf; MAX_BATCH] = [[0; 8]; MAX_BATCH];
            let mut spans = [(0usize, 0usize, 0usize); MAX_BATCH];
            let mut n = 0;
            let mut used = 0;
            while i < msgs.len() && n < MAX_BATCH {
                let t = &msgs[i];
                let k = t.parts.len();
                if k > MAX_PARTS {
                    // Cannot be sent in one message: skip it.
                    i += 1;
                    continue;
                }
                if used + k > MAX_PARTS {
                    break;
                }
                for (v, p) in iov[used..used + k].iter_mut().zip(t.parts) {
                    v.iov_base = p.as_ptr() as *mut libc::c_void;
                    v.iov_len = p.len();
                }
                spans[n] = (used, k, i);
                used += k;
                n += 1;
                i += 1;
            }
            if n == 0 {
                continue;
            }
            // Every iovec is written: point the messages at them.
            let base = iov.as_mut_ptr();
            for ((m, (name, c)), (at, k, j)) in hdrs
                .iter_mut()
                .zip(names.iter_mut().zip(cmsgs.iter_mut()))
                .zip(&spans[..n])
            {
                m.msg_hdr.msg_iov = base.wrapping_add(*at);
                m.msg_hdr.msg_iovlen = *k as _;
                let t = &msgs[*j];
                fill_msg(m, name, c, &t.dst, t.segment, self.gso, t.ecn);
            }
            sent += super::packet::send_all(self.fd.as_raw_fd(), &mut hdrs[..n])?;
        }
        Ok(sent)
    }

    /// Send `msgs` with `sendmmsg` (in calls of up to [`MAX_BATCH`]);
    /// messages with a `segment` go out as GSO trains when the socket has
    /// GSO, else the caller must not set it. Returns how many messages the
    /// kernel took.
    pub fn send_batch(&self, msgs: &[UdpTx<'_>]) -> io::Result<usize> {
        let mut sent = 0;
        for chunk in msgs.chunks(MAX_BATCH) {
            // SAFETY (zeroed locals): plain C structs, zero is valid.
            let mut iov: [libc::iovec; MAX_BATCH] = unsafe { core::mem::zeroed() };
            let mut hdrs: [libc::mmsghdr; MAX_BATCH] = unsafe { core::mem::zeroed() };
            let mut names: [RawAddr; MAX_BATCH] = unsafe { core::mem::zeroed() };
            let mut cmsgs: [CmsgBuf; MAX_BATCH] = [[0; 8]; MAX_BATCH];
            for (t, (v, (m, (name, c)))) in chunk.iter().zip(
                iov.iter_mut()
                    .zip(hdrs.iter_mut().zip(names.iter_mut().zip(cmsgs.iter_mut()))),
            ) {
                v.iov_base = t.payload.as_ptr() as *mut libc::c_void;
                v.iov_len = t.payload.len();
                let (a, alen) = raw_addr(&t.dst);
                *name = a;
                m.msg_hdr.msg_iov = v;
                m.msg_hdr.msg_iovlen = 1;
                m.msg_hdr.msg_name = (name as *mut RawAddr).cast();
                m.msg_hdr.msg_namelen = alen;
                if t.segment != 0 && self.gso {
                    m.msg_hdr.msg_control = c.as_mut_ptr().cast();
                    // SAFETY: CMSG_SPACE is a pure size computation.
                    m.msg_hdr.msg_controllen =
                        unsafe { libc::CMSG_SPACE(core::mem::size_of::<u16>() as u32) } as _;
                    // SAFETY: msg_control points at `c`, which is larger
                    // than CMSG_SPACE(2) and 8-aligned; CMSG_FIRSTHDR is
                    // therefore non-null and CMSG_DATA has 2 bytes of room.
                    unsafe {
                        let cm = libc::CMSG_FIRSTHDR(&m.msg_hdr);
                        (*cm).cmsg_level = SOL_UDP;
                        (*cm).cmsg_type = UDP_SEGMENT;
                        (*cm).cmsg_len = libc::CMSG_LEN(core::mem::size_of::<u16>() as u32) as _;
                        core::ptr::write_unaligned(libc::CMSG_DATA(cm).cast::<u16>(), t.segment);
                    }
                }
            }
            sent += super::packet::send_all(self.fd.as_raw_fd(), &mut hdrs[..chunk.len()])?;
        }
        Ok(sent)
    }
}

/// Open `count` send-only sockets ([`UdpSocket::bind_sender`]) on `local`,
/// bound to distinct source ports spread over `range` (inclusive); a port
/// in use is skipped for the next free one of the range. Fails only if the
/// range has too few free ports.
pub fn sender_pool(
    local: IpAddr,
    range: (u16, u16),
    count: usize,
    opts: UdpOptions,
) -> io::Result<Vec<UdpSocket>> {
    let (lo, hi) = (u32::from(range.0.max(1)), u32::from(range.1));
    if count == 0 || hi < lo {
        return Ok(Vec::new());
    }
    let span = hi - lo + 1;
    let count = count.min(span as usize);
    let mut pool: Vec<UdpSocket> = Vec::with_capacity(count);
    let mut tried = 0u32;
    // Start points evenly spread over the range, probing upwards.
    for k in 0..count as u32 {
        let mut off = (u64::from(k) * u64::from(span) / count as u64) as u32;
        loop {
            if tried >= span {
                return Err(io::Error::new(
                    io::ErrorKind::AddrInUse,
                    "no free UDP source ports in the range",
                ));
            }
            tried += 1;
            let port = (lo + off % span) as u16;
            off += 1;
            if pool.iter().any(|s| s.local.port() == port) {
                continue;
            }
            match UdpSocket::bind_sender(SocketAddr::new(local, port), opts) {
                Ok(s) => {
                    pool.push(s);
                    break;
                }
                Err(e) if e.kind() == io::ErrorKind::AddrInUse => continue,
                Err(e) => return Err(e),
            }
        }
    }
    Ok(pool)
}

/// Point `m` at `dst` and, for a GSO train, a `UDP_SEGMENT` control
/// message in `c`.
fn fill_msg(
    m: &mut libc::mmsghdr,
    name: &mut RawAddr,
    c: &mut CmsgBuf,
    dst: &SocketAddr,
    segment: u16,
    gso: bool,
    ecn: u8,
) {
    let (a, alen) = raw_addr(dst);
    *name = a;
    m.msg_hdr.msg_name = (name as *mut RawAddr).cast();
    m.msg_hdr.msg_namelen = alen;
    let seg = segment != 0 && gso;
    let ecn = libc::c_int::from(ecn & 3);
    if !seg && ecn == 0 {
        return;
    }
    // SAFETY: CMSG_SPACE is a pure size computation.
    let (s2, s4) = unsafe {
        (
            libc::CMSG_SPACE(core::mem::size_of::<u16>() as u32) as usize,
            libc::CMSG_SPACE(core::mem::size_of::<libc::c_int>() as u32) as usize,
        )
    };
    m.msg_hdr.msg_control = c.as_mut_ptr().cast();
    m.msg_hdr.msg_controllen = (if seg { s2 } else { 0 } + if ecn != 0 { s4 } else { 0 }) as _;
    // SAFETY: msg_control points at `c` (64 bytes, 8-aligned), larger than
    // the at most two control messages (16 bytes each) announced in
    // msg_controllen; CMSG_FIRSTHDR/NXTHDR therefore stay inside it and
    // each CMSG_DATA has room for its value.
    unsafe {
        let mut cm = libc::CMSG_FIRSTHDR(&m.msg_hdr);
        if seg && !cm.is_null() {
            (*cm).cmsg_level = SOL_UDP;
            (*cm).cmsg_type = UDP_SEGMENT;
            (*cm).cmsg_len = libc::CMSG_LEN(core::mem::size_of::<u16>() as u32) as _;
            core::ptr::write_unaligned(libc::CMSG_DATA(cm).cast::<u16>(), segment);
            cm = libc::CMSG_NXTHDR(&m.msg_hdr, cm);
        }
        if ecn != 0 && !cm.is_null() {
            let (level, kind) = match dst {
                SocketAddr::V4(_) => (libc::IPPROTO_IP, libc::IP_TOS),
                SocketAddr::V6(_) => (libc::IPPROTO_IPV6, libc::IPV6_TCLASS),
            };
            (*cm).cmsg_level = level;
            (*cm).cmsg_type = kind;
            (*cm).cmsg_len = libc::CMSG_LEN(core::mem::size_of::<libc::c_int>() as u32) as _;
            core::ptr::write_unaligned(libc::CMSG_DATA(cm).cast::<libc::c_int>(), ecn);
        }
    }
}

/// The `UDP_GRO` segment size and the outer TOS / traffic class in a
/// received message's control data (0 where absent).
fn control_values(h: &libc::msghdr) -> (u16, u8) {
    let (mut gro, mut tos) = (0, 0);
    // SAFETY: the kernel set msg_control/msg_controllen to the control
    // data it wrote into our buffer; CMSG_FIRSTHDR/NXTHDR stay inside it,
    // and each value is read unaligned from inside its message.
    unsafe {
        let mut cm = libc::CMSG_FIRSTHDR(h);
        while !cm.is_null() {
            let (level, kind) = ((*cm).cmsg_level, (*cm).cmsg_type);
            if level == SOL_UDP && kind == UDP_GRO {
                let v = core::ptr::read_unaligned(libc::CMSG_DATA(cm).cast::<libc::c_int>());
                gro = u16::try_from(v).unwrap_or(0);
            } else if level == libc::IPPROTO_IP && kind == libc::IP_TOS {
                // One byte (IPv4 hands the TOS over as a u8).
                tos = core::ptr::read_unaligned(libc::CMSG_DATA(cm));
            } else if level == libc::IPPROTO_IPV6 && kind == libc::IPV6_TCLASS {
                let v = core::ptr::read_unaligned(libc::CMSG_DATA(cm).cast::<libc::c_int>());
                tos = (v & 0xff) as u8;
            }
            cm = libc::CMSG_NXTHDR(h, cm);
        }
    }
    (gro, tos)
}

impl AsRawFd for UdpSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Loopback only: two sockets in this process's namespace.
    #[test]
    fn batched_send_and_gso_receive_on_loopback() {
        let a = UdpSocket::bind(
            "127.0.0.1:0".parse().unwrap(),
            UdpOptions {
                reuse_port: false,
                ..UdpOptions::default()
            },
        )
        .unwrap();
        let b = UdpSocket::bind(
            "127.0.0.1:0".parse().unwrap(),
            UdpOptions {
                reuse_port: false,
                gro: false,
                ..UdpOptions::default()
            },
        )
        .unwrap();
        // Bound to port 0: learn the real port.
        let port_b = local_port(&b);
        let dst: SocketAddr = SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port_b);
        let p1 = [1u8; 100];
        let train = [7u8; 250];
        let mut msgs = vec![UdpTx {
            payload: &p1,
            dst,
            segment: 0,
        }];
        if a.gso() {
            msgs.push(UdpTx {
                payload: &train,
                dst,
                segment: 100,
            });
        }
        assert_eq!(a.send_batch(&msgs).unwrap(), msgs.len());
        let mut batch = RecvBatch::new(8, 8, 2048);
        let mut got = Vec::new();
        for _ in 0..100 {
            b.recv_batch(&mut batch).unwrap();
            for i in 0..batch.len() {
                got.push((batch.msg(i).to_vec(), batch.addr(i)));
            }
            if got.len() >= if a.gso() { 4 } else { 1 } {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(got[0].0, p1);
        assert_eq!(got[0].1.map(|s| s.port()), Some(local_port(&a)));
        if a.gso() {
            let lens: Vec<usize> = got[1..].iter().map(|g| g.0.len()).collect();
            assert_eq!(lens, vec![100, 100, 50]);
        }
    }

    /// A gathered GSO train (headers and payloads from separate slices)
    /// arrives as the datagrams they make up.
    #[test]
    fn gathered_gso_train_on_loopback() {
        let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let opts = UdpOptions {
            reuse_port: false,
            gro: false,
            ..UdpOptions::default()
        };
        let a = UdpSocket::bind(SocketAddr::new(lo, 0), opts).unwrap();
        let b = UdpSocket::bind(SocketAddr::new(lo, 0), opts).unwrap();
        let dst = SocketAddr::new(lo, b.bound_port().unwrap());
        let (h1, h2, h3) = ([1u8; 10], [2u8; 10], [3u8; 10]);
        let (p1, p2, p3) = ([11u8; 90], [12u8; 90], [13u8; 40]);
        let train: [&[u8]; 6] = [&h1, &p1, &h2, &p2, &h3, &p3];
        let single: [&[u8]; 2] = [&h1, &p3];
        let mut msgs = vec![UdpTxV {
            parts: &single,
            dst,
            segment: 0,
            ecn: 0,
        }];
        if a.gso() {
            msgs.push(UdpTxV {
                parts: &train,
                dst,
                segment: 100,
                ecn: 2,
            });
        }
        assert_eq!(a.send_batch_v(&msgs).unwrap(), msgs.len());
        let want = if a.gso() { 4 } else { 1 };
        let mut batch = RecvBatch::new(8, 0, 2048);
        let mut got: Vec<Vec<u8>> = Vec::new();
        let mut ecn: Vec<u8> = Vec::new();
        for _ in 0..100 {
            b.recv_batch(&mut batch).unwrap();
            got.extend((0..batch.len()).map(|i| batch.msg(i).to_vec()));
            ecn.extend((0..batch.len()).map(|i| batch.tos(i) & 3));
            if got.len() >= want {
                break;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
        assert_eq!(got.len(), want);
        assert_eq!(got[0], [&h1[..], &p3[..]].concat());
        if a.gso() {
            assert_eq!(got[1], [&h1[..], &p1[..]].concat());
            assert_eq!(got[2], [&h2[..], &p2[..]].concat());
            assert_eq!(got[3], [&h3[..], &p3[..]].concat());
            // The train's outer ECN (ECT(0)) arrives with each datagram.
            assert_eq!(ecn, vec![0, 2, 2, 2]);
        }
    }

    /// The pool binds distinct ports inside the range, skipping ports in
    /// use.
    #[test]
    fn sender_pool_spreads_over_the_range() {
        let lo = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let opts = UdpOptions {
            reuse_port: false,
            ..UdpOptions::default()
        };
        // Occupy a port first, then ask for a pool around it.
        let taken = UdpSocket::bind(SocketAddr::new(lo, 0), opts).unwrap();
        let p = taken.bound_port().unwrap();
        let (a, b) = (p, p.saturating_add(7));
        let pool = sender_pool(lo, (a, b), 4, opts).unwrap();
        let mut ports: Vec<u16> = pool.iter().map(|s| s.bound_port().unwrap()).collect();
        ports.sort_unstable();
        ports.dedup();
        assert_eq!(ports.len(), 4);
        assert!(ports.iter().all(|x| (a..=b).contains(x) && *x != p));
        // A range smaller than the pool gives as many sockets as ports.
        let small = sender_pool(lo, (b + 1, b + 2), 8, opts).map_or(0, |v| v.len());
        assert!(small <= 2);
    }

    fn local_port(s: &UdpSocket) -> u16 {
        s.bound_port().unwrap()
    }
}
