# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 120
# Hostile file names and a hostile comm cannot break or forge audit lines:
# names with a quote, a newline, ESC, a byte that is not UTF-8 (\xff) and an
# embedded {"event":...} record are denied (EACCES) by a dirs: rule, run by
# a program whose comm holds a quote and a newline. Every JSON line must be
# one record that palisade logs reads back without skipping a line, the
# \xff name comes with its exact bytes in path_hex, and the kernel audit
# log's USER_AVC records carry those names hex-encoded as auditd does.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

D=/srv/hostile
mkdir -p "$D" "$PAL_CGROUP/w"
quote="$D/q\"uote"
nl="$D/new
line"
esc=$(printf '%s/e\033[31mesc' "$D")
ff=$(printf '%s/ff\377' "$D")
inj="$D/x\"}
{\"v\":1,\"event\":\"file\",\"action\":\"allow\",\"path\":\"etc-shadow\"}"
for f in "$quote" "$nl" "$esc" "$ff" "$inj"; do
	printf 'secret\n' >"$f" || pal_fail "cannot create a hostile name"
done
# comm is the executable's name: a quote and a newline in it.
badexe="$PAL_TMP/pa\"l
test"
cp /bin/paltest "$badexe"

pal_policy hostile.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: hostile
target:
  cgroups: [/pal-test-$PAL_CASE/w]
files:
  - dirs: [$D]
    access: [read]
    action: deny
YAML
pal_agent_start --linux-audit --no-signal-guard
n=0
for f in "$quote" "$nl" "$esc" "$ff" "$inj"; do
	pal_check "open of a hostile name denied (EACCES)" pal_in_cgroup w "$badexe" open "$f" EACCES
	n=$((n + 1))
done
pal_agent_settle
pal_agent_stop

lines=$(wc -l <"$PAL_LOG")
recs=$(grep -c '"event":"file"' "$PAL_LOG")
pal_check "$n file records, one line each (got $recs)" test "$recs" = "$n"
"$PAL_AGENT" logs --json "$PAL_LOG" >"$PAL_TMP/back" 2>"$PAL_TMP/back.err"
cat "$PAL_TMP/back.err"
pal_check "palisade logs reads every line back ($lines)" test "$(wc -l <"$PAL_TMP/back")" = "$lines"
pal_check "palisade logs skipped nothing" test ! -s "$PAL_TMP/back.err"
pal_check "no forged allow record" sh -c '! grep -q "^{\"v\":1,\"event\":\"file\",\"action\":\"allow\"" "$1"' - "$PAL_LOG"
pal_check "every file record is a deny with errno 13" \
	test "$(grep '"event":"file"' "$PAL_LOG" | grep -c '"action":"deny".*"errno":13')" = "$n"
pal_check "the \\xff name has its bytes in path_hex" \
	grep -q '"path":"/srv/hostile/ff\\ufffd","path_hex":"2f7372762f686f7374696c652f6666ff"' "$PAL_LOG"
pal_check "the newline is escaped" grep -qF '"path":"/srv/hostile/new\u000aline"' "$PAL_LOG"
pal_check "ESC is escaped" grep -qF '"path":"/srv/hostile/e\u001b[31mesc"' "$PAL_LOG"
pal_check "the comm's quote and newline are escaped" grep -qF '"comm":"pa\"l\u000atest"' "$PAL_LOG"

# USER_AVC (type=1107) in the kernel log: untrusted fields in hex.
avc=$(dmesg | grep 'type=1107' | grep -F 'palisade: denied')
echo "audit: $avc"
pal_check "$n USER_AVC records" test "$(echo "$avc" | grep -c 'policy=hostile rule=0')" = "$n"
hexcomm=$(printf 'pa"l\ntest' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
pal_check "comm in hex" sh -c 'echo "$1" | grep -q "comm=$2 op=open"' - "$avc" "$hexcomm"
hexff=$(printf '%s' "$ff" | od -An -tx1 | tr -d ' \n' | tr a-f A-F)
pal_check "the \\xff path in hex" sh -c 'echo "$1" | grep -q "path=$2 policy="' - "$avc" "$hexff"
pal_check "no raw quote inside a path field" sh -c '! echo "$1" | grep -q "path=\"[^\"]*\"[^ ]"' - "$avc"
pal_done
