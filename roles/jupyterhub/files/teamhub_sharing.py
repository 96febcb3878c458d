# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""The Sharing page (role teamhub.jupyter.jupyterhub): share your server with teammates.

JupyterHub 5 and later can share a server with a user or a group (its sharing API,
scope shares!user) but has no page for it. This is that page, a hub-managed service at
/services/sharing/ behind the hub's login (OAuth), listed in the hub's Services menu.
It runs as its own unprivileged account and holds no power of its own beyond reading
the team's names: every change is made with the member's own OAuth token, so the hub
decides who may share what.

    python teamhub_sharing.py          # started by the hub, which sets JUPYTERHUB_* variables

A member sees who has access to their server, shares it with a teammate or one of the
team's groups, revokes a share, and gets the link the others open. Those it is shared
with work in the owner's server as the owner's account.
"""

import json
import os
import re
from urllib.parse import quote, urlparse

# What JupyterHub accepts as user and group names here: the team's names.
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}\Z")
ACTIONS = ("share", "revoke")

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Sharing: {{ me }}</title>
  <link rel="stylesheet" href="{{ hub_prefix }}static/css/style.min.css">
</head>
<body>
<nav class="navbar navbar-expand-sm bg-body-tertiary mb-4">
  <div class="container-fluid">
    <a class="navbar-brand" href="{{ hub_prefix }}home">JupyterHub</a>
    <span class="navbar-text">{{ me }}</span>
  </div>
</nav>
<div class="container">
  <h1>Share your server</h1>
  <p>Those you share your server with open it with the link below and work in it as you: they see and change
    your files, and with real-time collaboration you see each other's edits. Share with people you trust with
    your files, and revoke it when you are done.</p>
  {% if error %}<div class="alert alert-danger" role="alert" id="sharing-error">{{ error }}</div>{% endif %}
  {% if message %}<div class="alert alert-success" role="status" id="sharing-message">{{ message }}</div>{% endif %}
  {% if not has_server %}
  <div class="alert alert-info" role="status">Start your server once (on the <a href="{{ hub_prefix }}home">home
    page</a>) before you share it.</div>
  {% else %}
  <p>Link for those you share with: <input class="form-control" id="share-link" readonly value="{{ link }}"></p>
  <h2>Who has access</h2>
  <table class="table" id="shares">
    <thead><tr><th>With</th><th>Kind</th><th>Since</th><th></th></tr></thead>
    <tbody>
    {% for share in shares %}
      <tr>
        <td>{{ share.name }}</td>
        <td>{{ share.kind }}</td>
        <td>{{ share.since }}</td>
        <td>
          <form method="post">
            {{ xsrf_html }}
            <input type="hidden" name="action" value="revoke">
            <input type="hidden" name="{{ share.kind }}" value="{{ share.name }}">
            <button class="btn btn-sm btn-danger" type="submit" name="revoke-{{ share.kind }}-{{ share.name }}">Revoke</button>
          </form>
        </td>
      </tr>
    {% else %}
      <tr><td colspan="4">Only you.</td></tr>
    {% endfor %}
    </tbody>
  </table>
  <h2>Share</h2>
  <form method="post" class="row g-2">
    {{ xsrf_html }}
    <input type="hidden" name="action" value="share">
    <div class="col-auto">
      <label class="form-label" for="share-user">With a teammate</label>
      <select class="form-select" id="share-user" name="user">
        <option value="">(choose)</option>
        {% for name in teammates %}<option value="{{ name }}">{{ name }}</option>{% endfor %}
      </select>
    </div>
    <div class="col-auto">
      <label class="form-label" for="share-group">or with a group</label>
      <select class="form-select" id="share-group" name="group">
        <option value="">(choose)</option>
        {% for name in groups %}<option value="{{ name }}">{{ name }}</option>{% endfor %}
      </select>
    </div>
    <div class="col-auto align-self-end">
      <button class="btn btn-primary" type="submit" id="share-button">Share</button>
    </div>
  </form>
  {% endif %}
</div>
</body>
</html>
"""


class Refused(Exception):
    """A request this page does not send to the hub, with the reason for the member."""


def parse_form(form, teammates, groups):
    """The hub request for a submitted form: (action, {"user": name} or {"group": name}).

    form maps field names to values (strings). Exactly one of user and group, a name of
    the team (teammates, groups); anything else is Refused before the hub is asked.
    """
    action = form.get("action", "")
    if action not in ACTIONS:
        raise Refused("Unknown action %r" % action[:40])
    user = form.get("user", "").strip()
    group = form.get("group", "").strip()
    if bool(user) == bool(group):
        raise Refused("Choose one teammate or one group")
    kind, name = ("user", user) if user else ("group", group)
    if not NAME_PATTERN.match(name):
        raise Refused("%r is not a name of the team" % name[:64])
    # Revoking works for any name that has a share (a member who left the team);
    # sharing only with the team.
    if action == "share" and name not in (teammates if kind == "user" else groups):
        raise Refused("%s is not a %s of the team" % (name, "member" if kind == "user" else "group"))
    return action, {kind: name}


def share_rows(model):
    """The rows of "Who has access" from the hub's GET /shares/<owner>/ answer."""
    rows = []
    for share in model.get("items", []):
        kind = share.get("kind")
        who = share.get(kind) or {}
        if kind in ("user", "group") and who.get("name"):
            rows.append({"kind": kind, "name": who["name"], "since": (share.get("created_at") or "")[:16].replace("T", " ")})
    return sorted(rows, key=lambda row: (row["kind"] != "user", row["name"]))


def team_choices(users_model, groups_model, me):
    """(teammates, groups): the names in the hub's user and group lists, without me."""
    teammates = sorted(user["name"] for user in users_model if user.get("name") and user["name"] != me)
    groups = sorted(group["name"] for group in groups_model if group.get("name"))
    return teammates, groups


def message_for(action, target):
    """What the member reads after the hub did it."""
    (kind, name), = target.items()
    who = name if kind == "user" else "the group %s" % name
    if action == "share":
        return "Shared with %s. Send them the link." % who
    return "%s no longer has access (within seconds: open pages stop working at their next request)." % who.capitalize()


def hub_error(status, body):
    """The hub's reason for a refused request, for the member."""
    try:
        reason = json.loads(body or b"{}").get("message", "")
    except ValueError:
        reason = ""
    if status == 403:
        return "The hub does not let you share your server%s" % (": " + reason if reason else "")
    return "The hub refused (%s)%s" % (status, ": " + reason if reason else "")


def server_link(public_origin, base_url, owner):
    """The URL of owner's server, for those it is shared with."""
    return "%s%suser/%s/" % (public_origin, base_url, quote(owner, safe=""))


def make_app(environ):
    """The tornado application of the service, configured from the hub's variables."""
    # Imported here: the hub venv has them; the plain functions above need neither.
    import secrets

    import jinja2
    from markupsafe import Markup
    from jupyterhub.services.auth import HubOAuthCallbackHandler, HubOAuthenticated
    from tornado import web
    from tornado.httpclient import AsyncHTTPClient, HTTPRequest
    from tornado.log import app_log

    prefix = environ["JUPYTERHUB_SERVICE_PREFIX"]
    api_url = environ["JUPYTERHUB_API_URL"].rstrip("/")
    base_url = environ.get("JUPYTERHUB_BASE_URL", "/")
    service_token = environ["JUPYTERHUB_API_TOKEN"]
    page = jinja2.Environment(autoescape=True).from_string(PAGE)
    client = AsyncHTTPClient()

    async def hub(method, path, token, body=None):
        """(status, body) of one hub API request."""
        request = HTTPRequest(api_url + path, method=method, headers={"Authorization": "token " + token},
                              body=None if body is None else json.dumps(body), allow_nonstandard_methods=True)
        response = await client.fetch(request, raise_error=False)
        return response.code, response.body

    class SharingPage(HubOAuthenticated, web.RequestHandler):
        """GET: the page; POST: share or revoke, then the page again."""

        async def team(self):
            status, users = await hub("GET", "/users", service_token)
            status_g, groups = await hub("GET", "/groups", service_token)
            if status != 200 or status_g != 200:
                raise web.HTTPError(502, "The hub did not give the team list")
            return team_choices(json.loads(users), json.loads(groups), self.current_user["name"])

        async def show(self, error="", message="", team=None):
            me = self.current_user["name"]
            token = self.hub_auth.get_token(self)
            teammates, groups = team or await self.team()
            status, body = await hub("GET", "/shares/%s/" % quote(me, safe=""), token)
            has_server = status == 200
            if status not in (200, 404):
                error = error or hub_error(status, body)
            origin = "%s://%s" % (self.request.protocol, self.request.host)
            self.finish(page.render(
                me=me, hub_prefix=base_url + "hub/", error=error, message=message, has_server=has_server,
                shares=share_rows(json.loads(body)) if has_server else [], teammates=teammates, groups=groups,
                link=server_link(origin, base_url, me), xsrf_html=Markup(self.xsrf_form_html())))

        @web.authenticated
        async def get(self):
            await self.show()

        @web.authenticated
        async def post(self):
            me = self.current_user["name"]
            team = await self.team()
            form = {key: self.get_body_argument(key, "") for key in ("action", "user", "group")}
            try:
                action, target = parse_form(form, *team)
            except Refused as refused:
                self.set_status(400)
                await self.show(error=str(refused), team=team)
                return
            method = "POST" if action == "share" else "PATCH"
            status, body = await hub(method, "/shares/%s/" % quote(me, safe=""), self.hub_auth.get_token(self), target)
            if status != 200:
                self.set_status(403 if status == 403 else 400)
                await self.show(error=hub_error(status, body), team=team)
                return
            app_log.info("%s: %s %s", me, action, json.dumps(target))
            await self.show(message=message_for(action, target), team=team)

    class Health(web.RequestHandler):
        def get(self):
            self.finish({"ok": True})

    return web.Application(
        [
            (prefix, SharingPage),
            (prefix + "oauth_callback", HubOAuthCallbackHandler),
            (prefix + "health", Health),
        ],
        cookie_secret=secrets.token_bytes(32),
        xsrf_cookies=True,
    )


def main():
    """Serve the page where the hub said (JUPYTERHUB_SERVICE_URL)."""
    import asyncio
    import logging

    from tornado.options import parse_command_line

    parse_command_line([])
    logging.getLogger("tornado.access").setLevel(logging.WARNING)
    url = urlparse(os.environ["JUPYTERHUB_SERVICE_URL"])
    app = make_app(os.environ)

    async def serve():
        app.listen(url.port, url.hostname)
        await asyncio.Event().wait()

    asyncio.run(serve())


if __name__ == "__main__":
    main()
