# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 150
# SCTP never reaches the cgroup connect hooks: the LSM socket_connect hook
# decides it (bpf/net.bpf.c). A connect to a denied address from the target
# cgroup is EPERM with one record; outside the cgroup, or to another port,
# it is not refused by Palisade (nothing listens: ECONNREFUSED or a timeout
# are both "not EPERM"; palsock only checks EPERM here).
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

pal_check "the kernel creates SCTP sockets (sctp.ko is in the image)" \
	palsock inet stream sctp OK
mkdir "$PAL_CGROUP/c"
pal_policy net.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: no-sctp-out
target:
  cgroups: [/pal-test-$PAL_CASE/c]
network:
  - connect: [127.0.0.0/8]
    ports: [5555]
    action: deny
YAML
pal_agent_start
pal_check "SCTP connect to 127.0.0.1:5555 in the cgroup: EPERM" pal_in_cgroup c sh -c \
	'echo $$ >pid; exec palsock inet stream sctp EPERM connect 127.0.0.1 5555'
read -r pid <pid
pal_check "IPv6 SCTP connect to ::ffff:127.0.0.1:5555 in the cgroup: EPERM" pal_in_cgroup c \
	palsock inet6 stream sctp EPERM connect ::ffff:127.0.0.1 5555
pal_agent_settle 1
pal_agent_stop
pal_check "one record of the SCTP denial" palrec "$PAL_LOG" -n 1 -c 1 pid="$pid" \
	event=network action=deny policy=no-sctp-out op=connect dport=5555 errno=1 \
	daddr=127.0.0.1 comm=palsock
pal_check "two SCTP denials in all" palrec "$PAL_LOG" -n 2 event=network dport=5555
pal_done
