# SPDX-License-Identifier: GPL-2.0-only
# Helpers for VM test cases (busybox sh). Every tests/vm/*.sh but demo.sh
# is shipped to /lib/palisade-test/; this one is $PAL_LIB. A case starts with:
#   . "$PAL_LIB"
# Environment set by /init for every case:
#   PAL_CASE      the case's name
#   PAL_CGROUP    the cgroup the case runs in (/sys/fs/cgroup/pal-test-NAME);
#                 create sub-cgroups only below it: init kills and removes it
#   PAL_TMP       a fresh directory (the case's cwd), removed afterwards
#   PAL_AGENT     the static agent (/bin/palisade)
#   PAL_POLICIES  the policies from tests/vm/policies/
#   PAL_RESULTS   where init keeps every case's log
# After each case init also removes everything pinned under /sys/fs/bpf and
# unmounts what the case mounted under PAL_TMP.
# Exit 0 = PASS, 77 = SKIP (a failure in the VM suite), anything else = FAIL.

pal_failed=0

# pal_fail MSG: fail now.
pal_fail() {
	echo "FAIL: $*"
	exit 1
}

# pal_skip MSG: give up with SKIP (still fails the VM suite, but says why).
pal_skip() {
	echo "SKIP: $*"
	exit 77
}

# pal_check DESC CMD...: run CMD; record a failure but carry on.
pal_check() {
	_desc=$1
	shift
	if "$@"; then
		echo "ok: $_desc"
	else
		echo "FAIL: $_desc"
		pal_failed=1
	fi
}

# pal_must DESC CMD...: run CMD; fail the case now if it fails.
pal_must() {
	_desc=$1
	shift
	"$@" || pal_fail "$_desc"
	echo "ok: $_desc"
}

# pal_done: exit with the verdict of the pal_check calls so far.
pal_done() {
	[ "$pal_failed" = 0 ] || exit 1
	exit 0
}
