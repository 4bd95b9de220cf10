//! IP protocol numbers (IANA "Assigned Internet Protocol Numbers"), shared by
//! IPv4's Protocol field and IPv6's Next Header field.

/// An IP protocol number / IPv6 next-header value. Unknown values round-trip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum IpProtocol {
    /// IPv6 Hop-by-Hop Options (RFC 8200).
    HopByHop,
    /// ICMP (RFC 792).
    Icmp,
    /// TCP (RFC 9293).
    Tcp,
    /// UDP (RFC 768).
    Udp,
    /// IPv6 Routing header (RFC 8200).
    Ipv6Route,
    /// IPv6 Fragment header (RFC 8200).
    Ipv6Frag,
    /// GRE (RFC 2784).
    Gre,
    /// ESP (RFC 4303).
    Esp,
    /// AH (RFC 4302).
    Ah,
    /// ICMPv6 (RFC 4443).
    Icmpv6,
    /// IPv6 No Next Header (RFC 8200).
    Ipv6NoNxt,
    /// IPv6 Destination Options (RFC 8200).
    Ipv6Opts,
    /// IPv4-in-IP (RFC 2003).
    IpIp,
    /// IPv6-in-IP (RFC 2473).
    Ipv6,
    /// MPLS-in-IP (RFC 4023).
    MplsInIp,
    /// Any other value.
    Unknown(u8),
}

impl From<u8> for IpProtocol {
    fn from(v: u8) -> Self {
        match v {
            0 => IpProtocol::HopByHop,
            1 => IpProtocol::Icmp,
            4 => IpProtocol::IpIp,
            6 => IpProtocol::Tcp,
            17 => IpProtocol::Udp,
            41 => IpProtocol::Ipv6,
            43 => IpProtocol::Ipv6Route,
            44 => IpProtocol::Ipv6Frag,
            47 => IpProtocol::Gre,
            50 => IpProtocol::Esp,
            51 => IpProtocol::Ah,
            58 => IpProtocol::Icmpv6,
            59 => IpProtocol::Ipv6NoNxt,
            60 => IpProtocol::Ipv6Opts,
            137 => IpProtocol::MplsInIp,
            other => IpProtocol::Unknown(other),
        }
    }
}

impl From<IpProtocol> for u8 {
    fn from(p: IpProtocol) -> u8 {
        match p {
            IpProtocol::HopByHop => 0,
            IpProtocol::Icmp => 1,
            IpProtocol::IpIp => 4,
            IpProtocol::Tcp => 6,
            IpProtocol::Udp => 17,
            IpProtocol::Ipv6 => 41,
            IpProtocol::Ipv6Route => 43,
            IpProtocol::Ipv6Frag => 44,
            IpProtocol::Gre => 47,
            IpProtocol::Esp => 50,
            IpProtocol::Ah => 51,
            IpProtocol::Icmpv6 => 58,
            IpProtocol::Ipv6NoNxt => 59,
            IpProtocol::Ipv6Opts => 60,
            IpProtocol::MplsInIp => 137,
            IpProtocol::Unknown(v) => v,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_value_round_trips() {
        for v in 0..=255u8 {
            assert_eq!(u8::from(IpProtocol::from(v)), v);
        }
    }
}
