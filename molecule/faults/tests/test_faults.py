"""Faults on the converged host, in this order: kill -9 of the hub, kill -9 of the
proxy, a converge killed while it creates a conda environment, a kernel's environment
changed, broken and taken back while kernels run from it, an environment made in place
by an earlier release, members' symlinks
where the users role writes as root, a deleted hub venv, broken upgrades (a pin that
does not exist, a configuration the new release rejects, a new hub killed during its
health check), version switches of the proxy and of JupyterHub, a restart of the whole
container, and two runs of the site playbook at once. The services must come back by
themselves (within 10 s for the hub and the proxy) without taking members' servers and
kernels down, a re-run of the site playbook must repair what a fault broke, and a
second run must stop at the host's run lock instead of interleaving with the first."""

import base64
import json
import os
import re
import shlex
import signal
import subprocess
import time
from pathlib import Path

import pytest
import requests
import yaml
from teamhub_testing import (extra_vars, listening_ports, playbook_command, recap_of, run_playbook, ssh, ssh_argv,
                             task_results)

# Seconds within which the hub or the proxy answers again by itself after kill -9
# (systemd restarts it). A limit sized for a loaded CI machine, not a speed claim: 2.5 s
# and 3.1 s on a quiet machine, 10.9 s seen while another suite ran beside this one.
# The measured time goes into the log.
BACK_WITHIN = 60
CONDA = "/opt/conda"
ENV_RELEASES = f"{CONDA}/envs/.releases"
KERNELS = "/usr/local/share/jupyter/kernels"
# The lean kernel of group_vars plus one the interrupted converge adds.
# Members the retirement test adds to group_vars' team (test passwords, bob's SSH key).
CAROL = {
    "name": "carol",
    # carol-password (test only)
    "password_hash": "$6$teamhubtestsalt$Ngmrjr2DkCBW3LDJIbLvQuhs9ofmd66LOHHFutvHeSQITWKrsb1bDuxhfniDG8lhohsAnaBk7dCbGqcErHFyN/",
    "ssh_keys": ["{{ lookup('ansible.builtin.file', teamhub_test_keys + '/bob.pub') }}"],
}
DAVE = {
    "name": "dave",
    # dave-password (test only)
    "password_hash": "$6$teamhubtestsalt$XnHRv5BGEbH8jtop4egnPEjrCaGhVi47XrmRcmIVKBJ0yIFhP5yyUAZzAKLlazTevVkIEn2r5FHS5Gc29mLKk0",
}
KERNELS_WITH_SLOW = [
    {"name": "lean", "display_name": "Python 3 (lean)"},
    {"name": "slow", "display_name": "Python 3 (slow)", "pip_packages": ["six"]},
]
# The site playbook's run lock (the run_lock module's default path).
LOCK = "/run/teamhub/run.lock"


def secrets_of_the_run(host):
    """Every password hash and token this scenario's runs handle: the members' hashes and
    the service token from group_vars, and the secrets the hub role generated on the host."""
    group_vars = (Path(__file__).resolve().parents[1] / "group_vars" / "teamhub.yml").read_text()
    found = re.findall(r'(?:password_hash|api_token): "([^"]+)"', group_vars)
    for path in ("/var/lib/jupyterhub/jupyterhub_cookie_secret", "/var/lib/jupyterhub/proxy.env",
                 "/var/lib/jupyterhub/proxy_sync_token"):
        if host.file(path).exists:
            found.append(host.check_output(f"cat {path}").split("=", 1)[-1].strip())
    assert len(found) >= 3 and all(len(secret) >= 32 for secret in found), found
    return found


def flat(text):
    """Output with every run of whitespace as one space: long messages may be wrapped."""
    return " ".join(text.split())


def assert_no_secret_in(output, secrets):
    leaked = [secret[:12] + "..." for secret in secrets if secret in output]
    assert not leaked, f"a -vvv run printed these secrets: {leaked}"


def run_inventory():
    return str(Path(os.environ["MOLECULE_INVENTORY_FILE"]).parent)


def scenario_file(name):
    return str(Path(os.environ["MOLECULE_SCENARIO_DIRECTORY"]) / name)


def conda_create_pids(host, env):
    """PIDs of conda processes creating env (the image has no procps)."""
    script = (
        "for f in /proc/[0-9]*/cmdline; do "
        f"if tr '\\0' ' ' < \"$f\" 2>/dev/null | grep -q '[b]in/conda create .*{env}'; then "
        "p=${f#/proc/}; echo ${p%/cmdline}; fi; done"
    )
    return host.run(script).stdout.split()


def main_pid(container, unit):
    """The unit's main PID, through docker exec (faster than a testinfra command)."""
    out = subprocess.run(["docker", "exec", container, "systemctl", "show", "-p", "MainPID", "--value", unit],
                         capture_output=True, text=True, timeout=120, check=True).stdout
    return int(out.strip() or 0)


def hub_answers(hub):
    try:
        response = requests.get(f"{hub.url}/hub/api", timeout=1)
    except requests.RequestException:
        return False
    return response.status_code == 200 and "version" in response.json()


def kill_and_time_recovery(container, hub, unit):
    """kill -9 the unit's main process; seconds until the hub answers again through the
    proxy (only HTTP in the loop: a docker exec per probe would time the test machine)."""
    old = main_pid(container, unit)
    assert old > 0, f"{unit} is not running"
    subprocess.run(["docker", "exec", container, "kill", "-9", str(old)], timeout=120, check=True)
    killed = time.monotonic()
    time.sleep(0.2)
    while not hub_answers(hub):
        if time.monotonic() - killed > BACK_WITHIN:
            raise AssertionError(f"{unit} did not come back within {BACK_WITHIN} s after kill -9")
        time.sleep(0.1)
    elapsed = time.monotonic() - killed
    assert main_pid(container, unit) not in (0, old), f"{unit} answers but systemd did not restart it"
    return elapsed


@pytest.fixture
def alice_kernel(hub):
    """alice's running server with a kernel that holds state (x = 42)."""
    hub.start_server("alice")
    kernel = hub.start_kernel("alice", "lean")
    out, err = hub.execute("alice", kernel, "x = 6 * 7\nprint(x)")
    assert (out.strip(), err) == ("42", "")
    return kernel


def report(capsys, what, elapsed):
    """Put the measured recovery time into the log, passed or not."""
    with capsys.disabled():
        print(f"\n{what} answered again {elapsed:.1f} s after kill -9 (limit {BACK_WITHIN} s)")


def test_hub_killed_comes_back_and_members_servers_keep_running(container, hub, alice_kernel, capsys):
    server = main_pid(container, "jupyter-alice-singleuser")
    assert server > 0
    elapsed = kill_and_time_recovery(container, hub, "jupyterhub")
    report(capsys, "the hub", elapsed)
    assert elapsed <= BACK_WITHIN, f"the hub answered only {elapsed:.1f}s after kill -9"
    assert main_pid(container, "jupyter-alice-singleuser") == server, "alice's server was restarted"
    hub.wait(lambda: hub.server_ready("alice"), 120, "the hub to see alice's server again")
    out, err = hub.execute("alice", alice_kernel, "print(x)")
    assert (out.strip(), err) == ("42", ""), "alice's kernel lost its state"


def routed(hub, member):
    """Whether the proxy routes to the member's server."""
    try:
        return hub.user_api("GET", member, "/status").status_code == 200
    except requests.RequestException:
        return False


def test_proxy_killed_comes_back_with_the_routes(container, hub, alice_kernel, capsys):
    server = main_pid(container, "jupyter-alice-singleuser")
    elapsed = kill_and_time_recovery(container, hub, "jupyterhub-proxy")
    report(capsys, "the proxy", elapsed)
    assert elapsed <= BACK_WITHIN, f"the proxy answered only {elapsed:.1f}s after kill -9"
    deadline = time.monotonic() + BACK_WITHIN
    while time.monotonic() < deadline and not routed(hub, "alice"):
        time.sleep(0.5)
    assert routed(hub, "alice"), f"alice's server is not reachable through the proxy {BACK_WITHIN}s after its restart"
    assert main_pid(container, "jupyter-alice-singleuser") == server, "alice's server was restarted"
    out, err = hub.execute("alice", alice_kernel, "print(x)")
    assert (out.strip(), err) == ("42", ""), "alice's kernel lost its state"


def release_of(host, env):
    """The release the environment's name points at, and every release of it on the host."""
    target = host.run(f"readlink {CONDA}/envs/{env}").stdout.strip()
    found = host.run(f"ls -d {ENV_RELEASES}/{env}-* 2>/dev/null").stdout.split()
    return target, sorted(found)


def kernel_python(host, kernel):
    """The Python a kernel spec starts (after the activating launcher, when it has one)."""
    argv = json.loads(host.file(f"{KERNELS}/{kernel}/kernel.json").content_string)["argv"]
    return next(word for word in argv if word.endswith("/bin/python"))


def test_converge_killed_while_creating_an_environment_is_completed_by_a_rerun(host, container, hub):
    # The release the converge builds: its name ends in a hash of the definition.
    env = f"{ENV_RELEASES}/slow-"
    host.run_expect([0], f"echo 600 > {CONDA}/.fakeconda-pause")
    try:
        proc = subprocess.Popen(  # pylint: disable=consider-using-with
            ["ansible-playbook", "-i", run_inventory(), scenario_file("converge.yml"), "--tags", "kernels",
             *extra_vars({"kernels_list": KERNELS_WITH_SLOW})],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            hub.wait(lambda: conda_create_pids(host, env) and release_of(host, "slow")[1]
                     and host.file(f"{release_of(host, 'slow')[1][0]}/conda-meta").is_directory,
                     600, "conda to start creating the environment")
            env = release_of(host, "slow")[1][0]
        finally:
            # The whole run dies at once, module included: killed alone, conda
            # would leave the module to remove the half-made environment.
            for pid in conda_create_pids(host, env):
                host.run(f"kill -9 $(cut -d' ' -f4 /proc/{pid}/stat) {pid}")
            proc.kill()
            proc.wait(timeout=300)
    finally:
        host.run_expect([0], f"rm -f {CONDA}/.fakeconda-pause")
    assert host.file(env).exists, "the interruption left nothing to repair"
    assert not host.file(f"{KERNELS}/slow").exists
    # The half-built release is not in use: the name does not lead to it yet.
    assert not host.file(f"{CONDA}/envs/slow").exists
    assert host.run(f"{env}/bin/python -c 'import ipykernel'").rc != 0, "the environment was already complete"
    # The killed run could not release the host's run lock. Its ansible-playbook no longer
    # runs on this controller: the re-run takes the lock over by itself and says whose.
    assert host.file(LOCK).exists, "the killed run left no run lock"
    killed = json.loads(host.file(LOCK).content_string)
    assert f" pid {proc.pid}, started " in killed["holder"], killed

    rc, output = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_list": KERNELS_WITH_SLOW}))[:2]
    assert rc == 0, output[-4000:]
    lock_tasks = output[output.find("TASK [Take the host's run lock"):output.find("TASK [Stop when another run holds the lock")]
    assert f"took over the lock {LOCK} of run {killed['run_id']}" in flat(output), (
        f"killed run's lock: {killed}\nthe re-run's lock tasks:\n{lock_tasks}\nits end:\n{output[-1500:]}")
    assert not host.file(LOCK).exists, "the re-run did not release the run lock"
    host.run_expect([0], f"{env}/bin/python -c 'import ipykernel, six'")
    assert kernel_python(host, "slow") == f"{env}/bin/python"
    assert release_of(host, "slow") == (env, [env])
    listed = host.check_output(f"{CONDA}/bin/conda list -p {env} --json")
    assert '"ipykernel"' in listed and '"six"' in listed
    rc, output, recap = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_list": KERNELS_WITH_SLOW}))
    assert rc == 0 and all(counts["changed"] == 0 for counts in recap.values()), output[-3000:]

    hub.fresh_server("bob")
    kernel = hub.start_kernel("bob", "slow")
    out, err = hub.execute("bob", kernel, "import sys, six\nprint(sys.prefix, six.__name__)")
    assert err == "" and out.split() == [env, "six"]

    # The kernel and its environment go; the release stays while bob's kernel runs from it.
    retired = [KERNELS_WITH_SLOW[0], {"name": "slow", "state": "absent"}]
    rc, output = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_list": retired}))[:2]
    assert rc == 0, output[-3000:]
    assert not host.file(f"{KERNELS}/slow").exists
    assert not host.file(f"{CONDA}/envs/slow").exists
    assert host.file(env).is_directory, "the release of a running kernel was removed"
    hub.stop_server("bob")
    rc, output = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_list": retired}))[:2]
    assert rc == 0, output[-3000:]
    assert not host.file(env).exists


def test_a_kernels_new_packages_are_built_beside_the_release_kernels_run_from(host, hub):
    """A changed kernel definition is a new release of its environment, built beside the
    one in use: a kernel that runs keeps its release, a new kernel gets the new one, a
    build that fails changes nothing, going back is a switch without a build, and a
    release a kernel runs from outlives kernels_keep_releases until the kernel ends."""
    first, releases = release_of(host, "lean")
    assert first and releases == [first], releases
    hub.fresh_server("bob")
    running = hub.start_kernel("bob", "lean")
    out, err = hub.execute("bob", running, "import sys\nprint(sys.prefix)")
    assert (out.strip(), err) == (first, "")

    with_six = [{"name": "lean", "display_name": "Python 3 (lean)", "pip_packages": ["six"]}]
    rc, output, recap = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_list": with_six}))
    assert rc == 0, output[-3000:]
    second, releases = release_of(host, "lean")
    assert second != first and releases == sorted([first, second])
    assert kernel_python(host, "lean") == f"{second}/bin/python"
    # The running kernel still runs from its release, imports included; a new one has six.
    out, err = hub.execute("bob", running, "import json, sys\nprint(sys.prefix, json.__name__)")
    assert (out.split(), err) == ([first, "json"], "")
    fresh = hub.start_kernel("bob", "lean")
    out, err = hub.execute("bob", fresh, "import sys, six\nprint(sys.prefix, six.__name__)")
    assert (out.split(), err) == ([second, "six"], "")

    broken = [{"name": "lean", "display_name": "Python 3 (lean)", "pip_packages": ["teamhub-no-such-package-lean"]}]
    kernel_json = host.file(f"{KERNELS}/lean/kernel.json").content_string
    rc, output, recap = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_list": broken}))
    assert rc != 0
    assert "lean" in flat(output) and "teamhub-no-such-package-lean" in flat(output), output[-3000:]
    assert release_of(host, "lean") == (second, sorted([first, second])), "a failed build left something behind"
    assert host.file(f"{KERNELS}/lean/kernel.json").content_string == kernel_json

    # Back to the first definition, keeping one release: a switch, no conda run. The
    # second release stays while bob's new kernel runs from it, and goes after.
    rc, output, recap = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_keep_releases": 1}))
    assert rc == 0, output[-3000:]
    assert release_of(host, "lean") == (first, sorted([first, second]))
    assert kernel_python(host, "lean") == f"{first}/bin/python"
    assert f"{second.rsplit('/', 1)[1]} stays beyond kernels_keep_releases while kernels run from it" in flat(output), \
        output[-3000:]
    assert "conda create" not in output
    assert task_results(output, "Build the kernels' conda environments, each definition as a release of its own") == ["ok"]
    hub.stop_server("bob")
    rc, output, recap = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_keep_releases": 1}))
    assert rc == 0, output[-3000:]
    assert release_of(host, "lean") == (first, [first])
    rc, output, recap = run_playbook("converge.yml", "--tags", "kernels")
    assert rc == 0 and all(counts["changed"] == 0 for counts in recap.values()), output[-3000:]


def test_an_environment_made_in_place_by_an_earlier_release_becomes_a_release(host, hub):
    """Hosts converged before releases existed have each kernel's environment at its name.
    The run moves it into the releases as it is and leaves the name a link to it: a
    program running from it keeps working, and nothing is rebuilt."""
    legacy = [{"name": "lean", "display_name": "Python 3 (lean)"},
              {"name": "older", "display_name": "Python 3 (older)", "pip_packages": ["six"]}]
    # What TeamHub 0.2.0 made: the environment at its name.
    made = host.run(f"{CONDA}/bin/conda create --yes --quiet -p {CONDA}/envs/older ipykernel six")
    assert made.rc == 0, made.stdout + made.stderr
    sleeper = host.run(f"setsid {CONDA}/envs/older/bin/python -c 'import time; time.sleep(600)' "
                       ">/dev/null 2>&1 & echo $!").stdout.strip()
    try:
        rc, output, recap = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_list": legacy}))
        assert rc == 0, output[-3000:]
        release, releases = release_of(host, "older")
        assert releases == [release] and host.file(f"{CONDA}/envs/older").is_symlink
        assert kernel_python(host, "older") == f"{release}/bin/python"
        assert task_results(output, "Move environments made in place by earlier releases of TeamHub into the "
                                    "releases").count("changed") == 1, output[-3000:]
        assert "conda create" not in output
        # The program started from the name runs on, from the same files.
        assert host.run(f"kill -0 {sleeper}").rc == 0
        host.run_expect([0], f"{CONDA}/envs/older/bin/python -c 'import six, ipykernel'")
        rc, output, recap = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_list": legacy}))
        assert rc == 0 and all(counts["changed"] == 0 for counts in recap.values()), output[-3000:]
        # Retired while the program runs: the name goes, the release stays.
        retired = [legacy[0], {"name": "older", "state": "absent"}]
        rc, output = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_list": retired}))[:2]
        assert rc == 0, output[-3000:]
        assert not host.file(f"{CONDA}/envs/older").exists and release_of(host, "older") == ("", [release])
        assert host.run(f"kill -0 {sleeper}").rc == 0
    finally:
        host.run(f"kill {sleeper}")
    rc, output = run_playbook("converge.yml", "--tags", "kernels", *extra_vars({"kernels_list": retired}))[:2]
    assert rc == 0, output[-3000:]
    assert release_of(host, "older") == ("", [])


def test_members_symlinks_in_their_homes_do_not_lead_root_astray(host, container):
    """Members own their homes: links a member plants where root used to write (their
    ~/.ssh, ~/shared) neither give them a system file nor stop the run; their keys are
    root's files outside the home, and a key they add themselves is not accepted."""
    def as_bob(command):
        host.run_expect([0], f"runuser -u bob -- sh -ec '{command}'")

    def fingerprint(path):
        return host.check_output(f"stat -c '%U:%G %a' {path} && sha256sum {path} | cut -d' ' -f1")

    shadow, etc_ssh = fingerprint("/etc/shadow"), host.check_output("stat -c '%U:%G %a' /etc/ssh")
    keys = host.file("/etc/ssh/authorized_keys/bob")
    assert (keys.user, keys.group, keys.mode) == ("root", "root", 0o644)

    # A key bob adds to his own ~/.ssh (alice's here) is not accepted; his listed key is.
    alice_pub = host.check_output("cat /etc/ssh/authorized_keys/alice | grep ^ssh-")
    as_bob(f"mkdir -p -m 700 /home/bob/.ssh && echo \"{alice_pub}\" >> /home/bob/.ssh/authorized_keys")
    assert ssh(container, "bob", "alice", "id -un").returncode == 255, "a key bob added himself was accepted"
    assert ssh(container, "bob", "bob", "id -un").stdout.strip() == "bob"

    # ~/.ssh pointing at /etc/ssh and ~/shared replaced by a
    # directory of bob's own: the run goes on for everyone, only bob's link is not made,
    # and it says so at its end.
    as_bob("rm -rf /home/bob/.ssh && ln -s /etc/ssh /home/bob/.ssh")
    as_bob("rm -f /home/bob/shared && mkdir /home/bob/shared && echo mine > /home/bob/shared/notes.txt")
    # At -vvv (every result, every loop item), no password hash appears.
    rc, output = run_playbook("converge.yml", "--tags", "users", "-vvv")[:2]
    try:
        assert rc == 0, output[-3000:]
        assert "ESTABLISH" in output, "not a -vvv run"
        assert_no_secret_in(output, secrets_of_the_run(host))
        tail = output.split("PLAY [Say where the team's hub is]", 1)[-1]
        assert "~/shared was not linked for bob: a file or directory of their own is there" in tail, output[-3000:]
        assert host.file("/home/bob/shared/notes.txt").content_string == "mine\n"
        assert host.file("/home/alice/shared").linked_to == "/srv/teamhub/shared"
        assert host.check_output("stat -c '%U:%G %a' /etc/ssh") == etc_ssh, "bob's link changed /etc/ssh"
        assert fingerprint("/etc/shadow") == shadow, "the run changed /etc/shadow"
        assert ssh(container, "bob", "bob", "id -un").stdout.strip() == "bob"
    finally:
        host.run_expect([0], "rm -rf /home/bob/shared /home/bob/.ssh")
    rc, output, recap = run_playbook("converge.yml", "--tags", "users")
    assert rc == 0 and all(counts["changed"] > 0 for counts in recap.values()), output[-3000:]
    assert host.file("/home/bob/shared").linked_to == "/srv/teamhub/shared"


def test_an_empty_proxy_token_stops_the_run_and_is_never_used(host, container):
    """A secret file that lost its content (a full disk, a hand edit) fails the run with
    the file's name; the proxy keeps its running token, nothing is restarted."""
    env_file = "/var/lib/jupyterhub/proxy.env"
    assert host.file(env_file).exists
    saved = host.check_output(f"base64 -w0 {env_file}")
    proxy = main_pid(container, "jupyterhub-proxy.service")
    try:
        host.run_expect([0], f"printf 'CONFIGPROXY_AUTH_TOKEN=\\n' > {env_file}")
        rc, output, recap = run_playbook("converge.yml", "--tags", "jupyterhub")
        assert rc != 0, output[-3000:]
        assert f"{env_file} is empty or malformed" in output, output[-3000:]
        token = base64.b64decode(saved).decode().strip().split("=", 1)[1]
        assert len(token) == 64 and token not in output
        assert main_pid(container, "jupyterhub-proxy.service") == proxy, "the proxy was restarted"
    finally:
        host.run_expect([0], f"echo {saved} | base64 -d > {env_file}")


def test_deleted_hub_venv_is_rebuilt_by_a_rerun(host, hub):
    venv = "/opt/jupyterhub/venv"
    # jupyterhub_venv is a link to the release in use: the release itself goes.
    host.run_expect([0], f"rm -rf \"$(readlink -f {venv})\"")
    host.run_expect([0], "systemctl restart jupyterhub || true")
    hub.wait(lambda: not hub_answers(hub), 30, "the hub to fail without its venv")
    rc, output, recap = run_playbook("converge.yml", "--tags", "jupyterhub")
    assert rc == 0, output[-4000:]
    assert recap and all(counts["changed"] > 0 for counts in recap.values())
    host.run_expect([0], f"{venv}/bin/python -c 'import jupyterhub'")
    hub.wait(lambda: hub_answers(hub), 60, "the hub to answer again")
    hub.login("bob")
    # At -vvv, no token or hash appears in what the hub role prints.
    rc, output, recap = run_playbook("converge.yml", "--tags", "jupyterhub", "-vvv")
    assert rc == 0 and all(counts["changed"] == 0 for counts in recap.values()), output[-3000:]
    assert_no_secret_in(output, secrets_of_the_run(host))
    # This scenario serves plain HTTP on the container's network by explicit choice
    # (group_vars): every run says so at its end.
    tail = output.split("PLAY [Say where the team's hub is]", 1)[-1]
    assert "WARNING: jupyterhub_allow_plain_http_on_network is true" in tail, output[-3000:]


# --- Upgrades: a switch to another release of the hub venv, and its failures --------

HUB_VENV = "/opt/jupyterhub/venv"
RELEASES = "/opt/jupyterhub/releases"
# The next JupyterHub release as pins (no lock has it): a release of its own. The
# group_vars' lock holds the current pin; this is one patch release apart.
OTHER_RELEASE = {"jupyterhub_venv_locked": False, "jupyterhub_version": "6.1.0"}
OTHER_RELEASE_PATTERN = "releases/jupyterhub-6[.]1[.]0-[0-9a-f]*/bin/jupyterhub --config"


def release_in_use(host):
    return host.file(HUB_VENV).linked_to


def invocation(container, unit):
    return subprocess.run(["docker", "exec", container, "systemctl", "show", "-P", "InvocationID", unit],
                          capture_output=True, text=True, timeout=120, check=True).stdout.strip()


def hub_starts_since(host, since):
    """How often systemd started the hub since the container's time `since`."""
    return int(host.check_output(f"journalctl -u jupyterhub.service --since {shlex.quote(since)} -o cat "
                                 "| grep -c '^Started jupyterhub.service' || true"))


def now_on(host):
    return host.check_output("date '+%Y-%m-%d %H:%M:%S'")


def assert_hub_serves_the_team(hub):
    hub.wait(lambda: hub_answers(hub), 60, "the hub to answer")
    hub.login("bob")


def test_a_hub_pin_that_does_not_exist_stops_before_the_hub_is_touched(host, container, hub):
    before, hub_pid = release_in_use(host), main_pid(container, "jupyterhub.service")
    rc, output, _recap = run_playbook("converge.yml", "--tags", "jupyterhub",
                                      *extra_vars({"jupyterhub_venv_locked": False, "jupyterhub_version": "6.1.99"}))
    assert rc != 0, output[-3000:]
    text = flat(output)
    assert "Building the hub venv's release jupyterhub-6.1.99-" in text, output[-3000:]
    assert "failed at 'Wait until the JupyterHub packages are installed in the hub venv'" in text
    assert "jupyterhub==6.1.99" in text, output[-3000:]
    # Nothing half-built is left, and the hub never stopped.
    assert host.run(f"ls -d {RELEASES}/jupyterhub-6.1.99-*").rc != 0
    assert release_in_use(host) == before
    assert main_pid(container, "jupyterhub.service") == hub_pid
    assert_hub_serves_the_team(hub)


def test_a_configuration_the_new_release_rejects_leaves_the_old_hub_serving(host, container, hub):
    before, hub_pid = release_in_use(host), main_pid(container, "jupyterhub.service")
    config = host.check_output("sha256sum /etc/jupyterhub/jupyterhub_config.py")
    snippets = {"jupyterhub_config_snippets": {"90-upgrade": "c.JupyterHub.an_option_no_release_has = 1"}}
    rc, output, _recap = run_playbook("converge.yml", "--tags", "jupyterhub", *extra_vars({**OTHER_RELEASE, **snippets}))
    assert rc != 0, output[-3000:]
    text = flat(output)
    assert ("The hub's update failed at 'Write the configuration drop-ins of jupyterhub_config_snippets (each checked first)'"
            in text), output[-3000:]
    assert "JupyterHub.an_option_no_release_has" in text
    assert f"The hub is back on release {before.rsplit('/', 1)[-1]}" in text, output[-3000:]
    # The new release's configuration was live for a moment; the old one is back, the
    # rejected drop-in is gone, and the hub that served all along still does.
    assert host.check_output("sha256sum /etc/jupyterhub/jupyterhub_config.py") == config
    assert not host.file("/etc/jupyterhub/jupyterhub_config.d/90-upgrade.py").exists
    assert release_in_use(host) == before
    assert main_pid(container, "jupyterhub.service") == hub_pid
    assert_hub_serves_the_team(hub)


def test_a_new_hub_killed_during_its_health_check_brings_the_old_one_back(host, container, hub):
    before, proxy = release_in_use(host), invocation(container, "jupyterhub-proxy.service")
    # kill -9 of every hub started from the new release while the run waits for it (the
    # image has no procps: /proc by hand); the old release's hub is left alone.
    killer = ("rm -f /run/stop-killer; while [ ! -e /run/stop-killer ]; do "
              "for f in /proc/[0-9]*/cmdline; do "
              f"if tr '\\0' ' ' < \"$f\" 2>/dev/null | grep -q '{OTHER_RELEASE_PATTERN}'; then "
              "p=${f#/proc/}; kill -9 ${p%/cmdline} 2>/dev/null && echo killed ${p%/cmdline}; fi; done; sleep 0.3; done")
    loop = subprocess.Popen(["docker", "exec", container, "timeout", "900", "bash", "-c", killer],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        rc, output, _recap = run_playbook("converge.yml", "--tags", "jupyterhub",
                                          *extra_vars({**OTHER_RELEASE, "jupyterhub_health_wait": 20}))
    finally:
        subprocess.run(["docker", "exec", container, "touch", "/run/stop-killer"], check=True, timeout=120)
        killed = loop.communicate(timeout=120)[0]
    assert "killed" in killed, killed
    assert rc != 0, output[-3000:]
    text = flat(output)
    assert "The hub's update failed at 'Wait until the hub answers its health check'" in text, output[-3000:]
    assert f"The hub is back on release {before.rsplit('/', 1)[-1]}" in text, output[-3000:]
    assert "its database as it was before the switch" in text and "it answers its health check again" in text
    assert release_in_use(host) == before
    # The database is the copy from before the switch (the old hub has used it since).
    assert host.run("ls /var/lib/jupyterhub/db-copies/").stdout.split() == [before.rsplit("/", 1)[-1] + ".sqlite"]
    assert invocation(container, "jupyterhub-proxy.service") == proxy, "the proxy was restarted"
    assert_hub_serves_the_team(hub)


def proxy_starts_since(host, since):
    return int(host.check_output(f"journalctl -u jupyterhub-proxy.service --since {shlex.quote(since)} -o cat "
                                 "| grep -c '^Started jupyterhub-proxy.service' || true"))


def test_configurable_http_proxy_switches_versions_beside_the_one_in_use(host, container, hub, alice_kernel):
    proxy_bin = "/opt/jupyterhub/node/node_modules/.bin/configurable-http-proxy"
    hub_pid, proxy_pid = main_pid(container, "jupyterhub.service"), main_pid(container, "jupyterhub-proxy.service")
    # A version npm does not have: removed, nothing restarted.
    rc, output, _recap = run_playbook("converge.yml", "--tags", "jupyterhub", *extra_vars({"jupyterhub_proxy_version": "5.1.99"}))
    assert rc != 0, output[-3000:]
    assert ("Installing configurable-http-proxy 5.1.99 failed at 'Install the pinned configurable-http-proxy from "
            "the npm registry as a release of its own'") in flat(output), output[-3000:]
    assert not host.file("/opt/jupyterhub/node/releases/5.1.99").exists
    assert main_pid(container, "jupyterhub-proxy.service") == proxy_pid
    # Another release and back: each switch restarts the proxy once and never the hub;
    # alice's server is routed again after each.
    for version in ("5.0.1", "5.1.0"):
        since = now_on(host)
        time.sleep(1)
        rc, output, _recap = run_playbook("converge.yml", "--tags", "jupyterhub", *extra_vars({"jupyterhub_proxy_version": version}))
        assert rc == 0, output[-4000:]
        assert host.check_output(f"{proxy_bin} --version") == version
        assert host.file("/opt/jupyterhub/node/node_modules").linked_to == f"/opt/jupyterhub/node/releases/{version}/node_modules"
        assert proxy_starts_since(host, since) == 1
        assert main_pid(container, "jupyterhub.service") == hub_pid, "the hub was restarted"
        hub.wait(lambda: routed(hub, "alice"), 60, "alice's route to come back")
    # Going back reused the kept release: npm did not run.
    assert task_results(output, "Install the pinned configurable-http-proxy from the npm registry as a release of its own") == ["skipping"]
    out, err = hub.execute("alice", alice_kernel, "print(x)")
    assert (out.strip(), err) == ("42", ""), "alice's kernel lost its state"


def test_a_jupyterhub_patch_release_switches_with_one_hub_restart_and_back(host, container, hub):
    locked = release_in_use(host)
    proxy = invocation(container, "jupyterhub-proxy.service")
    for settings, version in ((OTHER_RELEASE, "6.1.0"), ({}, "6.1.1")):
        since = now_on(host)
        time.sleep(1)
        rc, output, _recap = run_playbook("converge.yml", "--tags", "jupyterhub", *extra_vars(settings))
        assert rc == 0, output[-4000:]
        assert host.check_output(f"{HUB_VENV}/bin/python -c 'import jupyterhub; print(jupyterhub.__version__)'") == version
        assert host.file("/var/lib/jupyterhub/installed_version").content_string.strip() == version
        assert hub_starts_since(host, since) == 1, host.check_output("journalctl -u jupyterhub.service -n 40 -o cat")
        assert invocation(container, "jupyterhub-proxy.service") == proxy, "the proxy was restarted"
        assert_hub_serves_the_team(hub)
    # Back on the lock's release, which was kept: a switch, not a rebuild.
    assert release_in_use(host) == locked
    assert task_results(output, "Start installing the JupyterHub packages into the hub venv") == ["skipping"]
    rc, output, recap = run_playbook("converge.yml", "--tags", "jupyterhub")
    assert rc == 0 and all(counts["changed"] == 0 for counts in recap.values()), output[-3000:]


def team_with(*members):
    """--extra-vars: group_vars' team plus these members."""
    accounts = yaml.safe_load(Path(scenario_file("group_vars/teamhub.yml")).read_text())["users_accounts"]
    return extra_vars({"users_accounts": accounts + list(members)})


def processes_of(host, uid):
    """PIDs of the host's live processes with this UID (real, effective, saved or fs)."""
    script = ("import os\n"
              "for pid in filter(str.isdigit, os.listdir('/proc')):\n"
              "    try:\n"
              "        fields = dict(l.split(':', 1) for l in open('/proc/%s/status' % pid) if ':' in l)\n"
              "    except OSError:\n"
              "        continue\n"
              f"    if not fields['State'].split()[0] == 'Z' and {uid} in map(int, fields['Uid'].split()):\n"
              "        print(pid, open('/proc/%s/cmdline' % pid).read().replace(chr(0), ' ')[:80])\n")
    return host.check_output(f"python3 -c \"{script}\"").splitlines()


def test_retiring_a_member_ends_their_access_at_once(host, container, hub):
    """carol, with a running server, a kernel, an API token, a browser session and an SSH
    session, is set to absent: after that one run nothing of hers answers or runs, her
    home is in the archive, and dave, added next, does not get her UID."""
    rc, output = run_playbook("converge.yml", "--tags", "users,jupyterhub", *team_with(CAROL))[:2]
    assert rc == 0, output[-3000:]
    uid = int(host.check_output("id -u carol"))
    browser = hub.login("carol")
    token = hub.user_token("carol")
    hub.start_server("carol")
    kernel = hub.start_kernel("carol", "lean", token=token)
    out, err = hub.execute("carol", kernel, "print(6 * 7)", token=token)
    assert (out.strip(), err) == ("42", "")
    host.run_expect([0], "runuser -u carol -- sh -c 'echo kept > /home/carol/notes.txt'")
    session = subprocess.Popen(ssh_argv(container, "carol", "bob", "echo in; exec sleep 600"),
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert session.stdout.readline().strip() == "in", "carol's SSH session did not start"
        assert hub.api("GET", "/user", token=token).status_code == 200
        assert browser.get(f"{hub.url}/hub/home", allow_redirects=False).status_code == 200
        assert any("sleep 600" in line for line in processes_of(host, uid))

        rc, output = run_playbook("converge.yml", "--tags", "users,jupyterhub",
                                  *team_with({"name": "carol", "state": "absent"}))[:2]
        assert rc == 0, output[-3000:]
        assert task_results(output, "Stop the servers and end every process of members set to absent") == ["changed"]
        assert task_results(output, "Delete retired members from the hub (servers, tokens, sessions)") == ["changed"]

        # The token, the cookie and the server are dead; the hub no longer knows carol.
        assert hub.api("GET", "/user", token=token).status_code == 403
        home = browser.get(f"{hub.url}/hub/home", allow_redirects=False)
        assert home.status_code == 302 and "/hub/login" in home.headers["Location"], home.status_code
        # Her server's API is gone: the proxy hands /user/carol/ back to the hub, which
        # does not know her (a redirect or an error, never her server's status).
        status = hub.user_api("GET", "carol", "/status", token=token, allow_redirects=False)
        assert status.status_code != 200 and "last_activity" not in status.text, (status.status_code, status.text[:300])
        assert hub.api("GET", "/users/carol").status_code == 404
        # No unit, no process of her UID; her SSH session was closed by the server.
        units = host.run("systemctl list-units --all --plain --no-legend 'jupyter-carol-*'").stdout
        assert " active " not in units, units
        assert processes_of(host, uid) == []
        assert session.wait(timeout=60) != 0
    finally:
        session.kill()
    # Her home is in the archive, her UID on record; the account is gone.
    archived = host.check_output("ls /var/lib/teamhub/archive").split()
    assert [name for name in archived if name.startswith("carol-")], archived
    kept = host.check_output("cat /var/lib/teamhub/archive/carol-*/notes.txt")
    assert kept == "kept"
    assert host.run("id carol").rc != 0
    assert f"{uid} carol " in host.file("/var/lib/teamhub/archive/retired-uids").content_string

    rc, output = run_playbook("converge.yml", "--tags", "users", *team_with(DAVE))[:2]
    assert rc == 0, output[-3000:]
    dave = int(host.check_output("id -u dave"))
    assert dave > uid, f"dave got UID {dave}, retired carol had {uid}"


def test_the_login_account_keeps_its_own_groups(host):
    """Members' groups are exactly the list's, except for the account Ansible logs in
    with: stripping its sudo would lock the next run out."""
    host.run_expect([0], "groupadd -f operators && usermod -aG operators alice && usermod -aG operators bob")
    try:
        rc, output = run_playbook("converge.yml", "--tags", "users", *extra_vars({"__users_login_account": "alice"}))[:2]
        assert rc == 0, output[-3000:]
        assert "operators" in host.user("alice").groups
        assert "operators" not in host.user("bob").groups
    finally:
        # The host as the team list has it again (the next run would take alice's group).
        host.run("groupdel operators")


def test_a_run_logged_in_as_an_admin_with_sudo_never_retires_that_account(host):
    """A real server's run: logged in as an account of its own with sudo (-u, no
    ansible_user in the inventory). The settings check runs as root too (it reads
    root's files: the retired members' UIDs), and sudo's SUDO_USER names the account,
    which a team list cannot retire: refused before anything changes."""
    host.run_expect([0], "id -u opsadmin >/dev/null 2>&1 || useradd -m -s /bin/bash opsadmin")
    host.run_expect([0], "echo 'opsadmin ALL=(ALL) NOPASSWD: ALL' > /etc/sudoers.d/opsadmin && chmod 0440 /etc/sudoers.d/opsadmin")
    try:
        rc, output, recap = run_playbook("converge.yml", "--tags", "users", "-u", "opsadmin")
        assert rc == 0 and all(counts["changed"] == 0 for counts in recap.values()), output[-3000:]
        rc, output = run_playbook("converge.yml", "--tags", "users", "-u", "opsadmin",
                                  *team_with({"name": "opsadmin", "state": "absent"}))[:2]
        assert rc != 0
        assert "users_accounts sets opsadmin to absent, but Ansible logs in as opsadmin" in flat(output), output[-3000:]
        assert task_results(output, "Take the host's run lock (two runs at once would interleave)") == [], output[-3000:]
        assert host.user("opsadmin").exists
    finally:
        host.run("rm -f /etc/sudoers.d/opsadmin; userdel -r opsadmin")


def test_plain_http_on_the_network_only_where_the_inventory_chose_it(host):
    # group_vars: jupyterhub_ip 0.0.0.0 with jupyterhub_allow_plain_http_on_network; the
    # hub itself and the proxy's API stay on loopback whatever the public address.
    assert listening_ports(host, (8000, 8001, 8081)) == {("0.0.0.0", 8000), ("127.0.0.1", 8001), ("127.0.0.1", 8081)}


def test_container_restart_brings_everything_back(host, container, hub):
    subprocess.run(["docker", "restart", container], check=True, capture_output=True, timeout=900)
    # Docker publishes the ports anew on another host port: a new client finds them.
    hub = type(hub)(container, hub.token, hub.passwords)
    for unit in ("ssh", "jupyterhub-proxy", "jupyterhub"):
        hub.wait(lambda unit=unit: host.run(f"systemctl is-active {unit}").stdout.strip() == "active",
                 120, f"{unit} to be active after the restart")
    hub.wait(lambda: hub_answers(hub), 60, "the hub to answer after the restart")
    hub.wait(lambda: ssh(container, "alice", "alice", "id -un").stdout.strip() == "alice", 60, "alice's SSH login")
    session = hub.login("alice")
    assert session.cookies.get("jupyterhub-session-id") is not None
    hub.fresh_server("alice")
    kernel = hub.start_kernel("alice", "lean")
    out, err = hub.execute("alice", kernel, "print(6 * 7)")
    assert (out.strip(), err) == ("42", "")


def set_up_part(output):
    """What a run did in the play that holds the lock (the settings check before it shows roles' tasks too)."""
    return output.split("PLAY [Set up the team server", 1)[-1].split("PLAY [Say where the team's hub is]", 1)[0]


# Two runs of the site playbook against the same host at once (Trust item 11). The
# set-up play takes a lock on the host (/run/teamhub/run.lock) before its first role and
# releases it after the last one. Here a first converge (--tags users) is started in the
# background; as soon as its lock is on the host, the first run's ansible-playbook is
# stopped (SIGSTOP), so that it certainly still holds the lock while a second converge
# runs: the second must stop at the lock with a message naming the first run's holder,
# before any role of the set-up play ran. Then the first run is continued (SIGCONT) and
# must finish normally and release its lock. Finally a lock planted by hand (another run
# that was interrupted) stops a run, and -e teamhub_lock_break=true takes it over.
def test_a_second_run_at_the_same_time_stops_at_the_run_lock(host, tmp_path):
    assert not host.file(LOCK).exists, "a run lock is left over from an earlier test"
    log = tmp_path / "first-run.log"
    argv, env = playbook_command("converge.yml", "--tags", "users")
    with open(log, "w", encoding="utf-8") as first_output:
        first = subprocess.Popen(argv, env=env, stdout=first_output, stderr=subprocess.STDOUT)  # pylint: disable=consider-using-with
    stopped = False
    try:
        deadline = time.monotonic() + 600
        while not host.file(LOCK).exists:
            assert first.poll() is None, f"the first run ended before it took the lock:\n{log.read_text()[-4000:]}"
            assert time.monotonic() < deadline, "the first run did not take the run lock within 600 s"
            time.sleep(0.2)
        first.send_signal(signal.SIGSTOP)
        stopped = True
        assert host.file(LOCK).exists, "the first run released its lock before it could be held still"
        held = json.loads(host.file(LOCK).content_string)
        assert held["holder"] and held["run_id"] and held["acquired"], held

        rc, output, recap = run_playbook("converge.yml", "--tags", "users")
        assert rc != 0, f"the second run went through while the first held the lock:\n{output[-4000:]}"
        assert "Another TeamHub run holds the lock on this host" in flat(output), output[-4000:]
        assert f"since {held['acquired']} ({held['holder']})" in flat(output), output[-4000:]
        assert f"run again with -e teamhub_lock_break=true, or remove {LOCK}" in flat(output), output[-4000:]
        assert "TASK [teamhub.jupyter." not in set_up_part(output), "the second run ran a role's task"
        assert all(counts["changed"] == 0 for counts in recap.values()), recap
        assert json.loads(host.file(LOCK).content_string) == held, "the second run changed the first run's lock"
    finally:
        if stopped:
            first.send_signal(signal.SIGCONT)
        try:
            first.wait(timeout=1800)
        finally:
            if first.returncode is None:
                first.kill()
                first.wait(timeout=300)
    output = log.read_text()
    assert first.returncode == 0, output[-4000:]
    assert "Another TeamHub run holds the lock" not in flat(output)
    assert recap_of(output), output[-4000:]
    assert not host.file(LOCK).exists, "the first run did not release its lock"


def test_a_lock_an_interrupted_run_left_stops_a_run_until_it_is_broken(host):
    """A lock another run left (planted here by hand) stops a run before any role runs, and
    is left as it was; -e teamhub_lock_break=true takes it over with a warning naming it."""
    planted_run = "planted-by-the-faults-test"
    planted = {"run_id": planted_run, "holder": "eve@elsewhere, started 2026-12-04T08:00:00Z",
               "acquired": "2026-12-04T08:00:01Z"}
    host.run_expect([0], f"mkdir -p -m 0700 /run/teamhub && printf '%s\\n' {shlex.quote(json.dumps(planted))} > {LOCK} "
                         f"&& chmod 0600 {LOCK}")
    try:
        rc, output = run_playbook("converge.yml", "--tags", "users")[:2]
        assert rc != 0, f"a run went through another run's lock:\n{output[-4000:]}"
        assert ("Another TeamHub run holds the lock on this host since 2026-12-04T08:00:01Z "
                "(eve@elsewhere, started 2026-12-04T08:00:00Z)") in flat(output), output[-4000:]
        assert "TASK [teamhub.jupyter." not in set_up_part(output), "the run ran a role's task without the lock"
        assert json.loads(host.file(LOCK).content_string) == planted, "the stopped run touched the other run's lock"

        rc, output, recap = run_playbook("converge.yml", "--tags", "users", *extra_vars({"teamhub_lock_break": True}))
        assert rc == 0, output[-4000:]
        assert (f"took over the lock {LOCK} of run {planted_run} (eve@elsewhere, started 2026-12-04T08:00:00Z, "
                "since 2026-12-04T08:00:01Z): break_lock is set") in flat(output), output[-4000:]
        assert all(counts["failed"] == 0 for counts in recap.values()), recap
        assert not host.file(LOCK).exists, "the run that took the lock over did not release it"
    finally:
        host.run_expect([0], f"rm -f {LOCK}")
