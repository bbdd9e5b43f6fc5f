#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# palisade logs --summary --json: one JSON object, parsed back, whose totals
# match the fixture and follow the filters; --json with --html is refused.
# Usage: summary_json.sh PALISADE FIXTURES_DIR
set -u
PAL=$1 fx=$2
fail=0
bad() { echo "FAIL: $*"; fail=1; }
get() { python3 -c 'import json,sys; j=json.loads(sys.stdin.read()); print(eval(sys.argv[1]))' "$1"; }

out=$("$PAL" logs --summary --json "$fx/basic.log") || bad "exit $?"
[ "$(get '(j["records"], j["deny"], j["audit"], j["lost"], j["suppressed"])' <<<"$out")" = \
	"(23, 51, 14, 120, 500)" ] || bad "totals: $out"
[ "$(get 'j["top"]["rules"][0]["key"], j["top"]["rules"][0]["deny"]' <<<"$out")" = \
	"('protect-secrets#0 (/etc/palisade/protect-secrets.yaml:10)', 44)" ] || bad "top rule"
[ "$(get 'sorted(j["top"])' <<<"$out")" = "['cgroups', 'exes', 'paths', 'rules']" ] || bad "groups"
[ "$(get 'sum(b["decisions"] for b in j["histogram"]["buckets"]) == j["deny"] + j["audit"]' <<<"$out")" = True ] ||
	bad "histogram does not add up to the decisions"
out=$("$PAL" logs --summary --json --policy web "$fx/basic.log")
[ "$(get '(j["deny"], j["audit"], [r["key"] for r in j["top"]["rules"]])' <<<"$out")" = \
	"(0, 14, ['web#default'])" ] || bad "--policy web: $out"
out=$("$PAL" logs --summary --json --top 1 "$fx/basic.log")
[ "$(get 'len(j["top"]["paths"])' <<<"$out")" = 1 ] || bad "--top 1"
"$PAL" logs --json --html /dev/null "$fx/basic.log" 2>/dev/null && bad "--json --html accepted"
[ $fail = 0 ] && echo "summary_json: all checks passed"
exit $fail
