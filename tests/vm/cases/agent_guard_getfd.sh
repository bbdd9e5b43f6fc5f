# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 150
# No task but the agent holds a Palisade link, map or program fd, so no
# other task can detach a link (the fd checks of LINK_DETACH/UPDATE are only
# a second line). pidfd_getfd(2) of the agent's fds from a root process is
# refused: by the ptrace guard (PTRACE_MODE_ATTACH), and, with
# --no-signal-guard (no ptrace guard), by file_receive for Palisade objects
# only, each with EPERM and an `agent` record; other fds stay reachable.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

pal_policy guard.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: guarded
target:
  cgroups: [/pal-test-$PAL_CASE/c]
network:
  - connect: [192.0.2.0/24]
    action: deny
YAML
mkdir "$PAL_CGROUP/c"
pal_agent_start
pal_check "pidfd_getfd of agent fd 3: EPERM" palgetfd "$PAL_AGENT_PID" 3 EPERM
pal_agent_settle 1
pal_agent_stop
pal_check "one ptrace record of the refusal" palrec "$PAL_LOG" -n 1 event=agent action=deny \
	op=ptrace policy=self-protection errno=1 comm=palgetfd target_pid="$PAL_AGENT_PID"

pal_agent_start --no-signal-guard
ls -l /proc/"$PAL_AGENT_PID"/fd >fds
link=$(sed -n 's/.* \([0-9]*\) -> anon_inode:bpf_link$/\1/p' fds | head -n 1)
map=$(sed -n 's/.* \([0-9]*\) -> anon_inode:bpf-map$/\1/p' fds | head -n 1)
log=$(sed -n "s|.* \([0-9]*\) -> $PAL_LOG\$|\1|p" fds | head -n 1)
echo "agent fds: link $link, map $map, log $log"
pal_check "the agent holds a link, a map and the log" test -n "$link" -a -n "$map" -a -n "$log"
pal_check "pidfd_getfd of an agent link fd: EPERM" palgetfd "$PAL_AGENT_PID" "$link" EPERM
pal_check "pidfd_getfd of an agent map fd: EPERM" palgetfd "$PAL_AGENT_PID" "$map" EPERM
pal_check "pidfd_getfd of the agent's log fd: allowed" palgetfd "$PAL_AGENT_PID" "$log" OK
pal_agent_settle 1
pal_agent_stop
pal_check "the link refusal is recorded, naming the program" palrec "$PAL_LOG" -n 1 \
	event=agent action=deny op=bpf policy=self-protection errno=1 comm=palgetfd \
	'object~palisade_'
pal_check "the map refusal is recorded, naming the map" palrec "$PAL_LOG" -n 1 \
	event=agent action=deny op=bpf errno=1 comm=palgetfd 'object~pal_'
pal_check "no other record of palgetfd" palrec "$PAL_LOG" -n 2 comm=palgetfd
pal_done
