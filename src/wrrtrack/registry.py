"""The public API: open a registry, ask it questions, change a status, check its quotes.

>>> from wrrtrack import Registry
>>> registry = Registry.find()
>>> [rec.id for rec in registry.select(Filter(actors=frozenset({"acvz"})))]
['wrr103-7']
"""

from __future__ import annotations

import getpass
import shutil
import subprocess
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from wrrtrack import yamlfile
from wrrtrack.discover import Located, locate
from wrrtrack.errors import (
    InvalidChange,
    Location,
    Problem,
    ReadOnlyRegistry,
    RegistryInvalid,
    RegistryNotFound,
    WrrtrackError,
)
from wrrtrack.model import (
    AdviceReport,
    Filter,
    Ledger,
    Recommendation,
    StatusChange,
)
from wrrtrack.quotes import SourceText
from wrrtrack.schema import Parsed, parse
from wrrtrack.vocabulary import Vocabularies


@dataclass(frozen=True)
class QuoteCheck:
    """The outcome of checking every quote against the source text."""

    checked: int
    problems: list[Problem]
    source: Path


def _read(path: Path, today: date) -> tuple[str, Parsed]:
    text = yamlfile.decode(path, yamlfile.read_bytes(path))
    root = yamlfile.compose(path, text)
    parsed = parse(path, text, root, today)
    if isinstance(parsed, list):
        raise RegistryInvalid(parsed)
    return text, parsed


class Registry:
    """One registry file, read and checked; changes go through `set_status`."""

    def __init__(self, path: Path, parsed: Parsed, *, read_only: bool = False) -> None:
        self.path = path
        self.read_only = read_only
        self._parsed = parsed

    # --- opening ---------------------------------------------------------------------

    @classmethod
    def open(
        cls, path: Path | str, *, read_only: bool = False, today: date | None = None
    ) -> Registry:
        """Read and check the registry at `path`; raises `RegistryInvalid` listing problems."""
        path = Path(path)
        _, parsed = _read(path, today or date.today())
        return cls(path, parsed, read_only=read_only)

    @classmethod
    def find(cls, explicit: Path | str | None = None, *, cwd: Path | None = None) -> Registry:
        """Open the registry cli.md's search order finds (the bundled one is read-only)."""
        located = locate(Path(explicit) if explicit is not None else None, cwd=cwd)
        return cls.open_located(located)

    @classmethod
    def open_located(cls, located: Located, *, today: date | None = None) -> Registry:
        return cls.open(located.path, read_only=located.bundled, today=today)

    # --- reading ---------------------------------------------------------------------

    @property
    def ledger(self) -> Ledger:
        return self._parsed.ledger

    @property
    def report(self) -> AdviceReport:
        return self.ledger.report

    @property
    def vocabularies(self) -> Vocabularies:
        return self.ledger.vocabularies

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        return self.ledger.recommendations

    def get(self, identifier: str) -> Recommendation:
        return self.ledger.get(identifier)

    def select(self, where: Filter | None = None) -> list[Recommendation]:
        return self.ledger.select(where or Filter())

    @property
    def source_path(self) -> Path:
        return self.path.parent / self.report.reaction.source

    # --- checking --------------------------------------------------------------------

    def check_quotes(self) -> QuoteCheck:
        """Every stance quote and context sentence looked up in the named source text."""
        source_path = self.source_path
        try:
            source = SourceText(source_path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError) as exc:
            reason = getattr(exc, "strerror", None) or str(exc)
            place: Location | None = self._parsed.quote_places.get(("", 0))
            return QuoteCheck(
                0,
                [Problem(place, f"source text {source_path} cannot be read: {reason}")],
                source_path,
            )
        problems: list[Problem] = []
        checked = 0
        quoted: Iterable[tuple[str, int, str]] = [
            ("", i, quote) for i, quote in enumerate(self.report.context)
        ]
        quoted = [
            *quoted,
            *(
                (rec.id, i, quote)
                for rec in self.recommendations
                for i, quote in enumerate(rec.quotes)
            ),
        ]
        for owner, index, quote in quoted:
            checked += 1
            if source.contains(quote):
                continue
            what = f"{owner}: quote {index + 1}" if owner else f"report.context[{index + 1}]"
            place = self._parsed.quote_places.get((owner, index))
            problems.append(
                Problem(
                    place,
                    f"{what} is not in {source_path.name}; nearest passage: "
                    f'"{source.nearest_passage(quote)}"',
                )
            )
        return QuoteCheck(checked, problems, source_path)

    # --- changing --------------------------------------------------------------------

    def set_status(
        self,
        identifier: str,
        status: str,
        *,
        note: str | None = None,
        on: date | None = None,
        by: str | None = None,
        source: str | None = None,
        today: date | None = None,
    ) -> Recommendation:
        """Append a history entry and set the current status; returns the changed record.

        The file is re-read under an exclusive lock, so that a change another process made
        since this registry was opened is kept, and is then replaced atomically with only
        this record's lines changed.
        """
        if self.read_only:
            raise ReadOnlyRegistry(
                f"{self.path} is the registry bundled with wrrtrack and cannot be changed; "
                "run 'wrrtrack init DIR' for a copy you can change, then work in DIR"
            )
        today = today or date.today()
        on = on or today
        if on > today:
            raise InvalidChange(f"the date {on} is in the future (today is {today})")
        for name, value in (("note", note), ("by", by), ("source", source)):
            if value is not None and (not value.strip() or _has_invalid_text(value)):
                raise InvalidChange(f"--{name} must be non-empty, valid text")
        key = self.vocabularies.statuses.resolve(status)
        change = StatusChange(
            on, key, note or None, by if by is not None else default_author(), source
        )
        with yamlfile.locked(self.path):
            yamlfile.remove_stale_temporaries(self.path)
            text, parsed = _read(self.path, today)
            current = parsed.ledger.get(identifier)
            changed = current.with_change(change)
            new_text = yamlfile.splice_change(text, parsed.layouts[current.id], change, current.id)
            expected = parsed.ledger.replace(changed)
            self._verify(new_text, expected, today)
            yamlfile.atomic_write(self.path, new_text)
        _, self._parsed = _read(self.path, today)
        return changed

    def _verify(self, new_text: str, expected: Ledger, today: date) -> None:
        """Refuse to write text that does not read back as exactly the intended registry."""
        root = yamlfile.compose(self.path, new_text)
        parsed = parse(self.path, new_text, root, today)
        if isinstance(parsed, list) or parsed.ledger != expected:
            raise WrrtrackError(
                f"{self.path}: the change could not be written without disturbing other "
                "content (unusual layout); the file is unchanged"
            )


def _has_invalid_text(value: str) -> bool:
    # Undecodable command-line bytes arrive as lone surrogates, which cannot be saved.
    return any("\ud800" <= char <= "\udfff" for char in value)


def default_author() -> str | None:
    """`git config user.name`, else the login name, as cli.md says for --by."""
    git = shutil.which("git")
    if git:
        try:
            name = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
                [git, "config", "user.name"],
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            name = ""
        if name:
            return name
    try:
        return getpass.getuser()
    except (OSError, KeyError):
        return None


def copy_bundled(target: Path) -> Path:
    """Copy the bundled registry and its sources into `target`/data; returns the new path."""
    from wrrtrack.discover import DEFAULT_RELATIVE, bundled_registry

    bundled = bundled_registry()
    if bundled is None:
        raise RegistryNotFound("this installation carries no bundled registry")
    destination = target / DEFAULT_RELATIVE
    if destination.exists():
        raise WrrtrackError(f"{destination} exists already; nothing was copied")
    registry = Registry.open(bundled, read_only=True)
    source = registry.source_path
    destination.parent.mkdir(parents=True, exist_ok=True)
    source_destination = destination.parent / registry.report.reaction.source
    source_destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, source_destination)
    shutil.copyfile(bundled, destination)
    return destination


__all__ = ["QuoteCheck", "Registry", "copy_bundled"]
