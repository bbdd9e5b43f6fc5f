#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `palisade suggest --interactive` in a real terminal (tmux): one question
# per file and exec entry, answered with keys as a user types them. The
# answers shape the policy: a path widened to its directory, a deny, a
# skipped directory, an audited executable; a wrong key is asked again. The
# result passes `palisade check`. Without a terminal the option is refused.
#
#   suggest_interactive.sh PALISADE FIXTURES
set -euo pipefail

bin=$1
fx=$2
work=$(mktemp -d)
sock=$work/tmux.sock
trap 'tmux -S "$sock" kill-server 2>/dev/null || true; rm -rf "$work"' EXIT
fail() {
	echo "FAIL: $*" >&2
	tmux -S "$sock" capture-pane -p -t t 2>/dev/null >&2 || true
	exit 1
}

tmux -S "$sock" -f /dev/null new-session -d -s t -x 160 -y 50 \
	"'$bin' suggest --interactive '$fx/basic.log' >'$work/out.yaml'; echo \$? >'$work/rc'; sleep 60"

# screen TEXT: wait until TEXT is on the screen
screen() {
	for _ in $(seq 100); do
		tmux -S "$sock" capture-pane -p -t t | grep -qF -- "$1" && return 0
		sleep 0.1
	done
	fail "'$1' never came on the screen"
}
answer() { # KEYS
	tmux -S "$sock" send-keys -t t "$1" Enter
}

screen "[1/3] file /etc/nginx/nginx.conf, access read"
answer x # not an answer: asked again
screen "one of a, d, u, w, s or f"
answer w # to /etc/nginx, then asked about the directory
screen "[1/3] file /etc/nginx/ and everything below, access read"
answer a
screen "[2/3] file /var/log/nginx/access.log, access read write append"
answer d
screen "[3/3] file /var/www/html/ and everything below"
answer s
screen "[1/1] exec /usr/sbin/nginx"
answer u
for _ in $(seq 100); do
	[ -s "$work/rc" ] && break
	sleep 0.1
done
[ "$(cat "$work/rc" 2>/dev/null)" = 0 ] || fail "suggest --interactive exit $(cat "$work/rc" 2>/dev/null)"

out=$work/out.yaml
python3 - "$out" <<'PY' || fail "the policy does not say what was answered: $(cat "$out")"
import sys, yaml
p = yaml.safe_load(open(sys.argv[1]))
files = p["files"]
def rule(key, path):
    return [r for r in files if path in r.get(key, [])]
widened = rule("dirs", "/etc/nginx")
denied = rule("paths", "/var/log/nginx/access.log")
assert len(widened) == 1 and widened[0]["action"] == "allow", widened
assert len(denied) == 1 and denied[0]["action"] == "deny", denied
assert not rule("dirs", "/var/www/html") and not rule("paths", "/etc/nginx/nginx.conf"), files
assert len(files) == 2, files
assert p["exec"] == [{"paths": ["/usr/sbin/nginx"], "action": "audit"}], p["exec"]
PY
grep -q '/etc/nginx # 1 (widened to the directory by hand)' "$out" || fail "no widened comment"
"$bin" check "$out" >/dev/null || fail "palisade check refuses the result"

# Without a terminal, or with --json, the option is refused.
if "$bin" suggest --interactive "$fx/basic.log" </dev/null >/dev/null 2>"$work/err"; then
	fail "--interactive without a terminal was accepted"
fi
grep -q 'standard input is not one' "$work/err" || fail "no reason without a terminal"
echo "suggest --interactive: passed"
