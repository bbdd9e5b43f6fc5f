# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 300
# Differential test of file rule patterns through the real agent and kernel.
# For set 0, 1, ... `patdiff gen` writes a policy of 1 to 6 random `deny
# read` rules (`paths:` and `dirs:` patterns under /pd/SET over a hostile
# alphabet: * ? [ ] \ ! - dots, spaces, 255-byte names, deep paths), creates
# PATHS files below /pd/SET and lists each with the decision of patdiff's own
# reference matcher. The agent reloads onto the set; `patdiff check` opens
# every listed path inside the confined cgroup and reports each path where
# the kernel disagrees (EACCES vs success). Every set must log exactly one
# denial record per expected denial (distinct files: no rate limiting).
# Sets refused for a bound (E2BIG) are counted and skipped; the refusal must
# name the PAL_PAT_* bound (docs/policy.md "Patterns"); any other refusal
# fails at once. Runs sets until PAIRS (set, path) pairs have been checked.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh
# A seed of its own per kernel: the four kernels of the matrix check
# 4 x 25,000 = 100,000 different pairs per suite run.
kernel_hash() { # a number from the kernel's release string
	uname -r | awk '{ for (i = 1; i <= length($0); i++)
		h = (h * 31 + index("0123456789abcdefghijklmnopqrstuvwxyz.-+_", substr($0, i, 1))) % 100000
		print h }'
}
SEED=${SEED:-$((20261206 + $(kernel_hash)))}
PATHS=${PATHS:-2500}
PAIRS=${PAIRS:-25000}
MAX_SETS=$((PAIRS / PATHS * 2))
echo "patdiff: seed $SEED, $PAIRS pairs (SEED=$SEED reproduces them)"

mkdir -p /pd "$PAL_CGROUP/confined"
cg=/pal-test-$PAL_CASE/confined
# a start policy without patterns; each set replaces it
pal_policy patdiff.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: patdiff
target:
  cgroups: [$cg]
files:
  - paths: [/pd-none]
    access: [read]
    action: deny
YAML
pal_agent_start

# logged SINCE: denial records after byte SINCE of the log (the agent also
# reloads on its own when it sees the file change: generations vary)
logged() {
	tail -c +$(($1 + 1)) "$PAL_LOG" >"$PAL_TMP/part"
	palrec "$PAL_TMP/part" -s event=file action=deny policy=patdiff op=open errno=13 \
		'access=["read"]' exe=/bin/patdiff
}
pairs=0 denials=0 sets=0 refused=0 unexplained=0 set=0 started=$(date +%s)
while [ "$pairs" -lt "$PAIRS" ] && [ "$set" -lt "$MAX_SETS" ]; do
	list=$PAL_TMP/list.$set
	out=$(patdiff gen "$SEED" "$set" "/pd/$set" "$PATHS" "$cg" "$PAL_TMP/set.yaml" "$list" 2>&1) ||
		pal_fail "patdiff gen $SEED $set: $out"
	cp "$PAL_TMP/set.yaml" "$PAL_POLICY_DIR/patdiff.yaml"
	since=$(stat -c %s "$PAL_LOG") # whole lines only: the agent appends whole records
	if ! msg=$("$PAL_AGENT" reload --socket "$PAL_SOCK" 2>&1); then
		sed 's/^/  policy: /' "$PAL_TMP/set.yaml"
		case $msg in
		*"Argument list too long"* | *PAL_PAT_*)
			echo "set $set refused for a bound: $msg"
			rm -rf "/pd/$set" "$list" # the VM's root is in RAM: it fills up
			refused=$((refused + 1)) set=$((set + 1))
			case $msg in *PAL_PAT_*) ;; *) unexplained=$((unexplained + 1)) ;; esac
			continue
			;;
		esac
		pal_fail "set $set: reload refused a valid policy: $msg"
	fi
	deny=$(echo "$out" | sed -n 's/.* deny \([0-9]*\)$/\1/p')
	n=$(echo "$out" | sed -n 's/.* paths \([0-9]*\) .*/\1/p')
	since=$(stat -c %s "$PAL_LOG")
	pal_check "set $set: kernel agrees on $n paths ($out)" \
		pal_in_cgroup confined patdiff check "$list"
	pal_agent_settle 0.2
	i=0 # the agent buffers up to 64 KiB of records between writes
	while [ "$(logged "$since")" -lt "$deny" ] && [ $i -lt 50 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	got=$(logged "$since")
	pal_check "set $set: $deny denial records ($got)" test "$got" = "$deny"
	if [ "$got" != "$deny" ]; then
		echo "  suppressed $(palrec "$PAL_TMP/part" -s event=suppressed)," \
			"lost $(palrec "$PAL_TMP/part" -s event=lost)," \
			"unresolved $(palrec "$PAL_TMP/part" -s event=file unresolved=true)," \
			"truncated $(palrec "$PAL_TMP/part" -s event=file truncated=true)"
		grep -v '"event":"file"' "$PAL_TMP/part" | head -5
	fi
	rm -rf "/pd/$set" "$list" "$PAL_TMP/part" # the VM's root is in RAM: it fills up
	pairs=$((pairs + n)) denials=$((denials + deny)) sets=$((sets + 1)) set=$((set + 1))
done
echo "patdiff: $pairs pairs in $sets sets ($refused refused), $denials expected denials," \
	"$(($(date +%s) - started)) s"
pal_agent_stop
pal_check "no record suppressed" palrec "$PAL_LOG" -q -n 0 event=suppressed
pal_check "no record lost" palrec "$PAL_LOG" -q -n 0 event=lost
pal_check "every file record is a read denial by patdiff" palrec "$PAL_LOG" -q -n 0 event=file \
	action!=deny
pal_check "at least $PAIRS (set, path) pairs checked ($pairs)" test "$pairs" -ge "$PAIRS"
pal_check "a fifth of them or more denied ($denials)" test "$((denials * 5))" -ge "$pairs"
pal_check "a fifth of them or more allowed" test "$(((pairs - denials) * 5))" -ge "$pairs"
pal_check "every refusal names the PAL_PAT_ bound it hit ($unexplained do not)" \
	test "$unexplained" = 0
# random sets often put 3 general globs at one level (PAL_PAT_STATE_GLOBS):
# up to 7 of 17 on one kernel's seed; most sets must still be enforced
pal_check "fewer than half of the sets refused ($refused of $set)" \
	test "$((refused * 2))" -lt "$set"
pal_done
