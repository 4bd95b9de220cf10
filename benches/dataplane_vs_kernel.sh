#!/usr/bin/env bash
# Side-by-side: Linux kernel VXLAN + bridge vs vtepd's user-space L2 VTEP
# (vtepd-l2, AF_PACKET access ports, batched UDP with GSO/GRO), same
# two-VTEP topology, same run:
#
#   hA --veth-- vA ==underlay veth (MTU 1500)== vB --veth-- hB
#   (hosts: 192.168.77.1/.2, MTU 1450; VTEPs 10.77.0.1/.2, VNI 100)
#
# Measures with iperf3: TCP 1 stream, TCP 4 streams (Gbit/s received), UDP
# 64-byte payloads at unlimited offered rate (received packets/s; udp64),
# the highest 64-byte rate received with zero loss (udp64z: a binary search
# of ZL_STEPS=7 trials of ZL_SECS=3 s over the offered rate), and the
# CPU used: each vtepd-l2 process (from /proc/PID/stat, % of one core) and
# the whole machine (from /proc/stat, % of all cores; for the kernel this is
# where its VXLAN work shows up, as softirq time). Prints min/median/max of
# RUNS runs and the vtepd/kernel ratio of the medians.
#
# Usage (root): benches/dataplane_vs_kernel.sh [SECONDS=10] [RUNS=3]
# WITH_TAP=1 adds a third mode: vtepd-l2 with TAP ports (the TAP devices
# become the hosts' interfaces; TSO super-frames through vnet headers).
# MODES="kernel vtepd vtepd-tap" and TESTS="tcp1 tcp4 udp64 udp64z" pick what runs
# (the kernel mode is the reference of the ratios); VTEPD_ARGS adds options
# to both vtepd-l2 processes (e.g. "--workers 1 --source-sockets 0").
# Needs iperf3, iproute2, jq. Builds vtepd-l2 with the bench profile unless
# VTEPD_L2=/path/to/binary is set. Creates only namespaces named dvk-*, and
# removes them on exit.
set -euo pipefail

SECS=${1:-10}
ZL_SECS=${ZL_SECS:-3}
ZL_STEPS=${ZL_STEPS:-7}
RUNS=${2:-3}
P=dvk
HERE=$(cd "$(dirname "$0")/.." && pwd)

for t in ip iperf3 jq; do
    command -v "$t" >/dev/null || { echo "missing $t (apt-get install iproute2 iperf3 jq)" >&2; exit 1; }
done
[ "$(id -u)" = 0 ] || { echo "run as root (network namespaces)" >&2; exit 1; }

if [ -z "${VTEPD_L2:-}" ]; then
    export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$HERE/target}
    (cd "$HERE" && cargo build -q --profile bench -p vtepd-dataplane --bin vtepd-l2)
    VTEPD_L2=$CARGO_TARGET_DIR/release/vtepd-l2
    [ -x "$VTEPD_L2" ] || VTEPD_L2=$CARGO_TARGET_DIR/bench/vtepd-l2
fi

PIDS=()
cleanup() {
    for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
    PIDS=()
    for n in hA vA vB hB; do ip netns del $P-$n 2>/dev/null || true; done
}
trap cleanup EXIT

# topology [notap]: with host veths (kernel, vtepd) or without (vtepd-tap,
# whose TAP devices become the hosts' eth0).
topology() {
    cleanup
    for n in hA vA vB hB; do ip netns add $P-$n; ip -n $P-$n link set lo up; done
    ip link add u0 netns $P-vA type veth peer name u0 netns $P-vB
    ip -n $P-vA addr add 10.77.0.1/24 dev u0
    ip -n $P-vB addr add 10.77.0.2/24 dev u0
    for s in A B; do ip -n $P-v$s link set u0 up; done
    [ "${1:-}" = tap ] && return 0
    ip link add eth0 netns $P-hA type veth peer name hv netns $P-vA
    ip link add eth0 netns $P-hB type veth peer name hv netns $P-vB
    for s in A B; do
        ip -n $P-v$s link set hv mtu 1450 up
        ip -n $P-h$s link set eth0 mtu 1450 up
    done
    ip -n $P-hA addr add 192.168.77.1/24 dev eth0
    ip -n $P-hB addr add 192.168.77.2/24 dev eth0
}

kernel_vteps() {
    for s in A B; do
        if [ $s = A ]; then l=10.77.0.1; r=10.77.0.2; else l=10.77.0.2; r=10.77.0.1; fi
        ip -n $P-v$s link add vxlan100 mtu 1450 type vxlan id 100 dstport 4789 local $l nolearning dev u0
        ip -n $P-v$s link add br100 type bridge stp_state 0
        ip -n $P-v$s link set vxlan100 master br100 up
        ip -n $P-v$s link set hv master br100 up
        ip -n $P-v$s link set br100 up
        bridge -n $P-v$s fdb append 00:00:00:00:00:00 dev vxlan100 dst $r
    done
}

vtepd_vteps() {
    ip netns exec $P-vA "$VTEPD_L2" --local 10.77.0.1 --stats-every 0 ${VTEPD_ARGS:-} --vni 100 --port hv --remote 10.77.0.2 >/tmp/$P-A.log 2>&1 &
    PIDS+=($!)
    ip netns exec $P-vB "$VTEPD_L2" --local 10.77.0.2 --stats-every 0 ${VTEPD_ARGS:-} --vni 100 --port hv --remote 10.77.0.1 >/tmp/$P-B.log 2>&1 &
    PIDS+=($!)
    sleep 1
}

# vtepd-l2 with TAP ports, each moved into its host namespace as eth0.
vtepd_tap_vteps() {
    local n=1
    for s in A B; do
        local l=10.77.0.$n r; if [ $s = A ]; then r=10.77.0.2; else r=10.77.0.1; fi
        ip netns exec $P-v$s "$VTEPD_L2" --local $l --stats-every 0 ${VTEPD_ARGS:-} --vni 100 --port tap:tap$s --remote $r >/tmp/$P-$s.log 2>&1 &
        PIDS+=($!)
        for _ in $(seq 50); do ip -n $P-v$s link show tap$s >/dev/null 2>&1 && break; sleep 0.1; done
        ip -n $P-v$s link set tap$s netns $P-h$s
        ip -n $P-h$s link set tap$s name eth0
        ip -n $P-h$s link set eth0 mtu 1450 up
        ip -n $P-h$s addr add 192.168.77.$n/24 dev eth0
        n=$((n + 1))
    done
    sleep 1
}

proc_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
sys_busy() { awk '/^cpu /{idle=$5+$6; tot=0; for(i=2;i<=NF;i++) tot+=$i; print tot-idle, tot}' /proc/stat; }

# run_one KIND ARGS... -> prints "value cpuA cpuB cpuSys losses" (losses:
# TCP retransmitted segments, or UDP datagrams lost)
run_one() {
    local kind=$1; shift
    local a0=0 b0=0 a1=0 b1=0
    if [ ${#PIDS[@]} -eq 2 ]; then a0=$(proc_ticks "${PIDS[0]}"); b0=$(proc_ticks "${PIDS[1]}"); fi
    read -r busy0 tot0 < <(sys_busy)
    local t0; t0=$(date +%s.%N)
    local out
    out=$(ip netns exec $P-hA iperf3 -c 192.168.77.2 -t "${RUN_SECS:-$SECS}" -J "$@")
    local t1; t1=$(date +%s.%N)
    read -r busy1 tot1 < <(sys_busy)
    if [ ${#PIDS[@]} -eq 2 ]; then a1=$(proc_ticks "${PIDS[0]}"); b1=$(proc_ticks "${PIDS[1]}"); fi
    local hz; hz=$(getconf CLK_TCK)
    local el; el=$(echo "$t1 - $t0" | bc -l)
    local ca cb cs
    ca=$(echo "($a1 - $a0) * 100 / $hz / $el" | bc -l)
    cb=$(echo "($b1 - $b0) * 100 / $hz / $el" | bc -l)
    cs=$(echo "($busy1 - $busy0) * 100 / ($tot1 - $tot0)" | bc -l)
    local v r
    if [ "$kind" = udp ]; then
        v=$(echo "$out" | jq '(.end.sum.packets - .end.sum.lost_packets) / .end.sum.seconds')
        r=$(echo "$out" | jq '.end.sum.lost_packets')
    else
        v=$(echo "$out" | jq '.end.sum_received.bits_per_second / 1e9')
        r=$(echo "$out" | jq '.end.sum_sent.retransmits')
    fi
    printf '%.3f %.0f %.0f %.0f %s\n' "$v" "$ca" "$cb" "$cs" "$r"
}

# zero_loss -> the run_one line of the highest 64-byte UDP rate that crossed
# without a single lost datagram: an unlimited run gives the ceiling, then a
# binary search (ZL_STEPS trials of ZL_SECS seconds each) between a twentieth
# of it and it; the offered rate is set with iperf3 -b (payload bits/s).
zero_loss() {
    local top best="" lo hi mid line lost
    top=$(RUN_SECS=$ZL_SECS run_one udp -u -l 64 -b 0 | awk '{printf "%d", $1}')
    lo=$((top / 20)); hi=$top
    for _ in $(seq "$ZL_STEPS"); do
        mid=$(((lo + hi) / 2))
        line=$(RUN_SECS=$ZL_SECS run_one udp -u -l 64 -b $((mid * 64 * 8)))
        lost=$(echo "$line" | awk '{print $5}')
        if [ "$lost" = 0 ]; then best=$line; lo=$mid; else hi=$mid; fi
    done
    echo "${best:-0 0 0 0 0}"
}

declare -A RES
measure() {
    local mode=$1
    case $mode in
        kernel) topology; kernel_vteps ;;
        vtepd) topology; vtepd_vteps ;;
        vtepd-tap) topology tap; vtepd_tap_vteps ;;
    esac
    ip netns exec $P-hA ping -c 3 -i 0.2 -W 2 192.168.77.2 >/dev/null || { echo "$mode: no connectivity" >&2; exit 1; }
    ip netns exec $P-hB iperf3 -s -D -B 192.168.77.2 --pidfile /tmp/$P-iperf.pid
    sleep 0.5
    for test in $TESTS; do
        local vals=() line
        for _ in $(seq "$RUNS"); do
            case $test in
                tcp1) line=$(run_one tcp) ;;
                tcp4) line=$(run_one tcp -P 4) ;;
                udp64) line=$(run_one udp -u -l 64 -b 0) ;;
                udp64z) line=$(zero_loss) ;;
            esac
            vals+=("$line")
            echo "  $mode $test: $line" >&2
        done
        RES[$mode,$test]=$(printf '%s\n' "${vals[@]}")
    done
    kill "$(cat /tmp/$P-iperf.pid)" 2>/dev/null || true
    if [ "$mode" != kernel ]; then
        echo "  vtepd logs: $(tail -c 300 /tmp/$P-A.log) | $(tail -c 300 /tmp/$P-B.log)" >&2
    fi
    cleanup
}

stats() { # column N of the lines -> "min median max"
    sort -n -k"$1" | awk -v c="$1" '{v[NR]=$c} END{printf "%.3f %.3f %.3f", v[1], v[int((NR+1)/2)], v[NR]}'
}

echo "dataplane_vs_kernel: ${SECS}s per run, $RUNS runs, $(nproc) cores, kernel $(uname -r)"
MODES=${MODES:-"kernel vtepd ${WITH_TAP:+vtepd-tap}"}
TESTS=${TESTS:-"tcp1 tcp4 udp64 udp64z"}
echo "vtepd-l2: $VTEPD_L2 ${VTEPD_ARGS:-}; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
for m in $MODES; do measure $m; done

echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
case " $MODES " in *" kernel "*) ;; *) exit 0 ;; esac
for m in $MODES; do
    [ $m = kernel ] && continue
    printf '\n%-7s %-6s %28s %28s %7s\n' test unit "kernel min/med/max" "$m min/med/max" ratio
    for test in $TESTS; do
        unit=Gbit/s; case $test in udp64*) unit=pps ;; esac
        k=$(echo "${RES[kernel,$test]}" | stats 1)
        v=$(echo "${RES[$m,$test]}" | stats 1)
        km=$(echo "$k" | awk '{print $2}'); vm=$(echo "$v" | awk '{print $2}')
        printf '%-7s %-6s %28s %28s %7.2f\n' $test $unit "$k" "$v" "$(echo "$vm / $km" | bc -l)"
    done
    printf 'CPU (medians): %s side A / side B in %% of one core; machine busy in %% of all cores\n' $m
    for test in $TESTS; do
        ks=$(echo "${RES[kernel,$test]}" | stats 4 | awk '{print $2}')
        va=$(echo "${RES[$m,$test]}" | stats 2 | awk '{print $2}')
        vb=$(echo "${RES[$m,$test]}" | stats 3 | awk '{print $2}')
        vs=$(echo "${RES[$m,$test]}" | stats 4 | awk '{print $2}')
        printf '%-7s kernel: machine %5.0f%%   %s: A %5.0f%%  B %5.0f%%  machine %5.0f%%\n' $test "$ks" $m "$va" "$vb" "$vs"
    done
done
