# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 120
# Both sides of where confinement begins (docs/containers.md), without a
# runtime. A policy targets cgroup w. "w/lure" is created by the case shell
# after the agent started: a cgroup in setup until something executes in it.
#  - a host shell moved into it reads /srv/secret with a shell builtin, no
#    exec: the runtime's setup, not decided by w's rules;
#  - a task confined in w/a (it exec'd there) cannot move itself into
#    w/lure (op cgroup_move); moved there by a host task (as a runtime
#    would), it reads with a builtin: still denied, and so is a child it
#    forks there;
#  - the first exec in w/lure arms it: then the host shell is denied too.
# "w/copy-memfd" and "w/copy-bind", also in setup, are where a runtime's
# init that runs a real program executes a copy of itself: a memfd (crun),
# or its binary through a bind mount it unmounted (runc). That exec does
# not arm the cgroup, and the copy still reads as the runtime's setup. The
# copy's own exec of such a file (an entrypoint of /proc/self/exe) arms it
# and is decided by w's rules: the file has no path, so it fails closed.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

mkdir -p /srv && echo "setup secret" >/srv/secret
mkdir -p "$PAL_CGROUP/w/a"
pal_policy w.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: w-secret
target:
  cgroups: [/pal-test-$PAL_CASE/w]
files:
  - paths: [/srv/secret]
    access: [read]
    action: deny
YAML
pal_agent_start
mkdir "$PAL_CGROUP/w/lure"
lure=$PAL_CGROUP/w/lure

# Move this shell into $1, then read with builtins only: exit 0 if the read
# works, 1 if it is refused, 2 if the move failed.
read_in='echo $$ >"$1/cgroup.procs" || exit 2; read -r l </srv/secret || exit 1'
# A confined shell that waits (builtins only) until the host moved it, then
# reads: in the shell itself, or in a subshell (a fork, no exec).
wait_read='echo $$ >"$1.pid"; read -r x <"$1"; read -r l </srv/secret || exit 1'
wait_fork_read='echo $$ >"$1.pid"; read -r x <"$1"; (read -r l </srv/secret) || exit 1'
ok() { sh -c "$@"; }
refused() { "$@"; [ $? = 1 ]; }
not_moved() { "$@"; [ $? = 2 ]; }
# Run SCRIPT confined in w/a; this (host) shell moves it into the cgroup in setup.
moved_by_host() { # SCRIPT
	_go=$PAL_TMP/go
	rm -f "$_go" "$_go.pid" && mkfifo "$_go"
	pal_in_cgroup w/a sh -c "$1" - "$_go" &
	_p=$!
	until [ -s "$_go.pid" ]; do sleep 0.1; done
	read -r _pid <"$_go.pid"
	echo "$_pid" >"$lure/cgroup.procs" || { kill "$_pid"; return 2; }
	echo go >"$_go"
	wait "$_p"
}
pal_check "setup: a host shell in the new cgroup reads (no exec yet)" ok "$read_in" - "$lure"
pal_check "a confined task cannot move itself into the cgroup in setup" \
	not_moved pal_in_cgroup w/a sh -c "$read_in" - "$lure"
pal_check "a confined task moved into the cgroup in setup stays confined" \
	refused moved_by_host "$wait_read"
pal_check "... and so does a child it forks there" refused moved_by_host "$wait_fork_read"
pal_check "the first exec in the cgroup arms it" pal_in_cgroup w/lure paltest open /srv/secret EACCES
pal_check "armed: a host shell moved in is denied" refused sh -c "$read_in" - "$lure"

for k in memfd bind; do
	mkdir "$PAL_CGROUP/w/copy-$k"
	c_k=$PAL_CGROUP/w/copy-$k
	pal_check "setup: a runtime's $k copy of itself reads (no arming)" unshare -m \
		paltest join "$c_k" copy-exec $k /bin/paltest OK paltest open /srv/secret OK
	pal_check "... and the cgroup is still in setup" ok "$read_in" - "$c_k"
	pal_check "the $k copy's own exec of a $k copy arms the cgroup and is denied" unshare -m \
		paltest join "$c_k" copy-exec $k /bin/paltest OK paltest copy-exec $k /bin/paltest EACCES
	pal_check "armed by it: a host shell moved in is denied" refused sh -c "$read_in" - "$c_k"
done
pal_agent_settle
pal_agent_stop

c="event=file action=deny errno=13 op=open policy=w-secret rule=0 path=/srv/secret"
cg=/pal-test-$PAL_CASE/w/lure
# shellcheck disable=SC2086 # $c is a list of filters
{
pal_check "records: the confined shells (2) and the host shell once armed" \
	palrec "$PAL_LOG" -q -c 3 $c exe=/bin/busybox cgroup=$cg
pal_check "record: the arming exec" palrec "$PAL_LOG" -q -c 1 $c exe=/bin/paltest cgroup=$cg
pal_check "record: the confined task's own move" palrec "$PAL_LOG" -q -c 1 event=file \
	action=deny errno=13 op=cgroup_move policy=w-secret "path=$lure/cgroup.procs" \
	exe=/bin/busybox cgroup=/pal-test-$PAL_CASE/w/a
for k in memfd bind; do
	pal_check "record: the exec by the $k copy, unresolved" palrec "$PAL_LOG" -q -c 1 \
		event=exec action=deny errno=13 op=exec policy=w-secret unresolved=true \
		cgroup=/pal-test-$PAL_CASE/w/copy-$k
	pal_check "record: the host shell in the armed $k copy cgroup" palrec "$PAL_LOG" -q -c 1 \
		$c exe=/bin/busybox cgroup=/pal-test-$PAL_CASE/w/copy-$k
done
pal_check "nothing else" palrec "$PAL_LOG" -q -c 7 event=file
pal_check "no other exec denied" palrec "$PAL_LOG" -q -c 2 event=exec
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
rm -f /srv/secret
pal_done
