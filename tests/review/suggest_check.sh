#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# What `palisade suggest` writes must pass `palisade check` (the policy
# language v1 compiler).
#
#   suggest_check.sh PALISADE FIXTURES
set -euo pipefail

bin=$1
fx=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0

run_check() {
	local name=$1 rc=0
	shift
	"$bin" suggest "$@" >"$work/$name.yaml" 2>"$work/$name.err"
	"$bin" check "$work/$name.yaml" >"$work/check.out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: palisade check refused the suggestion for $name (exit $rc):" >&2
		cat "$work/check.out" >&2
		cat -n "$work/$name.yaml" >&2
		exit 1
	fi
	pass=$((pass + 1))
}

run_check web --policy web "$fx/basic.log"
run_check all --include-denied --cgroup '/system.slice/**' "$fx/basic.log"
run_check spread --include-denied --collapse 2 --name ctr-allow "$fx/spread.log"

# suggest --container: the target is a container selector, never a cgroup; piped into 'check -'
pipe_check() {
	local name=$1 rc=0
	shift
	"$bin" suggest "$@" >"$work/$name.yaml" 2>"$work/$name.err" || rc=$?
	[ "$rc" -eq 0 ] || { echo "FAIL: suggest $* exited $rc" >&2; cat "$work/$name.err" >&2; exit 1; }
	"$bin" suggest "$@" 2>/dev/null | "$bin" check - >"$work/check.out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: palisade check - refused the suggestion for $name (exit $rc):" >&2
		cat "$work/check.out" "$work/$name.err" >&2
		cat -n "$work/$name.yaml" >&2
		exit 1
	fi
	if grep -q 'cgroups:' "$work/$name.yaml"; then
		echo "FAIL: $name: a container policy names cgroups" >&2
		exit 1
	fi
	pass=$((pass + 1))
}
pipe_check ctr --container nginx "$fx/containers.log"
grep -qx '    - namespace: prod' "$work/ctr.yaml" && grep -qx '    - namespace: staging' "$work/ctr.yaml" ||
	{ echo "FAIL: ctr: one selector per namespace seen" >&2; cat "$work/ctr.yaml" >&2; exit 1; }
pipe_check ctr-pod --container nginx --pod 'web-7d4b9c-*' --namespace prod "$fx/containers.log"
grep -q 'conf.d/staging.conf' "$work/ctr-pod.yaml" &&
	{ echo "FAIL: ctr-pod: took a record of another namespace" >&2; exit 1; }
pipe_check envoy --container envoy --include-denied "$fx/containers.log"
grep -q '/etc/nginx' "$work/envoy.yaml" &&
	{ echo "FAIL: envoy: took a record of the nginx container of the same pod" >&2; exit 1; }
pass=$((pass + 1))
# A recorded path with glob characters stays that one path: escaped, never a pattern.
cat >"$work/glob.log" <<'LOG'
{"v":1,"time":"2026-11-22T10:00:00.000001Z","host":"h","event":"file","action":"audit","mode":"enforce","policy":"p","rule":0,"generation":1,"op":"open","access":["read"],"path":"/srv/a*b[1]?\\c","pid":1,"ppid":1,"uid":0,"gid":0,"comm":"x","exe":"/bin/x","cgroup":"/x","cgroup_id":7}
LOG
run_check glob --include-denied "$work/glob.log"
"$bin" compile --no-host --cgroup /x --explain '/srv/a*b[1]?\c' "$work/glob.yaml" >"$work/explain.out"
grep -qF "exact '/srv/a*b[1]?\\c' allow [read]" "$work/explain.out" ||
	{ echo "FAIL: glob: the recorded path is not one exact rule" >&2; cat "$work/glob.yaml" "$work/explain.out" >&2; exit 1; }
"$bin" compile --no-host --cgroup /x --explain '/srv/axb1zc' "$work/glob.yaml" >"$work/explain.out"
grep -q "no rule names the path" "$work/explain.out" ||
	{ echo "FAIL: glob: the suggestion matches other paths" >&2; cat "$work/glob.yaml" "$work/explain.out" >&2; exit 1; }
# a container that never ran: nothing to suggest; a cgroup and a container: refused
rc=0
"$bin" suggest --container nope "$fx/containers.log" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: --container nope: exit $rc" >&2; exit 1; }
rc=0
"$bin" suggest --container nginx --cgroup / "$fx/containers.log" >/dev/null 2>&1 || rc=$?
[ "$rc" -eq 1 ] || { echo "FAIL: --container with --cgroup: exit $rc" >&2; exit 1; }
pass=$((pass + 2))
echo "suggest_check: $pass passed, 0 failed"
