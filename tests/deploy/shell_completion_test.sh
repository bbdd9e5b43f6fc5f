#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The zsh and fish completions, loaded into the real shells: they offer the
# verbs, and for a verb exactly the options `palisade --list-options VERB`
# prints (the parser's own table), so they cannot drift from the binary.
# Usage: shell_completion_test.sh SRCDIR PALISADE_BINARY
set -u
src=$(cd "$1" && pwd) bin=$2
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/bin"
ln -s "$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")" "$tmp/bin/palisade"
export PATH=$tmp/bin:$PATH
want_opts() { "$bin" --list-options "$1" | tr -d = | sort -u | paste -sd' '; }

# fish: `complete -C` prints what fish would offer for a command line.
command -v fish >/dev/null || { echo "FAIL: fish missing (scripts/setup installs it)"; exit 1; }
fishc() {
	fish --no-config -c "source '$src/deploy/fish-completion/palisade.fish'; complete -C '$1'" |
		cut -f1 | sort -u | paste -sd' '
}
[ "$(fishc 'palisade ')" = "check compile doctor logs reload run status stop suggest" ] && ok ||
	bad "fish verbs: '$(fishc 'palisade ')'"
for v in run check compile logs suggest status reload stop doctor; do
	got=$(fishc "palisade $v -")
	[ "$got" = "$(want_opts "$v")" ] && ok || bad "fish '$v -': '$got', want '$(want_opts "$v")'"
done

# zsh: load compsys, then capture what _palisade adds (compadd is wrapped).
command -v zsh >/dev/null || { echo "FAIL: zsh missing (scripts/setup installs it)"; exit 1; }
zshc() { # WORD...: the words of the command line, the last one being completed
	zsh -f -c '
		fpath=("$1" $fpath); shift
		autoload -Uz compinit && compinit -u -d "'"$tmp"'/zcd"
		autoload -Uz _palisade
		compadd() { while [[ $# -gt 0 && $1 != -- ]]; do shift; done; shift; print -rl -- "$@"; }
		_describe() { local -a l; l=(${(P)${@[-1]}}); print -rl -- ${l%%:*}; }
		_call_program() { shift; "$@"; }
		_files() { :; }
		words=("$@"); CURRENT=$#
		_palisade' _ "$src/deploy/zsh-completion" "$@" | sort -u | paste -sd' '
}
[ "$(zshc palisade '')" = "check compile doctor logs reload run status stop suggest" ] && ok ||
	bad "zsh verbs: '$(zshc palisade '')'"
for v in run check compile logs suggest status reload stop doctor; do
	got=$(zshc palisade "$v" -)
	[ "$got" = "$(want_opts "$v")" ] && ok || bad "zsh '$v -': '$got', want '$(want_opts "$v")'"
done
echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
