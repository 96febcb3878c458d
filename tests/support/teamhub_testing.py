"""Helpers the molecule verifiers share: published ports, SSH from the controller,
and ansible-playbook runs against a scenario's own inventory."""

import ipaddress
import json
import os
import re
import subprocess
from pathlib import Path

RECAP = re.compile(
    r"^(?P<host>\S+)\s*:\s*ok=(?P<ok>\d+)\s+changed=(?P<changed>\d+)\s+"
    r"unreachable=(?P<unreachable>\d+)\s+failed=(?P<failed>\d+)",
    re.M,
)


def machine(name):
    """A testinfra host for one of the scenario's containers, through its inventory (so
    as Ansible reaches it)."""
    import testinfra

    return testinfra.get_host("ansible://" + name, ansible_inventory=os.environ["MOLECULE_INVENTORY_FILE"])


def container_name(host):
    """The Docker container behind a testinfra host (its inventory name)."""
    return host.backend.get_hostname()


def published_port(container, port):
    """The 127.0.0.1 port Docker published for a container's port."""
    out = subprocess.run(
        ["docker", "port", container, str(port)], capture_output=True, text=True, check=True
    ).stdout
    for line in out.splitlines():
        addr, _sep, hostport = line.rpartition(":")
        if addr == "127.0.0.1":
            return int(hostport)
    raise AssertionError(f"{container}: port {port} is not published on 127.0.0.1 ({out!r})")


def keys_dir():
    return Path(os.environ["MOLECULE_EPHEMERAL_DIRECTORY"]) / "keys"


def ssh_argv(container, user, key, command="true", options=()):
    """The ssh command line for a real SSH connection through the published port."""
    port = published_port(container, 22)
    return [
        "ssh", "-p", str(port), "-i", str(keys_dir() / key),
        "-o", "BatchMode=yes", "-o", "IdentitiesOnly=yes",
        "-o", "StrictHostKeyChecking=no", "-o", "UserKnownHostsFile=/dev/null",
        "-o", "ConnectTimeout=30", "-o", "LogLevel=ERROR",
        *options, f"{user}@127.0.0.1", command,
    ]


def ssh(container, user, key, command="true", options=()):
    """Run a command over a real SSH connection through the published port."""
    argv = ssh_argv(container, user, key, command, options)
    return subprocess.run(argv, capture_output=True, text=True, timeout=180, check=False)


def playbook_command(playbook, *args):
    """(argv, env) of ansible-playbook against the scenario's inventory: the command line
    run_playbook runs, for tests that start a run in the background (subprocess.Popen)."""
    inventory = Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent
    scenario = Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"])
    env = dict(os.environ, ANSIBLE_FORCE_COLOR="0", ANSIBLE_NOCOLOR="1")
    return ["ansible-playbook", "-i", str(inventory), str(scenario / playbook), *args], env


def recap_of(output):
    """The PLAY RECAP counts by host of ansible-playbook's output."""
    return {m["host"]: {k: int(v) for k, v in m.groupdict().items() if k != "host"}
            for m in RECAP.finditer(output)}


def run_playbook(playbook, *args):
    """ansible-playbook against the scenario's inventory; returns (rc, output, recap by host)."""
    argv, env = playbook_command(playbook, *args)
    proc = subprocess.run(argv, capture_output=True, text=True, env=env, timeout=1800, check=False)
    output = proc.stdout + proc.stderr
    return proc.returncode, output, recap_of(output)


def extra_vars(data):
    return ["--extra-vars", json.dumps(data)]


def task_results(output, task):
    """What each host reported for the task named `task` in ansible-playbook's output,
    e.g. ["changed"] or ["skipping"]: the result words between its header and the next."""
    results = []
    for section in re.split(r"^(?:TASK|RUNNING HANDLER) \[", output, flags=re.M)[1:]:
        header, body = (section.split("\n", 1) + [""])[:2]
        if header.split("]")[0].rsplit(" : ", 1)[-1] == task:
            results += re.findall(r"^(ok|changed|skipping|failed|fatal):", body, re.M)
    return results


def listening_ports(host, ports):
    """Where a testinfra host listens on the given TCP ports: a set of (address, port), read
    from /proc/net/tcp and tcp6, addresses as Python's ipaddress writes them. (Which process
    owns a socket needs ptrace rights root lacks in these containers, so the hub's and the
    proxy's own ports stand for them.)"""
    found = set()
    for table, width in (("/proc/net/tcp", 4), ("/proc/net/tcp6", 16)):
        for line in host.file(table).content_string.splitlines()[1:]:
            fields = line.split()
            if fields[3] != "0A":  # TCP_LISTEN
                continue
            hex_addr, hex_port = fields[1].split(":")
            raw = bytes.fromhex(hex_addr)
            # The kernel prints each 32-bit word in host (little-endian) order.
            raw = b"".join(raw[i:i + 4][::-1] for i in range(0, width, 4))
            if int(hex_port, 16) in ports:
                found.add((str(ipaddress.ip_address(raw)), int(hex_port, 16)))
    return found
