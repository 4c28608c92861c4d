"""`wrrtrack init DIR`: a registry you can change, made only of new files.

Nothing that exists is overwritten or written through: every file is created with
`O_EXCL` (which also refuses a symbolic link, even a dangling one), an existing directory
below DIR that is a link is refused, and when anything fails part-way every file and
directory this run created is removed again, so that DIR is as it was.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import NamedTuple

from wrrtrack import storage
from wrrtrack._errors import RegistryNotFound, WrrtrackError
from wrrtrack.config import FILE_NAME
from wrrtrack.discover import DEFAULT_RELATIVE, bundled_registry

CONFIG_HEADER = (
    "# wrrtrack settings for this directory and those below it (see wrrtrack's README).\n"
    "# registry: the registry file, relative to this file;\n"
    '# lang: "nl" or "en"; timezone: where "today" is, e.g. "Europe/Amsterdam".\n'
)


class Created(NamedTuple):
    """What `init` made: the registry, its source text and the configuration file."""

    registry: Path
    source: Path
    config: Path


def init(directory: Path) -> Created:
    """Copy the bundled registry and its source text into `directory`/data, write its JSON
    Schema to `directory`/schema and `directory`/wrrtrack.toml naming the registry; raises
    `WrrtrackError` and leaves no trace when any of these files exists already or cannot be
    written."""
    import tomli_w

    from wrrtrack._registry import Registry
    from wrrtrack.render.jsonschema import registry_schema_text

    bundled = bundled_registry()
    if bundled is None:
        raise RegistryNotFound("this installation carries no bundled registry")
    original = Registry.open(bundled, read_only=True)
    registry = directory / DEFAULT_RELATIVE
    source = registry.parent / original.ledger.quote_source.file
    config = directory / FILE_NAME
    files = {
        registry: storage.read_bytes(bundled),
        **{
            registry.parent / path.relative_to(bundled.parent): storage.read_bytes(path)
            for path in original.source_paths
        },
        config: (CONFIG_HEADER + tomli_w.dumps({"registry": DEFAULT_RELATIVE.as_posix()})).encode(
            "utf-8"
        ),
        # The registry's first line names its schema for editors, by this relative path.
        directory / "schema" / "registry.schema.json": registry_schema_text().encode("utf-8"),
    }
    for path in files:
        if os.path.lexists(path):
            raise WrrtrackError(f"{path} exists already; nothing was created or changed")
    made: list[Path] = []  # files and directories, in the order they were created
    try:
        for path, data in files.items():
            _make_parents(directory, path.parent, made)
            _create(path, data, made)
    except BaseException as exc:
        for path in reversed(made):
            with contextlib.suppress(OSError):
                path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
        if isinstance(exc, WrrtrackError) and made:
            raise WrrtrackError(f"{exc}; removed what init had created") from None
        raise
    return Created(registry, source, config)


def _make_parents(top: Path, directory: Path, made: list[Path]) -> None:
    """Create `directory` and its missing parents up to `top`; refuse links below `top`."""
    missing = []
    below_top = True
    for parent in [directory, *directory.parents]:
        if parent in (Path(), Path(parent.anchor)):
            break
        below_top = below_top and parent != top
        if parent.is_symlink() and below_top:
            raise WrrtrackError(
                f"{parent} is a symbolic link; init does not write through links. "
                "Choose another directory, or remove the link"
            )
        if parent.exists():
            if not parent.is_dir():
                raise WrrtrackError(f"{parent} exists and is not a directory")
            break
        missing.append(parent)
    for parent in reversed(missing):
        try:
            parent.mkdir()
        except OSError as exc:
            raise WrrtrackError(f"{parent}: cannot create: {storage.reason(exc)}") from None
        made.append(parent)


def _create(path: Path, data: bytes, made: list[Path]) -> None:
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        raise WrrtrackError(f"{path} exists already; nothing was created or changed") from None
    except OSError as exc:
        raise WrrtrackError(f"{path}: cannot create: {storage.reason(exc)}") from None
    made.append(path)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError as exc:
        raise WrrtrackError(f"{path}: cannot write: {storage.reason(exc)}") from None
    finally:
        os.close(fd)
