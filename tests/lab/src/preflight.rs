//! The check every lab test runs first.

use std::path::Path;

/// Every binary the lab runs, with the Debian package that provides it. A
/// name with a `/` is an absolute path, anything else is looked up in `PATH`.
pub const REQUIRED: &[(&str, &str)] = &[
    ("ip", "iproute2"),
    ("bridge", "iproute2"),
    ("vtysh", "frr"),
    ("/usr/lib/frr/zebra", "frr"),
    ("/usr/lib/frr/bgpd", "frr"),
    ("gobgpd", "gobgpd"),
    ("gobgp", "gobgpd"),
    ("wireguard-go", "wireguard-go"),
    ("wg", "wireguard-tools"),
    ("nft", "nftables"),
    ("ping", "iputils-ping"),
    ("tcpdump", "tcpdump"),
    ("kill", "procps"),
];

/// Where `name` is found: itself if it contains a `/`, else the first
/// executable match in `PATH` (plus the sbin directories, which a non-login
/// root shell may lack).
pub(crate) fn find_binary(name: &str) -> Option<std::path::PathBuf> {
    if name.contains('/') {
        let p = Path::new(name);
        return is_executable(p).then(|| p.to_path_buf());
    }
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/sbin", "/usr/bin", "/bin"].map(Into::into))
        .map(|d| d.join(name))
        .find(|p| is_executable(p))
}

fn is_executable(p: &Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
}

/// Effective uid from `/proc/self/status` (no `unsafe` needed).
fn effective_uid() -> Option<u32> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("Uid:"))?;
    line.split_whitespace().nth(2)?.parse().ok()
}

/// What is missing for the lab to run: `None` when everything is there.
pub(crate) fn missing() -> Option<String> {
    let mut problems = Vec::new();
    match effective_uid() {
        Some(0) => {}
        Some(uid) => problems.push(format!(
            "the lab needs root (network namespaces, FRR), but runs as uid {uid}: run the tests as root (sudo -E cargo test ...)"
        )),
        None => problems.push("cannot read the uid from /proc/self/status".to_owned()),
    }
    let mut packages: Vec<&str> = Vec::new();
    for (bin, pkg) in REQUIRED {
        if find_binary(bin).is_none() {
            problems.push(format!("`{bin}` not found (Debian package `{pkg}`)"));
            if !packages.contains(pkg) {
                packages.push(pkg);
            }
        }
    }
    if !packages.is_empty() {
        problems.push(format!(
            "install with: apt-get install {}",
            packages.join(" ")
        ));
    }
    (!problems.is_empty()).then(|| problems.join("\n"))
}

/// Check that this machine can run the lab: root, and every binary in
/// [`REQUIRED`]. Panics with a message naming what to install otherwise; lab
/// tests never skip.
pub fn preflight() {
    if let Some(problems) = missing() {
        panic!("vtepd-lab preflight failed; this test cannot run here:\n{problems}");
    }
}
