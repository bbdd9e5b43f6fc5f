# SPDX-License-Identifier: GPL-2.0-only
# Directory rules.
#  - a file 30 levels below a denied dir;
#  - a path over 1024 bytes below a denied dir: denied, and the event path is
#    cut and flagged "truncated";
#  - exactly PAL_MAX_DEPTH (64) components: resolved, decided by its rule;
#    one more: the walk bound is hit, the open fails closed and the event
#    says "unresolved";
#  - an allow-only policy with `default: deny`: allowed files open,
#    everything else is denied by the default (rule null); a bind mount of
#    the allowed directory does not carry the allow along (the identity of
#    an ancestor directory only ever restricts).
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

rm -rf /srv && mkdir -p /srv/allowed /srv/other
echo ok >/srv/allowed/file
echo no >/srv/other/file
# 30 levels below /srv/deep
p=/srv/deep
for i in $(seq 1 30); do p=$p/l$i; done
mkdir -p "$p" && echo x >"$p/f" && deep30=$p/f
# over 1024 bytes: 5 components of 250 bytes below /srv/long
c=$(printf '%0250d' 0 | tr 0 c)
p=/srv/long/$c/$c/$c/$c/$c
mkdir -p "$p" && echo x >"$p/f" && long=$p/f
# 64 components in all (/srv/b64 is 2), and 65
p=/srv/b64
for i in $(seq 3 63); do p=$p/d; done
mkdir -p "$p/d" && echo x >"$p/f" && echo x >"$p/d/f" && at64=$p/f && at65=$p/d/f
# all / and . in a path are one byte or more: count components with tr
n64=$(echo "$at64" | tr -cd / | wc -c)
n65=$(echo "$at65" | tr -cd / | wc -c)
pal_check "test paths have 64 and 65 components ($n64, $n65)" test "$n64.$n65" = 64.65

mkdir "$PAL_CGROUP/confined" "$PAL_CGROUP/allowlist" "$PAL_TMP/ab"
mount --bind /srv/allowed "$PAL_TMP/ab"
pal_policy dirs.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: dirs
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - dirs: [/srv/deep]
    access: [read]
    action: deny
  - dirs: [/srv/long]
    access: [read]
    action: deny
  - dirs: [/srv/b64]
    access: [read]
    action: deny
YAML
pal_policy allowlist.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: allowlist
target:
  cgroups: [/pal-test-$PAL_CASE/allowlist]
default: deny
files:
  - dirs: [/srv/allowed]
    access: [read]
    action: allow
  - dirs: [/bin]
    access: [read, exec]
    action: allow
YAML
pal_agent_start
in_cg() { pal_in_cgroup confined "$@"; }
in_al() { pal_in_cgroup allowlist "$@"; }

pal_check "30 levels below: denied" in_cg paltest open "$deep30" EACCES
pal_check "path of ${#long} bytes: denied" in_cg paltest open "$long" EACCES
pal_check "64 components: denied by its rule" in_cg paltest open "$at64" EACCES
pal_check "65 components: fails closed" in_cg paltest open "$at65" EACCES
pal_check "control: 65 components outside the cgroup open" paltest open "$at65" OK

pal_check "allow-list: an allowed file opens" in_al paltest open /srv/allowed/file OK
pal_check "allow-list: another file is denied" in_al paltest open /srv/other/file EACCES
pal_check "allow-list: writing the allowed file is denied" in_al paltest open /srv/allowed/file EACCES w
pal_check "allow-list: a directory rule covers the directory" in_al paltest open /srv/allowed OK d
pal_check "allow-list: its parent is denied" in_al paltest open /srv EACCES d
pal_check "allow-list: the allowed file through a bind mount of its dir is denied" \
	in_al paltest open "$PAL_TMP/ab/file" EACCES
pal_agent_stop

common="event=file action=deny errno=13 exe=/bin/paltest op=open"
cut=$(echo "$long" | cut -c1-1023)
# shellcheck disable=SC2086 # $common is a list of filters
{
log "30 levels: full path, rule 0" -c 1 $common policy=dirs rule=0 "path=$deep30" '!truncated'
log "long path: rule 1, cut to 1023 bytes and flagged" -c 1 $common policy=dirs rule=1 \
	"path=$cut" truncated=true '!unresolved'
log "64 components: rule 2, resolved" -c 1 $common policy=dirs rule=2 "path=$at64" \
	'!unresolved' '!truncated'
log "65 components: unresolved, no rule" -c 1 $common policy=dirs rule=null unresolved=true
log "allow-list: the default denied the read" -c 1 $common policy=allowlist rule=null \
	rule_src=default path=/srv/other/file 'access=["read"]'
log "allow-list: the default denied the write" -c 1 $common policy=allowlist rule=null \
	path=/srv/allowed/file 'access=["write"]'
log "allow-list: the default denied the parent" -c 1 $common policy=allowlist rule=null path=/srv
log "allow-list: the default denied the bind-mounted file" -c 1 $common policy=allowlist \
	rule=null "path=$PAL_TMP/ab/file"
log "nothing else" -n 8 event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
umount "$PAL_TMP/ab"
pal_done
