"""The exceptions a user can act on, and the problems `validate` reports.

    WrrtrackError                  a problem with the registry or the request (exit code 1)
    ├── RegistryNotFound           no registry where one was named or searched for
    ├── RegistryInvalid            the file cannot be used as it is; carries every Problem
    ├── UnknownRecommendation      an id that is not in the registry
    ├── UnknownTerm                a key outside a vocabulary
    ├── InvalidChange              a change the rules of the registry do not allow
    ├── ReadOnlyRegistry           a write to the bundled registry
    ├── LockTimeout                another writer held the registry too long
    ├── OutputRefused              an output path we will not write to
    ├── SourceRefused              a source path that may not be read
    ├── EvidenceRefused            quotes that are not in the source they name
    ├── ConfigError                a configuration file that cannot be used as it is
    └── WorkingDirectoryGone       the working directory was removed under the shell

and the records they carry (named tuples):

    Problem                        one problem: its message, Location and field
    Location                       a place in a file: path:line:column

Messages speak of fields and values, as the Python API names them; an error about one
argument says which (`field`), so that the command line can name its own option instead.
The command line turns each error into `error:` lines in one place (the failure table of
`cli._runtime`).

Small immutable records here and elsewhere are named tuples rather than dataclasses: a
dataclass compiles several methods when its module is imported, which every command
would pay for at start-up.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple


def public(*classes: type) -> None:
    """Show `classes` as the API names them: `wrrtrack.Registry` (in reprs, `help()` and
    tracebacks), not the private module each is defined in."""
    for cls in classes:
        cls.__module__ = "wrrtrack"


class Location(NamedTuple):
    """A place in a file, 1-based, as editors and compilers print it."""

    path: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Problem(NamedTuple):
    """One thing wrong with a registry, where it is, and which record and field it is about.

    `message` is the whole message as `validate` prints it after the place; `item` is the
    recommendation's id (None outside a recommendation) and `field` the path of the value
    within it (`history[2].date`) or within the file (`report.date`), when there is one.
    """

    location: Location | None
    message: str
    item: str | None = None
    field: str | None = None

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message

    @property
    def file_order(self) -> tuple[str, int, int]:
        """Sorts problems as they lie in the file (in a folder registry: the files by
        name, then in each file); a problem with no place comes first."""
        place = self.location
        return (str(place.path), place.line, place.column) if place else ("", 0, 0)


class WrrtrackError(Exception):
    """A problem with the registry or the request that the user can fix (exit code 1)."""

    def lines(self) -> list[str]:
        """The message, one entry per `error:` line."""
        return [str(self)]


class RegistryNotFound(WrrtrackError):
    """No registry where one was named or searched for."""


class RegistryInvalid(WrrtrackError):
    """The registry file cannot be used as it is; carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(map(str, problems)))

    def lines(self) -> list[str]:
        return [str(problem) for problem in self.problems]


class UnknownRecommendation(WrrtrackError):
    """An id that is not in the registry; carries the nearest ids."""

    def __init__(self, identifier: str, suggestions: list[str]) -> None:
        self.identifier = identifier
        self.suggestions = suggestions
        hint = f"; did you mean {' or '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no recommendation with id '{identifier}'{hint}")


class UnknownTerm(WrrtrackError):
    """A key outside a vocabulary; carries the valid keys for the message."""

    def __init__(self, vocabulary: str, given: str, valid: list[str]) -> None:
        self.vocabulary = vocabulary
        self.given = given
        self.valid = valid
        known = ", ".join(valid) or "(none declared)"
        super().__init__(f"unknown {vocabulary} '{given}'; valid: {known}")


class InvalidChange(WrrtrackError):
    """A change that the rules of the registry do not allow.

    When one argument is at fault, `template` holds `{field}` where the message names it
    and `field` is its name (`note`); `str()` names it as the Python API does ('note'),
    `spelled()` lets a front end name it its own way (`--note`).

    The message is never a format string: `{field}`, and each `{name}` given in `texts`,
    is replaced in one pass over `template`, and nothing else in it is read, so that text
    a user gave (`{x}`, `{0}`, `{field.__class__}`, `%s`) is printed as it was given. A
    template that carries user text and names its field puts that text in `texts`: text
    put into the template beforehand would have its own `{field}` replaced.
    """

    def __init__(self, template: str, field: str | None = None, **texts: str) -> None:
        self.template = template
        self.field = field
        self.texts = texts
        super().__init__(self.spelled(lambda name: f"'{name}'"))

    def spelled(self, name_of: Callable[[str], str]) -> str:
        """The message with the field named by `name_of`."""
        values = dict(self.texts)
        if self.field:
            values["field"] = name_of(self.field)
        if not values:
            return self.template
        # A slot is `{name}` (never `{0}`, `{x.y}` or a format spec); compiled on first use.
        return re.sub(r"\{([a-z_]+)\}", lambda slot: values.get(slot[1], slot[0]), self.template)


class ReadOnlyRegistry(WrrtrackError):
    """A write to a registry that must not be changed in place."""


class LockTimeout(WrrtrackError):
    """Another writer held the registry for longer than we were willing to wait."""


class OutputRefused(WrrtrackError):
    """An --output path that we will not write to."""


class SourceRefused(WrrtrackError):
    """A source path that may not be read (outside the registry's folder, not a regular
    file, too large, not UTF-8); says why, and never what the file holds."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"source '{path}': {reason}")


class EvidenceRefused(WrrtrackError):
    """Quotes that are not in the source they name (a write is refused for them); carries
    each as a placed Problem, the nearest passage and its differing words included."""

    def __init__(self, problems: list[Problem], summary: str) -> None:
        self.problems = problems
        self.summary = summary
        super().__init__("\n".join([*map(str, problems), summary]))

    def lines(self) -> list[str]:
        return [*map(str, self.problems), self.summary]


class ConfigError(WrrtrackError):
    """A configuration file that cannot be used as it is."""


class WorkingDirectoryGone(WrrtrackError):
    """The working directory was removed while a shell was still in it."""


public(
    Location,
    Problem,
    WrrtrackError,
    RegistryNotFound,
    RegistryInvalid,
    UnknownRecommendation,
    UnknownTerm,
    InvalidChange,
    ReadOnlyRegistry,
    LockTimeout,
    OutputRefused,
    SourceRefused,
    EvidenceRefused,
    ConfigError,
    WorkingDirectoryGone,
)
