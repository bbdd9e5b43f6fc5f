#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Offline checks of deploy/kubernetes/*.yaml, deploy/Dockerfile and the
default config deploy/palisade.yaml: parse them and check the fields the
agent depends on. No cluster and no Docker engine needed.

Usage: manifests_test.py SRCDIR VERSION DEB_DEPENDS_FILE [PALISADE_BINARY]
(DEB_DEPENDS_FILE: the .deb's runtime packages, ';'-separated, written by
cmake/Install.cmake.)
"""
import os
import re
import subprocess
import sys
import tempfile

try:
    import yaml
except ImportError:
    print("SKIP: python3 has no yaml module (Debian package python3-yaml)")
    sys.exit(77)

SRC, VERSION = sys.argv[1], sys.argv[2]
with open(sys.argv[3], encoding="utf-8") as _f:
    DEB_DEPENDS = [p for p in _f.read().strip().split(";") if p]
BINARY = sys.argv[4] if len(sys.argv) > 4 and os.access(sys.argv[4], os.X_OK) else None
K8S = os.path.join(SRC, "deploy", "kubernetes")
CAPS = {"BPF", "PERFMON", "SYS_ADMIN", "NET_ADMIN", "SYS_RESOURCE", "DAC_READ_SEARCH",
        "DAC_OVERRIDE", "AUDIT_WRITE"}
HOST_MOUNTS = {  # host path: must the mount be read-only?
    "/sys/fs/bpf": False,
    "/sys/kernel/security": True,
    "/sys/fs/cgroup": True,
    "/sys/kernel/btf": True,
    "/var/log/palisade": False,
    # the runtimes' state, for container names (docs/kubernetes.md)
    "/run/containerd/io.containerd.runtime.v2.task": True,
    "/run/runc": True,
    "/run/crun": True,
    "/run/containers/storage": True,
}

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL: " + what)
    return cond


def load_all(path):
    with open(path, encoding="utf-8") as f:
        return [d for d in yaml.safe_load_all(f) if d is not None]


def walk(node, path=""):
    """Every (path, key, value) of a nested structure."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield path, k, v
            yield from walk(v, path + "." + str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, "%s[%d]" % (path, i))


def dockerfile():
    """The image tag of the build comment, the stages, and the runtime packages."""
    text = open(os.path.join(SRC, "deploy", "Dockerfile"), encoding="utf-8").read()
    # Join continuation lines so each instruction is one line.
    logical = re.sub(r"\\\n\s*", " ", text)
    froms = re.findall(r"^FROM\s+(\S+)(?:\s+AS\s+(\S+))?", logical, re.M | re.I)
    tag = re.search(r"^#.*docker build .*-t\s+(\S+)", text, re.M)
    version = re.search(r'org\.opencontainers\.image\.version="([^"]+)"', logical)
    stages = re.split(r"^FROM\s", logical, flags=re.M)[1:]
    installs = []
    for st in stages:
        pkgs = []
        for m in re.finditer(r"apt-get install ([^&\n]*)", st):
            pkgs += [w for w in m.group(1).split() if not w.startswith("-")]
        installs.append(pkgs)
    entry = re.search(r"^ENTRYPOINT\s+(.*)$", stages[-1] if stages else "", re.M)
    return {"froms": froms, "tag": tag.group(1) if tag else None,
            "version": version.group(1) if version else None,
            "installs": installs, "entrypoint": entry.group(1) if entry else None,
            "stages": stages}


def test_dockerfile(df):
    check(len(df["froms"]) == 2, "Dockerfile is not two-stage: %s" % df["froms"])
    check(all(f[0] == "debian:bookworm-slim" for f in df["froms"]),
          "Dockerfile stages are not debian:bookworm-slim: %s" % df["froms"])
    if len(df["froms"]) == 2 and len(df["installs"]) == 2:
        check(df["froms"][0][1] == "build", "the first stage is not named 'build'")
        build, runtime = df["installs"]
        for p in ("libbpf-dev", "libyaml-dev", "clang", "cmake", "bpftool"):
            check(p in build, "the build stage does not install %s" % p)
        check(not [p for p in runtime if p.endswith("-dev") or p in
                   ("clang", "llvm", "cmake", "build-essential", "gcc")],
              "the runtime stage installs build tools: %s" % runtime)
        for p in DEB_DEPENDS:
            check(p in runtime, "the runtime stage lacks %s (a .deb dependency)" % p)
        check("--from=build" in df["stages"][1], "the runtime stage copies nothing from build")
        check("cmake" in df["stages"][0] and "--install" in df["stages"][0],
              "the build stage does not build and install with cmake")
    check(df["entrypoint"] and "/usr/sbin/palisade" in df["entrypoint"],
          "ENTRYPOINT is not /usr/sbin/palisade")
    check(df["version"] == VERSION,
          "image version label %s is not the project version %s" % (df["version"], VERSION))
    check(df["tag"] is not None and df["tag"].endswith(":" + VERSION),
          "the documented image tag %s does not carry version %s" % (df["tag"], VERSION))


def test_daemonset(docs, df, cm_name, cm_ns):
    kinds = {(d.get("apiVersion"), d.get("kind")) for d in docs}
    for want in (("v1", "Namespace"), ("v1", "ServiceAccount"), ("apps/v1", "DaemonSet")):
        check(want in kinds, "daemonset.yaml has no %s %s" % want)
    blanket = ["%s.%s" % (p, k) for d in docs for p, k, v in walk(d)
               if k in ("privileged", "hostNetwork") and v is True]
    check(not blanket, "privileged or hostNetwork set: %s" % blanket)
    ns = [d for d in docs if d.get("kind") == "Namespace"]
    ds = [d for d in docs if d.get("kind") == "DaemonSet"]
    if not check(len(ds) == 1 and len(ns) == 1, "want one DaemonSet and one Namespace"):
        return
    ds, ns = ds[0], ns[0]["metadata"]["name"]
    check(ds["metadata"].get("namespace") == ns, "the DaemonSet is not in namespace %s" % ns)
    check(cm_ns == ns, "the ConfigMap is in namespace %s, not %s" % (cm_ns, ns))
    tmpl = ds["spec"]["template"]
    sel = ds["spec"]["selector"]["matchLabels"]
    check(all(tmpl["metadata"]["labels"].get(k) == v for k, v in sel.items()),
          "the selector does not match the pod labels")
    pod = tmpl["spec"]
    check(pod.get("hostPID") is True, "hostPID is not true")
    check({"operator": "Exists"} in pod.get("tolerations", []),
          "no catch-all toleration (operator: Exists): some nodes would run no agent")
    ctrs = {c["name"]: c for c in pod["containers"]}
    if not check("palisade" in ctrs, "no container named palisade"):
        return
    c = ctrs["palisade"]
    check(c.get("image") == df["tag"],
          "image %s is not the Dockerfile's %s" % (c.get("image"), df["tag"]))
    args = c.get("args", [])
    check(args[:1] == ["run"], "the container does not run 'palisade run': %s" % args)
    check(any(args[i:i + 2] in (["--log", "-"], ["-l", "-"]) for i in range(len(args))),
          "the audit log does not go to stdout (--log -): %s" % args)
    sc = c.get("securityContext", {})
    check(sc.get("privileged") is False, "securityContext.privileged is not explicitly false")
    caps = sc.get("capabilities", {})
    check(set(caps.get("add", [])) == CAPS,
          "capabilities.add is %s, want %s" % (sorted(caps.get("add", [])), sorted(CAPS)))
    check("ALL" in caps.get("drop", []), "capabilities.drop lacks ALL")
    # The API server rejects allowPrivilegeEscalation: false with SYS_ADMIN.
    check(not (sc.get("allowPrivilegeEscalation") is False and "SYS_ADMIN" in caps.get("add", [])),
          "allowPrivilegeEscalation: false together with SYS_ADMIN is rejected by Kubernetes")
    res = c.get("resources", {})
    for kind in ("requests", "limits"):
        check("cpu" in res.get(kind, {}) and "memory" in res.get(kind, {}),
              "resources.%s lacks cpu or memory" % kind)
    probe = c.get("livenessProbe", {}).get("exec", {}).get("command", [])
    check(any(w.endswith("palisade") for w in probe) and "status" in probe,
          "the liveness probe is not 'palisade status': %s" % probe)

    vols = {v["name"]: v for v in pod.get("volumes", [])}
    mounts = {m["name"]: m for m in c.get("volumeMounts", [])}
    check(set(mounts) <= set(vols), "mounts of undefined volumes: %s" % (set(mounts) - set(vols)))
    check(set(vols) <= set(mounts), "volumes never mounted: %s" % (set(vols) - set(mounts)))
    by_host = {v["hostPath"]["path"]: n for n, v in vols.items() if "hostPath" in v}
    for host, ro in HOST_MOUNTS.items():
        n = by_host.get(host)
        if not check(n in mounts, "no hostPath mount of %s" % host):
            continue
        m = mounts[n]
        check(m["mountPath"] == host, "%s is mounted at %s" % (host, m["mountPath"]))
        if ro:
            check(m.get("readOnly") is True, "%s is not mounted read-only" % host)
    bpf = mounts.get(by_host.get("/sys/fs/bpf"), {})
    prop = bpf.get("mountPropagation")
    check(prop in ("HostToContainer", "Bidirectional"),
          "/sys/fs/bpf has no host mount propagation: %s" % prop)
    # Kubernetes allows Bidirectional only in privileged containers.
    check(prop != "Bidirectional" or sc.get("privileged") is True,
          "Bidirectional propagation needs privileged: true")
    cmv = [n for n, v in vols.items() if v.get("configMap", {}).get("name") == cm_name]
    if check(len(cmv) == 1, "no volume of ConfigMap %s" % cm_name):
        m = mounts.get(cmv[0], {})
        check(m.get("mountPath") == "/etc/palisade/policies",
              "the policies ConfigMap is mounted at %s" % m.get("mountPath"))
        # A subPath mount is never updated by kubelet: no hot reload.
        check("subPath" not in m, "the policies ConfigMap is mounted with subPath")
        check(m.get("readOnly") is True, "the policies ConfigMap mount is not read-only")
        pd = args[args.index("--policy-dir") + 1] if "--policy-dir" in args else \
            "/etc/palisade/policies"
        check(pd == m.get("mountPath"), "--policy-dir %s is not the ConfigMap mount" % pd)


def test_configmap(docs):
    cms = [d for d in docs if d.get("kind") == "ConfigMap" and d.get("apiVersion") == "v1"]
    if not check(len(cms) == 1, "configmap.yaml has no v1 ConfigMap"):
        return None, None, {}
    cm = cms[0]
    data = cm.get("data", {})
    check(len(data) >= 1, "the ConfigMap holds no policy")
    examples = os.path.join(SRC, "policies", "examples")
    for key, text in data.items():
        check(re.fullmatch(r"[a-z0-9-]+\.ya?ml", key), "ConfigMap key %s is no policy file" % key)
        pols = list(yaml.safe_load_all(text))
        check(all(p.get("apiVersion") == "palisade/v1" and p.get("kind") == "Policy" and
                  p.get("name") for p in pols), "ConfigMap %s is not a palisade/v1 Policy" % key)
        ex = os.path.join(examples, key)
        if os.path.exists(ex):
            check(open(ex, encoding="utf-8").read() == text,
                  "ConfigMap %s differs from policies/examples/%s" % (key, key))
    return cm["metadata"]["name"], cm["metadata"].get("namespace"), data


def test_policies_check(data):
    """The ConfigMap's policies pass `palisade check` (when the binary is built)."""
    if not BINARY:
        print("note: no palisade binary given: ConfigMap policies not run through check")
        return
    with tempfile.TemporaryDirectory() as d:
        for key, text in data.items():
            with open(os.path.join(d, key), "w", encoding="utf-8") as f:
                f.write(text)
        r = subprocess.run([BINARY, "check", "--no-host", d], capture_output=True, text=True)
        check(r.returncode == 0, "palisade check on the ConfigMap policies: %s" % r.stderr)


def test_config():
    path = os.path.join(SRC, "deploy", "palisade.yaml")
    cfg = load_all(path)
    if not check(len(cfg) == 1 and isinstance(cfg[0], dict), "palisade.yaml is not one mapping"):
        return
    cfg = cfg[0]
    check(cfg.get("apiVersion") == "palisade/v1" and cfg.get("kind") == "AgentConfig",
          "palisade.yaml has the wrong apiVersion/kind")
    man = open(os.path.join(SRC, "docs", "man", "palisade.8.scd"), encoding="utf-8").read()
    run = man[man.index("## run"):man.index("## check")]
    for key in cfg:
        if key in ("apiVersion", "kind"):
            continue
        check("*--%s*" % key in run, "config key %s is no documented 'run' flag" % key)
    check(cfg.get("policy-dir") == "/etc/palisade/policies", "policy-dir is not the default")
    log = cfg.get("log", "")
    check(log.startswith("/var/log/palisade/") and log.endswith(".log"),
          "log %s is not rotated by deploy/logrotate (/var/log/palisade/*.log)" % log)


def main():
    df = dockerfile()
    test_dockerfile(df)
    cm_name, cm_ns, data = test_configmap(load_all(os.path.join(K8S, "configmap.yaml")))
    test_daemonset(load_all(os.path.join(K8S, "daemonset.yaml")), df, cm_name, cm_ns)
    test_policies_check(data)
    test_config()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
