"""The public API: open a registry, ask it questions, validate it, change it.

>>> from wrrtrack import Filter, Registry
>>> registry = Registry.find()
>>> [rec.id for rec in registry.select(Filter(actors="acvz"))]
['wrr103-7']
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from wrrtrack import _cache, clock, storage
from wrrtrack._edit import Document, Parsed
from wrrtrack._errors import (
    InvalidChange,
    Problem,
    ReadOnlyRegistry,
    RegistryInvalid,
)
from wrrtrack._model import (
    AdviceReport,
    Filter,
    Ledger,
    Recommendation,
    StatusChange,
    StatusUpdate,
)
from wrrtrack._vocabulary import Vocabularies
from wrrtrack.config import DEFAULT_TIMEZONE
from wrrtrack.discover import Located, locate

if TYPE_CHECKING:
    from wrrtrack._quotes import Quoted
    from wrrtrack._schema import Reading

T = TypeVar("T")


class Validation(NamedTuple):
    """Everything `validate` found: every problem in file order, and what was checked."""

    path: Path
    problems: list[Problem]
    recommendations: int  # records read (0 when the file could not be read as a registry)
    quotes: int  # quotes looked up in the source text
    source: Path | None  # the source text the quotes were looked up in

    @property
    def ok(self) -> bool:
        return not self.problems


def _reading(path: Path, data: bytes, today: date) -> Reading:
    """Every problem in the file, or its parse; never raises for what the file holds."""
    from wrrtrack import _yamlfile
    from wrrtrack._schema import Reading, read_registry

    try:
        text = _yamlfile.decode(path, data)
    except RegistryInvalid as exc:
        return Reading(None, exc.problems, [], None)
    return read_registry(path, text, today)


def _parse(path: Path, data: bytes, today: date) -> Parsed:
    reading = _reading(path, data, today)
    if reading.parsed is None:
        raise RegistryInvalid(reading.problems)
    return reading.parsed


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


def _cached(digest: str, path: Path, today: date | None, timezone: str) -> Parsed | None:
    """The cached parse of these bytes, while its newest date is not after `today` (None:
    today in `timezone`), so that the cache and a full parse give the same verdict."""
    return _cache.load(
        digest,
        path,
        (lambda latest: latest <= today)
        if today
        else (lambda latest: clock.not_after_today(latest, timezone)),
    )


def _read(path: Path, today: date | None, use_cache: bool, timezone: str) -> _Read:
    """The file's bytes and its parse, from the cache when these very bytes were parsed.

    `today` (None: today in `timezone`) limits the dates in the file.
    """
    data = storage.read_bytes(path)
    with _collector_paused():
        if not use_cache:
            return _Read(data, None, _parse(path, data, today or clock.today(timezone)))
        digest = _cache.key(data)
        parsed = _cached(digest, path, today, timezone)
    if parsed is None:
        with _collector_paused():
            parsed = _parse(path, data, today or clock.today(timezone))
        _cache.store(digest, parsed)
    return _Read(data, digest, parsed)


class Registry:
    """One registry file, read and checked; changes go through its writers (`set_status`)."""

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool = False,
        use_cache: bool = True,
        timezone: str = DEFAULT_TIMEZONE,
    ) -> None:
        """A registry at `path`, read on first use (or by `read`; `open` does both).

        `timezone` is where "today" is (see `wrrtrack.clock`): the default of a change's
        date and the limit for every date in the file.
        """
        self.path = path
        self.read_only = read_only
        self.use_cache = use_cache
        self.timezone = timezone
        self._loaded: Parsed | None = None

    def read(self, *, today: date | None = None) -> Registry:
        """Read and check the file now (raises `RegistryInvalid`); returns this registry."""
        self._loaded = _read(self.path, today, self.use_cache, self.timezone).parsed
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

        With `use_cache`, a registry whose exact bytes were read before (by this version
        of wrrtrack's code) is taken from the cache instead of being parsed again.
        """
        return cls(Path(path), read_only=read_only, use_cache=use_cache).read(today=today)

    @classmethod
    def find(
        cls, explicit: Path | str | None = None, *, cwd: Path | None = None, use_cache: bool = True
    ) -> Registry:
        """Open the registry the README's search order finds (the bundled one is read-only)."""
        located = locate(Path(explicit) if explicit is not None else None, cwd=cwd)
        return cls.at(located, use_cache=use_cache).read()

    @classmethod
    def at(cls, located: Located, *, use_cache: bool = True) -> Registry:
        """The registry `located` names, not read yet: a write reads it once, under its lock."""
        return cls(
            located.path,
            read_only=located.bundled,
            use_cache=use_cache,
            timezone=located.timezone,
        )

    # --- reading ---------------------------------------------------------------------

    @property
    def ledger(self) -> Ledger:
        return self._parsed.ledger

    @property
    def report(self) -> AdviceReport:
        """The advisory report the registry tracks (not the status report: see `render`)."""
        return self.ledger.report

    @property
    def vocabularies(self) -> Vocabularies:
        return self.ledger.vocabularies

    @property
    def recommendations(self) -> tuple[Recommendation, ...]:
        return self.ledger.recommendations

    def get(self, identifier: str) -> Recommendation:
        """The recommendation with this id, case-insensitively (`UnknownRecommendation`)."""
        return self.ledger.get(identifier)

    def select(self, where: Filter | None = None) -> list[Recommendation]:
        """The recommendations `where` matches, in registry order.

        Keys are matched as the command line matches them: case-insensitively, English
        spellings and aliases accepted (`UnknownTerm` names a key that is not known).
        """
        return self.ledger.select((where or Filter()).resolved(self.vocabularies))

    @property
    def source_path(self) -> Path:
        return self.path.parent / self.report.reaction.source

    # --- checking --------------------------------------------------------------------

    def validate(self, *, today: date | None = None) -> Validation:
        """Check the file now, quotes included; every problem, in file order.

        Never raises for a problem in the file (only when it cannot be read at all, such
        as `RegistryNotFound`). A valid file becomes this registry's content.
        """
        data = storage.read_bytes(self.path)
        digest = _cache.key(data) if self.use_cache else None
        parsed = _cached(digest, self.path, today, self.timezone) if digest else None
        source: str | None
        if parsed is not None:
            quoted, source = _quotes_of(parsed), parsed.ledger.report.reaction.source
            problems: list[Problem] = []
        else:
            with _collector_paused():
                reading = _reading(self.path, data, today or clock.today(self.timezone))
            parsed, problems, quoted, source = reading
            if parsed is not None and digest:
                _cache.store(digest, parsed)
        if parsed is not None:
            self._loaded = parsed
        source_path = self.path.parent / source if source else None
        if source_path is not None:
            problems = [*problems, *_quote_problems(source_path, quoted)]
        return Validation(
            self.path,
            sorted(problems, key=lambda problem: problem.file_order),
            len(parsed.ledger.recommendations) if parsed else 0,
            len(quoted),
            source_path,
        )

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
    ) -> StatusUpdate:
        """Append a history entry and set the current status; returns the record before
        and after.

        `status` is a key, alias or English spelling of the registry's status vocabulary
        (`UnknownTerm` otherwise); `on` defaults to today and `by` to the git user name
        (else the login name). A change to the status the record has needs a `note`;
        `InvalidChange` names the argument a refused change is about.
        """
        today = today or clock.today(self.timezone)
        on = on or today
        if on > today:
            raise InvalidChange(f"the date {on} is in the future (today is {today})", "on")
        for name, value in (("note", note), ("by", by), ("source", source)):
            if value is not None and (not value.strip() or _has_invalid_text(value)):
                raise InvalidChange("{field} must be non-empty, valid text", name)
        self._writable()
        author = by if by is not None else default_author(self.path.parent)
        if author is not None and _has_invalid_text(author):
            raise InvalidChange(
                "your git user.name or login name is not valid UTF-8 text; "
                "give the name with {field}",
                "by",
            )

        def change(doc: Document) -> tuple[Document, StatusUpdate]:
            from wrrtrack import _edit

            key = doc.parsed.ledger.vocabularies.statuses.resolve(status)
            entry = StatusChange(on, key, note or None, author, source)
            edited, before, after = _edit.set_status(doc, identifier, entry, today=today)
            return edited, StatusUpdate(before, after)

        return self._write(change, today)

    def _writable(self) -> None:
        if self.read_only:
            from wrrtrack.discover import read_only_reason

            raise ReadOnlyRegistry(read_only_reason(self.path))

    def _write(self, edit: Callable[[Document], tuple[Document, T]], today: date | None) -> T:
        """Every writer's way to the file: lock, read, edit (`_edit`), write, cache.

        The file is re-read under an exclusive lock, so that a change another process made
        since this registry was opened is kept, and is then replaced atomically; `_edit`
        has changed only the lines of what it changed, and checked them by reading back.
        """
        self._writable()
        # A registry reached through a symbolic link is changed where it really is: a rename
        # over the link would replace the link and leave the real file behind, unchanged.
        target = storage.resolved(self.path)
        with storage.locked(target):
            storage.remove_stale_temporaries(target)
            data, digest, parsed = _read(target, today, self.use_cache, self.timezone)
            text = data.decode("utf-8")  # it parsed (now or when cached), so it decodes
            edited, result = edit(Document(self.path, text, parsed))
            new_data = edited.text.encode("utf-8")
            storage.atomic_write(target, new_data)
            # The file is replaced: from here on nothing may fail the change (a caller told
            # of a failure would retry, and record it twice). Bookkeeping that fails is
            # dropped, and the next read parses the file.
            try:
                self._loaded = edited.parsed
                if digest is not None:
                    _cache.store(_cache.key(new_data), edited.parsed)
                    _cache.forget(digest)  # those bytes are gone from disk
            except Exception:  # noqa: BLE001 (see above: the write has happened)
                self._loaded = None
        return result


def _quotes_of(parsed: Parsed) -> list[Quoted]:
    """Every quote of a parsed registry with its place: the report's context, then records."""
    from wrrtrack._quotes import Quoted

    places = parsed.quote_places
    report = parsed.ledger.report
    quoted = [Quoted("", i, text, places.get(("", i))) for i, text in enumerate(report.context)]
    quoted += [
        Quoted(rec.id, i, text, places.get((rec.id, i)))
        for rec in parsed.ledger.recommendations
        for i, text in enumerate(rec.quotes)
    ]
    return quoted


def _quote_problems(source_path: Path, quoted: list[Quoted]) -> list[Problem]:
    """A problem for each quote not in the source text, naming the nearest passage."""
    from wrrtrack._quotes import SourceText

    try:
        source = SourceText(source_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        place = quoted[0].place if quoted else None
        message = f"source text {source_path} cannot be read: {reason}"
        return [Problem(place, message, None, "report.reaction.source")]
    return [
        Problem(
            quote.place,
            f"{quote.label} is not in {source_path.name}; {source.missing(quote.text)}",
            quote.owner or None,
            quote.field,
        )
        for quote in quoted
        if not source.contains(quote.text)
    ]


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


__all__ = ["Registry", "Validation"]
