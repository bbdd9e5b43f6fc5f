# SPDX-License-Identifier: GPL-2.0-only
# A request for an access that no policy of the live generation denies or
# audits is allowed at once, without a walk (pal_gen_config.restricted,
# bpf/file.bpf.c req_begin). What must still be decided:
#  - under a policy that only denies reads: the read, a new name for a
#    read-protected file (link, rename), a mount (denied by default with
#    file rules), an exec of a program with no path (a memfd: no rule could
#    name it, so it fails closed under any file policy), a read of a path
#    too deep to resolve; writes, creates, deletes and metadata changes
#    pass with no record, and so does a write of that deep path (no walk
#    runs, so none fails closed);
#  - a write through an fd opened while writes were unrestricted, after a
#    reload that denies them: the reload's generation restricts writes;
#  - under a policy of exec rules only: exec and mmap-exec; reads, writes
#    and (with `mounts: allow`) mounts pass.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

t=$PAL_TMP/ac
mkdir -p "$t/deny" "$t/ok" "$t/m"
echo data >"$t/deny/h"
cp /bin/paltest "$t/ok/prog"
mkdir "$PAL_CGROUP/confined"
# 65 components: more than the walk resolves (file_dirs), so a decision fails closed
deep=$t/ok
while [ "$(echo "$deep" | tr -cd / | wc -c)" -lt 64 ]; do deep=$deep/d; done
mkdir -p "$deep" && echo x >"$deep/f" && deep=$deep/f
reads() { # [ALSO-DENY-WRITES]
	cat <<YAML
apiVersion: palisade/v1
kind: Policy
name: classes
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - dirs: [$t/deny]
    access: [read]
    action: deny
YAML
	[ -z "$1" ] || cat <<YAML
  - dirs: [$t/deny]
    access: [write]
    action: deny
YAML
}
reads >"$PAL_POLICY_DIR/classes.yaml"
pal_agent_start
in_cg() { pal_in_cgroup confined "$@"; }
reload() { "$PAL_AGENT" reload --socket "$PAL_SOCK" >/dev/null; }

pal_check "reads only: the read is denied" in_cg paltest open "$t/deny/h" EACCES r
pal_check "reads only: open for writing" in_cg paltest open "$t/deny/h" OK w
pal_check "reads only: write" in_cg paltest write "$t/deny/h" x OK
pal_check "reads only: truncate" in_cg paltest truncate "$t/deny/h" OK
pal_check "reads only: chmod" in_cg paltest chmod "$t/deny/h" 600 OK
pal_check "reads only: chown" in_cg paltest chown "$t/deny/h" 0 0 OK
pal_check "reads only: create" in_cg paltest mknod "$t/deny/n" f OK
pal_check "reads only: mkdir" in_cg paltest mkdir "$t/deny/d" OK
pal_check "reads only: symlink" in_cg paltest symlink /etc "$t/deny/s" OK
pal_check "reads only: unlink" in_cg paltest unlink "$t/deny/n" OK
pal_check "reads only: rmdir" in_cg paltest rmdir "$t/deny/d" OK
pal_check "reads only: a hard link elsewhere to the protected file" \
	in_cg paltest link "$t/deny/h" "$t/ok/h2" EACCES
pal_check "reads only: a rename of it out of the dir" \
	in_cg paltest rename "$t/deny/h" "$t/ok/h3" EACCES
pal_check "reads only: a mount (new mount ns)" in_cg palmeta mount ns tmpfs - "$t/m" EACCES
pal_check "reads only: exec of a program" in_cg paltest exec "$t/ok/prog" OK
pal_check "reads only: a 65-component path, reading it fails closed" \
	in_cg paltest open "$deep" EACCES r
pal_check "reads only: writing it is no restricted access, so no walk fails" \
	in_cg paltest open "$deep" OK w
pal_check "reads only: exec of a memfd copy (no path: fails closed)" \
	in_cg paltest copy-exec memfd /bin/paltest EACCES

exec 7>>"$t/deny/h"
pal_check "an fd opened for writing, a write through it" in_cg paltest write-fd 7 x OK
reads write >"$PAL_POLICY_DIR/classes.yaml"
pal_must "reload: writes denied too" reload
pal_check "the next write through that fd" in_cg paltest write-fd 7 x EACCES
pal_check "a new write" in_cg paltest write "$t/deny/h" x EACCES
exec 7>&-

cat >"$PAL_POLICY_DIR/classes.yaml" <<YAML
apiVersion: palisade/v1
kind: Policy
name: classes
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
mounts: allow
exec:
  - paths: [$t/ok/prog]
    action: deny
YAML
pal_must "reload: exec rules only" reload
pal_check "exec only: exec is denied" in_cg paltest exec "$t/ok/prog" EACCES
pal_check "exec only: mmap-exec is denied" in_cg paltest mmap-exec "$t/ok/prog" EACCES
pal_check "exec only: read" in_cg paltest open "$t/deny/h" OK r
pal_check "exec only: write" in_cg paltest write "$t/deny/h" x OK
pal_check "exec only: a mount (new mount ns)" in_cg palmeta mount ns tmpfs - "$t/m" OK
pal_agent_settle
pal_agent_stop

c="action=deny policy=classes errno=13"
# shellcheck disable=SC2086 # $c is a list of filters
{
log "record: the read" -n 1 -c 1 event=file $c generation=1 rule=0 op=open \
	'access=["read"]' "path=$t/deny/h"
log "record: the link" -n 1 -c 1 event=file $c generation=1 rule=0 op=link "path=$t/deny/h" \
	"path2=$t/ok/h2"
log "record: the rename" -n 1 -c 1 event=file $c generation=1 rule=0 op=rename \
	"path=$t/deny/h" "path2=$t/ok/h3"
log "record: the mount" -n 1 -c 1 event=file $c generation=1 op=mount rule=null "path=$t/m"
log "record: the read of the 65-component path, unresolved" -n 1 -c 1 event=file $c \
	generation=1 op=open 'access=["read"]' rule=null unresolved=true
log "record: the memfd exec, unresolved" -n 1 -c 1 event=exec $c generation=1 op=exec \
	rule=null unresolved=true
log "record: the write through the fd after the reload" -n 1 -c 1 event=file $c generation!=1 \
	op=write 'access=["append"]' "path=$t/deny/h"
log "record: the new open for writing after the reload" -n 1 -c 1 event=file $c \
	generation!=1 op=open 'access=["write"]' "path=$t/deny/h"
log "record: the exec" -n 1 -c 1 event=exec $c generation!=1 rule=0 op=exec "path=$t/ok/prog"
log "record: the mmap-exec" -n 1 -c 1 event=exec $c generation!=1 rule=0 op=mmap \
	'access=["mmap-exec"]' "path=$t/ok/prog"
log "nothing else" -c 10 event~e event!=policy event!=agent
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
