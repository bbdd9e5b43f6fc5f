# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 180
# A connect rule without `protocols:` holds for the sockets the cgroup
# sock_addr hooks never see: sendto on ICMP datagram (ping) sockets and on raw
# sockets, and their connect, are denied by the BPF LSM socket_sendmsg and
# socket_connect hooks (bpf/net.bpf.c), only inside the target cgroup, with
# exactly one record per attempt (TCP stays with the cgroup hook, not both).
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

# ping sockets are open to every group, root included, only when allowed here
echo "0 2147483647" >/proc/sys/net/ipv4/ping_group_range
ip link set lo up 2>/dev/null || ifconfig lo up
mkdir "$PAL_CGROUP/c"
pal_policy icmp.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: no-icmp-out
target:
  cgroups: [/pal-test-$PAL_CASE/c]
network:
  - connect: [127.0.0.2, "::1"]
    action: deny
YAML
pal_agent_start

in_c() { pal_in_cgroup c palsock "$@"; }
pal_check "ping sendto a denied address: EPERM" in_c inet dgram icmp EPERM sendto 127.0.0.2 0
pal_check "ping sendto an allowed address: OK" in_c inet dgram icmp OK sendto 127.0.0.1 0
pal_check "ping sendto outside the cgroup: OK" palsock inet dgram icmp OK sendto 127.0.0.2 0
pal_check "raw sendto a denied address: EPERM" in_c inet raw icmp EPERM sendto 127.0.0.2 0
pal_check "raw sendto an allowed address: OK" in_c inet raw icmp OK sendto 127.0.0.1 0
pal_check "ping6 sendto a denied address: EPERM" in_c inet6 dgram icmpv6 EPERM sendto ::1 0
pal_check "raw connect to a denied address: EPERM" in_c inet raw icmp EPERM connect 127.0.0.2 0
pal_check "ping connect to a denied address: EPERM" in_c inet dgram icmp EPERM connect 127.0.0.2 0
pal_check "TCP connect to a denied address: EPERM" in_c inet stream 0 EPERM connect 127.0.0.2 9
pal_agent_settle 1

recs() { grep '"event":"network"' "$PAL_LOG" | grep "\"op\":\"$1\"" | grep "\"daddr\":\"$2\""; }
n() { recs "$1" "$2" | grep -c .; }
recs sendmsg 127.0.0.2
recs connect 127.0.0.2
pal_check "two sendmsg records for 127.0.0.2 (ping, raw)" test "$(n sendmsg 127.0.0.2)" = 2
pal_check "one sendmsg record for ::1 (ping6)" test "$(n sendmsg ::1)" = 1
pal_check "three connect records for 127.0.0.2 (raw, ping, tcp)" \
	test "$(n connect 127.0.0.2)" = 3
pal_check "one of them is the TCP connect" \
	test "$(recs connect 127.0.0.2 | grep -c '"protocol":"tcp"')" = 1
for f in '"action":"deny"' '"policy":"no-icmp-out"' '"rule":0' '"errno":1' '"comm":"palsock"' \
	'"protocol":"other"' '"family":"inet"'; do
	pal_check "ping/raw sendmsg records have $f" \
		test "$(recs sendmsg 127.0.0.2 | grep -cF "$f")" = 2
done
pal_check "no record for the allowed or outside sends" \
	sh -c '! grep -q "\"daddr\":\"127.0.0.1\"" "$1"' - "$PAL_LOG"
pal_agent_stop
pal_check "after stop ping sendto in the cgroup works again" \
	in_c inet dgram icmp OK sendto 127.0.0.2 0
pal_done
