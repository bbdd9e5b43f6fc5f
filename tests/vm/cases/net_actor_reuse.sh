# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 150
# A network record names the process that was denied, not a later one with
# the same pid. A process in the cgroup is denied a connect and exits at
# once; while the agent is stopped (SIGSTOP, so it has not read the record
# yet), another process gets that pid. The record must carry the first
# process's pid, its start time (the kernel's, at the decision) and its
# executable's name, and no exe read from /proc, which now shows the other
# process.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

mkdir "$PAL_CGROUP/c"
pal_policy net.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: no-4444
target:
  cgroups: [/pal-test-$PAL_CASE/c]
network:
  - connect: [127.0.0.0/8]
    ports: [4444]
    protocols: [tcp]
    action: deny
YAML
pal_agent_start --no-signal-guard # SIGSTOP below holds the record unread

kill -STOP "$PAL_AGENT_PID"
pal_check "the first process is denied its connect (EPERM) and exits" pal_in_cgroup c sh -c \
	'set -- $(cat /proc/$$/stat); echo "$$ ${22}" >first; exec palsock inet stream tcp EPERM connect 127.0.0.1 4444'
read -r first ticks <first
echo "first process: pid $first, start $ticks ticks"
# ns_last_pid makes the next fork get $first (another fork may come
# first: try again)
i=0
while [ $i -lt 50 ]; do
	echo $((first - 1)) >/proc/sys/kernel/ns_last_pid
	sleep 60 &
	q=$!
	[ "$q" = "$first" ] && break
	kill "$q"
	wait "$q" 2>/dev/null
	i=$((i + 1))
done
pal_check "another process now has pid $first (after $i tries)" test "$q" = "$first"
set -- $(cat /proc/$first/stat)
echo "second process: pid $first, start ${22} ticks, exe $(readlink /proc/$first/exe)"
pal_check "it is not the first one (start ${22} != $ticks)" test "${22}" != "$ticks"
kill -CONT "$PAL_AGENT_PID"
pal_agent_settle 1.5
kill "$q"
pal_agent_stop

rec=$(palrec "$PAL_LOG" -n 1 event=network action=deny op=connect dport=4444 pid="$first")
echo "$rec"
start=$(echo "$rec" | sed -n 's/.*"start_boottime_ns":\([0-9]*\).*/\1/p')
pal_check "the record carries the kernel's start time of the first process" \
	test -n "$start" -a "$((${start:-0} / 10000000))" = "$ticks"
pal_check "and its executable's name, from the kernel" palrec "$PAL_LOG" -n 1 event=network \
	pid="$first" exe_name=palsock comm=palsock
pal_check "and no exe from /proc (that is the other process now)" palrec "$PAL_LOG" -n 1 \
	event=network pid="$first" '!exe' '!exe_src'
pal_check "its parent, from the kernel" palrec "$PAL_LOG" -n 1 event=network pid="$first" \
	'ppid!=0'
pal_done
