#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# deploy/palisade.service: `systemd-analyze verify` accepts it with no
# warning at all, and it carries the settings the agent relies on.
# Usage: unit_test.sh SRCDIR [UNIT]   (UNIT: the unit as installed by the build)
set -u
src=$1
unit=${2:-$src/deploy/palisade.service}
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

command -v systemd-analyze >/dev/null || { echo "SKIP: systemd-analyze not found (Debian package systemd)"; exit 77; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# verify needs ExecStart's binary to exist: point the copy at a stand-in
# executable (the unit is what is checked, not the binary).
mkdir -p "$tmp/sbin" "$tmp/units"
printf '#!/bin/sh\nexit 0\n' > "$tmp/sbin/palisade"
chmod 755 "$tmp/sbin/palisade"
verify() { # FILE: prints every message, returns systemd-analyze's status
	(cd "$tmp/units" && SYSTEMD_LOG_COLOR=0 systemd-analyze verify --man=no "$1" 2>&1)
}

# Calibrate: if even a trivial unit fails here, the tool cannot work on this
# machine, and that is a skip with the reason, not a verdict on our unit.
printf '[Unit]\nDescription=calibration\n[Service]\nExecStart=%s\n' "$tmp/sbin/palisade" \
	> "$tmp/units/pal-calibrate.service"
if ! out=$(verify pal-calibrate.service) || [ -n "$out" ]; then
	echo "SKIP: systemd-analyze verify does not work on this machine: $out"
	exit 77
fi

sed "s#^ExecStart=[^ ]*palisade #ExecStart=$tmp/sbin/palisade #" "$unit" > "$tmp/units/palisade.service"
grep -q "^ExecStart=$tmp/sbin/palisade run " "$tmp/units/palisade.service" || bad "ExecStart not rewritten"
out=$(verify palisade.service)
rc=$?
if [ $rc -ne 0 ] || [ -n "$out" ]; then
	bad "systemd-analyze verify (status $rc): $out"
else
	ok
fi

# The check must be able to fail: a misspelt key and a bad value are reported.
sed 's/^ProtectSystem=strict/ProtectSystm=strict/; s/^Type=notify/Type=notifyy/' \
	"$tmp/units/palisade.service" > "$tmp/units/broken.service"
out=$(verify broken.service)
case "$out" in
*ProtectSystm*notifyy* | *notifyy*ProtectSystm*) ok ;;
*) bad "a broken unit went unnoticed: '$out'" ;;
esac

# Settings the agent depends on (exact lines).
want() {
	if grep -qxF -- "$1" "$unit"; then ok; else bad "missing line: $1"; fi
}
want 'Type=notify'
want 'ExecStart=/usr/sbin/palisade run -c /etc/palisade/palisade.yaml'
want 'ExecReload=/bin/kill -HUP $MAINPID'
want 'Restart=on-failure'
want 'ProtectSystem=strict'
want 'ReadWritePaths=/sys/fs/bpf /var/log/palisade /run/palisade'
want 'PrivateTmp=yes'
want 'NoNewPrivileges=yes'
want 'LimitMEMLOCK=infinity'
want 'RuntimeDirectory=palisade'
want 'RuntimeDirectoryMode=0700'
want 'LogsDirectory=palisade'
want 'LogsDirectoryMode=0700'
want 'WantedBy=multi-user.target'
grep -qE '^ProtectHome=(yes|read-only)$' "$unit" && ok || bad "ProtectHome not set"

# The bounding set is exactly the capabilities documented, each with a reason
# in the unit's comments and in docs/deploy.md.
caps=$(sed -n 's/^CapabilityBoundingSet=//p' "$unit")
expected="CAP_AUDIT_WRITE CAP_BPF CAP_DAC_READ_SEARCH CAP_NET_ADMIN CAP_PERFMON CAP_SYS_ADMIN CAP_SYS_RESOURCE"
sorted=$(tr ' ' '\n' <<<"$caps" | sort | xargs)
[ "$sorted" = "$expected" ] && ok || bad "CapabilityBoundingSet is '$sorted', want '$expected'"
for c in $caps; do
	grep -qE "^#  $c " "$unit" && ok || bad "$c has no justification comment in the unit"
	grep -q -- "$c" "$src/docs/deploy.md" && ok || bad "$c is not explained in docs/deploy.md"
done
# Never run with every capability, nor let the agent gain privileges.
grep -qE '^(AmbientCapabilities|CapabilityBoundingSet)=~' "$unit" && bad "capabilities as a deny-list"
grep -q '^PermissionsStartOnly\|^User=' "$unit" && bad "unexpected User=/PermissionsStartOnly="

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
