#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The .rpm, built by `cpack -G RPM` from the build tree: its header, config
# files, Requires (every library the binary needs), file list and modes;
# scriptlets; then a real `rpm -i` into a scratch root (--nodeps: the root
# has no libraries; --noscripts: it has no shell), verify, and erase.
# Usage: rpm_test.sh BUILDDIR SRCDIR VERSION
set -u
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) version=$3
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

for t in cpack rpm rpmbuild objdump; do
	command -v $t >/dev/null || { echo "FAIL: $t not found (scripts/setup installs it)"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# rpm sets owners to root: outside root, do it in a user namespace where we are root.
as_root() {
	if [ "$(id -u)" -eq 0 ]; then "$@"; else unshare --map-root-user "$@"; fi
}

# ---- build the package -----------------------------------------------------
out=$(cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -G RPM -B "$tmp/out" 2>&1)
rpms=("$tmp"/out/*.rpm)
if [ ${#rpms[@]} -ne 1 ] || [ ! -f "${rpms[0]}" ]; then
	echo "FAIL: cpack made no single .rpm: $out"
	exit 1
fi
pkg=${rpms[0]}
arch=$(uname -m)
[ "$(basename "$pkg")" = "palisade-${version}-1.${arch}.rpm" ] && ok ||
	bad "package file name $(basename "$pkg")"
grep -q 'CMake Warning' <<<"$out" && bad "cpack warned: $out" || ok

# ---- header ----------------------------------------------------------------
q() { rpm -qp --qf "$1" "$pkg" 2>/dev/null; }
[ "$(q '%{NAME} %{VERSION} %{RELEASE} %{ARCH}')" = "palisade $version 1 $arch" ] && ok ||
	bad "NEVRA: $(q '%{NAME} %{VERSION} %{RELEASE} %{ARCH}')"
[ "$(q '%{LICENSE}')" = GPL-2.0-only ] && ok || bad "License: $(q '%{LICENSE}')"
[ -n "$(q '%{SUMMARY}')" ] && ok || bad "no Summary"
q '%{DESCRIPTION}' | grep -q '^Palisade compiles YAML policies' && ok ||
	bad "Description: $(q '%{DESCRIPTION}')"
[ "$(q '%{PREFIXES}')" = "(none)" ] && ok || bad "relocatable: $(q '%{PREFIXES}')"
q '%{CHANGELOGTEXT}' | grep -q "Palisade $version" && ok || bad "changelog: $(q '%{CHANGELOGTEXT}')"

# Scriptlets: present, valid sh, and the agent is stopped on erase only.
for tag in POSTIN PREUN POSTUN; do
	q "%{$tag}" > "$tmp/$tag"
	[ -s "$tmp/$tag" ] && sh -n "$tmp/$tag" && ok || bad "$tag scriptlet missing or invalid"
done
grep -q '"$1" -eq 0' "$tmp/PREUN" && ok || bad "PREUN does not check for erase"

# Config files, noreplace (n): an administrator's edit survives an upgrade.
conf=$(rpm -qp --qf '[%{FILENAMES} %{FILEFLAGS:fflags}\n]' "$pkg" 2>/dev/null |
	awk '$2 ~ /c/' | sort)
[ "$conf" = "$(printf '%s\n' '/etc/logrotate.d/palisade cn' '/etc/palisade/palisade.yaml cn')" ] &&
	ok || bad "config files: '$conf'"

# Each library the binary links is required.
reqs=$(rpm -qpR "$pkg" 2>/dev/null)
for so in $(objdump -p "$build/agent/palisade" | awk '$1 == "NEEDED" { print $2 }'); do
	grep -q "^$so()(64bit)" <<<"$reqs" && ok || bad "Requires lacks $so"
done

# ---- contents: path, mode, owner -------------------------------------------
rpm -qplv "$pkg" 2>/dev/null | awk '{ print $1, $3 ":" $4, $NF }' > "$tmp/list"
entry() { # MODE PATH
	local line
	line=$(awk -v p="$2" '$3 == p' "$tmp/list")
	[ "$line" = "$1 root:root $2" ] && ok || bad "want '$1 root:root $2', got '${line:-nothing}'"
}
entry -rwxr-xr-x /usr/sbin/palisade
entry -rw-r--r-- /etc/palisade/palisade.yaml
entry drwxr-xr-x /etc/palisade/policies
entry -rw-r--r-- /etc/logrotate.d/palisade
entry -rw-r--r-- /lib/systemd/system/palisade.service
entry -rw-r--r-- /usr/share/man/man8/palisade.8.gz
entry -rw-r--r-- /usr/share/doc/palisade/copyright
entry drwxr-xr-x /usr/share/palisade/examples
# Only palisade's own directories: the system's belong to other packages.
dirs=$(awk '$1 ~ /^d/ { print $3 }' "$tmp/list" | grep -v '/palisade\(/\|$\)')
[ -z "$dirs" ] && ok || bad "owns system directories: $dirs"
# Nothing only a .deb uses, no build-id links, nothing world-writable.
[ -z "$(grep -E 'changelog\.Debian|/lintian/|\.build-id' "$tmp/list")" ] && ok ||
	bad "Debian-only or build-id files: $(grep -E 'changelog\.Debian|/lintian/|\.build-id' "$tmp/list")"
[ -z "$(awk 'substr($1, 9, 1) == "w"' "$tmp/list")" ] && ok || bad "world-writable entries"

# ---- install into a scratch root, verify, erase -------------------------------
root=$tmp/root
mkdir "$root"
# --dbpath: the database inside the scratch root, whatever the host's default.
rpmr() { as_root rpm --root "$root" --dbpath /var/lib/rpm "$@"; }
out=$(rpmr --initdb 2>&1) && ok || bad "rpm --initdb: $out"
out=$(rpmr -i --nodeps --noscripts "$pkg" 2>&1) && ok || bad "rpm -i failed: $out"
[ "$(rpmr -q palisade 2>/dev/null)" = "palisade-${version}-1.${arch}" ] && ok ||
	bad "rpm -q: $(rpmr -q palisade 2>&1)"
out=$(rpmr -V --nodeps palisade 2>&1) && ok || bad "rpm -V: $out"
v=$("$root/usr/sbin/palisade" --version 2>&1 | head -n 1)
[ "$v" = "palisade $version" ] && ok || bad "installed palisade --version: '$v'"
grep -qx 'ExecStart=/usr/sbin/palisade run -c /etc/palisade/palisade.yaml' \
	"$root/lib/systemd/system/palisade.service" && ok || bad "installed unit: wrong or missing"
cmp -s "$root/etc/palisade/palisade.yaml" "$src/deploy/palisade.yaml" && ok ||
	bad "installed palisade.yaml differs from deploy/palisade.yaml"
[ "$(stat -c %a "$root/etc/palisade/policies")" = 755 ] && ok || bad "policies dir mode"

# Erase keeps an edited config as .rpmsave and removes the rest.
echo "# local edit" >> "$root/etc/palisade/palisade.yaml"
out=$(rpmr -e --nodeps --noscripts palisade 2>&1) && ok || bad "rpm -e failed: $out"
[ ! -e "$root/usr/sbin/palisade" ] && [ ! -e "$root/lib/systemd/system/palisade.service" ] &&
	ok || bad "files left after erase"
grep -q '# local edit' "$root/etc/palisade/palisade.yaml.rpmsave" 2>/dev/null && ok ||
	bad "erase lost the edited config"
rpmr -q palisade >/dev/null 2>&1 && bad "still installed after erase" || ok

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
