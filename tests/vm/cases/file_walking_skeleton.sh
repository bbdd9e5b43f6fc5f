# SPDX-License-Identifier: GPL-2.0-only
# Walking skeleton, end to end on a BPF LSM kernel: a one-rule policy targets
# a cgroup; `palisade run` loads it; a read of the protected file from that
# cgroup fails with EACCES and produces exactly one JSON audit line, while the
# same read from outside the cgroup succeeds and logs nothing.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

mkdir -p /srv && echo "top secret" >/srv/secret
mkdir "$PAL_CGROUP/confined"
pal_policy walking.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: walking-skeleton
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
YAML
pal_agent_start

pal_check "open from the target cgroup fails with EACCES" \
	pal_in_cgroup confined paltest open /srv/secret EACCES
pal_check "cat from the target cgroup fails" \
	pal_in_cgroup confined sh -c '! cat /srv/secret >/dev/null 2>&1'
pal_check "open outside the target cgroup succeeds" paltest open /srv/secret OK
pal_agent_settle

n=$(grep -c '"event":"file"' "$PAL_LOG")
pal_check "two denial records (paltest and cat), got $n" test "$n" = 2
rec=$(grep '"event":"file"' "$PAL_LOG" | grep '"comm":"paltest"')
for field in '"action":"deny"' '"policy":"walking-skeleton"' '"op":"open"' \
	'"access":\["read"\]' '"errno":13' '"path":"/srv/secret"' '"rule":0' \
	"\"cgroup\":\"/pal-test-$PAL_CASE/confined\"" '"exe":"/bin/paltest"' '"v":1'; do
	pal_check "record has $field" sh -c 'echo "$1" | grep -q "$2"' - "$rec" "$field"
done
# busybox may run cat inside the shell (comm "sh"): match on the executable.
pal_check "the cat record names busybox as the executable" \
	sh -c 'grep -v "\"comm\":\"paltest\"" "$1" | grep "\"path\":\"/srv/secret\"" |
		grep -q "\"exe\":\"/bin/busybox\""' - "$PAL_LOG"

pal_agent_stop
pal_check "clean stop removed the pins" test ! -e /sys/fs/bpf/palisade
pal_check "after stop the file is readable from the cgroup again" \
	pal_in_cgroup confined paltest open /srv/secret OK
pal_done
