"""Writing a rendered document to a file the user named with --output."""

from __future__ import annotations

from pathlib import Path

from wrrtrack import storage
from wrrtrack.errors import OutputRefused


def write_output(path: Path, text: str) -> None:
    """Write `text` to `path` atomically.

    A symbolic link is refused rather than followed or replaced: following it would
    silently overwrite a file elsewhere, replacing it would silently break the link. The
    message names the link's target so that the user can pass that instead.
    """
    if path.is_symlink():
        raise OutputRefused(
            f"{path} is a symbolic link (to {path.readlink()}); not writing through it. "
            "Name the target file itself, or remove the link"
        )
    if path.is_dir():
        raise OutputRefused(f"{path} is a directory; name a file")
    if path.exists() and not path.is_file():
        # A device or FIFO would be replaced by a regular file (the write is a rename).
        raise OutputRefused(f"{path} is not a regular file (a device, FIFO or socket); name a file")
    if not path.parent.is_dir():
        raise OutputRefused(f"{path.parent}: no such directory")
    storage.atomic_write(path, text)
