# SPDX-License-Identifier: GPL-2.0-only
# Other names for a protected file.
#  3. a hard link made before the policy loaded is denied (inode identity
#     key); from inside the cgroup a new hard link and a rename over the
#     protected name (or of it, or an exchange) are denied;
#  4. a bind mount of its directory made outside the cgroup is denied; so
#     are files below a denied directory reached through a bind mount of the
#     directory or of its parent (identity of the directory, an ancestor);
#  5. a file moved over /srv/secret after the load is protected (path key),
#     and so is a file created after the load under a denied directory;
#  and a directory above a protected path cannot be renamed (that would move
#  the path out from under its rule: a file created after the load has no
#  identity key to follow it).
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

rm -rf /srv && mkdir -p /srv/links /srv/dir /srv/deep/er /srv/plain
echo "top secret" >/srv/secret
ln /srv/secret /srv/links/hard
echo decoy >/srv/links/decoy
echo old >/srv/dir/old
mkdir "$PAL_CGROUP/confined" "$PAL_TMP/bind" "$PAL_TMP/bdir"
pal_policy links.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: links
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
  - dirs: [/srv/dir]
    access: [read]
    action: deny
  - paths: [/srv/deep/er/secret]
    access: [read]
    action: deny
YAML
pal_agent_start
in_cg() { pal_in_cgroup confined "$@"; }

# 3. hard links
pal_check "pre-existing hard link: read denied" in_cg paltest open /srv/links/hard EACCES
pal_check "new hard link of the file: denied" in_cg paltest link /srv/secret /srv/links/new EACCES
pal_check "new hard link of the old link: denied" \
	in_cg paltest link /srv/links/hard /srv/links/new2 EACCES
pal_check "rename over the protected name: denied" \
	in_cg paltest rename /srv/links/decoy /srv/secret EACCES
pal_check "rename of the protected file: denied" \
	in_cg paltest rename /srv/secret /srv/links/moved EACCES
pal_check "exchange with the protected file: denied" \
	in_cg paltest rename /srv/links/decoy /srv/secret EACCES exchange
pal_check "no new name exists" sh -c '! ls /srv/links/new /srv/links/new2 /srv/links/moved 2>/dev/null'
pal_check "the decoy is untouched" grep -qx decoy /srv/links/decoy
pal_check "a plain file can still be renamed (control)" \
	in_cg paltest rename /srv/links/decoy /srv/links/decoy2 OK

# 4. a bind mount of the directory, made outside the cgroup
pal_must "bind mount /srv on $PAL_TMP/bind" mount --bind /srv "$PAL_TMP/bind"
pal_check "the file through the bind mount: denied" in_cg paltest open "$PAL_TMP/bind/secret" EACCES
pal_check "the old hard link through the bind mount: denied" \
	in_cg paltest open "$PAL_TMP/bind/links/hard" EACCES
pal_must "bind mount /srv/dir on $PAL_TMP/bdir" mount --bind /srv/dir "$PAL_TMP/bdir"
pal_check "a file of the denied dir through a bind mount of the dir: denied" \
	in_cg paltest open "$PAL_TMP/bdir/old" EACCES
pal_check "... through a bind mount of its parent: denied" \
	in_cg paltest open "$PAL_TMP/bind/dir/old" EACCES

# 5. replaced and new files
echo new >"$PAL_TMP/new" && cp "$PAL_TMP/new" /srv/links/new-secret
pal_must "mv -f over /srv/secret (outside the cgroup)" mv -f /srv/links/new-secret /srv/secret
pal_check "the replacement is protected" in_cg paltest open /srv/secret EACCES
pal_check "the replaced inode stays protected under its other name" \
	in_cg paltest open /srv/links/hard EACCES
echo fresh >/srv/dir/fresh
mkdir -p /srv/dir/sub && echo deeper >/srv/dir/sub/fresh
pal_check "a file created after the load in the denied dir" in_cg paltest open /srv/dir/fresh EACCES
pal_check "... and in a new subdirectory" in_cg paltest open /srv/dir/sub/fresh EACCES
pal_check "the control file outside the rules opens" in_cg paltest open /srv/links/decoy2 OK

# Renaming an ancestor of a protected path
echo "late secret" >/srv/deep/er/secret
pal_check "a file created after the load is protected" in_cg paltest open /srv/deep/er/secret EACCES
pal_check "its parent cannot be renamed" in_cg paltest rename /srv/deep/er /srv/deep/moved EACCES
pal_check "nor its grandparent" in_cg paltest rename /srv/deep /srv/moved EACCES
pal_check "nor /srv" in_cg paltest rename /srv /srv-moved EACCES
pal_check "nor replaced by an exchange" in_cg paltest rename /srv/plain /srv/deep EACCES exchange
pal_check "a directory without protected paths can be renamed (control)" \
	in_cg paltest rename /srv/plain /srv/plain2 OK
pal_check "the protected file is still where its rule is" in_cg paltest open /srv/deep/er/secret EACCES
pal_agent_stop

common="event=file action=deny policy=links generation=1 errno=13 exe=/bin/paltest"
# shellcheck disable=SC2086 # $common is a list of filters
{
log "hard link read: rule 0, path of the link" -c 2 $common rule=0 op=open path=/srv/links/hard \
	'access=["read"]'
log "link: both names, access link" -c 1 $common rule=0 op=link path=/srv/secret \
	path2=/srv/links/new 'access=["link"]'
log "link of the old link: identity key" -c 1 $common rule=0 op=link path=/srv/links/hard \
	path2=/srv/links/new2
log "rename over: source and target" -c 2 $common rule=0 op=rename path=/srv/links/decoy \
	path2=/srv/secret 'access=["rename"]'
log "rename of: source and target" -c 1 $common rule=0 op=rename path=/srv/secret \
	path2=/srv/links/moved
log "bind mount: the path as the task sees it" -c 1 $common rule=0 op=open \
	"path=$PAL_TMP/bind/secret"
log "bind mount of the hard link" -c 1 $common rule=0 op=open "path=$PAL_TMP/bind/links/hard"
log "denied dir through bind mounts: rule 1" -c 2 $common rule=1 op=open path~/old
log "replacement: path key" -c 1 $common rule=0 op=open path=/srv/secret
log "new files in the denied dir: rule 1" -c 2 $common rule=1 op=open path~/srv/dir/
log "late file: rule 2" -c 2 $common rule=2 op=open path=/srv/deep/er/secret
log "rename of the parent: the guard of rule 2" -c 1 $common rule=2 op=rename \
	'access=["rename"]' path=/srv/deep/er path2=/srv/deep/moved
log "rename of the grandparent" -c 1 $common rule=2 op=rename path=/srv/deep path2=/srv/moved
log "rename of /srv: the guard of rule 0 (the first rule below it)" -c 1 $common rule=0 \
	op=rename path=/srv path2=/srv-moved
log "exchange: the guard on the target" -c 1 $common rule=2 op=rename path=/srv/plain \
	path2=/srv/deep
log "nothing else was logged" -n 0 event=file path!=/srv/links/hard path!=/srv/secret \
	path!=/srv/links/decoy "path!=$PAL_TMP/bind/secret" "path!=$PAL_TMP/bind/links/hard" \
	path!=/srv/dir/fresh path!=/srv/dir/sub/fresh "path!=$PAL_TMP/bdir/old" \
	"path!=$PAL_TMP/bind/dir/old" path!=/srv/deep/er/secret path!=/srv/deep/er \
	path!=/srv/deep path!=/srv path!=/srv/plain
}
umount "$PAL_TMP/bind" "$PAL_TMP/bdir"
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
