# SPDX-License-Identifier: GPL-2.0-only
# The hook on writes through an open file (file_permission) runs on every
# read() and write() of the host, so the agent attaches it only while the
# live generation needs it: some policy restricts write or append, or
# targets cgroups (a move of tasks written through an fd opened before).
# A reload that needs it attaches it before its generation goes live, so
# the first write through an fd opened while it was detached is decided;
# one that no longer needs it detaches it. Adopted pins keep its state.
# The kernel's own count of the agent's links moves with it.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

t=$PAL_TMP/wh
mkdir -p "$t/deny" "$t/w"
echo data >"$t/deny/h"
: >"$t/w/f"
mkdir "$PAL_CGROUP/confined"
policy() { # reads | writes | targeted
	cat <<YAML
apiVersion: palisade/v1
kind: Policy
name: wh
YAML
	[ "$1" != targeted ] || printf 'target:\n  cgroups: [/pal-test-%s/confined]\n' "$PAL_CASE"
	cat <<YAML
files:
  - dirs: [$t/deny]
    access: [read]
    action: deny
YAML
	[ "$1" != writes ] || cat <<YAML
  - dirs: [$t/w]
    access: [write]
    action: deny
YAML
}
reload() { "$PAL_AGENT" reload --socket "$PAL_SOCK" >/dev/null; }
hooked() { # true|false: what status says of the write hook
	"$PAL_AGENT" status --json --socket "$PAL_SOCK" | grep -q "\"write_hook\":$1"
}
# the agent's links, by the kernel (the guard refuses each: they are its)
links_now() { palbpf links palisade EPERM | sed -n 's/^palbpf: \([0-9]*\) links matched.*/\1/p'; }
to() { # reads|writes|targeted true|false: reload to that policy; the write hook is then attached or not
	policy "$1" >"$PAL_POLICY_DIR/wh.yaml"
	pal_must "reload: $1" reload
	pal_check "$1: write hook attached: $2" hooked "$2"
}
# the write hook attached, the next write through fd 7 (opened while it was not) is denied
writes_denied() {
	to writes true
	pal_check "the kernel has one link more than with reads only" test "$(links_now)" = $((l0 + 1))
	pal_check "the next write through the fd opened before" paltest write-fd 7 x EACCES
}
reads_again() {
	to reads false
	pal_check "the kernel's links are as with reads only" test "$(links_now)" = "$l0"
	pal_check "a write through the fd passes" paltest write-fd 7 x OK
}

policy reads >"$PAL_POLICY_DIR/wh.yaml"
pal_agent_start --no-signal-guard
pal_check "reads only, host-wide: the write hook is detached" hooked false
l0=$(links_now)
pal_check "the read is denied" paltest open "$t/deny/h" EACCES r
exec 7>>"$t/w/f"
pal_check "a write through an fd opened now" paltest write-fd 7 x OK

writes_denied
reads_again
# a confined task's move written through an fd it opened before is decided there
to targeted true

pal_agent_settle
c="event=file action=deny policy=wh errno=13"
# shellcheck disable=SC2086 # $c is a list of filters
{
log "record: the read" -n 1 -c 1 $c generation=1 rule=0 op=open 'access=["read"]' \
	"path=$t/deny/h"
log "record: the write through the fd opened before the hook" -n 1 -c 1 $c generation!=1 \
	rule=1 op=write 'access=["append"]' "path=$t/w/f"
# the guard records (and rate limits) palbpf's probes of the links
log "nothing else" -c 2 event~e event!=policy event!=agent event!=suppressed
log "no file record suppressed" -n 0 event=suppressed suppressed_event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"

# SIGKILL keeps the pins; the next agent adopts the link and can detach it.
kill -KILL "$PAL_AGENT_PID"
wait "$PAL_AGENT_PID" 2>/dev/null
pal_agent_start --no-signal-guard
pal_check "adopted: still attached" hooked true
pal_check "adopted: no link added" test "$(links_now)" = $((l0 + 1))
writes_denied
reads_again
exec 7>&-
pal_agent_settle
pal_agent_stop
# shellcheck disable=SC2086 # $c is a list of filters
{
log "restarted: the write through the fd" -n 1 -c 1 $c rule=1 op=write 'access=["append"]' \
	"path=$t/w/f"
log "restarted: nothing else" -c 1 event~e event!=policy event!=agent event!=suppressed
log "restarted: no file record suppressed" -n 0 event=suppressed suppressed_event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
