# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 180
# `socket:` rules for families cgroup/sock_create never sees (it runs for
# inet only): AF_PACKET denied and AF_NETLINK audited through the LSM
# socket_create hook (bpf/socket.bpf.c), only inside the target cgroup, with
# one record each; inet raw sockets still go through the cgroup program.
# The program is loaded by the first reload that brings network rules, not
# at the agent's start, and a restarted agent adopts it.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

mkdir "$PAL_CGROUP/c"
status() { "$PAL_AGENT" status --json --socket "$PAL_SOCK"; }
status_has() { status | grep -q "$1"; }
pal_policy files.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: files-only
target:
  cgroups: [/pal-test-$PAL_CASE/c]
files:
  - dirs: [$PAL_TMP/none]
    access: [read]
    action: deny
YAML
pal_agent_start --no-signal-guard # SIGKILLed below
pal_check "no network rules: the socket hook is not loaded" status_has '"socket_hook":false'
pal_check "no network rules: AF_PACKET in the cgroup works" pal_in_cgroup c palsock packet raw 0 OK
pal_policy sockets.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: no-packet
target:
  cgroups: [/pal-test-$PAL_CASE/c]
network:
  - socket: { family: packet }
    action: deny
  - socket: { family: netlink }
    action: audit
  - socket: { family: inet, type: raw }
    action: deny
YAML
pal_must "reload: network rules" "$PAL_AGENT" reload --socket "$PAL_SOCK"
pal_check "the reload loaded the socket hook" status_has '"socket_hook":true'
pal_check "AF_PACKET in the cgroup: EPERM" pal_in_cgroup c palsock packet raw 0 EPERM
pal_check "AF_PACKET outside the cgroup: allowed" palsock packet raw 0 OK
pal_check "AF_NETLINK in the cgroup: allowed (audit)" pal_in_cgroup c palsock netlink raw 0 OK
pal_check "AF_UNIX in the cgroup: allowed (no rule, default allow)" \
	pal_in_cgroup c palsock unix stream 0 OK
pal_check "inet raw in the cgroup: EPERM (cgroup program)" pal_in_cgroup c palsock inet raw 1 EPERM
pal_agent_settle 1

pk=$(grep '"op":"socket"' "$PAL_LOG" | grep '"family":"packet"')
echo "packet: $pk"
pal_check "one AF_PACKET record" test "$(echo "$pk" | grep -c .)" = 1
for f in '"action":"deny"' '"policy":"no-packet"' '"rule":0' '"errno":1' '"event":"network"' \
	'"comm":"palsock"'; do
	pal_check "packet record has $f" sh -c 'echo "$1" | grep -qF "$2"' - "$pk" "$f"
done
nl=$(grep '"op":"socket"' "$PAL_LOG" | grep '"family":"netlink"')
echo "netlink: $nl"
pal_check "the netlink record is an audit with errno 0" \
	sh -c 'echo "$1" | grep -q "\"action\":\"audit\".*\"rule\":1.*\"errno\":0"' - "$nl"
pal_check "no record for unix sockets" sh -c '! grep -q "\"family\":\"unix\"" "$1"' - "$PAL_LOG"
pal_check "the inet raw denial is recorded" \
	sh -c 'grep "\"op\":\"socket\"" "$1" | grep -q "\"family\":\"inet\""' - "$PAL_LOG"

# SIGKILL keeps the pins: the next agent adopts the hook, which still decides
kill -KILL "$PAL_AGENT_PID"
wait "$PAL_AGENT_PID" 2>/dev/null
pal_check "agent killed: AF_PACKET in the cgroup still EPERM" \
	pal_in_cgroup c palsock packet raw 0 EPERM
pal_agent_start --no-signal-guard
pal_check "restarted: the socket hook is adopted" status_has '"socket_hook":true'
pal_check "restarted: AF_PACKET in the cgroup: EPERM" pal_in_cgroup c palsock packet raw 0 EPERM
pal_agent_settle 1
pal_check "restarted: the denial is recorded" sh -c 'grep "\"op\":\"socket\"" "$1" |
	grep "\"family\":\"packet\"" | grep "\"action\":\"deny\"" | grep "\"policy\":\"no-packet\"" |
	grep -q "\"errno\":1,"' - "$PAL_LOG"
pal_agent_stop
pal_check "after stop AF_PACKET in the cgroup works again" \
	pal_in_cgroup c palsock packet raw 0 OK
pal_done
