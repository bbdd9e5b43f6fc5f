# SPDX-License-Identifier: GPL-2.0-only
# The VM environment every other case relies on.
. "$PAL_LIB"

mounted() { # FSTYPE DIR
	grep -q "^[^ ]* $2 $1 " /proc/mounts
}

pal_check "bpf is an active LSM ($(cat /sys/kernel/security/lsm 2>/dev/null))" \
	grep -qE '(^|,)bpf(,|$)' /sys/kernel/security/lsm
pal_check "kernel BTF at /sys/kernel/btf/vmlinux" test -s /sys/kernel/btf/vmlinux
pal_check "cgroup2 mounted at /sys/fs/cgroup" mounted cgroup2 /sys/fs/cgroup
pal_check "bpffs mounted at /sys/fs/bpf" mounted bpf /sys/fs/bpf
pal_check "securityfs mounted at /sys/kernel/security" mounted securityfs /sys/kernel/security
pal_check "tmpfs on /tmp" mounted tmpfs /tmp
pal_check "lo is up" sh -c 'ip link show lo | grep -q "[<,]UP[,>]"'
pal_check "127.0.0.1 on lo" sh -c 'ip addr show lo | grep -q "inet 127.0.0.1/8"'
pal_check "overlay module loaded" grep -q '^overlay ' /proc/modules
pal_check "overlayfs registered" grep -q 'overlay$' /proc/filesystems

# Own cgroup from the first command on: cgroup v2 line is "0::/pal-test-NAME".
cg=$(sed -n 's/^0:://p' /proc/self/cgroup)
pal_check "runs in its own cgroup ($cg)" test "$cg" = "/pal-test-$PAL_CASE"
pal_check "PAL_CGROUP is that cgroup" test "$PAL_CGROUP" = "/sys/fs/cgroup$cg"
pal_check "the case shell itself is in it" grep -qx "$$" "$PAL_CGROUP/cgroup.procs"

v=$("$PAL_AGENT" --version 2>&1)
pal_check "palisade --version runs ($v)" sh -c 'echo "$1" | grep -q "^palisade [0-9]"' - "$v"
pal_check "paltest runs" paltest open /proc/self/status OK
pal_check "PAL_TMP is the cwd and writable" sh -c 'test "$(pwd)" = "$PAL_TMP" && : >"$PAL_TMP/x"'
pal_done
