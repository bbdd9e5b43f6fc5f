# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 120
# The daemon's lifecycle on the BPF LSM kernel: status over the control
# socket, a bad reload keeps the old generation, an editor-style rename is
# picked up by inotify, SIGKILL leaves enforcement in place, a restarted agent
# adopts the pins (no duplicate attachments) and SIGTERM detaches, an
# insecure policy directory is refused, and --linux-audit reaches the real
# audit netlink socket. Every step asserts the errno and the audit record.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

SOCK=$PAL_SOCK
mkdir -p /srv && echo secret >/srv/secret && echo other >/srv/other
mkdir "$PAL_CGROUP/w"
policy_for() { # FILE
	pal_policy lifecycle.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: lifecycle
target:
  cgroups: [/pal-test-$PAL_CASE/w]
files:
  - paths: [$1]
    access: [read]
    action: deny
YAML
}
policy_for /srv/secret
pal_agent_start --linux-audit --no-signal-guard

# status reports the policy, the hooks and the counters.
pal_check "open of /srv/secret denied" pal_in_cgroup w paltest open /srv/secret EACCES
pal_agent_settle
st=$("$PAL_AGENT" status --json --socket "$SOCK")
echo "status: $st"
# 30 file programs on every kernel of the matrix (one inode_setattr form;
# file_ioctl or inode_file_setattr), plus file_truncate and the two ACL
# hooks where the kernel has them (6.2 on; kallsyms tells).
nprogs=30
if grep -qw bpf_lsm_file_truncate /proc/kallsyms; then
	nprogs=$((nprogs + 1))
else
	pal_check "the agent says ftruncate goes to path_truncate on this kernel" \
		grep -q "no file_truncate hook (before 6.2)" "$PAL_AGENT_ERR"
fi
grep -qw bpf_lsm_inode_set_acl /proc/kallsyms && nprogs=$((nprogs + 2))
for f in '"ok":true' '"generation":1' '"name":"lifecycle"' '"denied":1' "\"lsm_programs\":$nprogs," \
	'"events_lost":0' '"ringbuf_size_bytes":8388608' '"rss_kib":[1-9]'; do
	pal_check "status has $f" sh -c 'echo "$1" | grep -q "$2"' - "$st" "$f"
done
pal_check "the agent runs with reduced capabilities (CapBnd)" \
	sh -c '! grep -q "CapBnd:.*ffffffffff" /proc/$1/status' - "$PAL_AGENT_PID"
pal_check "the agent set no_new_privs" grep -q "NoNewPrivs:.*1" "/proc/$PAL_AGENT_PID/status"

# Linux audit: with no auditd the kernel logs USER_AVC records to kmsg.
avc=$(dmesg | grep "type=1107" | grep -F "palisade: denied { read }")
echo "audit: $avc"
pal_check "USER_AVC record in the kernel audit log" \
	sh -c 'echo "$1" | grep -qF "path=\"/srv/secret\" policy=lifecycle rule=0"' - "$avc" 

# A bad reload keeps generation 1 and says so.
echo "apiVersion: palisade/v1
kind: Policy
name: broken
files:
  - paths: [/srv/x]
    acess: [read]
    action: deny" >"$PAL_POLICY_DIR/broken.yaml"
rc=0
out=$("$PAL_AGENT" reload --socket "$SOCK" 2>&1) || rc=$?
pal_check "reload of a broken policy fails with exit 1 ($rc: $out)" [ "$rc" = 1 ]
pal_check "reload itself names FILE:LINE:COL" sh -c 'echo "$1" | grep -q "reload failed: .*broken.yaml:6:5: error: unknown key"' - "$out"
pal_check "the error names FILE:LINE:COL" grep -q "broken.yaml:6:5: error: unknown key 'acess'" "$PAL_AGENT_ERR"
pal_check "still generation 1, still denied" pal_in_cgroup w paltest open /srv/secret EACCES
rm "$PAL_POLICY_DIR/broken.yaml"

# Editor-style save: write a temp file and rename it over the policy.
policy_for /srv/other
mv "$PAL_POLICY_DIR/lifecycle.yaml" "$PAL_POLICY_DIR/.lifecycle.yaml.swp"
policy_for /srv/secret
mv "$PAL_POLICY_DIR/.lifecycle.yaml.swp" "$PAL_POLICY_DIR/lifecycle.yaml"
i=0
until grep -q '"event":"policy","generation":[2-9]' "$PAL_LOG"; do
	i=$((i + 1))
	[ $i -lt 100 ] || break
	sleep 0.1
done
pal_check "inotify picked up the rename (generation >= 2)" \
	grep -q '"event":"policy","generation":[2-9]' "$PAL_LOG"
pal_check "now /srv/other is denied" pal_in_cgroup w paltest open /srv/other EACCES
pal_check "and /srv/secret is allowed" pal_in_cgroup w paltest open /srv/secret OK
pal_agent_settle
pal_check "the /srv/other denial carries the new generation" \
	sh -c 'grep "\"path\":\"/srv/other\"" "$1" | grep -q "\"generation\":[2-9]"' - "$PAL_LOG"

# SIGKILL: the pins keep enforcing with nobody reading the ring buffer.
# Palisade's links by id (the pin dir cannot be searched while an agent runs).
links_now() { palbpf links palisade EPERM | sed -n 's/^palbpf: \([0-9]*\) links matched.*/\1/p'; }
links_before=$(links_now)
kill -KILL "$PAL_AGENT_PID"
wait "$PAL_AGENT_PID" 2>/dev/null
pal_check "after SIGKILL /srv/other is still denied" pal_in_cgroup w paltest open /srv/other EACCES
pal_check "pins remain after SIGKILL ($links_before links)" test "$links_before" -gt 0

# Restart: adopt the pins, flip to the new generation, no duplicate links.
pal_agent_start --no-signal-guard
pal_check "restarted agent adopted the pins" grep -q "adopted" "$PAL_AGENT_ERR"
links_after=$(links_now)
pal_check "same number of links ($links_after)" test "$links_after" = "$links_before"
pal_check "still enforcing after the restart" pal_in_cgroup w paltest open /srv/other EACCES
pal_agent_settle
pal_check "the restarted agent logged that denial" \
	sh -c 'grep "\"path\":\"/srv/other\"" "$1" | grep -q "\"policy\":\"lifecycle\""' - "$PAL_LOG"
pal_agent_stop
pal_check "SIGTERM detached: /srv/other readable again" pal_in_cgroup w paltest open /srv/other OK
pal_check "SIGTERM removed the pins" test ! -e /sys/fs/bpf/palisade

# Another program's pin dir is refused and left as it was: the agent takes
# the search bit from its own.
mkdir -p /sys/fs/bpf/other/theirs
"$PAL_AGENT" run -d "$PAL_POLICY_DIR" -l "$PAL_LOG" --pin-dir /sys/fs/bpf/other \
	2>"$PAL_TMP/other.err"
rc=$?
pal_check "a pin dir of another program is refused (exit $rc)" test "$rc" != 0
pal_check "and it says why" grep -q "holds pins that are not Palisade's" "$PAL_TMP/other.err"
pal_check "its mode is unchanged" test "$(stat -c %a /sys/fs/bpf/other)" = 755
pal_check "nothing was pinned there" test "$(echo /sys/fs/bpf/other/*)" = /sys/fs/bpf/other/theirs

# An insecure policy directory is refused, with the reason.
chmod 0777 "$PAL_POLICY_DIR"
"$PAL_AGENT" run -d "$PAL_POLICY_DIR" -l "$PAL_LOG" 2>"$PAL_TMP/insecure.err"
rc=$?
pal_check "world-writable policy dir refused (exit $rc)" test "$rc" = 2
pal_check "and it says why" grep -q "refusing policy directory" "$PAL_TMP/insecure.err"
pal_done
