#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# What `palisade suggest` writes must pass `palisade check` (the policy
# language v1 compiler).
#
#   suggest_check.sh PALISADE FIXTURES
set -euo pipefail

bin=$1
fx=$2
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
pass=0

run_check() {
	local name=$1 rc=0
	shift
	"$bin" suggest "$@" >"$work/$name.yaml" 2>"$work/$name.err"
	"$bin" check "$work/$name.yaml" >"$work/check.out" 2>&1 || rc=$?
	if [ "$rc" -ne 0 ]; then
		echo "FAIL: palisade check refused the suggestion for $name (exit $rc):" >&2
		cat "$work/check.out" >&2
		cat -n "$work/$name.yaml" >&2
		exit 1
	fi
	pass=$((pass + 1))
}

run_check web --policy web "$fx/basic.log"
run_check all --include-denied --cgroup '/system.slice/**' "$fx/basic.log"
run_check spread --include-denied --collapse 2 --name ctr-allow "$fx/spread.log"
echo "suggest_check: $pass passed, 0 failed"
