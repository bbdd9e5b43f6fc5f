#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Benchmark of `palisade logs`: generate a 1 GB audit log (once, cached),
# then time typical filters over it and report wall time and max RSS.
# Not a test. Target: under 5 s per filter and for --summary, constant memory.
#
#   bench/logs.sh [BUILD_DIR]        (default: build-logs)
#   BENCH_DIR=/somewhere SIZE_MB=1024 RUNS=3 bench/logs.sh
# `bench/run` runs it as its part "logs".
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$here/build-logs}
bin=
for b in "$build/agent/palisade" "$build/tests/review/palisade-review"; do
	if [ -x "$b" ]; then
		bin=$b
		break
	fi
done
[ -n "$bin" ] || { echo "logs.sh: build palisade or palisade-review in $build first" >&2; exit 1; }
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/palisade-bench}
size_mb=${SIZE_MB:-1024}
runs=${RUNS:-3}
log=$dir/audit-${size_mb}m.log
mkdir -p "$dir"

# A week of records: mostly file denials and audits from a few services,
# some exec, network and device records, a few lost/suppressed/policy ones.
if [ ! -s "$log" ]; then
	echo "logs.sh: generating $log ($size_mb MB)" >&2
	python3 - "$log" "$size_mb" <<'EOF'
import json, random, sys
out, size = sys.argv[1], int(sys.argv[2]) << 20
rnd = random.Random(7)
policies = ["protect-secrets", "web", "no-raw", "ro-usr", "ssh-keys"]
services = [("nginx", "/usr/sbin/nginx", "/system.slice/nginx.service"),
            ("sshd", "/usr/sbin/sshd", "/system.slice/ssh.service"),
            ("python3", "/usr/bin/python3.11", "/system.slice/docker-%04x.scope"),
            ("postgres", "/usr/lib/postgresql/15/bin/postgres", "/system.slice/postgresql.service"),
            ("bash", "/usr/bin/bash", "/user.slice/user-1000.slice/session-%d.scope")]
dirs = ["/etc", "/etc/ssl/private", "/usr/lib/x86_64-linux-gnu", "/var/lib/app/data",
        "/home/alice/.ssh", "/srv/www/static/img", "/opt/app/node_modules/pkg/lib", "/tmp"]
t0 = 1795305600_000000  # 2026-11-22T00:00:00Z
span = 7 * 86400 * 1000000
def ts(us):
    s, u = divmod(us, 1000000)
    d, s = divmod(s, 86400)
    import datetime
    day = datetime.date(1970, 1, 1) + datetime.timedelta(days=d)
    return "%sT%02d:%02d:%02d.%06dZ" % (day.isoformat(), s // 3600, s // 60 % 60, s % 60, u)
written, n = 0, 0
est = size // 430
with open(out, "w", buffering=1 << 20) as f:
    while written < size:
        t = t0 + span * n // est
        n += 1
        comm, exe, cg = rnd.choice(services)
        if "%" in cg:
            cg = cg % rnd.randrange(64)
        pol = rnd.choice(policies)
        act = "deny" if rnd.random() < 0.7 else "audit"
        r = {"v": 1, "time": ts(t), "host": "web%d" % rnd.randrange(4), "event": "file",
             "action": act, "mode": "enforce" if act == "deny" else "audit", "policy": pol,
             "rule": rnd.randrange(40), "rule_src": "/etc/palisade/%s.yaml:%d" % (pol, rnd.randrange(5, 300)),
             "generation": 12, "op": "open", "access": ["read"], "errno": 13 if act == "deny" else 0,
             "pid": rnd.randrange(100, 400000), "ppid": 1, "uid": rnd.choice([0, 33, 1000]),
             "gid": 0, "comm": comm, "exe": exe, "cgroup": cg, "cgroup_id": 4000 + rnd.randrange(500)}
        k = rnd.random()
        if k < 0.80:
            r["path"] = "%s/file-%d.%s" % (rnd.choice(dirs), rnd.randrange(5000), rnd.choice(["conf", "so", "key", "json"]))
            r["op"], r["access"] = rnd.choice([("open", ["read"]), ("open", ["write"]), ("unlink", ["delete"]), ("mmap", ["mmap-exec"])])
        elif k < 0.88:
            r.update(event="exec", op="exec", access=["exec"], path=rnd.choice(["/usr/bin/nc", "/usr/bin/curl", "/bin/sh", "/usr/bin/wget"]))
        elif k < 0.97:
            r.update(event="network", op="connect", access=["connect"], family="inet", protocol="tcp",
                     daddr="10.%d.%d.%d" % (rnd.randrange(4), rnd.randrange(256), rnd.randrange(256)), dport=rnd.choice([22, 80, 443, 5432, 8080]))
        elif k < 0.999:
            r.update(event="device", op="device", access=["read"], dev_type="char", major=1, minor=rnd.choice([1, 2, 4]))
        else:
            r = {"v": 1, "time": ts(t), "host": "web0", "event": rnd.choice(["lost", "suppressed"]), "count": rnd.randrange(1, 5000)}
        line = json.dumps(r, separators=(",", ":")) + "\n"
        f.write(line)
        written += len(line)
EOF
fi

bytes=$(stat -c %s "$log")
lines=$(wc -l <"$log")
echo "input: $log, $bytes bytes, $lines lines"
echo "binary: $bin"
printf '%-52s %7s %7s %7s %10s\n' "case" "wall s" "CPU s" "MB/s" "max RSS KB"

# best wall time of RUNS runs, with the CPU time (user + sys) and max RSS of
# that run; "@R logs KEY WALL CPU MB/S RSS_KB" for bench/run's report
bench() { # KEY NAME ARG...
	local key=$1 name=$2
	shift 2
	local best= cpu= rss=0 t u s m rc
	for _ in $(seq "$runs"); do
		rc=0
		/usr/bin/time -f "%e %U %S %M" -o "$dir/time.out" "$bin" logs "$@" "$log" >/dev/null 2>"$dir/err.out" || rc=$?
		if [ $rc != 0 ]; then
			echo "@R error logs $key: palisade logs exit $rc: $(head -c 200 "$dir/err.out")"
			failed=1
			return
		fi
		read -r t u s m <"$dir/time.out"
		if [ -z "$best" ] || awk "BEGIN{exit !($t < $best)}"; then
			best=$t
			cpu=$(awk "BEGIN{print $u + $s}")
		fi
		[ "$m" -gt "$rss" ] && rss=$m
	done
	mbs=$(awk "BEGIN{printf \"%.0f\", $bytes / 1048576 / ($best > 0 ? $best : 0.01)}")
	printf '%-52s %7s %7s %7s %10s\n' "$name" "$best" "$cpu" "$mbs" "$rss"
	echo "@R logs $key $best $cpu $mbs $rss"
}

failed=0
echo "machine: $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "@R meta logs bytes $bytes lines $lines runs $runs"
bench prefilter "--policy nonexistent --json (prefilter only)" --policy nonexistent --json
bench policy "--policy ssh-keys --json (20% match)" --policy ssh-keys --json
bench path "--path '/home/*/.ssh/**' --json (10%)" --path '/home/*/.ssh/**' --json
bench exe "--exe '**/nginx' --action deny --json (14%)" --exe '**/nginx' --action deny --json
bench hour "--since/--until, one hour --json (0.6%)" --since 2026-11-25T10:00:00Z --until 2026-11-25T11:00:00Z --json
bench table "--policy web --path '/etc/**' table (2%)" --policy web --path '/etc/**' --width 160
bench uid "--uid 0 --json (33%)" --uid 0 --json
bench deny "--action deny --json (70%)" --action deny --json
bench summary "--summary (every line parsed)" --summary --width 120
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
exit $failed
