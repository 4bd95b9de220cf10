//! The system-call side of the dataplane: TAP devices, AF_PACKET sockets and
//! the batched UDP underlay socket. This is the only module of vtepd's
//! dataplane that uses `unsafe`.
//!
//! # Why `unsafe` is needed here, use by use
//!
//! Every `unsafe` block is a call into `libc` for a Linux interface that
//! `std` does not expose; each one passes pointers that are derived from
//! live Rust references for the duration of the call only:
//!
//! - `socket`, `open`, `ioctl(TUNSETIFF / TUNSETVNETHDRSZ / TUNSETOFFLOAD /
//!   SIOCGIFFLAGS / SIOCSIFFLAGS)`, `setsockopt`, `bind`: create and
//!   configure descriptors. Structs passed by pointer (`ifreq`,
//!   `sockaddr_ll`, `sockaddr_in6`, `packet_mreq`, option `c_int`s) are
//!   zero-initialised locals (`mem::zeroed` is sound for these plain C
//!   structs) whose size is passed alongside.
//! - `recvmmsg` / `sendmmsg`: the `mmsghdr` and `iovec` arrays are stack
//!   locals built for one call; every `iovec` points into a slice borrowed
//!   for the call (`&mut` for receive), with its exact length, so the kernel
//!   never writes outside a buffer we own. Control-message buffers are
//!   8-byte-aligned local arrays; they are walked with the `CMSG_*` macros of
//!   `libc`, bounded by the `msg_controllen` the kernel returned.
//! - `read` / `writev` on a TAP descriptor: same pointer discipline.
//! - `poll`: an array of `pollfd` borrowed for the call.
//! - `eventfd`, and `read` / `write` of its 8-byte counter from a local.
//! - [`alloc_count`]: a counting `GlobalAlloc` for the no-allocation tests,
//!   forwarding every call to the system allocator.
//!
//! Descriptors are `OwnedFd`, so they are closed exactly once. Nothing here
//! keeps a raw pointer beyond one call, so every type is `Send`.
//!
//! # Buffers
//!
//! Receive batches ([`RecvBatch`]) are allocated once: `slots` buffers of
//! `slot_len` bytes in one `Vec`, each received into at an offset
//! ([`RecvBatch::headroom`]) so that an encapsulation header can be
//! written in front of the frame in place. No call here allocates.
#![allow(unsafe_code)]

pub mod alloc_count;
pub mod packet;
pub mod tap;
pub mod udp;
pub mod vnet;

use std::ffi::CString;
use std::io;
use std::os::fd::{AsRawFd, RawFd};

pub use packet::PacketSocket;
pub use tap::Tap;
pub use udp::{UdpOptions, UdpSocket, UdpTx};
pub use vnet::{OffloadError, Segments, VnetHdr, VNET_HDR_LEN};

/// A frame to send out of a port, with the virtio-net header to put in
/// front of it (all zero for a complete frame).
#[derive(Debug, Clone, Copy)]
pub struct TxFrame<'a> {
    /// The Ethernet frame (a super-frame if `vnet` says so).
    pub frame: &'a [u8],
    /// The encoded virtio-net header.
    pub vnet: [u8; VNET_HDR_LEN],
}

/// The most messages one `recvmmsg`/`sendmmsg` call moves.
pub const MAX_BATCH: usize = 64;

/// Turn a `-1` return into the thread's `errno`.
pub(crate) fn cvt(r: libc::c_int) -> io::Result<libc::c_int> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r)
    }
}

/// Turn a `-1` `ssize_t` return into the thread's `errno`.
pub(crate) fn cvt_size(r: libc::ssize_t) -> io::Result<usize> {
    if r < 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(r as usize)
    }
}

/// Set an integer socket option.
pub(crate) fn setsockopt_int(
    fd: RawFd,
    level: libc::c_int,
    name: libc::c_int,
    value: libc::c_int,
) -> io::Result<()> {
    // SAFETY: `value` lives for the call and its size is passed.
    cvt(unsafe {
        libc::setsockopt(
            fd,
            level,
            name,
            (&value as *const libc::c_int).cast(),
            core::mem::size_of::<libc::c_int>() as libc::socklen_t,
        )
    })
    .map(|_| ())
}

/// The index of interface `name` in the current namespace.
pub fn if_index(name: &str) -> io::Result<u32> {
    let c = CString::new(name).map_err(|_| io::Error::from(io::ErrorKind::InvalidInput))?;
    // SAFETY: `c` is a NUL-terminated string alive for the call.
    let i = unsafe { libc::if_nametoindex(c.as_ptr()) };
    if i == 0 {
        Err(io::Error::last_os_error())
    } else {
        Ok(i)
    }
}

/// An `ifreq` with `name` filled in.
pub(crate) fn ifreq(name: &str) -> io::Result<libc::ifreq> {
    // SAFETY: `ifreq` is a plain C struct; all-zero is a valid value.
    let mut ifr: libc::ifreq = unsafe { core::mem::zeroed() };
    let b = name.as_bytes();
    if b.is_empty() || b.len() >= ifr.ifr_name.len() || b.contains(&0) {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "bad interface name",
        ));
    }
    for (d, s) in ifr.ifr_name.iter_mut().zip(b) {
        *d = *s as libc::c_char;
    }
    Ok(ifr)
}

/// Bring interface `name` administratively up (`SIOCSIFFLAGS` with
/// `IFF_UP`), like `ip link set NAME up`.
pub fn set_link_up(name: &str) -> io::Result<()> {
    // SAFETY: plain socket call.
    let s = cvt(unsafe { libc::socket(libc::AF_INET, libc::SOCK_DGRAM | libc::SOCK_CLOEXEC, 0) })?;
    // SAFETY: `s` was just returned by socket() and is owned here.
    let s = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(s) };
    let mut ifr = ifreq(name)?;
    // SAFETY: `ifr` is a valid ifreq for the call.
    cvt(unsafe { libc::ioctl(s.as_raw_fd(), libc::SIOCGIFFLAGS as _, &mut ifr) })?;
    // SAFETY: SIOCGIFFLAGS filled the flags member of the union.
    unsafe {
        ifr.ifr_ifru.ifru_flags |= libc::IFF_UP as libc::c_short;
    }
    // SAFETY: as above.
    cvt(unsafe { libc::ioctl(s.as_raw_fd(), libc::SIOCSIFFLAGS as _, &ifr) })?;
    Ok(())
}

/// Readiness interest for [`poll`].
pub fn pollfd(fd: RawFd) -> libc::pollfd {
    libc::pollfd {
        fd,
        events: libc::POLLIN,
        revents: 0,
    }
}

/// Wait until one of `fds` is readable or `timeout_ms` passes. Returns the
/// number of ready descriptors (0 on timeout or `EINTR`).
pub fn poll(fds: &mut [libc::pollfd], timeout_ms: i32) -> io::Result<usize> {
    // SAFETY: `fds` is a live, exclusively borrowed array of its length.
    let r = unsafe { libc::poll(fds.as_mut_ptr(), fds.len() as libc::nfds_t, timeout_ms) };
    if r < 0 {
        let e = io::Error::last_os_error();
        if e.kind() == io::ErrorKind::Interrupted {
            return Ok(0);
        }
        return Err(e);
    }
    Ok(r as usize)
}

/// Whether an I/O error only means "nothing to do now".
pub fn would_block(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted
    )
}

/// An `eventfd` counter: one thread signals it, another polls it (the
/// worker's wake-up for control messages).
#[derive(Debug)]
pub struct EventFd {
    fd: std::os::fd::OwnedFd,
}

impl EventFd {
    /// A non-blocking eventfd at 0.
    pub fn new() -> io::Result<EventFd> {
        // SAFETY: plain eventfd call.
        let fd = cvt(unsafe { libc::eventfd(0, libc::EFD_NONBLOCK | libc::EFD_CLOEXEC) })?;
        // SAFETY: `fd` was just returned by eventfd() and is owned here.
        let fd = unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd) };
        Ok(EventFd { fd })
    }

    /// Make the descriptor readable (a saturated counter is as good).
    pub fn signal(&self) {
        let one: u64 = 1;
        // SAFETY: writes the 8 bytes of a live local.
        let _ = unsafe {
            libc::write(
                self.fd.as_raw_fd(),
                (&one as *const u64).cast(),
                core::mem::size_of::<u64>(),
            )
        };
    }

    /// Reset the counter to 0 (not readable until the next signal).
    pub fn clear(&self) {
        let mut v: u64 = 0;
        // SAFETY: reads at most 8 bytes into a live local.
        let _ = unsafe {
            libc::read(
                self.fd.as_raw_fd(),
                (&mut v as *mut u64).cast(),
                core::mem::size_of::<u64>(),
            )
        };
    }
}

impl AsRawFd for EventFd {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}

/// A fixed set of receive buffers, filled by one batched receive.
#[derive(Debug)]
pub struct RecvBatch {
    buf: Vec<u8>,
    slot_len: usize,
    headroom: usize,
    lens: Vec<usize>,
    /// Per message: the sender (UDP), unused elsewhere.
    pub(crate) addrs: Vec<Option<std::net::SocketAddr>>,
    /// Per message: the GRO segment size (UDP), 0 if not coalesced.
    pub(crate) seg: Vec<u16>,
    /// Per message: the outer IP TOS / traffic class (UDP), 0 if unknown.
    pub(crate) tos: Vec<u8>,
    filled: usize,
}

impl RecvBatch {
    /// `slots` buffers of `headroom + data_len` bytes each, allocated now.
    pub fn new(slots: usize, headroom: usize, data_len: usize) -> RecvBatch {
        let slots = slots.clamp(1, MAX_BATCH);
        let slot_len = headroom + data_len;
        RecvBatch {
            buf: vec![0; slots * slot_len],
            slot_len,
            headroom,
            lens: vec![0; slots],
            addrs: vec![None; slots],
            seg: vec![0; slots],
            tos: vec![0; slots],
            filled: 0,
        }
    }

    /// Number of slots.
    pub fn capacity(&self) -> usize {
        self.lens.len()
    }

    /// Bytes reserved in front of each received message.
    pub fn headroom(&self) -> usize {
        self.headroom
    }

    /// Messages the last receive filled in.
    pub fn len(&self) -> usize {
        self.filled
    }

    /// Whether the last receive got nothing.
    pub fn is_empty(&self) -> bool {
        self.filled == 0
    }

    /// Length of message `i`.
    pub fn msg_len(&self, i: usize) -> usize {
        self.lens.get(i).copied().unwrap_or(0)
    }

    /// Sender of message `i` (UDP only).
    pub fn addr(&self, i: usize) -> Option<std::net::SocketAddr> {
        self.addrs.get(i).copied().flatten()
    }

    /// GRO segment size of message `i` (UDP only; 0: one datagram).
    pub fn gro_size(&self, i: usize) -> u16 {
        self.seg.get(i).copied().unwrap_or(0)
    }

    /// The outer TOS / traffic class byte of message `i` (UDP only).
    pub fn tos(&self, i: usize) -> u8 {
        self.tos.get(i).copied().unwrap_or(0)
    }

    /// The whole slot `i` (headroom included); the message is at
    /// `headroom()..headroom() + msg_len(i)`.
    pub fn slot(&self, i: usize) -> &[u8] {
        let s = i * self.slot_len;
        self.buf.get(s..s + self.slot_len).unwrap_or(&[])
    }

    /// The whole slot `i`, mutable (for in-place encapsulation).
    pub fn slot_mut(&mut self, i: usize) -> &mut [u8] {
        let s = i * self.slot_len;
        let l = self.slot_len;
        self.buf.get_mut(s..s + l).unwrap_or(&mut [])
    }

    /// Message `i`.
    pub fn msg(&self, i: usize) -> &[u8] {
        let h = self.headroom;
        let l = self.msg_len(i);
        self.slot(i).get(h..h + l).unwrap_or(&[])
    }

    /// The receive areas (after the headroom) of every slot, for the
    /// syscall wrappers.
    pub(crate) fn areas(&mut self) -> impl Iterator<Item = &mut [u8]> + '_ {
        let h = self.headroom;
        self.buf
            .chunks_exact_mut(self.slot_len)
            .map(move |c| &mut c[h..])
    }

    pub(crate) fn set_filled(&mut self, n: usize) {
        self.filled = n.min(self.lens.len());
    }

    pub(crate) fn set_len(&mut self, i: usize, len: usize) {
        let max = self.slot_len - self.headroom;
        if let Some(l) = self.lens.get_mut(i) {
            *l = len.min(max);
        }
    }
}
