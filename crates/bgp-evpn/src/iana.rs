//! IANA code points used by the codec, each with the RFC that assigns it.
//!
//! This is the only place where BGP numbers are spelled out; the model types
//! convert to and from these constants. Registries:
//! <https://www.iana.org/assignments/bgp-parameters/>,
//! <https://www.iana.org/assignments/address-family-numbers/>,
//! <https://www.iana.org/assignments/safi-namespace/>,
//! <https://www.iana.org/assignments/capability-codes/>,
//! <https://www.iana.org/assignments/bgp-extended-communities/>.

/// BGP message types (RFC 4271 §4.1; ROUTE-REFRESH RFC 2918 §3).
pub mod message_type {
    /// OPEN (RFC 4271 §4.2).
    pub const OPEN: u8 = 1;
    /// UPDATE (RFC 4271 §4.3).
    pub const UPDATE: u8 = 2;
    /// NOTIFICATION (RFC 4271 §4.5).
    pub const NOTIFICATION: u8 = 3;
    /// KEEPALIVE (RFC 4271 §4.4).
    pub const KEEPALIVE: u8 = 4;
    /// ROUTE-REFRESH (RFC 2918 §3).
    pub const ROUTE_REFRESH: u8 = 5;
}

/// OPEN optional parameter types (RFC 5492 §4; RFC 9072 §2 for 255).
pub mod open_param {
    /// Capabilities (RFC 5492 §4).
    pub const CAPABILITIES: u8 = 2;
    /// Marker of the extended optional parameters length (RFC 9072 §2).
    pub const EXTENDED_LENGTH: u8 = 255;
}

/// Capability codes (RFC 5492 §4 and the RFCs named per code).
pub mod capability {
    /// Multiprotocol extensions (RFC 4760 §8).
    pub const MULTIPROTOCOL: u8 = 1;
    /// Route refresh (RFC 2918 §2).
    pub const ROUTE_REFRESH: u8 = 2;
    /// Extended next hop encoding (RFC 8950 §3).
    pub const EXTENDED_NEXT_HOP: u8 = 5;
    /// Extended message (RFC 8654 §3).
    pub const EXTENDED_MESSAGE: u8 = 6;
    /// Multiple labels (RFC 8277 §2.1); not implemented, kept raw.
    pub const MULTIPLE_LABELS: u8 = 8;
    /// Graceful restart (RFC 4724 §3).
    pub const GRACEFUL_RESTART: u8 = 64;
    /// Support for 4-octet AS numbers (RFC 6793 §3).
    pub const FOUR_OCTET_AS: u8 = 65;
    /// ADD-PATH (RFC 7911 §4).
    pub const ADD_PATH: u8 = 69;
    /// Enhanced route refresh (RFC 7313 §3.1).
    pub const ENHANCED_ROUTE_REFRESH: u8 = 70;
    /// FQDN / hostname (draft-walton-bgp-hostname-capability; FRR sends it).
    pub const FQDN: u8 = 73;
    /// Pre-standard route refresh as Cisco sends it (RFC 8810 lists 128 as deprecated).
    pub const ROUTE_REFRESH_CISCO: u8 = 128;
}

/// Path attribute type codes (RFC 4271 §5 and the RFCs named per code).
pub mod attr_type {
    /// ORIGIN (RFC 4271 §5.1.1).
    pub const ORIGIN: u8 = 1;
    /// AS_PATH (RFC 4271 §5.1.2).
    pub const AS_PATH: u8 = 2;
    /// NEXT_HOP (RFC 4271 §5.1.3).
    pub const NEXT_HOP: u8 = 3;
    /// MULTI_EXIT_DISC (RFC 4271 §5.1.4).
    pub const MULTI_EXIT_DISC: u8 = 4;
    /// LOCAL_PREF (RFC 4271 §5.1.5).
    pub const LOCAL_PREF: u8 = 5;
    /// ATOMIC_AGGREGATE (RFC 4271 §5.1.6).
    pub const ATOMIC_AGGREGATE: u8 = 6;
    /// AGGREGATOR (RFC 4271 §5.1.7).
    pub const AGGREGATOR: u8 = 7;
    /// COMMUNITIES (RFC 1997).
    pub const COMMUNITIES: u8 = 8;
    /// ORIGINATOR_ID (RFC 4456 §8).
    pub const ORIGINATOR_ID: u8 = 9;
    /// CLUSTER_LIST (RFC 4456 §8).
    pub const CLUSTER_LIST: u8 = 10;
    /// MP_REACH_NLRI (RFC 4760 §3).
    pub const MP_REACH_NLRI: u8 = 14;
    /// MP_UNREACH_NLRI (RFC 4760 §4).
    pub const MP_UNREACH_NLRI: u8 = 15;
    /// EXTENDED COMMUNITIES (RFC 4360 §2).
    pub const EXTENDED_COMMUNITIES: u8 = 16;
    /// AS4_PATH (RFC 6793 §3).
    pub const AS4_PATH: u8 = 17;
    /// AS4_AGGREGATOR (RFC 6793 §3).
    pub const AS4_AGGREGATOR: u8 = 18;
    /// PMSI_TUNNEL (RFC 6514 §5).
    pub const PMSI_TUNNEL: u8 = 22;
    /// LARGE_COMMUNITY (RFC 8092 §3).
    pub const LARGE_COMMUNITIES: u8 = 32;
}

/// Path attribute flag bits (RFC 4271 §4.3).
pub mod attr_flags {
    /// Optional (1) or well-known (0).
    pub const OPTIONAL: u8 = 0x80;
    /// Transitive (1) or non-transitive (0).
    pub const TRANSITIVE: u8 = 0x40;
    /// Partial: some router on the path did not recognise this optional transitive attribute.
    pub const PARTIAL: u8 = 0x20;
    /// Extended length: the length field is two octets.
    pub const EXTENDED_LENGTH: u8 = 0x10;
}

/// Address family identifiers (IANA address family numbers).
pub mod afi {
    /// IPv4 (RFC 4760).
    pub const IPV4: u16 = 1;
    /// IPv6 (RFC 4760).
    pub const IPV6: u16 = 2;
    /// Layer 2 VPN (RFC 4761, used by EVPN RFC 7432 §7).
    pub const L2VPN: u16 = 25;
}

/// Subsequent address family identifiers.
pub mod safi {
    /// Unicast forwarding (RFC 4760).
    pub const UNICAST: u8 = 1;
    /// Multicast forwarding (RFC 4760).
    pub const MULTICAST: u8 = 2;
    /// NLRI with MPLS labels (RFC 8277).
    pub const MPLS_LABEL: u8 = 4;
    /// EVPN (RFC 7432 §7).
    pub const EVPN: u8 = 70;
    /// MPLS-labelled VPN address (RFC 4364 §4.3.4, RFC 8277).
    pub const MPLS_VPN: u8 = 128;
}

/// EVPN route types (RFC 7432 §7, RFC 9136 §3).
pub mod evpn_route_type {
    /// Ethernet Auto-discovery (RFC 7432 §7.1).
    pub const ETHERNET_AD: u8 = 1;
    /// MAC/IP Advertisement (RFC 7432 §7.2).
    pub const MAC_IP_ADVERTISEMENT: u8 = 2;
    /// Inclusive Multicast Ethernet Tag (RFC 7432 §7.3).
    pub const INCLUSIVE_MULTICAST: u8 = 3;
    /// Ethernet Segment (RFC 7432 §7.4).
    pub const ETHERNET_SEGMENT: u8 = 4;
    /// IP Prefix (RFC 9136 §3).
    pub const IP_PREFIX: u8 = 5;
}

/// Route distinguisher types (RFC 4364 §4.2).
pub mod rd_type {
    /// 2-octet AS administrator, 4-octet assigned number.
    pub const AS2: u16 = 0;
    /// IPv4 address administrator, 2-octet assigned number.
    pub const IPV4: u16 = 1;
    /// 4-octet AS administrator, 2-octet assigned number.
    pub const AS4: u16 = 2;
}

/// Extended community high-order type octets (RFC 4360 §3, RFC 7153, RFC 7432 §7.5).
pub mod extcomm_type {
    /// Transitive two-octet AS specific (RFC 4360 §3.1).
    pub const TRANSITIVE_AS2: u8 = 0x00;
    /// Transitive IPv4 address specific (RFC 4360 §3.2).
    pub const TRANSITIVE_IPV4: u8 = 0x01;
    /// Transitive four-octet AS specific (RFC 5668 §2).
    pub const TRANSITIVE_AS4: u8 = 0x02;
    /// Transitive opaque (RFC 4360 §3.3, RFC 7153).
    pub const TRANSITIVE_OPAQUE: u8 = 0x03;
    /// EVPN (RFC 7432 §7.5).
    pub const EVPN: u8 = 0x06;
}

/// Extended community sub-types (low-order type octet).
pub mod extcomm_subtype {
    /// Route target, with types 0x00/0x01/0x02 (RFC 4360 §4, RFC 5668).
    pub const ROUTE_TARGET: u8 = 0x02;
    /// Route origin, with types 0x00/0x01/0x02 (RFC 4360 §5).
    pub const ROUTE_ORIGIN: u8 = 0x03;
    /// Encapsulation, with type 0x03 (RFC 9012 §4.1).
    pub const ENCAPSULATION: u8 = 0x0c;
    /// Default gateway, with type 0x03 (RFC 7432 §7.8).
    pub const DEFAULT_GATEWAY: u8 = 0x0d;
    /// MAC mobility, with type 0x06 (RFC 7432 §7.7).
    pub const MAC_MOBILITY: u8 = 0x00;
    /// ESI label, with type 0x06 (RFC 7432 §7.5).
    pub const ESI_LABEL: u8 = 0x01;
    /// ES-Import route target, with type 0x06 (RFC 7432 §7.6).
    pub const ES_IMPORT_RT: u8 = 0x02;
    /// EVPN router's MAC, with type 0x06 (RFC 9135 §8.1).
    pub const ROUTER_MAC: u8 = 0x03;
}

/// BGP tunnel encapsulation types (RFC 9012 §14.5 registry).
pub mod tunnel_type {
    /// VXLAN (RFC 8365 §5.1.3).
    pub const VXLAN: u16 = 8;
    /// NVGRE (RFC 8365).
    pub const NVGRE: u16 = 9;
    /// MPLS (RFC 8365).
    pub const MPLS: u16 = 10;
    /// MPLS in GRE (RFC 9012).
    pub const MPLS_IN_GRE: u16 = 11;
    /// VXLAN-GPE (RFC 9012).
    pub const VXLAN_GPE: u16 = 12;
    /// MPLS in UDP (RFC 7510).
    pub const MPLS_IN_UDP: u16 = 13;
    /// Geneve (RFC 8926).
    pub const GENEVE: u16 = 19;
}

/// P-multicast service interface tunnel types (RFC 6514 §5, RFC 7432 §11.2).
pub mod pmsi_tunnel_type {
    /// No tunnel information present.
    pub const NO_TUNNEL_INFO: u8 = 0;
    /// Ingress replication: the tunnel identifier is the endpoint's unicast address.
    pub const INGRESS_REPLICATION: u8 = 6;
}

/// NOTIFICATION error codes (RFC 4271 §4.5, RFC 7313 §5 for 7).
pub mod error_code {
    /// Message header error (RFC 4271 §6.1).
    pub const MESSAGE_HEADER: u8 = 1;
    /// OPEN message error (RFC 4271 §6.2).
    pub const OPEN_MESSAGE: u8 = 2;
    /// UPDATE message error (RFC 4271 §6.3).
    pub const UPDATE_MESSAGE: u8 = 3;
    /// Hold timer expired (RFC 4271 §6.5).
    pub const HOLD_TIMER_EXPIRED: u8 = 4;
    /// Finite state machine error (RFC 4271 §6.6, subcodes RFC 6608).
    pub const FSM: u8 = 5;
    /// Cease (RFC 4271 §6.7, subcodes RFC 4486).
    pub const CEASE: u8 = 6;
    /// ROUTE-REFRESH message error (RFC 7313 §5).
    pub const ROUTE_REFRESH_MESSAGE: u8 = 7;
}

/// Message header error subcodes (RFC 4271 §6.1).
pub mod header_subcode {
    /// Connection not synchronised (marker not all ones).
    pub const CONNECTION_NOT_SYNCHRONIZED: u8 = 1;
    /// Bad message length.
    pub const BAD_MESSAGE_LENGTH: u8 = 2;
    /// Bad message type.
    pub const BAD_MESSAGE_TYPE: u8 = 3;
}

/// OPEN message error subcodes (RFC 4271 §6.2, RFC 5492 §5).
pub mod open_subcode {
    /// No specific subcode (RFC 4271 §4.5).
    pub const UNSPECIFIC: u8 = 0;
    /// Unsupported version number.
    pub const UNSUPPORTED_VERSION: u8 = 1;
    /// Bad peer AS.
    pub const BAD_PEER_AS: u8 = 2;
    /// Bad BGP identifier.
    pub const BAD_BGP_IDENTIFIER: u8 = 3;
    /// Unsupported optional parameter.
    pub const UNSUPPORTED_OPTIONAL_PARAMETER: u8 = 4;
    /// Unacceptable hold time.
    pub const UNACCEPTABLE_HOLD_TIME: u8 = 6;
    /// Unsupported capability (RFC 5492 §5).
    pub const UNSUPPORTED_CAPABILITY: u8 = 7;
}

/// UPDATE message error subcodes (RFC 4271 §6.3).
pub mod update_subcode {
    /// Malformed attribute list.
    pub const MALFORMED_ATTRIBUTE_LIST: u8 = 1;
    /// Unrecognised well-known attribute.
    pub const UNRECOGNIZED_WELL_KNOWN_ATTRIBUTE: u8 = 2;
    /// Missing well-known attribute.
    pub const MISSING_WELL_KNOWN_ATTRIBUTE: u8 = 3;
    /// Attribute flags error.
    pub const ATTRIBUTE_FLAGS_ERROR: u8 = 4;
    /// Attribute length error.
    pub const ATTRIBUTE_LENGTH_ERROR: u8 = 5;
    /// Invalid ORIGIN attribute.
    pub const INVALID_ORIGIN: u8 = 6;
    /// Invalid NEXT_HOP attribute.
    pub const INVALID_NEXT_HOP: u8 = 8;
    /// Optional attribute error.
    pub const OPTIONAL_ATTRIBUTE_ERROR: u8 = 9;
    /// Invalid network field.
    pub const INVALID_NETWORK_FIELD: u8 = 10;
    /// Malformed AS_PATH.
    pub const MALFORMED_AS_PATH: u8 = 11;
}

/// ROUTE-REFRESH message error subcodes (RFC 7313 §5).
pub mod route_refresh_subcode {
    /// Invalid message length.
    pub const INVALID_MESSAGE_LENGTH: u8 = 1;
}

/// ROUTE-REFRESH message subtypes (RFC 7313 §3.2; the octet was Reserved in RFC 2918).
pub mod route_refresh_subtype {
    /// Normal route refresh request.
    pub const NORMAL: u8 = 0;
    /// Beginning of route refresh.
    pub const BORR: u8 = 1;
    /// End of route refresh.
    pub const EORR: u8 = 2;
}

/// Cease subcodes (RFC 4486 §4, RFC 8203 for 2/4 with a shutdown message).
pub mod cease_subcode {
    /// Maximum number of prefixes reached.
    pub const MAX_PREFIXES: u8 = 1;
    /// Administrative shutdown.
    pub const ADMIN_SHUTDOWN: u8 = 2;
    /// Peer de-configured.
    pub const PEER_DECONFIGURED: u8 = 3;
    /// Administrative reset.
    pub const ADMIN_RESET: u8 = 4;
    /// Connection rejected.
    pub const CONNECTION_REJECTED: u8 = 5;
    /// Other configuration change.
    pub const OTHER_CONFIG_CHANGE: u8 = 6;
    /// Connection collision resolution.
    pub const CONNECTION_COLLISION: u8 = 7;
    /// Out of resources.
    pub const OUT_OF_RESOURCES: u8 = 8;
    /// Hard Reset (RFC 8538 §3): the data is the NOTIFICATION it stands
    /// for (code, subcode, data), and graceful restart does not apply.
    pub const HARD_RESET: u8 = 9;
}

/// Well-known communities (RFC 1997, RFC 3765 for NO_PEER).
pub mod community {
    /// NO_EXPORT.
    pub const NO_EXPORT: u32 = 0xffff_ff01;
    /// NO_ADVERTISE.
    pub const NO_ADVERTISE: u32 = 0xffff_ff02;
    /// NO_EXPORT_SUBCONFED.
    pub const NO_EXPORT_SUBCONFED: u32 = 0xffff_ff03;
    /// NOPEER (RFC 3765).
    pub const NO_PEER: u32 = 0xffff_ff04;
}

/// AS_PATH segment types (RFC 4271 §4.3, RFC 5065 §3 for the confederation types).
pub mod as_path_segment {
    /// AS_SET.
    pub const AS_SET: u8 = 1;
    /// AS_SEQUENCE.
    pub const AS_SEQUENCE: u8 = 2;
    /// AS_CONFED_SEQUENCE (RFC 5065).
    pub const AS_CONFED_SEQUENCE: u8 = 3;
    /// AS_CONFED_SET (RFC 5065).
    pub const AS_CONFED_SET: u8 = 4;
}

/// AS_TRANS, the 2-octet stand-in for a 4-octet AS (RFC 6793 §9).
pub const AS_TRANS: u16 = 23456;

/// The BGP version this codec speaks (RFC 4271 §4.2).
pub const BGP_VERSION: u8 = 4;
