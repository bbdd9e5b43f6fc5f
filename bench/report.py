#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Turn the raw "@R ..." lines of one bench/run into the table and the JSON.

Every ratio is computed per round, from configurations measured side by side
in that round, and the median of those per-round ratios is reported with its
range. Round 0 of the interleaved loops is a warm-up and is dropped. Targets
are shown next to the figures; nothing here fails on a slow number.
"""
import argparse
import json
import os
import re
import statistics
import sys


def med(xs):
    return statistics.median(xs) if xs else None


def spread(xs):
    """(max - min) / median, in percent: how much the rounds disagree."""
    if not xs or not med(xs):
        return None
    return 100.0 * (max(xs) - min(xs)) / med(xs)


def summary(xs):
    xs = [x for x in xs if x is not None]
    if not xs:
        return None
    return {"median": med(xs), "min": min(xs), "max": max(xs), "spread_pct": spread(xs),
            "n": len(xs)}


def fmt(x, nd=0):
    if x is None:
        return "-"
    return f"{x:,.{nd}f}"


# Every target the report judges, in order: (what, where, value, target,
# met), for the closing table. WHERE is the VM kernel being reported, or
# "host" for the native parts.
GOALS = []
WHERE = ["host"]


def judge(what, value, target, le=True, show=None):
    """'target <= T: met|MISSED' for VALUE, and WHAT in GOALS. SHOW is
    how the value is written in the closing table (default: 3 decimals)."""
    ok = value is not None and (value <= target if le else value >= target)
    shown = show if show is not None else ("-" if value is None else f"{value:.3f}")
    if what:
        GOALS.append((what, WHERE[0], shown, f"{'<=' if le else '>='} {target}", ok))
    return f"target {'<=' if le else '>='} {target}: {'met' if ok else 'MISSED'}"


def fratio(s, target=None, le=True, what=None):
    if not s:
        return "-"
    txt = f"{s['median']:.3f} [{s['min']:.3f}..{s['max']:.3f}]"
    if target is not None:
        txt += "  " + judge(what, s["median"], target, le)
    return txt


def run_files(raw):
    """The raw files bench/run made in this run (run.files): the parts of
    earlier runs left in the same directory are never read."""
    try:
        with open(os.path.join(raw, "run.files")) as f:
            names = sorted({n.strip() for n in f if n.strip()})
    except FileNotFoundError:
        sys.exit(f"report.py: no run.files in '{raw}': not the raw output of a bench/run")
    return [n for n in names if os.path.exists(os.path.join(raw, n))]


def read_lines(raw, name):
    lines = []
    with open(os.path.join(raw, name), errors="replace") as f:
        for line in f:
            line = line.strip()
            if line.startswith("@R "):
                lines.append(line[3:].split(" "))
    return lines


def vm_groups(per_file):
    """The VM parts' raw files by the kernel they booted, in the order of
    the run: {kernel: [(file, lines)]}. bench/run names them PART@KERNEL.txt;
    a file without a kernel in its name is grouped by the guest's own
    `meta kernel` line."""
    groups = {}
    for name, lines in per_file:
        if not name.startswith("vm-"):
            continue
        k = name[:-len(".txt")].split("@", 1)[1] if "@" in name else next(
            (f[2] for f in lines if f[:2] == ["meta", "kernel"]), "vm")
        groups.setdefault(k, []).append((name, lines))
    return groups


class Table:
    def __init__(self):
        self.out = []

    def title(self, t):
        self.out += ["", t, "-" * len(t)]

    def row(self, *cols, widths=(38, 14, 10, 16, 0)):
        s = ""
        for c, w in zip(cols, widths):
            s += (str(c).ljust(w) if w else str(c))
        self.out.append(s.rstrip())

    def text(self, t):
        self.out.append(t)


def per_round(data, cfg, label):
    """{round: value} of one configuration and file label (round 0 dropped)."""
    return {r: v for (c, r, l), v in data.items() if c == cfg and l == label and r > 0}


def ratio_rounds(a, b, f):
    return [f(a[r], b[r]) for r in sorted(a) if r in b]


def s1_report(lines, T, res):
    data = {}
    for f in lines:
        if f[0] == "s1":
            data[(f[1], int(f[2]), f[3])] = float(f[4])
    if not data:
        return
    cfgs = sorted({c for c, _, _ in data})
    size = lambda c: int(c.split("-")[1])  # noqa: E731
    pal = sorted([c for c in cfgs if c.startswith("palisade-")], key=size)
    pat = sorted([c for c in cfgs if c.startswith("pattern-")], key=size)
    ps = next((c for c in cfgs if c.startswith("pathstr")), None)
    ll = next((c for c in cfgs if c.startswith("landlock")), None)
    order = [c for c in ["none", "empty"] if c in cfgs] + pal + pat + [c for c in [ps, ll] if c]
    res["s1"] = {"skipped": [" ".join(f[2:]) for f in lines if f[0] == "skip" and f[1] == "s1"]}
    for label, name in [("d6", "allowed file, depth 6"), ("deny6", "denied file, depth 6")]:
        T.title(f"S1 open()+close(), {name} (VM, TCG -icount: guest instructions per op)")
        T.row("configuration", "ins/op", "spread", "added vs none", "(median of rounds)")
        base = per_round(data, "none", label)
        out = {}
        for c in order:
            v = per_round(data, c, label)
            add = ratio_rounds(v, base, lambda a, b: a - b) if c != "none" else []
            out[c] = {"per_op": summary(list(v.values())), "added": summary(add)}
            T.row(c, fmt(med(list(v.values()))), fmt(spread(list(v.values())), 1) + "%",
                  fmt(med(add)) if add else "-")
        ratios = {}
        if len(pal) >= 2:
            lo, hi = pal[0], pal[-1]
            ratios[f"{hi}/{lo} total"] = (summary(ratio_rounds(
                per_round(data, hi, label), per_round(data, lo, label), lambda a, b: a / b)), 1.15)
            ratios[f"{hi}/{lo} added"] = (summary(ratio_rounds(
                {r: per_round(data, hi, label)[r] - base[r] for r in base if r in per_round(data, hi, label)},
                {r: per_round(data, lo, label)[r] - base[r] for r in base if r in per_round(data, lo, label)},
                lambda a, b: a / b if b else float("nan"))), None)
        mid = pal[len(pal) // 2] if pal else None
        # Landlock: at most its cost (the standing goal after that is 0.5x)
        for ref, tgt in [(ps, 0.5), (ll, 1.0)]:
            for p in ([mid, pal[-1]] if pal else []):
                if not ref or ref not in cfgs:
                    continue
                pv, rv = per_round(data, p, label), per_round(data, ref, label)
                rr = [(pv[r] - base[r]) / (rv[r] - base[r]) for r in pv
                      if r in rv and r in base and rv[r] != base[r]]
                ratios[f"added {p} / added {ref}"] = (summary(rr), tgt)
        if pal:
            pv = per_round(data, pal[0], label)
            ratios[f"added {pal[0]} / none"] = (summary(
                [(pv[r] - base[r]) / base[r] for r in pv if r in base]), 0.25)
        ratios.update(pattern_ratios(data, label, base, pal, pat))
        T.text("ratios (median of per-round ratios [min..max]):")
        for k, (s, tgt) in ratios.items():
            T.text(f"  {k:<50} {fratio(s, tgt, what=f'S1 {name}: {k}' if label == 'd6' else None)}")
        res["s1"][label] = {"configs": out, "ratios": {k: {"value": s, "target_le": t}
                                                       for k, (s, t) in ratios.items()}}
    for sk in res["s1"]["skipped"]:
        T.text("S1 skipped: " + sk)
    s2_report(data, order, T, res)


def pattern_ratios(data, label, base, pal, pat):
    """Pattern rules: the largest set against the smallest (the automaton's
    cost must not grow with the set), and each set's added cost against the
    exact rules' of the same size (what the automaton walk adds)."""
    ratios = {}
    if len(pat) >= 2:
        hi, lo = per_round(data, pat[-1], label), per_round(data, pat[0], label)
        ratios[f"{pat[-1]}/{pat[0]} total"] = (summary(ratio_rounds(
            hi, lo, lambda a, b: a / b)), 1.15)
    for p in pat:
        ex = "palisade-" + p.split("-")[1]
        if ex not in pal and pal:
            ex = pal[-1]  # no exact set of that size: the largest one
        pv, ev = per_round(data, p, label), per_round(data, ex, label)
        rr = [(pv[r] - base[r]) / (ev[r] - base[r]) for r in pv
              if r in ev and r in base and ev[r] != base[r]]
        if rr:
            ratios[f"added {p} / added {ex}"] = (summary(rr), 1.25)
    return ratios


def slope(xs, ys):
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else None


def s2_report(data, order, T, res):
    depths = [2, 6, 8, 16, 32]
    labels = [f"d{d}" for d in depths]
    if not all(per_round(data, "none", l) for l in labels):
        return
    T.title("S2 depth sweep, allowed file (VM, guest instructions per op)")
    T.row("configuration", *[f"d{d}" for d in depths], "added ins/level",
          widths=(20, 10, 10, 10, 10, 10, 0))
    rounds = sorted(per_round(data, "none", "d2"))
    slopes = {}
    out = {}
    for c in order:
        vals = [med(list(per_round(data, c, l).values())) for l in labels]
        sl = []
        for r in rounds:
            try:
                ys = [data[(c, r, l)] - data[("none", r, l)] for l in labels]
            except KeyError:
                continue
            sl.append(slope(depths, ys))
        slopes[c] = {r: s for r, s in zip(rounds, sl)}
        out[c] = {"per_op": dict(zip(labels, vals)), "added_per_level": summary(sl)}
        T.row(c, *[fmt(v) for v in vals], fmt(med(sl), 1) if c != "none" else "-",
              widths=(20, 10, 10, 10, 10, 10, 0))
    ratios = {}
    pal = [c for c in order if c.startswith("palisade-")]
    for ref in [c for c in order if c.startswith("pathstr") or c.startswith("landlock")]:
        for p in pal:
            a, b = slopes.get(p, {}), slopes.get(ref, {})
            rr = [a[r] / b[r] for r in a if r in b and b[r]]
            ratios[f"per-level {p} / {ref}"] = (summary(rr),
                                                 0.75 if ref.startswith("landlock") else 0.5)
    T.text("ratios (median of per-round ratios [min..max]):")
    for k, (s, tgt) in ratios.items():
        T.text(f"  {k:<50} {fratio(s, tgt, what='S2 ' + k)}")
    res["s2"] = {"depths": depths, "configs": out,
                 "ratios": {k: {"value": s, "target_le": t} for k, (s, t) in ratios.items()}}


def s3_report(lines, raw, files, T, res):
    res["s3"] = {}
    path = os.path.join(raw, "s3-connect.txt")
    if "s3-connect.txt" in files:
        txt = open(path, errors="replace").read()
        rows = re.findall(r"^\s+(no Palisade program|\d+ CIDR rules)\s+median\s+([\d.]+)\s+min\s+"
                          r"([\d.]+)\s+max\s+([\d.]+)\s+spread\s+([\d.]+)%", txt, re.M)
        T.title("S3 cgroup hooks, native: connect() to loopback UDP (tests/cgroup bench_cgroup)")
        T.row("configuration", "ns/op", "spread", "", "(median of rounds)")
        conn = {}
        for name, m, lo, hi, sp in rows:
            conn[name] = {"median": float(m), "min": float(lo), "max": float(hi),
                          "spread_pct": float(sp)}
            T.row(name, fmt(float(m), 1), sp + "%")
        m = re.search(r"ratio 100000/10 rules: ([\d.]+)", txt)
        if m:
            v = float(m.group(1))
            T.text(f"  100000/10 CIDR rules (ratio of medians)         {v:.3f}  " +
                   judge("S3 connect(), 100000/10 CIDR rules", v, 1.3))
        m = re.search(r"classify latency.*median ([\d.]+) ms, p90 ([\d.]+) ms, max ([\d.]+) ms", txt)
        if m:
            T.text(f"  new cgroup classify latency: median {m.group(1)} ms, p90 {m.group(2)} ms,"
                   f" max {m.group(3)} ms (target <= 100 ms)")
            conn["classify_ms"] = {"median": float(m.group(1)), "p90": float(m.group(2)),
                                 "max": float(m.group(3))}
        res["s3"]["connect"] = conn
    data = {}
    for f in lines:
        if f[0] == "s3":
            data[(f[1], int(f[2]), f[3])] = float(f[4])
    if not data:
        return
    T.title("S3 cgroup hooks, native, with the agent: socket() and open(/dev/null)")
    T.row("operation", "none ns/op", "Palisade", "ratio", "[min..max] of per-round ratios")
    for op, name in [("socket", "socket(INET,DGRAM)+close"), ("devnull", "open(/dev/null)+close")]:
        a, b = per_round(data, "palisade", op), per_round(data, "none", op)
        rr = summary(ratio_rounds(a, b, lambda x, y: x / y))
        T.row(name, fmt(med(list(b.values())), 1), fmt(med(list(a.values())), 1),
              f"{rr['median']:.3f}" if rr else "-",
              f"[{rr['min']:.3f}..{rr['max']:.3f}]" if rr else "")
        res["s3"][op] = {"none": summary(list(b.values())), "palisade": summary(list(a.values())),
                         "ratio": rr}


def s4_report(lines, T, res):
    hz = 100
    rows = []
    for f in lines:
        if f[0] == "meta" and f[1] == "s4":
            hz = int(f[f.index("hz") + 1])
        if f[0] == "s4":
            r, att, den, oth, secs, dl, rec, lost, sup, ticks, wall_ms, rss = f[1:13]
            rows.append(dict(round=int(r), attempts=int(att), denied=int(den), other=int(oth),
                             storm_s=float(secs), delivered=int(dl), records=int(rec),
                             lost=int(lost), suppressed=int(sup), cpu_s=int(ticks) / hz,
                             max_rss_kb=int(rss)))
    rows = [r for r in rows if r["round"] > 0]
    if not rows:
        return
    for r in rows:
        r["exact"] = r["delivered"] + r["lost"] + r["suppressed"] == r["denied"]
        r["events_per_cpu_s"] = r["delivered"] / r["cpu_s"] if r["cpu_s"] else None
        r["lines_per_cpu_s"] = r["records"] / r["cpu_s"] if r["cpu_s"] else None
        r["denials_per_s"] = r["denied"] / r["storm_s"]
    T.title("S4 audit stream, native: deny storm through cgroup/connect4, real agent")
    g = lambda k: summary([r[k] for r in rows])  # noqa: E731
    items = [("denials/s (storm)", "denials_per_s", 0),
             ("events delivered per agent CPU-s", "events_per_cpu_s", 0),
             ("JSON lines written per agent CPU-s", "lines_per_cpu_s", 0),
             ("events delivered (per round)", "delivered", 0),
             ("lost (ring buffer full)", "lost", 0),
             ("suppressed (in-kernel rate limit)", "suppressed", 0),
             ("agent CPU s", "cpu_s", 2), ("agent max RSS KiB", "max_rss_kb", 0)]
    T.row("measure", "median", "spread", "min..max")
    out = {}
    for name, k, nd in items:
        s = g(k)
        out[k] = s
        T.row(name, fmt(s["median"], nd), fmt(s["spread_pct"], 1) + "%",
              f"{fmt(s['min'], nd)}..{fmt(s['max'], nd)}")
    ok = all(r["exact"] for r in rows)
    T.text(f"  delivered + lost + suppressed == denials in every round: {'yes' if ok else 'NO'}")
    s = out["events_per_cpu_s"]
    v = s["median"] if s else None
    T.text("  events delivered per agent CPU-s: " +
           judge("S4 events delivered per agent CPU-s", v, 500000, le=False, show=fmt(v)))
    res["s4"] = {"rounds": rows, "summary": out, "counts_exact": ok}


def reload_report(lines, key, title, T, res, target_size):
    data = {}
    for f in lines:
        if f[0] == key and f[1] == "reload" and int(f[2]) > 0:
            data.setdefault(int(f[3]), []).append((float(f[4]), float(f[5])))
    if not data:
        return
    T.title(title)
    T.row("rules", "write->enforced", "spread", "agent reload", "(ms, median of rounds)",
          widths=(38, 18, 10, 16, 0))
    out = {}
    for n in sorted(data):
        lat = [a for a, _ in data[n]]
        ag = [b for _, b in data[n]]
        out[n] = {"write_to_enforced_ms": summary(lat), "agent_reload_ms": summary(ag)}
        T.row(f"{n:,}", fmt(med(lat), 1), fmt(spread(lat), 1) + "%", fmt(med(ag), 1),
              widths=(38, 18, 10, 16, 0))
    if target_size in out:
        m = out[target_size]["write_to_enforced_ms"]["median"]
        T.text(f"  write->enforced at {target_size:,} rules, ms: " +
               judge(f"{key.upper()} write->enforced at {target_size:,} rules, ms", m, 50,
                     show=f"{m:.1f}") +
               " (includes the agent's inotify debounce, RELOAD_DEBOUNCE_MS)")
    res[key] = {"reload": out}


def tail_report(lines, T, res):
    data = {}
    for f in lines:
        if f[0] == "s5" and f[1] == "tail" and int(f[3]) > 0:
            data.setdefault(int(f[3]), {})[f[2]] = [float(x) for x in f[4:8]] + [int(f[8])]
    rounds = [r for r in data if "steady" in data[r] and "reloading" in data[r]]
    if not rounds:
        return
    T.title("S5 open() latency during continuous reloads vs steady (VM, ns; full run: wall clock)")
    T.row("window", "p50", "p99", "p99.9", "max / reloads per window")
    out = {}
    for w in ["steady", "reloading"]:
        cols = list(zip(*[data[r][w] for r in rounds]))
        out[w] = {k: summary(list(c)) for k, c in zip(["p50", "p99", "p999", "max", "reloads"], cols)}
        T.row(w, fmt(med(cols[0])), fmt(med(cols[1])), fmt(med(cols[2])),
              f"{fmt(med(cols[3]))} / {fmt(med(cols[4]))}")
    rr = summary([data[r]["reloading"][2] / data[r]["steady"][2] for r in rounds])
    T.text(f"  p99.9 reloading / steady (per-round ratios)     {fratio(rr, 2.0, what='S5 p99.9 reloading / steady')}")
    out["p999_ratio"] = rr
    res.setdefault("s5", {})["tail"] = out


def s6_report(lines, T, res):
    data = {}
    for f in lines:
        if f[0] == "s6":
            label, secs = " ".join(f[2:]).split("|")
            data.setdefault(label.strip(), []).append(float(secs))
    if not data:
        return
    T.title("S6 compile 100,000 file rules, native (bench/compile.sh, seconds)")
    T.row("command", "median s", "spread", "min..max")
    out = {}
    for k, v in data.items():
        s = summary(v)
        out[k] = s
        T.row("palisade " + k, f"{s['median']:.3f}", fmt(s["spread_pct"], 1) + "%",
              f"{s['min']:.3f}..{s['max']:.3f}")
    c = out.get("compile")
    if c:
        T.text("  compile, s: " + judge("S6 compile 100,000 rules, s", c["median"], 1))
    res["s6"] = out


def compile_report(lines, T, res):
    """`palisade compile` of pattern rules against exact rules of the same
    layout (compile part): each set's outcome, then its time per round."""
    data, sets = {}, {}
    for f in lines:
        if f[0] == "compile_set":
            sets[f[1]] = {"status": f[2], "states": int(f[3]) if f[2] == "ok" else None,
                          "why": " ".join(f[3:]) if f[2] != "ok" else None}
        if f[0] == "compile" and int(f[1]) > 0:
            data.setdefault(f[2], {})[int(f[1])] = float(f[3])
    if not data:
        return
    T.title("Compile: pattern rules vs exact rules, native (bench/compile-patterns.sh, "
            "palisade compile, seconds)")
    T.row("configuration", "wall s", "spread", "outcome", widths=(24, 12, 10, 0))
    out = {}
    for c in sorted(data, key=lambda c: (-int(c.split("-")[1]), c)):
        w = list(data[c].values())
        st = sets.get(c, {"status": "?", "states": None, "why": None})
        out[c] = dict(st, wall=summary(w))
        T.row(c, f"{med(w):.3f}", fmt(spread(w), 1) + "%",
              "REFUSED: " + st["why"] if st["status"] == "refused" else
              f"{st['states']:,} automaton states" if st["states"] else "no automaton",
              widths=(24, 12, 10, 0))
    for c in [c for c in data if c.startswith("pattern-")]:
        ex = data.get("exact-" + c.split("-")[1], {})
        rr = summary([v / ex[r] for r, v in data[c].items() if r in ex])
        out[c]["wall_vs_exact"] = rr
        T.text(f"  {c + ' / exact, wall':<50} {fratio(rr)}")
    p = out.get("pattern-100000")
    if p:
        ok = p["status"] == "ok" and p["wall"]["median"] < 2
        T.text("  target < 2 s to compile 100,000 pattern rules: " +
               ("not met: the set is refused" if p["status"] != "ok" else
                "met" if ok else "MISSED"))
        GOALS.append(("compile 100,000 pattern rules, s", WHERE[0],
                      "refused" if p["status"] != "ok" else f"{p['wall']['median']:.3f}", "< 2", ok))
    res["compile"] = out


WL_NAMES = {"untar": "untar a tree (busybox tar -x)", "dd": "4 KiB writes to one file (busybox dd)",
            "find": "find + read every file (busybox find -exec cat)",
            "tcc": "compile two programs (tcc, compile and link)"}


def wl_report(lines, T, res):
    """W: whole workloads per configuration; overhead over none per round."""
    data, meta = {}, {}
    for f in lines:
        if f[0] == "wl" and int(f[2]) > 0:
            data.setdefault(f[3], {})[(f[1], int(f[2]))] = float(f[4])
        if f[0] == "meta" and f[1] == "wl":
            meta = dict(zip(f[2::2], f[3::2]))
        if f[0] == "skip" and f[1] == "wl":
            T.text("W skipped: " + " ".join(f[2:]))
    if not data:
        return
    sizes = {"untar": ("tar_files", "files"), "dd": ("dd_count", "writes"),
             "find": ("read_files", "files")}
    res["wl"] = {"meta": meta}
    for w in [w for w in WL_NAMES if w in data]:
        d = data[w]
        # none, palisade-N by size, palisade-all-N (every access denied), landlock
        cfgs = sorted({c for c, _ in d}, key=lambda c: (c != "none", c.startswith("landlock"),
                                                        "-all-" in c,
                                                        int(c.rsplit("-", 1)[1]) if "-" in c else 0))
        val = {c: {r: v for (cc, r), v in d.items() if cc == c} for c in cfgs}
        base = val.get("none", {})
        pct = {c: {r: 100.0 * (v / base[r] - 1) for r, v in val[c].items() if r in base}
               for c in cfgs}
        key, unit = sizes.get(w, (None, None))
        n = f", {int(meta[key]):,} {unit}" if key in meta else ""
        T.title(f"W {WL_NAMES[w]}{n} (VM, TCG -icount: guest instructions per run)")
        T.row("configuration", "M ins", "spread", "overhead vs none", "[min..max] of rounds",
              widths=(24, 12, 10, 18, 0))
        out = {}
        for c in cfgs:
            v, o = list(val[c].values()), summary(list(pct[c].values()))
            out[c] = {"ins": summary(v), "overhead_pct": o}
            tgt = ""
            if c.startswith("palisade-") and o:
                tgt = "  " + judge(f"W {w}: {c} overhead over none, %", o["median"], 3,
                                   show=f"{o['median']:+.2f}")
            T.row(c, fmt(med(v) / 1e6, 2), fmt(spread(v), 1) + "%",
                  f"{o['median']:+.2f}%" if c != "none" and o else "-",
                  (f"[{o['min']:+.2f}..{o['max']:+.2f}]" + tgt) if c != "none" and o else "",
                  widths=(24, 12, 10, 18, 0))
        ll = pct.get("landlock", {})
        for c in [c for c in cfgs if c.startswith("palisade-")]:
            pts = summary([p - ll[r] for r, p in pct[c].items() if r in ll])
            out[c]["minus_landlock_points"] = pts
            if pts:
                T.text(f"  {c} overhead - landlock overhead: {pts['median']:+.2f} points "
                       f"[{pts['min']:+.2f}..{pts['max']:+.2f}]  " +
                       judge(f"W {w}: {c} overhead - landlock's, points", pts["median"], 1,
                             show=f"{pts['median']:+.2f}"))
        res["wl"][w] = out


READY = re.compile(r"after (\d+) ms \((.*)\)")


def start_report(lines, T, res):
    """Agent start in the icount VM (guest time): the script's clock from
    launching `palisade run` to the first generation being live, and the
    agent's own account of where the time went (its ready line)."""
    launch = [float(f[3]) for f in lines if f[:2] == ["info", "agent_start"]]
    stages, total = {}, []
    for f in lines:
        m = READY.search(" ".join(f[2:])) if f[:2] == ["info", "agent"] else None
        if not m:
            continue
        total.append(float(m.group(1)))
        for name, ms in re.findall(r"([a-z][a-z ]*) (\d+) ms", m.group(2)):
            stages.setdefault(name, []).append(float(ms))
    if not launch:
        return
    T.title("Agent start to enforcing (VM, TCG -icount: guest ms, every start of the run)")
    T.row("stage", "median ms", "spread", "min..max", widths=(38, 14, 10, 0))
    out = {}
    for name, v in list(stages.items()) + [("total, the agent's clock", total),
                                           ("launch to generation 1 live", launch)]:
        st = summary(v)
        if not st:
            continue
        out[name] = st
        T.row(name, fmt(st["median"]), fmt(st["spread_pct"], 1) + "%",
              f"{fmt(st['min'])}..{fmt(st['max'])}", widths=(38, 14, 10, 0))
    v = out["launch to generation 1 live"]["median"]
    T.text(f"  launch to enforcing, {len(launch)} starts, median ms: " +
           judge("agent launch to enforcing, guest ms", v, 1000, show=fmt(v)))
    res["agent_start"] = out


def logs_report(lines, T, res):
    rows = {f[1]: [float(x) for x in f[2:6]] for f in lines if f[0] == "logs" and len(f) >= 6}
    meta = next((dict(zip(f[2::2], f[3::2])) for f in lines if f[:2] == ["meta", "logs"]), {})
    if not rows:
        return
    mb = int(meta.get("bytes", 0)) / 1048576
    T.title(f"palisade logs over a generated audit log of {mb:,.0f} MB, "
            f"{int(meta.get('lines', 0)):,} records (native, best of {meta.get('runs', '?')})")
    T.row("filter (bench/logs.sh)", "wall s", "CPU s", "MB/s", "max RSS KiB",
          widths=(24, 10, 10, 10, 0))
    for k, (w, c, mbs, rss) in rows.items():
        T.row(k, f"{w:.2f}", f"{c:.2f}", fmt(mbs), fmt(rss), widths=(24, 10, 10, 10, 0))
    if "summary" in rows:
        w = rows["summary"][0]
        T.text(f"  --summary over {mb:,.0f} MB, s: " +
               judge(f"logs --summary over {mb:,.0f} MB, s", w, 5, show=f"{w:.2f}"))
    res["logs"] = {"meta": meta, "filters": {k: dict(zip(["wall_s", "cpu_s", "mb_per_s",
                                                          "max_rss_kb"], v))
                                             for k, v in rows.items()}}


def goals_report(T, res):
    if not GOALS:
        return
    T.title("Targets of this run")
    w = max(len(g[0]) for g in GOALS) + 2
    T.row("target", "where", "value", "wanted", "met", widths=(w, 10, 12, 12, 0))
    for what, where, val, tgt, ok in GOALS:
        T.row(what, where, val, tgt, "met" if ok else "MISSED", widths=(w, 10, 12, 12, 0))
    n = sum(1 for g in GOALS if g[4])
    T.text(f"{n} of {len(GOALS)} targets met" + (
        " (a smoke run: small sets, short loops, few rounds; it proves the suite"
        " works and measures nothing)" if res["meta"].get("smoke") == "1" else ""))
    res["targets"] = [{"what": a, "where": b, "value": c, "wanted": d, "met": e}
                      for a, b, c, d, e in GOALS]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--raw", required=True)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    files = run_files(a.raw)
    per_file = [(n, read_lines(a.raw, n)) for n in files]
    lines = [f for _, ls in per_file for f in ls]
    meta = {}
    for f in lines:
        if f[0] == "meta" and len(f) >= 3:
            meta.setdefault(f[1], " ".join(f[2:]))
    errors = [" ".join(f[1:]) for f in lines if f[0] == "error"]
    res = {"meta": meta, "errors": errors}
    T = Table()
    T.text(f"Palisade benchmarks ({'smoke' if meta.get('smoke') == '1' else 'full'} run, "
           f"{meta.get('date', '?')}, commit {meta.get('commit', '?')}"
           f"{' with uncommitted changes' if meta.get('dirty') == '1' else ''})")
    T.text(f"host: {meta.get('host_nproc', '?')} CPUs, {meta.get('host_cpu', '?')}, "
           f"kernel {meta.get('host_kernel', '?')}, load {meta.get('host_load', '?')}")
    if "wall_clock_parts" in meta:
        T.text(f"wall-clock parts (native, vm-reload): started {meta['wall_clock_parts']}")
    s3_report(lines, a.raw, files, T, res)
    s4_report(lines, T, res)
    reload_report(lines, "s5n", "S5 reload latency, network rules (native, wall clock)", T, res,
                  10000)
    s6_report(lines, T, res)
    compile_report(lines, T, res)
    logs_report(lines, T, res)
    for k, group in vm_groups(per_file).items():
        vl = [f for _, ls in group for f in ls]
        guest = next((" ".join(f[2:]) for f in vl if f[:2] == ["meta", "kernel"]), "?")
        WHERE[0] = f"VM {k}"
        T.title(f"==== VM parts on kernel {k}: {meta.get('qemu', 'QEMU')}, TCG, guest kernel "
                f"{guest.split()[0]} ====".replace("\n", " "))
        rk = res.setdefault("vm", {}).setdefault(k, {"guest_kernel": guest.split()[0]})
        s1_report(vl, T, rk)
        wl_report(vl, T, rk)
        reload_report(vl, "s5", "S5 reload latency, file rules (VM, TCG; full run: wall clock, "
                      "2 vCPUs; smoke: -icount, 1 vCPU)", T, rk, 10000)
        tail_report(vl, T, rk)
        # vm-reload runs on the wall clock: its starts are not guest time
        start_report([f for n, ls in group if not n.startswith("vm-reload") for f in ls], T, rk)
        WHERE[0] = "host"
    goals_report(T, res)
    for e in errors:
        T.text(f"ERROR: {e}")
    print("\n".join(T.out))
    with open(a.out, "w") as f:
        json.dump(res, f, indent=1, sort_keys=True)
        f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
