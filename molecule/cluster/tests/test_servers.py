"""Members' servers as Slurm jobs: the hub on the hub host submits each server as a job
of its member (batchspawner, with TeamHub's profiles and port report), and the server
runs on a compute node from the same hub venv release, with the same team kernels.

Runs after test_cluster.py (file order); each test leaves no server running.
"""

import html
import json
import re
import shlex
import subprocess
import time

import pytest
from conftest import HUB, NODES
from teamhub_testing import listening_ports
from test_cluster import nodes_by_state, queue, wait_for

KERNEL = "dev-default"


def spawn_with_form(team_hub, member, profile):
    """Log in through the form, open the spawn form, submit it with PROFILE."""
    session = team_hub.login(member)
    form = session.get(f"{team_hub.url}/hub/spawn", timeout=90)
    assert form.status_code == 200, form.status_code
    # The form posts to its action, which carries the _xsrf token.
    action = html.unescape(re.search(r'<form[^>]*\saction="([^"]+)"', form.text).group(1))
    response = session.post(f"{team_hub.url}{action}", data={"profile": profile}, allow_redirects=False, timeout=90)
    assert response.status_code == 302, (response.status_code, response.text[:500])
    return form.text


def start_via_api(team_hub, member, profile):
    return team_hub.api("POST", f"/users/{member}/server", json={"profile": profile})


def server_job(hub, member):
    """The member's server job in the queue (squeue), or None."""
    return next((job for job in queue(hub) if job["user"] == member), None)


@pytest.fixture()
def no_servers(team_hub, hub):
    yield
    for member in ("alice", "bob", "carol"):
        if team_hub.user_model(member).get("servers") or team_hub.user_model(member).get("pending"):
            team_hub.api("DELETE", f"/users/{member}/server")
    for member in ("alice", "bob", "carol"):
        wait_for(lambda: not team_hub.user_model(member).get("servers"), 120, f"{member}'s server to stop")
    wait_for(lambda: not queue(hub), 120, "no server job left in the queue")


def test_a_member_picks_a_profile_and_works_on_a_compute_node(team_hub, hub, nodes, no_servers):
    form = spawn_with_form(team_hub, "alice", "small")
    # alice is an analyst: both profiles are offered, with what each gives.
    assert 'value="small" checked' in form and 'value="node"' in form
    assert "1 CPU, 1 GiB, up to 8:00:00" in form and "2 CPUs, 2 GiB" in form
    wait_for(lambda: team_hub.server_ready("alice"), 240, "alice's server to be ready")

    job = server_job(hub, "alice")
    assert job and job["state"] == "RUNNING" and job["node"] in NODES, queue(hub)
    # The job asks Slurm for exactly the profile.
    details = hub.check_output(f"scontrol show job {job['id']}")
    assert "NumCPUs=1 " in details and "mem=1G" in details and "TimeLimit=08:00:00" in details, details

    # A kernel of the team's environment runs on that node, as alice, with pandas.
    kernel = team_hub.start_kernel("alice", KERNEL)
    out, err = team_hub.execute("alice", kernel, "\n".join([
        "import getpass, json, os, socket, pandas",
        "open(os.path.expanduser('~/from-the-node.txt'), 'w').write(socket.gethostname())",
        "print(json.dumps([socket.gethostname(), getpass.getuser(), pandas.__version__]))",
    ]))
    assert not err, err
    hostname, user, _pandas = json.loads(out)
    assert hostname == job["node"] and user == "alice"
    # Saved from the notebook on the node, seen on the hub host (the shared home).
    assert hub.file("/home/alice/from-the-node.txt").content_string == job["node"]
    assert hub.file("/home/alice/from-the-node.txt").user == "alice"


def test_two_whole_node_servers_take_both_nodes_and_a_third_waits_for_resources(team_hub, hub, no_servers):
    for member in ("alice", "bob"):
        response = start_via_api(team_hub, member, "node")
        assert response.status_code in (201, 202), (response.status_code, response.text)
    for member in ("alice", "bob"):
        wait_for(lambda: team_hub.server_ready(member), 240, f"{member}'s server to be ready")
    assert {server_job(hub, "alice")["node"], server_job(hub, "bob")["node"]} == set(NODES), queue(hub)

    # Nothing is free on either node: carol's small server waits, and her spawn page says why.
    response = start_via_api(team_hub, "carol", "small")
    assert response.status_code == 202, (response.status_code, response.text)
    wait_for(lambda: (server_job(hub, "carol") or {}).get("state") == "PENDING", 60, "carol's job to wait in the queue")
    progress = team_hub.api("GET", "/users/carol/server/progress", stream=True)
    message = ""
    for line in progress.iter_lines(decode_unicode=True):
        if line.startswith("data:") and "Waiting for resources" in line:
            message = json.loads(line[len("data:"):])["message"]
            break
    progress.close()
    assert message.startswith("Waiting for resources: 1 CPU, 1 GiB, up to 8:00:00 (small)"), message
    assert "no node has the CPUs and memory of this profile free now" in message, message

    # Once alice stops, carol's server starts where alice's ran.
    team_hub.stop_server("alice")
    wait_for(lambda: team_hub.server_ready("carol"), 240, "carol's server to be ready")


@pytest.mark.parametrize("options, message", [
    # carol is not an analyst.
    ({"profile": "node"}, "The profile node is not open to your groups."),
    ({"profile": "small", "memory": "20G"}, "Only a profile can be chosen, not memory."),
    ({"profile": "small", "prologue": "touch /tmp/x"}, "Only a profile can be chosen, not prologue."),
])
def test_a_start_asking_for_more_than_an_open_profile_is_refused(team_hub, hub, options, message, no_servers):
    response = team_hub.api("POST", "/users/carol/server", json=options)
    assert response.status_code == 400 and response.json()["message"] == message, (response.status_code, response.text)
    assert server_job(hub, "carol") is None


def test_a_job_token_sets_nothing_on_the_hub(team_hub, hub, nodes, no_servers):
    """batchspawner's own /hub/api/batchspawner set any attribute of the spawner (a
    command the hub runs as root among them) for the token every job holds."""
    team_hub.start_server("bob")
    node = nodes[server_job(hub, "bob")["node"]]
    token = node.check_output(
        "for p in $(pgrep -u bob -f jupyterhub-singleuser); do tr '\\0' '\\n' < /proc/$p/environ; done"
        " | sed -n 's/^JUPYTERHUB_API_TOKEN=//p' | head -1")
    assert token
    for body in ({"batch_query_cmd": "touch /tmp/owned; echo RUNNING"}, {"port": 1}):
        response = team_hub.api("POST", "/batchspawner", token=token, json=body)
        assert response.status_code == 403, (response.status_code, response.text)
    assert not hub.file("/tmp/owned").exists
    assert team_hub.server_ready("bob")


def test_the_hub_restarts_without_stopping_running_servers(team_hub, hub, no_servers):
    team_hub.start_server("bob")
    job = server_job(hub, "bob")
    hub.check_output("systemctl restart jupyterhub")
    wait_for(lambda: team_hub.api("GET", "/").status_code == 200, 120, "the hub to answer again")
    assert team_hub.server_ready("bob")
    assert server_job(hub, "bob") == job
    # Its route is still there: the server answers through the proxy.
    assert team_hub.user_api("GET", "bob", "/status").status_code == 200


# The hub's own idle culler, run once more beside the service with a short timeout: the
# same Python, arguments and token (from its process), so that its scopes are what stops
# the job, without a scenario-wide timeout that would cull the other tests' servers.
CULL_ONCE = """
import subprocess, sys
pid = subprocess.check_output(["pgrep", "-o", "-f", "jupyterhub_idle_culler"], text=True).split()[0]
argv = [arg for arg in open(f"/proc/{pid}/cmdline").read().split("\\0") if arg]
env = dict(line.split("=", 1) for line in open(f"/proc/{pid}/environ").read().split("\\0") if "=" in line)
argv = [arg for arg in argv if not arg.startswith(("--timeout=", "--cull-every="))] + ["--timeout=10", "--cull-every=5"]
sys.exit(subprocess.run(["timeout", "40", *argv], env=env).returncode)
"""


def test_the_idle_culler_stops_an_idle_servers_job(team_hub, hub, no_servers):
    team_hub.start_server("bob")
    job = server_job(hub, "bob")
    assert job and job["state"] == "RUNNING", queue(hub)
    time.sleep(15)
    # timeout ends the culler: 124.
    result = hub.run(f"python3 -c {shlex.quote(CULL_ONCE)}")
    assert result.rc == 124, (result.rc, result.stderr[-2000:])
    assert "Culling server bob " in result.stdout + result.stderr, result.stderr[-2000:]
    wait_for(lambda: not team_hub.user_model("bob").get("servers"), 60, "bob's server to show as stopped")
    wait_for(lambda: server_job(hub, "bob") is None, 60, "bob's job to leave the queue")
    assert hub.run(f"squeue --noheader --job {job['id']}").stdout.strip() == ""


def test_a_node_going_down_stops_its_servers_and_the_next_start_lands_on_a_node_that_is_up(team_hub, hub, nodes, no_servers):
    team_hub.start_server("carol")
    down = server_job(hub, "carol")["node"]
    (up,) = set(NODES) - {down}
    # The machine fails: slurmd and everything it started stop at once.
    nodes[down].check_output("systemctl kill --signal=KILL slurmd; pkill -KILL -u carol; systemctl stop slurmd")
    try:
        # slurm_slurmd_timeout (20 s), then the hub's next poll of the job.
        wait_for(lambda: not team_hub.user_model("carol").get("servers"), 180, "carol's server to show as stopped")
        assert nodes_by_state(hub)[down].startswith("down")
        team_hub.start_server("carol")
        assert server_job(hub, "carol")["node"] == up
    finally:
        nodes[down].check_output("systemctl start slurmd")
    # Back by itself once it registers again (ReturnToService=2).
    wait_for(lambda: nodes_by_state(hub)[down] == "idle", 90, f"{down} is idle again")


def test_every_node_has_the_team_kernels_with_the_same_packages(hub, nodes):
    spec = json.loads(hub.file(f"/usr/local/share/jupyter/kernels/{KERNEL}/kernel.json").content_string)
    # The kernel's Python (after the launcher script), in the environment's release.
    python = next(arg for arg in spec["argv"] if arg.endswith("/bin/python"))
    freeze = f"{python} -m pip list --format=freeze --disable-pip-version-check"
    lists = {name: host.check_output(freeze) for name, host in {HUB: hub, **nodes}.items()}
    assert "pandas==" in lists[HUB]
    assert all(packages == lists[HUB] for packages in lists.values()), lists


def test_every_host_runs_members_servers_from_one_hub_venv(hub, nodes):
    """The hub venv the members' servers run from, installed from the role's lock on each
    host: the same packages at the same versions on the hub host and on every node."""
    freeze = "/opt/jupyterhub/venv/bin/python -m pip freeze --all --disable-pip-version-check"
    lists = {name: host.check_output(freeze) for name, host in {HUB: hub, **nodes}.items()}
    assert re.search(r"^jupyterhub==\d", lists[HUB], re.M) and re.search(r"^batchspawner==1\.3\.0$", lists[HUB], re.M), lists[HUB]
    assert all(packages == lists[HUB] for packages in lists.values()), lists


def test_the_hubs_api_listens_on_the_clusters_network_only(hub):
    """jupyterhub_hub_bind_address (group_vars): the hub host's address on the cluster's
    network; the servers above reached the API there from the nodes."""
    networks = json.loads(subprocess.check_output(["docker", "inspect", HUB]))[0]["NetworkSettings"]["Networks"]
    assert listening_ports(hub, {8081}) == {(networks["teamhub-cl-net"]["IPAddress"], 8081)}
