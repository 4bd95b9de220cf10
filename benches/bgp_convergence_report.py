#!/usr/bin/env python3
"""Table and ratios for benches/bgp_convergence.sh.

Input lines: TARGET N RUN CONVERGE_MS INJECT_MS VMHWM_KB IDLE_RSS_KB [CPU_MS]
('#' lines are comments). Prints, per (target, N): runs, convergence time
min/median/max, injector write time (median), peak RSS (median), memory per
route ((VmHWM - idle VmRSS) / N, median); then the vtepd/FRR and vtepd/GoBGP
ratios of the medians at every N where both ran.
"""
import statistics
import sys
from collections import defaultdict

NAMES = {"vtepd": "vtepd", "frr": "FRR bgpd", "gobgp": "gobgpd"}


def main(path):
    rows = defaultdict(list)
    fails = defaultdict(int)
    for line in open(path):
        f = line.split()
        if not f or f[0].startswith("#") or len(f) < 7:
            continue
        target, n = f[0], int(f[1])
        if f[3] in ("fail", "timeout", ""):
            fails[(target, n)] += 1
            continue
        conv, inj, hwm, idle = float(f[3]), float(f[4]), int(f[5]), int(f[6])
        cpu = float(f[7]) if len(f) > 7 else float("nan")
        rows[(target, n)].append((conv, inj, hwm, (hwm - idle) * 1024 / n, cpu))
    med = {}
    print()
    print("BGP EVPN type-2 convergence: injector -> target -> sink, eBGP, "
          "time from first UPDATE sent until the sink holds all N")
    print("(GoBGP 3.10 only at small N: its type-2 intake is quadratic, "
          "MAC-mobility scan of the whole EVPN table per route)")
    print()
    hdr = ("target", "N", "runs", "conv min ms", "median ms", "max ms",
           "inject ms", "VmHWM MB", "B/route", "CPU ms")
    print("%-9s %8s %4s %11s %10s %10s %9s %8s %8s %8s" % hdr)
    keys = sorted(set(rows) | set(fails), key=lambda k: (k[1], list(NAMES).index(k[0])))
    for k in keys:
        r = rows.get(k, [])
        if not r:
            print("%-9s %8d %4s  all %d runs failed/timed out" % (k[0], k[1], 0, fails[k]))
            continue
        c = [x[0] for x in r]
        m = (statistics.median(c), statistics.median(x[3] for x in r),
             statistics.median(x[4] for x in r))
        med[k] = m
        note = "" if not fails.get(k) else "  (%d failed)" % fails[k]
        print("%-9s %8d %4d %11.1f %10.1f %10.1f %9.1f %8.1f %8.0f %8.0f%s" % (
            k[0], k[1], len(r), min(c), m[0], max(c),
            statistics.median(x[1] for x in r),
            statistics.median(x[2] for x in r) / 1024, m[1], m[2], note))
    print()
    print("ratios of medians (vtepd / reference; < 1 means vtepd is better; "
          "target: time <= 0.5 x the faster reference, memory/route <= 0.5)")
    for n in sorted({k[1] for k in med}):
        v = med.get(("vtepd", n))
        if not v:
            continue
        for ref in ("frr", "gobgp"):
            o = med.get((ref, n))
            if not o:
                continue
            print("  N=%-7d vtepd/%-8s time %.3f   memory/route %.3f   CPU %.3f" % (
                n, NAMES[ref], v[0] / o[0], v[1] / o[1] if o[1] > 0 else float("nan"),
                v[2] / o[2] if o[2] > 0 else float("nan")))


if __name__ == "__main__":
    main(sys.argv[1])
