# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 300
# The guard after the agent: an agent stopped with --keep-on-exit leaves
# enforcement and an orphaned guard. A task of a target cgroup still cannot
# get or remove the pins, even one that got the dead agent's PID (nothing is
# keyed on a PID). A new agent started outside the targets adopts the pins
# (as a restarted DaemonSet pod does, whose executable is a new file) and
# writes the refusals made while no agent ran; `palisade stop` then detaches.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh
PAL_AGENT_READY_S=120 # loading takes longer on the slower kernels under TCG

PINS=/sys/fs/bpf/palisade
mkdir -p /srv && echo guarded >/srv/guarded
mkdir -p "$PAL_CGROUP/target" "$PAL_CGROUP/agent"
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
in_target() {
	sh -c 'echo $$ >"$1/target/cgroup.procs" && shift && exec "$@"' - "$PAL_CGROUP" "$@"
}

pal_agent_start --keep-on-exit
old=$PAL_AGENT_PID
pal_agent_stop
pal_check "--keep-on-exit left the pins" test -e "$PINS/pal_gen" -a -e "$PINS/links/guard-0"
pal_check "the pin dir is mode 400 (no search bit)" test "$(stat -c %a "$PINS")" = 400
pal_check "enforcement continues without the agent" in_target paltest open /srv/guarded EACCES
pal_check "a target task cannot get a pin while no agent runs" \
	in_target palbpf pin "$PINS/pal_gen" EACCES
pal_check "a target task cannot remove a pin while no agent runs" \
	in_target paltest unlink "$PINS/links/file-0" EACCES
pal_check "nor chmod the pin dir" in_target paltest chmod "$PINS" 700 EPERM
pal_check "the pins are still there" test -e "$PINS/links/file-0" -a "$(stat -c %a "$PINS")" = 400

# The next process forked gets the dead agent's PID (ns_last_pid).
reused=0
for try in 1 2 3 4 5; do
	in_target sh -c 'echo $(($1 - 1)) >/proc/sys/kernel/ns_last_pid
		sh -c "echo \$\$ >\"$2/pid\"; exec palbpf pin \"$3/pal_gen\" EACCES" &
		wait $!' - "$old" "$PAL_TMP" "$PINS" >"$PAL_TMP/reuse.out" 2>&1
	rc=$?
	if [ "$(cat "$PAL_TMP/pid")" = "$old" ]; then
		reused=1
		break
	fi
	head -2 "/proc/$old/status" 2>/dev/null
done
cat "$PAL_TMP/reuse.out"
echo "tries: $try, got pid $(cat "$PAL_TMP/pid"), wanted $old"
pal_check "a process got the dead agent's PID $old" test "$reused" = 1
pal_check "that process is refused the pins (EACCES)" test "$rc" = 0

: >"$PAL_TMP/first.log"
cp "$PAL_LOG" "$PAL_TMP/first.log"
pal_agent_start
pal_check "the new agent adopted the pins" grep -q "guard: adopted" "$PAL_AGENT_ERR"
pal_check "the new agent is armed" grep -q "guard: armed" "$PAL_AGENT_ERR"
pal_check "the file rule holds" in_target paltest open /srv/guarded EACCES
pal_check "with the agent back, the host is refused too" palbpf pin "$PINS/pal_gen" EACCES
pal_agent_settle 1.5
# the target's bpf_obj_get and unlink, one bpf_obj_get per PID-reuse try, the host's
n=$(grep -c '"event":"agent","action":"deny".*"op":"bpf","access":\[\],"errno":13,.*"object":"pin dir"' "$PAL_LOG")
pal_check "every refused lookup is recorded once ($n of $((try + 3)))" test "$n" -eq $((try + 3))
pal_check "the refused chmod is recorded" \
	grep -q '"event":"agent","action":"deny".*"op":"chmod".*"errno":1,.*"object":"pin dir"' "$PAL_LOG"
pal_agent_stop
pal_check "after stop the pins are gone" test ! -e "$PINS"
pal_done
