"""Benchmarks 1 and 2: a fresh converge of the site playbook on a bare Debian 12
container against the irreducible work (the same package installs as plain shell
commands in another fresh container), then the idempotent re-run.

    python bench/converge.py [--members 50] [--keep]

Writes bench/results/converge.json and converge.png (converge-N.* for a team other than 50); leaves teamhub-bench-site
running with --keep (the load benchmark uses it)."""

import argparse
import json
import os
import re
import secrets
import subprocess
import time

import yaml

import benchlib
from teamhub_testing import RECAP

ROLE_TIME = re.compile(r"^(?P<role>[a-z_.]+) -+ (?P<seconds>\d+\.\d+)s$", re.M)
# profile_tasks' summary: "teamhub.jupyter.users : Create the members' accounts ---- 61.20s"
TASK_TIME = re.compile(r"^(?P<task>\S.* : .*?) -+ (?P<seconds>\d+\.\d+)s$", re.M)
INSTALLER = "Miniconda3-teamhub-fake-Linux-x86_64.sh"


def make_team(members):
    """Members bench01.., random passwords and their SHA-512 crypt hashes, in WORK only."""
    work = benchlib.WORK
    work.mkdir(parents=True, exist_ok=True)
    os.chmod(work, 0o700)
    passwords, accounts = {}, []
    for index in range(1, members + 1):
        name = f"bench{index:02d}"
        passwords[name] = secrets.token_urlsafe(12)
        digest = subprocess.run(["openssl", "passwd", "-6", "-stdin"], input=passwords[name],
                                capture_output=True, text=True, check=True).stdout.strip()
        accounts.append({"name": name, "password_hash": digest})
    (work / "passwords.json").write_text(json.dumps(passwords), encoding="utf-8")
    (work / "accounts.json").write_text(json.dumps(accounts), encoding="utf-8")
    (work / "service.token").write_text(secrets.token_hex(32), encoding="utf-8")
    benchlib.run([str(benchlib.TOP / "tests" / "fakeconda" / "make-installer.sh"), str(work / "installer")],
                 stdout=subprocess.DEVNULL)


def baseline_steps():
    """The site's package installs as shell commands: the irreducible work of a converge."""
    defaults = yaml.safe_load((benchlib.TOP / "roles" / "jupyterhub" / "defaults" / "main.yml").read_text(encoding="utf-8"))
    internal = yaml.safe_load((benchlib.TOP / "roles" / "jupyterhub" / "vars" / "main.yml").read_text(encoding="utf-8"))
    team = yaml.safe_load((benchlib.TOP / "bench" / "inventory" / "group_vars" / "teamhub.yml").read_text(encoding="utf-8"))
    hub_packages = [
        f"jupyterhub=={defaults['jupyterhub_version']}",
        f"jupyterlab=={defaults['jupyterhub_jupyterlab_version']}",
        f"notebook=={defaults['jupyterhub_notebook_version']}",
        f"jupyterhub-systemdspawner=={defaults['jupyterhub_systemdspawner_version']}",
        f"jupyterhub-idle-culler=={defaults['jupyterhub_idle_culler_version']}",
        *(f"'{constraint}'" for constraint in internal["__jupyterhub_pip_constraints"]),
    ]
    kernel = team["kernels_list"][0]
    return [
        # roles network, users, sshd, miniconda (with recommends), jupyterhub (without).
        ("apt", "apt-get update -qq && apt-get install -y -qq ca-certificates acl passwd adduser openssh-server bash tar python3-yaml >/dev/null"
                " && apt-get install -y -qq --no-install-recommends python3 python3-venv nodejs npm dbus >/dev/null"),
        ("pip (hub venv)", "python3 -m venv /opt/jupyterhub/venv && PIP_DISABLE_PIP_VERSION_CHECK=1 /opt/jupyterhub/venv/bin/pip install -q "
                           + " ".join(hub_packages)),
        ("npm (proxy)", "mkdir -p /opt/jupyterhub/node && npm install -q --prefix /opt/jupyterhub/node --omit=dev --omit=optional"
                        f" --no-fund --no-audit configurable-http-proxy@{defaults['jupyterhub_proxy_version']} >/dev/null"),
        ("conda (installer + kernel env)", f"bash /root/{INSTALLER} -b -p /opt/conda >/dev/null && /opt/conda/bin/conda create --yes -q -n {kernel['name']} "
                                           + " ".join(kernel["packages"] + ["ipykernel"]) + " >/dev/null"),
    ]


def run_baseline():
    name = benchlib.BASELINE
    benchlib.start_container(name, ports=())
    try:
        benchlib.run(["docker", "cp", benchlib.CA_BUNDLE, f"{name}:/root/host-ca.pem"])
        benchlib.run(["docker", "cp", str(benchlib.WORK / "installer" / INSTALLER), f"{name}:/root/{INSTALLER}"])
        env = ["-e", "DEBIAN_FRONTEND=noninteractive", "-e", "PIP_CERT=/root/host-ca.pem",
               "-e", "npm_config_cafile=/root/host-ca.pem", "-e", "NODE_EXTRA_CA_CERTS=/root/host-ca.pem"]
        steps = []
        for label, command in baseline_steps():
            start = time.monotonic()
            benchlib.run(["docker", "exec", *env, name, "sh", "-ec", command])
            steps.append({"step": label, "command": command, "seconds": round(time.monotonic() - start, 1)})
            print(f"baseline {label}: {steps[-1]['seconds']} s", flush=True)
        return steps
    finally:
        benchlib.remove_container(name)


def playbook(log_name):
    """One timed run of playbooks/site.yml on the bench container; returns seconds, recap, roles."""
    env = dict(os.environ, TEAMHUB_BENCH_DIR=str(benchlib.WORK), ANSIBLE_PIPELINING="true",
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1", ANSIBLE_CALLBACKS_ENABLED="ansible.posix.profile_roles,ansible.posix.profile_tasks")
    argv = ["ansible-playbook", "-i", str(benchlib.TOP / "bench" / "inventory"), str(benchlib.TOP / "playbooks" / "site.yml")]
    start = time.monotonic()
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=7200, check=False)
    seconds = round(time.monotonic() - start, 1)
    out = proc.stdout + proc.stderr
    (benchlib.WORK / log_name).write_text(out, encoding="utf-8")
    if proc.returncode != 0:
        raise RuntimeError(f"ansible-playbook failed (rc {proc.returncode}); log: {benchlib.WORK / log_name}\n{out[-3000:]}")
    recap = [{k: int(v) for k, v in m.groupdict().items() if k != "host"} for m in RECAP.finditer(out)][-1]
    roles = {m["role"].replace("teamhub.jupyter.", ""): float(m["seconds"]) for m in ROLE_TIME.finditer(out) if m["role"] != "total"}
    tasks = {m["task"].replace("teamhub.jupyter.", ""): float(m["seconds"]) for m in TASK_TIME.finditer(out)}
    print(f"{log_name}: {seconds} s, {recap}", flush=True)
    return seconds, recap, roles, dict(sorted(tasks.items(), key=lambda kv: -kv[1])[:10])


def plot(result, path):
    plt = benchlib.pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 6), gridspec_kw={"width_ratios": [3, 2]})
    rows = [("bare installs\n(shell)", [(s["step"], s["seconds"]) for s in result["baseline"]["steps"]]),
            ("site converge\n(ansible)", sorted(result["converge"]["roles"].items(), key=lambda kv: -kv[1])),
            (f"re-run\n(changed={result['rerun']['recap']['changed']})", sorted(result["rerun"]["roles"].items(), key=lambda kv: -kv[1]))]
    colours = plt.get_cmap("tab20").colors
    legend = {}
    for row, (label, parts) in enumerate(rows):
        offset = 0.0
        for index, (part, seconds) in enumerate(parts):
            colour = colours[(index + 4 * row) % len(colours)] if row == 0 else colours[(8 + sorted(result["converge"]["roles"]).index(part)) % len(colours)]
            legend.setdefault(part, left.barh(label, seconds, left=offset, color=colour, edgecolor="white"))
            offset += seconds
        total = {0: result["baseline"]["seconds"], 1: result["converge"]["seconds"], 2: result["rerun"]["seconds"]}[row]
        left.text(offset + 5, row, f"{total:.0f} s wall", va="center")
    left.invert_yaxis()
    left.set_xlabel("seconds (bars: per install step / per role; text: wall time)")
    left.set_title("Fresh converge vs. the bare package installs")
    left.legend(legend.values(), legend.keys(), fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=5)
    left.set_xlim(0, max(result["baseline"]["seconds"], result["converge"]["seconds"]) * 1.25)
    ratios = [("converge / bare installs", result["converge_over_baseline"]), ("re-run / converge", result["rerun_over_converge"])]
    right.bar([r[0] for r in ratios], [r[1] for r in ratios], color=["tab:blue", "tab:green"])
    for index, (label, value) in enumerate(ratios):
        right.text(index, value, f"{value:.2f}", ha="center", va="bottom")
    right.set_title("Ratios")
    benchlib.save_plot(fig, path, f"teamhub.jupyter site on {result['machine']['image']}, {result['members']} members", result)


def result_name(members):
    """converge.json for the 50-member team of the committed results, converge-N.json for others."""
    return "converge" if members == 50 else f"converge-{members}"


def main(members=50, keep=False):
    result = {"benchmark": "converge", "members": members, "machine": benchlib.machine()}
    make_team(members)
    steps = run_baseline()
    result["baseline"] = {"seconds": round(sum(s["seconds"] for s in steps), 1), "steps": steps,
                          "load_average_after": benchlib.load_average()}
    benchlib.start_container(benchlib.SITE)
    try:
        seconds, recap, roles, tasks = playbook("converge.log")
        result["converge"] = {"seconds": seconds, "recap": recap, "roles": roles, "slowest_tasks": tasks,
                              "load_average_after": benchlib.load_average()}
        seconds, recap, roles, tasks = playbook("rerun.log")
        result["rerun"] = {"seconds": seconds, "recap": recap, "roles": roles, "slowest_tasks": tasks,
                           "idempotent": recap["changed"] == 0, "load_average_after": benchlib.load_average()}
    finally:
        if not keep:
            benchlib.remove_container(benchlib.SITE)
    return finish(result, result_name(members))


def rerun_again(note, keep=True, members=50):
    """Another re-run on the kept container; the earlier one stays in the result with a note
    (e.g. the code changed under it)."""
    path = benchlib.RESULTS / f"{result_name(members)}.json"
    result = json.loads(path.read_text(encoding="utf-8"))
    result.setdefault("rerun_earlier", []).append(dict(result["rerun"], note=note))
    before = benchlib.load_average()
    try:
        seconds, recap, roles, tasks = playbook("rerun.log")
        result["rerun"] = {"seconds": seconds, "recap": recap, "roles": roles, "slowest_tasks": tasks,
                           "idempotent": recap["changed"] == 0,
                           "load_average_before": before, "load_average_after": benchlib.load_average(),
                           "date": benchlib.machine()["date"]}
    finally:
        if not keep:
            benchlib.remove_container(benchlib.SITE)
    return finish(result, result_name(members))


def finish(result, name):
    result["converge_over_baseline"] = round(result["converge"]["seconds"] / result["baseline"]["seconds"], 2)
    result["rerun_over_converge"] = round(result["rerun"]["seconds"] / result["converge"]["seconds"], 3)
    benchlib.write_result(name, result)
    plot(result, benchlib.RESULTS / f"{name}.png")
    if not result["rerun"]["idempotent"]:
        raise SystemExit(f"the re-run changed {result['rerun']['recap']['changed']} tasks (log: {benchlib.WORK / 'rerun.log'})")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=50, help="team members the site is converged with")
    parser.add_argument("--keep", action="store_true", help=f"leave {benchlib.SITE} running")
    parser.add_argument("--rerun-again", metavar="NOTE", help=f"only re-run on the kept {benchlib.SITE}; keep the earlier re-run with NOTE")
    args = parser.parse_args()
    if args.rerun_again:
        rerun_again(args.rerun_again, args.keep, args.members)
    else:
        main(args.members, args.keep)
