# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 150
# A network record names the process that was denied, not a later one with
# the same pid. A process in the cgroup is denied a connect and exits at
# once; while the agent is stopped (SIGSTOP, so it has not read the record
# yet), another process gets that pid. The record must carry the first
# process's pid, its start time (the kernel's, at the decision) and its
# executable's path from the kernel, never an exe read from /proc, which now
# shows the other process. The kernel's path crosses mounts; one too long
# for the record is flagged (exe_truncated), never cut. File records carry
# the start time and parent from the kernel too.
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
files:
  - paths: [$PAL_TMP/secret]
    access: [read]
    action: deny
YAML
echo s >"$PAL_TMP/secret"
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
mkdir "$PAL_TMP/mnt"
mount -t tmpfs none "$PAL_TMP/mnt"
cp /bin/palsock "$PAL_TMP/mnt/"
pal_check "palsock on a tmpfs is denied its connect" pal_in_cgroup c sh -c \
	'echo $$ >mpid; exec "$1"/mnt/palsock inet stream tcp EPERM connect 127.0.0.1 4444' - "$PAL_TMP"
read -r mpid <mpid
long=$PAL_TMP
for i in 1 2 3; do long=$long/l234567890123456789012345678901234567890123456789012345678901234567890123456789; done
mkdir -p "$long"
cp /bin/palsock "$long/"
pal_check "palsock at a path of ${#long} bytes is denied its connect" pal_in_cgroup c sh -c \
	'echo $$ >lpid; exec "$1"/palsock inet stream tcp EPERM connect 127.0.0.1 4444' - "$long"
read -r lpid <lpid
pal_check "a file read in the cgroup is denied (EACCES)" pal_in_cgroup c sh -c \
	'set -- $(cat /proc/$$/stat); echo "$$ ${22} ${4}" >fileproc; exec paltest open secret EACCES'
read -r fpid fticks fppid <fileproc
pal_agent_settle 1
pal_agent_stop

rec=$(palrec "$PAL_LOG" -n 1 event=network action=deny op=connect dport=4444 pid="$first")
echo "$rec"
start=$(echo "$rec" | sed -n 's/.*"start_boottime_ns":\([0-9]*\).*/\1/p')
pal_check "the record carries the kernel's start time of the first process" \
	test -n "$start" -a "$((${start:-0} / 10000000))" = "$ticks"
pal_check "and its executable's path and name, from the kernel" palrec "$PAL_LOG" -n 1 \
	event=network pid="$first" exe=/bin/palsock exe_name=palsock comm=palsock '!exe_truncated'
pal_check "not from /proc (that is the other process now)" palrec "$PAL_LOG" -n 1 \
	event=network pid="$first" '!exe_src'
pal_check "the path crosses mounts: an executable on a tmpfs" palrec "$PAL_LOG" -n 1 \
	event=network pid="$mpid" exe="$PAL_TMP/mnt/palsock" '!exe_src'
pal_check "a path too long for the record is said to be cut, with the file name" palrec \
	"$PAL_LOG" -n 1 event=network pid="$lpid" exe_truncated=true exe_name=palsock
pal_check "and never a part of the path" palrec "$PAL_LOG" -n 0 event=network pid="$lpid" \
	'exe~/l23456789'
pal_check "its parent, from the kernel" palrec "$PAL_LOG" -n 1 event=network pid="$first" \
	'ppid!=0'
frec=$(palrec "$PAL_LOG" -n 1 event=file action=deny op=open pid="$fpid")
fstart=$(echo "$frec" | sed -n 's/.*"start_boottime_ns":\([0-9]*\).*/\1/p')
pal_check "the file record carries the kernel's start time of its process" \
	test -n "$fstart" -a "$((${fstart:-0} / 10000000))" = "$fticks"
pal_check "and its parent" palrec "$PAL_LOG" -n 1 event=file pid="$fpid" ppid="$fppid"
pal_done
