# SPDX-License-Identifier: GPL-2.0-only
# A policy of n file rules, most of them patterns, to stdout (bench/README.md,
# "Pattern rules"): deny read of dir /x (an exact rule, so the denied file
# is denied as in the exact sets), three patterns along the opened files'
# path /a/c2/c3/c4/c5/f that never match a file the bench opens (so every
# size walks the automaton down every level of those paths), then fillers,
# one pattern each under a literal directory of its own, /bench/fill/I, so
# that each state tests one or two things, far below the per-state bounds
# (bpf/abi.h PAL_PAT_*). The fillers rotate through suffix, prefix, '**'
# and '*' components; every 50th is a character class (a general glob:
# those are bounded by PAL_PAT_GLOBS_MAX per generation).
# With -v exact=1, the same rules with a literal name where each pattern
# has its last component (the exact counterpart, for compile times).
#   awk -v n=N -v name=NAME [-v exact=1] -f patterns.awk
function filler(i, d) {
	d = "/bench/fill/" i
	if (exact)
		return d "/f.e" i % 7
	if (i % 50 == 49)
		return d "/[a-z]" i % 7
	if (i % 4 == 0)
		return d "/*.e" i % 7
	if (i % 4 == 1)
		return d "/key" i % 7 "*"
	if (i % 4 == 2)
		return d "/**/*.bak"
	return d "/*/conf"
}
BEGIN {
	printf "apiVersion: palisade/v1\nkind: Policy\nname: %s\ndefault: allow\nfiles:\n", name
	print "  - {dirs: [/x], access: [read], action: deny}"
	if (exact)
		split("/a/c2/c.pem /a/c2/c3/c4/c5/g /a/c2/c3/c4/c5/key", walk, " ")
	else
		split("/a/**/*.pem /a/c2/c3/c4/c5/[g-z]* /a/c2/c3/*/c5/key*", walk, " ")
	left = n - 1
	for (k = 1; k <= 3 && left > 0; k++) {
		print "  - {paths: ['" walk[k] "'], access: [read], action: deny}"
		left--
	}
	for (i = 0; left > 0; i += 8) {
		line = ""
		for (j = 0; j < 8 && left > 0; j++) {
			line = line (j ? ", " : "") "'" filler(i + j) "'"
			left--
		}
		print "  - {paths: [" line "], access: [read], action: deny}"
	}
}
