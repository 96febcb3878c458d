"""A small Slurm cluster: slurmctld on the hub host, slurmd on two compute nodes, one
MUNGE key, the members' homes on a volume every container mounts (the site's NFS).

A member's batch job is submitted on the hub host as the member, as the hub submits a
member's server (test_servers.py: servers, queueing, a node going down). The tests run
in file order; the last ones run the playbook again with bad settings.
"""

import json
import time

import pytest
from conftest import HUB, NODES
from teamhub_testing import extra_vars, run_playbook, task_results

MEMBERS = ("alice", "bob", "carol")
# The runs with bad settings: the slurm role alone (and the checks tagged always), as
# `--tags slurm` runs it (molecule's idempotence step is the whole playbook's re-run).
SLURM_ONLY = ("--tags", "slurm")
# The site playbook's second play: a run stopped by the first never prints it.
SET_UP_PLAY = "PLAY [Set up the team server"


def as_member(host, member, command):
    """Run COMMAND on HOST as MEMBER, from their home (a login shell's environment)."""
    return host.run(f"cd /home/{member} && runuser -u {member} -- {command}")


def nodes_by_state(hub):
    """{node name: state} as the controller sees the nodes (sinfo's long state names)."""
    out = hub.check_output("sinfo --noheader --Node --format '%N %T'")
    return dict(line.split() for line in out.splitlines())


def wait_for(predicate, seconds, what):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(1)
    raise AssertionError(f"not within {seconds} s: {what}")


def queue(hub):
    """The jobs in the queue: [{id, user, state, node, reason}]."""
    out = hub.check_output("squeue --noheader --format '%i|%u|%T|%N|%r'")
    return [dict(zip(("id", "user", "state", "node", "reason"), line.split("|"))) for line in out.splitlines()]


def test_every_host_has_the_clusters_munge_key(hub, nodes):
    sums = {}
    for name, host in [(HUB, hub), *nodes.items()]:
        key = host.file("/etc/munge/munge.key")
        assert (key.user, key.group, key.mode) == ("munge", "munge", 0o400), name
        sums[name] = host.check_output("sha256sum /etc/munge/munge.key").split()[0]
    assert len(set(sums.values())) == 1, sums
    # A credential made on the hub host is good on each node: munged there has the key.
    credential = hub.check_output("munge -n")
    for name, host in nodes.items():
        decoded = host.run(f"echo '{credential}' | unmunge")
        assert decoded.rc == 0 and "STATUS:          Success (0)" in decoded.stdout, (name, decoded.stdout, decoded.stderr)
    # The key is never in a log of the run (it is hex text: a plain grep finds it).
    key = hub.check_output("cat /etc/munge/munge.key")
    assert hub.run(f"grep -rlF '{key}' /var/log /etc/slurm").stdout.strip() == ""


def test_the_controller_knows_each_node_as_it_is(hub, nodes):
    assert hub.service("slurmctld").is_running and hub.service("slurmctld").is_enabled
    assert nodes_by_state(hub) == {name: "idle" for name in NODES}
    conf = hub.file("/etc/slurm/slurm.conf").content_string
    for name, host in nodes.items():
        assert host.service("slurmd").is_running and host.service("slurmd").is_enabled
        # The same slurm.conf everywhere.
        assert host.file("/etc/slurm/slurm.conf").content_string == conf
        # What the node has, less slurm_memory_reserved_mb (1024) for the system.
        reported = dict(field.split("=") for field in host.check_output("slurmd -C").splitlines()[0].split())
        node = hub.check_output(f"scontrol show node {name} --oneliner")
        assert f"CPUTot={reported['CPUs']} " in node
        assert f"RealMemory={int(reported['RealMemory']) - 1024} " in node


def test_a_members_job_runs_on_a_node_as_the_member_and_keeps_files_in_the_shared_home(hub, nodes):
    hub_uid = hub.check_output("id -u alice")
    result = as_member(hub, "alice", "srun --ntasks=1 --time=5 bash -c 'hostname -s; id -u; echo from-a-job > job-file.txt'")
    assert result.rc == 0, result.stderr
    node, uid = result.stdout.split()
    assert node in NODES and uid == hub_uid
    saved = hub.file("/home/alice/job-file.txt")
    assert saved.content_string == "from-a-job\n" and saved.user == "alice"
    # One UID and one GID per member and group on every host (the users role in one run on
    # all of them), although the second node had an account and a group of its own first
    # (prepare.yml), which useradd and groupadd alone would have numbered around.
    assert nodes[NODES[1]].user("earlier").exists and nodes[NODES[1]].group("earlier-group").exists
    for member in MEMBERS:
        ids = {host.check_output(f"id -u {member}") + ":" + host.check_output(f"id -g {member}")
               for host in [hub, *nodes.values()]}
        assert len(ids) == 1, (member, ids)
    groups = {name: host.check_output("getent group team teamhub-admins analysts alice bob carol | cut -d: -f1,3 | sort")
              for name, host in [(HUB, hub), *nodes.items()]}
    assert len(set(groups.values())) == 1, groups


def test_check_mode_on_the_converged_cluster_changes_nothing():
    # The roles a cluster runs differently from one server (the default scenario's check
    # run covers conda, the kernels and SSH, the same code on a node).
    rc, output, recap = run_playbook("converge.yml", "--check", "--diff", "--tags", "users,jupyterhub,slurm")
    assert rc == 0, output[-3000:]
    assert {host: counts["changed"] for host, counts in recap.items()} == {HUB: 0, **{name: 0 for name in NODES}}, output[-3000:]


def test_a_sites_slurm_is_used_as_it_is(hub, nodes):
    """slurm_manage: false, with the cluster this scenario set up standing for a site's
    Slurm whose controller is down: the run keeps the client and MUNGE on the hub host,
    leaves slurm.conf, the key and the daemons alone (changed=0) and names the controller
    that does not answer, without failing."""
    before = {name: host.check_output("sha256sum /etc/slurm/slurm.conf /etc/munge/munge.key")
              for name, host in [(HUB, hub), *nodes.items()]}
    hub.check_output("systemctl stop slurmctld")
    try:
        rc, output, recap = run_playbook("converge.yml", *SLURM_ONLY, *extra_vars({"slurm_manage": False}))
    finally:
        hub.check_output("systemctl start slurmctld")
    assert rc == 0, output[-3000:]
    assert {host: counts["changed"] for host, counts in recap.items()} == {HUB: 0, **{name: 0 for name in NODES}}, output[-3000:]
    assert sorted(task_results(output, "Check that the site's controller answers")) == ["ok", "skipping", "skipping"], output[-3000:]
    assert set(task_results(output, "Write slurm.conf (the same on every host)")) == {"skipping"}, output[-3000:]
    said = " ".join(output.split())
    assert f"slurm_manage is false, but scontrol ping on {HUB} says:" in said and "DOWN" in said, output[-3000:]
    wait_for(lambda: set(nodes_by_state(hub).values()) == {"idle"}, 120, "both nodes idle again")
    assert before == {name: host.check_output("sha256sum /etc/slurm/slurm.conf /etc/munge/munge.key")
                      for name, host in [(HUB, hub), *nodes.items()]}


def test_a_node_without_the_shared_paths_stops_the_run_naming_it(hub, nodes):
    # /opt is each container's own: not shared.
    rc, output, recap = run_playbook("converge.yml", *SLURM_ONLY, *extra_vars({"slurm_shared_paths": ["/home", "/opt"]}))
    assert rc != 0
    assert "does not see /opt of teamhub-cl-hub" in " ".join(output.split()), output[-3000:]
    assert all(recap[name]["failed"] == 1 for name in NODES), recap
    # Nothing was written to the cluster's configuration.
    assert all(host.service("slurmd").is_running for host in nodes.values())


# The settings only a cluster can check (the hosts' addresses, what the nodes have);
# the others are in the faults scenario's bad-input table. All but the shared paths'
# owners (read where the role marks them) stop the run in the first play, where every
# setting is checked before anything changes.
@pytest.mark.parametrize(("variables", "message", "checked_first"), [
    ({"slurm_node_address": "node one; rm"}, "slurm_node_address of teamhub-cl-hub, teamhub-cl-c1, teamhub-cl-c2 is no host name or IP address", True),
    # World-writable: a member could have put a link where root would write its mark.
    ({"slurm_shared_paths": ["/home", "/var/tmp"]}, "/var/tmp on teamhub-cl-hub must be a directory owned by root and writable by root alone", False),
    ({"slurm_memory_reserved_mb": 1000000}, "no memory left for jobs after slurm_memory_reserved_mb (1000000 MiB)", True),
    # A server that could never start: more memory than any node has.
    ({"jupyterhub_profiles": [{"name": "huge", "cpus": 1, "memory_mb": 100000000}]},
     "jupyterhub_profiles: huge asks for 1 CPU(s) and 100000000 MiB: no compute node has that much for one job", True),
    # site.yml's plays name the group compute: another group's hosts would not be set up.
    ({"slurm_compute_group": "workers"}, "slurm_compute_group is workers, but this playbook sets up the hosts of the inventory group compute", True),
    # A member added on the admin page would have an account on the hub host only.
    ({"users_hub_onboarding": True}, "users_hub_onboarding is true, but members' servers are Slurm jobs", True),
])
def test_bad_settings_stop_the_run_with_a_message(hub, variables, message, checked_first):
    before = hub.check_output("sha256sum /etc/slurm/slurm.conf")
    rc, output, _recap = run_playbook("converge.yml", *SLURM_ONLY, *extra_vars(variables))
    assert rc != 0
    assert message in " ".join(output.split()), output[-3000:]
    assert (SET_UP_PLAY not in output) == checked_first, output[-3000:]
    assert hub.check_output("sha256sum /etc/slurm/slurm.conf") == before


def test_two_inventory_hosts_on_one_machine_are_refused(hub, tmp_path):
    """The same node listed twice (a second name for one machine): one NodeName twice."""
    inventory = tmp_path / "inventory.yml"
    inventory.write_text(json.dumps({"all": {"children": {
        "teamhub": {"hosts": {HUB: {"ansible_connection": "community.docker.docker"}}},
        "compute": {"hosts": {
            NODES[0]: {"ansible_connection": "community.docker.docker"},
            "second-name-of-c1": {"ansible_connection": "community.docker.docker", "ansible_host": NODES[0]},
        }}}}}))
    before = hub.check_output("sha256sum /etc/slurm/slurm.conf")
    rc, output, _recap = run_playbook("converge.yml", *SLURM_ONLY, "-i", str(inventory))
    assert rc != 0
    message = "Compute nodes with one host name: teamhub-cl-c1 is teamhub-cl-c1 and second-name-of-c1 (hostname -s on each)"
    assert message in " ".join(output.split()), output[-3000:]
    assert SET_UP_PLAY not in output, output[-3000:]
    assert hub.check_output("sha256sum /etc/slurm/slurm.conf") == before
