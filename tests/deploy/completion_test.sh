#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# deploy/bash-completion/palisade, sourced into a clean bash: it registers
# itself, completes verbs, flags and policy files by calling _palisade with
# COMP_WORDS set as readline would, and knows every verb and flag that the
# man page documents and that `palisade VERB --help` shows.
# Usage: completion_test.sh SRCDIR [PALISADE_BINARY]
set -u
src=$(cd "$1" && pwd) bin=${2:-}
comp=$src/deploy/bash-completion/palisade
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/w/policies" "$tmp/w/logs"
touch "$tmp/w/a.yaml" "$tmp/w/b.yml" "$tmp/w/c.txt" "$tmp/w/with space.yaml" \
	"$tmp/w/audit.log" "$tmp/w/audit.log.2.gz"

# complete WORD...: the last word is the one being completed. Prints
# COMPREPLY sorted, one per line, as a fresh non-interactive bash sees it.
complete_words() {
	(cd "$tmp/w" && bash --norc --noprofile -c '
		source "$1" || exit 9
		shift
		COMP_WORDS=("$@")
		COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"
		COMP_POINT=${#COMP_LINE}
		_palisade palisade "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD-1]}" || exit 8
		printf "%s\n" "${COMPREPLY[@]}" | sort' _ "$comp" "$@")
}

expect() { # "WORDS" "EXPECTED (sorted, | separated)"
	local got
	read -r -a words <<<"$1"
	[[ "$1" == *" " ]] && words+=("")
	got=$(complete_words "${words[@]}" | paste -sd'|')
	[ "$got" = "$2" ] && ok || bad "complete '$1': got '$got', want '$2'"
}

# Registration.
reg=$(bash --norc --noprofile -c 'source "$1" && complete -p palisade' _ "$comp" 2>&1)
[ "$reg" = "complete -F _palisade palisade" ] && ok || bad "complete -p palisade: '$reg'"
bash -n "$comp" && ok || bad "syntax error in $comp"

expect "palisade " "check|compile|doctor|logs|reload|run|status|stop|suggest"
expect "palisade s" "status|stop|suggest"
expect "palisade ch" "check"
expect "palisade -" "--help|--version|-h"
expect "palisade check " "a.yaml|b.yml|logs|policies|with space.yaml"
expect "palisade check a.yaml " "a.yaml|b.yml|logs|policies|with space.yaml"
expect "palisade check w" "with space.yaml"
expect "palisade compile --" "--cgroup|--exe|--explain|--help|--json|--no-host|--seed"
expect "palisade compile -q a.yaml " "a.yaml|b.yml|logs|policies|with space.yaml"
expect "palisade run -d " "a.yaml|b.yml|logs|policies|with space.yaml"
expect "palisade run --policy-dir p" "policies"
expect "palisade run -c " "a.yaml|b.yml|logs|policies|with space.yaml"
expect "palisade run --pin-dir " "logs|policies"
expect "palisade run --metrics 127" "127.0.0.1:9464"
expect "palisade run --k" "--keep-on-exit"
expect "palisade logs --action " "audit|deny"
expect "palisade logs --event n" "network"
expect "palisade logs --color a" "always|auto"
expect "palisade logs --since = " "10m|1d|1h|6h|7d"
expect "palisade logs audit.log" "audit.log|audit.log.2.gz"
expect "palisade logs --policy " ""
expect "palisade status --" "--help|--json|--socket"
expect "palisade reload --" "--help|--json|--socket"
expect "palisade stop --" "--help|--json|--socket"
expect "palisade bogus --" ""
expect "palisade -v run --sys" "--syslog"

# The flags the completion offers for each verb.
flags_of() {
	bash --norc --noprofile -c 'source "$1"; v=_palisade_flags_$2; echo "${!v-}"' _ "$comp" "$1" |
		tr ' ' '\n' | grep -v '^$' | sort -u
}
verbs=$(bash --norc --noprofile -c 'source "$1"; echo $_palisade_verbs' _ "$comp" | tr ' ' '\n')

# Against the man page source: the same verbs, and each documented flag of a
# verb is completed for it (and the reverse).
man=$src/docs/man/palisade.8.scd
man_verbs=$(sed -n 's/^## \([a-z]*\)$/\1/p' "$man" | sort)
[ "$(sort <<<"$verbs")" = "$man_verbs" ] && ok ||
	bad "verbs differ: completion '$(xargs <<<"$verbs")', man '$(xargs <<<"$man_verbs")'"
for v in $man_verbs; do
	# Flag definitions are the lines that start with a bold flag.
	documented=$(awk -v v="## $v" '$0 == v { on = 1; next } /^#/ { on = 0 } on' "$man" |
		grep -E '^\*-' | grep -oE '\*--?[a-z][-a-z]*\*' | tr -d '*' |
		grep -vx -- '--allow-insecure-policy-dir' | sort -u) # for tests: not offered
	completed=$(flags_of "$v" | grep -vxE -- '-h|--help')
	missing=$(comm -23 <(echo "$documented") <(echo "$completed") | xargs)
	extra=$(comm -13 <(echo "$documented") <(echo "$completed") | xargs)
	[ -z "$missing" ] && ok || bad "'$v': documented but not completed: $missing"
	[ -z "$extra" ] && ok || bad "'$v': completed but not documented: $extra"
done

# Against the binary: every verb of `palisade --help` is completed, and each
# verb's completed flags are exactly what its parser accepts (the binary prints
# its getopt table with --list-options), so a new flag without completion fails.
[ -n "$bin" ] && [ -x "$bin" ] || { echo "FAIL: no palisade binary given"; exit 1; }
for v in $("$bin" --help | awk '/^Verbs:/ { on = 1; next } on && /^  [a-z]/ { print $1 }'); do
	grep -qx "$v" <<<"$verbs" && ok || bad "verb '$v' (palisade --help) is not completed"
	accepted=$("$bin" --list-options "$v" | tr -d = | grep -vx -- --allow-insecure-policy-dir |
		sort -u)
	[ -n "$accepted" ] && ok || bad "palisade --list-options $v printed nothing"
	missing=$(comm -23 <(echo "$accepted") <(flags_of "$v") | xargs)
	extra=$(comm -13 <(echo "$accepted") <(flags_of "$v") | xargs)
	[ -z "$missing" ] && ok || bad "'$v': accepted but not completed: $missing"
	[ -z "$extra" ] && ok || bad "'$v': completed but not accepted: $extra"
done

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
