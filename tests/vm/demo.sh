# SPDX-License-Identifier: GPL-2.0-only
# Placeholder demo: shows the VM environment. The real demo (palisade run
# with an example policy, a denied cat and its JSON line) replaces this.
echo "== Palisade demo VM =="
echo "kernel:   $(uname -r)"
echo "lsm:      $(cat /sys/kernel/security/lsm)"
echo "btf:      $(ls -l /sys/kernel/btf/vmlinux 2>&1)"
echo "cgroup:   $(sed -n 's/^0:://p' /proc/self/cgroup)"
echo "agent:    $("$PAL_AGENT" --version 2>&1)"
echo "policies: $(ls "$PAL_POLICIES" 2>/dev/null | tr '\n' ' ')"
echo "mounts:"
grep -E ' (cgroup2|bpf|securityfs|tmpfs) ' /proc/mounts | sed 's/^/  /'
