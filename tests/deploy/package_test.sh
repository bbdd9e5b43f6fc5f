#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The .deb, built by `cpack -G DEB` from the build tree: its control fields,
# Depends (every library the binary needs, and the designed runtime list),
# conffiles, maintainer scripts, file list and modes; then a real
# `dpkg -i` into a scratch root (chrootless, so no root privileges are
# needed), remove, and purge.
# Usage: package_test.sh BUILDDIR SRCDIR VERSION DEB_DEPENDS_FILE
#   DEB_DEPENDS_FILE: the packages Depends must name, ';'-separated (written
#   by cmake/Install.cmake)
set -u
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd) version=$3
IFS=';' read -r -a designed < "$4"
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

for t in cpack dpkg-deb dpkg dpkg-query; do
	command -v $t >/dev/null || { echo "SKIP: $t not found (cmake, dpkg)"; exit 77; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# ---- build the package -----------------------------------------------------
out=$(cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/out" 2>&1)
debs=("$tmp"/out/*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
	echo "FAIL: cpack made no single .deb: $out"
	echo "$passes passed, 1 failed"
	exit 1
fi
deb=${debs[0]}
arch=$(dpkg --print-architecture)
debver=$(dpkg-deb -f "$deb" Version)
# Upstream version, then the Debian revision: a non-native package.
[[ "$debver" =~ ^${version//./\.}-[1-9][0-9]*$ ]] && ok || bad "Version: $debver"
[ "$(basename "$deb")" = "palisade_${debver}_${arch}.deb" ] && ok ||
	bad "package file name $(basename "$deb")"

# ---- control --------------------------------------------------------------
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = palisade ] && ok || bad "Package: $(field Package)"
[ "$(field Architecture)" = "$arch" ] && ok || bad "Architecture: $(field Architecture)"
[ "$(field Section)" = admin ] && ok || bad "Section: $(field Section)"
[[ "$(field Maintainer)" =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] && ok || bad "Maintainer: $(field Maintainer)"
desc=$(field Description)
[ "$(wc -l <<<"$desc")" -ge 2 ] && ok || bad "Description has no long part"
depends=$(field Depends)
dep_names=$(tr ',' '\n' <<<"$depends" | sed 's/^ *//; s/ .*//' | sort)
[ -z "$(uniq -d <<<"$dep_names")" ] && ok || bad "Depends names a package twice: $depends"
for p in "${designed[@]}"; do
	grep -qx "$p" <<<"$dep_names" && ok || bad "Depends lacks $p: $depends"
done
# Each library the binary links must come from a package in Depends.
bin=$build/agent/palisade
for so in $(objdump -p "$bin" | awk '$1 == "NEEDED" { print $2 }'); do
	path=$(ldconfig -p | awk -v so="$so" '$1 == so && /x86-64|x32|64/ { print $NF; exit }')
	[ -n "$path" ] || path=$(ldconfig -p | awk -v so="$so" '$1 == so { print $NF; exit }')
	pkg=
	for cand in "$path" "$(readlink -f "$path")" "/usr$path" "${path#/usr}"; do
		pkg=$(dpkg -S "$cand" 2>/dev/null | head -1 | cut -d: -f1) && [ -n "$pkg" ] && break
	done
	if [ -z "$pkg" ]; then
		bad "cannot tell which package ships $so ($path)"
	else
		grep -qx "$pkg" <<<"$dep_names" && ok || bad "$so comes from $pkg, not in Depends: $depends"
	fi
done

mkdir "$tmp/control"
dpkg-deb -e "$deb" "$tmp/control"
conffiles=$(sort "$tmp/control/conffiles" 2>/dev/null)
[ "$conffiles" = "$(printf '%s\n' /etc/logrotate.d/palisade /etc/palisade/palisade.yaml)" ] &&
	ok || bad "conffiles: '$conffiles'"
for s in postinst prerm postrm; do
	if [ -f "$tmp/control/$s" ]; then
		[ "$(stat -c %a "$tmp/control/$s")" = 755 ] && ok || bad "$s is not mode 0755"
		sh -n "$tmp/control/$s" && ok || bad "$s: syntax error"
		# Units go through deb-systemd-helper and deb-systemd-invoke, as
		# debhelper's scripts do; systemctl only reloads.
		[ -z "$(grep -E '\bsystemctl\b' "$tmp/control/$s" | grep -v '^ *#' |
			grep -v 'systemctl --system daemon-reload')" ] && ok ||
			bad "$s calls systemctl for more than daemon-reload"
	else
		bad "no $s script"
	fi
done

# ---- contents: path, mode, owner -------------------------------------------
dpkg-deb -c "$deb" | awk '{ print $1, $2, $6 }' | sed 's# \./# /#; s#/$##' > "$tmp/list"
entry() { # MODE PATH: the entry exists with that mode, owned by root
	local line
	line=$(awk -v p="$2" '$3 == p' "$tmp/list")
	[ "$line" = "$1 root/root $2" ] && ok || bad "want '$1 root/root $2', got '${line:-nothing}'"
}
entry -rwxr-xr-x /usr/sbin/palisade
entry -rw-r--r-- /etc/palisade/palisade.yaml
entry drwxr-xr-x /etc/palisade/policies
entry -rw-r--r-- /etc/logrotate.d/palisade
unit=$(awk '$3 ~ /\/lib\/systemd\/system\/palisade\.service$/ { print $3 }' "$tmp/list")
[[ "$unit" =~ ^(/usr)?/lib/systemd/system/palisade\.service$ ]] && ok || bad "unit at '$unit'"
[ -n "$unit" ] && entry -rw-r--r-- "$unit"
entry -rw-r--r-- /usr/share/man/man8/palisade.8.gz
entry -rw-r--r-- /usr/share/man/man5/palisade-policy.5.gz
entry -rw-r--r-- /usr/share/man/man5/palisade-audit.5.gz
entry -rw-r--r-- /usr/share/bash-completion/completions/palisade
entry -rw-r--r-- /usr/share/zsh/vendor-completions/_palisade
entry -rw-r--r-- /usr/share/fish/vendor_completions.d/palisade.fish
entry -rw-r--r-- /usr/share/doc/palisade/copyright
entry -rw-r--r-- /usr/share/doc/palisade/changelog.Debian.gz
entry -rw-r--r-- /usr/share/lintian/overrides/palisade
entry drwxr-xr-x /usr/share/palisade/examples
for ex in "$src"/policies/examples/*.yaml; do
	[ -e "$ex" ] && entry -rw-r--r-- "/usr/share/palisade/examples/$(basename "$ex")"
done
# Nothing else in /etc/palisade/policies, nothing world-writable, no build
# tree leftovers, every file root's.
[ -z "$(awk '$3 ~ "^/etc/palisade/policies/"' "$tmp/list")" ] && ok || bad "policies/ is not empty"
[ -z "$(awk 'substr($1, 9, 1) == "w"' "$tmp/list")" ] && ok || bad "world-writable entries"
[ -z "$(grep -E 'CMakeFiles|_CPack|\.o$|/build' "$tmp/list")" ] && ok || bad "build leftovers"
[ -z "$(awk '$2 != "root/root"' "$tmp/list")" ] && ok || bad "entries not owned by root"
# Every file under /etc is a conffile.
for f in $(awk '$1 !~ /^d/ && $3 ~ "^/etc/" { print $3 }' "$tmp/list"); do
	grep -qx "$f" <<<"$conffiles" && ok || bad "$f is not a conffile"
done

# ---- install into a scratch root, then remove and purge ----------------------
root=$tmp/root
admin=$root/var/lib/dpkg
mkdir -p "$admin/info" "$admin/updates" "$admin/triggers"
touch "$admin/status"
# The scratch root has no libraries: --force-depends. Maintainer scripts run
# on the host (chrootless) with DPKG_ROOT set, which they honour.
dpkgr() { dpkg --force-not-root --force-script-chrootless --root="$root" "$@"; }
out=$(dpkgr --force-depends -i "$deb" 2>&1) && ok || bad "dpkg -i failed: $out"
st=$(dpkg-query --admindir="$admin" -W -f='${Status}' palisade 2>&1)
[ "$st" = "install ok installed" ] && ok || bad "status after install: $st"
[ -x "$root/usr/sbin/palisade" ] && ok || bad "no /usr/sbin/palisade in the scratch root"
v=$("$root/usr/sbin/palisade" --version 2>&1 | head -n 1)
[ "$v" = "palisade $version" ] && ok || bad "installed palisade --version: '$v'"
cmp -s "$root/etc/palisade/palisade.yaml" "$src/deploy/palisade.yaml" && ok ||
	bad "installed palisade.yaml differs from deploy/palisade.yaml"
[ "$(stat -c '%a %U' "$root/etc/palisade/policies")" = "755 $(id -un)" ] && ok ||
	bad "policies dir: $(stat -c '%a %U' "$root/etc/palisade/policies")"
grep -qx 'ExecStart=/usr/sbin/palisade run -c /etc/palisade/palisade.yaml' "$root$unit" && ok ||
	bad "installed unit has the wrong ExecStart"
listed=$(dpkg-query --admindir="$admin" -L palisade | grep -c .)
[ "$listed" -gt 10 ] && ok || bad "dpkg -L lists $listed paths"
reg=$(dpkg-query --admindir="$admin" -W -f='${Conffiles}' palisade | awk '{ print $1 }' | sort)
[ "$reg" = "$conffiles" ] && ok || bad "registered conffiles: '$reg'"
# deb-systemd-helper (it honours DPKG_ROOT) recorded the unit, and did not
# enable it: installing does not start enforcement.
dsh=$root/var/lib/systemd/deb-systemd-helper-enabled
if command -v deb-systemd-helper >/dev/null; then
	[ -e "$dsh/palisade.service.dsh-also" ] && ok || bad "deb-systemd-helper did not record the unit"
	[ ! -e "$root/etc/systemd/system/multi-user.target.wants/palisade.service" ] && ok ||
		bad "installing enabled the unit"
fi

# deploy/Dockerfile copies these from its staging install (DESTDIR=/stage),
# which has the package's layout: each must exist in the installed root.
while read -r from to; do
	[ -e "$root${from#/stage}" ] && ok || bad "Dockerfile copies $from, which the install lacks"
done < <(sed -n 's#^COPY --from=build \(/stage/[^ ]*\) \([^ ]*\)$#\1 \2#p' "$src/deploy/Dockerfile")
[ "$(grep -c '^COPY --from=build /stage/' "$src/deploy/Dockerfile")" -ge 2 ] && ok ||
	bad "the Dockerfile copies nothing from its staging install"

# An administrator's edit survives removal; purge then removes the conffiles.
echo "# local edit" >> "$root/etc/palisade/palisade.yaml"
out=$(dpkgr -r palisade 2>&1) && ok || bad "dpkg -r failed: $out"
[ ! -e "$root/usr/sbin/palisade" ] && ok || bad "binary left after remove"
grep -q '# local edit' "$root/etc/palisade/palisade.yaml" 2>/dev/null && ok ||
	bad "remove lost the edited conffile"
if command -v deb-systemd-helper >/dev/null; then
	[ "$(readlink "$root/etc/systemd/system/palisade.service")" = /dev/null ] && ok ||
		bad "remove did not mask the unit"
fi
out=$(dpkgr -P palisade 2>&1) && ok || bad "dpkg -P failed: $out"
# Purge leaves no trace of the unit's state: no mask, no record.
[ ! -L "$root/etc/systemd/system/palisade.service" ] && ok || bad "purge left the mask"
[ -z "$(find "$dsh" "$root/var/lib/systemd/deb-systemd-helper-masked" -name 'palisade*' \
	2>/dev/null)" ] && ok || bad "purge left deb-systemd-helper state"
[ ! -e "$root/etc/palisade/palisade.yaml" ] && [ ! -e "$root/etc/logrotate.d/palisade" ] && ok ||
	bad "purge left conffiles"
st=$(dpkg-query --admindir="$admin" -W -f='${Status}' palisade 2>&1)
[[ "$st" != "install ok installed" ]] && ok || bad "still installed after purge"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
