"""The public API: open a registry, ask it questions, change a status, check its quotes.

>>> from wrrtrack import Filter, Registry
>>> registry = Registry.find()
>>> [rec.id for rec in registry.select(Filter(actors=frozenset({"acvz"})))]
['wrr103-7']
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from wrrtrack import cache, storage
from wrrtrack.discover import Located, locate
from wrrtrack.errors import (
    InvalidChange,
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
from wrrtrack.parsed import Parsed
from wrrtrack.vocabulary import Vocabularies

if TYPE_CHECKING:
    from wrrtrack.quotes import Quoted


class QuoteCheck(NamedTuple):
    """The outcome of checking every quote against the source text."""

    checked: int
    problems: list[Problem]
    source: Path


def _parse(path: Path, data: bytes, today: date) -> Parsed:
    from wrrtrack import yamlfile
    from wrrtrack.schema import parse

    text = yamlfile.decode(path, data)
    parsed = parse(path, text, yamlfile.compose(path, text), today)
    if not isinstance(parsed, Parsed):
        source = path.parent / parsed.source if parsed.source else None
        raise RegistryInvalid(parsed.problems, parsed.quoted, source)
    return parsed


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a registry is read.

    Reading allocates millions of small objects and no reference cycles; the collector
    would re-scan the growing heap again and again, which made reading 10,000 records
    three times slower and worse than linear. It is restored (and catches up) afterwards.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class _Read(NamedTuple):
    data: bytes
    digest: str | None  # the cache key of `data`, when the cache is in use
    parsed: Parsed


def _read(path: Path, today: date, use_cache: bool) -> _Read:
    """The file's bytes and its parse, from the cache when these very bytes were parsed."""
    data = storage.read_bytes(path)
    with _collector_paused():
        if not use_cache:
            return _Read(data, None, _parse(path, data, today))
        digest = cache.key(data)
        parsed = cache.load(digest, path)
    if parsed is None:
        with _collector_paused():
            parsed = _parse(path, data, today)
        cache.store(digest, parsed)
    return _Read(data, digest, parsed)


class Registry:
    """One registry file, read and checked; changes go through `set_status`."""

    def __init__(self, path: Path, *, read_only: bool = False, use_cache: bool = True) -> None:
        """A registry at `path`, read on first use (or by `read`; `open` does both)."""
        self.path = path
        self.read_only = read_only
        self.use_cache = use_cache
        self._loaded: Parsed | None = None

    def read(self, *, today: date | None = None) -> Registry:
        """Read and check the file now (raises `RegistryInvalid`); returns this registry."""
        self._loaded = _read(self.path, today or date.today(), self.use_cache).parsed
        return self

    @property
    def _parsed(self) -> Parsed:
        if self._loaded is None:
            self.read()
        assert self._loaded is not None  # noqa: S101 (read() sets it or raises)
        return self._loaded

    # --- opening ---------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        path: Path | str,
        *,
        read_only: bool = False,
        today: date | None = None,
        use_cache: bool = True,
    ) -> Registry:
        """Read and check the registry at `path`; raises `RegistryInvalid` listing problems.

        With `use_cache`, a registry whose exact bytes were read before is taken from the
        cache (see `wrrtrack.cache`) instead of being parsed again.
        """
        return cls(Path(path), read_only=read_only, use_cache=use_cache).read(today=today)

    @classmethod
    def find(
        cls, explicit: Path | str | None = None, *, cwd: Path | None = None, use_cache: bool = True
    ) -> Registry:
        """Open the registry cli.md's search order finds (the bundled one is read-only)."""
        located = locate(Path(explicit) if explicit is not None else None, cwd=cwd)
        return cls.at(located, use_cache=use_cache).read()

    @classmethod
    def at(cls, located: Located, *, use_cache: bool = True) -> Registry:
        """The registry `located` names, not read yet: a write reads it once, under its lock."""
        return cls(located.path, read_only=located.bundled, use_cache=use_cache)

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
        from wrrtrack.quotes import Quoted

        places = self._parsed.quote_places
        quoted = [
            Quoted("", i, text, places.get(("", i))) for i, text in enumerate(self.report.context)
        ]
        quoted += [
            Quoted(rec.id, i, text, places.get((rec.id, i)))
            for rec in self.recommendations
            for i, text in enumerate(rec.quotes)
        ]
        return check_quotes(self.source_path, quoted)

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

        `status` is a key or an alias of the registry's status vocabulary (`UnknownTerm`
        otherwise); the status before the change is `history[-2].status` of the result.

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
        author = by if by is not None else default_author(self.path.parent)
        from wrrtrack import yamlfile
        from wrrtrack.schema import parse_record

        # A registry reached through a symbolic link is changed where it really is: a rename
        # over the link would replace the link and leave the real file behind, unchanged.
        target = self.path.resolve() if self.path.is_symlink() else self.path
        with storage.locked(target):
            storage.remove_stale_temporaries(target)
            data, digest, parsed = _read(target, today, self.use_cache)
            text = data.decode("utf-8")  # it parsed (now or when cached), so it decodes
            current = parsed.ledger.get(identifier)
            key = parsed.ledger.vocabularies.statuses.resolve(status)
            change = StatusChange(on, key, note or None, author, source)
            changed = current.with_change(change)
            layout = parsed.layouts[current.id]
            new_text = yamlfile.splice_change(text, layout, change, current.id)
            grown = len(new_text) - len(text)
            # Read back only the record we rewrote: the rest of the text is untouched.
            span = (layout.start, layout.end + grown)
            piece = parse_record(self.path, new_text, span, parsed.ledger, today)
            if isinstance(piece, list) or piece.ledger.recommendations != (changed,):
                raise WrrtrackError(
                    f"{self.path}: {current.id}: the change could not be written without "
                    "disturbing other content (unusual layout); the file is unchanged"
                )
            new_data = new_text.encode("utf-8")
            storage.atomic_write(target, new_data)
            added_lines = yamlfile.count_lines(new_text, *span) - yamlfile.count_lines(
                text, layout.start, layout.end
            )
            self._loaded = parsed.after_growth(current.id, piece, grown, added_lines)
            if digest is not None:
                cache.store(cache.key(new_data), self._loaded)
                cache.forget(digest)  # those bytes are gone from disk
        return changed


def check_quotes(source_path: Path, quoted: list[Quoted]) -> QuoteCheck:
    """Look up each quote in the source text; a quote not found names its nearest passage."""
    from wrrtrack.quotes import SourceText

    try:
        source = SourceText(source_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        place = quoted[0].place if quoted else None
        problem = Problem(place, f"source text {source_path} cannot be read: {reason}")
        return QuoteCheck(0, [problem], source_path)
    problems = [
        Problem(
            quote.place, f"{quote.label} is not in {source_path.name}; {source.missing(quote.text)}"
        )
        for quote in quoted
        if not source.contains(quote.text)
    ]
    return QuoteCheck(len(quoted), problems, source_path)


def _has_invalid_text(value: str) -> bool:
    # Undecodable command-line bytes arrive as lone surrogates, which cannot be saved.
    return any("\ud800" <= char <= "\udfff" for char in value)


def default_author(directory: Path | None = None) -> str | None:
    """`git config user.name` (in the registry's repository), else the login name."""
    import getpass
    import shutil
    import subprocess

    git = shutil.which("git")
    if git:
        try:
            name = subprocess.run(  # noqa: S603 (fixed arguments, no shell)
                [git, "-C", str(directory or Path()), "config", "user.name"],
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
    import shutil

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
