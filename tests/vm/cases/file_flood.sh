# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 150
# Issue 4, test 14: a flood of DENIALS (1,000,000) read opens of /srv/secret
# from a C loop, one worker per vCPU. Every open must fail with EACCES, and
# the log must account for every denial exactly: the decision records (with
# the counts the agent folds into them) + `suppressed` (in-kernel rate
# limit, PAL_RL_BURST per second per policy, rule and cgroup) + `lost` (ring
# buffer full) == DENIALS. The agent drains before it exits.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh
DENIALS=${DENIALS:-1000000}
NPROC=$(nproc)

mkdir -p /srv && echo "top secret" >/srv/secret
mkdir "$PAL_CGROUP/confined"
pal_policy flood.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: flood
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
YAML
pal_agent_start

pal_check "$DENIALS opens in $NPROC workers, every one EACCES" \
	pal_in_cgroup confined paltest flood /srv/secret "$DENIALS" "$NPROC"
pal_agent_settle 2
pal_agent_stop

logged=$(palrec "$PAL_LOG" -s event=file action=deny policy=flood rule=0 path=/srv/secret \
	op=open errno=13 'access=["read"]' comm=paltest)
suppressed=$(palrec "$PAL_LOG" -s event=suppressed)
lost=$(palrec "$PAL_LOG" -s event=lost)
echo "flood: denials $DENIALS, logged $logged, suppressed $suppressed, lost $lost"
pal_check "logged + suppressed + lost == $DENIALS" \
	test $((logged + suppressed + lost)) = "$DENIALS"
pal_check "the rate limit folded most of them" test "$suppressed" -gt $((DENIALS / 2))
pal_check "at least one burst was logged" test "$logged" -ge 256
pal_check "no other file record" palrec "$PAL_LOG" -q -n 0 event=file path!=/srv/secret
pal_done
