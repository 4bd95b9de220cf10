//! Frames for the `wire` benchmarks, built with the wire crate's own
//! emitters (so every checksum is valid), and the receive-path work the
//! benchmarks time.

use core::net::Ipv4Addr;

use vtepd_wire::ethernet::{EtherType, EthernetAddress, EthernetFrame, EthernetRepr, MAX_TAGS};
use vtepd_wire::ip::IpProtocol;
use vtepd_wire::ipv4::{Ipv4Packet, Ipv4Repr};
use vtepd_wire::udp::{UdpPacket, UdpRepr};
use vtepd_wire::vxlan::{Vni, VxlanPacket, VxlanRepr, VXLAN_PORT};
use vtepd_wire::{Error, Result};

/// Ethernet (14) + IPv4 (20) + UDP (8): the smallest frame these build.
pub const ETH_IPV4_UDP_OVERHEAD: usize = 14 + 20 + 8;
/// What VXLAN adds in front of the inner frame: Ethernet + IPv4 + UDP +
/// VXLAN headers.
pub const VXLAN_OVERHEAD: usize = ETH_IPV4_UDP_OVERHEAD + 8;

const SRC: Ipv4Addr = Ipv4Addr::new(192, 168, 100, 1);
const DST: Ipv4Addr = Ipv4Addr::new(192, 168, 100, 2);
const VTEP_SRC: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 1);
const VTEP_DST: Ipv4Addr = Ipv4Addr::new(10, 0, 0, 2);

fn eth(src: u8, dst: u8) -> EthernetRepr {
    EthernetRepr {
        src_addr: EthernetAddress([0x02, 0, 0, 0, 0, src]),
        dst_addr: EthernetAddress([0x02, 0, 0, 0, 0, dst]),
        tags: [None; MAX_TAGS],
        ethertype: EtherType::Ipv4,
    }
}

/// Write Ethernet + IPv4 + UDP headers around `out[42..]` (the data, which
/// must already be in place) and fill both checksums.
fn emit_eth_ipv4_udp(
    out: &mut [u8],
    (src, dst): (Ipv4Addr, Ipv4Addr),
    ports: (u16, u16),
    macs: (u8, u8),
) -> Result<()> {
    let data_len = out
        .len()
        .checked_sub(ETH_IPV4_UDP_OVERHEAD)
        .ok_or(Error::Truncated)?;
    eth(macs.0, macs.1).emit(&mut EthernetFrame::new_unchecked(&mut out[..14]))?;
    let udp = UdpRepr {
        src_port: ports.0,
        dst_port: ports.1,
        payload_len: data_len,
    };
    let mut ip = Ipv4Repr::new(src, dst, IpProtocol::Udp, udp.total_len(), 64);
    ip.dont_frag = true;
    ip.emit(&mut Ipv4Packet::new_unchecked(&mut out[14..]))?;
    let mut u = UdpPacket::new_unchecked(&mut out[34..]);
    udp.emit(&mut u)?;
    u.fill_checksum_v4(src, dst);
    Ok(())
}

/// An Ethernet + IPv4 + UDP frame of exactly `len` bytes (at least 42),
/// with a counting pattern as data.
pub fn eth_ipv4_udp(len: usize) -> Result<Vec<u8>> {
    let mut f = vec![0u8; len];
    for (i, b) in f.iter_mut().enumerate().skip(ETH_IPV4_UDP_OVERHEAD) {
        *b = i as u8;
    }
    emit_eth_ipv4_udp(&mut f, (SRC, DST), (40000, 9999), (1, 2))?;
    Ok(f)
}

/// A VXLAN packet (outer Ethernet/IPv4/UDP/VXLAN, VNI 100) of exactly
/// `len` bytes, carrying an inner Ethernet/IPv4/UDP frame of
/// `len - VXLAN_OVERHEAD` bytes.
pub fn vxlan_eth_ipv4_udp(len: usize) -> Result<Vec<u8>> {
    let inner_len = len.checked_sub(VXLAN_OVERHEAD).ok_or(Error::Truncated)?;
    let inner = eth_ipv4_udp(inner_len)?;
    let mut f = vec![0u8; len];
    f[VXLAN_OVERHEAD..].copy_from_slice(&inner);
    let vx = VxlanRepr {
        vni: Vni::new(100)?,
    };
    vx.emit(&mut VxlanPacket::new_unchecked(
        &mut f[ETH_IPV4_UDP_OVERHEAD..],
    ))?;
    emit_eth_ipv4_udp(
        &mut f,
        (VTEP_SRC, VTEP_DST),
        (49826, VXLAN_PORT),
        (0x10, 0x20),
    )?;
    Ok(f)
}

/// What [`rx_eth_ipv4_udp`] found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Rx {
    /// The IPv4 header.
    pub ip: Ipv4Repr,
    /// The UDP header.
    pub udp: UdpRepr,
    /// Offset of the UDP data in the frame.
    pub data_at: usize,
}

/// The receive-path work for one frame: check and parse Ethernet, IPv4
/// (header checksum verified) and UDP (checksum over pseudo-header, header
/// and data verified).
pub fn rx_eth_ipv4_udp(frame: &[u8]) -> Result<Rx> {
    let f = EthernetFrame::new_checked(frame)?;
    let eth = EthernetRepr::parse(&f)?;
    if eth.ethertype != EtherType::Ipv4 {
        return Err(Error::Unsupported);
    }
    let hl = f.header_len();
    let p = Ipv4Packet::new_checked(f.payload())?;
    let ip = Ipv4Repr::parse(&p)?;
    if ip.protocol != IpProtocol::Udp || ip.more_frags || ip.frag_offset != 0 {
        return Err(Error::Unsupported);
    }
    let u = UdpPacket::new_checked(p.payload())?;
    let udp = UdpRepr::parse_v4(&u, ip.src_addr, ip.dst_addr)?;
    Ok(Rx {
        ip,
        udp,
        data_at: hl + p.header_len() + 8,
    })
}

/// The VXLAN receive path: the outer frame as in [`rx_eth_ipv4_udp`]
/// (destination port 4789), the VXLAN header (I flag), then the inner frame
/// the same way. Returns the VNI and the inner result.
pub fn rx_vxlan(frame: &[u8]) -> Result<(Vni, Rx)> {
    let outer = rx_eth_ipv4_udp(frame)?;
    if outer.udp.dst_port != VXLAN_PORT {
        return Err(Error::Unsupported);
    }
    let end = outer.data_at + outer.udp.payload_len;
    let vx_bytes = frame.get(outer.data_at..end).ok_or(Error::Truncated)?;
    let vx = VxlanPacket::new_checked(vx_bytes)?;
    let repr = VxlanRepr::parse(&vx)?;
    let inner = rx_eth_ipv4_udp(vx.payload())?;
    Ok((repr.vni, inner))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn built_frames_have_the_asked_length_and_parse() {
        for len in [64, 1500] {
            let f = eth_ipv4_udp(len).unwrap();
            assert_eq!(f.len(), len);
            let rx = rx_eth_ipv4_udp(&f).unwrap();
            assert_eq!(rx.udp.payload_len, len - ETH_IPV4_UDP_OVERHEAD);
            assert_eq!((rx.ip.src_addr, rx.ip.dst_addr), (SRC, DST));
            assert_eq!(rx.data_at, 42);
        }
        for len in [VXLAN_OVERHEAD + 64, 1500] {
            let f = vxlan_eth_ipv4_udp(len).unwrap();
            assert_eq!(f.len(), len);
            let (vni, inner) = rx_vxlan(&f).unwrap();
            assert_eq!(vni.get(), 100);
            assert_eq!(inner.udp.payload_len, len - VXLAN_OVERHEAD - 42);
        }
        assert_eq!(eth_ipv4_udp(41), Err(Error::Truncated));
    }

    #[test]
    fn a_corrupted_frame_is_rejected() {
        let mut f = vxlan_eth_ipv4_udp(1500).unwrap();
        let last = f.len() - 1;
        f[last] ^= 0xff;
        // The outer UDP checksum covers the inner frame.
        assert_eq!(rx_vxlan(&f), Err(Error::BadChecksum));
        let mut f = eth_ipv4_udp(64).unwrap();
        f[14 + 8] ^= 1; // TTL: the IPv4 header checksum catches it.
        assert_eq!(rx_eth_ipv4_udp(&f), Err(Error::BadChecksum));
    }
}
