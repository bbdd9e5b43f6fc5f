# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 150
# A flood of DENIALS (1,000,000) read opens of /srv/secret
# from a C loop, one worker per vCPU. Every open must fail with EACCES, and
# the log must account for every denial exactly: the decision records (with
# the counts the agent folds into them) + `suppressed` (in-kernel rate
# limit, PAL_RL_BURST per second per policy, rule and cgroup) + `lost` (ring
# buffer full) == DENIALS. The agent drains before it exits.
# Then the ring buffer is made to overflow: with the agent stopped
# (SIGSTOP), 16 cgroups (16 rate-limit keys, 256 events each per second)
# deny 300 opens each: more events than the 8 MiB ring holds (~3400), so
# some are `lost`, and the accounting must still be exact.
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
pal_agent_start --no-signal-guard # SIGSTOP below stalls the consumer

pal_check "$DENIALS opens in $NPROC workers, every one EACCES" \
	pal_in_cgroup confined paltest flood /srv/secret "$DENIALS" "$NPROC"

kill -STOP "$PAL_AGENT_PID"
pids=
for i in $(seq 1 16); do
	mkdir "$PAL_CGROUP/confined/c$i"
	pal_in_cgroup "confined/c$i" paltest flood /srv/secret 300 1 >"$PAL_TMP/c$i.out" &
	pids="$pids $!"
done
wait_ok=0
for pid in $pids; do
	wait "$pid" || wait_ok=1
done
kill -CONT "$PAL_AGENT_PID"
pal_check "16 x 300 opens with the agent stopped, every one EACCES" test "$wait_ok" = 0
DENIALS=$((DENIALS + 16 * 300))
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
echo "flood: with the agent stopped: logged $(palrec "$PAL_LOG" -s event=file cgroup~confined/c)"
pal_check "the ring buffer overflowed: lost > 0 ($lost)" test "$lost" -gt 0
pal_check "no other file record" palrec "$PAL_LOG" -q -n 0 event=file path!=/srv/secret
pal_done
