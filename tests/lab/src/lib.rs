//! The network-namespace lab that every interop test of vtepd runs in.
//!
//! A test builds a small network out of Linux network namespaces, veth
//! pairs, kernel bridges and kernel VXLAN devices, starts reference routers
//! (FRR's zebra and bgpd, GoBGP, wireguard-go) or vtepd itself inside them,
//! waits for the control plane to converge and checks the data plane with
//! pings and packet captures.
//!
//! # Contract
//!
//! - Every test calls [`preflight`] first (or [`Lab::new`], which calls it).
//!   It panics, naming the Debian package to install, when the machine lacks
//!   root or a required binary. Tests never skip silently.
//! - Everything a test creates is an RAII handle: [`Netns`], [`Veth`],
//!   [`Bridge`], [`Vxlan`], [`Address`], [`Route`], [`Process`], [`Frr`],
//!   [`GoBgp`], [`WireguardGo`], [`NftTable`], [`Capture`]. Dropping it (also
//!   while unwinding from a failed assertion) removes the resource; daemons
//!   are stopped by their PID, never by name. When the last handle of a
//!   [`Lab`] is gone, the lab also sweeps anything with its name prefix that
//!   is still left (namespaces, FRR path spaces, its scratch directory).
//! - Names are unique per process and lab (`vl<pid>-<lab>-<name>` for
//!   namespaces and FRR path spaces), so tests run in parallel. Interface
//!   names inside a namespace are the test's choice.
//! - Waiting is always bounded: [`wait_until`] / [`Lab::wait_until`] poll a
//!   condition until a deadline. On timeout the error carries the
//!   diagnostics of every live resource of the lab (daemon logs, `vtysh`
//!   `show` output, addresses, routes, FDB), so a failed CI run explains
//!   itself.
//! - Commands are synchronous `std::process::Command`s (`ip`, `bridge`,
//!   `nft`, `vtysh`, `gobgp`, `wg`, `tcpdump`); errors are `anyhow` errors
//!   carrying the command line and its stderr.
//!
//! [`topo`] has the shapes many tests share: two namespaces on one link
//! ([`topo::Pair`]), a hub with spokes ([`topo::Star`]), an L2 VNI segment
//! with a host behind it ([`topo::L2Segment`]), FRR's bgpd configuration of
//! an EVPN VTEP, numbered or unnumbered ([`topo::EvpnBgpConf`]), and
//! GoBGP's configuration ([`topo::GobgpdConf`]).
//!
//! # Example
//!
//! ```no_run
//! use std::time::Duration;
//! use vtepd_lab::{Lab, Veth};
//!
//! # fn main() -> anyhow::Result<()> {
//! let lab = Lab::new()?;
//! let a = lab.netns("a")?;
//! let b = lab.netns("b")?;
//! let _link = Veth::pair(&a, "eth0", &b, "eth0")
//!     .addrs_a(&["10.0.0.1/24"])
//!     .addrs_b(&["10.0.0.2/24"])
//!     .create()?;
//! a.wait_ping("10.0.0.2", Duration::from_secs(5))?;
//! # Ok(())
//! # }
//! ```

mod capture;
mod cmd;
mod frr;
mod gobgp;
mod lab;
mod link;
mod netns;
mod nft;
pub mod pcap;
mod preflight;
mod process;
pub mod topo;
mod wait;
mod wireguard;

pub use capture::Capture;
pub use cmd::{run, run_cmd, run_stdin};
pub use frr::Frr;
pub use gobgp::GoBgp;
pub use lab::{DiagGuard, Lab};
pub use link::{Address, Bridge, Route, Veth, VethBuilder, Vxlan, VxlanBuilder};
pub use netns::Netns;
pub use nft::{NftHook, NftTable};
pub use preflight::{preflight, REQUIRED};
pub use process::{Process, ProcessSpec};
pub use wait::{wait_until, IntoDeadline, Probe};
pub use wireguard::{wg_genkey, wg_pubkey, WireguardGo};

/// The result type of the lab: an `anyhow` error with context.
pub type Result<T, E = anyhow::Error> = std::result::Result<T, E>;

/// Re-exported so tests can match on JSON without naming the dependency.
pub use serde_json;
