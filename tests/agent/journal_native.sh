#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The --syslog sink with the real systemd-journald: records arrive as
# structured entries (PALISADE_POLICY=, PALISADE_ACTION=, ...) that
# `journalctl PALISADE_POLICY=web` selects. journald runs in a mount
# namespace this test makes, on tmpfs, so the host's journal is untouched.
# Usage: journal_native.sh JOURNAL_SEND
set -uo pipefail
send=$1
[ "$(id -u)" = 0 ] || { echo "FAIL: needs root (a mount namespace)"; exit 1; }
journald=$(ls /lib/systemd/systemd-journald /usr/lib/systemd/systemd-journald 2>/dev/null | head -n1)
[ -x "$journald" ] || { echo "FAIL: systemd-journald missing (scripts/setup installs systemd)"; exit 1; }

exec unshare -m --propagation private bash -s "$send" "$journald" <<'INNER'
set -uo pipefail
send=$1 journald=$2 fail=0
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; fail=1; }
mkdir -p /run/systemd /run/log /var/log/journal
for d in /run/systemd /run/log /var/log/journal; do mount -t tmpfs tmpfs "$d" || exit 1; done
"$journald" &
jpid=$!
trap 'kill $jpid 2>/dev/null; wait $jpid 2>/dev/null' EXIT
for _ in $(seq 100); do [ -S /run/systemd/journal/socket ] && break; sleep 0.1; done
[ -S /run/systemd/journal/socket ] || { echo "FAIL: journald did not start"; exit 1; }

deny='{"v":1,"time":"2026-11-22T10:00:01.000000Z","host":"web1","event":"file","action":"deny","mode":"enforce","policy":"web","rule":0,"rule_src":"/etc/palisade/web.yaml:10","generation":3,"op":"open","access":["read","write"],"errno":13,"pid":4242,"comm":"ng\"inx","path":"/etc/sh\u00e9adow\nx","count":1}'
pol='{"v":1,"time":"2026-11-22T09:58:00.500000Z","host":"web1","event":"policy","generation":3,"policies":["web"],"message":"loaded 1 policies"}'
printf '%s\n%s\n' "$deny" "$pol" | "$send" "palisade: denied { read write } for pid=4242" ||
	bad "the sink could not be opened"
sleep 1
q() { journalctl -D /run/log/journal --no-pager -o json "$@" 2>/dev/null; }
get() { python3 -c 'import json,sys
for l in sys.stdin:
    j = json.loads(l)
    v = j.get(sys.argv[1])
    print(bytes(v).decode() if isinstance(v, list) else v)' "$1"; }
rec=$(q PALISADE_POLICY=web PALISADE_ACTION=deny)
[ "$(grep -c . <<<"$rec")" = 1 ] && ok "journalctl PALISADE_POLICY=web PALISADE_ACTION=deny: one entry" ||
	bad "PALISADE_POLICY=web PALISADE_ACTION=deny selected '$rec'"
for kv in "PALISADE_RULE=0" "PALISADE_EVENT=file" "PALISADE_ACCESS=read,write" \
	"PRIORITY=4" "SYSLOG_IDENTIFIER=palisade" "PALISADE_COMM=ng\"inx" \
	"MESSAGE=palisade: denied { read write } for pid=4242" \
	"PALISADE_PATH=/etc/shéadow
x" "PALISADE_RECORD=$deny"; do
	k=${kv%%=*} v=${kv#*=}
	got=$(get "$k" <<<"$rec")
	[ "$got" = "$v" ] && ok "$k" || bad "$k: got '$got', want '$v'"
done
rec=$(q PALISADE_EVENT=policy)
[ "$(get MESSAGE <<<"$rec")" = "loaded 1 policies" ] && ok "policy record: MESSAGE is its message" ||
	bad "policy record: '$rec'"
[ "$(get PRIORITY <<<"$rec")" = 6 ] && ok "policy record: PRIORITY=6" || bad "policy PRIORITY"
exit $fail
INNER
