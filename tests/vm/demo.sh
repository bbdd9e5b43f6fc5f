# SPDX-License-Identifier: GPL-2.0-only
# `make demo`: on a real BPF LSM kernel, run the agent with a policy that
# protects /etc/shadow for the processes of one cgroup, show a denied `cat`
# and the JSON audit line it produced, show that the agent cannot be killed
# by another process, then stop it cleanly with `palisade stop`.
say() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

say "kernel $(uname -r), active LSMs: $(cat /sys/kernel/security/lsm)"
echo 'root:$y$j9T$demo-hash$:19000:0:99999:7:::' >/etc/shadow
chmod 0640 /etc/shadow
mkdir -p /run/demo/policies /sys/fs/cgroup/demo
cp "$PAL_POLICIES/demo.yaml" /run/demo/policies/
say "policy /run/demo/policies/demo.yaml"
grep -v '^#' /run/demo/policies/demo.yaml

say "palisade check"
"$PAL_AGENT" check /run/demo/policies

say "palisade run -d /run/demo/policies -l /run/demo/audit.log"
"$PAL_AGENT" run -d /run/demo/policies -l /run/demo/audit.log &
agent=$!
i=0
until grep -q '"event":"policy"' /run/demo/audit.log 2>/dev/null; do
	i=$((i + 1))
	if [ $i -gt 300 ] || ! kill -0 $agent 2>/dev/null; then
		echo "demo: the agent did not start"
		exit 1
	fi
	sleep 0.1
done

say "outside the cgroup: cat /etc/shadow"
cat /etc/shadow
say "inside cgroup /demo: cat /etc/shadow"
sh -c 'echo $$ >/sys/fs/cgroup/demo/cgroup.procs; exec cat /etc/shadow'
echo "(exit status $?)"
sleep 0.5

say "the audit log"
cat /run/demo/audit.log

say "self-protection: kill -TERM of the agent from another process"
kill -TERM $agent
echo "(refused)"
sleep 0.5
grep '"op":"kill"' /run/demo/audit.log
say "palisade stop (detaches everything)"
"$PAL_AGENT" stop
wait $agent
echo "agent exited with $?"
grep -q '"path":"/etc/shadow"' /run/demo/audit.log && grep -q '"op":"kill"' /run/demo/audit.log
