"""The state manifest of a molecule host (tests/support/state-manifest.sh), to show that
a run which must change nothing (check mode, bad input) left the host as it was."""

import difflib
import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent / "state-manifest.sh"


def manifest(container):
    """The manifest lines of a running container, taken as root inside it."""
    with SCRIPT.open("rb") as script:
        proc = subprocess.run(
            ["docker", "exec", "-i", container, "bash", "-s"],
            stdin=script, capture_output=True, timeout=600, check=False,
        )
    assert proc.returncode == 0, proc.stderr.decode(errors="replace")[-2000:]
    lines = proc.stdout.decode(errors="replace").splitlines()
    assert len(lines) > 100, f"implausibly short manifest of {container}: {lines[:20]}"
    return lines


def differences(before, after, limit=60):
    """A readable diff of two manifests ('' when they are the same)."""
    diff = [line for line in difflib.unified_diff(before, after, "before", "after", lineterm="", n=0)
            if not line.startswith("@@")]
    if len(diff) > limit:
        diff = diff[:limit] + [f"... and {len(diff) - limit} more lines"]
    return "\n".join(diff)
