//! A TAP device with virtio-net headers: the access port backend vtepd owns.
//!
//! Opened from `/dev/net/tun` with `IFF_TAP | IFF_NO_PI | IFF_VNET_HDR`,
//! header size 10 (`TUNSETVNETHDRSZ`), and offloads announced with
//! `TUNSETOFFLOAD` (checksum, TSO over IPv4 and IPv6, TSO with ECN): the
//! host stack then sends TCP super-frames of up to 64 KiB with a partial
//! checksum through the device instead of MTU-sized segments, and the
//! dataplane segments them ([`super::vnet::segment`]) right before they
//! leave, straight into UDP GSO trains. Frames written to the device carry
//! an all-zero header (complete frames).
//!
//! TAP has no batched read: [`Tap::recv_batch`] reads until the device is
//! empty or the batch is full; [`Tap::send_batch`] writes frame by frame.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

use super::packet::read_nb;
use super::vnet::VNET_HDR_LEN;
use super::{cvt, cvt_size, ifreq, RecvBatch, TxFrame};

// The ioctl numbers come from `libc`, which encodes them per architecture
// (MIPS and PowerPC put the direction bits elsewhere than x86 and ARM).
use libc::{TUNSETIFF, TUNSETOFFLOAD, TUNSETVNETHDRSZ};
const IFF_TAP: libc::c_short = 0x0002;
const IFF_NO_PI: libc::c_short = 0x1000;
const IFF_VNET_HDR: libc::c_short = 0x4000;
const IFF_MULTI_QUEUE: libc::c_short = 0x0100;
const TUN_F_CSUM: libc::c_uint = 0x01;
const TUN_F_TSO4: libc::c_uint = 0x02;
const TUN_F_TSO6: libc::c_uint = 0x04;
const TUN_F_TSO_ECN: libc::c_uint = 0x08;

/// An open TAP device (see the module docs). The device disappears when
/// this is dropped (it is not made persistent).
#[derive(Debug)]
pub struct Tap {
    fd: OwnedFd,
    name: String,
}

impl Tap {
    /// Create (or attach to) TAP device `name` with virtio-net headers;
    /// with `offload`, announce checksum and TSO offloads. The device is
    /// brought up.
    pub fn open(name: &str, offload: bool) -> io::Result<Tap> {
        Self::open_queue(name, offload, false)
    }

    /// [`Tap::open`], as one queue of a multi-queue device
    /// (`IFF_MULTI_QUEUE`) when `multi_queue`: each call attaches one more
    /// queue of the same device; the kernel spreads the flows the host
    /// sends through it over the queues by their hash.
    pub fn open_queue(name: &str, offload: bool, multi_queue: bool) -> io::Result<Tap> {
        // SAFETY: a NUL-terminated literal path.
        let fd = cvt(unsafe {
            libc::open(
                c"/dev/net/tun".as_ptr(),
                libc::O_RDWR | libc::O_NONBLOCK | libc::O_CLOEXEC,
            )
        })?;
        // SAFETY: `fd` was just returned by open() and is owned here.
        let fd = unsafe { OwnedFd::from_raw_fd(fd) };
        let raw = fd.as_raw_fd();
        let mut ifr = ifreq(name)?;
        ifr.ifr_ifru.ifru_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
        if multi_queue {
            // SAFETY: writing the flags member of the union.
            unsafe { ifr.ifr_ifru.ifru_flags |= IFF_MULTI_QUEUE };
        }
        // SAFETY: `ifr` is a valid ifreq for the call.
        cvt(unsafe { libc::ioctl(raw, TUNSETIFF as _, &mut ifr) })?;
        let sz: libc::c_int = VNET_HDR_LEN as libc::c_int;
        // SAFETY: TUNSETVNETHDRSZ reads one c_int from the pointer.
        cvt(unsafe { libc::ioctl(raw, TUNSETVNETHDRSZ as _, &sz) })?;
        let flags = if offload {
            TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6 | TUN_F_TSO_ECN
        } else {
            0
        };
        // SAFETY: TUNSETOFFLOAD takes the flags as the argument value.
        cvt(unsafe { libc::ioctl(raw, TUNSETOFFLOAD as _, flags as libc::c_ulong) })?;
        // The kernel may have picked the name (for a pattern like "tap%d").
        let real: Vec<u8> = ifr
            .ifr_name
            .iter()
            .take_while(|c| **c != 0)
            .map(|c| *c as u8)
            .collect();
        let name = String::from_utf8_lossy(&real).into_owned();
        super::set_link_up(&name)?;
        Ok(Tap { fd, name })
    }

    /// The device name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Read frames (each a virtio-net header and a frame) until the device
    /// is empty or `batch` is full. Returns the count.
    pub fn recv_batch(&self, batch: &mut RecvBatch) -> io::Result<usize> {
        let mut n = 0;
        let mut lens = [0usize; super::MAX_BATCH];
        for area in batch.areas() {
            match read_nb(self.fd.as_raw_fd(), area)? {
                Some(len) => {
                    lens[n] = len;
                    n += 1;
                }
                None => break,
            }
        }
        batch.set_filled(n);
        for (i, l) in lens.iter().take(n).enumerate() {
            batch.set_len(i, *l);
        }
        Ok(n)
    }

    /// Write frames, each behind its virtio-net header (super-frames with
    /// GSO metadata are accepted by the device as they are). Returns how
    /// many the device took (a full device queue drops).
    pub fn send_batch(&self, frames: &[TxFrame<'_>]) -> io::Result<usize> {
        let mut sent = 0;
        for f in frames {
            let iov = [
                libc::iovec {
                    iov_base: f.vnet.as_ptr() as *mut libc::c_void,
                    iov_len: VNET_HDR_LEN,
                },
                libc::iovec {
                    iov_base: f.frame.as_ptr() as *mut libc::c_void,
                    iov_len: f.frame.len(),
                },
            ];
            // SAFETY: both iovecs point at live buffers of their lengths;
            // the kernel only reads them.
            let r = unsafe { libc::writev(self.fd.as_raw_fd(), iov.as_ptr(), 2) };
            match cvt_size(r) {
                Ok(_) => sent += 1,
                Err(e) if super::would_block(&e) => {}
                Err(e) if e.raw_os_error() == Some(libc::EIO) => {
                    // The device is down: nothing is delivered.
                }
                Err(e) => return Err(e),
            }
        }
        Ok(sent)
    }
}

impl AsRawFd for Tap {
    fn as_raw_fd(&self) -> RawFd {
        self.fd.as_raw_fd()
    }
}
