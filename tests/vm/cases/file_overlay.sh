# SPDX-License-Identifier: GPL-2.0-only
# One hook, one decision: an open through overlayfs runs file_open for the
# overlay file and again for the backing file (FMODE_NOACCOUNT on 6.1); the
# user must see one decision and one record. `action: audit` makes this
# visible (a denial stops at the first decision): an audited read of an
# overlay file, and its mapping PROT_EXEC, give one record each. A denied
# read gives one denial with the overlay path.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

o=$PAL_TMP/ovl
mkdir -p "$o/lower" "$o/upper" "$o/work" "$o/merged"
echo "top secret" >"$o/lower/secret" && echo watched >"$o/lower/watched"
cp /bin/paltest "$o/lower/tool"
pal_must "mount overlayfs" mount -t overlay overlay \
	-o "lowerdir=$o/lower,upperdir=$o/upper,workdir=$o/work" "$o/merged"
m=$o/merged
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
YAML
pal_agent_start
in_cg() { pal_in_cgroup confined "$@"; }

pal_check "denied read through the overlay" in_cg paltest open "$m/secret" EACCES
pal_check "audited read through the overlay" in_cg paltest open "$m/watched" OK
pal_check "audited PROT_EXEC mapping through the overlay" in_cg paltest mmap-exec "$m/tool" OK
pal_check "the lower file is another path (not named)" in_cg paltest open "$o/lower/secret" OK
pal_agent_stop

log() { # DESC PALREC-ARGS...
	_d=$1
	shift
	pal_check "$_d" palrec "$PAL_LOG" -q "$@"
}
log "one denial, overlay path" -n 1 -c 1 event=file action=deny errno=13 policy=overlay rule=0 \
	op=open "path=$m/secret"
log "one audit record for the read" -n 1 -c 1 event=file action=audit errno=0 rule=1 op=open \
	'access=["read"]' "path=$m/watched"
log "one audit record for mmap-exec's open" -n 1 -c 1 event=file action=audit rule=1 op=open \
	"path=$m/tool"
log "one audit record for the mapping" -n 1 -c 1 event=exec action=audit rule=1 op=mmap \
	'access=["mmap-exec"]' "path=$m/tool"
log "nothing else" -n 4 event~e event!=policy event!=agent
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
umount "$m"
pal_done
