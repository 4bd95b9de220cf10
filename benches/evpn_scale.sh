#!/usr/bin/env bash
# EVPN scale, vtepd vs FRR in the same run: N hosts (MACs, default 2000)
# behind one VTEP appear on the other side. A source vtepd originates N
# static type-2 routes to a vtepd VTEP and an FRR VTEP (bgpd + zebra over
# kernel VXLAN) at the same time. For each receiver, the clock starts at the
# first UPDATE carrying type-2 routes on its own link (tcpdump timestamps)
# and stops when its last MAC is in its forwarding table (vtepd: the
# dataplane worker's MAC table; FRR: the kernel FDB, from `bridge -t monitor
# fdb`). Reports min/median/max over RUNS runs, each receiver's RSS and the
# ratios (see tests/lab/examples/evpn_scale.rs for the method).
#
# Usage (root): benches/evpn_scale.sh [N=2000] [RUNS=5]
# Builds vtepd in release unless VTEPD=/path/to/vtepd is set.
set -euo pipefail
N=${1:-2000}
RUNS=${2:-5}
HERE=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 1; }
command -v vtysh >/dev/null || { echo "missing FRR (apt-get install frr)" >&2; exit 1; }
command -v tcpdump >/dev/null || { echo "missing tcpdump (apt-get install tcpdump)" >&2; exit 1; }
command -v bridge >/dev/null || { echo "missing bridge (apt-get install iproute2)" >&2; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HERE/target}
cd "$HERE"
if [ -z "${VTEPD:-}" ]; then
    cargo build -q --release -p vtepd
    VTEPD=$CARGO_TARGET_DIR/release/vtepd
fi
cargo build -q -p vtepd-lab --example evpn_scale
"$CARGO_TARGET_DIR/debug/examples/evpn_scale" "$VTEPD" "$N" "$RUNS"
