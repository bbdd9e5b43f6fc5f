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
expected="CAP_AUDIT_WRITE CAP_BPF CAP_DAC_OVERRIDE CAP_DAC_READ_SEARCH CAP_NET_ADMIN CAP_PERFMON CAP_SYS_ADMIN CAP_SYS_RESOURCE"
sorted=$(tr ' ' '\n' <<<"$caps" | sort | xargs)
[ "$sorted" = "$expected" ] && ok || bad "CapabilityBoundingSet is '$sorted', want '$expected'"
for c in $caps; do
	grep -qE "^#  $c " "$unit" && ok || bad "$c has no justification comment in the unit"
	grep -q -- "$c" "$src/docs/deploy.md" && ok || bad "$c is not explained in docs/deploy.md"
done
# Never run with every capability, nor let the agent gain privileges.
grep -qE '^(AmbientCapabilities|CapabilityBoundingSet)=~' "$unit" && bad "capabilities as a deny-list"
grep -q '^PermissionsStartOnly\|^User=' "$unit" && bad "unexpected User=/PermissionsStartOnly="

want 'WatchdogSec=30s'
want 'RestrictNamespaces=yes'
grep -q '^SystemCallFilter=@system-service bpf ' "$unit" && ok || bad "no SystemCallFilter allow-list"

# systemd's own exposure rating of the unit: at most 2.x ("OK"). The stand-in
# copy is rated, so the rating is the unit's, not this machine's.
sec=$(cd "$tmp/units" && SYSTEMD_LOG_COLOR=0 systemd-analyze security --offline=yes --no-pager \
	palisade.service 2>&1)
level=$(sed -n 's/.*Overall exposure level for palisade.service: \([0-9.]*\).*/\1/p' <<<"$sec")
echo "systemd-analyze security: exposure $level"
if [ -z "$level" ]; then
	bad "systemd-analyze security printed no rating: $(tail -n3 <<<"$sec")"
elif awk -v l="$level" 'BEGIN { exit !(l < 3.0) }'; then
	ok
else
	bad "exposure level $level, want at most 2.x: $(grep '✗' <<<"$sec" | head -n 30)"
fi
# The rating can fail: the same unit without its sandboxing rates worse.
grep -vE '^(SystemCallFilter|RestrictNamespaces|DevicePolicy|ProtectKernel|IPAddressDeny)' \
	"$tmp/units/palisade.service" >"$tmp/units/loose.service"
loose=$(cd "$tmp/units" && systemd-analyze security --offline=yes --no-pager loose.service 2>&1 |
	sed -n 's/.*Overall exposure level for loose.service: \([0-9.]*\).*/\1/p')
awk -v l="$loose" 'BEGIN { exit !(l >= 3.0) }' && ok || bad "loose unit rated '$loose', want >= 3.0"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
