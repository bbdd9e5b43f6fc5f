# SPDX-License-Identifier: GPL-2.0-only
# pal-timeout: 300
# Unix sockets by path. A `files:` rule with `connect` on a socket's path
# decides connect(2) to a stream socket bound there and datagrams sent to
# one, on the path the socket is bound at: a symlink to it, a bind mount of
# its directory, and a new user and mount namespace reach the same socket
# and are denied too. Sockets the rules do not name, an allow-list's default
# (it does not decide connects), and unconfined tasks connect as before.
. "$PAL_LIB"
. /lib/palisade-test/agent.sh

t=$PAL_TMP
mkdir -p "$t/s" "$t/alias"
mount -t tmpfs pal-sock "$t/s"
pids=
srv() {
	palmeta unix-serve "$@" &
	pids="$pids $!"
}
srv "$t/s/deny.sock" stream
srv "$t/s/dgram.sock" dgram
srv "$t/s/ok.sock" stream
srv "$t/s/okd.sock" dgram
for s in deny dgram ok okd; do
	i=0
	while [ ! -S "$t/s/$s.sock" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
done
ln -s "$t/s/deny.sock" "$t/link.sock"
mount --bind "$t/s" "$t/alias"
mkdir "$PAL_CGROUP/c" "$PAL_CGROUP/al"
pal_policy unix.yaml <<YAML
apiVersion: palisade/v1
kind: Policy
name: sock-deny
target:
  cgroups: [/pal-test-$PAL_CASE/c]
files:
  - paths: [$t/s/deny.sock, $t/s/dgram.sock]
    access: [connect]
    action: deny
---
apiVersion: palisade/v1
kind: Policy
name: allow-list
target:
  cgroups: [/pal-test-$PAL_CASE/al]
default: deny
files:
  - dirs: [/]
    access: [read, exec, mmap-exec]
    action: allow
YAML
pal_agent_start

c() { pal_in_cgroup c palmeta unix "$@"; }
pal_check "stream connect to a denied socket: EACCES" c - "$t/s/deny.sock" stream EACCES
pal_check "... through a symlink: EACCES" c - "$t/link.sock" stream EACCES
pal_check "... through a bind mount of its directory: EACCES" c - "$t/alias/deny.sock" stream \
	EACCES
pal_check "... as root of a new user namespace: EACCES" c userns "$t/s/deny.sock" stream EACCES
pal_check "datagram to a denied socket: EACCES" c - "$t/s/dgram.sock" dgram EACCES
pal_check "datagram through a bind mount: EACCES" c - "$t/alias/dgram.sock" dgram EACCES
pal_check "a socket the rules do not name: connect works" c - "$t/s/ok.sock" stream OK
pal_check "a socket the rules do not name: datagram works" c - "$t/s/okd.sock" dgram OK
pal_check "an allow-list's default does not decide connects" \
	pal_in_cgroup al palmeta unix - "$t/s/deny.sock" stream OK
pal_check "unconfined: connect to the denied socket works" \
	palmeta unix - "$t/s/deny.sock" stream OK
pal_check "unconfined: datagram to the denied socket works" \
	palmeta unix - "$t/s/dgram.sock" dgram OK
pal_agent_stop
# shellcheck disable=SC2086 # a list of pids
kill $pids
wait

c='event=file action=deny errno=13 exe=/bin/palmeta policy=sock-deny rule=0 op=connect'
# shellcheck disable=SC2086 # $c is a list of filters
{
# In the new mount namespace the socket has two paths that show its whole
# filesystem (the copies of $t/s and of its bind mount): either may be logged.
log "record: stream connects, by the path the socket is bound at" -c 4 $c 'access=["connect"]' \
	path~/deny.sock
log "record: datagrams" -c 2 $c 'access=["connect"]' "path=$t/s/dgram.sock"
log "nothing else" -c 6 event=file
}
[ "$pal_failed" = 0 ] || sed "s/^/  log: /" "$PAL_LOG"
pal_done
