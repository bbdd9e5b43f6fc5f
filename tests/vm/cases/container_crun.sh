# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 240
. "$PAL_LIB"
. /lib/palisade-test/agent.sh
. /lib/palisade-test/container.sh

pal_ctr_world || pal_fail "host world for crun"
pod=$(pal_ctr_pod 0c1d) || pal_fail "pod cgroup"
pal_must "bundle" pal_ctr_bundle c1 0c1d /bin/sh -c 'cat /proc/self/cgroup; ctrtest open /srv/secret OK'
pal_check "container runs without policy" pal_ctr_run c1
pal_policy ctr.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: ctr-secret
target:
  cgroups: [$pod]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
YAML
pal_agent_start
pal_must "bundle" pal_ctr_bundle c2 0c1d /bin/sh -c 'cat /proc/self/cgroup; ctrtest open /srv/secret EACCES'
pal_check "container runs with policy" pal_ctr_run c2
pal_agent_settle
pal_agent_stop
cat $PAL_LOG
pal_done
