# SPDX-License-Identifier: GPL-2.0-only
# Audit, not enforce.
#  - `mode: audit`: a read the policy denies succeeds, and exactly one
#    record is written: action audit, errno 0, mode audit;
#  - `action: audit` in an enforcing policy: the same, with mode enforce;
#  - an O_TRUNC open under `mode: audit` is seen twice, as docs/policy.md
#    says: at the open (write + truncate) and at the truncate hook;
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

mkdir -p /srv && echo "top secret" >/srv/secret && echo b >/srv/watched && echo t >/srv/trunc
mkdir "$PAL_CGROUP/trial" "$PAL_CGROUP/watch"
pal_policy audit.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: trial
mode: audit
target:
  cgroups: [/pal-test-$PAL_CASE/trial]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
  - paths: [/srv/trunc]
    access: [write, truncate]
    action: deny
---
apiVersion: palisade/v1
kind: Policy
name: watch
target:
  cgroups: [/pal-test-$PAL_CASE/watch]
files:
  - paths: [/srv/watched]
    access: [read]
    action: audit
YAML
pal_agent_start

pal_check "mode audit: the denied read succeeds" pal_in_cgroup trial paltest open /srv/secret OK
pal_check "mode audit: cat prints the file" \
	pal_in_cgroup trial sh -c 'cat /srv/secret | grep -qx "top secret"'
pal_check "mode audit: O_TRUNC open succeeds" pal_in_cgroup trial paltest open /srv/trunc OK t
pal_check "mode audit: and truncated the file" test ! -s /srv/trunc
pal_check "action audit: the read succeeds" pal_in_cgroup watch paltest open /srv/watched OK
pal_check "action audit: unaudited access is silent" pal_in_cgroup watch paltest open /srv/watched OK w
pal_agent_stop

log "mode audit: exactly one paltest record" -n 1 -c 1 event=file path=/srv/secret comm=paltest \
	action=audit errno=0 mode=audit policy=trial rule=0 op=open 'access=["read"]'
log "mode audit: exactly one cat record" -n 1 -c 1 event=file path=/srv/secret exe=/bin/busybox \
	action=audit errno=0 mode=audit policy=trial rule=0
log "mode audit: O_TRUNC, the open record" -n 1 -c 1 event=file path=/srv/trunc action=audit \
	errno=0 mode=audit policy=trial rule=1 op=open 'access=["write","truncate"]'
log "mode audit: O_TRUNC, the truncate hook's record" -n 1 -c 1 event=file path=/srv/trunc \
	action=audit errno=0 mode=audit policy=trial rule=1 op=truncate 'access=["truncate"]'
log "action audit: exactly one record" -n 1 -c 1 event=file path=/srv/watched action=audit \
	errno=0 mode=enforce policy=watch rule=0 'access=["read"]'
log "no denial at all" -n 0 action=deny
log "nothing else" -c 5 event=file
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
