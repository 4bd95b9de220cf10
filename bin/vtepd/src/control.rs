//! The control socket: a Unix stream socket where each connection carries
//! one request line (JSON) and gets one answer line (JSON):
//!
//! ```text
//! -> {"show":"summary"}
//! <- {"ok":true,"data":{...}}
//! -> {"show":"routes","family":"l2vpn-evpn","route_type":2,"vni":100}
//! <- {"ok":true,"data":{"routes":[...]}}
//! ```
//!
//! The client side renders tables from the JSON (FRR-like) or prints it
//! as is with `--json`.

use std::fmt::Write as _;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader as TokioBufReader};
use tokio::net::UnixListener;
use tokio::sync::{mpsc, oneshot};
use tracing::{info, warn};

use crate::bgp::show::Query;
use crate::bgp::RibCmd;

/// Bind the control socket (replacing a stale one).
pub fn bind(path: &Path) -> Result<UnixListener> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    }
    if path.exists() {
        if std::os::unix::net::UnixStream::connect(path).is_ok() {
            bail!("{} is in use by a running vtepd", path.display());
        }
        let _ = std::fs::remove_file(path);
    }
    UnixListener::bind(path).with_context(|| format!("binding {}", path.display()))
}

/// A reload request: the answer is the account of the changes, or why the
/// file was refused.
pub type ReloadRequest = oneshot::Sender<std::result::Result<String, String>>;

/// Serve requests forever. `{"reload":true}` asks the daemon to re-read its
/// configuration file.
pub async fn serve(
    listener: UnixListener,
    rib: mpsc::UnboundedSender<RibCmd>,
    reload: mpsc::UnboundedSender<ReloadRequest>,
) {
    info!("control socket ready");
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let rib = rib.clone();
        let reload = reload.clone();
        tokio::spawn(async move {
            let (rd, mut wr) = stream.into_split();
            let mut lines = TokioBufReader::new(rd).lines();
            let Ok(Some(line)) = lines.next_line().await else {
                return;
            };
            let is_reload = serde_json::from_str::<Value>(&line)
                .is_ok_and(|v| v.get("reload") == Some(&json!(true)));
            let answer = if is_reload {
                let (tx, rx) = oneshot::channel();
                if reload.send(tx).is_err() {
                    json!({"ok": false, "error": "the daemon is stopping"})
                } else {
                    match rx.await {
                        Ok(Ok(text)) => json!({"ok": true, "data": {"message": text}}),
                        Ok(Err(e)) => json!({"ok": false, "error": e}),
                        Err(_) => json!({"ok": false, "error": "no answer"}),
                    }
                }
            } else {
                match serde_json::from_str::<Query>(&line) {
                    Ok(q) => {
                        let (tx, rx) = oneshot::channel();
                        if rib
                            .send(RibCmd::Show {
                                query: q,
                                reply: tx,
                            })
                            .is_err()
                        {
                            json!({"ok": false, "error": "the RIB is gone"})
                        } else {
                            match rx.await {
                                Ok(v) if v.get("error").is_some() => {
                                    json!({"ok": false, "error": v["error"]})
                                }
                                Ok(v) => json!({"ok": true, "data": v}),
                                Err(_) => json!({"ok": false, "error": "no answer"}),
                            }
                        }
                    }
                    Err(e) => {
                        warn!("bad control request: {e}");
                        json!({"ok": false, "error": format!("bad request: {e}")})
                    }
                }
            };
            let mut s = answer.to_string();
            s.push('\n');
            let _ = wr.write_all(s.as_bytes()).await;
        });
    }
}

/// Ask the daemon at `socket` to reload its configuration file; the
/// account of the changes, or the reason it was refused as the error.
pub fn reload(socket: &Path) -> Result<String> {
    let mut s = std::os::unix::net::UnixStream::connect(socket)
        .with_context(|| format!("connecting to {} (is vtepd running?)", socket.display()))?;
    s.write_all(b"{\"reload\":true}\n")?;
    let mut answer = String::new();
    BufReader::new(s).read_line(&mut answer)?;
    let v: Value = serde_json::from_str(&answer).context("bad answer from vtepd")?;
    if v["ok"] == json!(true) {
        Ok(v["data"]["message"]
            .as_str()
            .unwrap_or("reloaded")
            .to_owned())
    } else {
        Err(anyhow!(
            "{}",
            v["error"].as_str().unwrap_or("reload failed")
        ))
    }
}

/// Send one query, return the `data`.
pub fn request(socket: &Path, q: &Query) -> Result<Value> {
    let mut s = std::os::unix::net::UnixStream::connect(socket)
        .with_context(|| format!("connecting to {} (is vtepd running?)", socket.display()))?;
    let mut line = serde_json::to_string(q)?;
    line.push('\n');
    s.write_all(line.as_bytes())?;
    let mut answer = String::new();
    BufReader::new(s).read_line(&mut answer)?;
    let v: Value = serde_json::from_str(&answer).context("bad answer from vtepd")?;
    if v["ok"] == json!(true) {
        Ok(v["data"].clone())
    } else {
        Err(anyhow!("vtepd: {}", v["error"]))
    }
}

/// Parse the words after `show` into a query.
pub fn parse_show(words: &[String]) -> Result<Query> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    if let Some(q) = parse_show_evpn(&w)? {
        return Ok(q);
    }
    let rest = match w.as_slice() {
        ["bgp", rest @ ..] => rest,
        _ => bail!("usage: vtepd show bgp (summary | neighbors [ADDR] | evpn route [type N] [vni N] | ipv4 | ipv6 | vpnv4 | vpnv6)"),
    };
    let (family, mut rest) = match rest {
        ["summary"] => return Ok(Query::Summary),
        ["neighbors" | "neighbor"] => return Ok(Query::Neighbors { address: None }),
        ["neighbors" | "neighbor", a] => {
            return Ok(Query::Neighbors {
                address: Some((*a).to_owned()),
            })
        }
        ["evpn", "route", r @ ..] | ["evpn", r @ ..] | ["l2vpn", "evpn", r @ ..] => {
            ("l2vpn-evpn", r)
        }
        ["vpnv4", r @ ..] | ["ipv4", "vpn", r @ ..] => ("ipv4-vpn", r),
        ["vpnv6", r @ ..] | ["ipv6", "vpn", r @ ..] => ("ipv6-vpn", r),
        ["ipv4", "unicast", r @ ..] | ["ipv4", r @ ..] => ("ipv4-unicast", r),
        ["ipv6", "unicast", r @ ..] | ["ipv6", r @ ..] => ("ipv6-unicast", r),
        _ => bail!("unknown show command: show {}", w.join(" ")),
    };
    let mut route_type = None;
    let mut vni = None;
    while let [k, v, r @ ..] = rest {
        match *k {
            "type" => {
                let n = match *v {
                    "ead" | "1" => 1,
                    "macip" | "2" => 2,
                    "multicast" | "3" => 3,
                    "es" | "4" => 4,
                    "prefix" | "5" => 5,
                    other => bail!("bad route type {other:?} (1-5)"),
                };
                route_type = Some(n);
            }
            "vni" => vni = Some(v.parse().with_context(|| format!("bad VNI {v:?}"))?),
            other => bail!("unknown filter {other:?}"),
        }
        rest = r;
    }
    if !rest.is_empty() {
        bail!("incomplete filter: {}", rest.join(" "));
    }
    Ok(Query::Routes {
        family: family.into(),
        route_type,
        vni,
    })
}

/// `show evpn mac vni N`, `show evpn vni [N]`, `show evpn arp-cache [vni N]`,
/// `show vteps`, `show interfaces`.
fn parse_show_evpn(w: &[&str]) -> Result<Option<Query>> {
    let num = |v: &str| -> Result<Option<u32>> {
        Ok(Some(v.parse().with_context(|| format!("bad VNI {v:?}"))?))
    };
    let (what, vni) = match w {
        ["evpn", "mac", "vni", n] => ("mac", num(n)?),
        ["evpn", "mac"] => ("mac", None),
        ["evpn", "vni"] => ("vni", None),
        ["evpn", "vni", n] => ("vni", num(n)?),
        ["evpn", "arp-cache"] => ("arp-cache", None),
        ["evpn", "arp-cache", "vni", n] => ("arp-cache", num(n)?),
        ["vteps"] | ["evpn", "vteps"] => ("vteps", None),
        ["interfaces"] => ("interfaces", None),
        ["evpn", ..] => bail!(
            "usage: vtepd show evpn (mac vni N | vni [N] | arp-cache [vni N]) | vteps | interfaces"
        ),
        _ => return Ok(None),
    };
    Ok(Some(Query::Evpn {
        what: what.into(),
        vni,
    }))
}

fn s(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn hms(secs: u64) -> String {
    format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        (secs / 60) % 60,
        secs % 60
    )
}

/// Render a summary like FRR's `show bgp summary`.
pub fn render_summary(v: &Value) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "BGP router identifier {}, local AS number {}",
        s(&v["router-id"]),
        s(&v["asn"])
    );
    let _ = writeln!(o, "RIB entries {}\n", s(&v["routes"]));
    let _ = writeln!(
        o,
        "{:<25} {:>1} {:>10} {:>9} {:>9} {:>8} {:<13} Families",
        "Neighbor", "V", "AS", "MsgRcvd", "MsgSent", "Up/Down", "State/PfxRcd"
    );
    for p in v["peers"].as_array().into_iter().flatten() {
        let up = p["uptime-secs"].as_u64().or(p["downtime-secs"].as_u64());
        let state = if p["established"] == json!(true) {
            s(&p["prefixes-received"])
        } else {
            s(&p["state"])
        };
        let asn = if p["peer-as"].is_null() {
            s(&p["remote-as"])
        } else {
            s(&p["peer-as"])
        };
        let fams: Vec<String> = p["families"]
            .as_array()
            .into_iter()
            .flatten()
            .map(s)
            .collect();
        let _ = writeln!(
            o,
            "{:<25} {:>1} {:>10} {:>9} {:>9} {:>8} {:<13} {}",
            s(&p["address"]),
            4,
            asn,
            s(&p["messages-received"]),
            s(&p["messages-sent"]),
            up.map_or_else(|| "never".to_owned(), hms),
            state,
            fams.join(",")
        );
        if !p["last-error"].is_null() {
            let _ = writeln!(o, "{:<25}   last: {}", "", s(&p["last-error"]));
        }
    }
    o
}

/// Render neighbours like FRR's `show bgp neighbors`.
pub fn render_neighbors(v: &Value) -> String {
    let mut o = String::new();
    let list = |x: &Value| -> String {
        x.as_array()
            .into_iter()
            .flatten()
            .map(s)
            .collect::<Vec<_>>()
            .join(", ")
    };
    for p in v["neighbors"].as_array().into_iter().flatten() {
        let external = if p["negotiated"].is_object() {
            p["negotiated"]["external"] == json!(true)
        } else {
            // Down: from the configured remote AS.
            let r = s(&p["remote-as"]);
            r != "internal" && r != s(&v["asn"])
        };
        let kind = if external { "external" } else { "internal" };
        let _ = writeln!(
            o,
            "BGP neighbor is {}, remote AS {}, local AS {}, {kind} link",
            s(&p["address"]),
            if p["peer-as"].is_null() {
                s(&p["remote-as"])
            } else {
                s(&p["peer-as"])
            },
            s(&v["asn"])
        );
        let _ = writeln!(
            o,
            "  BGP version 4, remote router ID {}",
            if p["peer-router-id"].is_null() {
                "0.0.0.0".to_owned()
            } else {
                s(&p["peer-router-id"])
            }
        );
        let up = p["uptime-secs"].as_u64().or(p["downtime-secs"].as_u64());
        let _ = writeln!(
            o,
            "  BGP state = {}, {} {}",
            s(&p["state"]),
            if p["established"] == json!(true) {
                "up for"
            } else {
                "down for"
            },
            up.map_or_else(|| "never".to_owned(), hms)
        );
        let c = &p["config"];
        let _ = writeln!(
            o,
            "  Configured hold time {} s, keepalive {} s, connect retry {} s{}{}",
            s(&c["hold-time"]),
            s(&c["keepalive"]),
            s(&c["connect-retry"]),
            if c["passive"] == json!(true) {
                ", passive"
            } else {
                ""
            },
            if p["route-reflector-client"] == json!(true) {
                ", route reflector client"
            } else {
                ""
            }
        );
        if p["established"] == json!(true) {
            let n = &p["negotiated"];
            let _ = writeln!(o, "  Hold time {} s", s(&p["hold-time"]));
            let _ = writeln!(o, "  Families: {}", list(&p["families"]));
            let mut caps = Vec::new();
            if n["four-octet-as"] == json!(true) {
                caps.push("4-octet AS".to_owned());
            }
            if n["extended-message"] == json!(true) {
                caps.push("extended message".to_owned());
            }
            for a in n["add-path"].as_array().into_iter().flatten() {
                caps.push(format!(
                    "ADD-PATH {} {}",
                    s(&a["family"]),
                    s(&a["direction"])
                ));
            }
            for e in n["extended-next-hop"].as_array().into_iter().flatten() {
                caps.push(format!(
                    "extended next hop {} over {}",
                    s(&e["family"]),
                    s(&e["next-hop-afi"])
                ));
            }
            let _ = writeln!(o, "  Negotiated: {}", caps.join(", "));
        } else {
            let _ = writeln!(o, "  Configured families: {}", list(&c["families"]));
        }
        let _ = writeln!(
            o,
            "  Messages received {}, sent {} (UPDATEs {} / {}); established {} times, dropped {}",
            s(&p["messages-received"]),
            s(&p["messages-sent"]),
            s(&p["updates-received"]),
            s(&p["updates-sent"]),
            s(&p["established-count"]),
            s(&p["dropped-count"])
        );
        let _ = writeln!(
            o,
            "  Prefixes received {}{}; changes queued {}, output queue {} bytes",
            s(&p["prefixes-received"]),
            if p["max-prefixes"].is_null() {
                String::new()
            } else {
                format!(" (limit {})", s(&p["max-prefixes"]))
            },
            s(&p["pending-changes"]),
            if p["output-queue-bytes"].is_null() {
                "0".to_owned()
            } else {
                s(&p["output-queue-bytes"])
            }
        );
        let pg = &p["peer-graceful-restart"];
        if pg.is_object() {
            let fams: Vec<String> = pg["families"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|f| {
                    let fp = if f["forwarding-preserved"] == json!(true) {
                        " (F)"
                    } else {
                        ""
                    };
                    format!("{}{fp}", s(&f["family"]))
                })
                .collect();
            let _ = writeln!(
                o,
                "  Peer graceful restart: restart time {} s{}{}, families: {}",
                s(&pg["restart-time"]),
                if pg["restarting"] == json!(true) {
                    ", restarting"
                } else {
                    ""
                },
                if pg["notification"] == json!(true) {
                    ", N bit (RFC 8538)"
                } else {
                    ""
                },
                if fams.is_empty() {
                    "none (helper)".to_owned()
                } else {
                    fams.join(", ")
                }
            );
        }
        let g = &p["graceful-restart"];
        if g.is_object() {
            let _ = writeln!(
                o,
                "  Graceful restart: stale routes of {} kept, waiting for {}, removed in {} s",
                list(&g["stale-families"]),
                s(&g["waiting-for"]),
                s(&g["stale-removed-in-secs"])
            );
        }
        for (k, label) in [
            ("last-notification-sent", "Last NOTIFICATION sent"),
            ("last-notification-received", "Last NOTIFICATION received"),
        ] {
            if p[k].is_object() {
                let _ = writeln!(o, "  {label}: {}/{}", s(&p[k]["code"]), s(&p[k]["subcode"]));
            }
        }
        if !p["last-error"].is_null() {
            let _ = writeln!(o, "  Last reset: {}", s(&p["last-error"]));
        }
        let _ = writeln!(o);
    }
    o
}

/// Render routes like FRR's `show bgp l2vpn evpn` / `show bgp ipv4`.
pub fn render_routes(v: &Value) -> String {
    let mut o = String::new();
    let _ = writeln!(
        o,
        "BGP table ({}), local router ID is {}, local AS {}",
        s(&v["family"]),
        s(&v["router-id"]),
        s(&v["asn"])
    );
    let _ = writeln!(
        o,
        "Status codes: * valid, > best, i internal, l local\nOrigin codes: i - IGP, e - EGP, ? - incomplete\n"
    );
    let _ = writeln!(
        o,
        "   {:<60} {:<18} {:>6} {:>6} Path / extended communities",
        "Network", "Next Hop", "Metric", "LocPrf"
    );
    let mut last_rd = String::new();
    for r in v["routes"].as_array().into_iter().flatten() {
        let rd = s(&r["rd"]);
        if !rd.is_empty() && rd != last_rd {
            let _ = writeln!(o, "Route Distinguisher: {rd}");
            last_rd = rd;
        }
        for p in r["paths"].as_array().into_iter().flatten() {
            let mut flags = String::from("*");
            flags.push(if p["best"] == json!(true) { '>' } else { ' ' });
            let origin = match p["origin"].as_str() {
                Some("IGP") => "i",
                Some("EGP") => "e",
                _ => "?",
            };
            let src = if p["source"] == json!("local") {
                "l"
            } else {
                ""
            };
            let _ = writeln!(
                o,
                "{flags}{src:<1}{:<60} {:<18} {:>6} {:>6} {} {origin}",
                s(&r["prefix"]),
                s(&p["next-hop"]),
                s(&p["med"]),
                s(&p["local-pref"]),
                s(&p["as-path"]),
            );
            let mut extra: Vec<String> = p["extended-communities"]
                .as_array()
                .into_iter()
                .flatten()
                .map(s)
                .collect();
            if let Some(pm) = p["pmsi"].as_object() {
                extra.push(format!(
                    "PMSI {} {} vni {}",
                    s(&pm["tunnel-type"]),
                    s(&pm["tunnel-id"]),
                    s(&pm["vni"])
                ));
            }
            if !p["originator-id"].is_null() {
                extra.push(format!("Originator: {}", s(&p["originator-id"])));
            }
            if let Some(cl) = p["cluster-list"].as_array() {
                let l: Vec<String> = cl.iter().map(s).collect();
                extra.push(format!("Cluster list: {}", l.join(" ")));
            }
            if !p["why-lost"].is_null() {
                extra.push(format!("not best: {}", s(&p["why-lost"])));
            }
            if !extra.is_empty() {
                let _ = writeln!(o, "      {}", extra.join("  "));
            }
        }
    }
    let _ = writeln!(o, "\nDisplayed {} routes", s(&v["count"]));
    o
}

/// `vtepd show ...`.
pub fn show(socket: &Path, words: &[String], as_json: bool) -> Result<()> {
    let q = parse_show(words)?;
    let v = request(socket, &q)?;
    if as_json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        match q {
            Query::Summary => print!("{}", render_summary(&v)),
            Query::Neighbors { .. } => print!("{}", render_neighbors(&v)),
            Query::Routes { .. } => print!("{}", render_routes(&v)),
            Query::Evpn { what, .. } => print!("{}", crate::evpn::show::render(&what, &v)),
        }
    }
    Ok(())
}

/// Parse the words after `clear`: `evpn dup-addr vni N [mac M]` (as
/// FRR's `clear evpn dup-addr`). The request travels as an EVPN query
/// whose `what` is [`crate::evpn::CLEAR_DUP`] (and the MAC).
pub fn parse_clear(words: &[String]) -> Result<Query> {
    let w: Vec<&str> = words.iter().map(String::as_str).collect();
    let usage = "usage: vtepd clear evpn dup-addr vni N [mac M]";
    let (vni, mac) = match w[..] {
        ["evpn", "dup-addr", "vni", n] => (n, None),
        ["evpn", "dup-addr", "vni", n, "mac", m] => (n, Some(m)),
        _ => bail!("{usage}"),
    };
    let vni: u32 = vni
        .parse()
        .map_err(|_| anyhow!("bad VNI {vni:?}; {usage}"))?;
    let what = match mac {
        Some(m) => {
            crate::config::parse_mac(m).map_err(|e| anyhow!("{e}; {usage}"))?;
            format!("{} {m}", crate::evpn::CLEAR_DUP)
        }
        None => crate::evpn::CLEAR_DUP.to_owned(),
    };
    Ok(Query::Evpn {
        what,
        vni: Some(vni),
    })
}

/// `vtepd clear WORDS...`: print what was cleared.
pub fn clear(socket: &Path, words: &[String], as_json: bool) -> Result<()> {
    let q = parse_clear(words)?;
    let v = request(socket, &q)?;
    if as_json {
        println!("{}", serde_json::to_string_pretty(&v)?);
    } else {
        let macs: Vec<&str> = v["cleared"]
            .as_array()
            .map(|a| a.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        if macs.is_empty() {
            println!("VNI {}: no duplicate MAC to clear", v["vni"]);
        } else {
            println!(
                "VNI {}: cleared {} duplicate MAC(s): {}",
                v["vni"],
                macs.len(),
                macs.join(" ")
            );
        }
    }
    Ok(())
}

/// The socket path: the flag, else the config's, else the default.
pub fn socket_path(flag: Option<PathBuf>, config: Option<&Path>) -> PathBuf {
    if let Some(p) = flag {
        return p;
    }
    if let Some(c) = config {
        if let Ok(cfg) = crate::config::Config::load(c) {
            return cfg.socket;
        }
    }
    PathBuf::from(crate::config::DEFAULT_SOCKET)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        s.split_whitespace().map(str::to_owned).collect()
    }

    #[test]
    fn clear_dup_addr_parses() {
        assert_eq!(
            parse_clear(&words("evpn dup-addr vni 100")).unwrap(),
            Query::Evpn {
                what: "clear-dup-addr".into(),
                vni: Some(100)
            }
        );
        assert_eq!(
            parse_clear(&words("evpn dup-addr vni 100 mac 02:00:00:00:00:0a")).unwrap(),
            Query::Evpn {
                what: "clear-dup-addr 02:00:00:00:00:0a".into(),
                vni: Some(100)
            }
        );
        assert!(parse_clear(&words("evpn dup-addr")).is_err());
        assert!(parse_clear(&words("evpn dup-addr vni x")).is_err());
        assert!(parse_clear(&words("evpn dup-addr vni 100 mac zz")).is_err());
    }

    #[test]
    fn show_commands_parse() {
        assert_eq!(parse_show(&words("bgp summary")).unwrap(), Query::Summary);
        assert_eq!(
            parse_show(&words("bgp neighbors")).unwrap(),
            Query::Neighbors { address: None }
        );
        assert_eq!(
            parse_show(&words("bgp neighbor 10.0.0.2")).unwrap(),
            Query::Neighbors {
                address: Some("10.0.0.2".into())
            }
        );
        assert_eq!(
            parse_show(&words("bgp evpn route type 2 vni 100")).unwrap(),
            Query::Routes {
                family: "l2vpn-evpn".into(),
                route_type: Some(2),
                vni: Some(100)
            }
        );
        assert_eq!(
            parse_show(&words("bgp vpnv4")).unwrap(),
            Query::Routes {
                family: "ipv4-vpn".into(),
                route_type: None,
                vni: None
            }
        );
        assert!(parse_show(&words("bgp evpn route type 9")).is_err());
        assert!(parse_show(&words("bgp evpn route vni")).is_err());
        assert!(parse_show(&words("ospf")).is_err());
    }
}
