# SPDX-License-Identifier: GPL-2.0-only
# Exec enforcement.
#  - an `exec:` rule on /srv/secret (a copy of paltest): execve, execve
#    through a symlink, execveat(AT_EMPTY_PATH) on an O_PATH fd, and a #!
#    script whose interpreter it is are all denied (bprm_check);
#  - what `ld.so /srv/secret` does (the image has no dynamic loader): map
#    the file PROT_EXEC (mmap_file), or map it read-only and mprotect it
#    to PROT_EXEC (file_mprotect): denied;
#  - a `files:` rule naming `exec` denies exec too; one naming only
#    `mmap-exec` denies mappings but not the exec itself (the kernel's own
#    mapping of the program it execs is not a second decision);
#  - exec is not read: a `deny read` on a binary does not stop its exec
#    (the exec open carries __FMODE_EXEC in f_flags and is left to
#    bprm_check), and the exec logs no "open" record.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

rm -rf /srv && mkdir -p /srv
for f in secret tool lib other noread; do cp /bin/paltest "/srv/$f"; done
ln -s /srv/secret /srv/link
printf '#!/srv/secret\n' >/srv/script.sh && chmod 755 /srv/script.sh
mkdir "$PAL_CGROUP/confined"
pal_policy exec.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: exec
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
exec:
  - paths: [/srv/secret]
    action: deny
files:
  - paths: [/srv/tool]
    access: [exec]
    action: deny
  - paths: [/srv/lib]
    access: [mmap-exec]
    action: deny
  - paths: [/srv/noread]
    access: [read]
    action: deny
YAML
pal_agent_start
in_cg() { pal_in_cgroup confined "$@"; }

pal_check "execve of the denied binary" in_cg paltest exec /srv/secret EACCES
pal_check "execve through a symlink" in_cg paltest exec /srv/link EACCES
pal_check "execveat(AT_EMPTY_PATH) of an O_PATH fd" in_cg paltest execveat /srv/secret EACCES
pal_check "a script with the denied binary as interpreter" in_cg paltest exec /srv/script.sh EACCES
pal_check "mmap PROT_EXEC (ld.so's way)" in_cg paltest mmap-exec /srv/secret EACCES
pal_check "mprotect to PROT_EXEC" in_cg paltest mprotect-exec /srv/secret EACCES
pal_check "reading it is not exec (allowed)" in_cg paltest open /srv/secret OK
pal_check "files rule naming exec: execve denied" in_cg paltest exec /srv/tool EACCES
pal_check "files rule naming mmap-exec: mmap denied" in_cg paltest mmap-exec /srv/lib EACCES
pal_check "files rule naming mmap-exec: execve allowed, and the program runs" \
	in_cg sh -c '/srv/lib true'
pal_check "files rule naming read: execve allowed, and the program runs" \
	in_cg sh -c '/srv/noread true'
pal_check "files rule naming read: read denied" in_cg paltest open /srv/noread EACCES
pal_check "control: an identical binary elsewhere runs" in_cg sh -c '/srv/other true'
pal_check "control: it maps PROT_EXEC" in_cg paltest mmap-exec /srv/other OK
pal_check "control: outside the cgroup the denied binary runs" sh -c '/srv/secret true'
pal_agent_stop

c="event=exec action=deny policy=exec errno=13 comm=paltest exe=/bin/paltest"
# shellcheck disable=SC2086 # $c is a list of filters
{
log "exec records: execve, symlink, execveat, #! interpreter" -c 4 $c rule=0 op=exec \
	'access=["exec"]' path=/srv/secret
log "mmap records: mmap and mprotect" -c 2 $c rule=0 op=mmap 'access=["mmap-exec"]' \
	path=/srv/secret
log "files exec rule record" -c 1 $c rule=1 op=exec 'access=["exec"]' path=/srv/tool
log "files mmap-exec rule record" -c 1 $c rule=2 op=mmap 'access=["mmap-exec"]' path=/srv/lib
log "files read rule record: the read only" -n 1 -c 1 event=file action=deny rule=3 op=open \
	path=/srv/noread exe=/bin/paltest
log "nothing else (no record of the allowed execs)" -n 0 event~e path!=/srv/secret \
	path!=/srv/tool path!=/srv/lib path!=/srv/noread event!=policy event!=agent
log "exactly 8 exec decisions" -c 8 event=exec
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
