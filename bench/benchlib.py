"""What the benchmarks share: the bench containers (started by scripts/systemd-container.sh
like the molecule platforms and scripts/demo.sh), machine facts recorded with every result, and result files."""

import datetime
import json
import os
import platform
import subprocess
import sys
from pathlib import Path

TOP = Path(__file__).resolve().parents[1]
RESULTS = TOP / "bench" / "results"
WORK = Path(os.environ.get("TEAMHUB_BENCH_DIR", TOP / ".build" / "bench"))
IMAGE = os.environ.get("TEAMHUB_BENCH_IMAGE", "teamhub/debian:12")
CA_BUNDLE = os.environ.get("TEAMHUB_CA_BUNDLE", "/etc/ssl/certs/ca-certificates.crt")
SITE = "teamhub-bench-site"
BASELINE = "teamhub-bench-baseline"

# The shared test helpers (published ports, the hub client).
sys.path.insert(0, str(TOP / "tests" / "support"))


def run(argv, **kwargs):
    """subprocess.run that fails loudly."""
    return subprocess.run(argv, check=True, **kwargs)


def output(argv):
    return subprocess.run(argv, capture_output=True, text=True, check=True).stdout.strip()


def start_container(name, ports=(22, 8000)):
    """A fresh systemd container (ports published on 127.0.0.1), started by
    scripts/systemd-container.sh like the molecule platforms and the demo; returns
    once systemd has booted."""
    argv = [str(TOP / "scripts" / "systemd-container.sh"), "start", "--replace"]
    for port in ports:
        argv += ["--publish", str(port)]
    run(argv + [name, IMAGE], stdout=subprocess.DEVNULL)


def remove_container(name):
    subprocess.run(["docker", "rm", "-f", name], capture_output=True, check=False)


def load_average():
    return [round(value, 2) for value in os.getloadavg()]


def machine():
    """Facts about the machine a result was measured on."""
    cpu = "unknown"
    with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
        for line in cpuinfo:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo", encoding="utf-8") as meminfo:
        mem_kib = int(meminfo.readline().split()[1])
    try:
        os_name = platform.freedesktop_os_release().get("PRETTY_NAME", "")
    except OSError:
        os_name = ""
    commit = subprocess.run(["git", "-C", str(TOP), "rev-parse", "HEAD"], capture_output=True, text=True, check=False).stdout.strip()
    dirty = subprocess.run(["git", "-C", str(TOP), "status", "--porcelain", "--untracked-files=no"],
                           capture_output=True, text=True, check=False).stdout.strip()
    return {
        "cpu_model": cpu,
        "cores": os.cpu_count(),
        "memory_gib": round(mem_kib / 1024 / 1024, 1),
        "os": os_name,
        "kernel": platform.release(),
        "docker_version": output(["docker", "version", "--format", "{{.Server.Version}}"]),
        "load_average_at_start": load_average(),
        "other_containers_running": len([n for n in output(["docker", "ps", "--format", "{{.Names}}"]).split() if not n.startswith("teamhub-bench-")]),
        "git_commit": commit,
        "git_worktree_modified": bool(dirty),
        "date": datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds"),
        "image": IMAGE,
    }


def write_result(name, data):
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {path.relative_to(TOP)}")
    return path


def pyplot():
    """matplotlib without a display."""
    import matplotlib  # pylint: disable=import-outside-toplevel
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # pylint: disable=import-outside-toplevel
    return plt


def save_plot(fig, path, heading, result):
    """Title a benchmark's figure with the machine it ran on, and write it as PNG."""
    info = result["machine"]
    fig.suptitle(f"{heading} — {info['cores']} cores, {info['cpu_model']}, "
                 f"load {info['load_average_at_start'][0]} at start, {info['date'][:10]}", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    pyplot().close(fig)
    print(f"wrote {path.relative_to(TOP)}")


def percentile(values, fraction):
    """Nearest-rank percentile of a non-empty list."""
    ordered = sorted(values)
    rank = max(1, int(-(-fraction * len(ordered) // 1)))
    return ordered[min(rank, len(ordered)) - 1]
