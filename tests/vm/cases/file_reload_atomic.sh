# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 150
# Reload atomicity. Two policies alternate, RELOADS
# times (write the file, SIGHUP), while a C loop in the target cgroup opens
# three files OPENS times in all:
#   reload-a: rule 0 denies /srv/a, rule 1 denies /srv/c
#   reload-b: rule 0 denies /srv/c, rule 1 denies /srv/b
# /srv/c is denied by every generation, so a reload that is not atomic
# (keys deleted before the new ones are live) shows up as an allowed open of
# /srv/c. Each denial record carries its generation; the "policy" records
# say which policy each generation had, and every record must be a decision
# that policy makes (same path, same rule index). Denials add up exactly:
# records (with their counts) + suppressed + lost == EACCES seen by the loop.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh
RELOADS=${RELOADS:-200}
OPENS=${OPENS:-10000}

mkdir -p /srv && for f in a b c; do echo "$f" >"/srv/$f"; done
mkdir "$PAL_CGROUP/confined"
policy() { # NAME PATH0 PATH1
	cat <<YAML
apiVersion: palisade/v1
kind: Policy
name: $1
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - paths: [$2]
    access: [read]
    action: deny
  - paths: [$3]
    access: [read]
    action: deny
YAML
}
policy reload-a /srv/a /srv/c >"$PAL_TMP/a.yaml"
policy reload-b /srv/c /srv/b >"$PAL_TMP/b.yaml"
pal_policy race.yaml <"$PAL_TMP/a.yaml"
pal_agent_start

out=$(pal_in_cgroup confined paltest reload-race "$PAL_AGENT_PID" "$PAL_TMP/a.yaml" \
	"$PAL_TMP/b.yaml" "$PAL_POLICY_DIR/race.yaml" "$PAL_LOG" "$RELOADS" "$OPENS" \
	/srv/a /srv/b /srv/c)
rc=$?
echo "$out"
pal_check "the loop ran $OPENS opens across $RELOADS reloads" test "$rc" = 0
pal_agent_stop

field() { # PATH KEY: a count from the loop's summary line of PATH
	echo "$out" | sed -n "s|.*path=$1 .*$2=\([0-9]*\).*|\1|p"
}
pal_check "/srv/c was never allowed" test "$(field /srv/c ok)" = 0
for f in a b c; do
	pal_check "/srv/$f: only EACCES or success" test "$(field /srv/$f other)" = 0
done
pal_check "/srv/a was both denied and allowed" \
	test "$(field /srv/a ok)" -gt 0 -a "$(field /srv/a denied)" -gt 0
pal_check "/srv/b was both denied and allowed" \
	test "$(field /srv/b ok)" -gt 0 -a "$(field /srv/b denied)" -gt 0
denied=$(($(field /srv/a denied) + $(field /srv/b denied) + $(field /srv/c denied)))

gens=$(palrec "$PAL_LOG" --generations reload-a:/srv/a=0,/srv/c=1 reload-b:/srv/c=0,/srv/b=1)
rc=$?
echo "$gens"
pal_check "every denial record is a decision of its generation's policy" test "$rc" = 0
flips=$(echo "$gens" | sed -n 's/.* \([0-9]*\) policy flips.*/\1/p')
pal_check "the policy flipped at least $RELOADS times ($flips)" test "${flips:-0}" -ge "$RELOADS"
logged=$(palrec "$PAL_LOG" -s event=file action=deny)
suppressed=$(palrec "$PAL_LOG" -s event=suppressed)
lost=$(palrec "$PAL_LOG" -s event=lost)
pal_check "records $logged + suppressed $suppressed + lost $lost == denials $denied" \
	test $((logged + suppressed + lost)) = "$denied"
pal_check "no other record" palrec "$PAL_LOG" -q -n 0 event!=file event!=policy \
	event!=suppressed event!=lost event!=agent
pal_done
