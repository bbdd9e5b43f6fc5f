# SPDX-License-Identifier: GPL-2.0-only
# Case-insensitive directories: on ext4 with the casefold feature, a
# directory with `chattr +F` finds Secret.txt as SECRET.TXT too, and the
# kernel hashes a name as the lookup spelled it. A rule with a literal name
# below such a directory would miss the other spellings, so `palisade check`,
# `palisade compile`, the agent's start and its reload refuse it with
# FILE:LINE:COL. Refused as well: the name spelled in another case, a rule
# below a subdirectory (it inherits the flag) and a rule reached through a
# symlink to the directory or a bind mount of it. The way the error's hint
# gives, `dirs:` on the directory itself, loads and denies every spelling
# (errno and record).
# Controls: a literal rule in a case-sensitive directory of the same
# filesystem loads and denies.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

# A real casefold filesystem: mke2fs -O casefold on a loop device. The
# e2fsprogs tools are in /usr/bin, beside the busybox applets of their names.
D=$PAL_TMP/cf
mkdir "$D"
pal_must "mke2fs -O casefold" /usr/bin/mke2fs -q -F -t ext4 -O casefold "$PAL_TMP/cf.img" 16M
pal_must "mount the casefold ext4 on a loop device" mount -o loop "$PAL_TMP/cf.img" "$D"
mkdir "$D/ci" "$D/plain"
pal_must "chattr +F on an empty directory" /usr/bin/chattr +F "$D/ci"
pal_must "the directory shows the F flag" sh -c '/usr/bin/lsattr -d "$1" | cut -d" " -f1 | grep -q F' - \
	"$D/ci"
echo "top secret" >"$D/ci/Secret.txt"
echo "plain secret" >"$D/plain/Secret.txt"
mkdir "$D/ci/sub" && echo x >"$D/ci/sub/f"
pal_must "the casefold directory opens SECRET.TXT as Secret.txt" \
	sh -c 'grep -q "top secret" "$1/ci/SECRET.TXT"' - "$D"
pal_must "the subdirectory inherits the flag" sh -c 'test -e "$1/ci/SUB/F"' - "$D"
ln -s "$D/ci" "$PAL_TMP/ci-link"
mkdir "$PAL_CGROUP/confined"

policy() { # NAME LIST PATH: a deny-read policy with one path on line 7, column 13
	cat <<YAML
apiVersion: palisade/v1
kind: Policy
name: $1
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - $2: [$3]
    access: [read]
    action: deny
YAML
}

mkdir "$PAL_TMP/bad"
refused() { # DESC PATH DIR: check and compile refuse PATH below DIR at bad.yaml:7:13
	policy cf-bad paths "$2" >"$PAL_TMP/bad/bad.yaml"
	for verb in check compile; do
		out=$("$PAL_AGENT" "$verb" "$PAL_TMP/bad/bad.yaml" 2>&1)
		rc=$?
		pal_check "$verb: $1: exit 1 ($rc)" [ "$rc" = 1 ]
		pal_check "$verb: $1: FILE:LINE:COL names '$3'" sh -c 'echo "$1" |
			grep -qF "bad.yaml:7:13: error: '\''$2'\'' is below the case-insensitive directory '\''$3'\''"' \
			- "$out" "$2" "$3"
		[ "$rc" = 1 ] || echo "$out"
	done
}
refused "the literal name" "$D/ci/Secret.txt" "$D/ci"
refused "another spelling" "$D/ci/SECRET.TXT" "$D/ci"
refused "a name that does not exist yet" "$D/ci/new.txt" "$D/ci"
refused "below a subdirectory" "$D/ci/sub/f" "$D/ci"
refused "a dirs: rule below the directory" "$D/ci/sub" "$D/ci"
refused "through a symlink to the directory" "$PAL_TMP/ci-link/Secret.txt" "$PAL_TMP/ci-link"
mkdir "$PAL_TMP/bind"
pal_must "bind-mount the directory" mount --bind "$D/ci" "$PAL_TMP/bind"
refused "through a bind mount of the directory" "$PAL_TMP/bind/Secret.txt" "$PAL_TMP/bind"
umount "$PAL_TMP/bind"
# Rule paths in a row share what their directories were found to be: each
# one below the directory is still refused, and none beside it.
policy cf-many paths "$D/plain/a, $D/ci/x, $D/ci/y, $D/plain/b, $D/gone/z, $D/ci/sub/q" \
	>"$PAL_TMP/bad/bad.yaml"
out=$("$PAL_AGENT" check "$PAL_TMP/bad/bad.yaml" 2>&1)
rc=$?
pal_check "paths in a row: exit 1 ($rc)" [ "$rc" = 1 ]
for f in x y sub/q; do
	pal_check "paths in a row: $f is refused" sh -c 'echo "$1" |
		grep -qF "error: '\''$2'\'' is below the case-insensitive directory '\''$3'\''"' \
		- "$out" "$D/ci/$f" "$D/ci"
done
n=$(echo "$out" | grep -c "is below the case-insensitive directory")
pal_check "paths in a row: three refusals, none for plain/ or gone/ ($n)" [ "$n" = 3 ]
out=$("$PAL_AGENT" check --no-host "$PAL_TMP/bad/bad.yaml" 2>&1)
pal_check "check --no-host does not look at this host ($out)" [ $? = 0 ]

# The agent refuses to start on such a policy, and says where.
policy cf-bad paths "$D/ci/Secret.txt" | pal_policy bad.yaml
: >"$PAL_LOG"
"$PAL_AGENT" run -d "$PAL_POLICY_DIR" -l "$PAL_LOG" --socket "$PAL_SOCK" 2>"$PAL_AGENT_ERR"
rc=$?
pal_check "agent start: refused, exit $rc" [ "$rc" != 0 ]
pal_check "agent start: names bad.yaml:7:13" \
	grep -qF "bad.yaml:7:13: error: '$D/ci/Secret.txt' is below the case-insensitive" \
	"$PAL_AGENT_ERR"
pal_check "agent start: no generation went live" palrec "$PAL_LOG" -q -n 0 event=policy generation
[ "$pal_failed" = 0 ] || cat "$PAL_AGENT_ERR"
rm "$PAL_POLICY_DIR/bad.yaml"

# What the hint says loads: the directory itself, and a literal rule in a
# case-sensitive directory.
policy cf-dir dirs "$D/ci" | pal_policy dir.yaml
policy cf-plain paths "$D/plain/Secret.txt" | pal_policy plain.yaml
pal_agent_start
in_cg() { pal_in_cgroup confined "$@"; }
n=0
for name in Secret.txt SECRET.TXT secret.txt sEcReT.tXt; do
	pal_check "dirs: $name is denied" in_cg paltest open "$D/ci/$name" EACCES
	n=$((n + 1))
done
pal_check "dirs: SUB/F is denied" in_cg paltest open "$D/ci/SUB/F" EACCES
pal_check "dirs: through the symlink" in_cg paltest open "$PAL_TMP/ci-link/SECRET.txt" EACCES
pal_check "plain: Secret.txt is denied" in_cg paltest open "$D/plain/Secret.txt" EACCES
pal_check "control: outside the cgroup SECRET.TXT opens" paltest open "$D/ci/SECRET.TXT" OK

# A reload onto a refused policy fails, names the place, and keeps the
# generation that holds.
policy cf-bad paths "$D/ci/Secret.txt" | pal_policy bad.yaml
rc=0
out=$("$PAL_AGENT" reload --socket "$PAL_SOCK" 2>&1) || rc=$?
pal_check "reload: refused with exit 1 ($rc)" [ "$rc" = 1 ]
pal_check "reload: names bad.yaml:7:13 ($out)" sh -c 'echo "$1" |
	grep -qF "bad.yaml:7:13: error: '\''$2'\'' is below the case-insensitive directory"' \
	- "$out" "$D/ci/Secret.txt"
pal_check "after the refused reload SECRET.TXT is still denied" \
	in_cg paltest open "$D/ci/SECRET.TXT" EACCES
rm "$PAL_POLICY_DIR/bad.yaml"
pal_agent_settle
pal_agent_stop

log "every spelling logged as a denial of rule 0 of cf-dir" -c $((n + 3)) event=file \
	action=deny policy=cf-dir rule=0 op=open 'access=["read"]' errno=13 exe=/bin/paltest \
	"path~$D/" "cgroup=/pal-test-$PAL_CASE/confined" '!unresolved' '!truncated'
log "the plain rule logged as its path" -c 1 event=file action=deny policy=cf-plain rule=0 \
	errno=13 "path=$D/plain/Secret.txt"
log "no policy named cf-bad ever went live" -n 0 event=policy 'policies~cf-bad'
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
