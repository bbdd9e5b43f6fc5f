# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 90
# Self-protection (bpf/guard.bpf.c): while the agent runs, another root
# process cannot get an fd to Palisade's maps or programs (pinned or by id),
# cannot SIGTERM/SIGKILL or ptrace the agent, and each attempt is an `agent`
# record; SIGHUP still reloads and `palisade stop` is the way out.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

mkdir -p /srv && echo guarded >/srv/guarded
pal_policy guard.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: guarded
target:
  cgroups: [/pal-test-$PAL_CASE]
files:
  - paths: [/srv/guarded]
    access: [read]
    action: deny
YAML
pal_agent_start

# The pin dir has no search bit; the guard refuses the capability to search it.
pal_check "bpf_obj_get of a pinned map: EACCES" palbpf pin /sys/fs/bpf/palisade/pal_gen EACCES
pal_check "bpf_obj_get of a pinned Palisade link: EACCES" \
	palbpf pin /sys/fs/bpf/palisade/links/file-0 EACCES
pal_check "the file rule is still enforced" sh -c '! cat /srv/guarded 2>/dev/null'
pal_check "BPF_MAP_GET_FD_BY_ID on Palisade maps: EPERM" palbpf maps pal_ EPERM
pal_check "BPF_PROG_GET_FD_BY_ID on Palisade programs: EPERM" palbpf progs palisade EPERM
pal_check "SIGTERM to the agent: EPERM" sh -c '! kill -TERM "$1" 2>/dev/null' - "$PAL_AGENT_PID"
pal_check "SIGKILL to the agent: EPERM" sh -c '! kill -KILL "$1" 2>/dev/null' - "$PAL_AGENT_PID"
pal_check "the agent is still running" kill -0 "$PAL_AGENT_PID"
pal_check "SIGHUP is allowed (reload)" kill -HUP "$PAL_AGENT_PID"
pal_check "SIGHUP reloaded (generation 2)" pal_agent_wait_gen 2
pal_agent_settle 1.5

n=$(grep -c '"event":"agent","action":"deny"' "$PAL_LOG")
pal_check "tamper records were written ($n)" test "$n" -ge 4
n=$(grep -c '"op":"bpf","access":\[\],"errno":13,.*"object":"pin dir"' "$PAL_LOG")
pal_check "one record per refused lookup in the pin dir ($n)" test "$n" -eq 2
for f in '"op":"bpf","access":\[\],"errno":1' '"object":"pal_gen"' '"op":"kill"' '"signal":15' \
	'"signal":9' "\"target_pid\":$PAL_AGENT_PID" '"policy":"self-protection"'; do
	pal_check "a tamper record has $f" grep -q "$f" "$PAL_LOG"
done
pal_agent_stop
pal_check "after stop the guard is off: pins gone" test ! -e /sys/fs/bpf/palisade
pal_done
