#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Container identity in the audit record, on the host kernel (cgroup
# programs): a cgroup tree laid out as each runtime and cgroup driver lays
# it out (below a cgroup this test creates and removes), runtime state
# directories laid out as containerd and runc (for CRI-O) lay them out (in
# a temporary directory the agent is pointed at), a denied UDP connect from
# each container, and the record must name the container. The attack: a
# container makes a cgroup below itself named after another container; the
# record must still name the outer one. Then a `target: containers:`
# policy: it selects by namespace the containers that exist at start and
# one that appears later, and a container cannot leave it by making a
# cgroup below itself named after an unselected container.
# Usage: container_native.sh PALISADE
set -uo pipefail
PAL=$1
. "$(dirname "$0")/native_lib.sh"

need_root "cgroup programs"
find_cg2
command -v python3 >/dev/null || { echo "FAIL: python3 missing (scripts/setup installs it)"; exit 1; }

agent_sandbox ctr

ID1=f81d390115234186549def0dd6aa82f15c4afa264b8394d6e7a1559bc04b753f
ID2=0ba8ac17e4e7a31fb82279503552fe94e64bab4745bf6fd2ff231e7c8ca8bed0
ID3=abddff03dfd7710c79a750ce3e730365cbb2c8247a974170c1062683bc3e9152
UID1=811bce1a-b926-49c6-af1c-115c2a06df25
UID2=2ca4a155-3599-498d-bb9d-4446693fa3ea
# systemd driver, containerd CRI; cgroupfs driver, CRI-O; docker (cgroupfs), no state
c1=$cg/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${UID1//-/_}.slice/cri-containerd-$ID1.scope
c2=$cg/kubepods/burstable/pod$UID2/crio-$ID2
c3=$cg/docker/$ID3
spoof=$c3/docker-$ID1.scope
escape=$c1/docker-$ID3.scope
mkdir -p "$c1" "$c2" "$spoof" "$escape" || { echo "FAIL: cannot create the cgroup tree under $cg"; exit 1; }

mkdir -p "$tmp/bpf" "$tmp/pol" "$tmp/ctd/k8s.io/$ID1" "$tmp/runc/$ID2" "$tmp/bundle/$ID2" "$tmp/crun"
chmod 0755 "$tmp/pol"
cat >"$tmp/ctd/k8s.io/$ID1/config.json" <<JSON
{"ociVersion":"1.1.0","annotations":{"io.kubernetes.cri.container-type":"container",
"io.kubernetes.cri.container-name":"nginx","io.kubernetes.cri.image-name":"docker.io/library/nginx:1.27",
"io.kubernetes.cri.sandbox-name":"web-7d4b9c","io.kubernetes.cri.sandbox-namespace":"prod",
"io.kubernetes.cri.sandbox-uid":"$UID1"}}
JSON
# runc keeps the bundle as a label of the container's config
echo "{\"id\":\"$ID2\",\"config\":{\"labels\":[\"bundle=$tmp/bundle/$ID2\"]}}" >"$tmp/runc/$ID2/state.json"
cat >"$tmp/bundle/$ID2/config.json" <<JSON
{"annotations":{"io.kubernetes.pod.name":"api-0","io.kubernetes.pod.namespace":"shop",
"io.kubernetes.container.name":"api","io.kubernetes.cri-o.ImageName":"quay.io/shop/api:v2",
"io.kubernetes.cri-o.Labels":"{\"app\":\"api\"}"}}
JSON
agent_bpffs_netdeny

sport=$((port + 1))
cat >"$tmp/pol/prod.yaml" <<YAML
apiVersion: palisade/v1
kind: Policy
name: prod-no-port
target:
  containers:
    - namespace: prod
      image: "docker.io/library/*"
network:
  - connect: [127.0.0.0/8]
    ports: [$sport]
    protocols: [udp]
    action: deny
YAML

PALISADE_OCI_CONTAINERD_ROOT=$tmp/ctd PALISADE_OCI_RUNC_ROOT=$tmp/runc \
	PALISADE_OCI_CRUN_ROOT=$tmp/crun "$PAL" run -d "$tmp/pol" -l "$tmp/audit.log" \
	--pin-dir "$tmp/bpf/pal" --socket "$tmp/ctl.sock" 2>"$tmp/agent.err" &
agent=$!
agent_wait_ready
# no state for it: confined by every policy that could select it while the
# agent waits for its runtime's state (10 s from the agent's start: first)
check "selector: container without state confined while the agent waits" \
	udp_connect EPERM "$c3" "$sport"

for c in "$c1" "$c2" "$c3" "$spoof"; do
	check "connect from ${c#"$CG2"} is denied with EPERM" udp_connect EPERM "$c"
done
sleep 1.5
record_of() { grep '"event":"network"' "$tmp/audit.log" | grep -F "\"cgroup\":\"${1#"$CG2"}\""; }
has() { # cgroup, then the fields its record must have
	local c=$1 rec
	shift
	rec=$(record_of "$c")
	echo "record: $rec"
	for f in "$@"; do
		check "record of ${c##*/} has $f" grep -qF "$f" <<<"$rec"
	done
}
hasnot() {
	local c=$1 rec
	shift
	rec=$(record_of "$c")
	for f in "$@"; do
		check "record of ${c##*/} has no $f" bash -c '! grep -qF "$1" <<<"$2"' - "$f" "$rec"
	done
}
has "$c1" '"errno":1' "\"container_id\":\"$ID1\"" '"runtime":"containerd"' \
	'"container":"nginx"' '"pod":"web-7d4b9c"' '"namespace":"prod"' \
	'"image":"docker.io/library/nginx:1.27"' "\"pod_uid\":\"$UID1\""
has "$c2" '"errno":1' "\"container_id\":\"$ID2\"" '"runtime":"cri-o"' '"container":"api"' \
	'"pod":"api-0"' '"namespace":"shop"' '"image":"quay.io/shop/api:v2"' \
	"\"pod_uid\":\"$UID2\""
# no state for it: what the path says, nothing more
has "$c3" '"errno":1' "\"container_id\":\"$ID3\"" '"runtime":"docker"'
hasnot "$c3" '"pod"' '"container"' '"image"'
# the attack: the cgroup named after container 1, made inside container 3
has "$spoof" '"errno":1' "\"container_id\":\"$ID3\"" '"runtime":"docker"'
hasnot "$spoof" "\"container_id\":\"$ID1\"" '"nginx"' '"prod"'
# a cgroup that is no container: no container fields
check "connect from the test cgroup itself is denied" udp_connect EPERM "$cg"
sleep 1.5
hasnot "$cg" '"container_id"' '"runtime"'

# the container selector: prod containers only, the ones there at start and a new one
check "selector: prod container denied" udp_connect EPERM "$c1" "$sport"
check "selector: a cgroup made inside the prod container is still selected" \
	udp_connect EPERM "$escape" "$sport"
check "selector: shop container allowed" udp_connect OK "$c2" "$sport"
# the container without state, once the agent stopped waiting: decided
# without its names
waiting() { "$PAL" status --json --socket "$tmp/ctl.sock" | grep -q '"containers_waiting":0}'; }
for _ in $(seq 150); do waiting && break; sleep 0.1; done
check "the agent stops waiting for the state after 10 s" waiting
check "selector: container without state allowed then" udp_connect OK "$c3" "$sport"
check "and the agent said so" grep -q "${c3#"$CG2"}: its runtime wrote no OCI state in 10 s" \
	"$tmp/audit.log"
check "selector: the test cgroup allowed" udp_connect OK "$cg" "$sport"
ID4=286b15051ec43375190802e1f40562536980a8fd97e75bb89c7f2eec6f995f17
mkdir -p "$tmp/ctd/k8s.io/$ID4"
sed "s/nginx/nginx2/g" "$tmp/ctd/k8s.io/$ID1/config.json" >"$tmp/ctd/k8s.io/$ID4/config.json"
c4=${c1%/*}/cri-containerd-$ID4.scope
mkdir "$c4"
sleep 0.5
check "selector: a prod container created later is denied" udp_connect EPERM "$c4" "$sport"
sleep 1.5
has "$c4" '"policy":"prod-no-port"' "\"container_id\":\"$ID4\"" '"container":"nginx2"' \
	'"namespace":"prod"'

st=$("$PAL" status --json --socket "$tmp/ctl.sock")
echo "status: $st"
pol=$(python3 -c '
import json, sys
for p in json.load(sys.stdin)["policies"]:
    if p["name"] == "prod-no-port":
        print(json.dumps(p, separators=(",", ":")))' <<<"$st")
for f in '"container_selectors":[{"namespace":"prod","image":"docker.io/library/*"}]' \
	"\"container_id\":\"$ID1\"" "\"container_id\":\"$ID4\"" '"runtime":"containerd"' \
	"\"pod_uid\":\"$UID1\""; do
	check "status lists for prod-no-port $f" grep -qF "$f" <<<"$pol"
done
check "status: prod-no-port lists exactly two containers" \
	test "$(grep -o '"container_id"' <<<"$pol" | wc -l)" = 2

kill -TERM "$agent"
wait "$agent"
check "agent exits 0 on SIGTERM" test $? = 0
agent=
exit $fail
