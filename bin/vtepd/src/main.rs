//! vtepd: the daemon and its command line.

mod bgp;
mod config;
mod control;
mod daemon;
mod decode;
mod dynamic;
mod evpn;
mod malloc;
mod netlink;
mod pcap;
mod reload;
mod unnumbered;

use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};

#[derive(Debug, Parser)]
#[command(name = "vtepd", version, about = "A user-space EVPN/VXLAN router")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode captured frames (a classic pcap file, as tcpdump -w writes) layer
    /// by layer with vtepd's own packet parsers.
    Decode {
        /// The pcap file.
        pcap: PathBuf,
        /// Only the first N frames.
        #[arg(short = 'n', long)]
        count: Option<usize>,
    },
    /// Validate a configuration file without starting.
    Check {
        /// The configuration file.
        #[arg(short = 'c', long = "config")]
        config: PathBuf,
    },
    /// Run the daemon.
    Run {
        /// The configuration file.
        #[arg(short = 'c', long = "config")]
        config: PathBuf,
        /// Control socket path (overrides the config).
        #[arg(long)]
        socket: Option<PathBuf>,
        /// Log level, or `target=level` directives separated by commas
        /// (overrides the config; RUST_LOG wins).
        #[arg(long)]
        log_level: Option<String>,
    },
    /// Make a running daemon re-read its configuration file and apply the
    /// changes (a bad file is refused and the running configuration kept;
    /// settings that take a restart are named and not applied).
    Reload {
        #[command(flatten)]
        to: Daemon,
    },
    /// Act on a running daemon: `clear evpn dup-addr vni N [mac M]`
    /// unfreezes duplicate MACs (all of the VNI's, or one).
    Clear {
        #[command(flatten)]
        to: Daemon,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// What to clear.
        #[arg(required = true, num_args = 1.., trailing_var_arg = true)]
        words: Vec<String>,
    },
    /// Show state of a running daemon: `show bgp summary`,
    /// `show bgp neighbors [ADDR]`, `show bgp evpn route [type N] [vni N]`,
    /// `show bgp ipv4|ipv6|vpnv4|vpnv6`, `show evpn mac [vni N]`,
    /// `show evpn vni [N]`, `show evpn arp-cache [vni N]`, `show vteps`,
    /// `show interfaces`.
    Show {
        #[command(flatten)]
        to: Daemon,
        /// Print JSON.
        #[arg(long)]
        json: bool,
        /// What to show.
        #[arg(required = true, num_args = 1.., trailing_var_arg = true)]
        words: Vec<String>,
    },
}

/// Which running daemon a client command talks to.
#[derive(Debug, clap::Args)]
struct Daemon {
    /// Control socket path.
    #[arg(long)]
    socket: Option<PathBuf>,
    /// Take the socket path from this configuration file.
    #[arg(short = 'c', long = "config")]
    config: Option<PathBuf>,
}

impl Daemon {
    fn socket(&self) -> PathBuf {
        control::socket_path(self.socket.clone(), self.config.as_deref())
    }
}

/// Log to stderr through `filter`: `RUST_LOG` when set, else `level` (the
/// command line's, else the configuration file's); see
/// [`config::log_filter`]. A `Targets` filter rather than an `EnvFilter`: no
/// span or field filters, and no regular-expression engine in the binary
/// (a third of a megabyte on MIPS).
fn init_logging(level: &str) -> Result<()> {
    use tracing_subscriber::prelude::*;
    let filter = match std::env::var("RUST_LOG") {
        Ok(v) if !v.trim().is_empty() => {
            config::log_filter(&v).map_err(|e| anyhow::anyhow!("RUST_LOG: {e}"))?
        }
        _ => config::log_filter(level).map_err(|e| anyhow::anyhow!("log level: {e}"))?,
    };
    tracing_subscriber::registry()
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::stderr))
        .with(filter)
        .init();
    Ok(())
}

fn main() -> Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Decode { pcap, count } => {
            let file =
                std::fs::read(&pcap).with_context(|| format!("reading {}", pcap.display()))?;
            let recs = pcap::records(&file).with_context(|| format!("{}", pcap.display()))?;
            for (i, r) in recs.iter().take(count.unwrap_or(usize::MAX)).enumerate() {
                let cut = if (r.orig_len as usize) > r.data.len() {
                    format!(" (captured {} of {})", r.data.len(), r.orig_len)
                } else {
                    String::new()
                };
                println!("frame {} at {}.{:06}{cut}", i + 1, r.ts.0, r.ts.1 / 1000);
                for line in decode::frame(r.data) {
                    println!("  {line}");
                }
            }
        }
        Command::Check { config } => {
            let cfg = config::Config::load(&config)?;
            println!(
                "{}: OK (router-id {}, AS {}, {} neighbors, {} VNIs, {} originated routes)",
                config.display(),
                cfg.router_id,
                cfg.asn,
                cfg.neighbors.len(),
                cfg.vnis.len(),
                cfg.originate.len()
            );
        }
        Command::Run {
            config,
            socket,
            log_level,
        } => {
            let cfg = config::Config::load(&config)?;
            init_logging(log_level.as_deref().unwrap_or(&cfg.log_level))?;
            daemon::run(cfg, socket)?;
        }
        Command::Reload { to } => println!("{}", control::reload(&to.socket())?),
        Command::Clear { to, json, words } => control::clear(&to.socket(), &words, json)?,
        Command::Show { to, json, words } => control::show(&to.socket(), &words, json)?,
    }
    Ok(())
}
