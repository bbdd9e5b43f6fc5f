#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# lintian on the .deb that `cpack -G DEB` builds from the build tree: no
# error and no warning that deploy/debian/lintian-overrides does not
# override, each override has a reason and is still needed, and the
# package carries what lintian looks for (changelog.Debian.gz, copyright,
# gzipped man pages, a stripped binary).
# Usage: lintian_test.sh BUILDDIR SRCDIR
set -u
build=$(cd "$1" && pwd) src=$(cd "$2" && pwd)
fails=0 passes=0
ok() { passes=$((passes + 1)); }
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

for t in cpack lintian dpkg-deb; do
	command -v $t >/dev/null || { echo "FAIL: $t not found (scripts/setup installs it)"; exit 1; }
done
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

out=$(cd "$tmp" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$tmp/out" 2>&1)
debs=("$tmp"/out/*.deb)
if [ ${#debs[@]} -ne 1 ] || [ ! -f "${debs[0]}" ]; then
	echo "FAIL: cpack made no single .deb: $out"
	exit 1
fi
deb=${debs[0]}

# Every override has a reason: a comment line right above it.
overrides=$src/deploy/debian/lintian-overrides
prev=
while IFS= read -r line; do
	case "$line" in
	'#'* | '') ;;
	*) [[ "$prev" == '#'* ]] && ok || bad "override without a reason: $line" ;;
	esac
	prev=$line
done < "$overrides"

# All tags, informational and pedantic ones too, with overridden ones shown
# as O:. --show-overrides would make overridden tags fail the exit status,
# so the status says only that lintian ran; the tags are judged here.
lint=$(lintian --display-info --pedantic --show-overrides --fail-on none "$deb" 2>&1)
rc=$?
echo "$lint" | grep -v '^running with root privileges'
[ $rc -eq 0 ] && ok || bad "lintian did not run: exit status $rc"
[ -n "$(grep -E '^[EWIPO]: ' <<<"$lint")" ] && ok || bad "lintian reported nothing at all"
[ -z "$(grep -E '^[EW]: ' <<<"$lint")" ] && ok || bad "lintian errors or warnings above"
# An override that no longer matches would hide nothing and rot.
[ -z "$(grep -E 'unused-override|mismatched-override|malformed-override' <<<"$lint")" ] && ok ||
	bad "stale or malformed override"
want=$(grep -cvE '^(#|$)' "$overrides")
have=$(grep -c '^O: ' <<<"$lint")
[ "$have" -eq "$want" ] && ok || bad "$want overrides, lintian used $have"

# What lintian checks for is really there.
dpkg-deb -c "$deb" | awk '{ print $1, $6 }' | sed 's# \./# /#' > "$tmp/list"
for f in /usr/share/doc/palisade/changelog.Debian.gz /usr/share/doc/palisade/copyright \
	/usr/share/lintian/overrides/palisade /usr/share/man/man8/palisade.8.gz; do
	grep -q "^-rw-r--r-- $f\$" "$tmp/list" && ok || bad "$f missing or not 0644"
done
[ -z "$(grep -E '/usr/share/man/.*[0-9]$' "$tmp/list")" ] && ok || bad "a man page is not gzipped"
dpkg-deb -x "$deb" "$tmp/root"
version=$(dpkg-deb -f "$deb" Version)
top=$(zcat "$tmp/root/usr/share/doc/palisade/changelog.Debian.gz" | head -n 1)
[ "$top" = "palisade ($version) unstable; urgency=medium" ] && ok ||
	bad "changelog's first entry is '$top', the package is $version"
# Stripped: no symbol table left (readelf, binutils).
! readelf -S "$tmp/root/usr/sbin/palisade" | grep -q '\.symtab' && ok || bad "the binary is not stripped"

# The check must be able to fail: the same package without its changelog
# and with a world-writable config is an error and a warning for lintian.
dpkg-deb -R "$deb" "$tmp/broken"
rm "$tmp/broken/usr/share/doc/palisade/changelog.Debian.gz"
chmod 0666 "$tmp/broken/etc/palisade/palisade.yaml"
sed -i '/changelog\.Debian\.gz$/d' "$tmp/broken/DEBIAN/md5sums"
dpkg-deb --root-owner-group -b "$tmp/broken" "$tmp/broken.deb" >/dev/null
lint=$(lintian --fail-on none "$tmp/broken.deb" 2>&1)
grep -q '^E: palisade: no-changelog' <<<"$lint" && ok || bad "lintian missed the changelog: $lint"
grep -q '^W: palisade: non-standard-file-perm 0666 != 0644 \[etc/palisade/palisade.yaml\]' \
	<<<"$lint" && ok || bad "lintian missed the world-writable conffile: $lint"

echo "$passes passed, $fails failed"
[ $fails -eq 0 ]
