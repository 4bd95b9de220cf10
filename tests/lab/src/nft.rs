//! nftables tables installed in a namespace (NAT, packet loss), deleted on
//! drop.

use std::fmt;
use std::process::Command;

use anyhow::bail;

use crate::cmd::run_ignore;
use crate::{Netns, Result};

/// Which netdev hook a loss rule sits on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NftHook {
    /// Packets arriving on the device.
    Ingress,
    /// Packets leaving through the device (kernel 5.16+).
    Egress,
}

/// An nftables table in one namespace; `nft delete table` on drop.
pub struct NftTable {
    ns: String,
    family: String,
    name: String,
}

impl fmt::Debug for NftTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "NftTable({} {} in {})", self.family, self.name, self.ns)
    }
}

fn check_word(w: &str) -> Result<()> {
    if w.is_empty()
        || !w
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:/".contains(&b))
    {
        bail!("{w:?} is not a plain nftables word");
    }
    Ok(())
}

impl NftTable {
    /// The table's `family name`, e.g. `ip vtepd_lab_nat_3`.
    pub fn id(&self) -> String {
        format!("{} {}", self.family, self.name)
    }

    /// `nft list table FAMILY NAME` (with counters).
    pub fn list(&self) -> Result<String> {
        crate::run_cmd(Command::new("ip").args([
            "netns",
            "exec",
            &self.ns,
            "nft",
            "list",
            "table",
            &self.family,
            &self.name,
        ]))
    }
}

impl Drop for NftTable {
    fn drop(&mut self) {
        run_ignore(
            "ip",
            &[
                "netns",
                "exec",
                &self.ns,
                "nft",
                "delete",
                "table",
                &self.family,
                &self.name,
            ],
        );
    }
}

impl Netns {
    /// Install `table FAMILY NAME { BODY }` with `nft -f -`. The body holds
    /// chains and rules in nft syntax.
    pub fn nft_table(&self, family: &str, name: &str, body: &str) -> Result<NftTable> {
        check_word(family)?;
        check_word(name)?;
        let ruleset = format!("table {family} {name} {{\n{body}\n}}\n");
        crate::run_stdin(self.command("nft").args(["-f", "-"]), ruleset.as_bytes())?;
        Ok(NftTable {
            ns: self.name().to_owned(),
            family: family.to_owned(),
            name: name.to_owned(),
        })
    }

    fn nft_name(&self, kind: &str) -> String {
        format!("vtepd_lab_{kind}_{}", self.lab().next())
    }

    /// Masquerade IPv4 traffic leaving through `oif` (source NAT to that
    /// interface's address, as a home router or cloud NAT does).
    pub fn nft_masquerade(&self, oif: &str) -> Result<NftTable> {
        check_word(oif)?;
        let body = format!(
            "  chain post {{ type nat hook postrouting priority srcnat; policy accept;\n    oifname \"{oif}\" masquerade\n  }}"
        );
        self.nft_table("ip", &self.nft_name("nat"), &body)
    }

    /// Source-NAT IPv4 traffic leaving through `oif` to `addr`.
    pub fn nft_snat(&self, oif: &str, addr: &str) -> Result<NftTable> {
        check_word(oif)?;
        check_word(addr)?;
        let body = format!(
            "  chain post {{ type nat hook postrouting priority srcnat; policy accept;\n    oifname \"{oif}\" snat to {addr}\n  }}"
        );
        self.nft_table("ip", &self.nft_name("snat"), &body)
    }

    /// Drop `percent` % of the packets (all protocols) on `dev` at `hook`,
    /// at random (`numgen random mod 100 < N drop`; this kernel has no
    /// netem). The rule counts what it dropped (see [`NftTable::list`]).
    pub fn nft_loss(&self, dev: &str, hook: NftHook, percent: u8) -> Result<NftTable> {
        check_word(dev)?;
        if percent > 100 {
            bail!("loss of {percent} %");
        }
        let hook = match hook {
            NftHook::Ingress => "ingress",
            NftHook::Egress => "egress",
        };
        // nft rejects `< 100` (the range of `mod 100` is 0-99).
        let matcher = if percent == 100 {
            String::new()
        } else {
            format!("numgen random mod 100 < {percent} ")
        };
        let body = format!(
            "  chain loss {{ type filter hook {hook} device \"{dev}\" priority 0; policy accept;\n    {matcher}counter drop\n  }}"
        );
        self.nft_table("netdev", &self.nft_name("loss"), &body)
    }
}
