# Copyright (c) TeamHub developers
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Adding members from the hub's admin page (role teamhub.jupyter.jupyterhub).

The hub never creates accounts itself. TeamHubAuthenticator (PAM, as before) asks the
root helper teamhub-accounts of the role teamhub.jupyter.users, through its root-only
socket, to create a member with the team's settings when an admin adds a user, and to
retire one when an admin deletes them. Two pages complete it:

- /hub/teamhub/members (admins): the members added on the hub, and a one-time link for
  each member's first password, shown once. The same as JSON:
  POST /hub/api/teamhub/members/<name>/first-password-link (scope admin:users).
- /hub/teamhub/first-password?user=<name>&token=<token> (anyone with the link): the new
  member sets their password; the link then stops working. Tokens in a query string are
  left out of the hub's log (it hides any parameter named token).
"""

import asyncio
import json
import os
import pwd
import re
from urllib.parse import urlencode

from jupyterhub.apihandlers import APIHandler
from jupyterhub.auth import PAMAuthenticator
from jupyterhub.handlers import BaseHandler
from jupyterhub.scopes import needs_scope
from tornado import web
from traitlets import Unicode

# What secrets.token_urlsafe(32) gives (teamhub-accounts makes the links).
TOKEN_PATTERN = re.compile(r"^[A-Za-z0-9_-]{43}\Z")


async def ask(socket_path, request):
    """One request to teamhub-accounts; its answer (a dict with ok, and error or results)."""
    if not os.path.exists(socket_path):
        return {"ok": False, "error": "Adding members on the hub is switched off on this host"
                                      " (users_hub_onboarding): add them to users_accounts instead."}
    failed = {"ok": False, "error": "the accounts helper on this host gave no answer (%s); its log:"
                                    " journalctl -u 'teamhub-accounts@*'"}
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_unix_connection(socket_path), 10)
        try:
            writer.write(json.dumps(request).encode("utf-8") + b"\n")
            await writer.drain()
            line = await asyncio.wait_for(reader.readline(), 150)
        finally:
            writer.close()
        return json.loads(line)
    except (OSError, ValueError, asyncio.TimeoutError) as error:
        return dict(failed, error=failed["error"] % (error or type(error).__name__))


class TeamHubAuthenticator(PAMAuthenticator):
    """PAM logins; members added and removed on the admin page go through teamhub-accounts."""

    accounts_socket = Unicode("/run/teamhub/accounts.sock", config=True,
                              help="The socket of teamhub-accounts (role teamhub.jupyter.users).")
    hub_members_file = Unicode("/var/lib/teamhub/hub-members.json", config=True,
                               help="The members added on the hub (written by teamhub-accounts).")

    def normalize_username(self, username):
        # Not lowered: an admin who types "NewBie" is told that names are lower case
        # instead of getting an account of another name. Logins lower the name
        # themselves (authenticate), as before.
        return username.strip()

    async def authenticate(self, handler, data):
        data = dict(data, username=data.get("username", "").strip().lower())
        return await super().authenticate(handler, data)

    def hub_members(self):
        try:
            with open(self.hub_members_file, encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, ValueError):
            return {}

    def check_allowed(self, username, authentication=None):
        # The inventory's members (allowed_users) and the members added on the hub: the
        # playbook's next run lists them and keeps them.
        if super().check_allowed(username, authentication):
            return True
        try:
            pwd.getpwnam(username)
        except KeyError:
            return False  # retired since: the list may still name them
        return username in self.hub_members()

    async def add_user(self, user):
        serving = getattr(self.parent, "http_server", None) is not None
        if serving and not self.check_allowed(user.name):
            # An admin adds someone who is neither in the inventory nor added before: the
            # helper creates the account or says why not (a system account, a retired
            # member's name, ...). At start the hub calls add_user for everybody in its
            # database, and at a first login for the member: neither creates accounts.
            answer = await ask(self.accounts_socket, {"op": "add", "name": user.name, "by": "the hub"})
            if not answer.get("ok"):
                raise ValueError(answer.get("error", "no answer"))
        await super().add_user(user)

    async def delete_user(self, user):
        answer = await ask(self.accounts_socket, {"op": "retire", "name": user.name, "by": "the hub"})
        if not answer.get("ok") and os.path.exists(self.accounts_socket):
            raise web.HTTPError(400, answer.get("error", "no answer"))
        super().delete_user(user)


def link_for(handler, name, token):
    base = "%s://%s%s" % (handler.request.protocol, handler.request.host, handler.hub.base_url)
    return base + "teamhub/first-password?" + urlencode({"user": name, "token": token})


async def make_link(handler, name):
    answer = await ask(handler.authenticator.accounts_socket,
                       {"op": "link", "name": name, "by": handler.current_user.name})
    if not answer.get("ok"):
        raise web.HTTPError(400, answer.get("error", "no answer"))
    return {"name": name, "url": link_for(handler, name, answer["token"]), "expires": answer["expires"]}


class MembersHandler(BaseHandler):
    """Admins: the members added on the hub, and a one-time link for a first password."""

    def check_admin(self):
        if "admin:users" not in self.parsed_scopes:
            raise web.HTTPError(403, "Only hub admins may see the members added on the hub.")

    @web.authenticated
    async def get(self, shown=None, error=None):
        self.check_admin()
        answer = await ask(self.authenticator.accounts_socket, {"op": "list"})
        html = await self.render_template(
            "teamhub-members.html", members=answer.get("members", {}), shown=shown,
            error=error or (None if answer.get("ok") else answer.get("error")))
        self.finish(html)

    @web.authenticated
    async def post(self):
        self.check_admin()
        name = self.get_body_argument("name", "")
        try:
            shown = await make_link(self, name)
        except web.HTTPError as error:
            return await self.get(error=error.log_message)
        self.set_header("Cache-Control", "no-store")
        return await self.get(shown=shown)


class LinkAPIHandler(APIHandler):
    """POST /hub/api/teamhub/members/<name>/first-password-link: {name, url, expires}."""

    @needs_scope("admin:users")
    async def post(self, name):
        self.set_header("Cache-Control", "no-store")
        self.finish(json.dumps(await make_link(self, name)))


class FirstPasswordHandler(BaseHandler):
    """The new member's page behind their one-time link; no login needed, only the link."""

    def page(self, **ns):
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        return self.render_template("teamhub-first-password.html", **ns)

    async def get(self):
        self.finish(await self.page(member=self.get_argument("user", ""), token=self.get_argument("token", ""),
                                    error=None, done=False))

    async def post(self):
        name, token = self.get_body_argument("user", ""), self.get_body_argument("token", "")
        password = self.get_body_argument("password", "")
        error = None
        if not TOKEN_PATTERN.match(token):
            # Not a link teamhub-accounts made: the root helper is not even asked.
            error = ("This link is not valid: it was used already, has expired or was replaced by a newer one."
                     " Ask a hub admin for a new link.")
        elif password != self.get_body_argument("password2", ""):
            error = "The two passwords differ."
        else:
            answer = await ask(self.authenticator.accounts_socket,
                               {"op": "redeem", "name": name, "token": token, "password": password})
            error = None if answer.get("ok") else answer.get("error", "no answer")
        if error:
            self.set_status(400)
        self.finish(await self.page(member=name, token=token, error=error, done=error is None,
                                    login=self.settings["login_url"] + "?" + urlencode({"next": self.hub.base_url})))


def configure(c, template_dir):
    """Switch the hub to TeamHubAuthenticator and add the two pages and the API call."""
    c.JupyterHub.authenticator_class = TeamHubAuthenticator
    c.JupyterHub.template_paths = [template_dir]
    c.JupyterHub.extra_handlers = [
        (r"/teamhub/members", MembersHandler),
        (r"/teamhub/first-password", FirstPasswordHandler),
        (r"/api/teamhub/members/([^/]+)/first-password-link", LinkAPIHandler),
    ]
