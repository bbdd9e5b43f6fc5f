# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 170
# The in-kernel rate limit is per object. A `default: audit` trial run
# (every decision by the policy's default, one policy and rule) floods
# /srv/noisy with opens; meanwhile one open of /srv/quiet must still have
# its record: a key of (policy, rule, cgroup) alone would have suppressed
# it with the flood. The accounting is exact: the records of /srv/noisy
# (with their folded counts) + the `suppressed` records that name its
# inode == the opens made, and no `suppressed` record names another object.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh
FLOOD=${FLOOD:-150000}

mkdir -p /srv && echo n >/srv/noisy && echo q >/srv/quiet
mkdir "$PAL_CGROUP/trial"
pal_policy trial.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: trial
target:
  cgroups: [/pal-test-$PAL_CASE/trial]
default: audit
files:
  - paths: [/srv/unrelated]
    access: [read]
    action: allow
YAML
pal_agent_start
ino=$(stat -c %i /srv/noisy)
dev=$(stat -c %d /srv/noisy)

pal_in_cgroup trial paltest flood /srv/noisy "$FLOOD" 1 OK >"$PAL_TMP/flood.out" &
flood=$!
sleep 1
pal_check "the quiet file is opened during the flood (allowed: audit)" \
	pal_in_cgroup trial paltest open /srv/quiet OK
pal_check "the flood was still running then" kill -0 "$flood"
wait "$flood"
rc=$?
cat "$PAL_TMP/flood.out"
pal_check "$FLOOD opens of /srv/noisy, every one allowed" test "$rc" = 0
pal_agent_settle 2.5
pal_agent_stop

pal_check "the one open of /srv/quiet has its record" palrec "$PAL_LOG" -n 1 -c 1 event=file \
	action=audit policy=trial rule=null rule_src=default op=open path=/srv/quiet errno=0
logged=$(palrec "$PAL_LOG" -s event=file action=audit policy=trial op=open path=/srv/noisy)
supp=$(palrec "$PAL_LOG" -s event=suppressed ino="$ino")
all=$(palrec "$PAL_LOG" -s event=suppressed)
lost=$(palrec "$PAL_LOG" -s event=lost)
echo "rl: opens $FLOOD, logged $logged, suppressed $supp (all suppressed $all), lost $lost"
pal_check "records + suppressed == opens of /srv/noisy ($logged + $supp)" \
	test $((logged + supp)) = "$FLOOD"
pal_check "the rate limit did suppress (a flood, not a trickle)" test "$supp" -gt 0
pal_check "every suppressed record names /srv/noisy's inode" test "$all" = "$supp"
pal_check "nothing lost" test "$lost" = 0
pal_check "a suppressed record says what it stands for" palrec "$PAL_LOG" event=suppressed \
	suppressed_event=file policy=trial rule=null rule_src=default op=open ino="$ino" \
	dev="$dev" cgroup="/pal-test-$PAL_CASE/trial" count
pal_done
