#!/usr/bin/env bash
# EVPN scale, vtepd vs FRR in the same run: N hosts (MACs, default 2000)
# behind one VTEP appear on the other side. A source vtepd originates N
# static type-2 routes; a vtepd VTEP and an FRR VTEP (bgpd + zebra over
# kernel VXLAN) receive them. Reports the time until the last MAC is in each
# receiver's dataplane (vtepd's MAC table, the kernel FDB for FRR), each
# receiver's RSS, and the ratios (see tests/lab/examples/evpn_scale.rs).
#
# Usage (root): benches/evpn_scale.sh [N=2000]
# Builds vtepd in release unless VTEPD=/path/to/vtepd is set.
set -euo pipefail
N=${1:-2000}
HERE=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 1; }
command -v vtysh >/dev/null || { echo "missing FRR (apt-get install frr)" >&2; exit 1; }
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HERE/target}
cd "$HERE"
if [ -z "${VTEPD:-}" ]; then
    cargo build -q --release -p vtepd
    VTEPD=$CARGO_TARGET_DIR/release/vtepd
fi
cargo build -q -p vtepd-lab --example evpn_scale
"$CARGO_TARGET_DIR/debug/examples/evpn_scale" "$VTEPD" "$N"
