# SPDX-License-Identifier: GPL-2.0-only
# Real containers under crun or runc for VM cases (busybox sh). Source after
# $PAL_LIB. PAL_CTR_RUNTIME names the runtime (crun, the default, or runc).
#
# The initramfs root cannot be pivot_root'ed (rootfs has no parent mount),
# so the runtime runs as on a real host: in its own mount namespace, chrooted into
# a tmpfs "host world" (PAL_CTR_WORLD) that holds the host's /bin, /usr,
# /lib*, /etc, /proc, /sys, /dev, /run and the bundles. Each container's
# root is an overlay mount (lower: a busybox tree, upper: a fresh dir), as
# containerd's snapshotter makes it. The cgroup is created by the runtime itself
# (cgroupfs manager) from linux.cgroupsPath, below the case's cgroup:
#   $PAL_CGROUP/kubepods/besteffort/pod<uid>/<id>
#
#   pal_ctr_world            set up the host world (once per case; call it
#                            from the case's shell, not a subshell)
#   pal_ctr_pod UID          create the pod cgroup, as the kubelet does;
#                            prints its path relative to the cgroup root
#   pal_ctr_bundle ID UID CMD...  a bundle for container ID of pod UID that
#                            runs CMD; the rootfs has busybox, paltest as
#                            /bin/ctrtest, crun with its libraries, and
#                            /srv/secret
#   pal_ctr_rt ARGS...       the runtime with ARGS (exec, kill, state ...)
#   pal_ctr_run ID           run ID (foreground); the container's exit status
#   pal_ctr_create ID        create ID: its process waits before the entrypoint
#   pal_ctr_start ID         start ID, wait until it stopped, delete it; the
#                            entrypoint's exit status (it must end with
#                            `echo $? >/result`, read from the overlay's upper dir)
# Bundle names (the CRI annotations) come from PAL_CTR_NS (default "default"),
# PAL_CTR_POD ("pod-UID") and PAL_CTR_NAME (ID); the runtime's state
# directory is PAL_CTR_ROOT (/run/crun or /run/runc). The host sees the
# bundles at /bundles, the path the runtime records in its state, as on a
# host where it runs unchrooted.
PAL_CTR_RUNTIME=${PAL_CTR_RUNTIME:-crun}
PAL_CTR_WORLD=$PAL_TMP/world
PAL_CTR_KUBEPODS=${PAL_CGROUP#/sys/fs/cgroup}/kubepods/besteffort

pal_ctr_world() {
	_w=$PAL_CTR_WORLD
	# the runtime enables controllers down to the pod: no process may sit in an
	# inner cgroup (cgroup v2's no-internal-process rule), so the case
	# moves to a leaf of its own.
	mkdir -p "$PAL_CGROUP/case" && echo $$ >"$PAL_CGROUP/case/cgroup.procs" || return 1
	mkdir -p "$_w"
	mount -t tmpfs -o mode=0755 world "$_w" || return 1
	for _d in bin sbin usr lib lib64 etc proc sys dev run tmp bundles; do
		mkdir -p "$_w/$_d"
	done
	for _d in bin sbin lib lib64 etc; do
		mount --bind "/$_d" "$_w/$_d" || return 1
	done
	# /usr (the runtimes) through a read-only overlay, as on a host where
	# it is no tmpfs: runc asks its copy of itself whether it is a sealed
	# memfd (F_GET_SEALS), which a tmpfs file answers too, and copies
	# itself once more.
	mkdir -p "$_w/.usr-empty"
	mount -t overlay usr -o "lowerdir=/usr:$_w/.usr-empty" "$_w/usr" || return 1
	for _d in proc sys dev run; do
		mount --rbind "/$_d" "$_w/$_d" || return 1
	done
	mkdir -p "/run/$PAL_CTR_RUNTIME" /bundles
	mount --bind "$_w/bundles" /bundles
}

pal_ctr_pod() {
	mkdir -p "$PAL_CGROUP/kubepods/besteffort/pod$1" || return 1
	echo "$PAL_CTR_KUBEPODS/pod$1"
}

# _ctr_rootfs DIR: the image layer: busybox, the test helper, crun and its
# libraries (the same files as the host's), a secret.
_ctr_rootfs() {
	mkdir -p "$1/bin" "$1/usr/bin" "$1/proc" "$1/dev" "$1/sys" "$1/tmp" "$1/srv" "$1/etc"
	cp /bin/busybox "$1/bin/" && cp /bin/paltest "$1/bin/ctrtest" || return 1
	cp /bin/palsock "$1/bin/ctrsock" || return 1
	for _a in sh cat echo mkdir sleep ls id; do
		ln -s busybox "$1/bin/$_a"
	done
	cp /usr/bin/crun "$1/usr/bin/crun" || return 1
	for _l in /lib/x86_64-linux-gnu/* /lib64/*; do
		mkdir -p "$1$(dirname "$_l")"
		cp "$_l" "$1$_l"
	done
	cp /etc/passwd /etc/group "$1/etc/"
	echo "container secret" >"$1/srv/secret"
}

# _ctr_args CMD...: the JSON array of CMD (one line each: no newlines).
_ctr_args() {
	_sep=
	printf '['
	for _a in "$@"; do
		printf '%s"%s"' "$_sep" "$(printf '%s' "$_a" | sed 's/\\/\\\\/g; s/"/\\"/g')"
		_sep=,
	done
	printf ']'
}

pal_ctr_bundle() {
	_id=$1 _uid=$2
	shift 2
	_b=$PAL_CTR_WORLD/bundles/$_id
	mkdir -p "$_b/lower" "$_b/upper" "$_b/work" "$_b/rootfs"
	_ctr_rootfs "$_b/lower" || return 1
	mount -t overlay overlay -o "lowerdir=$_b/lower,upperdir=$_b/upper,workdir=$_b/work" \
		"$_b/rootfs" || return 1
	_caps='"CAP_CHOWN","CAP_DAC_OVERRIDE","CAP_FOWNER","CAP_FSETID","CAP_KILL","CAP_SETGID",
	"CAP_SETUID","CAP_SETPCAP","CAP_NET_BIND_SERVICE","CAP_SYS_CHROOT","CAP_SYS_ADMIN",
	"CAP_MKNOD","CAP_AUDIT_WRITE","CAP_SETFCAP"'
	cat >"$_b/config.json" <<JSON
{
  "ociVersion": "1.0.2",
  "process": {
    "terminal": false,
    "user": {"uid": 0, "gid": 0},
    "args": $(_ctr_args "$@"),
    "env": ["PATH=/bin:/usr/bin", "HOME=/"],
    "cwd": "/",
    "capabilities": {"bounding": [$_caps], "effective": [$_caps], "permitted": [$_caps]},
    "noNewPrivileges": false
  },
  "root": {"path": "rootfs", "readonly": false},
  "hostname": "$_id",
  "mounts": [
    {"destination": "/proc", "type": "proc", "source": "proc"},
    {"destination": "/dev", "type": "tmpfs", "source": "tmpfs",
     "options": ["nosuid", "strictatime", "mode=755", "size=65536k"]},
    {"destination": "/sys", "type": "sysfs", "source": "sysfs",
     "options": ["nosuid", "noexec", "nodev", "ro"]},
    {"destination": "/sys/fs/cgroup", "type": "cgroup", "source": "cgroup",
     "options": ["nosuid", "noexec", "nodev", "rw"]}
  ],
  "annotations": {
    "io.kubernetes.cri.container-type": "container",
    "io.kubernetes.cri.sandbox-name": "${PAL_CTR_POD:-pod-$_uid}",
    "io.kubernetes.cri.sandbox-namespace": "${PAL_CTR_NS:-default}",
    "io.kubernetes.cri.sandbox-uid": "$_uid",
    "io.kubernetes.cri.container-name": "${PAL_CTR_NAME:-$_id}",
    "io.kubernetes.cri.image-name": "docker.io/library/busybox:1.36"
  },
  "linux": {
    "cgroupsPath": "$PAL_CTR_KUBEPODS/pod$_uid/$_id",
    "namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "ipc"}, {"type": "uts"},
                   {"type": "cgroup"}]
  }
}
JSON
}

# pal_ctr_run ID: run container ID in the foreground; the runtime chrooted
# into the host world, in a mount namespace of its own.
pal_ctr_run() {
	pal_ctr_rt run --bundle "/bundles/$1" "$1"
}

# pal_ctr_rt ARGS...: the runtime in a mount namespace of its own, where the
# host world is mounted over / (as switch_root does), so that a container's
# mounts sit on the namespace's root as on a real host: `crun exec` joins
# a container's mount namespace and lands on the mounts stacked on its root.
pal_ctr_rt() {
	unshare -m sh -c 'mount --make-rprivate / && cd "$1" && shift && mount --move . / &&
		rt=$1 && shift && exec chroot . "$rt" --root "$0" "$@"' \
		"${PAL_CTR_ROOT:-/run/$PAL_CTR_RUNTIME}" "$PAL_CTR_WORLD" "$PAL_CTR_RUNTIME" "$@"
}

# The container inherits crun's stdio: a file of the host would be outside
# its root (a write there fails closed), so it gets /dev/null, as a shim
# gives it pipes.
pal_ctr_create() {
	pal_ctr_rt create --bundle "/bundles/$1" "$1" </dev/null >/dev/null 2>"$PAL_TMP/create.err" ||
		{ sed "s/^/  $PAL_CTR_RUNTIME: /" "$PAL_TMP/create.err"; return 1; }
}

pal_ctr_start() {
	pal_ctr_rt start "$1" 2>"$PAL_TMP/start.err" ||
		{ sed "s/^/  $PAL_CTR_RUNTIME: /" "$PAL_TMP/start.err"; return 1; }
	_n=0
	while pal_ctr_rt state "$1" | grep -q '"status": *"\(created\|running\)"'; do
		_n=$((_n + 1))
		[ $_n -lt 600 ] || return 1
		sleep 0.1
	done
	pal_ctr_rt delete "$1" || return 1
	grep -qx 0 "$PAL_CTR_WORLD/bundles/$1/upper/result" 2>/dev/null ||
		{ echo "  $1: entrypoint result '$(cat "$PAL_CTR_WORLD/bundles/$1/upper/result" 2>&1)'"; return 1; }
}
