#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# `palisade doctor` on the host kernel, which has BPF LSM hooks in its BTF but
# refuses LSM programs (EPERM before the verifier): doctor must say so, with a
# hint per missing piece and the exact lsm= line, exit 77, and agree with the
# agent itself, which refuses a files: policy on this host with exit 77.
# cgroup programs load here, so device rules are reported usable, and network
# rules with a warning naming what only BPF LSM mediates.
# Usage: doctor_native.sh PALISADE
set -uo pipefail
PAL=$1
. "$(dirname "$0")/native_lib.sh"

need_root "program probes"
tmp=$(mktemp -d)
trap 'umount "$tmp/bpf" 2>/dev/null; rm -rf "$tmp"' EXIT

"$PAL" doctor >"$tmp/text"
rc=$?
cat "$tmp/text"
check "doctor exits 77 where a feature cannot be enforced (got $rc)" test "$rc" = 77
check "text names the LSM refusal" grep -q 'fail  bpf_lsm_loads .*Operation not permitted' "$tmp/text"
check "text gives an lsm= hint" grep -q 'Hint: .*lsm=[a-z,]*bpf' "$tmp/text"
check "text ends with the verdict" grep -q '^Result: this host cannot enforce every policy feature' \
	"$tmp/text"

"$PAL" doctor --json >"$tmp/json"
check "--json exits 77 too" test $? = 77
python3 - "$tmp/json" <<'PY' || bad "doctor --json content (see above)"
import json, sys
d = json.load(open(sys.argv[1]))
errors = []
def want(cond, msg):
    if not cond:
        errors.append(msg)
checks = {c["name"]: c for c in d["checks"]}
feats = {f["name"]: f for f in d["features"]}
want(d["result"] == "fail", "result is fail")
want(d["kernel"]["release"], "kernel release given")
for name in ("privileges", "bpf_lsm_active", "btf", "bpf_lsm_loads", "cgroup2", "bpffs",
             "cgroup_programs", "ring_buffer"):
    want(name in checks, "check %s present" % name)
want(checks["bpf_lsm_loads"]["state"] == "fail", "bpf_lsm_loads fails here")
want("Operation not permitted" in checks["bpf_lsm_loads"]["detail"], "the refusal's errno")
want(checks["btf"]["state"] == "ok", "BTF present here")
want(checks["cgroup_programs"]["state"] == "ok", "cgroup programs load here")
for c in d["checks"]:
    want(c["state"] == "ok" or c.get("hint"), "every non-ok check has a hint: %s" % c["name"])
hooks = d["hooks"]
want(len(hooks) >= 20, "every LSM program of the agent is listed (%d)" % len(hooks))
want(all(h["name"] != "unknown" for h in hooks), "every hook has a description")
want({h["object"] for h in hooks} == {"file", "socket", "guard"}, "hooks of all three objects")
want(any(h["name"] == "file_open" and h["state"] == "ok" for h in hooks),
     "file_open is in this kernel's BTF")
for f in ("files", "exec", "socket", "guard"):
    want(feats[f]["state"] == "fail", "%s needs BPF LSM: fail" % f)
want(feats["devices"]["state"] == "ok", "devices works on cgroup programs: ok")
want(feats["network"]["state"] == "warn", "network: TCP/UDP on cgroup programs, the rest needs LSM")
want("ICMP, raw, SCTP and DCCP" in feats["network"]["detail"], "network says what is not mediated")
for e in errors:
    print("FAIL: doctor --json:", e)
sys.exit(1 if errors else 0)
PY
[ $fail = 0 ] && ok "doctor --json content"

# The agent agrees: a files: policy is refused on this host with exit 77.
mkdir -p "$tmp/pol" "$tmp/bpf"
chmod 0755 "$tmp/pol"
mount -t bpf bpf "$tmp/bpf" || { echo "FAIL: cannot mount a private bpffs"; exit 1; }
cat >"$tmp/pol/f.yaml" <<'YAML'
apiVersion: palisade/v1
kind: Policy
name: f
files:
  - paths: [/etc/shadow]
    access: [read]
    action: deny
YAML
timeout 30 "$PAL" run -d "$tmp/pol" -l "$tmp/audit.log" --socket "$tmp/ctl.sock" \
	--pin-dir "$tmp/bpf/palisade" 2>"$tmp/run.err"
rc=$?
sed 's/^/  agent: /' "$tmp/run.err"
check "the agent refuses the files: policy here as doctor said (exit $rc)" test "$rc" = 77

[ $fail = 0 ] && echo "PASS" || echo "FAILED"
exit $fail
