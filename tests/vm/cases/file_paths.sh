# SPDX-License-Identifier: GPL-2.0-only
# A `deny read` on /srv/secret holds however the file is
# named. cat, then a symlink, `..`, `//`, relative paths after chdir,
# /proc/self/root, an O_PATH fd re-opened through /proc/self/fd/N, openat2
# with RESOLVE_* flags, and io_uring (inline, in an io-wq worker, openat2):
# every open fails with EACCES and is logged with the canonical path
# /srv/secret. A second rule has components of 8, 9 and 16 bytes, the word
# boundaries of the kernel's name hash (it must agree with the compiler's).
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

w=/srv/12345678/123456789/abcdefghijklmnop
mkdir -p /srv/sub "$w" && echo "top secret" >/srv/secret && echo x >"$w/f"
ln -sf /srv/secret /srv/abs-link
ln -sf ../secret /srv/sub/rel-link
ln -sf /srv "$PAL_TMP/srv-link"
mkdir "$PAL_CGROUP/confined"
pal_policy paths.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: paths
target:
  cgroups: [/pal-test-$PAL_CASE/confined]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
  - paths: [$w/f]
    access: [read]
    action: deny
YAML
pal_agent_start

in_cg() { pal_in_cgroup confined "$@"; }
denied=0
deny() { # DESC PATH: paltest open PATH in the cgroup must fail with EACCES
	pal_check "$1" in_cg paltest open "$2" EACCES
	denied=$((denied + 1))
}

pal_check "cat fails" in_cg sh -c '! cat /srv/secret'
deny "plain path" /srv/secret
deny "absolute symlink" /srv/abs-link
deny "relative symlink" /srv/sub/rel-link
deny "symlinked directory" "$PAL_TMP/srv-link/secret"
deny "dot-dot components" /srv/sub/../../srv/./sub/../secret
deny "doubled slashes" //srv///secret
deny "/proc/self/root" /proc/self/root/srv/secret
pal_check "relative path after chdir" in_cg sh -c 'cd /srv && exec paltest open secret EACCES'
pal_check "relative dot-dot after chdir" \
	in_cg sh -c 'cd /srv/sub && exec paltest open ../secret EACCES'
pal_check "O_PATH fd re-opened through /proc/self/fd/N" in_cg paltest reopen /srv/secret EACCES
pal_check "openat2 RESOLVE_BENEATH" in_cg paltest openat2 /srv secret EACCES beneath
pal_check "openat2 RESOLVE_IN_ROOT" in_cg paltest openat2 / srv/secret EACCES in_root
pal_check "openat2 RESOLVE_NO_SYMLINKS|NO_MAGICLINKS|NO_XDEV" \
	in_cg paltest openat2 /srv secret EACCES no_symlinks,no_magiclinks,no_xdev
pal_check "openat2 through a symlink" in_cg paltest openat2 /srv abs-link EACCES none
pal_check "openat2 RESOLVE_IN_ROOT, relative symlink" \
	in_cg paltest openat2 /srv sub/rel-link EACCES in_root
pal_check "io_uring IORING_OP_OPENAT" in_cg paltest uring-open /srv/secret EACCES inline
pal_check "io_uring IORING_OP_OPENAT in an io-wq worker (IOSQE_ASYNC)" \
	in_cg paltest uring-open /srv/abs-link EACCES async
pal_check "io_uring IORING_OP_OPENAT2" in_cg paltest uring-open /srv/secret EACCES openat2
pal_check "control: io_uring opens an allowed file" in_cg paltest uring-open /srv/sub/.. OK inline
denied=$((denied + 11))
pal_check "names of 8, 9 and 16 bytes hash alike in kernel and compiler" \
	in_cg paltest open "$w/f" EACCES
# Controls: the policy is exact, and only binds its cgroup.
pal_check "the directory itself opens" in_cg paltest open /srv/sub/.. OK d
pal_check "outside the cgroup the file opens" paltest open /srv/abs-link OK
pal_check "write is not denied (rule is read only)" in_cg paltest open /srv/secret OK w
pal_agent_stop

log "one cat denial, exe busybox" -c 1 event=file action=deny exe=/bin/busybox path=/srv/secret \
	op=open errno=13
# A folded record carries the comm of its last repeat (io-wq workers are
# "iou-wrk-N"): match on the executable.
log "$denied paltest denials, every one logged as /srv/secret" -c "$denied" event=file \
	action=deny mode=enforce policy=paths rule=0 generation=1 op=open 'access=["read"]' \
	errno=13 exe=/bin/paltest path=/srv/secret \
	"cgroup=/pal-test-$PAL_CASE/confined" '!unresolved' '!truncated' '!path2'
log "the word-boundary path: rule 1" -c 1 event=file action=deny rule=1 "path=$w/f"
log "no record of another path" -n 0 event=file path!=/srv/secret "path!=$w/f"
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
