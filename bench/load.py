"""Benchmark 3: Monday morning. N members at once log in through the hub's login form,
start their server, start the team kernel and run code in it over the Jupyter
websocket protocol (tests/support/hub_client.py, one thread per member). The hub's
and the proxy's CPU and memory are sampled from their systemd units while it runs.

    python bench/load.py [--members 20]

Needs teamhub-bench-site converged by bench/converge.py --keep. Writes
bench/results/load-N.json and load-N.png."""

import argparse
import concurrent.futures
import copy
import json
import os
import statistics
import subprocess
import threading
import time

import requests

import benchlib
from hub_client import Hub

KERNEL = "dev-default"
CODE = "import pandas as pd\nprint(int(pd.Series(range(1000)).sum()))"
EXPECTED = "499500"

# Run inside the container: CPU seconds and resident memory of the hub's and the
# proxy's main processes (from their systemd units), and the RSS of every process.
SAMPLER = r"""
import json, os, subprocess
tick, page = os.sysconf("SC_CLK_TCK"), os.sysconf("SC_PAGE_SIZE")
def stat(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / tick, int(fields[21]) * page / 2**20
out = {}
for key, unit in (("hub", "jupyterhub.service"), ("proxy", "jupyterhub-proxy.service")):
    pid = subprocess.run(["systemctl", "show", "-p", "MainPID", "--value", unit], capture_output=True, text=True).stdout.strip()
    if pid and pid != "0":
        cpu, rss = stat(pid)
        out[key] = {"cpu_s": cpu, "rss_mib": round(rss, 1)}
total = 0.0
for pid in os.listdir("/proc"):
    if pid.isdigit():
        try:
            total += stat(pid)[1]
        except (OSError, IndexError, ValueError):
            pass
out["all_rss_mib"] = round(total, 1)
print(json.dumps(out))
"""

# Run inside the container once the run is over: the CPU seconds every member's server
# used with its kernels since it started (user and system, children included), from the
# processes of each jupyter-*-singleuser unit's cgroup (cgroup v1 or v2).
SERVERS_CPU = r"""
import json, os, subprocess
tick = os.sysconf("SC_CLK_TCK")
listed = subprocess.run(["systemctl", "list-units", "--no-legend", "--plain", "jupyter-*-singleuser.service"],
                        capture_output=True, text=True).stdout.splitlines()
total, servers = 0.0, 0
for unit in (line.split()[0] for line in listed if line.strip()):
    group = subprocess.run(["systemctl", "show", "-p", "ControlGroup", "--value", unit], capture_output=True, text=True).stdout.strip()
    for root in ("/sys/fs/cgroup", "/sys/fs/cgroup/unified", "/sys/fs/cgroup/systemd", "/sys/fs/cgroup/pids"):
        procs = root + group + "/cgroup.procs"
        if group and os.path.exists(procs):
            servers += 1
            for pid in open(procs).read().split():
                try:
                    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
                    total += sum(int(f) for f in fields[11:15]) / tick
                except (OSError, IndexError, ValueError):
                    pass
            break
print(json.dumps({"servers": servers, "cpu_s": round(total, 1)}))
"""


class Sampler(threading.Thread):
    """Samples the hub container every `every` seconds until stopped."""

    def __init__(self, container, every=1.0):
        super().__init__(daemon=True)
        self.container = container
        self.every = every
        self.samples = []
        self.stopping = threading.Event()
        self.start_time = time.monotonic()

    def run(self):
        while not self.stopping.is_set():
            proc = subprocess.run(["docker", "exec", self.container, "python3", "-c", SAMPLER],
                                  capture_output=True, text=True, timeout=60, check=False)
            if proc.returncode == 0:
                sample = json.loads(proc.stdout)
                sample["t"] = round(time.monotonic() - self.start_time, 2)
                self.samples.append(sample)
            self.stopping.wait(self.every)

    def stop(self):
        self.stopping.set()
        self.join()

    def series(self):
        """Per-sample CPU % (from the CPU seconds between samples) and RSS of hub and proxy."""
        rows = []
        for before, after in zip(self.samples, self.samples[1:]):
            row = {"t": after["t"], "all_rss_mib": after["all_rss_mib"]}
            for key in ("hub", "proxy"):
                if key in before and key in after:
                    row[f"{key}_cpu_pct"] = round(100 * (after[key]["cpu_s"] - before[key]["cpu_s"]) / (after["t"] - before["t"]), 1)
                    row[f"{key}_rss_mib"] = after[key]["rss_mib"]
            rows.append(row)
        return rows


def start_server(member, name, timeout=900):
    """Ask for the member's server and wait until it is ready; a spawn the hub gave up on
    (the server is gone again) fails at once instead of waiting for the timeout."""
    response = member.api("POST", f"/users/{name}/server")
    if response.status_code not in (201, 202):
        raise RuntimeError(f"server start refused: {response.status_code} {response.text[:200]}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(1)
        try:
            server = member.user_model(name).get("servers", {}).get("")
        except (requests.RequestException, OSError):
            continue
        if not server:
            raise RuntimeError("the hub gave up on the server (spawn failed; see the hub's journal)")
        if server.get("ready"):
            return
    raise RuntimeError(f"server not ready within {timeout} s")


def member_session(base, name, start_gate, timeout=900):
    """One member's Monday morning; the times are seconds since the common start."""
    record = {"member": name, "ok": False}
    start_gate.wait()
    start = time.monotonic()
    try:
        token = base.user_token(name)  # the login form, then a token from the member's own session
        record["login_s"] = round(time.monotonic() - start, 2)
        member = copy.copy(base)
        member.token = token
        start_server(member, name, timeout)
        record["server_s"] = round(time.monotonic() - start, 2)
        kernel_id = member.start_kernel(name, KERNEL)
        record["kernel_s"] = round(time.monotonic() - start, 2)
        out, err = member.execute(name, kernel_id, CODE, timeout=timeout)
        record["result_s"] = round(time.monotonic() - start, 2)
        record["ok"] = out.strip() == EXPECTED and not err
        if not record["ok"]:
            record["error"] = f"unexpected result: {out!r} {err!r}"
    except Exception as exc:  # pylint: disable=broad-exception-caught  # a failed member is a result, not a crash
        record["error"] = f"{type(exc).__name__}: {exc}"[:500]
        record["failed_after_s"] = round(time.monotonic() - start, 2)
    return record


def stop_all(admin, names):
    """No server running: the state of a Monday morning."""
    running = [n for n in names if admin.user_model(n).get("servers")]
    with concurrent.futures.ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(lambda n: admin.stop_server(n, timeout=300), running))
    return len(running)


def plot(result, path):
    plt = benchlib.pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    members = sorted(result["members"], key=lambda r: r.get("result_s", r.get("failed_after_s", 0)))
    for row, rec in enumerate(members):
        if rec["ok"]:
            edges = [0, rec["login_s"], rec["server_s"], rec["kernel_s"], rec["result_s"]]
            for index, (colour, label) in enumerate((("tab:gray", "login"), ("tab:blue", "server start"),
                                                     ("tab:orange", "kernel start"), ("tab:green", "execute"))):
                left.barh(row, edges[index + 1] - edges[index], left=edges[index], color=colour, label=label if row == 0 else None)
        else:
            left.barh(row, rec.get("failed_after_s", 0), color="tab:red", label="failed" if row == 0 else None)
    summary = result["summary"]
    if summary["median_s"] is not None:
        left.axvline(summary["median_s"], color="black", linestyle="--", linewidth=1, label=f"median {summary['median_s']:.0f} s")
        left.axvline(summary["p95_s"], color="black", linestyle=":", linewidth=1, label=f"p95 {summary['p95_s']:.0f} s")
    left.set_xlabel("seconds since everybody started")
    left.set_ylabel("member (sorted)")
    left.set_title(f"{result['n']} members at once: time to first result ({summary['success_rate'] * 100:.0f}% succeeded)")
    left.legend(fontsize=8, loc="lower right")
    series = result["samples"]
    times = [s["t"] for s in series]
    right.plot(times, [s.get("hub_cpu_pct", 0) for s in series], label="hub CPU %", color="tab:blue")
    right.plot(times, [s.get("proxy_cpu_pct", 0) for s in series], label="proxy CPU %", color="tab:purple")
    right.set_xlabel("seconds")
    right.set_ylabel("CPU % (100 = one core)")
    mem = right.twinx()
    mem.plot(times, [s.get("hub_rss_mib", 0) for s in series], label="hub RSS MiB", color="tab:blue", linestyle="--")
    mem.plot(times, [s.get("proxy_rss_mib", 0) for s in series], label="proxy RSS MiB", color="tab:purple", linestyle="--")
    mem.set_ylabel("hub / proxy resident memory, MiB")
    lines = right.get_lines() + mem.get_lines()
    right.legend(lines, [line.get_label() for line in lines], fontsize=8, loc="upper right")
    right.set_title(f"hub and proxy (all servers and kernels: {summary['all_rss_max_mib'] / 1024:.1f} GiB RSS at peak)")
    benchlib.save_plot(fig, path, "Monday morning on teamhub.jupyter", result)


def main(count=20, timeout=900):
    passwords = json.loads((benchlib.WORK / "passwords.json").read_text(encoding="utf-8"))
    service_token = (benchlib.WORK / "service.token").read_text(encoding="utf-8").strip()
    names = sorted(passwords)[:count]
    if len(names) < count:
        raise SystemExit(f"only {len(names)} members on {benchlib.SITE}: converge with --members {count}")
    admin = Hub(benchlib.SITE, service_token, passwords)
    stopped = stop_all(admin, sorted(passwords))
    base = Hub(benchlib.SITE, None, passwords)
    result = {"benchmark": "load", "n": count, "timeout_s": timeout, "kernel": KERNEL, "code": CODE, "servers_stopped_before": stopped,
              "machine": benchlib.machine()}
    since = int(benchlib.output(["docker", "exec", benchlib.SITE, "date", "+%s"]))
    sampler = Sampler(benchlib.SITE)
    sampler.start()
    time.sleep(3)  # a few samples of the idle hub first
    gate = threading.Barrier(count)
    wall = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max_workers=count) as pool:
        records = list(pool.map(lambda n: member_session(base, n, gate, timeout), names))
    result["wall_s"] = round(time.monotonic() - wall, 1)
    time.sleep(3)
    sampler.stop()
    # The CPU-bound floor: what the servers and kernels used, spread over every core.
    servers_cpu = json.loads(benchlib.output(["docker", "exec", benchlib.SITE, "python3", "-c", SERVERS_CPU]))
    cores = os.cpu_count() or 1
    result["load_average_after"] = benchlib.load_average()
    # The hub's own account of the run (spawn times, warnings), kept with the logs.
    journal = benchlib.output(["docker", "exec", benchlib.SITE, "journalctl", "--no-pager", "-o", "short-monotonic",
                               "-u", "jupyterhub", "-u", "jupyterhub-proxy", "--since", f"@{since}"])
    (benchlib.WORK / f"load-{count}-hub.log").write_text(journal, encoding="utf-8")
    result["members"] = records
    result["samples"] = sampler.series()
    done = [r["result_s"] for r in records if r["ok"]]
    busy = [s for s in result["samples"] if "hub_cpu_pct" in s]
    result["summary"] = {
        "success_rate": round(len(done) / count, 3),
        "succeeded": len(done),
        "median_s": round(statistics.median(done), 1) if done else None,
        "p95_s": round(benchlib.percentile(done, 0.95), 1) if done else None,
        "max_s": round(max(done), 1) if done else None,
        "median_login_s": round(statistics.median(r["login_s"] for r in records if "login_s" in r), 2) if done else None,
        "hub_cpu_mean_pct": round(statistics.mean(s["hub_cpu_pct"] for s in busy), 1) if busy else None,
        "hub_cpu_max_pct": max((s["hub_cpu_pct"] for s in busy), default=None),
        "hub_rss_max_mib": max((s.get("hub_rss_mib", 0) for s in busy), default=None),
        "proxy_cpu_mean_pct": round(statistics.mean(s.get("proxy_cpu_pct", 0) for s in busy), 1) if busy else None,
        "proxy_cpu_max_pct": max((s.get("proxy_cpu_pct", 0) for s in busy), default=None),
        "proxy_rss_max_mib": max((s.get("proxy_rss_mib", 0) for s in busy), default=None),
        "all_rss_max_mib": max((s["all_rss_mib"] for s in result["samples"]), default=0),
        "errors": sorted({r["error"] for r in records if "error" in r}),
        "servers_measured": servers_cpu["servers"],
        "servers_cpu_s": servers_cpu["cpu_s"],
        "cores": cores,
        "cpu_floor_s": round(servers_cpu["cpu_s"] / cores, 1),
    }
    if done and servers_cpu["cpu_s"]:
        result["summary"]["p95_over_floor"] = round(result["summary"]["p95_s"] / result["summary"]["cpu_floor_s"], 2)
    print(json.dumps(result["summary"], indent=2))
    benchlib.write_result(f"load-{count}", result)
    plot(result, benchlib.RESULTS / f"load-{count}.png")
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=20, help="members who start at the same moment")
    parser.add_argument("--timeout", type=int, default=900, help="seconds a member waits for their server, and for the result")
    args = parser.parse_args()
    main(args.members, args.timeout)
