"""Writing a rendered document to a file the user named with --output.

`--output` only ever creates a new file or replaces a regular one: never a FIFO, device,
socket or directory, never through a symbolic link, and never a file that wrrtrack keeps
(the registry, the source texts it names) and never a configuration file (`wrrtrack.toml`,
`pyproject.toml`, by name, wherever it is), which a mistyped name would otherwise destroy.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

from wrrtrack import storage
from wrrtrack._errors import OutputRefused, WrrtrackError
from wrrtrack.config import FILE_NAME, PYPROJECT

if TYPE_CHECKING:
    from wrrtrack._registry import Registry
    from wrrtrack.discover import Located

# Files that --output never replaces, each with what it is ("the registry").
Kept = list[tuple[Path, str]]


def stored_files(registry: Registry) -> list[tuple[Path, str]]:
    """Every file the registry consists of, with what it is: what --output never replaces.

    The registry file and the source text(s) it names; when a registry keeps a list of
    stored sources, they belong here too.
    """
    return [
        (registry.path, "the registry"),
        *((path, "a file of the registry") for path in registry.files if path != registry.path),
        *((path, "a source text of the registry") for path in registry.source_paths),
    ]


def located_files(located: Located) -> list[tuple[Path, str]]:
    """What --output never replaces when the registry `located` names may be unreadable
    (`schema` needs no registry): its files, and its source texts if it can be read."""
    from wrrtrack._registry import Registry

    registry = Registry.at(located, use_cache=False)
    try:
        return stored_files(registry.read())
    except WrrtrackError:
        pass
    kept = [(located.path, "the registry")]
    try:
        files = registry.files
    except WrrtrackError:
        return kept
    return kept + [(path, "a file of the registry") for path in files if path != located.path]


def check_output(name: str, protected: Iterable[tuple[Path, str]] = ()) -> Path:
    """The path `name` names, if --output may write there; else `OutputRefused` says why.

    `name` is the text the user typed: a trailing separator means a directory, which a
    `Path` would silently drop.
    """
    if "\0" in name:
        raise OutputRefused(f"{name}: a path cannot hold a NUL character")
    if name.endswith(("/", os.sep)) or (os.altsep and name.endswith(os.altsep)):
        raise OutputRefused(f"{name} names a directory (it ends in '/'); name a file")
    path = Path(name)
    if path.name.casefold() in (FILE_NAME, PYPROJECT):  # one file where case is ignored
        raise OutputRefused(
            f"{path} is named like a configuration file of wrrtrack; --output never writes "
            "one. Name another file"
        )
    try:
        info = path.lstat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise OutputRefused(f"{path}: cannot write there: {storage.reason(exc)}") from None
    if info is not None and stat.S_ISLNK(info.st_mode):
        try:
            target = f" (to {path.readlink()})"
        except OSError:
            target = ""
        raise OutputRefused(
            f"{path} is a symbolic link{target}; not writing through it. "
            "Name the target file itself, or remove the link"
        )
    if info is not None and not stat.S_ISREG(info.st_mode):
        raise OutputRefused(
            f"{path} is {storage.file_kind(info.st_mode)}; --output writes only a new file "
            "or over a regular file"
        )
    parent = path.parent
    if not parent.is_dir():
        raise OutputRefused(f"{parent}: no such directory")
    registry_name = path.name.endswith((".yaml", ".yml")) and not path.name.startswith(".")
    for kept, what in protected:
        if registry_name and what == "the registry" and _same_file(parent, kept):
            raise OutputRefused(
                f"{path} would be read as a file of the registry {kept}; name a file "
                "outside that folder"
            )
    if info is not None:
        for kept, what in protected:
            if _same_file(path, kept):
                raise OutputRefused(
                    f"{path} is {what}; --output would destroy it. Name another file"
                )
    return path


def write_output(name: str, text: str | bytes, protected: Iterable[tuple[Path, str]] = ()) -> Path:
    """Write `text` atomically to the file `name` names, after `check_output`."""
    path = check_output(name, protected)
    storage.atomic_write(path, text)
    return path


def _same_file(path: Path, other: Path) -> bool:
    try:
        return path.samefile(other)
    except (OSError, ValueError):
        return False
