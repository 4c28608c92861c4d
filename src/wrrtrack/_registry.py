"""The public API: open a registry, ask it questions, validate it, change it.

>>> from wrrtrack import Filter, Registry
>>> registry = Registry.find()
>>> [rec.id for rec in registry.select(Filter(actors="acvz"))]
['wrr103-7']
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, TypeVar, overload

from wrrtrack import _author, _cache, _reading, _transaction, clock, storage
from wrrtrack._errors import (
    EvidenceRefused,
    InvalidChange,
    Problem,
    ReadOnlyRegistry,
    RegistryInvalid,
    public,
)
from wrrtrack._model import (
    RELATIONS,
    AdviceReport,
    Filter,
    Label,
    Ledger,
    Reaction,
    Recommendation,
    Source,
    StatusChange,
    StatusUpdate,
    is_id,
    is_key,
    repeated,
    url_problem,
)
from wrrtrack._places import Document, Parsed
from wrrtrack._vocabulary import Term, Vocabularies
from wrrtrack.config import DEFAULT_TIMEZONE
from wrrtrack.discover import Located, locate

if TYPE_CHECKING:
    from wrrtrack import _index
    from wrrtrack._changes import RegistryChanges
    from wrrtrack._model import Source
    from wrrtrack._schema import Reading
    from wrrtrack._sources import State

T = TypeVar("T")
# Names Windows keeps for devices, whatever their extension: a report's key names files.
_WINDOWS_DEVICE = r"con|prn|aux|nul|com[0-9]|lpt[0-9]"


class Validation(NamedTuple):
    """Everything `validate` found: every problem in file order, and what was checked."""

    path: Path
    problems: list[Problem]
    recommendations: int  # records read (0 when the file could not be read as a registry)
    quotes: int  # quotes looked up in their sources
    source: (
        Path | None
    )  # the source text the (first report's) recommendations' quotes were looked up in
    sources: int = 0  # stored sources checked against their fingerprints
    reports: int = 1  # reports read

    @property
    def ok(self) -> bool:
        return not self.problems


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
        self.written: Path | None = None  # the file the last change wrote (or created)
        # A folder registry's files, as the write in progress read them.
        self._files: _reading.Files = ()
        # Whether the write in progress edits a part the index gave (its file, or a window
        # of one record): then an edit checks its record read back on its own.
        self._partial = False

    def read(self, *, today: date | None = None) -> Registry:
        """Read and check the file now (raises `RegistryInvalid`); returns this registry."""
        self._loaded = _reading.read(self.path, today, self.use_cache, self.timezone).parsed
        return self

    def view(self, *, today: date | None = None) -> _index.View:
        """What `list` and `show` ask of the registry: from its index when that answers
        for the registry's bytes as they are now (a large registry, with the cache), else
        from the parse, which then builds the index (see `wrrtrack._index`)."""
        from wrrtrack import _index

        if self._loaded is not None:
            return _index.Whole(self._loaded.ledger)
        listing = _reading.listing(self.path) if self.use_cache else None
        if listing is None or sum(info.st_size for _, info in listing) < _index.SMALLEST:
            read = _reading.read(self.path, today, self.use_cache, self.timezone)
            self._loaded = read.parsed
            return _index.Whole(read.parsed.ledger)
        folder = self.is_folder
        index = _index.known(self.path, listing, folder, _reading.still_valid(today, self.timezone))

        def whole() -> _index.View:
            from wrrtrack import _stamps

            when = _stamps.now()  # after `listing`, before the bytes are read
            found = _reading.bytes_of(self.path)
            digest = found.key()
            read = _reading.read(self.path, today, True, self.timezone, found=found, digest=digest)
            self._loaded = read.parsed
            stamps = _index.stamped(listing, folder, found.files, found.data, when)
            _index.store(self.path, digest, read.parsed, stamps, None if folder else found.data)
            return _index.Whole(read.parsed.ledger)

        return whole() if index is None else _index.Guarded(index, whole)

    @property
    def _parsed(self) -> Parsed:
        if self._loaded is None:
            self.read()
        assert self._loaded is not None  # noqa: S101 (read() sets it or raises)
        return self._loaded

    @property
    def is_folder(self) -> bool:
        """Whether the registry is a folder of YAML files (see `wrrtrack._folder`)."""
        return _reading.is_folder(self.path)

    @property
    def files(self) -> list[Path]:
        """The files the registry is made of: its file, or the files of the folder."""
        if not self.is_folder:
            return [self.path]
        from wrrtrack import _folder

        return _folder.names(self.path)

    @property
    def root(self) -> Path:
        """The folder the paths of stored sources are relative to: the registry file's, or
        the folder registry itself. A file reached through a symbolic link is read where
        it really is, with the sources beside it, as every writer changes it there."""
        return self.path if self.is_folder else storage.resolved(self.path).parent

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
        located = locate(explicit, cwd=cwd)
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
        """The first advisory report the registry tracks (not the status report: see
        `render`); the only one of a single-report registry. See `reports`."""
        return self.ledger.report

    @property
    def reports(self) -> tuple[AdviceReport, ...]:
        """Every advisory report the registry tracks, in file order."""
        return self.ledger.reports

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
        keys = [report.key for report in self.reports]
        return self.ledger.select((where or Filter()).resolved(self.vocabularies, keys))

    def report_of(self, key: str) -> AdviceReport:
        """The report with this key, case-insensitively (`UnknownTerm` lists the keys)."""
        return self.ledger.report_of(key)

    # --- checking --------------------------------------------------------------------

    def validate(self, *, today: date | None = None) -> Validation:
        """Check the file now: its fields, every quote against its source, and every stored
        source against its fingerprint; every problem, in file order.

        Never raises for a problem in the file (only when it cannot be read at all, such
        as `RegistryNotFound`). A valid file becomes this registry's content.
        """
        from wrrtrack import _evidence

        try:
            read = _reading.bytes_of(self.path)
        except RegistryInvalid as exc:  # files of a folder that are not files to read
            return Validation(self.path, exc.problems, 0, 0, None, 0, 0)
        if read.folder and not read.files:
            from wrrtrack import _folder

            return Validation(self.path, [_folder.no_files(self.path)], 0, 0, None, 0, 0)
        digest = read.key() if self.use_cache else None
        parsed = _reading.cached(digest, self.path, today, self.timezone) if digest else None
        day = today or clock.today(self.timezone)
        if parsed is None and read.folder:  # a large folder read over the cores, when it reads
            with _reading.collector_paused():
                parsed = _reading.spread(self.path, read, day)
            if parsed is not None and digest:
                _cache.store(digest, parsed)
        if parsed is not None:
            ledger = parsed.ledger
            quoted = _evidence.quotes_of(parsed)
            problems: list[Problem] = []
            reactions = tuple(report.reaction.source for report in ledger.reports)
            found = _evidence.evidence(self.root, ledger.sources, reactions, quoted, {})
            if found.problems:  # the cache keeps no places of sources: read them
                reading = read.reading(self.path, day)
                found = _evidence.evidence(
                    self.root, reading.sources, reading.reactions, quoted, reading.source_places
                )
        else:
            with _reading.collector_paused():
                reading = read.reading(self.path, day)
            parsed, problems, quoted = reading.parsed, reading.problems, reading.quoted
            if parsed is not None and digest:
                _cache.store(digest, parsed)
            found = _evidence.evidence(
                self.root, reading.sources, reading.reactions, quoted, reading.source_places
            )
        if parsed is not None:
            self._loaded = parsed
        return Validation(
            self.path,
            sorted([*problems, *found.problems], key=lambda problem: problem.file_order),
            len(parsed.ledger.recommendations) if parsed else 0,
            len(quoted),
            found.source,
            found.sources,
            len(parsed.ledger.reports) if parsed else 1,
        )

    def sources(self) -> list[tuple[Source, State]]:
        """Every stored source with the state of its file against its fingerprint: `ok`,
        `changed`, `missing` or `refused` (a path or file that may not be read)."""
        from wrrtrack import _sources

        ledger = self.ledger
        listed = ledger.sources or _reaction_files(ledger)
        return [
            (source, _sources.state(self.root, source.file, source.sha256)) for source in listed
        ]

    def changes(
        self,
        since: str | date | None = None,
        until: str | date | None = None,
        *,
        reports: Sequence[str] = (),
    ) -> RegistryChanges:
        """What the registry records as changed from `since` to `until`.

        A point is a date (`date`, or a string `YYYY-MM-DD`): then the history entries
        dated after `since`, up to and including `until`. Anything else is a git revision
        of the repository holding the registry (`since` defaults to HEAD): the registry as
        it was in that commit, compared record by record with the registry at `until`
        (None: as it is on disk); when the registry was not in the commit `since` names,
        everything in it is added (`new`). `reports` keeps only those reports' records.
        """
        from wrrtrack import _changes, _git

        since = "HEAD" if since is None else since
        days: list[date | None] = []
        for field, point in (("since", since), ("until", until)):
            try:
                days.append(_changes.as_date(point))
            except ValueError:
                raise InvalidChange(
                    "{field}: '{point}' is not a real date in the form YYYY-MM-DD",
                    field,
                    point=str(point),
                ) from None
        since_day, until_day = days
        if since_day is None and until_day is not None:
            raise InvalidChange("until a date needs since a date too", "until")
        if since_day is not None and until_day is not None and until_day < since_day:
            raise InvalidChange(
                "{field} ({until}) is before 'since' ({since})",
                "until",
                until=until_day.isoformat(),
                since=since_day.isoformat(),
            )
        commits: list[str | None] = [None, None]
        new = False

        def at(point: str | date | None, end: int) -> Ledger:
            nonlocal new
            if point is None or isinstance(point, date) or _changes.as_date(point):
                return self.ledger
            try:
                ledger, commit = _git.ledger_at(
                    self.path, point, use_cache=self.use_cache, timezone=self.timezone
                )
            except _git.NotInCommit as exc:
                if end == 1:
                    raise
                # The registry is newer than the commit: it was empty then.
                commits[end] = exc.commit.sha
                new = True
                return Ledger((), after.vocabularies, ())
            commits[end] = commit.sha
            return ledger

        after = at(until, 1)
        before = at(since, 0) if since_day is None else after
        if reports:
            known = {r.key.casefold(): r.key for r in (*before.reports, *after.reports)}
            for key in reports:
                if key.strip().casefold() not in known:
                    from wrrtrack._errors import UnknownTerm

                    raise UnknownTerm("report", key, sorted(set(known.values())))
            keys = {known[key.strip().casefold()] for key in reports}
            before, after = before.of_reports(keys), after.of_reports(keys)
        if since_day is not None:
            found = _changes.dated(after, since_day, until_day)
        else:
            found = _changes.compare(before, after)
        return found._replace(
            since=str(since),
            until=None if until is None else str(until),
            commits=(commits[0], commits[1]),
            new=new,
        )

    @property
    def source_paths(self) -> list[Path]:
        """The stored source files (that a write must never replace by accident)."""
        ledger = self.ledger
        return [self.root / s.file for s in ledger.sources or _reaction_files(ledger)]

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
        quotes: Sequence[str] = (),
        again: bool = False,
        relation: str | None = None,
        today: date | None = None,
    ) -> StatusUpdate:
        """Append a history entry and set the current status; returns the record before
        and after.

        `status` is a key, alias or English spelling of the registry's status vocabulary
        (`UnknownTerm` otherwise); `on` defaults to today and `by` to the git user name
        (else the login name). A change to the status the record has needs a `note`;
        `InvalidChange` names the argument a refused change is about.

        `source` is the id of a stored source (see `sources`) or free text for a source
        that is not stored. `quotes` are verbatim passages of the stored source `source`
        names: each must be found in it (as `validate` finds quotes), and the source must
        still match its fingerprint, else `EvidenceRefused` and nothing is written.

        An entry equal to the record's newest one (but for `by`) is refused as a probable
        retry of a change already made, unless `again`.

        `relation` says how the document bears on the advice: "response" (it presents
        itself as following up this advice) or "related" (it bears on it without saying
        so); None leaves it unstated.
        """
        (update,) = self.set_statuses(
            (identifier,),
            status,
            note=note,
            on=on,
            by=by,
            source=source,
            quotes=quotes,
            again=again,
            relation=relation,
            today=today,
        )
        return update

    def set_statuses(
        self,
        identifiers: Sequence[str],
        status: str,
        *,
        note: str | None = None,
        on: date | None = None,
        by: str | None = None,
        source: str | None = None,
        quotes: Sequence[str] = (),
        again: bool = False,
        relation: str | None = None,
        today: date | None = None,
    ) -> list[StatusUpdate]:
        """`set_status` for each of several records, with one entry each (the same date,
        note, source and quotes); one `StatusUpdate` each, in the order given.

        Every record's change is checked before any file is written: one refused (an
        unknown id, a quote not in the source, the same status without a note, a probable
        retry) refuses them all, and nothing is written. An id given twice is refused.
        In a folder registry each file is written once.
        """
        if isinstance(identifiers, str):  # one id is not a sequence of characters
            identifiers = (identifiers,)
        identifiers = _cleaned("id", identifiers)
        if not identifiers:
            raise InvalidChange("give at least one {field}", "id")
        if repeated([i.casefold() for i in identifiers]) is not None:
            raise InvalidChange("a recommendation is given twice ({field})", "id")
        today = today or clock.today(self.timezone)
        on = on or today
        if relation is not None and relation not in RELATIONS:
            raise InvalidChange("{field} is 'response' or 'related'", "relation")
        _not_in_future(on, today, "on")
        note, by, source = _clean("note", note), _clean("by", by), _clean("source", source)
        quotes = _cleaned("quotes", quotes)
        if quotes and source is None:
            raise InvalidChange(
                "{field} needs the id of the stored source the quote is found in", "source"
            )
        self._writable()
        author = by if by is not None else _author.default_author(self.root)
        if author is not None and _has_invalid_text(author):
            raise InvalidChange(
                "your git user.name or login name is not valid UTF-8 text; "
                "give the name with {field}",
                "by",
            )

        folder = self.is_folder

        def change(doc: Document) -> tuple[Document, dict[str, StatusUpdate]]:
            from wrrtrack import _edit, _evidence

            key = doc.parsed.ledger.vocabularies.statuses.resolve(status)
            entry = StatusChange(on, key, note or None, author, source, tuple(quotes), relation)
            done: dict[str, StatusUpdate] = {}
            # A folder's file holds some of them (every id is known to be somewhere: the
            # file of each was looked up); a registry file holds all, or says which not.
            here = {rid.casefold() for rid in doc.parsed.layouts}
            for identifier in identifiers:
                if folder and identifier.strip().casefold() not in here:
                    continue  # in another file of the folder registry
                if doc.parsed.ledger.get(identifier).id not in doc.parsed.layouts:
                    continue
                if quotes:
                    _evidence.check_new_quotes(
                        self.root,
                        doc.parsed.ledger,
                        identifier,
                        source,
                        quotes,
                        cache=self.use_cache,
                    )
                doc, before, after = _edit.set_status(doc, identifier, entry, today=today)
                if before.repeats(entry) and not again:
                    raise InvalidChange(
                        f"{before.id}: its newest entry ({on.isoformat()}, {key}) is this "
                        "one already, so this is probably a retry of a change that was "
                        "written; add {field} to record it a second time",
                        "again",
                    )
                done[identifier] = StatusUpdate(before, after, doc.path)
            return doc, done

        updates = self._write_records(change, identifiers, today)
        return [updates[identifier] for identifier in identifiers]

    def add(
        self,
        identifier: str,
        *,
        report: str | None = None,
        title: str,
        theme: str,
        stance: str,
        actors: Sequence[str],
        quotes: Sequence[str],
        status: str = "open",
        on: date | None = None,
        by: str | None = None,
        note: str | None = None,
        due: date | None = None,
        review: date | None = None,
        today: date | None = None,
    ) -> Recommendation:
        """Append a new recommendation to `report`, with its first history entry; returns it.
        Without `report`, to the registry's one report (`Ledger.only_report`).

        Keys are resolved as `select` resolves them, against the vocabularies `report` may
        use (`UnknownTerm` otherwise). Every quote must be found in the report's source
        text (`InvalidChange` names the nearest passage); `on` defaults to the date of the
        report's reaction, `by` to the git user name (else the login name). `due` is the
        deadline the government set itself (not before the report's date) and `review`
        the day the registry's keeper means to look again; both may lie ahead. Nothing is
        written unless all of it holds.
        """
        today = today or clock.today(self.timezone)
        identifier, title = _clean("id", identifier), _clean("title", title)
        note, by, quotes = _clean("note", note), _clean("by", by), _cleaned("quotes", quotes)
        if not is_id(identifier):
            raise InvalidChange(
                "{field} may hold only letters, digits, '.', '_' and '-', and must start "
                "with a letter or digit",
                "id",
            )
        if not quotes:
            raise InvalidChange("give at least one quote ({field}) from the source", "quotes")
        if not actors:
            raise InvalidChange("give at least one actor ({field})", "actors")
        if on is not None:
            _not_in_future(on, today, "on")
        self._writable()
        author = by if by is not None else _author.default_author(self.root)

        def change(doc: Document) -> tuple[Document, Recommendation]:
            from wrrtrack import _edit, _evidence

            ledger = doc.parsed.ledger
            advice = ledger.report_of(report) if report is not None else ledger.only_report()
            vocab = ledger.vocabularies_of(advice.key)
            keys = [vocab.actors.resolve(actor) for actor in actors]
            if repeated(keys) is not None:
                raise InvalidChange("an actor is given twice ({field})", "actors")
            day = on or advice.reaction.date
            _not_in_future(day, today, "on")
            if day < advice.date:
                raise InvalidChange(
                    f"the date {day} is before report {advice.key} itself ({advice.date})", "on"
                )
            if due is not None and due < advice.date:
                raise InvalidChange(
                    f"the deadline {{field}} {due} is before report {advice.key} itself "
                    f"({advice.date})",
                    "due",
                )
            source = ledger.quote_source_of(advice)
            _evidence.check_quotes(self.root, source, identifier, quotes, cache=self.use_cache)
            # The first entry records the reaction: by its stored source where there is one.
            named = source.id if ledger.source(source.id) else advice.reaction.reference
            entry = StatusChange(day, vocab.statuses.resolve(status), note, author, named)
            record = Recommendation(
                identifier,
                title,
                vocab.themes.resolve(theme),
                vocab.stances.resolve(stance),
                tuple(keys),
                entry.status,
                tuple(quotes),
                (entry,),
                advice.key,
                due,
                review,
            )
            return _edit.append_record(doc, record, today=today), record

        def target(read: _reading.Read) -> str:
            key = report if report is not None else read.parsed.ledger.only_report().key
            return _transaction.file_of(read, report=key)

        return self._write(change, today, target, where=_file_of_report(report))

    def edit(
        self,
        identifier: str,
        *,
        title: str | None = None,
        theme: str | None = None,
        stance: str | None = None,
        actors: Sequence[str] | None = None,
        quotes: Sequence[str] | None = None,
        due: date | None = None,
        review: date | None = None,
        today: date | None = None,
    ) -> RecommendationEdit:
        """Correct a recommendation: each argument given replaces that field (`actors` the
        whole list, `quotes` all its quotes; `due` and `review` set or replace the dates);
        returns the record before and after.

        The rules of `add` hold: keys are resolved against the vocabularies its report may
        use (`UnknownTerm`), no actor twice, every quote found in the report's source text
        (`EvidenceRefused`). Its history is never rewritten. An edit that changes nothing
        writes nothing (`RecommendationEdit.changed` is False).
        """
        today = today or clock.today(self.timezone)
        title, theme, stance = (
            _clean("title", title),
            _clean("theme", theme),
            _clean("stance", stance),
        )
        actors = None if actors is None else _cleaned("actors", actors)
        quotes = None if quotes is None else _cleaned("quotes", quotes)
        if (title, theme, stance, actors, quotes, due, review) == (None,) * 7:
            raise InvalidChange(
                "give a field to change: title, theme, stance, actors, quotes, due or review"
            )
        if actors == ():
            raise InvalidChange("give at least one actor ({field})", "actors")
        if quotes == ():
            raise InvalidChange("give at least one quote ({field}) from the source", "quotes")
        self._writable()

        def change(doc: Document) -> tuple[Document, RecommendationEdit]:
            from wrrtrack import _edit, _evidence

            ledger = doc.parsed.ledger
            before = ledger.get(identifier)
            vocab = ledger.vocabularies_of(before.report)
            after = before._replace(
                title=before.title if title is None else title,
                theme=before.theme if theme is None else vocab.themes.resolve(theme),
                stance=before.stance if stance is None else vocab.stances.resolve(stance),
            )
            if actors is not None:
                keys = tuple(vocab.actors.resolve(actor) for actor in actors)
                if repeated(keys) is not None:
                    raise InvalidChange("an actor is given twice ({field})", "actors")
                after = after._replace(actors=keys)
            if quotes is not None and quotes != before.quotes:
                source = ledger.quote_source_of(ledger.report_of(before.report))
                _evidence.check_quotes(self.root, source, before.id, quotes, cache=self.use_cache)
                after = after._replace(quotes=quotes)
            advice = ledger.report_of(before.report)
            if due is not None and due < advice.date:
                raise InvalidChange(
                    f"the deadline {{field}} {due} is before report {advice.key} itself "
                    f"({advice.date})",
                    "due",
                )
            dated = after._replace(
                due=before.due if due is None else due,
                review=before.review if review is None else review,
            )
            if dated == before:
                raise _Unchanged(before)
            edited = doc
            if after != before:
                alone = self._partial  # the index's part: checked by the write
                whole = self.is_folder and not alone
                reread = self._folder_reading(doc.path, today) if whole else None
                edited = _edit.edit_record(doc, after, today=today, reread=reread, alone=alone)
            # The dates are lines of their own: set each (a line added, or its line replaced).
            for name in ("due", "review"):
                if getattr(dated, name) != getattr(after, name):
                    current = edited.parsed.ledger.get(before.id)
                    wanted = current._replace(**{name: getattr(dated, name)})
                    edited, _, _ = _edit.set_field(edited, wanted, name, today=today)
            return edited, RecommendationEdit(before, dated)

        try:
            return self._write(
                change,
                today,
                lambda read: _transaction.file_of(read, identifier=identifier),
                where=_files_of([identifier]),
                record=identifier,
            )
        except _Unchanged as unchanged:
            return RecommendationEdit(unchanged.record, unchanged.record)

    def remove(self, identifier: str, *, today: date | None = None) -> Recommendation:
        """Remove a recommendation entered by mistake, history and all; returns it.

        Only its lines go (and the blank line that separated it from the others): the
        file reads as if it had never been there. Git keeps the old text.
        """
        today = today or clock.today(self.timezone)
        self._writable()

        def change(doc: Document) -> tuple[Document, Recommendation]:
            from wrrtrack import _edit

            reread = self._folder_reading(doc.path, today) if self.is_folder else None
            return _edit.remove_record(doc, identifier, today=today, reread=reread)

        return self._write(
            change, today, lambda read: _transaction.file_of(read, identifier=identifier)
        )

    def add_term(
        self,
        section: str,
        key: str,
        *,
        nl: str,
        en: str,
        aliases: Sequence[str] = (),
        report: str | None = None,
        final: bool = False,
        today: date | None = None,
    ) -> Term:
        """Add a key to the vocabulary `section` (`actors`, `themes`, `stances`,
        `statuses`) of the registry, or with `report` to that report's own; returns it.

        A key or alias that another key already has is refused (`InvalidChange`), and so
        is a key another report declares with other labels: a key means the same in every
        report. `final` marks a status that closes an item (never overdue or stale), as
        `uitgevoerd`, `afgewezen` and `vervallen` are; only a status may be final.
        """
        from wrrtrack._vocabulary import DEFAULTS

        today = today or clock.today(self.timezone)
        if section not in DEFAULTS:
            raise InvalidChange(
                f"'{{section}}' is not a vocabulary; choose one of {', '.join(DEFAULTS)}",
                "section",
                section=section,
            )
        key, nl, en = _clean("key", key), _clean("nl", nl), _clean("en", en)
        aliases = _cleaned("aliases", aliases)
        for name, value in (("key", key), *(("aliases", alias) for alias in aliases)):
            if not is_key(value):
                raise InvalidChange(
                    "'{value}' ({field}) must be lower-case letters, digits and '-'",
                    name,
                    value=value,
                )
        if final and section != "statuses":
            raise InvalidChange("only a status can be final ({field})", "final")
        term = Term(key, nl, en, tuple(aliases), final)
        self._writable()

        def change(doc: Document) -> tuple[Document, Term]:
            from wrrtrack import _edit

            owner = doc.parsed.ledger.report_of(report).key if report is not None else None
            return _edit.add_term(doc, section, term, today=today, report=owner), term

        if report is None and self.is_folder:
            from wrrtrack import _folder

            # The registry's own vocabularies: in the file that holds them, else a new one.
            parsed = self.read(today=today)._parsed
            if None not in parsed.documents:
                from wrrtrack import _edit

                def check(now: Parsed) -> None:
                    if None in now.documents:  # another writer made the file meanwhile
                        raise _VocabulariesAppeared
                    if _folder.VOCABULARIES in now.files:
                        raise InvalidChange(
                            f"{self.path / _folder.VOCABULARIES} holds no vocabularies for "
                            "every report; add a document with 'vocabularies:' to it, or "
                            "rename it"
                        )
                    _edit.check_term(now.ledger, section, term, None)

                def back(ledger: Ledger) -> bool:
                    return ledger.vocabularies.by_section(section).term(key) == term

                vocabularies = {"vocabularies": {section: {key: term}}}
                try:
                    self._create(_folder.VOCABULARIES, vocabularies, today, check=check, back=back)
                except _VocabulariesAppeared:
                    pass  # add the key to them, as if they had been there all along
                else:
                    return term
        return self._write(
            change,
            today,
            lambda read: _transaction.file_of(read, report=report),
        )

    def add_report(
        self,
        key: str,
        *,
        title: str,
        publisher: str,
        date: date,
        reaction: str,
        reaction_date: date,
        source_file: Path,
        number: str | None = None,
        url: str | None = None,
        source_kind: str | None = None,
        source_publisher: str | None = None,
        reaction_label: Label | None = None,
        today: date | None = None,
    ) -> AdviceReport:
        """Add an advisory report: copy its reaction's text (`source_file`) into the
        registry's `sources/` folder as `KEY.txt`, and append the report, with that text as
        a stored source (id KEY, its SHA-256 recorded), as a new document of the registry
        file. Returns the report.

        `url` is where the reaction is published (recorded on the source); `source_kind`
        (free text: `SOURCE_KINDS` has labels for the usual ones) and `source_publisher`
        say what the stored text is and who published it; `reaction_label` what the
        reaction is called in the reports (default: the cabinet's reaction). Nothing is
        written unless all of it holds; a copy made before a refused write is removed.
        """
        today = today or clock.today(self.timezone)
        key, title, publisher, reaction, number, url, source_kind, source_publisher = (
            _clean("key", key),
            _clean("title", title),
            _clean("publisher", publisher),
            _clean("reaction", reaction),
            _clean("number", number),
            _clean("url", url),
            _clean("source_kind", source_kind),
            _clean("source_publisher", source_publisher),
        )
        reaction_label = reaction_label and Label(*_cleaned("reaction_label", reaction_label))
        if not is_key(key):
            raise InvalidChange("{field} must be lower-case letters, digits and '-'", "key")
        if re.fullmatch(_WINDOWS_DEVICE, key):
            raise InvalidChange(
                f"'{key}' ({{field}}) names a device on Windows, where sources/{key}.txt "
                "cannot be a file; choose another key",
                "key",
            )
        from wrrtrack._folder import RESERVED_KEYS

        if key in RESERVED_KEYS:  # in a file too: a file registry may become a folder
            raise InvalidChange(
                f"'{key}' ({{field}}) is reserved: a folder registry keeps the vocabularies "
                f"of every report in {key}.yaml; choose another key",
                "key",
            )
        for name, day in (("date", date), ("reaction_date", reaction_date)):
            _not_in_future(day, today, name)
        if reaction_date < date:
            raise InvalidChange(
                f"the reaction ({reaction_date}) is dated before the report ({date})",
                "reaction_date",
            )
        wrong = None if url is None else url_problem(url)
        if wrong is not None:
            raise InvalidChange(f"{{field}} {wrong}", "url")
        self._writable()
        from wrrtrack import _evidence, _sources

        text = _evidence.source_text(source_file)
        relative = f"sources/{key}.txt"
        # The reaction's text becomes a stored source (named by the report's key) with its
        # fingerprint; the report's quotes are checked against it.
        stored = Source(key, relative, reaction, source_publisher, reaction_date, source_kind, url)
        stored = stored._replace(sha256=_sources.fingerprint(text))
        advice = AdviceReport(
            publisher,
            number,
            title,
            date,
            Reaction(reaction, reaction_date, key, url, reaction_label),
            (),
            key,
        )
        folder = self.root
        made: list[Path] = []  # the copy of the source text, once made
        value = {"key": key, "report": advice._replace(key=""), "sources": (stored,)}

        def refuse_taken(ledger: Ledger) -> None:
            taken = [r.key for r in ledger.reports if r.key.casefold() == key.casefold()]
            if taken:
                raise InvalidChange(f"a report with key '{taken[0]}' exists already", "key")
            if ledger.source(key) is not None:
                raise InvalidChange(f"a stored source with id '{key}' exists already", "key")

        if self.is_folder:

            def back(ledger: Ledger) -> bool:
                return ledger.report_of(key) == advice and ledger.source(key) == stored

            def copy(parsed: Parsed) -> None:
                refuse_taken(parsed.ledger)
                storage.create_new(folder, folder / relative, text, made, same=True)

            # `_create` removes what it made (the copy included) when it fails.
            self._create(f"{key}.yaml", value, today, check=copy, back=back, made=made)
            return advice

        def change(doc: Document) -> tuple[Document, AdviceReport]:
            from wrrtrack import _edit

            refuse_taken(doc.parsed.ledger)
            edited = _edit.append_document(doc, value, today=today)
            # Under the registry's lock, and only new: an existing file is never replaced
            # (one holding these very bytes, left by a run cut off before it wrote the
            # registry, is taken as it is, so that the run can be repeated).
            storage.create_new(folder, folder / relative, text, made, same=True)
            return edited, advice

        try:
            return self._write(change, today)
        except BaseException:
            storage.remove_made(made)  # a failed command leaves every file as it was
            raise

    def add_source(
        self,
        identifier: str,
        *,
        title: str,
        publisher: str,
        date: date,
        kind: str,
        file: Path | None = None,
        text: bytes | None = None,
        url: str | None = None,
        excerpt: bool = False,
        report: str | None = None,
        today: date | None = None,
    ) -> Source:
        """Store a document's text as a source that history entries can cite and quote:
        copy it into the registry's `sources/` folder as `ID.txt`, and append its record
        (with the text's SHA-256) to the `sources` list of `report`'s document (in a
        folder registry, that report's file). Returns the source.

        The text is the file `file` or the bytes `text` (one of them): UTF-8, at most
        `SIZE_LIMIT` bytes, as `add_report` takes a reaction's text. `kind` is free text
        (`SOURCE_KINDS` has labels for the usual ones); `excerpt` says that the text holds
        passages of the document rather than the whole of it. `report` may be left out
        when the registry holds one report. Nothing is written unless all of it holds; a
        file already stored under that name with the same bytes (a run that was stopped
        after copying it) is taken as the copy, one with other bytes is refused.
        """
        from wrrtrack import _evidence, _sources

        today = today or clock.today(self.timezone)
        identifier, title, publisher, kind = (
            _clean("id", identifier),
            _clean("title", title),
            _clean("publisher", publisher),
            _clean("kind", kind),
        )
        url, report = _clean("url", url), _clean("report", report)
        if not is_id(identifier):
            raise InvalidChange(
                "{field} may hold only letters, digits, '.', '_' and '-', and must start "
                "with a letter or digit",
                "id",
            )
        if re.fullmatch(_WINDOWS_DEVICE, identifier.split(".")[0], re.IGNORECASE):
            raise InvalidChange(
                f"'{identifier}' ({{field}}) names a device on Windows, where "
                f"sources/{identifier}.txt cannot be a file; choose another id",
                "id",
            )
        _not_in_future(date, today, "date")
        wrong = None if url is None else url_problem(url)
        if wrong is not None:
            raise InvalidChange(f"{{field}} {wrong}", "url")
        if (file is None) == (text is None):
            raise InvalidChange("give the text as a file or as bytes, not both or neither", "file")
        self._writable()
        data = (
            _evidence.source_text(file, "file")
            if file is not None
            else _evidence.storable_text("standard input", text or b"", "file")
        )
        relative = f"sources/{identifier}.txt"
        stored = Source(
            identifier,
            relative,
            title,
            publisher,
            date,
            kind,
            url,
            _sources.fingerprint(data),
            excerpt,
        )
        folder = self.root
        made: list[Path] = []  # the copy of the text, once made

        def owner(ledger: Ledger) -> str:
            """The key of the report whose document the record goes in."""
            if report is not None:
                return ledger.report_of(report).key
            if len(ledger.reports) == 1:
                return ledger.reports[0].key
            if not ledger.reports:
                raise InvalidChange(
                    "the registry holds no report yet; add one with 'wrrtrack reports add' "
                    "first, whose text is stored as a source too"
                )
            keys = ", ".join(r.key for r in ledger.reports)
            raise InvalidChange(
                f"the registry holds {len(ledger.reports)} reports; name the one the "
                f"source belongs to with {{field}} ({keys})",
                "report",
            )

        def change(doc: Document) -> tuple[Document, Source]:
            from wrrtrack import _edit

            key = owner(doc.parsed.ledger)
            reread = self._folder_reading(doc.path, today) if self.is_folder else None
            edited = _edit.append_source(doc, stored, report=key, today=today, reread=reread)
            # Under the registry's lock: only a new file, or the very bytes already there.
            _store(folder, relative, data, made)
            return edited, stored

        def target(read: _reading.Read) -> str:
            return _transaction.file_of(read, report=owner(read.parsed.ledger))

        try:
            return self._write(change, today, target)
        except BaseException:
            storage.remove_made(made)  # a failed command leaves every file as it was
            raise

    def update_source(self, identifier: str, *, today: date | None = None) -> SourceUpdate:
        """Record the SHA-256 the stored source `identifier` has now, after checking that
        every quote citing it is still found in it; `EvidenceRefused` lists the quotes that
        broke, and then nothing is written. A fingerprint that already matches is left as
        it is (`SourceUpdate.changed` is False)."""
        from wrrtrack import _evidence, _sources

        today = today or clock.today(self.timezone)
        self._writable()
        current = self.read(today=today).ledger
        source = _evidence.known_source(current, identifier)
        digest = _sources.fingerprint(_evidence.source_bytes(self.root, source))
        if digest == source.sha256:
            return SourceUpdate(source, source.sha256, digest, 0, changed=False)

        def change(doc: Document) -> tuple[Document, SourceUpdate]:
            from wrrtrack import _edit

            ledger = doc.parsed.ledger
            found = _evidence.known_source(ledger, identifier)
            data = _evidence.source_bytes(self.root, found)
            citing = [
                q._replace(place=doc.parsed.quote_places.get(q.key))
                for q in ledger.citing(found.id)
            ]
            broken = _evidence.missing_quotes(data, found, citing)
            if broken:
                raise EvidenceRefused(
                    broken,
                    f"{len(broken)} of {len(citing)} quote(s) citing '{found.id}' are no longer "
                    f"in {found.file}; its fingerprint is unchanged",
                )
            new = _sources.fingerprint(data)
            reread = self._folder_reading(doc.path, today) if self.is_folder else None
            edited = _edit.record_fingerprint(doc, found.id, new, today=today, reread=reread)
            return edited, SourceUpdate(found, found.sha256, new, len(citing), changed=True)

        def source_file(read: _reading.Read) -> str:
            place = read.read.reading(self.path, today).source_places.get(identifier)
            if place is None:
                raise InvalidChange(
                    "no stored source with id '{source}'", "source", source=identifier
                )
            return place.file.path.name

        return self._write(change, today, source_file)

    def _write_records(
        self, edit: Callable[[Document], tuple[Document, dict[str, T]]], identifiers: Sequence[str],
        today: date,
    ) -> dict[str, T]:  # fmt: skip
        """`_write` of an edit of the records `identifiers`, one result each. In a large
        registry, by the cheapest way that can vouch for it: the index (a folder's files,
        or one record of a file), else a folder's files found by their text (no index yet),
        else the whole registry (see `_transaction`)."""
        reader = _transaction.Reader(today, self.use_cache, self.timezone)
        if not self.is_folder:
            one = identifiers[0] if len(identifiers) == 1 else None
            return self._write(edit, today, record=one)

        def files(read: _reading.Read) -> list[str]:
            return [_transaction.file_of(read, identifier=i) for i in identifiers]

        self._partial = True
        try:
            edits = _transaction.write_by_index(
                self.path, edit, _files_of(identifiers), reader, self._written
            )
        finally:
            self._partial = False
        if edits is None:
            edits = _transaction.write_by_scan(self.path, edit, identifiers, reader, self._written)
        if edits is None:
            edits = _transaction.write_in_files(
                self.path, edit, files, reader, self._written, seen=self._seen
            )
        return {i: result for done in edits for i, result in done.items()}

    def _folder_reading(self, path: Path, today: date) -> Callable[[str], Reading]:
        """How to read the folder registry again with `text` as the file at `path`."""

        files = list(self._files)

        def reread(text: str) -> Reading:
            changed = [(p, text.encode("utf-8") if p == path else data) for p, data in files]
            return _reading.folder_reading(self.path, changed, today)

        return reread

    def _writable(self) -> None:
        if self.read_only:
            from wrrtrack.discover import read_only_reason

            raise ReadOnlyRegistry(read_only_reason(self.path))

    def _write(
        self,
        edit: Callable[[Document], tuple[Document, T]],
        today: date | None,
        target: Callable[[_reading.Read], str] | None = None,
        *,
        where: _Targets | None = None,
        record: str | None = None,
    ) -> T:
        """Every writer's way to the file: lock, read, edit (`_edit`), write, cache (see
        `_transaction`). In a folder registry, `target` names the file the change is made in,
        and `where` the same from the index of a large one (`write_by_index`), so that the
        other files are not read; in a large registry file, a change to the one `record`
        is made in a window of it (`write_record_by_index`)."""
        self._writable()
        reader = _transaction.Reader(today, self.use_cache, self.timezone)
        folder = self.is_folder
        self._partial = True
        try:
            if folder and where is not None:
                done = _transaction.write_by_index(self.path, edit, where, reader, self._written)
                if done is not None:
                    return done[0]
            if not folder and record is not None:
                found = _transaction.write_record_by_index(
                    self.path, edit, record, reader, self._written
                )
                if found is not None:
                    return found
        finally:
            self._partial = False
        if folder and target is not None:
            return _transaction.write_in_folder(
                self.path, edit, target, reader, self._written, seen=self._seen
            )
        return _transaction.write_file(self.path, edit, reader, self._written)

    def _seen(self, files: _reading.Files) -> None:
        self._files = files

    def _create(
        self,
        name: str,
        value: dict[str, Any],
        today: date | None,
        *,
        check: Callable[[Parsed], None],
        back: Callable[[Ledger], bool],
        made: list[Path] | None = None,
    ) -> None:
        """Create the file `name` in the folder registry (see `_transaction.create`)."""
        reader = _transaction.Reader(today, self.use_cache, self.timezone)
        _transaction.create(
            self.path, name, value, reader, self._written, check=check, back=back, made=made
        )

    def _written(self, written: _transaction.Written) -> None:
        """After a write: remember the new content, and cache it under the new bytes' key.

        The file is replaced: from here on nothing may fail the change (a caller told of a
        failure would retry, and record it twice). Bookkeeping that fails is dropped, and
        the next read parses the file.
        """
        self.written = written.path
        if written.partial:  # the written files' part: the whole is read when next asked
            self._loaded = None
            if written.digest is not None:
                with contextlib.suppress(Exception):
                    _cache.forget(written.digest)  # those bytes are gone from disk
            return
        try:
            self._loaded = written.parsed
            if written.digest is not None:
                new_key = written.new_key()
                _cache.store(new_key, written.parsed)
                _cache.forget(written.digest)  # those bytes are gone from disk
                self._index_after(new_key, written)
        except Exception:  # noqa: BLE001 (see above: the write has happened)
            self._loaded = None

    def _index_after(self, new_key: str, written: _transaction.Written) -> None:
        """After a write that read the whole registry, a large registry's index built from
        it, so that the next write need not read it whole again (under the write's lock:
        the files are the bytes it wrote)."""
        from wrrtrack import _index, _stamps

        folder = self.is_folder
        size = sum(len(d) for _, d in written.files) if folder else len(written.data)
        if size < _index.SMALLEST:
            return
        listing = _reading.listing(self.path)
        if listing is None:
            return
        data = None if folder else written.data
        stamps = _index.stamped(listing, folder, written.files, written.data, _stamps.now())
        _index.store(self.path, new_key, written.parsed, stamps, data)


# How a write through the index names the files it changes (`_transaction.write_by_index`).
_Targets = Callable[[Any, Parsed], "Sequence[str] | None"]


def _files_of(identifiers: Sequence[str]) -> _Targets:
    """The files holding the records `identifiers`, as the index knows them."""

    def files(index: Any, head: Parsed) -> list[str] | None:
        del head
        names = [index.file_of(identifier) for identifier in identifiers]
        return None if None in names else names

    return files


def _file_of_report(report: str | None) -> _Targets:
    """The file holding `report` (None: the registry's one report), as the index knows it."""

    def files(index: Any, head: Parsed) -> list[str] | None:
        from wrrtrack import _folder

        del index
        ledger = head.ledger
        key = ledger.report_of(report).key if report is not None else ledger.only_report().key
        name = _folder.file_of(head, key)
        return None if name is None else [name]

    return files


class _VocabulariesAppeared(Exception):
    """A folder registry's vocabularies for every report were created by another writer
    between looking for them and taking the lock."""


class _Unchanged(Exception):
    """An edit that would change nothing: nothing is written (`Registry.edit`)."""

    def __init__(self, record: Recommendation) -> None:
        super().__init__(record.id)
        self.record = record


class RecommendationEdit(NamedTuple):
    """What `Registry.edit` did: the recommendation before and after."""

    before: Recommendation
    after: Recommendation

    @property
    def changed(self) -> bool:
        """Whether the edit changed anything (when not, nothing was written)."""
        return self.before != self.after


class SourceUpdate(NamedTuple):
    """What `update_source` did: the source, its fingerprint before and after, and how
    many quotes citing it were checked."""

    source: Source
    before: str | None
    after: str
    checked: int
    changed: bool


@overload
def _clean(name: str, value: str) -> str: ...
@overload
def _clean(name: str, value: None) -> None: ...
def _clean(name: str, value: str | None) -> str | None:
    """A text argument of a writer as the user means it: without the white space around
    it (`--title "  T "` is the title `T`), which is what is checked and written. An empty
    text, or one that cannot be saved, is refused (`InvalidChange` names the argument)."""
    if value is None:
        return None
    text = value.strip()
    if not text or _has_invalid_text(text):
        raise InvalidChange("{field} must be non-empty, valid text", name)
    return text


def _cleaned(name: str, values: Sequence[str]) -> tuple[str, ...]:
    """Each of several text arguments (repeated `--quote`, `--alias`), as `_clean`."""
    return tuple(_clean(name, value) for value in values)


def _reaction_files(ledger: Ledger) -> tuple[Source, ...]:
    """The source files of a registry without source records: each report's reaction's."""
    return tuple(dict.fromkeys(ledger.quote_source_of(report) for report in ledger.reports))


def _store(folder: Path, relative: str, data: bytes, made: list[Path]) -> None:
    """Copy a source's text to `relative` in `folder`, never over another file: a file
    there already with the very same bytes (a run stopped after copying) is the copy."""
    from wrrtrack import _sources

    try:
        there = _sources.read_bytes(folder, relative)
    except FileNotFoundError:
        storage.remove_stale_temporaries(folder / relative)
        storage.create_new(folder, folder / relative, data, made)
        return
    if there != data:
        raise InvalidChange(
            f"{folder / relative} exists already and holds another text; nothing was "
            "changed (choose another id, or remove that file if no source names it)"
        )


def _not_in_future(day: date, today: date, name: str) -> None:
    """Refuse a date after `today` for the argument `name` (`clock.in_future`)."""
    future = clock.in_future(day, today)
    if future is not None:
        raise InvalidChange(f"the date {future}", name)


def _has_invalid_text(value: str) -> bool:
    # Undecodable command-line bytes arrive as lone surrogates, which cannot be saved; a
    # NUL cannot stand in YAML.
    return "\0" in value or any("\ud800" <= char <= "\udfff" for char in value)


public(Registry, RecommendationEdit, SourceUpdate, Validation)

__all__ = ["RecommendationEdit", "Registry", "SourceUpdate", "Validation"]
