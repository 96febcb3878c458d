# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Members' servers as Slurm jobs (role teamhub.jupyter.jupyterhub, cluster mode).

batchspawner's SlurmSpawner submits a member's server as a job; this module adds what a
team needs around it:

- profiles: the team lead's list of what a server may ask Slurm for (CPUs, memory, time
  limit, partition) and which groups may use each. The spawn form offers the member the
  profiles of their groups, and the job requests exactly the chosen profile, whatever
  the form or an API call sent (batchspawner copies a request's user_options into the
  batch script's variables, so a member could otherwise set --mem or the script's
  prologue themselves);
- a port report that sets the port and nothing else. batchspawner's own
  /hub/api/batchspawner sets any attribute of the spawner the JSON body names, with the
  token every member's job holds: batch_query_cmd among them, a shell command the hub
  runs as root. install_port_handler() replaces that route before the hub reads it;
- the spawn page says why a server waits: Slurm's reason for a pending job.

The functions are plain, and tested in tests/unit; jupyterhub_config.py calls
configure(c, profiles).
"""

import html
import json
import re

# A profile's name, as the form and the API send it.
PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
# Slurm's --time forms: minutes, MM:SS, HH:MM:SS, D-HH, D-HH:MM, D-HH:MM:SS.
SLURM_TIME = re.compile(r"^(\d+|\d+:\d{2}|\d+:\d{2}:\d{2}|\d+-\d+|\d+-\d+:\d{2}|\d+-\d+:\d{2}:\d{2})\Z")
PARTITION_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
# Why squeue says a job waits (%r), in the member's words.
PENDING_REASONS = {
    "Resources": "no node has the CPUs and memory of this profile free now",
    "Priority": "jobs ahead of it in the queue wait for the same nodes",
    "PartitionTimeLimit": "the profile's time limit is longer than its partition allows",
    "ReqNodeNotAvail": "the nodes it needs are down or drained",
    "Nodes required for job are DOWN, DRAINED or reserved for jobs in higher priority partitions":
        "the nodes it needs are down or drained",
    "BeginTime": "it waits for its start time",
}


class Refused(ValueError):
    """A request the hub does not pass on to Slurm; the message is for the member."""


def check_profiles(profiles):
    """The profiles as the role wrote them, checked again where they are used: a list of
    {name, display_name, cpus, memory_mb, time, partition, groups}. Returns them."""
    if not isinstance(profiles, list) or not profiles:
        raise ValueError("jupyterhub_profiles: at least one profile is needed in cluster mode")
    seen = set()
    for profile in profiles:
        name = profile.get("name", "")
        if not PROFILE_NAME.match(str(name)):
            raise ValueError(f"jupyterhub_profiles: {name!r} is not a profile name (letters, digits, . _ -)")
        if name in seen:
            raise ValueError(f"jupyterhub_profiles: {name} is there twice")
        seen.add(name)
        for field in ("cpus", "memory_mb"):
            value = profile.get(field)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"jupyterhub_profiles: {name}: {field} must be a whole number above 0, not {value!r}")
        if profile.get("time") and not SLURM_TIME.match(str(profile["time"])):
            raise ValueError(f"jupyterhub_profiles: {name}: time {profile['time']!r} is not a Slurm time limit (say 8:00:00 or 1-00:00:00)")
        if profile.get("partition") and not PARTITION_NAME.match(str(profile["partition"])):
            raise ValueError(f"jupyterhub_profiles: {name}: {profile['partition']!r} is not a partition name")
    return profiles


def profiles_for(profiles, groups):
    """The profiles a member of these groups may use, in the team lead's order: those
    with no groups are everyone's."""
    groups = set(groups)
    return [p for p in profiles if not p.get("groups") or groups.intersection(p["groups"])]


def choose(user_options, profiles, groups):
    """The profile a start asks for (its user_options: {"profile": name}, or nothing for
    the first the member may use). Anything else in user_options is refused, so nothing
    but a profile reaches the batch script."""
    allowed = profiles_for(profiles, groups)
    if not allowed:
        raise Refused("No server profile is open to your groups: ask the team lead.")
    options = dict(user_options or {})
    name = options.pop("profile", None)
    if options:
        raise Refused(f"Only a profile can be chosen, not {', '.join(sorted(map(str, options)))}.")
    if name in (None, ""):
        return allowed[0]
    for profile in allowed:
        if profile["name"] == name:
            return profile
    if any(p["name"] == name for p in profiles):
        raise Refused(f"The profile {name} is not open to your groups.")
    raise Refused(f"There is no profile {str(name)[:64]!r}.")


def slurm_request(profile):
    """batchspawner's req_* settings for a profile: exactly what the job asks Slurm for."""
    return {
        "req_nprocs": str(profile["cpus"]),
        "req_memory": f"{profile['memory_mb']}M",
        "req_runtime": str(profile.get("time") or ""),
        "req_partition": str(profile.get("partition") or ""),
    }


def describe(profile):
    """One line for the form: what the profile gives."""
    memory = profile["memory_mb"]
    size = f"{memory / 1024:g} GiB" if memory % 256 == 0 and memory >= 1024 else f"{memory} MiB"
    parts = [f"{profile['cpus']} CPU{'s' if profile['cpus'] != 1 else ''}", size]
    if profile.get("time"):
        parts.append(f"up to {profile['time']}")
    if profile.get("partition"):
        parts.append(f"partition {profile['partition']}")
    return ", ".join(parts)


def options_form(profiles, groups):
    """The spawn form's HTML: one choice per profile the member may use (the first
    chosen). Empty when there is nothing to choose (one profile starts at once)."""
    allowed = profiles_for(profiles, groups)
    if len(allowed) <= 1:
        return ""
    rows = []
    for index, profile in enumerate(allowed):
        value = html.escape(profile["name"], quote=True)
        title = html.escape(profile.get("display_name") or profile["name"])
        rows.append(
            f'<div class="radio"><label><input type="radio" name="profile" value="{value}"'
            f'{" checked" if index == 0 else ""}> <strong>{title}</strong>: {html.escape(describe(profile))}</label></div>'
        )
    return '<fieldset><legend>Server size</legend>\n' + "\n".join(rows) + "\n</fieldset>"


def options_from_form(formdata):
    """user_options from the submitted form: the profile's name, nothing else."""
    names = formdata.get("profile") or [""]
    return {"profile": names[0]} if names[0] else {}


def port_report(body):
    """The port a member's job reports (the JSON body of its POST): {"port": N}, and
    nothing else, N from 1 to 65535."""
    try:
        data = json.loads(body) if isinstance(body, (bytes, str)) else body
    except ValueError:
        raise Refused("The report is not JSON.") from None
    if not isinstance(data, dict) or set(data) != {"port"}:
        raise Refused('A job reports {"port": N} and nothing else.')
    port = data["port"]
    if isinstance(port, bool) or not isinstance(port, int) or not 1 <= port <= 65535:
        raise Refused(f"{port!r} is not a port.")
    return port


def pending_reason(job_status):
    """Slurm's reason from the spawner's job status (squeue's '%T|%r|%B')."""
    fields = (job_status or "").split("|")
    return fields[1].strip() if len(fields) >= 2 else ""


def pending_message(profile, reason):
    """What the spawn page says while the job waits in Slurm's queue."""
    why = PENDING_REASONS.get(reason, f"Slurm says {reason}" if reason and reason != "None" else "")
    head = f"Waiting for resources: {describe(profile)} ({profile['name']})"
    return f"{head}; {why}. Your server starts as soon as a node has room." if why else f"{head}. Your server starts as soon as a node has room."


def install_port_handler():
    """Replace batchspawner's /api/batchspawner handler (imported with batchspawner) by
    one that takes the port alone, from the job of a server that is starting."""
    from jupyterhub import apihandlers
    from tornado import web

    import batchspawner.api  # noqa: F401 (its import appends the route replaced here)

    class PortReportHandler(apihandlers.APIHandler):
        @web.authenticated
        def post(self):
            token = self.get_auth_token()
            spawner = next((s for s in self.current_user.spawners.values() if token and s.api_token == token), None)
            if spawner is None or not spawner.pending == "spawn":
                raise web.HTTPError(403, "No server of yours is starting with this token.")
            try:
                port = port_report(self.request.body)
            except Refused as refused:
                raise web.HTTPError(400, str(refused)) from None
            spawner.port = port
            self.set_status(201)
            self.finish(json.dumps({"message": "port set"}))

    routes = apihandlers.default_handlers
    routes[:] = [route for route in routes if route[0] != r"/api/batchspawner"]
    routes.append((r"/api/batchspawner", PortReportHandler))
    return PortReportHandler


def spawner_class(profiles):
    """TeamSlurmSpawner: SlurmSpawner that runs a member's chosen profile."""
    import batchspawner
    from tornado import web
    from traitlets import Unicode

    check_profiles(profiles)

    class TeamSlurmSpawner(batchspawner.SlurmSpawner):
        # State, why a pending job waits (%r, may hold spaces) and the node it runs on.
        batch_query_cmd = Unicode("squeue -h -j {job_id} -o '%T|%r|%B'").tag(config=True)
        state_exechost_re = Unicode(r"^[A-Z_]+\|[^|]*\|([\w.-]+)\s*$").tag(config=True)

        def _groups(self):
            return [group.name for group in self.user.groups]

        def _options_form_default(self):
            return lambda spawner: options_form(profiles, spawner._groups())

        def options_from_form(self, formdata):
            return options_from_form(formdata)

        def _profile(self):
            return choose(self.user_options, profiles, self._groups())

        async def start(self):
            try:
                profile = self._profile()
            except Refused as refused:
                # JupyterHub starts a server without options with the last ones it was
                # given: refused options must not become those.
                self.user_options = {}
                if self.orm_spawner is not None:
                    self.orm_spawner.user_options = {}
                    self.user.db.commit()
                # 400 to the API, and the message on the spawn page.
                error = web.HTTPError(400, str(refused))
                error.jupyterhub_message = str(refused)
                raise error from None
            for name, value in slurm_request(profile).items():
                setattr(self, name, value)
            self.user_options = {"profile": profile["name"]}
            return await super().start()

        async def progress(self):
            profile = choose(self.user_options, profiles, self._groups())
            last = None
            async for event in super().progress():
                if "Pending" in event.get("message", ""):
                    event = dict(event, message=pending_message(profile, pending_reason(self.job_status)))
                if event.get("message") != last:
                    last = event.get("message")
                    yield event

    return TeamSlurmSpawner


def configure(c, profiles):
    """Cluster mode in jupyterhub_config.py: the spawner and the port report."""
    install_port_handler()
    c.JupyterHub.spawner_class = spawner_class(profiles)
