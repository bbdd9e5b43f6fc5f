# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 120
# From observed behaviour to an allow-list: run a workload under a
# `mode: audit` policy, turn its audit records into a policy with
# `palisade suggest`, enforce that policy, and run the workload again: it
# must succeed with zero denials, while an access outside the observed set
# is denied (EACCES) and recorded.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

rm -rf /srv/rt-app /srv/rt-other
mkdir -p /srv/rt-app/data /srv/rt-other
for f in a b c d e f; do echo "$f" >"/srv/rt-app/data/$f"; done
echo conf >/srv/rt-app/app.conf
echo nope >/srv/rt-other/secret
mkdir "$PAL_CGROUP/w"
cat >"$PAL_TMP/workload" <<'SH'
#!/bin/sh
set -e
cat /srv/rt-app/app.conf >/dev/null
for f in /srv/rt-app/data/*; do cat "$f" >/dev/null; done
echo "run $(date +%s)" >>/srv/rt-app/data/a
SH
chmod 0755 "$PAL_TMP/workload"

pal_policy observe.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: observe
mode: audit
target:
  cgroups: [/pal-test-$PAL_CASE/w]
default: deny
files:
  - dirs: [/srv/rt-other]
    access: [all]
    action: deny
exec:
  - paths: [/nonexistent/placeholder]
    action: deny
YAML
pal_agent_start
pal_check "the workload runs under the audit policy" pal_in_cgroup w "$PAL_TMP/workload"
pal_agent_settle 1
n=$(grep -c '"action":"audit"' "$PAL_LOG")
pal_check "audit records were written ($n)" test "$n" -gt 5
pal_check "no denials in audit mode" sh -c '! grep -q "\"action\":\"deny\"" "$1"' - "$PAL_LOG"

"$PAL_AGENT" suggest "$PAL_LOG" --policy observe --cgroup "/pal-test-$PAL_CASE/w" \
	--name learned >"$PAL_TMP/learned.yaml" 2>"$PAL_TMP/suggest.err"
pal_check "suggest succeeded" test -s "$PAL_TMP/learned.yaml"
echo "--- suggested policy"
cat "$PAL_TMP/learned.yaml"
echo "---"
pal_check "the suggestion passes palisade check" "$PAL_AGENT" check "$PAL_TMP/learned.yaml"
pal_check "it allows /srv/rt-app (collapsed or listed)" grep -q "/srv/rt-app" "$PAL_TMP/learned.yaml"
pal_check "it does not allow /srv/rt-other" sh -c '! grep -q "/srv/rt-other" "$1"' - "$PAL_TMP/learned.yaml"

# Enforce the suggestion instead of the audit policy (one generation flip).
cp "$PAL_TMP/learned.yaml" "$PAL_POLICY_DIR/learned.yaml"
rm "$PAL_POLICY_DIR/observe.yaml"
"$PAL_AGENT" reload --socket "$PAL_SOCK" >/dev/null
pal_check "the learned policy is live" \
	grep -q '"event":"policy","generation":[2-9],"policies":\["learned"\]' "$PAL_LOG"
mark=$(wc -l <"$PAL_LOG")
pal_check "the workload runs again under the enforced suggestion" \
	pal_in_cgroup w "$PAL_TMP/workload"
# (busybox's cat: the learned policy allows no other executable, paltest included)
pal_check "an access outside the observed set is denied" \
	pal_in_cgroup w sh -c '! cat /srv/rt-other/secret 2>/dev/null'
# Wait for the agent to drain (a loaded CI machine may take a while).
i=0
until grep -q '"action":"deny".*"path":"/srv/rt-other/secret"' "$PAL_LOG" || [ $i -ge 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
pal_agent_settle 1
tail -n +"$((mark + 1))" "$PAL_LOG" | grep -v '"generation":1,' >"$PAL_TMP/after.log"
cat "$PAL_TMP/after.log"
d=$(grep -c '"action":"deny"' "$PAL_TMP/after.log")
pal_check "exactly one denial after the switch ($d): the outside access" test "$d" = 1
pal_check "and it is /srv/rt-other/secret, EACCES, by policy learned" \
	sh -c 'grep "\"action\":\"deny\"" "$1" | grep "\"policy\":\"learned\"" |
		grep "\"errno\":13" | grep -q "\"path\":\"/srv/rt-other/secret\""' - "$PAL_TMP/after.log"
pal_agent_stop
pal_done
