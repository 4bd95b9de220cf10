//! vtepd: the daemon and its command line.

use anyhow::Result;
use clap::Parser;

#[derive(Debug, Parser)]
#[command(name = "vtepd", version, about = "A user-space EVPN/VXLAN router")]
struct Cli {}

fn main() -> Result<()> {
    let _cli = Cli::parse();
    Ok(())
}
