# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 180
# A socket is decided by the policies of the cgroup that created it AND of
# the task using it. A socket made by an unconfined process and passed over
# SCM_RIGHTS into a target cgroup: connect, sendto and bind there are denied
# (EPERM) with exactly one record naming the confined task, whether the
# socket's own cgroup has the cgroup programs (a sibling below the watched
# cgroup: no second record) or not (the root cgroup: the hole this closes).
# The unconfined sender keeps using the same socket, with no record. A
# socket made and used inside the target still gives exactly one record.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

mkdir "$PAL_CGROUP/c" "$PAL_CGROUP/u" "$PAL_CGROUP/t2"
pal_policy net.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: no-out
target:
  cgroups: [/pal-test-$PAL_CASE/c]
network:
  - connect: [127.0.0.0/8]
    ports: [4444]
    protocols: [tcp]
    action: deny
  - connect: [127.0.0.0/8]
    ports: [4445]
    protocols: [udp]
    action: deny
  - bind: { ports: [4446] }
    action: deny
  - connect: [127.0.0.0/8]
    ports: [4447]
    action: audit
YAML
pal_policy other.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: other
target:
  cgroups: [/pal-test-$PAL_CASE/t2]
network:
  - connect: [192.0.2.0/24]
    action: deny
YAML
pal_agent_start

# $1: where the sender runs (a cgroup directory); the rest: palpass arguments
pass() {
	_cg=$1
	shift
	sh -c 'echo $$ >"$1/cgroup.procs" && echo $$ >sender && shift && exec palpass "$@"' - \
		"$_cg" "$PAL_CGROUP/c" "$@" >out
	_rc=$?
	cat out
	child=$(sed -n 's/^palpass: child //p' out)
	read -r sender <sender
	return $_rc
}

pal_check "TCP socket from the root cgroup: connect in the target EPERM, by the sender refused by the port" \
	pass /sys/fs/cgroup inet stream connect 127.0.0.1 4444 EPERM ECONNREFUSED
c1=$child s1=$sender
pal_check "UDP socket from a sibling cgroup: sendto in the target EPERM, by the sender OK" \
	pass "$PAL_CGROUP/u" inet dgram sendto 127.0.0.1 4445 EPERM OK
c2=$child s2=$sender
pal_check "UDP socket from the root cgroup: bind in the target EPERM, by the sender OK" \
	pass /sys/fs/cgroup inet dgram bind 127.0.0.1 4446 EPERM OK
c3=$child s3=$sender
pal_check "IPv6 TCP socket from a sibling cgroup: connect to ::ffff:127.0.0.1 in the target EPERM" \
	pass "$PAL_CGROUP/u" inet6 stream connect ::ffff:127.0.0.1 4444 EPERM ECONNREFUSED
c4=$child s4=$sender
# t2 is a target too, so its cgroup programs run for a socket made there:
# an allowed (audited) call must still be decided once, by the LSM hook
export PALPASS_SENDER_CGROUP="$PAL_CGROUP/t2"
pal_check "TCP socket from another target: connect in the target audited, allowed" \
	pass "$PAL_CGROUP" inet stream connect 127.0.0.1 4447 ECONNREFUSED ECONNREFUSED
unset PALPASS_SENDER_CGROUP
c5=$child s5=$sender
pal_check "a socket made and used in the target: connect EPERM" pal_in_cgroup c sh -c \
	'echo $$ >inside; exec palsock inet stream tcp EPERM connect 127.0.0.1 4444'
read -r inside <inside
pal_agent_settle 1
pal_agent_stop

for c in "$c1 connect 4444" "$c2 sendmsg 4445" "$c3 bind 4446" "$c4 connect 4444" \
	"$inside connect 4444"; do
	set -- $c
	pal_check "exactly one record of pid $1 ($2 $3), count 1" palrec "$PAL_LOG" -n 1 -c 1 pid="$1"
	pal_check "it names pid $1's parent" palrec "$PAL_LOG" -n 1 pid="$1" 'ppid!=0'
	pal_check "it is the denial of $2 to port $3 by the confined task" palrec "$PAL_LOG" -n 1 \
		pid="$1" event=network action=deny policy=no-out op="$2" dport="$3" errno=1 \
		comm~pal "cgroup=/pal-test-$PAL_CASE/c"
done
pal_check "exactly one record of pid $c5 (audited connect), count 1" palrec "$PAL_LOG" -n 1 -c 1 pid="$c5"
pal_check "it is the audit of the connect to 4447" palrec "$PAL_LOG" -n 1 pid="$c5" \
	event=network action=audit policy=no-out op=connect dport=4447 errno=0
for s in $s1 $s2 $s3 $s4 $s5; do
	pal_check "no record of the unconfined sender $s" palrec "$PAL_LOG" -n 0 pid="$s"
done
pal_check "six network records in all" palrec "$PAL_LOG" -n 6 event=network
pal_done
