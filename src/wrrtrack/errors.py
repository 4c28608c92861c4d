"""The exceptions a user can act on; the command line turns each into `error:` lines.

Small immutable records here and elsewhere are named tuples rather than dataclasses: a
dataclass compiles several methods when its module is imported, which every command
would pay for at start-up.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple


class Location(NamedTuple):
    """A place in a file, 1-based, as editors and compilers print it."""

    path: Path
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}:{self.column}"


class Problem(NamedTuple):
    """One thing wrong with a registry, and where it is."""

    location: Location | None
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}" if self.location else self.message


class WrrtrackError(Exception):
    """A problem with the registry or the request that the user can fix (exit code 1)."""

    def lines(self) -> list[str]:
        """The message, one entry per `error:` line."""
        return [str(self)]


class RegistryNotFound(WrrtrackError):
    """No registry where one was named or searched for."""


class RegistryInvalid(WrrtrackError):
    """The registry file cannot be used as it is; carries every problem found."""

    def __init__(
        self, problems: list[Problem], quoted: list[Any] | None = None, source: Path | None = None
    ) -> None:
        self.problems = problems
        # What `validate` still checks in a file that is wrong elsewhere: the quotes that
        # could be read, and the source text the file names (see wrrtrack.quotes.Quoted).
        self.quoted = quoted or []
        self.source = source
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
        super().__init__(f"unknown {vocabulary} '{given}'; valid: {', '.join(valid)}")


class InvalidChange(WrrtrackError):
    """A status change that the rules of the registry do not allow."""


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
