# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 300
# Self-protection trusts the running agent instance, not its executable:
# a second `palisade run` (same binary, root, inside or outside the target)
# is refused the live pins and says so; no name in the pin dir can be looked
# up (so pins cannot be had, unlinked, renamed or linked elsewhere, from any
# starting point), the dir cannot be chmod'ed, link fds cannot be had by id; cgroup.kill/cgroup.freeze of the
# agent's cgroups, a SIGIO kill (F_SETOWN + F_SETSIG) and prlimit are
# refused; the agent set oom_score_adj -1000. Each refusal is an `agent`
# record; `palisade stop` still stops it.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh
PAL_AGENT_READY_S=120 # loading takes longer on the slower kernels under TCG

PINS=/sys/fs/bpf/palisade
mkdir -p /srv && echo guarded >/srv/guarded
mkdir -p "$PAL_CGROUP/target" "$PAL_CGROUP/agent" "$PAL_CGROUP/other"
pal_policy guard.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: guarded
target:
  cgroups: [/pal-test-$PAL_CASE/target]
files:
  - paths: [/srv/guarded]
    access: [read]
    action: deny
YAML
# the agent runs in its own cgroup, so cgroup.kill can be aimed at it alone
cat >"$PAL_TMP/palisade-in-cg" <<EOF
#!/bin/sh
echo \$\$ >"$PAL_CGROUP/agent/cgroup.procs" && exec /bin/palisade "\$@"
EOF
chmod 0755 "$PAL_TMP/palisade-in-cg"
PAL_AGENT=$PAL_TMP/palisade-in-cg
pal_agent_start

# fails_eperm CMD...: CMD fails, and says "Operation not permitted"
fails_eperm() {
	_out=$("$@" 2>&1) && { echo "unexpected success: $_out"; return 1; }
	echo "$_out"
	echo "$_out" | grep -q "Operation not permitted"
}
# fails_eacces CMD...: CMD fails, and says "Permission denied"
fails_eacces() {
	_out=$("$@" 2>&1) && { echo "unexpected success: $_out"; return 1; }
	echo "$_out"
	echo "$_out" | grep -q "Permission denied"
}
in_target() {
	sh -c 'echo $$ >"$1/target/cgroup.procs" && shift && exec "$@"' - "$PAL_CGROUP" "$@"
}

mkdir -p "$PAL_TMP/harmless"
cat >"$PAL_TMP/harmless/h.yaml" <<YAML
apiVersion: palisade/v1
kind: Policy
name: harmless
target:
  cgroups: [/pal-test-$PAL_CASE/other]
files:
  - paths: [/srv/none]
    access: [read]
    action: audit
YAML
second() { # WHERE: a second agent on the live pins, as the measured attack ran it
	$1 /bin/palisade run -d "$PAL_TMP/harmless" -l "$PAL_TMP/second.log" \
		--socket "$PAL_TMP/second.sock" --pin-dir "$PINS" --keep-on-exit \
		2>"$PAL_TMP/second.err" &
	_p=$!
	_i=0
	while kill -0 $_p 2>/dev/null && [ $_i -lt 300 ]; do
		sleep 0.1
		_i=$((_i + 1))
	done
	kill -0 $_p 2>/dev/null && { kill -KILL $_p; echo "second agent still running"; }
	wait $_p
	_rc=$?
	sed 's/^/  second: /' "$PAL_TMP/second.err"
	[ $_rc -ne 0 ] && grep -q "another Palisade agent is running" "$PAL_TMP/second.err"
}
pal_check "a second agent from the target cgroup is refused, and says why" second in_target
pal_check "a second agent from the host is refused, and says why" second ""
pal_check "the file rule still holds in the target" in_target paltest open /srv/guarded EACCES
pal_check "the first agent still runs" kill -0 "$PAL_AGENT_PID"

# The pin dir and links/ are mode 0400: a lookup in them needs
# CAP_DAC_READ_SEARCH, which the guard refuses every task but the agent.
pal_check "the pin dir is mode 400, owned by root" test "$(stat -c %a:%u "$PINS")" = 400:0
pal_check "listing the pin dir needs no search" pal_pinned pal_gen
pin_dir_records() {
	grep -c '"action":"deny".*"op":"bpf","access":\[\],"errno":13,.*"object":"pin dir"' "$PAL_LOG"
}
mkdir -p "$PAL_TMP/bind"
mount --bind "$PINS" "$PAL_TMP/bind"
pal_agent_settle
before=$(pin_dir_records)
pal_check "bpf_obj_get of a link pin: EACCES" palbpf pin "$PINS/links/file-0" EACCES
pal_check "bpf_obj_get from inside the pin dir (cwd): EACCES" \
	sh -c 'cd "$1" && exec palbpf pin links/file-0 EACCES' - "$PINS"
pal_check "bpf_obj_get through a bind mount of the pin dir: EACCES" \
	palbpf pin "$PAL_TMP/bind/links/file-0" EACCES
pal_check "bpf_obj_get of a link pin from the target: EACCES" \
	in_target palbpf pin "$PINS/links/file-0" EACCES
pal_check "bpf_obj_get as root of a new user namespace: EACCES" \
	unshare -U -r palbpf pin "$PINS/links/file-0" EACCES
pal_check "unlink of a map pin: EACCES" paltest unlink "$PINS/pal_gen" EACCES
pal_check "unlink of a link pin: EACCES" paltest unlink "$PINS/links/file-0" EACCES
pal_check "rename of a map pin: EACCES" paltest rename "$PINS/pal_gen" "$PINS/x" EACCES
pal_check "a hard link of a link pin elsewhere: EACCES" \
	paltest link "$PINS/links/file-0" /sys/fs/bpf/stolen EACCES
pal_check "a new name in the pin dir: EACCES" paltest symlink x "$PINS/squat" EACCES
pal_agent_settle
n=$(($(pin_dir_records) - before))
pal_check "exactly one record per refused call ($n of 10)" test "$n" -eq 10
umount "$PAL_TMP/bind"
pal_check "the map pin is still there" pal_pinned pal_gen
pal_check "chmod of the pin dir: EPERM" paltest chmod "$PINS" 700 EPERM
pal_check "the pin dir is still mode 400" test "$(stat -c %a "$PINS")" = 400
pal_check "BPF_LINK_GET_FD_BY_ID on Palisade links: EPERM" palbpf links palisade EPERM
# The links that put the shared steps into the file hooks: detached, a
# hook's stub would deny everything, so they are guarded like the hooks.
# Nor can a task get the steps' programs, which an fentry or freplace of its own needs.
for p in palisade_resolv palisade_decide palisade_report; do
	pal_check "BPF_LINK_GET_FD_BY_ID on $p's links: EPERM" palbpf links $p EPERM
	pal_check "BPF_PROG_GET_FD_BY_ID on $p: EPERM" palbpf progs $p EPERM
done

pal_check "cgroup.kill of the agent's cgroup: EPERM" \
	fails_eperm sh -c 'echo 1 >"$1/agent/cgroup.kill"' - "$PAL_CGROUP"
pal_check "cgroup.kill of an ancestor: EPERM" \
	fails_eperm sh -c 'echo 1 >"$1/cgroup.kill"' - "$PAL_CGROUP"
pal_check "cgroup.freeze of the agent's cgroup: EPERM" \
	fails_eperm sh -c 'echo 1 >"$1/agent/cgroup.freeze"' - "$PAL_CGROUP"
pal_check "the agent's cgroup is not frozen" grep -q "frozen 0" "$PAL_CGROUP/agent/cgroup.events"
pal_check "cgroup.kill of a sibling cgroup still works" \
	sh -c 'echo 1 >"$1/other/cgroup.kill"' - "$PAL_CGROUP"
pal_check "prlimit RLIMIT_CPU on the agent: EPERM" palbpf rlimit "$PAL_AGENT_PID" EPERM
sleep 60 &
pal_check "prlimit on another process still works" palbpf rlimit $! OK
kill $!
palbpf sigio "$PAL_AGENT_PID" 9
pal_check "oom_score_adj of the agent is -1000" grep -qx -- -1000 /proc/$PAL_AGENT_PID/oom_score_adj
pal_agent_settle 1.5
pal_check "the agent survived all of it" kill -0 "$PAL_AGENT_PID"
pal_check "the agent said it is OOM-exempt" grep -q "oom_score_adj -1000" "$PAL_AGENT_ERR"

deny='"event":"agent","action":"deny"'
for f in '"op":"chmod".*"errno":1,.*"object":"pin dir"' '"op":"bpf".*"object":"link"' \
	'"op":"write".*"object":"cgroup.kill"' '"op":"write".*"object":"cgroup.freeze"' \
	'"op":"rlimit"' '"op":"kill".*"signal":9'; do
	pal_check "an agent record: $f" grep -q "$deny.*$f" "$PAL_LOG"
done
pal_agent_stop
pal_check "after stop the pins are gone" test ! -e "$PINS"
pal_done
