# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 180
# listen() without bind() binds to the any address and a kernel-chosen port
# (autobind) and never reaches the cgroup bind hooks: the BPF LSM
# socket_listen hook (bpf/net.bpf.c) decides it as a bind to 0.0.0.0 / [::]
# port 0. A dual-stack IPv6 socket is held to the IPv4 rules too; one with
# IPV6_V6ONLY is not. Only inside the target cgroup, one record each.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

mkdir "$PAL_CGROUP/c"
pal_policy bind.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: no-v4-listen
target:
  cgroups: [/pal-test-$PAL_CASE/c]
network:
  - bind: { addresses: [0.0.0.0/0] }
    action: deny
YAML
pal_agent_start

in_c() { pal_in_cgroup c palsock "$@"; }
pal_check "inet listen without bind: EPERM" in_c inet stream 0 EPERM listen - 0
pal_check "inet6 dual-stack listen without bind: EPERM" in_c inet6 stream 0 EPERM listen - 0
pal_check "inet6 V6ONLY listen without bind: OK" in_c inet6 stream 0 OK listen-v6only - 0
pal_check "inet listen without bind outside the cgroup: OK" palsock inet stream 0 OK listen - 0
pal_agent_settle 1

recs() { grep '"event":"network"' "$PAL_LOG" | grep '"op":"bind"'; }
recs
pal_check "exactly two bind records" test "$(recs | grep -c .)" = 2
pal_check "one for the inet socket" test "$(recs | grep -c '"family":"inet"')" = 1
pal_check "one for the dual-stack inet6 socket" test "$(recs | grep -c '"family":"inet6"')" = 1
for f in '"action":"deny"' '"policy":"no-v4-listen"' '"rule":0' '"errno":1' '"comm":"palsock"' \
	'"daddr":"0.0.0.0"' '"dport":0' '"protocol":"tcp"'; do
	pal_check "both records have $f" test "$(recs | grep -cF "$f")" = 2
done
pal_agent_stop
pal_check "after stop listen without bind works again" in_c inet stream 0 OK listen - 0
pal_done
