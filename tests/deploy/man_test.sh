#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The man pages as built: each renders with `man -l` at 80 columns without a
# single troff warning, has its sections, and documents what the code does:
# every verb and flag that `palisade --help` and `palisade VERB --help` show,
# and every field the agent writes to the audit log.
# Usage: man_test.sh SRCDIR MANDIR [PALISADE_BINARY]
set -u
src=$1 mandir=$2 bin=${3:-}
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

command -v man >/dev/null || { echo "SKIP: man not found (Debian package man-db)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

render() { # PAGE: renders into $tmp/PAGE.txt, warnings into $tmp/PAGE.err
	local page=$1
	if [ ! -f "$mandir/$page" ]; then
		bad "$page was not built (scdoc missing?)"
		return 1
	fi
	MANWIDTH=80 MAN_KEEP_FORMATTING= LC_ALL=C.UTF-8 man -l "$mandir/$page" \
		>"$tmp/$page.raw" 2>"$tmp/$page.err"
	local rc=$?
	# Plain text: drop overstrike bold/underline if a pager formatter left them.
	sed 's/.\x08//g' "$tmp/$page.raw" > "$tmp/$page.txt"
	[ $rc -eq 0 ] && ok || bad "man -l $page exited $rc"
	[ -s "$tmp/$page.err" ] && bad "man -l $page warned: $(cat "$tmp/$page.err")" || ok
	local wide # display columns, not bytes (man uses UTF-8 hyphens and quotes)
	wide=$(LC_ALL=C.UTF-8 wc -L < "$tmp/$page.txt")
	[ "$wide" -le 80 ] && ok || bad "$page is $wide columns wide, over MANWIDTH=80"
}

sections() { # PAGE SECTION...: each must be a heading (at column 0)
	local page=$1
	shift
	for s in "$@"; do
		grep -qx "$s" "$tmp/$page.txt" && ok || bad "$page has no section '$s'"
	done
}

for p in palisade.8 palisade-policy.5 palisade-audit.5; do
	render "$p" || continue
	sections "$p" NAME "SEE ALSO"
	[ -f "$mandir/$p.gz" ] && ok || bad "$p.gz (the installed form) was not built"
done
[ -f "$tmp/palisade.8.txt" ] && {
	sections palisade.8 SYNOPSIS DESCRIPTION "GLOBAL OPTIONS" VERBS "CONFIGURATION FILE" \
		SIGNALS METRICS "EXIT STATUS" ENVIRONMENT FILES EXAMPLES
	for v in run check compile logs suggest status reload stop; do
		grep -qx "   $v" "$tmp/palisade.8.txt" && ok || bad "palisade.8 has no subsection for '$v'"
	done
	for code in 0 1 2 77; do
		awk '/^EXIT STATUS$/ { on = 1; next } /^[A-Z]/ { on = 0 } on' "$tmp/palisade.8.txt" |
			grep -qx "       $code" && ok || bad "exit status $code is not documented"
	done
	grep -q 'Every verb takes -h, --help' "$tmp/palisade.8.txt" && ok ||
		bad "palisade.8 does not say that every verb takes --help"
	for sig in SIGHUP SIGUSR1 SIGTERM; do
		grep -q "$sig" "$tmp/palisade.8.txt" && ok || bad "palisade.8 does not mention $sig"
	done
}
[ -f "$tmp/palisade-policy.5.txt" ] && sections palisade-policy.5 "TOP-LEVEL KEYS" "FILE RULES" \
	"EXEC RULES" "NETWORK RULES" "DEVICE RULES" SEMANTICS LIMITS
[ -f "$tmp/palisade-audit.5.txt" ] && {
	sections palisade-audit.5 "FIELDS OF EVERY RECORD" "DECISION RECORDS" "COUNT RECORDS" \
		"STATE RECORDS"
	# Every field the agent writes (jw_*(w, "field", ...) in agent/events.c).
	fields=$(grep -ohE 'jw_[a-z_]+\(&ev->w, "[a-z_0-9]+"' "$src/agent/events.c" 2>/dev/null |
		sed 's/.*"\(.*\)"/\1/' | sort -u)
	[ -n "$fields" ] && ok || bad "no audit fields found in agent/events.c"
	for f in $fields count; do
		grep -qwF -- "$f" "$tmp/palisade-audit.5.txt" && ok ||
			bad "audit field '$f' (agent/events.c) is not in palisade-audit(5)"
	done
}

# The binary's own help, when it is built: every verb and flag it has is in
# palisade(8), in that verb's subsection.
if [ -n "$bin" ] && [ -x "$bin" ] && [ -f "$tmp/palisade.8.txt" ]; then
	verbs=$("$bin" --help | awk '/^Verbs:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
	[ -n "$verbs" ] && ok || bad "palisade --help lists no verbs"
	for v in $verbs; do
		text=$(awk -v v="   $v" '$0 == v { on = 1; next } /^   [a-z]/ || /^[A-Z]/ { on = 0 } on' \
			"$tmp/palisade.8.txt")
		[ -n "$text" ] && ok || { bad "verb '$v' has no subsection in palisade.8"; continue; }
		# -h/--help is documented once for every verb (DESCRIPTION).
		for f in $("$bin" "$v" --help 2>/dev/null | grep -oE '(^|[ ,])--?[a-zA-Z][a-z-]*' |
			tr -d ' ,' | grep -vxE -- '-h|--help' | sort -u); do
			grep -qE -- "(^|[ ,])$f([ ,=]|$)" <<<"$text" && ok ||
				bad "'palisade $v $f' is not documented in palisade.8"
		done
	done
else
	echo "note: no palisade binary: the verbs and flags were not compared with --help"
fi

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
