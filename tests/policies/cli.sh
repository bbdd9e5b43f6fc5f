#!/bin/sh
# SPDX-License-Identifier: GPL-2.0-only
# palisade check / compile as a user runs them: exit codes, the exact
# diagnostic form on stderr, the explain table, --help.
# Usage: cli.sh PALISADE EXAMPLES_DIR
set -u
PAL=$1
EX=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

fail() {
	echo "FAIL: $*"
	echo "--- stdout"; cat "$tmp/out" 2>/dev/null
	echo "--- stderr"; cat "$tmp/err" 2>/dev/null
	exit 1
}

run() { # run CMD...: sets rc, output in $tmp/out and $tmp/err
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
}

run "$PAL" check --help
[ "$rc" = 0 ] || fail "check --help: exit $rc"
head -n1 "$tmp/out" | grep -qx 'Usage: palisade check \[OPTION\]... FILE|DIR|-...' || fail "check --help text"
run "$PAL" compile --help
[ "$rc" = 0 ] || fail "compile --help: exit $rc"
grep -q -- '--seed N' "$tmp/out" || fail "compile --help mentions --seed"

run "$PAL" check
[ "$rc" = 1 ] || fail "check without files: exit $rc, want 1"

run "$PAL" check --no-host "$EX"
[ "$rc" = 0 ] || fail "check examples: exit $rc"
grep -q '^palisade check: [0-9]* policies OK' "$tmp/out" || fail "check summary"

cat >"$tmp/bad.yaml" <<'YAML'
apiVersion: palisade/v1
kind: Policy
name: t
files:
  - paths: [/etc/passwd]
    acess: [read]
    action: deny
YAML
run "$PAL" check "$tmp/bad.yaml"
[ "$rc" = 1 ] || fail "check bad: exit $rc, want 1"
printf '%s\n' "$tmp/bad.yaml:6:5: error: unknown key 'acess' in file rule; did you mean 'access'?" \
	"    acess: [read]" "    ^" "palisade check: 1 errors, 0 warnings" >"$tmp/want"
cmp -s "$tmp/err" "$tmp/want" || fail "check bad: stderr differs"
[ ! -s "$tmp/out" ] || fail "check bad: stdout not empty"

run "$PAL" check "$tmp/missing.yaml"
[ "$rc" = 1 ] || fail "check missing: exit $rc, want 1"
grep -qx "$tmp/missing.yaml: error: cannot read: No such file or directory" "$tmp/err" ||
	fail "check missing: message"

cat >"$tmp/warn.yaml" <<'YAML'
apiVersion: palisade/v1
kind: Policy
name: w
files:
  - paths: [/etc/shadow]
    access: [read]
    action: allow
YAML
run "$PAL" check --no-host "$tmp/warn.yaml"
[ "$rc" = 0 ] || fail "check warnings only: exit $rc, want 0"
grep -q "^$tmp/warn.yaml:7:13: warning: rule can never take effect" "$tmp/err" || fail "warning"

cat >"$tmp/good.yaml" <<'YAML'
apiVersion: palisade/v1
kind: Policy
name: g
files:
  - paths: [/etc/shadow]
    access: [read, write]
    action: deny
YAML
run "$PAL" compile --no-host "$tmp/good.yaml"
[ "$rc" = 0 ] || fail "compile: exit $rc"
grep -q '^palisade compile: seed 0x0000000000000000 (fixed display seed; the live agent uses a secret random seed' "$tmp/out" ||
	fail "compile: seed note"
grep -q "^  g  *files exact  *0x[0-9a-f]\{16\} 2  *deny read,write,append; else allow  *deny@$tmp/good.yaml:5  *\/etc\/shadow\$" "$tmp/out" ||
	fail "compile: entry line"
run "$PAL" compile --json --no-host --seed 7 "$tmp/good.yaml"
[ "$rc" = 0 ] || fail "compile --json: exit $rc"
grep -q '"seed": *"0x0000000000000007"' "$tmp/out" || fail "compile --json seed"
run "$PAL" compile "$tmp/bad.yaml"
[ "$rc" = 1 ] || fail "compile bad: exit $rc, want 1"
run "$PAL" compile --seed x "$tmp/good.yaml"
[ "$rc" = 1 ] || fail "compile --seed x: exit $rc, want 1"
# Network and device rules are also shown as their map entries.
cat >"$tmp/net.yaml" <<'YAML'
apiVersion: palisade/v1
kind: Policy
name: n
network:
  - connect: [10.0.0.0/8]
    action: deny
  - connect: [10.1.0.0/16]
    action: allow
devices:
  - type: char
    major: 1
    minor: 1
    access: [read]
    action: deny
YAML
run "$PAL" compile --no-host "$tmp/net.yaml"
[ "$rc" = 0 ] || fail "compile net: exit $rc"
grep -q "^  n  *connect  *10.0.0.0/8  *deny  *$tmp/net.yaml:5\$" "$tmp/out" || fail "compile: /8 entry"
# closure: the /16 entry carries the covering /8 deny (deny beats allow)
grep -q "^  n  *connect  *10.1.0.0/16  *deny  *$tmp/net.yaml:5\$" "$tmp/out" || fail "compile: /16 closure"
grep -q "^  n  *char  *1  *1  *read  *deny  *$tmp/net.yaml:10\$" "$tmp/out" || fail "compile: device entry"
run "$PAL" compile --json --no-host "$tmp/net.yaml"
grep -q '"prefix": *"10.1.0.0/16"' "$tmp/out" || fail "compile --json network_entries"
grep -q '"access": *"read"' "$tmp/out" || fail "compile --json device_entries"
# check notes what network rules leave unmediated on a host without BPF LSM
# (this host, or not: the expectation follows the host's active LSMs).
"$PAL" check "$tmp/net.yaml" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] || fail "check net: exit not 0"
if grep -qw bpf /sys/kernel/security/lsm 2>/dev/null; then
	grep -q 'note:' "$tmp/err" && fail "check net: a BPF LSM note on a host that has BPF LSM"
else
	grep -q '^palisade check: note: 2 network rules: without BPF LSM on this host.*sockets passed in from another cgroup are not mediated' "$tmp/err" ||
		fail "check net: no note that this host has no BPF LSM"
fi
"$PAL" check --no-host "$tmp/net.yaml" >"$tmp/out" 2>"$tmp/err"
grep -q 'note:' "$tmp/err" && fail "check --no-host net: a host note"

# check and compile each accept only their own options.
run "$PAL" compile -q --no-host "$tmp/good.yaml"
[ "$rc" = 1 ] || fail "compile -q: exit $rc, want 1 (not a compile option)"
run "$PAL" check --seed 1 --no-host "$tmp/good.yaml"
[ "$rc" = 1 ] || fail "check --seed: exit $rc, want 1 (not a check option)"

# check -: the policy comes from standard input, named <stdin>.
"$PAL" check --no-host - <"$tmp/good.yaml" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] || fail "check - (good): exit not 0"
grep -q '^palisade check: 1 policies OK' "$tmp/out" || fail "check -: summary"
"$PAL" check - <"$tmp/bad.yaml" >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "check - (bad): exit not 1"
grep -q '^<stdin>:[0-9]*:[0-9]*: error: ' "$tmp/err" || fail "check -: diagnostic names <stdin>"
cat "$tmp/good.yaml" | "$PAL" compile --no-host - >"$tmp/out" 2>"$tmp/err" ||
	fail "compile - from a pipe"
grep -q 'deny@<stdin>:5' "$tmp/out" || fail "compile -: rule source <stdin>:5"

# check --json: one JSON object, parsed back; the exit status is unchanged.
pyget() { # FILE EXPR: evaluate EXPR on the parsed JSON object j
	python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$@"
}
run "$PAL" check --json --no-host "$tmp/good.yaml"
[ "$rc" = 0 ] || fail "check --json good: exit $rc"
[ "$(pyget "$tmp/out" 'j["ok"], j["policies"], j["errors"], j["diagnostics"]')" = \
	"(True, 1, 0, [])" ] || fail "check --json good: object"
[ ! -s "$tmp/err" ] || fail "check --json: stderr not empty"
run "$PAL" check --json "$tmp/bad.yaml" "$tmp/missing.yaml"
[ "$rc" = 1 ] || fail "check --json bad: exit $rc, want 1"
[ "$(pyget "$tmp/out" 'j["ok"], j["errors"] >= 1, [(d["file"] == "'"$tmp/bad.yaml"'", d["line"] > 0, d["severity"]) for d in j["diagnostics"]][0]')" = \
	"(False, True, (True, True, 'error'))" ] || fail "check --json bad: object"
grep -q 'missing.yaml' "$tmp/out" || fail "check --json: unreadable file not in diagnostics"

# check --sarif: a SARIF 2.1.0 log whose results are the text diagnostics,
# each at the FILE:LINE:COL the text names; the exit status is unchanged.
run "$PAL" check --sarif --no-host "$tmp/good.yaml"
[ "$rc" = 0 ] || fail "check --sarif good: exit $rc"
[ "$(pyget "$tmp/out" 'j["version"], j["runs"][0]["tool"]["driver"]["name"], j["runs"][0]["results"]')" = \
	"('2.1.0', 'palisade', [])" ] || fail "check --sarif good: log"
run "$PAL" check "$tmp/bad.yaml"
want=$(sed -n 's/^\([^:]*\):\([0-9]*\):\([0-9]*\): \(error\|warning\): \(.*\)$/\1|\2|\3|\4|\5/p' "$tmp/err" | head -1)
run "$PAL" check --sarif "$tmp/bad.yaml"
[ "$rc" = 1 ] || fail "check --sarif bad: exit $rc, want 1"
got=$(pyget "$tmp/out" '"|".join(str(x) for x in [(l["artifactLocation"]["uri"], l["region"]["startLine"], l["region"]["startColumn"], r["level"], r["message"]["text"]) for r in j["runs"][0]["results"] for l in [r["locations"][0]["physicalLocation"]]][0])')
[ -n "$want" ] && [ "$got" = "$want" ] || fail "check --sarif bad: first result $got, text says $want"
run "$PAL" check --sarif --json "$tmp/good.yaml"
[ "$rc" = 1 ] || fail "check --sarif --json: exit $rc, want 1 (two formats)"

# compile --explain: every rule that names the path, the from: and cgroup
# conditions, and the merge (deny beats audit beats allow, default for the rest).
cat >"$tmp/explain.yaml" <<'YAML'
apiVersion: palisade/v1
kind: Policy
name: secrets
default: allow
files:
  - paths: [/etc/shadow]
    access: [read, write]
    action: deny
  - dirs: [/etc]
    access: [read, create]
    action: audit
  - paths: [/etc/shadow]
    access: [read]
    action: deny
    from: [/usr/sbin/sshd]
---
apiVersion: palisade/v1
kind: Policy
name: web
target:
  cgroups: [/system.slice/docker-*.scope]
default: deny
files:
  - dirs: [/]
    access: [read]
    action: allow
YAML
run "$PAL" compile --no-host --explain /etc//shadow --exe /usr/bin/cat "$tmp/explain.yaml"
[ "$rc" = 0 ] || fail "compile --explain: exit $rc"
grep -qx "    $tmp/explain.yaml:6: exact '/etc/shadow' deny \[read,write\]" "$tmp/out" || fail "explain: exact rule"
grep -qx "    $tmp/explain.yaml:9: dir '/etc' audit \[read,create\]" "$tmp/out" || fail "explain: dir rule"
grep -q "(no effect: from: does not list the executable)" "$tmp/out" || fail "explain: from: condition"
grep -qx "    decision: deny \[read,write\]; audit \[create\]; default allow for the rest" "$tmp/out" || fail "explain: merge"
grep -qx "policy 'web': does not apply (it targets cgroups: give --cgroup)" "$tmp/out" || fail "explain: no --cgroup"
run "$PAL" compile --no-host --explain /srv/x --cgroup /system.slice/docker-1.scope "$tmp/explain.yaml"
grep -qx "policy 'web' (enforce, target cgroup '/system.slice/docker-\*.scope' matches):" "$tmp/out" || fail "explain: cgroup pattern"
grep -qx "    decision: allow \[read\]; default deny for the rest" "$tmp/out" || fail "explain: targeted decision"
run "$PAL" compile --no-host --explain etc/shadow "$tmp/explain.yaml"
[ "$rc" = 1 ] || fail "explain relative path: exit $rc, want 1"
run "$PAL" compile --no-host --cgroup /x "$tmp/explain.yaml"
[ "$rc" = 1 ] || fail "--cgroup without --explain: exit $rc, want 1"

# A paths: entry that does not exist here is a warning, not an error.
cat >"$tmp/missing-path.yaml" <<'YAML'
apiVersion: palisade/v1
kind: Policy
name: t
files:
  - paths: [/nonexistent/palisade-test/secret]
    access: [read]
    action: deny
YAML
run "$PAL" check "$tmp/missing-path.yaml"
[ "$rc" = 0 ] || fail "check missing path: exit $rc, want 0"
grep -q "^$tmp/missing-path.yaml:5:13: warning: '/nonexistent/palisade-test/secret' does not exist on this host" "$tmp/err" || fail "missing path: no warning"
run "$PAL" check --no-host "$tmp/missing-path.yaml"
grep -q "does not exist" "$tmp/err" && fail "missing path: warned with --no-host"
sed 's|/nonexistent/palisade-test/secret|"/etc/ssh/ssh_host_*_key"|' "$tmp/missing-path.yaml" >"$tmp/pattern.yaml"
# A pattern is a pattern, never a literal path: no "does not exist" warning.
run "$PAL" check "$tmp/pattern.yaml"
[ "$rc" = 0 ] || fail "check pattern: exit $rc, want 0"
grep -q "does not exist" "$tmp/err" && fail "pattern: warned as a missing literal path"
run "$PAL" compile --no-host --explain /etc/ssh/ssh_host_rsa_key "$tmp/pattern.yaml"
grep -qx "    $tmp/pattern.yaml:5: path pattern '/etc/ssh/ssh_host_\*_key' deny \[read\]" "$tmp/out" || fail "explain: pattern rule not shown"
run "$PAL" compile --no-host --explain /etc/ssh/ssh_host_rsa_key.pub "$tmp/pattern.yaml"
grep -q "pattern" "$tmp/out" && fail "explain: pattern rule shown for a path it does not match"
run "$PAL" compile --no-host "$tmp/pattern.yaml"
grep -q "^PATTERN AUTOMATON (pal_pat_\*): .* for 1 pattern keys" "$tmp/out" || fail "compile: no automaton summary"
# Patterns over a bound of the kernel's automaton: check refuses them as compile does.
cat >"$tmp/globs.yaml" <<'YAML'
apiVersion: palisade/v1
kind: Policy
name: g
files:
  - paths: ['/s/[ab]x?', '/s/[cd]y?']
    access: [read]
    action: deny
  - paths: ['/s/[ef]z?']
    access: [read]
    action: deny
YAML
for verb in check compile; do
	run "$PAL" $verb "$tmp/globs.yaml"
	[ "$rc" = 1 ] || fail "$verb globs: exit $rc, want 1"
	grep -q "^$tmp/globs.yaml:5:13: error: the patterns need more than PAL_PAT_STATE_GLOBS (2) general globs at one level" "$tmp/err" || fail "$verb globs: no error at the pattern"
done
# A dirs: glob is compiled twice (itself and below it): still one test of its level.
cat >"$tmp/globs2.yaml" <<'YAML'
apiVersion: palisade/v1
kind: Policy
name: g
files:
  - dirs: ['/pd/?x?']
    access: [read]
    action: deny
  - paths: ['/pd/x*?']
    access: [read]
    action: deny
YAML
run "$PAL" compile --no-host "$tmp/globs2.yaml"
[ "$rc" = 0 ] || fail "compile dirs glob and path glob at one level: exit $rc, want 0"
grep -q "^PATTERN AUTOMATON (pal_pat_\*): .* 2 general globs" "$tmp/out" || fail "dirs glob: not one test"
# A `from:` pattern is expanded to the executables this host has: each file
# once, a symlink or hard link taking the id of the file it names (one
# pal_exes entry per file), directories and other files' names left out.
mkdir -p "$tmp/fb/sub/deep" "$tmp/fb/tool-dir"
for f in tool-a tool-b sub/deep/tool-z; do printf '#!/bin/sh\n' >"$tmp/fb/$f"; done
chmod +x "$tmp/fb/tool-a" "$tmp/fb/tool-b" "$tmp/fb/sub/deep/tool-z"
ln -s tool-a "$tmp/fb/tool-link"
ln "$tmp/fb/tool-b" "$tmp/fb/tool-hard"
ln -s .. "$tmp/fb/sub/loop" # '**' must not walk on through it
ln -s fb "$tmp/fb-link"     # a '**' may begin at a symlink (/bin on merged /usr)
cat >"$tmp/from-pat.yaml" <<YAML
apiVersion: palisade/v1
kind: Policy
name: fp
files:
  - paths: [/srv/x]
    access: [read]
    action: deny
    from: ['$tmp/fb/tool-*', '$tmp/fb/**/tool-z', '$tmp/fb/none-*']
YAML
run "$PAL" check "$tmp/from-pat.yaml"
[ "$rc" = 0 ] || fail "check from pattern: exit $rc, want 0"
grep -q "^$tmp/from-pat.yaml:8:[0-9]*: warning: the 'from' pattern '$tmp/fb/none-\*' matches no executable on this host" "$tmp/err" ||
	fail "from pattern matching nothing: no warning"
run "$PAL" compile "$tmp/from-pat.yaml"
[ "$rc" = 0 ] || fail "compile from pattern: exit $rc, want 0"
sed -n '/^EXECUTABLES/,/^$/p' "$tmp/out" >"$tmp/exes"
grep -q "^EXECUTABLES (pal_exes, for from: rules): 6$" "$tmp/exes" || fail "from pattern: not 6 exes: $(cat "$tmp/exes")"
for f in tool-a tool-b sub/deep/tool-z; do
	grep -q "^  [0-9] *ino [0-9]* *dev 0x[0-9a-f]* *$tmp/fb/$f$" "$tmp/exes" || fail "from pattern: $f not an exe of its own"
done
id_of() { grep " $tmp/fb/$1$" "$tmp/exes" | awk '{print $1}'; }
[ "$(id_of tool-link)" = "$(id_of tool-a)" ] || fail "from pattern: the symlink has an id of its own"
[ "$(id_of tool-hard)" = "$(id_of tool-b)" ] || fail "from pattern: the hard link has an id of its own"
grep -q "(the file of exe $(id_of tool-a): same id) *$tmp/fb/tool-link$" "$tmp/exes" || fail "from pattern: the symlink is not shown as the same file"
grep -q "tool-dir" "$tmp/exes" && fail "from pattern: a directory became an executable"
grep -q "(no executable on this host: $tmp/fb/none-\*)" "$tmp/exes" || fail "from pattern matching nothing: no entry that keeps the rule to none"
# Two paths of one file in from: lists of two rules: one id, or one rule never matches.
run "$PAL" compile --json "$tmp/from-pat.yaml"
[ "$(grep -o '"same_file_as_earlier":true' "$tmp/out" | wc -l)" = 2 ] || fail "json: not 2 exes marked as the same file"
sed "s|'$tmp/fb/\*\*/tool-z'|'$tmp/fb-link/**/tool-z'|" "$tmp/from-pat.yaml" >"$tmp/from-link.yaml"
run "$PAL" compile "$tmp/from-link.yaml"
grep -q "ino [0-9]* *dev 0x[0-9a-f]* *$tmp/fb-link/sub/deep/tool-z$" "$tmp/out" ||
	fail "from pattern: '**' below a symlinked directory found nothing"
run "$PAL" compile --no-host "$tmp/from-pat.yaml"
grep -q "(a pattern, expanded where the policy loads: $tmp/fb/tool-\*)" "$tmp/out" || fail "--no-host: the from pattern is not shown unexpanded"

# An unknown verb names the closest one.
run "$PAL" chek "$tmp/good.yaml"
[ "$rc" = 1 ] || fail "chek: exit $rc, want 1"
grep -qx "Hint: did you mean 'check'?" "$tmp/err" || fail "chek: no did-you-mean"
run "$PAL" frobnicate
grep -q 'did you mean' "$tmp/err" && fail "frobnicate: a far word got a suggestion"
echo "cli: all checks passed"
