"""Settings from `wrrtrack.toml` or `[tool.wrrtrack]` of `pyproject.toml`, checked key by key.

The nearest configuration file, from the working directory upwards, is the one in force:
a directory made by `wrrtrack init` keeps using its own registry even inside a checkout
that has a configuration of its own. Every mistake in it (an unknown key, a wrong type, a
time zone that does not exist, TOML that does not parse) is an error naming `path:line`.

A configuration file owned by another user (the file, or the directory it is in, owned by
neither the current user nor root) is ignored with a warning, as git ignores a repository
owned by someone else: whoever wrote it would choose the registry that `add` writes to.
$WRRTRACK_TRUST lists the directories (separated by ':', ';' on Windows) whose files are
followed whoever owns them, `*` all of them. On Windows, which has no POSIX owners, every
configuration file is followed.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, NamedTuple

from wrrtrack._errors import ConfigError

TRUST_VAR = "WRRTRACK_TRUST"
FILE_NAME = "wrrtrack.toml"
PYPROJECT = "pyproject.toml"
DEFAULT_TIMEZONE = "Europe/Amsterdam"
LANGUAGES = ("nl", "en")
KEYS = {
    "registry": 'a path in quotes, e.g. registry = "data/recommendations.yaml"',
    "lang": '"nl" or "en"',
    "timezone": 'an IANA time zone name in quotes, e.g. timezone = "Europe/Amsterdam"',
}
MAX_BYTES = 1_000_000  # a configuration file is a few lines; anything this big is not one


class Config(NamedTuple):
    """The settings in force, and the file they came from (None: the defaults)."""

    file: Path | None = None
    registry: Path | None = None  # relative paths already joined to the file's directory
    registry_line: int = 0
    lang: str | None = None
    timezone: str = DEFAULT_TIMEZONE

    def origin(self) -> str:
        """Where the registry path came from, for messages about it."""
        return f"{self.file}:{self.registry_line}" if self.file else "the defaults"


def find(start: Path) -> Config:
    """The configuration nearest to `start` (a directory), or the defaults."""
    for directory in (start, *start.parents):
        for name in (FILE_NAME, PYPROJECT):
            config = _read(directory / name)
            if config is not None:
                return config
    return Config()


_warned: set[Path] = set()  # files already warned about in this process


def _owner(path: Path, info: os.stat_result) -> int | None:
    """The other user `path` (`info`: its status) or its directory belongs to; None when
    both are the current user's or root's, or the directory is trusted ($WRRTRACK_TRUST)."""
    if not hasattr(os, "getuid"):  # Windows: no POSIX owners (see above)
        return None
    mine = (os.getuid(), 0)
    try:
        owners = [info.st_uid, path.parent.stat().st_uid]
    except OSError:
        owners = [info.st_uid]
    other = next((uid for uid in owners if uid not in mine), None)
    if other is None:
        return None
    trusted = [entry for entry in os.environ.get(TRUST_VAR, "").split(os.pathsep) if entry]
    if "*" in trusted:
        return None
    directory = path.parent.resolve()
    if any(Path(entry).resolve() in (directory, path.resolve()) for entry in trusted):
        return None
    return other


def _ignored(path: Path, owner: int) -> None:
    """Warn, once per file and process, that `path` is not followed."""
    if path in _warned:
        return
    _warned.add(path)
    import sys

    from wrrtrack.render import visible

    sys.stderr.write(
        visible(
            f"warning: ignoring {path}: it belongs to another user (uid {owner}); if you trust "
            f"it, add its directory to {TRUST_VAR} ({TRUST_VAR}={path.parent}), or name the "
            "registry with --registry"
        )
        + "\n"
    )


def _read(path: Path) -> Config | None:
    """The settings in `path`, None when it is not there, (pyproject) says nothing of us,
    or belongs to someone else (with a warning)."""
    try:
        if not path.is_file():
            return None
        with path.open("rb") as handle:
            info = os.fstat(handle.fileno())
            data = handle.read(MAX_BYTES + 1)
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: cannot read configuration: {_reason(exc)}") from None
    if path.name == PYPROJECT and b"wrrtrack" not in data:
        return None  # most pyproject files say nothing of us; skip the TOML parse
    owner = _owner(path, info)
    if owner is None:
        return _parsed(path, data)
    try:
        followed = _parsed(path, data)
    except ConfigError:
        followed = Config(file=path)  # broken, but meant for us: still worth the warning
    if followed is not None:
        _ignored(path, owner)
    return None


def _parsed(path: Path, data: bytes) -> Config | None:
    """The settings `data` (the bytes of `path`) hold; None: a pyproject without ours."""
    if len(data) > MAX_BYTES:
        raise ConfigError(f"{path}: larger than {MAX_BYTES:,} bytes; not a configuration file")
    in_pyproject = path.name == PYPROJECT
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ConfigError(f"{path}:{line}: not UTF-8 text; save the file as UTF-8") from None
    import tomllib

    try:
        document = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_placed_toml_error(path, text, exc)) from None
    table: Any = document
    section = ""
    if in_pyproject:
        tool = document.get("tool")
        if tool is None:
            return None
        if not isinstance(tool, dict):
            raise ConfigError(
                f"{path}:{_line_of(text, '', 'tool')}: 'tool' must be a table ([tool.wrrtrack] "
                "holds wrrtrack's settings), not a single value"
            )
        if "wrrtrack" not in tool:
            return None
        table = tool["wrrtrack"]
        section = "tool.wrrtrack"
        if not isinstance(table, dict):
            raise ConfigError(
                f"{path}:{_line_of(text, 'tool', 'wrrtrack')}: 'tool.wrrtrack' must be a table "
                '([tool.wrrtrack] followed by settings such as registry = "…")'
            )
    return _checked(path, text, section, table)


def _checked(path: Path, text: str, section: str, table: dict[str, Any]) -> Config:
    prefix = f"{section}." if section else ""
    for key, value in table.items():
        line = _line_of(text, section, key)
        if key not in KEYS:
            import difflib

            close = difflib.get_close_matches(key, list(KEYS), n=1)
            hint = f"did you mean '{close[0]}'? " if close else ""
            raise ConfigError(
                f"{path}:{line}: unknown setting '{prefix}{key}'; {hint}known: {', '.join(KEYS)}"
            )
        if not isinstance(value, str) or not value.strip() or "\0" in value:
            raise ConfigError(
                f"{path}:{line}: '{prefix}{key}' must be {KEYS[key]}, not {_shown(value)}"
            )
    config = Config(file=path)
    if "registry" in table:
        config = config._replace(
            registry=path.parent / table["registry"],
            registry_line=_line_of(text, section, "registry"),
        )
    if "lang" in table:
        if table["lang"] not in LANGUAGES:
            line = _line_of(text, section, "lang")
            raise ConfigError(
                f"{path}:{line}: '{prefix}lang' must be {KEYS['lang']}, not {_shown(table['lang'])}"
            )
        config = config._replace(lang=table["lang"])
    if "timezone" in table:
        zone = table["timezone"]
        if not _zone_exists(zone):
            line = _line_of(text, section, "timezone")
            raise ConfigError(
                f"{path}:{line}: '{prefix}timezone' {_shown(zone)} is not a time zone this "
                'machine knows; use an IANA name such as "Europe/Amsterdam"'
            )
        config = config._replace(timezone=zone)
    return config


def _zone_exists(name: str) -> bool:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
        return False
    return True


def _shown(value: object) -> str:
    if isinstance(value, str):
        return f'"{value}"' if value.strip() else "an empty text"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return f"a {type(value).__name__}"


def _reason(exc: BaseException) -> str:
    if isinstance(exc, ValueError):
        return "the path holds a NUL character"
    return getattr(exc, "strerror", None) or str(exc)


_TOML_PLACE = r"\s*\(at line (\d+), column (\d+)\)$"  # compiled on the way to an error
_AT_END = " (at end of document)"


# How much text is parsed again, at most, to trace an error at the end of the file back to
# the statement left open (each step parses the text before a line: a file of settings
# takes a few steps of a few hundred characters).
_OPEN_STATEMENT_BUDGET = 500_000


def _placed_toml_error(path: Path, text: str, exc: Exception) -> str:
    """tomllib's message at the line and column it gives.

    tomllib places a statement left open (`lang = [`, a string without its closing quote)
    at the end of the file, where nothing is to be seen; it is placed at the start of that
    statement instead.
    """
    message = str(exc)
    place = re.search(_TOML_PLACE, message)
    if place:
        return f"{path}:{place[1]}:{place[2]}: not valid TOML: {message[: place.start()]}"
    if message.endswith(_AT_END):
        reason = message.removesuffix(_AT_END)
        opened = _open_statement(text)
        if opened is not None:
            line, column = opened
            return (
                f"{path}:{line}:{column}: not valid TOML: {reason} (the statement that starts "
                "here is not finished at the end of the file)"
            )
        lines = text.split("\n")
        return f"{path}:{len(lines)}:{len(lines[-1]) + 1}: not valid TOML: {reason}"
    return f"{path}: not valid TOML: {message}"


def _open_statement(text: str) -> tuple[int, int] | None:
    """Line and column of the statement still open at the end of `text`: the last line
    with content before which the text reads as TOML. None when there is none, or when
    finding it would parse more than `_OPEN_STATEMENT_BUDGET` characters."""
    import tomllib

    lines = text.split("\n")
    budget = _OPEN_STATEMENT_BUDGET
    for index in range(len(lines) - 1, -1, -1):
        content = lines[index].strip()
        if not content or content.startswith("#"):
            continue
        before = "\n".join(lines[:index])
        budget -= len(before)
        if budget < 0:
            return None
        try:
            tomllib.loads(before)
        except tomllib.TOMLDecodeError:
            continue
        return index + 1, len(lines[index]) - len(lines[index].lstrip()) + 1
    return None


def _line_of(text: str, section: str, key: str) -> int:
    """The line of `key = …` in `[section]` (or the top level), 1 when it cannot be found."""
    current = ""
    header = re.compile(r"\s*\[\s*([^\[\]]+?)\s*\]\s*(#.*)?$")
    name = re.escape(key)
    assignment = re.compile(rf"\s*(?:{name}|\"{name}\"|'{name}')\s*[=.]")
    dotted = re.compile(rf"\s*{re.escape(section)}\.{re.escape(key)}\s*=") if section else None
    for number, line in enumerate(text.splitlines(), start=1):
        found = header.match(line)
        if found and not line.lstrip().startswith("[["):
            current = found[1].replace(" ", "").replace('"', "")
            if current == f"{section}.{key}".lstrip("."):
                return number
            continue
        if current == section and assignment.match(line):
            return number
        if dotted is not None and current == "" and dotted.match(line):
            return number
    return 1
