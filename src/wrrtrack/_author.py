"""Who a change is by when the writer names no one: the git user, else the login name."""

from __future__ import annotations

from pathlib import Path


def default_author(directory: Path | None = None) -> str | None:
    """`git config user.name` (in the registry's repository), else the login name."""
    import getpass
    import shutil
    import subprocess

    git = shutil.which("git")
    if git:
        try:
            found = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
                [git, "-C", str(directory or Path()), "config", "user.name"],
                capture_output=True,
                timeout=5,
                check=False,
            )
            # A name that is not UTF-8 keeps its bytes as surrogates; set_status refuses it.
            name = found.stdout.decode("utf-8", "surrogateescape").strip()
        except (OSError, subprocess.SubprocessError):
            name = ""
        if name:
            return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None
