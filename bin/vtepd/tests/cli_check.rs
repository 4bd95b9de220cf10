//! `vtepd check`: a good file passes; bad files are rejected with a message
//! naming the file, the line and the field. No root needed.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_vtepd");

fn check(name: &str, text: &str) -> (bool, String) {
    let dir = std::env::temp_dir().join(format!("vtepd-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join(name);
    std::fs::write(&path, text).expect("write config");
    let out = Command::new(BIN)
        .args(["check", "-c"])
        .arg(&path)
        .output()
        .expect("run vtepd check");
    let _ = std::fs::remove_file(&path);
    let _ = std::fs::remove_dir(&dir);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

const GOOD: &str = "[bgp]
router-id = \"10.0.0.1\"
asn = 65000

[[neighbor]]
address = \"10.0.0.2\"
remote-as = \"internal\"

[[vni]]
vni = 100
";

#[test]
fn good_config_passes() {
    let (ok, out) = check("good.toml", GOOD);
    assert!(ok, "{out}");
    assert!(out.contains("OK") && out.contains("1 neighbors"), "{out}");
}

#[test]
fn bad_configs_name_file_line_and_field() {
    for (bad, line, field) in [
        (
            GOOD.replace("\"internal\"", "\"sideways\""),
            7,
            "neighbor[1].remote-as",
        ),
        (
            GOOD.replace("vni = 100", "vni = 16777216"),
            10,
            "vni[1].vni",
        ),
        (
            GOOD.replace("\"10.0.0.2\"", "\"10.0.0.300\""),
            6,
            "neighbor[1].address",
        ),
        (
            GOOD.replace("asn = 65000", "asn = 65000\nhold-time = 1"),
            4,
            "bgp.hold-time",
        ),
    ] {
        let (ok, out) = check("bad.toml", &bad);
        assert!(!ok, "accepted: {bad}");
        assert!(out.contains(&format!("bad.toml:{line}: {field}:")), "{out}");
    }
}
