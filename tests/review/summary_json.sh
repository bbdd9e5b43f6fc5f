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
[ "$(get 'sorted(j["top"])' <<<"$out")" = "['cgroups', 'containers', 'exes', 'paths', 'rules']" ] ||
	bad "groups"
[ "$(get '[(c["key"], c["deny"], c["audit"]) for c in j["top"]["containers"]]' <<<"$out")" = \
	"[('host', 51, 14)]" ] || bad "basic.log names no container: all is host"
[ "$(get 'sum(b["decisions"] for b in j["histogram"]["buckets"]) == j["deny"] + j["audit"]' <<<"$out")" = True ] ||
	bad "histogram does not add up to the decisions"
out=$("$PAL" logs --summary --json --policy web "$fx/basic.log")
[ "$(get '(j["deny"], j["audit"], [r["key"] for r in j["top"]["rules"]])' <<<"$out")" = \
	"(0, 14, ['web#default'])" ] || bad "--policy web: $out"
out=$("$PAL" logs --summary --json --top 1 "$fx/basic.log")
[ "$(get 'len(j["top"]["paths"])' <<<"$out")" = 1 ] || bad "--top 1"
"$PAL" logs --json --html /dev/null "$fx/basic.log" 2>/dev/null && bad "--json --html accepted"
# containers: namespace/pod/container, the runtime and id when no name was recorded, else host;
# every decision in exactly one row
out=$("$PAL" logs --summary --json --top 64 "$fx/containers.log")
[ "$(get '[(c["key"], c["deny"], c["audit"]) for c in j["top"]["containers"]]' <<<"$out")" = \
	"[('prod/web-7d4b9c-x2x7q/nginx', 0, 16), ('host', 5, 0), ('prod/web-7d4b9c-q8z2m/nginx', 0, 2), ('prod/web-7d4b9c-x2x7q/envoy', 1, 1), ('containerd 999999999999', 1, 0), ('docker 3f2a9c1deeee', 1, 0), ('prod/web-7d4b9c%2Fevil/nginx', 1, 0), ('staging/web-5f6a7b-abcde/nginx', 0, 1)]" ] ||
	bad "containers: $(get 'j["top"]["containers"]' <<<"$out")"
[ "$(get 'sum(c["deny"] + c["audit"] for c in j["top"]["containers"]) == j["deny"] + j["audit"]' <<<"$out")" = True ] ||
	bad "container rows do not add up to the decisions"
out=$("$PAL" logs --summary --json --namespace prod --container nginx "$fx/containers.log")
[ "$(get '[c["key"] for c in j["top"]["containers"]], j["audit"], j["deny"]' <<<"$out")" = \
	"(['prod/web-7d4b9c-x2x7q/nginx', 'prod/web-7d4b9c-q8z2m/nginx', 'prod/web-7d4b9c%2Fevil/nginx'], 18, 1)" ] ||
	bad "--namespace prod --container nginx: $out"
[ $fail = 0 ] && echo "summary_json: all checks passed"
exit $fail
