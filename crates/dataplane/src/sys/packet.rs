//! An AF_PACKET socket bound to one existing interface (a veth, a NIC): the
//! access port backend for interfaces vtepd does not own.
//!
//! The socket is `SOCK_RAW` for every EtherType, in promiscuous mode, with
//! `PACKET_VNET_HDR`: the kernel hands over TSO super-frames and partial
//! checksums with a virtio-net header (see [`super::vnet`]) instead of
//! segmenting them first, and frames we send carry one too (all zero: a
//! plain, complete frame). Frames the host itself sends out of the
//! interface are ignored (`PACKET_IGNORE_OUTGOING`, and the `sll_pkttype`
//! of every received frame is checked as well, for older kernels).
//! `PACKET_QDISC_BYPASS` skips the interface's queueing discipline.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::vnet::VNET_HDR_LEN;
use super::{cvt, cvt_size, setsockopt_int, RecvBatch, TxFrame, MAX_BATCH};

const PACKET_ADD_MEMBERSHIP: libc::c_int = 1;
const PACKET_MR_PROMISC: libc::c_ushort = 1;
const PACKET_OUTGOING: u8 = 4;
const PACKET_VNET_HDR: libc::c_int = 15;
const PACKET_QDISC_BYPASS: libc::c_int = 20;
const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
const PACKET_FANOUT: libc::c_int = 18;
const PACKET_FANOUT_HASH: libc::c_int = 0;
const PACKET_FANOUT_FLAG_UNIQUEID: libc::c_int = 0x2000;
const ETH_P_ALL: u16 = 0x0003;

/// A packet socket on one interface (see the module docs).
#[derive(Debug)]
pub struct PacketSocket {
    fd: OwnedFd,
    ifindex: u32,
}

impl PacketSocket {
    /// Open a promiscuous packet socket with virtio-net headers on
    /// interface `ifname` (in the current network namespace).
    pub fn open(ifname: &str) -> io::Result<PacketSocket> {
        let ifindex = super::if_index(ifname)?;
        // SAFETY: plain socket call.
        let fd = cvt(unsafe {
            libc::socket(
                libc::AF_PACKET,
                libc::SOCK_RAW | libc::SOCK_NONBLOCK | libc::SOCK_CLOEXEC,
                libc::c_int::from(ETH_P_ALL.to_be()),
            )
        })?;
        // SAFETY: `fd` was just returned by socket() and is owned here.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let raw = fd.as_raw_fd();
        setsockopt_int(raw, libc::SOL_PACKET, PACKET_VNET_HDR, 1)?;
        // Optional niceties; older kernels lack them.
        let _ = setsockopt_int(raw, libc::SOL_PACKET, PACKET_IGNORE_OUTGOING, 1);
        let _ = setsockopt_int(raw, libc::SOL_PACKET, PACKET_QDISC_BYPASS, 1);
        let _ = setsockopt_int(raw, libc::SOL_SOCKET, libc::SO_RCVBUF, 4 << 20);
        let _ = setsockopt_int(raw, libc::SOL_SOCKET, libc::SO_SNDBUF, 4 << 20);

        // SAFETY: sockaddr_ll is a plain C struct; zero is valid.
        let mut sll: libc::sockaddr_ll = unsafe { core::mem::zeroed() };
        sll.sll_family = libc::AF_PACKET as libc::c_ushort;
        sll.sll_protocol = ETH_P_ALL.to_be();
        sll.sll_ifindex = ifindex as libc::c_int;
        // SAFETY: `sll` lives for the call and its size is passed.
        cvt(unsafe {
            libc::bind(
                raw,
                (&sll as *const libc::sockaddr_ll).cast(),
                core::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t,
            )
        })?;

        // SAFETY: packet_mreq is a plain C struct; zero is valid.
        let mut mr: libc::packet_mreq = unsafe { core::mem::zeroed() };
        mr.mr_ifindex = ifindex as libc::c_int;
        mr.mr_type = PACKET_MR_PROMISC;
        // SAFETY: `mr` lives for the call and its size is passed.
        cvt(unsafe {
            libc::setsockopt(
                raw,
                libc::SOL_PACKET,
                PACKET_ADD_MEMBERSHIP,
                (&mr as *const libc::packet_mreq).cast(),
                core::mem::size_of::<libc::packet_mreq>() as libc::socklen_t,
            )
        })?;
        Ok(PacketSocket { fd, ifindex })
    }

    /// Join a `PACKET_FANOUT` group that spreads the interface's received
    /// frames over its sockets by flow hash: a new group with a
    /// kernel-chosen unique ID for `None`, else group `id`. Returns the
    /// group's ID (for the next socket).
    pub fn join_fanout(&self, id: Option<u16>) -> io::Result<u16> {
        let raw = self.fd.as_raw_fd();
        let arg = match id {
            Some(id) => libc::c_int::from(id) | (PACKET_FANOUT_HASH << 16),
            None => (PACKET_FANOUT_HASH | PACKET_FANOUT_FLAG_UNIQUEID) << 16,
        };
        setsockopt_int(raw, libc::SOL_PACKET, PACKET_FANOUT, arg)?;
        if let Some(id) = id {
            return Ok(id);
        }
        let mut v: libc::c_int = 0;
        let mut len = core::mem::size_of::<libc::c_int>() as libc::socklen_t;
        // SAFETY: `v` and `len` live for the call; `len` is v's size.
        cvt(unsafe {
            libc::getsockopt(
                raw,
                libc::SOL_PACKET,
                PACKET_FANOUT,
                (&mut v as *mut libc::c_int).cast(),
                &mut len,
            )
        })?;
        Ok((v & 0xffff) as u16)
    }

    /// The interface index the socket is bound to.
    pub fn ifindex(&self) -> u32 {
        self.ifindex
    }

    /// Receive up to `batch.capacity()` frames in one `recvmmsg`. Each
    /// message is a virtio-net header followed by the frame. Frames sent by
    /// this host are given length 0. Returns the number of messages (0 if
    /// none was waiting).
    pub fn recv_batch(&self, batch: &mut RecvBatch) -> io::Result<usize> {
        // SAFETY (all zeroed locals below): plain C structs, zero is valid.
        let mut iov: [libc::iovec; MAX_BATCH] = unsafe { core::mem::zeroed() };
        let mut names: [libc::sockaddr_ll; MAX_BATCH] = unsafe { core::mem::zeroed() };
        let mut msgs: [libc::mmsghdr; MAX_BATCH] = unsafe { core::mem::zeroed() };
        let mut n = 0;
        for (area, (v, (m, name))) in batch
            .areas()
            .zip(iov.iter_mut().zip(msgs.iter_mut().zip(names.iter_mut())))
        {
            v.iov_base = area.as_mut_ptr().cast();
            v.iov_len = area.len();
            m.msg_hdr.msg_iov = v;
            m.msg_hdr.msg_iovlen = 1;
            m.msg_hdr.msg_name = (name as *mut libc::sockaddr_ll).cast();
            m.msg_hdr.msg_namelen = core::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
            n += 1;
        }
        // SAFETY: `msgs[..n]` point at `iov`/`names` (locals alive for the
        // call) and every iovec at a distinct, exclusively borrowed area of
        // `batch` with its exact length.
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
            let outgoing = names[i].sll_pkttype == PACKET_OUTGOING;
            let len = if outgoing {
                0
            } else {
                msgs[i].msg_len as usize
            };
            batch.set_len(i, len);
        }
        Ok(got)
    }

    /// Send frames, each behind its virtio-net header (a super-frame with
    /// GSO metadata is segmented by the kernel only if and where needed), in
    /// `sendmmsg` calls of up to [`MAX_BATCH`]. Returns how many the kernel
    /// took; the rest were dropped because its queue was full.
    pub fn send_batch(&self, frames: &[TxFrame<'_>]) -> io::Result<usize> {
        let mut sent = 0;
        for chunk in frames.chunks(MAX_BATCH) {
            // SAFETY: plain C structs, zero is valid.
            let mut iov: [[libc::iovec; 2]; MAX_BATCH] = unsafe { core::mem::zeroed() };
            let mut msgs: [libc::mmsghdr; MAX_BATCH] = unsafe { core::mem::zeroed() };
            for (f, (v, m)) in chunk.iter().zip(iov.iter_mut().zip(msgs.iter_mut())) {
                v[0].iov_base = f.vnet.as_ptr() as *mut libc::c_void;
                v[0].iov_len = VNET_HDR_LEN;
                v[1].iov_base = f.frame.as_ptr() as *mut libc::c_void;
                v[1].iov_len = f.frame.len();
                m.msg_hdr.msg_iov = v.as_mut_ptr();
                m.msg_hdr.msg_iovlen = 2;
            }
            sent += send_all(self.fd.as_raw_fd(), &mut msgs[..chunk.len()])?;
        }
        Ok(sent)
    }
}

impl AsRawFd for PacketSocket {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// `sendmmsg` until every message is taken; when the socket's queue is
/// full, wait for room (a few milliseconds at most) before dropping the
/// rest. A message the kernel refuses is skipped. Returns the number
/// sent.
pub(crate) fn send_all(fd: RawFd, msgs: &mut [libc::mmsghdr]) -> io::Result<usize> {
    let mut done = 0;
    let mut sent = 0;
    let mut stalls = 0;
    while done < msgs.len() {
        let rest = &mut msgs[done..];
        // SAFETY: the caller built `msgs` from buffers borrowed for this
        // call; the kernel only reads them.
        let r = unsafe { libc::sendmmsg(fd, rest.as_mut_ptr(), rest.len() as _, 0) };
        match cvt(r) {
            Ok(n) => {
                done += n as usize;
                sent += n as usize;
                stalls = 0;
            }
            Err(e) if super::would_block(&e) || e.raw_os_error() == Some(libc::ENOBUFS) => {
                stalls += 1;
                if stalls > 20 {
                    break;
                }
                let mut p = [libc::pollfd {
                    fd,
                    events: libc::POLLOUT,
                    revents: 0,
                }];
                super::poll(&mut p, 1)?;
            }
            Err(_) => {
                // The kernel refuses the first message (too big, no
                // route): drop it and carry on with the rest.
                done += 1;
            }
        }
    }
    Ok(sent)
}

/// Read one message from a non-blocking descriptor; `Ok(None)` when none is
/// waiting.
pub(crate) fn read_nb(fd: RawFd, buf: &mut [u8]) -> io::Result<Option<usize>> {
    // SAFETY: `buf` is exclusively borrowed for the call, with its length.
    let r = unsafe { libc::read(fd, buf.as_mut_ptr().cast(), buf.len()) };
    match cvt_size(r) {
        Ok(n) => Ok(Some(n)),
        Err(e) if super::would_block(&e) => Ok(None),
        Err(e) => Err(e),
    }
}
