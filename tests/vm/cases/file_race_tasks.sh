# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 150
# Decisions of different tasks on one CPU never mix. Kernels with lazy or
# full preemption (the default from 6.18 on) preempt a BPF LSM program in
# the middle and run another task's hook on the same CPU; state kept per
# CPU would then decide one task's object by the other's path. Four
# workers per vCPU open, in turns, a denied and an allowed file 24
# directories deep (long walks: wide windows). Every open of the denied
# file fails with EACCES, every open of the allowed one succeeds, and
# every record names the denied file.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

deep=/srv/race$(printf '/d%d' $(seq 1 24))
mkdir -p "$deep" && echo "top secret" >"$deep/secret" && echo public >"$deep/public"
mkdir "$PAL_CGROUP/confined"
pal_policy race.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: race
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - paths: [$deep/secret]
    access: [read]
    action: deny
YAML
pal_agent_start

pal_check "denied opens EACCES and allowed opens succeed, $(($(nproc) * 4)) racing workers" \
	pal_in_cgroup confined paltest race "$deep/secret" "$deep/public" 200000 $(($(nproc) * 4))
pal_agent_settle 2
pal_agent_stop

pal_check "deny records name the denied file" \
	palrec "$PAL_LOG" -q event=file action=deny policy=race path="$deep/secret" \
	op=open errno=13 'access=["read"]' comm=paltest
pal_check "no record names another file" palrec "$PAL_LOG" -q -n 0 event=file path!="$deep/secret"
pal_done
