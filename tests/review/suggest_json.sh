#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# palisade suggest --json: one JSON object, parsed back with python3's json;
# its "policy" is the same document as the YAML suggestion (compared after
# parsing both), passes `palisade check -` as it is, and the counts, period
# and skipped records beside it match the fixtures.
# Usage: suggest_json.sh PALISADE FIXTURES_DIR
set -u
PAL=$1 fx=$2
fail=0
bad() { echo "FAIL: $*"; fail=1; }
export PALISADE_NOW=2026-11-22T13:00:00Z
get() { python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1"; }

# same ARGS...: the JSON policy equals the YAML one, and check accepts it
same() {
	local y j
	y=$("$PAL" suggest "$@" 2>/dev/null) || { bad "suggest $*: exit $?"; return; }
	j=$("$PAL" suggest --json "$@" 2>/dev/null) || { bad "suggest --json $*: exit $?"; return; }
	python3 -c 'import json,sys,yaml
y = yaml.safe_load(sys.argv[1]); j = json.loads(sys.argv[2])["policy"]
sys.exit(0 if y == j else 1)' "$y" "$j" || bad "suggest $*: JSON and YAML policies differ"
	get 'json.dumps(j["policy"])' <<<"$j" | "$PAL" check - >/dev/null 2>&1 ||
		bad "suggest --json $*: palisade check - refused the policy"
}
same --policy web "$fx/basic.log"
same --include-denied --cgroup '/system.slice/**' "$fx/basic.log"
same --include-denied --collapse 2 --name ctr-allow "$fx/spread.log"
same --container nginx "$fx/containers.log"
same --container nginx --namespace prod --pod 'web-7d4b9c-*' "$fx/containers.log"

out=$("$PAL" suggest --json --container nginx --namespace prod "$fx/containers.log")
[ "$(get 'j["policy"]["target"]' <<<"$out")" = "{'containers': [{'namespace': 'prod', 'container': 'nginx'}]}" ] ||
	bad "target: $(get 'j["policy"]["target"]' <<<"$out")"
[ "$(get '(j["source"], j["records"], j["first"], j["last"], j["collapse"])' <<<"$out")" = \
	"('audit', 11, '2026-11-22T12:01:00Z', '2026-11-22T12:02:01Z', 5)" ] ||
	bad "period: $(get '(j["source"], j["records"], j["first"], j["last"])' <<<"$out")"
[ "$(get 'j["counts"]["files"]["/usr/share/nginx/html/index.html"]' <<<"$out")" = "{'count': 3}" ] ||
	bad "a folded record counts its count"
[ "$(get '(j["counts"]["exec"], j["counts"]["connect"])' <<<"$out")" = \
	"({'/usr/sbin/nginx': {'count': 1}}, {'10.0.0.5/32': 1})" ] || bad "exec and connect counts"
[ "$(get 'sorted(j["policy"])' <<<"$out")" = \
	"['apiVersion', 'default', 'description', 'exec', 'files', 'kind', 'mode', 'name', 'network', 'target']" ] ||
	bad "policy keys: $(get 'sorted(j["policy"])' <<<"$out")"
[ "$(get '(j["skipped"]["records"], [(r["reason"], r["records"]) for r in j["skipped"]["reasons"]])' <<<"$out")" = \
	"(5, [('control characters in the path', 4), ('the file was deleted', 1)])" ] ||
	bad "skipped: $(get 'j["skipped"]' <<<"$out")"
# per-process paths: one dirs: /proc rule, the forms beside it, no pid in any rule
[ "$(get 'j["counts"]["files"]["/proc"]' <<<"$out")" = \
	"{'count': 4, 'per_process': ['/proc/<pid>/cgroup', '/proc/<pid>/status', '/proc/<pid>/task/<pid>/stat'], 'more': False}" ] ||
	bad "/proc counts: $(get 'j["counts"]["files"]' <<<"$out")"
[ "$(get '[r for r in j["policy"]["files"] if "dirs" in r]' <<<"$out")" = \
	"[{'dirs': ['/proc'], 'access': ['read'], 'action': 'allow'}]" ] || bad "/proc rule"
get 'json.dumps(j["policy"])' <<<"$out" | grep -qE '/proc/[0-9]' && bad "a rule names a pid"
# a collapsed directory says how many paths it stands for
out=$("$PAL" suggest --json --include-denied --collapse 2 "$fx/spread.log")
[ "$(get 'j["counts"]["files"]["/usr/lib"]' <<<"$out")" = "{'count': 19, 'below': 3}" ] ||
	bad "collapsed: $(get 'j["counts"]["files"]' <<<"$out")"
# errors are as for YAML: nothing matched, exit 1 and no output
out=$("$PAL" suggest --json --container nope "$fx/containers.log" 2>/dev/null) && bad "--container nope: exit 0"
[ -z "$out" ] || bad "--container nope printed '$out'"
[ $fail = 0 ] && echo "suggest_json: all checks passed"
exit $fail
