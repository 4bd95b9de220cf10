#!/usr/bin/env bash
# benches/bgp_convergence.sh: BGP EVPN convergence time and peak memory of
# vtepd, FRR bgpd and gobgpd, measured the same way in the netns lab.
#
# Topology (fresh namespaces per run, removed afterwards even on failure):
#
#   ns DRV (10.77.0.2 injector, AS 65001; 10.77.0.3 sink, AS 65002)
#      | veth
#   ns TGT (10.77.0.1, AS 65000): the target under test, eBGP to both
#
# One program, bgp_inject (benches/src/bin/bgp_inject.rs), is the injector
# and the sink for every target: it brings up the sink session, then the
# injector session, writes N EVPN type-2 routes packed ~100 per 4096-byte
# UPDATE, and stops the clock when the sink has received all N distinct
# routes re-advertised by the target (so the target has them in its Loc-RIB
# and has sent them on). Memory: the target's VmHWM from /proc/PID/status
# after convergence, and per route (VmHWM - VmRSS before injection) / N.
#
# FRR runs as bgpd alone (-Z, no zebra): EVPN transit needs no kernel state.
#
# GoBGP 3.10 checks MAC mobility by scanning its whole EVPN table for every
# type-2 route received (quadratic intake; see /work/shared/lab-notes.md), so
# it is run at N = 10 000 and 20 000 only, and vtepd and FRR are run at those
# N too for a like-for-like ratio.
#
# Usage (root): benches/bgp_convergence.sh
#   env RUNS=3 (runs per configuration), RUNS_BIG=3 (runs at N = 500 000),
#   SIZES="100000 500000", SIZES_SMALL="10000 20000", TARGETS="vtepd frr gobgp",
#   VTEPD=path/to/vtepd (default: the release binary, built if missing),
#   INJ=path/to/bgp_inject (default: built with --profile bench),
#   TIMEOUT=300 (seconds per run), OUT=file (raw results, appended),
#   PERF=dir (record `perf record -g` of the target during each injection
#   into dir/TARGET-N-RUN.data; build the target with frame pointers).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
TD=${CARGO_TARGET_DIR:-$ROOT/target}
RUNS=${RUNS:-3}
RUNS_BIG=${RUNS_BIG:-$RUNS}
SIZES=${SIZES-"100000 500000"}
SIZES_SMALL=${SIZES_SMALL-"10000 20000"}
TARGETS=${TARGETS:-"vtepd frr gobgp"}
TIMEOUT=${TIMEOUT:-300}
OUT=${OUT:-$(mktemp /tmp/bgp_convergence.XXXXXX)}
LABEL=${LABEL:-}

die() { echo "bgp_convergence: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root (network namespaces)"
for t in $TARGETS; do
  case $t in
    frr) [ -x /usr/lib/frr/bgpd ] || die "FRR missing: apt-get install frr" ;;
    gobgp) command -v gobgpd >/dev/null || die "GoBGP missing: apt-get install gobgpd" ;;
    vtepd) ;;
    *) die "unknown target $t" ;;
  esac
done
command -v python3 >/dev/null || die "python3 missing"

if [ -z "${VTEPD:-}" ]; then
  VTEPD=$TD/release/vtepd
  [ -x "$VTEPD" ] || (cd "$ROOT" && cargo build --release -p vtepd) >&2
fi
if [ -z "${INJ:-}" ]; then
  # The bench profile (opt-level 3) writes to target/release too.
  (cd "$ROOT" && cargo build --profile bench -p vtepd-benches --bin bgp_inject) >&2
  INJ=$TD/release/bgp_inject
fi

TAG=bgpb$$
DRV=$TAG-d
TGT=$TAG-t
DIR=$(mktemp -d /tmp/$TAG.XXXX)
TPID=

cleanup() {
  if [ -n "$TPID" ] && kill -0 "$TPID" 2>/dev/null; then
    kill "$TPID" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$TPID" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$TPID" 2>/dev/null || true
  fi
  TPID=
  ip netns del "$DRV" 2>/dev/null || true
  ip netns del "$TGT" 2>/dev/null || true
  rm -rf "/etc/frr/$TAG" "/var/run/frr/$TAG"
}
trap 'cleanup; rm -rf "$DIR"' EXIT
trap 'exit 130' INT TERM

setup() {
  ip netns add "$DRV"
  ip netns add "$TGT"
  ip link add "$TAG-a" netns "$DRV" type veth peer name "$TAG-b" netns "$TGT"
  ip -n "$DRV" link set lo up
  ip -n "$TGT" link set lo up
  ip -n "$DRV" addr add 10.77.0.2/24 dev "$TAG-a"
  ip -n "$DRV" addr add 10.77.0.3/24 dev "$TAG-a"
  ip -n "$TGT" addr add 10.77.0.1/24 dev "$TAG-b"
  ip -n "$DRV" link set "$TAG-a" up
  ip -n "$TGT" link set "$TAG-b" up
}

start_vtepd() {
  cat >"$DIR/vtepd.toml" <<EOF
[bgp]
router-id = "10.77.0.1"
asn = 65000
listen = ["10.77.0.1:179"]
hold-time = 90

[control]
socket = "$DIR/vtepd.sock"

[log]
level = "warn"

[[neighbor]]
address = "10.77.0.2"
remote-as = 65001
address-families = ["l2vpn-evpn"]
max-prefixes = 10000000
passive = true

[[neighbor]]
address = "10.77.0.3"
remote-as = 65002
address-families = ["l2vpn-evpn"]
max-prefixes = 10000000
passive = true
EOF
  "$VTEPD" check -c "$DIR/vtepd.toml" >/dev/null
  ip netns exec "$TGT" "$VTEPD" run -c "$DIR/vtepd.toml" >"$DIR/target.log" 2>&1 &
  TPID=$!
}

start_frr() {
  mkdir -p "/etc/frr/$TAG" "/var/run/frr/$TAG"
  cat >"/etc/frr/$TAG/bgpd.conf" <<EOF
hostname $TAG
router bgp 65000
 bgp router-id 10.77.0.1
 no bgp ebgp-requires-policy
 no bgp default ipv4-unicast
 neighbor 10.77.0.2 remote-as 65001
 neighbor 10.77.0.2 passive
 neighbor 10.77.0.2 disable-connected-check
 neighbor 10.77.0.2 advertisement-interval 0
 neighbor 10.77.0.3 remote-as 65002
 neighbor 10.77.0.3 passive
 neighbor 10.77.0.3 disable-connected-check
 neighbor 10.77.0.3 advertisement-interval 0
 address-family l2vpn evpn
  neighbor 10.77.0.2 activate
  neighbor 10.77.0.3 activate
 exit-address-family
EOF
  touch "/etc/frr/$TAG/vtysh.conf"
  chown -R frr:frr "/etc/frr/$TAG" "/var/run/frr/$TAG"
  ip netns exec "$TGT" /usr/lib/frr/bgpd -N "$TAG" -Z -P 0 \
    -f "/etc/frr/$TAG/bgpd.conf" >"$DIR/target.log" 2>&1 &
  TPID=$!
}

start_gobgp() {
  cat >"$DIR/gobgpd.toml" <<EOF
[global.config]
  as = 65000
  router-id = "10.77.0.1"
  local-address-list = ["10.77.0.1"]
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.77.0.2"
    peer-as = 65001
  [neighbors.transport.config]
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "10.77.0.3"
    peer-as = 65002
  [neighbors.transport.config]
    passive-mode = true
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "l2vpn-evpn"
EOF
  ip netns exec "$TGT" gobgpd -f "$DIR/gobgpd.toml" -t toml -l warn \
    >"$DIR/target.log" 2>&1 &
  TPID=$!
}

kb() { awk -v k="$1:" '$1 == k { print $2 }' "/proc/$2/status"; }
# CPU time (user + system, all threads) of a process in ms.
cpu_ms() { awk -v hz="$(getconf CLK_TCK)" '{ print ($14 + $15) * 1000 / hz }' "/proc/$1/stat"; }

# one_run TARGET N RUN -> appends
# "target n run converge_ms inject_ms hwm_kb idle_kb cpu_ms" to $OUT
one_run() {
  local target=$1 n=$2 run=$3 line conv inj idle hwm cpu0 cpu1
  setup
  "start_$target"
  for _ in $(seq 100); do
    ip netns exec "$TGT" ss -Hltn 'sport = :179' | grep -q . && break
    kill -0 "$TPID" 2>/dev/null || { cat "$DIR/target.log" >&2; die "$target exited"; }
    sleep 0.1
  done
  sleep 0.5
  idle=$(kb VmRSS "$TPID")
  cpu0=$(cpu_ms "$TPID")
  local perf_pid=
  if [ -n "${PERF:-}" ]; then
    mkdir -p "$PERF"
    perf record -q -g -p "$TPID" -o "$PERF/$target-$n-$run.data" >/dev/null 2>&1 &
    perf_pid=$!
    sleep 0.5
  fi
  if ! line=$(ip netns exec "$DRV" "$INJ" -n "$n" --timeout "$TIMEOUT" 2>"$DIR/inj.log" | grep '^RESULT'); then
    cat "$DIR/inj.log" >&2
    echo "$line" >&2
    tail -20 "$DIR/target.log" >&2
    echo "bgp_convergence: $target n=$n run $run FAILED" >&2
    line="RESULT converge_ms=fail inject_ms=0"
  fi
  if [ -n "$perf_pid" ]; then
    kill -INT "$perf_pid" 2>/dev/null || true
    wait "$perf_pid" 2>/dev/null || true
  fi
  hwm=$(kb VmHWM "$TPID")
  cpu1=$(cpu_ms "$TPID")
  conv=$(sed -n 's/.*converge_ms=\([^ ]*\).*/\1/p' <<<"$line")
  inj=$(sed -n 's/.*inject_ms=\([^ ]*\).*/\1/p' <<<"$line")
  echo "$LABEL$target $n $run $conv $inj $hwm $idle $((cpu1 - cpu0))" | tee -a "$OUT" >&2
  cleanup
}

echo "# bgp_convergence $(date -u +%FT%TZ) vtepd=$VTEPD inj=$INJ" >>"$OUT"
# Runs interleave the targets (run 1 of each, then run 2 ...): the machine
# is shared, and load drifts; interleaving spreads it over all targets.
for n in $SIZES_SMALL $SIZES; do
  runs=$RUNS
  big=0
  for s in $SIZES; do [ "$n" = "$s" ] && big=1; done
  [ "$big" = 1 ] && [ "$n" -ge 500000 ] && runs=$RUNS_BIG
  for run in $(seq "$runs"); do
    for target in $TARGETS; do
      [ "$target" = gobgp ] && [ "$big" = 1 ] && continue
      one_run "$target" "$n" "$run"
    done
  done
done

python3 "$ROOT/benches/bgp_convergence_report.py" "$OUT"
echo "raw results: $OUT"
