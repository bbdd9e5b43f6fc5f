# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 90
# A full disk under the audit log: enforcement continues (every open still
# fails with EACCES), the agent stays up and counts what it could not write,
# and once space returns it says so in the log and writes records again.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

mkdir -p /srv && echo secret >/srv/secret
mkdir "$PAL_TMP/logfs" "$PAL_CGROUP/w"
mount -t tmpfs -o size=64k tmpfs "$PAL_TMP/logfs" || pal_fail "cannot mount a tiny tmpfs"
pal_policy full.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: full-disk
target:
  cgroups: [/pal-test-$PAL_CASE/w]
files:
  - dirs: [/srv]
    access: [read]
    action: deny
YAML
PAL_LOG=$PAL_TMP/logfs/audit.log
pal_agent_start

# Fill the disk, leaving the agent no room.
dd if=/dev/zero of="$PAL_TMP/logfs/filler" bs=1k count=1024 2>/dev/null
pal_check "the log's file system is full" sh -c '! echo x >>"$1/logfs/probe"' - "$PAL_TMP"
# Distinct paths, so no folding: each denial wants its own record.
i=0
while [ $i -lt 50 ]; do
	echo "$i" >"/srv/f$i"
	i=$((i + 1))
done
denied=0
i=0
while [ $i -lt 50 ]; do
	pal_in_cgroup w paltest open "/srv/f$i" EACCES >/dev/null && denied=$((denied + 1))
	i=$((i + 1))
done
pal_check "every open was denied while the disk was full ($denied/50)" test "$denied" = 50
pal_agent_settle 2
pal_check "the agent is still running" kill -0 "$PAL_AGENT_PID"
pal_check "it reported the write failures on stderr" \
	grep -q "records could not be written to the log" "$PAL_AGENT_ERR"

rm "$PAL_TMP/logfs/filler"
pal_check "after space returns, a new denial is enforced" \
	pal_in_cgroup w paltest open /srv/secret EACCES
pal_agent_settle 2.5
pal_check "the log says how many records were lost to the full disk" \
	grep -q '"event":"agent","message":"[0-9]* records could not be written' "$PAL_LOG"
pal_check "and records are written again" grep -q '"path":"/srv/secret"' "$PAL_LOG"
pal_agent_stop
umount "$PAL_TMP/logfs"
pal_done
