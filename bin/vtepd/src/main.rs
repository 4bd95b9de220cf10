//! vtepd: the daemon and its command line.

mod decode;
mod pcap;

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
    }
    Ok(())
}
