"""Before the upgrade (prepare.yml): a member logs in to the hub the previous release
set up, starts a server and a kernel, runs code and leaves a notebook. The tests
(test_hub.py) find the notebook after the current collection converged the host.

    python leave_work.py OUTPUT_JSON
"""

import json
import os
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "tests" / "support"))
sys.path.insert(0, str(Path(__file__).resolve().parent / "tests"))

from conftest import PASSWORDS, SERVICE_TOKEN  # noqa: E402  pylint: disable=wrong-import-position
from hub_client import Hub  # noqa: E402  pylint: disable=wrong-import-position

MEMBER = "wang.lei"
NOTEBOOK = "before-the-upgrade.ipynb"
MARK = "print('written before the upgrade', 6 * 7)"


def notebook():
    """A notebook with one code cell and the output the kernel gave it."""
    return {"nbformat": 4, "nbformat_minor": 5, "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
            "cells": [{"cell_type": "code", "id": "before-upgrade", "execution_count": 1, "metadata": {}, "source": MARK,
                       "outputs": []}]}


def main():
    container = os.environ.get("TEAMHUB_UPGRADE_CONTAINER", "teamhub-hub-debian13")
    hub = Hub(container, SERVICE_TOKEN, PASSWORDS, scheme="https")
    token = hub.user_token(MEMBER)
    hub.start_server(MEMBER)
    kernel = hub.start_kernel(MEMBER, token=token)
    output, error = hub.execute(MEMBER, kernel, MARK, token=token)
    assert "written before the upgrade 42" in output and not error, (output, error)
    content = notebook()
    content["cells"][0]["outputs"] = [{"output_type": "stream", "name": "stdout", "text": output}]
    response = hub.user_api("PUT", MEMBER, f"/contents/{NOTEBOOK}", token=token,
                            json={"type": "notebook", "format": "json", "content": content})
    assert response.status_code in (200, 201), (response.status_code, response.text)

    def invocation(unit):
        return subprocess.run(["docker", "exec", container, "systemctl", "show", "-P", "InvocationID", unit],
                              capture_output=True, text=True, check=True).stdout.strip()

    Path(sys.argv[1]).write_text(json.dumps({
        "member": MEMBER, "notebook": NOTEBOOK, "source": MARK, "output": output,
        "proxy_invocation": invocation("jupyterhub-proxy.service"),
        "hub_invocation": invocation("jupyterhub.service"),
        "since": subprocess.run(["docker", "exec", container, "date", "+%Y-%m-%d %H:%M:%S"],
                                capture_output=True, text=True, check=True).stdout.strip(),
    }), encoding="utf-8")


if __name__ == "__main__":
    main()
