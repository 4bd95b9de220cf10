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
//!
//! The kernel takes a received frame's 802.1Q tag out of the data before
//! packet sockets see it and hands it over as metadata
//! (`PACKET_AUXDATA`); [`PacketSocket::recv_batch`] puts it back in place
//! (moving the rest of the frame 4 bytes on and fixing the virtio-net
//! header's offsets), so trunks and access ports see frames exactly as
//! they were on the wire.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::vnet::{VnetHdr, VNET_HDR_LEN};
use super::{cvt, cvt_size, setsockopt_int, RecvBatch, TxFrame, MAX_BATCH};

const PACKET_ADD_MEMBERSHIP: libc::c_int = 1;
const PACKET_MR_PROMISC: libc::c_ushort = 1;
const PACKET_OUTGOING: u8 = 4;
const PACKET_VNET_HDR: libc::c_int = 15;
const PACKET_QDISC_BYPASS: libc::c_int = 20;
const PACKET_IGNORE_OUTGOING: libc::c_int = 23;
const PACKET_FANOUT: libc::c_int = 18;
const PACKET_AUXDATA: libc::c_int = 8;
const TP_STATUS_VLAN_VALID: u32 = 1 << 4;
const TP_STATUS_VLAN_TPID_VALID: u32 = 1 << 6;
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
        setsockopt_int(raw, libc::SOL_PACKET, PACKET_AUXDATA, 1)?;
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
        let mut cmsgs: [[u64; 8]; MAX_BATCH] = [[0; 8]; MAX_BATCH];
        let mut n = 0;
        for (area, (v, (m, (name, c)))) in batch.areas().zip(
            iov.iter_mut()
                .zip(msgs.iter_mut().zip(names.iter_mut().zip(cmsgs.iter_mut()))),
        ) {
            v.iov_base = area.as_mut_ptr().cast();
            v.iov_len = area.len();
            m.msg_hdr.msg_iov = v;
            m.msg_hdr.msg_iovlen = 1;
            m.msg_hdr.msg_name = (name as *mut libc::sockaddr_ll).cast();
            m.msg_hdr.msg_namelen = core::mem::size_of::<libc::sockaddr_ll>() as libc::socklen_t;
            m.msg_hdr.msg_control = c.as_mut_ptr().cast();
            m.msg_hdr.msg_controllen = core::mem::size_of::<[u64; 8]>() as _;
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
            let mut len = if outgoing {
                0
            } else {
                msgs[i].msg_len as usize
            };
            if let Some((tpid, tci)) = vlan_aux(&msgs[i].msg_hdr) {
                len = reinsert_tag(batch, i, len, tpid, tci);
            }
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

/// The 802.1Q tag the kernel took out of a received frame, from its
/// `PACKET_AUXDATA` control message: `(TPID, TCI)`.
fn vlan_aux(h: &libc::msghdr) -> Option<(u16, u16)> {
    // SAFETY: the kernel set msg_control/msg_controllen to the control
    // data it wrote into our buffer; CMSG_FIRSTHDR/NXTHDR stay inside it.
    // The auxdata (a `tpacket_auxdata`: u32 status, len, snaplen; u16 mac,
    // net, vlan_tci, vlan_tpid) is read field by field, unaligned, after a
    // length check.
    unsafe {
        let mut cm = libc::CMSG_FIRSTHDR(h);
        while !cm.is_null() {
            if (*cm).cmsg_level == libc::SOL_PACKET
                && (*cm).cmsg_type == PACKET_AUXDATA
                && (*cm).cmsg_len as usize >= libc::CMSG_LEN(20) as usize
            {
                let d = libc::CMSG_DATA(cm);
                let status = core::ptr::read_unaligned(d.cast::<u32>());
                if status & TP_STATUS_VLAN_VALID == 0 {
                    return None;
                }
                let tci = core::ptr::read_unaligned(d.add(16).cast::<u16>());
                let tpid = if status & TP_STATUS_VLAN_TPID_VALID != 0 {
                    core::ptr::read_unaligned(d.add(18).cast::<u16>())
                } else {
                    0x8100
                };
                return Some((tpid, tci));
            }
            cm = libc::CMSG_NXTHDR(h, cm);
        }
    }
    None
}

/// Put a tag the kernel took out back into message `i` of `len` bytes (a
/// virtio-net header and the frame): the frame moves 4 bytes on behind its
/// MAC addresses, the header's offsets follow. Returns the new length, or
/// 0 (dropped) if the message does not fit or is malformed.
fn reinsert_tag(batch: &mut RecvBatch, i: usize, len: usize, tpid: u16, tci: u16) -> usize {
    let h = batch.headroom();
    let slot = batch.slot_mut(i);
    let at = h + VNET_HDR_LEN + 12;
    let end = h + len;
    if len < VNET_HDR_LEN + 12 || end + 4 > slot.len() {
        return 0;
    }
    let Ok(mut vh) = VnetHdr::parse(slot.get(h..h + VNET_HDR_LEN).unwrap_or(&[])) else {
        return 0;
    };
    slot.copy_within(at..end, at + 4);
    slot[at..at + 2].copy_from_slice(&tpid.to_be_bytes());
    slot[at + 2..at + 4].copy_from_slice(&tci.to_be_bytes());
    if vh.needs_csum() {
        vh.csum_start = vh.csum_start.saturating_add(4);
    }
    if vh.is_gso() {
        vh.hdr_len = vh.hdr_len.saturating_add(4);
    }
    if vh.emit(&mut slot[h..h + VNET_HDR_LEN]).is_err() {
        return 0;
    }
    len + 4
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
