# SPDX-License-Identifier: GPL-2.0-only
# One hook, one decision: an open through overlayfs runs file_open for the
# overlay file and again for the backing file (FMODE_NOACCOUNT on 6.1); the
# user must see one decision and one record. `action: audit` makes this
# visible (a denial stops at the first decision): an audited read of an
# overlay file, and its mapping PROT_EXEC, give one record each. A denied
# read gives one denial with the overlay path.
#
# The real file is decided too: rules on a layer's files and directories
# (by their identity) hold through an overlay that stacks the layer, from
# a lower or the upper layer, with one record naming the overlay path. A
# write open that would copy a denied lower file up (so that the copy
# could be read from the upper layer) fails.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

o=$PAL_TMP/ovl
mkdir -p "$o/lower" "$o/upper" "$o/work" "$o/merged"
echo "top secret" >"$o/lower/secret" && echo watched >"$o/lower/watched"
cp /bin/paltest "$o/lower/tool"
pal_must "mount overlayfs" mount -t overlay overlay \
	-o "lowerdir=$o/lower,upperdir=$o/upper,workdir=$o/work" "$o/merged"
m=$o/merged
d=$o/denied a=$o/allowed u=$o/up2 m2=$o/m2
mkdir -p "$d" "$a" "$u" "$o/work2" "$m2"
for f in "$d/inlower" "$a/plain" "$a/seen" "$a/both" "$u/inupper"; do echo data >"$f"; done
pal_must "mount an overlay of a denied and an allowed layer" mount -t overlay overlay \
	-o "lowerdir=$d:$a,upperdir=$u,workdir=$o/work2" "$m2"
mkdir "$PAL_CGROUP/confined"
pal_policy overlay.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: overlay
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - paths: [$m/secret]
    access: [read]
    action: deny
  - paths: [$m/watched, $m/tool]
    access: [read, mmap-exec]
    action: audit
  - dirs: [$d]
    access: [read]
    action: deny
  - paths: [$u/inupper]
    access: [read]
    action: deny
  - paths: [$a/seen, $a/both, $m2/both]
    access: [read]
    action: audit
YAML
pal_agent_start
in_cg() { pal_in_cgroup confined "$@"; }

pal_check "denied read through the overlay" in_cg paltest open "$m/secret" EACCES
pal_check "audited read through the overlay" in_cg paltest open "$m/watched" OK
pal_check "audited PROT_EXEC mapping through the overlay" in_cg paltest mmap-exec "$m/tool" OK
pal_check "the lower file is another path (not named)" in_cg paltest open "$o/lower/secret" OK
pal_check "a file of a denied lower layer, through the overlay" \
	in_cg paltest open "$m2/inlower" EACCES
pal_check "a denied file of the upper layer, through the overlay" \
	in_cg paltest open "$m2/inupper" EACCES
pal_check "an allowed lower file, through the overlay" in_cg paltest open "$m2/plain" OK
pal_check "an audited lower file, through the overlay" in_cg paltest open "$m2/seen" OK
pal_check "audited by its overlay path and its layer's" in_cg paltest open "$m2/both" OK
pal_check "a write open that would copy the denied file up" \
	in_cg paltest open "$m2/inlower" EACCES w
pal_check "no copy reached the upper layer" test ! -e "$u/inlower"
pal_check "the denied lower file stays denied" in_cg paltest open "$m2/inlower" EACCES
pal_check "a write open copies an allowed file up" in_cg paltest open "$m2/plain" OK w
pal_check "the copy is in the upper layer" test -e "$u/plain"
pal_agent_stop

log "one denial, overlay path" -n 1 -c 1 event=file action=deny errno=13 policy=overlay rule=0 \
	op=open "path=$m/secret"
log "one audit record for the read" -n 1 -c 1 event=file action=audit errno=0 rule=1 op=open \
	'access=["read"]' "path=$m/watched"
log "one audit record for mmap-exec's open" -n 1 -c 1 event=file action=audit rule=1 op=open \
	"path=$m/tool"
log "one audit record for the mapping" -n 1 -c 1 event=exec action=audit rule=1 op=mmap \
	'access=["mmap-exec"]' "path=$m/tool"
log "a denied layer's file: one denial, overlay path" -n 2 -c 2 event=file action=deny errno=13 \
	rule=2 op=open 'access=["read"]' "path=$m2/inlower"
log "a denied upper file: one denial, overlay path" -n 1 -c 1 event=file action=deny errno=13 \
	rule=3 op=open "path=$m2/inupper"
log "an audited layer file: one record, overlay path" -n 1 -c 1 event=file action=audit \
	errno=0 rule=4 op=open "path=$m2/seen"
log "audited twice over: one record" -n 1 -c 1 event=file action=audit errno=0 rule=4 op=open \
	"path=$m2/both"
log "the copy-up read: one denial, the file below its layer" -n 1 -c 1 event=file \
	action=deny errno=13 rule=2 op=open 'access=["read"]' path=/inlower unresolved=true
log "nothing else" -n 10 event~e event!=policy event!=agent
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
umount "$m" "$m2"
pal_done
