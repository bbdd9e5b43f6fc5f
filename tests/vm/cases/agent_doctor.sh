# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 240
# `palisade doctor` on a BPF LSM kernel: every host check passes, every hook
# the agent loads is found by probing the kernel's BTF (file_truncate where
# the kernel has it, else a warning naming the fallback), the verdict is
# "enforced" with exit 0, and doctor agrees with the agent: the number of
# file hooks doctor finds equals the LSM programs the running agent loaded,
# and a files: rule then really denies (EACCES) and logs its record.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

"$PAL_AGENT" doctor >"$PAL_TMP/doctor.txt"
rc=$?
cat "$PAL_TMP/doctor.txt"
pal_check "doctor exits 0 on this kernel (got $rc)" test "$rc" = 0
pal_check "doctor's verdict: enforced" grep -q '^Result: every policy feature is enforced' \
	"$PAL_TMP/doctor.txt"

js=$("$PAL_AGENT" doctor --json)
echo "doctor --json: $js"
has() { echo "$js" | grep -q "$1"; }
for c in bpf_lsm_active bpf_lsm_loads btf cgroup2 cgroup_programs ring_buffer programs_file \
	programs_socket programs_guard; do
	pal_check "check $c is ok" has "{\"name\":\"$c\",\"state\":\"ok\""
done
for f in files exec socket guard network devices; do
	pal_check "feature $f is enforced" has "{\"name\":\"$f\",\"state\":\"\\(ok\\|warn\\)\""
done
pal_check "no hook without a description" sh -c '! echo "$1" | grep -q "\"name\":\"unknown\""' - "$js"
# The probe must match the kernel: kallsyms is an independent witness.
if grep -qw bpf_lsm_file_truncate /proc/kallsyms; then
	pal_check "file_truncate found" has '{"name":"file_truncate","object":"file","state":"ok"'
else
	pal_check "file_truncate missing, with its fallback" \
		has '{"name":"file_truncate","object":"file","state":"warn","detail":"[^"]*","hint":"path_truncate'
fi
nfile=$(echo "$js" | grep -o '"object":"file","state":"ok"' | wc -l)

# The agent loads exactly the file hooks doctor found, and they enforce.
mkdir -p /srv && echo secret >/srv/doctor-secret
mkdir "$PAL_CGROUP/w"
pal_policy doctor.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: doctor
target:
  cgroups: [/pal-test-$PAL_CASE/w]
files:
  - paths: [/srv/doctor-secret]
    access: [read]
    action: deny
YAML
pal_agent_start
st=$("$PAL_AGENT" status --json --socket "$PAL_SOCK")
pal_check "the agent loaded the $nfile file hooks doctor found" \
	sh -c 'echo "$1" | grep -q "\"lsm_programs\":$2,"' - "$st" "$nfile"
# status says what this kernel leaves to a fallback, as doctor did.
if grep -qw bpf_lsm_file_truncate /proc/kallsyms; then
	pal_check "status: nothing degraded" sh -c 'echo "$1" | grep -q "\"degraded\":\[\]"' - "$st"
else
	pal_check "status: file_truncate degraded to path_truncate" \
		sh -c 'echo "$1" | grep -q "\"degraded\":\[\"file_truncate: [^\"]*path_truncate"' - "$st"
fi
pal_check "read of /srv/doctor-secret denied" pal_in_cgroup w paltest open /srv/doctor-secret EACCES
pal_agent_settle
pal_check "deny record for /srv/doctor-secret" \
	grep -q '"event":"file".*"action":"deny".*"errno":13.*"path":"/srv/doctor-secret"' "$PAL_LOG"
pal_agent_stop
pal_done
