"""`wrrtrack init DIR`: a registry you can change, made only of new files.

Nothing that exists is overwritten or written through: every file is created with
`O_EXCL` (which also refuses a symbolic link, even a dangling one), an existing directory
below DIR that is a link is refused, and when anything fails part-way every file and
directory this run created is removed again, so that DIR is as it was.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import NamedTuple

from wrrtrack import storage
from wrrtrack._errors import RegistryNotFound, WrrtrackError
from wrrtrack.config import FILE_NAME
from wrrtrack.discover import DEFAULT_RELATIVE, bundled_registry

CONFIG_HEADER = (
    "# wrrtrack settings for this directory and those below it\n"
    "# (see wrrtrack's docs/configuration.md).\n"
    "# registry: the registry file or folder, relative to this file;\n"
    '# lang: the language of reports and labels, "nl" or "en";\n'
    '# timezone: where "today" is (the default date of a change), an IANA name.\n'
)
BLANK_REGISTRY = """\
# yaml-language-server: $schema=../schema/registry.schema.json
# wrrtrack registry: government follow-up on advisory reports.
#
# Each advisory report is one YAML document below, after a line '---': add one with
# `wrrtrack reports add`, its recommendations with `wrrtrack add`, and keys for actors
# and themes with `wrrtrack vocab add`. Check the file with `wrrtrack validate`.
# The field reference is in wrrtrack's docs/registry-file.md.
format: 1
"""


class Created(NamedTuple):
    """What `init` made: the registry, its source text (None for a blank registry) and
    the configuration file."""

    registry: Path
    source: Path | None
    config: Path


FOLDER = Path("reports")  # the folder registry `init --folder` makes


def init(directory: Path, *, blank: bool = False, folder: bool = False) -> Created:
    """Copy the bundled registry and its source text into `directory`/data (with `blank`:
    write an empty registry there instead), write the registry's JSON Schema to
    `directory`/schema and `directory`/wrrtrack.toml naming the registry; raises
    `WrrtrackError` and leaves no trace when any of these files exists already or cannot be
    written.

    With `folder`, the registry is the folder `directory`/reports (see `wrrtrack._folder`):
    empty with `blank`, else holding the bundled report as KEY.yaml (`wrr-103.yaml`)."""
    import tomli_w

    from wrrtrack._registry import Registry
    from wrrtrack.config import DEFAULT_TIMEZONE
    from wrrtrack.render.jsonschema import registry_schema_text

    relative = FOLDER if folder else DEFAULT_RELATIVE
    registry = directory / relative
    base = registry if folder else registry.parent  # where stored sources are relative to
    config = directory / FILE_NAME
    settings = {"registry": relative.as_posix(), "lang": "nl", "timezone": DEFAULT_TIMEZONE}
    files: dict[Path, bytes] = {}
    source: Path | None = None
    if blank and not folder:
        files[registry] = BLANK_REGISTRY.encode("utf-8")
    elif not blank:
        bundled = bundled_registry()
        if bundled is None:
            raise RegistryNotFound("this installation carries no bundled registry")
        original = Registry.open(bundled, read_only=True)
        source = base / original.ledger.quote_source.file
        copy = base / f"{original.report.key}.yaml" if folder else registry
        files[copy] = storage.read_bytes(bundled)
        files |= {
            base / path.relative_to(bundled.parent): storage.read_bytes(path)
            for path in original.source_paths
        }
    files[config] = (CONFIG_HEADER + tomli_w.dumps(settings)).encode("utf-8")
    # The registry's first line names its schema for editors, by this relative path.
    files[directory / "schema" / "registry.schema.json"] = registry_schema_text().encode("utf-8")
    for path in [*files, *([registry] if folder else [])]:
        if os.path.lexists(path):
            raise WrrtrackError(f"{path} exists already; nothing was created or changed")
    made: list[Path] = []  # files and directories, in the order they were created
    try:
        if folder:
            storage.make_parents(directory, registry, made)
        for path, data in files.items():
            storage.create_new(directory, path, data, made)
    except BaseException as exc:
        removed = bool(made)
        storage.remove_made(made)
        if isinstance(exc, WrrtrackError) and removed:
            raise WrrtrackError(f"{exc}; removed what init had created") from None
        raise
    return Created(registry, source, config)
