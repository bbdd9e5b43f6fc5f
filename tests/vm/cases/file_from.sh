# SPDX-License-Identifier: GPL-2.0-only
# `from:` rules match the executable of the task by
# identity (inode of mm->exe_file).
#  - allow-list (cgroup "only"): `default: deny` plus `allow read` of
#    /srv/secret `from: [/bin/paltest]`: paltest reads it (also when started
#    through a symlink), a byte-identical copy of paltest at another path
#    cannot, nor can busybox cat;
#  - deny list (cgroup "deny"): `deny read from: [/bin/busybox]` on a file
#    and on a directory: busybox is denied, paltest is not;
#  - patterns (cgroup "pat"): `from: ['/srv/tools/run-*',
#    '/srv/tools/**/deep-*']` denies the executables they match when the
#    policy loads, and a hard link of one under another name (same file);
#    not a name they do not match, nor paltest. A matching executable made
#    later is covered from the next reload on.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

rm -rf /srv && mkdir -p /srv/d /srv/bin
echo "top secret" >/srv/secret && echo x >/srv/d/f
cp /bin/paltest "$PAL_TMP/paltest-copy"
ln -s /bin/paltest /srv/bin/pt
mkdir -p /srv/tools/x/y
for f in run-a x/y/deep-1 other; do cp /bin/paltest "/srv/tools/$f"; done
ln /srv/tools/run-a /srv/bin/renamed
mkdir "$PAL_CGROUP/only" "$PAL_CGROUP/deny" "$PAL_CGROUP/pat"
pal_policy only.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: from-only
target:
  cgroups: [/pal-test-$PAL_CASE/only]
default: deny
files:
  - paths: [/srv/secret]
    access: [read]
    action: allow
    from: [/bin/paltest]
  - dirs: [/bin, $PAL_TMP]
    access: [read, exec]
    action: allow
YAML
pal_policy deny.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: from-deny
target:
  cgroups: [/pal-test-$PAL_CASE/deny]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
    from: [/bin/busybox]
  - dirs: [/srv/d]
    access: [read]
    action: deny
    from: [/bin/busybox]
YAML
pal_policy pat.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: from-pat
target:
  cgroups: [/pal-test-$PAL_CASE/pat]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
    from: ['/srv/tools/run-*', '/srv/tools/**/deep-*']
YAML
pal_agent_start
in_only() { pal_in_cgroup only "$@"; }
in_deny() { pal_in_cgroup deny "$@"; }
in_pat() { pal_in_cgroup pat "$@"; }

pal_check "allow-list: the listed binary reads the file" in_only paltest open /srv/secret OK
pal_check "allow-list: the listed binary through a symlink" in_only /srv/bin/pt open /srv/secret OK
pal_check "allow-list: a copy at another path is denied" \
	in_only "$PAL_TMP/paltest-copy" open /srv/secret EACCES
pal_check "allow-list: busybox cat is denied" in_only sh -c '! cat /srv/secret'
pal_check "allow-list: the listed binary cannot read other files" \
	in_only paltest open /srv/d/f EACCES
pal_check "deny list: busybox cat is denied the file" in_deny sh -c '! cat /srv/secret'
pal_check "deny list: busybox cat is denied the directory" in_deny sh -c '! cat /srv/d/f'
pal_check "deny list: paltest reads the file" in_deny paltest open /srv/secret OK
pal_check "deny list: paltest reads the directory" in_deny paltest open /srv/d/f OK
pal_check "pattern: run-a is denied" in_pat /srv/tools/run-a open /srv/secret EACCES
pal_check "pattern: '**' reaches x/y/deep-1, denied" in_pat /srv/tools/x/y/deep-1 open /srv/secret EACCES
pal_check "pattern: a hard link of run-a under another name is denied" \
	in_pat /srv/bin/renamed open /srv/secret EACCES
pal_check "pattern: a name it does not match reads the file" in_pat /srv/tools/other open /srv/secret OK
pal_check "pattern: paltest reads the file" in_pat paltest open /srv/secret OK
cp /bin/paltest /srv/tools/run-late
pal_check "pattern: run-late, made after the load, is not yet covered" \
	in_pat /srv/tools/run-late open /srv/secret OK
out=$("$PAL_AGENT" reload --socket "$PAL_SOCK" 2>&1)
pal_check "reload ($out)" test $? = 0
pal_check "pattern: after the reload, run-late is denied" \
	in_pat /srv/tools/run-late open /srv/secret EACCES
pal_check "pattern: after the reload, run-a still is" in_pat /srv/tools/run-a open /srv/secret EACCES
pal_agent_stop

log "the copy: denied by the default" -c 1 event=file action=deny policy=from-only rule=null \
	op=open errno=13 path=/srv/secret "exe=$PAL_TMP/paltest-copy" 'access=["read"]'
log "busybox: denied by the default" -c 1 event=file action=deny policy=from-only rule=null \
	path=/srv/secret exe=/bin/busybox
log "paltest, other file: the default" -c 1 event=file policy=from-only rule=null path=/srv/d/f \
	exe=/bin/paltest
log "deny list: the file rule, from busybox" -c 1 event=file action=deny policy=from-deny rule=0 \
	op=open errno=13 path=/srv/secret exe=/bin/busybox
log "deny list: the dir rule, from busybox" -c 1 event=file action=deny policy=from-deny rule=1 \
	path=/srv/d/f exe=/bin/busybox
for exe in /srv/tools/run-a /srv/tools/x/y/deep-1 /srv/bin/renamed /srv/tools/run-late; do
	n=$([ "$exe" = /srv/tools/run-a ] && echo 2 || echo 1)
	log "pattern: denied from $exe ($n)" -c "$n" event=file action=deny policy=from-pat rule=0 \
		op=open errno=13 path=/srv/secret "exe=$exe" 'access=["read"]'
done
log "nothing else" -c 10 event~e event!=policy event!=agent
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
