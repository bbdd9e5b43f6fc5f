# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 200
# File and exec rule patterns (docs/policy.md "Patterns"), each form with
# the names it must catch and its neighbours that must stay allowed:
#  - `*` in a name (`*.pem`, leading dots included, never across '/'), a
#    prefix (`python3*`), `?`, classes `[a-c]` and `[!x]`, escapes (`\*`,
#    `\?` in a pattern, and `\*` in an exact path: a name with a literal
#    '*' is matched only by the escaped rule), `**` in the middle (zero
#    levels too) and trailing (the directory itself too), `**` over 40
#    levels, a `dirs:` pattern (the directories it names and all below);
#  - the resolved path decides: a symlink to a matching file is denied, a
#    matching symlink to another file is not; a bind mount is decided by the
#    path it is reached under (patterns get no identity key); in a chroot,
#    by the path as the process sees it;
#  - precedence (cgroup "prec", `default: deny`): deny beats audit beats
#    allow, whether an exact path, a `dirs:` path or a pattern names it;
#  - an `exec:` pattern: execve of /srv/bin/tool-* fails with EACCES,
#    another name runs (`from:` patterns: file_from).
# Every denial asserts the errno and its record (policy, rule, op, path),
# and nothing else is logged.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

rm -rf /srv && mkdir -p /srv
mkf() { # PATH...: create files (and their directories)
	for _f; do mkdir -p "${_f%/*}" && echo x >"$_f"; done
}
mkf /srv/p/a.pem /srv/p/b.pem /srv/p/.pem /srv/p/a.pem.bak /srv/p/pem /srv/p/sub/c.pem \
	/srv/p/a.PEM /srv/plain/data
mkf /srv/bin/python3 /srv/bin/python3.11 /srv/bin/python2 /srv/bin/xpython3
mkf /srv/q/file1.txt '/srv/q/file?.txt' /srv/q/file.txt /srv/q/file12.txt
mkf /srv/c/loga.txt /srv/c/logc.txt /srv/c/logd.txt /srv/c/logA.txt \
	/srv/c/ky '/srv/c/k*' /srv/c/kx /srv/c/k /srv/c/kyy
mkf '/srv/e/star*' '/srv/e/xtar*' /srv/e/starX /srv/e/star '/srv/e/star**' \
	'/srv/e/lit*' /srv/e/litX /srv/e/lit '/srv/e/q?1' /srv/e/qa1 '/srv/e/q?a'
mkf /srv/a/b /srv/a/x/b /srv/a/x/y/b /srv/a/x/bb /srv/a/y/b/c /srv/ab/b
mkf /srv/x/f /srv/x/d/e/f /srv/xy/f
mkf /srv/dd1/sec/f /srv/dd2/sec/g/h /srv/dd/sec/f /srv/dd1/secret/f /srv/dd1/other /srv/d1/sec/f
p=/srv/deep
for i in $(seq 1 40); do p=$p/l$i; done
deep=$p
mkf "$deep/leaf" "$deep/leafy" /srv/deep/leaf
# resolution: symlinks, bind mounts, a chroot
ln -s /srv/p/a.pem /srv/plain/to-pem
ln -s /srv/plain/data /srv/p/alias.pem
ln -s /srv/p /srv/plink
mkdir -p "$PAL_TMP/bp" /srv/x/mnt
trap 'umount /srv/x/mnt 2>/dev/null' EXIT # init unmounts only below PAL_TMP
mount --bind /srv/p "$PAL_TMP/bp"
mount --bind /srv/plain /srv/x/mnt
mkf /srv/ch/srv/p/z.pem /srv/ch/k/a.pem /srv/ch/srv/p/z.txt
cp /bin/paltest /srv/ch/paltest
# precedence
mkf /srv/pr/a.key /srv/pr/c.key /srv/pr/b.txt /srv/pr/c.txt /srv/pr/d/x.key /srv/pr/d/ok.txt \
	/srv/pr/e1/f /srv/pr/e2/f /srv/pr/a.log /srv/pr/b.log /srv/pr/f1/ok /srv/pr/other
# exec
mkdir -p /srv/bin /srv/sym
for f in tool-a tool- toolx tool_b; do cp /bin/paltest "/srv/bin/$f"; done
ln -s /srv/bin/tool-a /srv/sym/run

mkdir "$PAL_CGROUP/confined" "$PAL_CGROUP/prec"
rule() { # PATTERN [ACCESS] [ACTION] [KIND]: one files: rule
	printf "  - %s: ['%s']\n    access: [%s]\n    action: %s\n" "${4:-paths}" "$1" \
		"${2:-read}" "${3:-deny}"
}
{
	printf 'apiVersion: palisade/v1\nkind: Policy\nname: pat\n'
	printf 'target:\n  cgroups: [/pal-test-%s/confined]\nfiles:\n' "$PAL_CASE"
	rule '/srv/p/*.pem'                       # 0
	rule '/srv/bin/python3*'                  # 1
	rule '/srv/q/file?.txt'                   # 2
	rule '/srv/c/log[a-c].txt'                # 3
	rule '/srv/c/k[!x]'                       # 4
	rule '/srv/e/?tar\*'                      # 5
	rule '/srv/e/lit\*'                       # 6: no wildcard: an exact path
	rule '/srv/e/q\?[0-9]'                    # 7
	rule '/srv/a/**/b'                        # 8
	rule '/srv/x/**'                          # 9
	rule '/srv/dd*/sec' read deny dirs        # 10
	rule '/srv/deep/**/leaf'                  # 11
	rule '/srv/ch/k/*.pem'                    # 12
} | pal_policy pat.yaml
pal_policy patexec.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: patexec
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
exec:
  - paths: ['/srv/bin/tool-*']
    action: deny
YAML
{
	printf 'apiVersion: palisade/v1\nkind: Policy\nname: prec\n'
	printf 'target:\n  cgroups: [/pal-test-%s/prec]\ndefault: deny\nfiles:\n' "$PAL_CASE"
	rule /srv/pr/a.key read allow             # 0: exact allow
	rule '/srv/pr/*.key'                      # 1: pattern deny
	rule '/srv/pr/*.txt' read allow           # 2: pattern allow
	rule /srv/pr/b.txt                        # 3: exact deny
	rule /srv/pr/d read allow dirs            # 4: dir allow
	rule '/srv/pr/d/*.key'                    # 5: pattern deny
	rule '/srv/pr/e*' read allow dirs         # 6: dir pattern allow
	rule /srv/pr/e1 read deny dirs            # 7: dir deny
	rule '/srv/pr/*.log' read audit           # 8: pattern audit
	rule /srv/pr/b.log                        # 9: exact deny
	rule /srv/pr/a.log read allow             # 10: exact allow
	rule '/srv/pr/f*' read deny dirs          # 11: dir pattern deny
	rule /srv/pr/f1/ok read allow             # 12: exact allow
	rule /bin 'read, exec' allow dirs         # 13
} | pal_policy prec.yaml

pal_agent_start
in_cg() { pal_in_cgroup confined "$@"; }
in_pr() { pal_in_cgroup prec "$@"; }
: >"$PAL_TMP/want"
deny() { # DESC PATH POLICY RULE [MODE] [RECORDED-PATH]: EACCES, and one record
	_cg=in_cg
	[ "$3" = prec ] && _cg=in_pr
	pal_check "denied: $1" $_cg paltest open "$2" EACCES "${5:-r}"
	printf '%s|%s|%s\n' "$3" "$4" "${6:-$2}" >>"$PAL_TMP/want"
}
allow() { # DESC PATH [MODE]
	pal_check "allowed: $1" in_cg paltest open "$2" OK "${3:-r}"
}

deny "*.pem" /srv/p/a.pem pat 0
deny "*.pem: a name starting with a dot" /srv/p/.pem pat 0
allow "*.pem: another suffix" /srv/p/a.pem.bak
allow "*.pem: the bare suffix without the dot" /srv/p/pem
allow "*.pem: not across '/'" /srv/p/sub/c.pem
allow "*.pem: bytes, case matters" /srv/p/a.PEM
deny "python3*: the prefix alone" /srv/bin/python3 pat 1
deny "python3*" /srv/bin/python3.11 pat 1
allow "python3*: python2" /srv/bin/python2
allow "python3*: not a prefix" /srv/bin/xpython3
deny "file?.txt" /srv/q/file1.txt pat 2
deny "file?.txt: '?' matches a '?'" '/srv/q/file?.txt' pat 2
allow "file?.txt: no byte" /srv/q/file.txt
allow "file?.txt: two bytes" /srv/q/file12.txt
deny "log[a-c].txt: a" /srv/c/loga.txt pat 3
deny "log[a-c].txt: c" /srv/c/logc.txt pat 3
allow "log[a-c].txt: d" /srv/c/logd.txt
allow "log[a-c].txt: A" /srv/c/logA.txt
deny "k[!x]: y" /srv/c/ky pat 4
deny "k[!x]: a literal '*'" '/srv/c/k*' pat 4
allow "k[!x]: x" /srv/c/kx
allow "k[!x]: no byte" /srv/c/k
allow "k[!x]: two bytes" /srv/c/kyy
deny "?tar\\*: star*" '/srv/e/star*' pat 5
deny "?tar\\*: xtar*" '/srv/e/xtar*' pat 5
allow "?tar\\*: the '*' is literal (starX)" /srv/e/starX
allow "?tar\\*: star" /srv/e/star
allow "?tar\\*: star**" '/srv/e/star**'
deny "exact lit\\*: lit*" '/srv/e/lit*' pat 6
allow "exact lit\\*: litX" /srv/e/litX
allow "exact lit\\*: lit" /srv/e/lit
deny "q\\?[0-9]: q?1" '/srv/e/q?1' pat 7
allow "q\\?[0-9]: qa1" /srv/e/qa1
allow "q\\?[0-9]: q?a" '/srv/e/q?a'
deny "/a/**/b: zero levels" /srv/a/b pat 8
deny "/a/**/b: one level" /srv/a/x/b pat 8
deny "/a/**/b: two levels" /srv/a/x/y/b pat 8
deny "/a/**/b: a directory b" /srv/a/y/b pat 8 d
allow "/a/**/b: bb" /srv/a/x/bb
allow "/a/**/b: below b (a paths: rule)" /srv/a/y/b/c
allow "/a/**/b: /srv/ab/b" /srv/ab/b
deny "/x/**: a file" /srv/x/f pat 9
deny "/x/**: three levels down" /srv/x/d/e/f pat 9
deny "/x/**: the directory itself" /srv/x pat 9 d
allow "/x/**: /srv/xy/f" /srv/xy/f
deny "dirs /dd*/sec: a file below" /srv/dd1/sec/f pat 10
deny "dirs /dd*/sec: two levels below" /srv/dd2/sec/g/h pat 10
deny "dirs /dd*/sec: '*' empty" /srv/dd/sec/f pat 10
deny "dirs /dd*/sec: the directory itself" /srv/dd1/sec pat 10 d
allow "dirs /dd*/sec: secret" /srv/dd1/secret/f
allow "dirs /dd*/sec: a sibling" /srv/dd1/other
allow "dirs /dd*/sec: d1" /srv/d1/sec/f
deny "/deep/**/leaf: 40 levels" "$deep/leaf" pat 11
deny "/deep/**/leaf: zero levels" /srv/deep/leaf pat 11
allow "/deep/**/leaf: leafy at 40 levels" "$deep/leafy"
allow "/deep/**/leaf: the directory at 40 levels" "$deep" d

deny "a symlink to a matching file" /srv/plain/to-pem pat 0 r /srv/p/a.pem
allow "a matching symlink to another file (/srv/plain/data)" /srv/p/alias.pem
deny "a symlinked directory" /srv/plink/b.pem pat 0 r /srv/p/b.pem
allow "a bind mount of /srv/p: reached as $PAL_TMP/bp/a.pem" "$PAL_TMP/bp/a.pem"
deny "a bind mount under /srv/x: reached as /srv/x/mnt/data" /srv/x/mnt/data pat 9
allow "control: the bind-mounted file at its own path" /srv/plain/data
pal_check "denied: in a chroot, /srv/p/z.pem as the process sees it" \
	in_cg chroot /srv/ch /paltest open /srv/p/z.pem EACCES
echo "pat|0|/srv/p/z.pem" >>"$PAL_TMP/want"
pal_check "allowed: in the chroot, /srv/p/z.txt" in_cg chroot /srv/ch /paltest open /srv/p/z.txt OK
deny "outside the chroot, /srv/ch/k/a.pem" /srv/ch/k/a.pem pat 12
pal_check "allowed: in the chroot the same file is /k/a.pem" \
	in_cg chroot /srv/ch /paltest open /k/a.pem OK

deny "exact allow, pattern deny" /srv/pr/a.key prec 1
deny "pattern deny" /srv/pr/c.key prec 1
deny "pattern allow, exact deny" /srv/pr/b.txt prec 3
pal_check "allowed: pattern allow" in_pr paltest open /srv/pr/c.txt OK
deny "dir allow, pattern deny" /srv/pr/d/x.key prec 5
pal_check "allowed: dir allow" in_pr paltest open /srv/pr/d/ok.txt OK
deny "dir pattern allow, dir deny" /srv/pr/e1/f prec 7
pal_check "allowed: dir pattern allow" in_pr paltest open /srv/pr/e2/f OK
pal_check "audited: pattern audit beats exact allow" in_pr paltest open /srv/pr/a.log OK
deny "pattern audit, exact deny" /srv/pr/b.log prec 9
deny "dir pattern deny, exact allow" /srv/pr/f1/ok prec 11
deny "control: the default denies what no rule allows" /srv/pr/other prec null

pal_check "exec: tool-a denied" in_cg paltest exec /srv/bin/tool-a EACCES
pal_check "exec: tool- ('*' empty) denied" in_cg paltest exec /srv/bin/tool- EACCES
pal_check "exec: through a symlink, denied" in_cg paltest exec /srv/sym/run EACCES
pal_check "exec: toolx runs" in_cg paltest exec /srv/bin/toolx OK
pal_check "exec: tool_b runs" in_cg paltest exec /srv/bin/tool_b OK
pal_check "exec: reading tool-a is not exec (allowed)" in_cg paltest open /srv/bin/tool-a OK
pal_check "control: outside the cgroup every pattern is off" paltest open /srv/p/a.pem OK
pal_check "control: outside the cgroup tool-a runs" paltest exec /srv/bin/tool-a OK
pal_agent_stop

n=0
sort "$PAL_TMP/want" | uniq -c >"$PAL_TMP/want.n" # a path denied twice: two records
while IFS='|' read -r c_pol r path; do
	c=$((${c_pol% *})) pol=${c_pol##* }
	pal_check "record: $pol rule $r denied $path ($c)" palrec "$PAL_LOG" -q -n "$c" -c "$c" \
		event=file action=deny errno=13 op=open 'access=["read"]' "policy=$pol" "rule=$r" \
		"path=$path"
	n=$((n + c))
done <"$PAL_TMP/want.n"
pal_check "record: the audit of /srv/pr/a.log (rule 8)" palrec "$PAL_LOG" -q -n 1 -c 1 \
	event=file action=audit policy=prec rule=8 op=open path=/srv/pr/a.log
for f in /srv/bin/tool-a /srv/bin/tool-; do
	n_exec=$([ "$f" = /srv/bin/tool-a ] && echo 2 || echo 1)
	pal_check "record: exec of $f denied ($n_exec)" palrec "$PAL_LOG" -q -n "$n_exec" \
		-c "$n_exec" event=exec action=deny errno=13 op=exec policy=patexec rule=0 "path=$f"
done
pal_check "nothing else: $n file denials, 1 audit" palrec "$PAL_LOG" -q -n $((n + 1)) event=file
pal_check "nothing else: 3 exec denials" palrec "$PAL_LOG" -q -n 3 event=exec
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
