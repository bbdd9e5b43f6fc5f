# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 300
# The network and device programs load when a policy first has such rules.
# An agent whose policies have file rules only loads none of them (no
# host-wide socket hooks, no rule maps), and still enforces its file rule.
# A reload that adds the first network rule loads them: a socket a target
# task opened before that reload is refused on its next connect (EPERM,
# one record), as is a new one. An agent stopped with --keep-on-exit leaves
# its network programs attached; a new agent whose policies have no network
# rule must take them over all the same, or they would go on enforcing the
# rules of a policy that is gone: the connect is then refused by nothing,
# and the earlier agent's programs leave the cgroup with its pins.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh
PAL_AGENT_READY_S=120

PINS=/sys/fs/bpf/palisade
mkdir -p /srv && echo secret >/srv/secret
mkdir "$PAL_CGROUP/c"
pal_policy files.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: files-only
target:
  cgroups: [/pal-test-$PAL_CASE/c]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
YAML
net_policy() {
	cat >"$PAL_TMP/net.yaml" <<YAML
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
	# first in the set: policy index 0, as the file policy is after a restart
	mv "$PAL_TMP/net.yaml" "$PAL_POLICY_DIR/a-net.yaml"
}
not_pinned() { pal_pinned pal_gen && ! pal_pinned "$1"; }
denials() { grep -c '"event":"network","action":"deny".*"policy":"no-4444"' "$PAL_LOG"; }

pal_agent_start --keep-on-exit
pal_check "file rules only: the file rule map is pinned" pal_pinned pal_gen
pal_check "file rules only: no network rule map is pinned" not_pinned pal_net_cidr
pal_check "file rules only: no host-wide socket hook is attached" not_pinned lsm_connect
pal_check "file rules only: the file rule holds (EACCES)" \
	pal_in_cgroup c paltest open /srv/secret EACCES
pal_check "file rules only: connect from the target is refused by nothing" \
	pal_in_cgroup c palsock inet stream 0 ECONNREFUSED connect 127.0.0.1 4444

# A socket opened before the first network rule exists.
PALSOCK_WAIT=$PAL_TMP/go pal_in_cgroup c palsock inet stream 0 EPERM connect 127.0.0.1 4444 \
	>"$PAL_TMP/early.out" 2>&1 &
early=$!
net_policy
pal_check "the reload adding the first network rule is live" pal_agent_wait_gen 2
pal_check "the network rule maps are now pinned" pal_pinned pal_net_cidr
pal_check "the host-wide socket hooks are now attached" pal_pinned lsm_connect
touch "$PAL_TMP/go"
wait $early
rc=$?
cat "$PAL_TMP/early.out"
pal_check "a socket older than the rule: connect refused (EPERM)" test $rc = 0
pal_check "a new socket: connect refused (EPERM)" \
	pal_in_cgroup c palsock inet stream 0 EPERM connect 127.0.0.1 4444
pal_check "outside the target: connect refused by nothing" \
	palsock inet stream 0 ECONNREFUSED connect 127.0.0.1 4444
pal_agent_settle
n=$(grep -c '"event":"file","action":"deny".*"policy":"files-only".*"path":"/srv/secret"' "$PAL_LOG")
pal_check "file rules only: one record of the file denial (got $n)" test "$n" = 1
n=$(denials)
pal_check "one record per refused connect (2, got $n)" test "$n" = 2
pal_check "the record names the rule and the port" grep -q \
	'"event":"network","action":"deny".*"policy":"no-4444".*"op":"connect".*"dport":4444' "$PAL_LOG"

# Stopped with --keep-on-exit: the network rule goes on without the agent.
pal_agent_stop
pal_check "without the agent the network rule holds (EPERM)" \
	pal_in_cgroup c palsock inet stream 0 EPERM connect 127.0.0.1 4444
rm "$PAL_POLICY_DIR/a-net.yaml"
cp "$PAL_LOG" "$PAL_TMP/first.log"
pal_agent_start
pal_check "the new agent, file rules only: the old network rule is gone (ECONNREFUSED)" \
	pal_in_cgroup c palsock inet stream 0 ECONNREFUSED connect 127.0.0.1 4444
pal_check "the new agent took over the rule maps" pal_pinned pal_net_cidr
# Two more generations: one of them reuses the slot the earlier agent's
# network rule was written to, under the policy index of the file policy.
for g in 4 5; do
	sed "s/name: files-only/name: files-only\n# generation $g/" "$PAL_POLICY_DIR/files.yaml" \
		>"$PAL_TMP/files.yaml" && mv "$PAL_TMP/files.yaml" "$PAL_POLICY_DIR/files.yaml"
	pal_check "generation $g is live" pal_agent_wait_gen $g
	pal_check "generation $g: no rule of the earlier agent refuses the connect (ECONNREFUSED)" \
		pal_in_cgroup c palsock inet stream 0 ECONNREFUSED connect 127.0.0.1 4444
done
pal_check "the new agent: the file rule holds (EACCES)" \
	pal_in_cgroup c paltest open /srv/secret EACCES
pal_agent_settle
n=$(grep -c '"event":"file","action":"deny".*"policy":"files-only".*"path":"/srv/secret"' "$PAL_LOG")
pal_check "the new agent recorded the file denial ($n)" test "$n" = 1
n=$(denials)
pal_check "the new agent recorded no network denial ($n)" test "$n" = 0
pal_agent_stop
ls -R "$PINS" 2>/dev/null | head -20
pal_check "after stop the pins are gone, the earlier agent's too" test ! -e "$PINS"
pal_done
