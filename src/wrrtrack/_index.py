"""An index of a registry in SQLite, so that `show` decodes one record and `list` the
records it lists, instead of the whole registry.

One database per registry, in the part `index` of the cache directory (`_cache`), under
the same rules: the directory must be the user's alone, and the database (and its
`-wal` and `-shm` files) must be regular files, never links or FIFOs. It holds what the
whole registry's cache entry holds, record by record: a head (reports, vocabularies,
sources: what every command needs) and one row per record, with the fields `list`
filters on beside the record's values. Everything in it can be thrown away: it answers
only for the exact bytes it was made from (the registry's cache key: the names, sizes and
bytes of its files), each row and the head carry a hash keyed by that key, and anything
that does not match (another key, a missing or changed row, a database SQLite cannot
read) means: read the registry, and build the index again. The YAML files stay the only
truth.

The API is small so that writers can keep it: `View` (what a reading command asks:
`get`, `select`, `count`, `as_of`, `ids`, `file_of`), `view` (the index's, when it
answers for the bytes as they are), `store` (build it from a registry's parse; held back
with the cache's writes until the command has succeeded).
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, Protocol, TypeVar

from wrrtrack import __version__, _cache, _stamps
from wrrtrack._model import Filter, Ledger, Recommendation, StatusChange
from wrrtrack._places import Parsed, layout_from_values, layout_values

if TYPE_CHECKING:
    from wrrtrack._reading import Listing

try:
    from _blake2 import blake2b  # as `_cache`: without loading OpenSSL
except ImportError:  # a Python built without it
    from hashlib import blake2b

T = TypeVar("T")
# 2: a row's hash covers its position; 3: due, review and relation; 4: stamps; 5: hashes
# of texts, an index of dates; 6: a record's place kept apart from its row; 7: NUL-joined
FORMAT = 7
# Below this many bytes a registry's whole cache entry is read faster than SQLite loads.
SMALLEST = 2_000_000
PART = "index"  # the part of the cache directory holding the databases
_SCHEMA = (
    "CREATE TABLE meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)",
    "CREATE TABLE head (data TEXT NOT NULL, check_ TEXT NOT NULL)",
    "CREATE TABLE records (position INTEGER PRIMARY KEY, id TEXT NOT NULL, "
    "folded TEXT NOT NULL UNIQUE, file TEXT NOT NULL, report TEXT NOT NULL, "
    "status TEXT NOT NULL, theme TEXT NOT NULL, stance TEXT NOT NULL, "
    "actors TEXT NOT NULL, updated TEXT NOT NULL, layout TEXT NOT NULL, data TEXT NOT NULL, "
    "check_ TEXT NOT NULL)",
    "CREATE INDEX records_file ON records (file, position)",
    # Each file's stamp (`_stamps`) when its bytes were hashed, at `hashed`, to `key` (its
    # `_folder.file_key`; a registry file's: the registry's key). Name "": a registry file.
    "CREATE TABLE files (name TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime INTEGER NOT NULL, "
    "ctime INTEGER NOT NULL, inode INTEGER NOT NULL, device INTEGER NOT NULL, "
    "hashed INTEGER NOT NULL, key TEXT NOT NULL, check_ TEXT NOT NULL)",
    "CREATE INDEX records_status ON records (status, position)",
    "CREATE INDEX records_report ON records (report, position)",
    "CREATE INDEX records_updated ON records (updated)",  # the newest date, at once
    # Where each record starts in its file; its row's layout is relative to that, so that
    # an edit of one file moves the records after it by one UPDATE of these small rows.
    # A wrong start is seen where it is used: the text there must read as those records.
    # `byte`: the same place in bytes (a registry file's records; -1 where not known).
    "CREATE TABLE places (position INTEGER PRIMARY KEY, start INTEGER NOT NULL, "
    "byte INTEGER NOT NULL)",
)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_SEPARATOR = "\x1f"  # between actors in `records.actors`, and around them


class View(Protocol):
    """What a reading command asks of a registry, answered by the index or the parse."""

    @property
    def ledger(self) -> Ledger:
        """The registry's reports, vocabularies and sources (an index's: no records)."""

    @property
    def as_of(self) -> date: ...

    def get(self, identifier: str) -> Recommendation: ...

    def select(self, where: Filter) -> list[Recommendation]:
        """The records `where` (canonical keys) matches, in registry order."""

    def count(self, reports: Iterable[str]) -> int:
        """How many records the reports have (none named: the whole registry)."""


class Whole:
    """A `View` of a registry read in full."""

    def __init__(self, ledger: Ledger) -> None:
        self.ledger = ledger

    @property
    def as_of(self) -> date:
        return self.ledger.as_of

    def get(self, identifier: str) -> Recommendation:
        return self.ledger.get(identifier)

    def select(self, where: Filter) -> list[Recommendation]:
        return self.ledger.select(where)

    def count(self, reports: Iterable[str]) -> int:
        return len(self.ledger.select(Filter(reports=tuple(reports))))


class Placed(NamedTuple):
    """A record as the index places it: its position, value, layout (in characters) and
    where it starts in bytes (-1: not known)."""

    position: int
    record: Recommendation
    layout: Any  # its place in characters (`_places`), as a parse has it
    byte: int


class Index:
    """A `View` answered by the index's database (which answers for the registry's bytes
    under `key`). A row that does not match its hash raises `_Stale`; `view`'s caller
    then reads the registry."""

    def __init__(self, connection: sqlite3.Connection, salt: str, head: Ledger, as_of: date):
        self.connection = connection
        self.salt = salt  # what every row's and the head's hash is keyed by
        self.ledger = head
        self.as_of = as_of
        # The registry's files as `known` keyed them, and every file's stamp it knows.
        self.keyed = Keyed("", [], [])
        self.stamped: dict[str, Stamped] = {}
        self._head: Parsed | None = None
        self.registry = Path()  # the registry's path, as `known` was given it

    def _records(self, sql: str, parameters: Iterable[Any] = ()) -> list[Recommendation]:
        found = []
        for row in self.connection.execute(sql, tuple(parameters)):
            *fields, data, check = row
            if check != _check(self.salt, [*fields, data]):
                raise Stale
            found.append(_record(json.loads(data)))
        return found

    _COLUMNS = (
        "position, id, folded, file, report, status, theme, stance, actors, updated, layout, "
        "data, check_"
    )

    def get(self, identifier: str) -> Recommendation:
        found = self._records(
            f"SELECT {self._COLUMNS} FROM records WHERE folded = ?",  # noqa: S608 (constants)
            (identifier.strip().casefold(),),
        )
        if found:
            return found[0]
        # No such id: said only after every row is seen to be as written (a damaged
        # `folded` must not hide a record).
        ids = [rec.id for rec in self._records(f"SELECT {self._COLUMNS} FROM records")]  # noqa: S608
        if any(rec.casefold() == identifier.strip().casefold() for rec in ids):
            raise Stale
        import difflib  # only on the way to an error message

        from wrrtrack._errors import UnknownRecommendation

        raise UnknownRecommendation(identifier, difflib.get_close_matches(identifier, ids, n=1))

    def select(self, where: Filter) -> list[Recommendation]:
        # The database narrows by the fields it holds; `Filter.matches` decides, so that
        # the answer is the parse's, to the character.
        clauses, parameters = [], []
        for column, keys in (
            ("report", where.reports),
            ("status", where.statuses),
            ("theme", where.themes),
            ("stance", where.stances),
        ):
            if keys:
                clauses.append(f"{column} IN ({', '.join('?' * len(keys))})")
                parameters += sorted(keys)
        if where.actors:
            clauses.append("(" + " OR ".join("instr(actors, ?) > 0" for _ in where.actors) + ")")
            parameters += [f"{_SEPARATOR}{actor}{_SEPARATOR}" for actor in sorted(where.actors)]
        sql = f"SELECT {self._COLUMNS} FROM records"  # noqa: S608 (constants and ?)
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        found = self._records(sql + " ORDER BY position", parameters)
        return [rec for rec in found if where.matches(rec)]

    def count(self, reports: Iterable[str]) -> int:
        keys = sorted(set(reports))
        sql = "SELECT count(*) FROM records"
        if keys:
            sql += f" WHERE report IN ({', '.join('?' * len(keys))})"
        return int(self.connection.execute(sql, keys).fetchone()[0])

    def part(self, name: str, head: Parsed) -> Parsed:
        """What an edit of the folder's file `name` needs (as `_folder.part` gives it from
        the whole parse): that file's records and places, the registry's reports,
        vocabularies and sources; `head` is `head_parsed()`."""
        records, layouts = [], {}
        for _, rec, layout, _ in self._placed("records.file = ?", (name,)):
            records.append(rec)
            layouts[rec.id] = layout
        documents = {n for n, file in enumerate(head.files) if file == name}
        blocks = {
            block: place
            for block, place in head.blocks.items()
            if _document_number(block) in documents
        }
        ledger = head.ledger._replace(recommendations=tuple(records))
        return head._replace(ledger=ledger, layouts=layouts, quote_places={}, blocks=blocks)

    def _placed(self, where: str, parameters: tuple[Any, ...]) -> list[Placed]:
        """The records `where` selects, in order: each one's position, value, layout and
        its start in bytes."""
        columns = ", ".join(f"records.{name.strip()}" for name in self._COLUMNS.split(","))
        found = []
        for row in self.connection.execute(
            f"SELECT {columns}, places.start, places.byte FROM records JOIN places "  # noqa: S608
            f"ON places.position = records.position WHERE {where} ORDER BY records.position",
            parameters,
        ):
            *fields, data, check, start, byte = row
            if check != _check(self.salt, [*fields, data]):
                raise Stale
            layout = layout_from_values(json.loads(fields[-1])).shifted(int(start))
            found.append(Placed(int(fields[0]), _record(json.loads(data)), layout, int(byte)))
        return found

    def placed(self, identifier: str) -> Placed | None:
        """The record `identifier` names (any case): its position, value and layout."""
        found = self._placed("records.folded = ?", (identifier.strip().casefold(),))
        return found[0] if found else None

    def beside(self, position: int) -> list[Placed]:
        """The records right before and after the one at `position` in its file (none,
        one or two, in order)."""
        low = position - position % _SEQUENCE
        return self._placed(
            "records.position IN ((SELECT max(position) FROM records WHERE position < ? "
            "AND position >= ?), (SELECT min(position) FROM records WHERE position > ? "
            "AND position < ?))",
            (position, low, position, low + _SEQUENCE),
        )

    def update_record(
        self,
        position: int,
        rec: Recommendation,
        layout: Any,
        *,
        grown: tuple[int, int],
        edited: Parsed,
        new_key: str,
        stamped: list[Stamped],
    ) -> None:
        """After a write that changed the record at `position` of a registry file (now
        `rec`, at `layout`) and made it `grown` longer (characters, bytes): its row, the
        places of the records after it, the head's places (`edited`'s), in one
        transaction with the registry's new key."""
        connection = self.connection
        with self._writing():
            meta = dict(connection.execute("SELECT name, value FROM meta").fetchall())
            row = _row(self.salt, position, "", rec, layout)
            connection.execute("DELETE FROM records WHERE position = ?", (position,))
            connection.execute(
                "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row
            )
            connection.execute(
                "UPDATE places SET start = start + ?, byte = byte + ? "
                "WHERE position > ? AND position < ?",
                (*grown, position, position - position % _SEQUENCE + _SEQUENCE),
            )
            # The head as it was, its places moved.
            head = self.head_parsed(self.registry)._replace(
                blocks=edited.blocks, ledger=edited.ledger._replace(recommendations=())
            )
            latest = max(meta["latest"], row[9])
            self._new_head(head, new_key, latest, int(meta["count"]), stamped)

    def head_parsed(self, registry: Path) -> Parsed:
        """The head as a parse without records (reports, vocabularies, sources, blocks)."""
        if self._head is None:
            data, check = self.connection.execute("SELECT data, check_ FROM head").fetchone()
            if check != _check(self.salt, [data]):
                raise Stale
            self._head = _cache._decode(json.loads(data), registry)
        return self._head

    def existing(self, identifier: str) -> str | None:
        """The id of the record `identifier` names (any case), wherever it is; None: none."""
        found = self._records(
            f"SELECT {self._COLUMNS} FROM records WHERE folded = ?",  # noqa: S608 (constants)
            (identifier.casefold(),),
        )
        return found[0].id if found else None

    def update(
        self,
        edits: list[tuple[str, Parsed]],
        new_key: str,
        old_head: Parsed,
        stamped: list[Stamped],
    ) -> None:
        """After writes to the folder's files named in `edits` (each now its `Parsed`, from
        `part`), which made the registry's bytes those under `new_key` (and gave those
        files the stamps `stamped`): their rows and the head replaced, in one transaction.
        Anything amiss leaves the index as it was, answering for bytes no longer there
        (rebuilt when next read)."""
        numbers = {file: n for n, file in enumerate(sorted(set(old_head.files)))}
        names = {name for name, _ in edits}
        connection = self.connection
        with self._writing():
            meta = dict(connection.execute("SELECT name, value FROM meta").fetchall())
            count = int(meta["count"])
            latest = meta["latest"]
            blocks = {
                block: place
                for block, place in old_head.blocks.items()
                if old_head.files[_document_number(block)] not in names
            }
            ledger = old_head.ledger
            for name, edited in edits:
                rows, places = _rows(self.salt, edited, edited.ledger.recommendations, numbers)
                connection.execute(
                    "DELETE FROM places WHERE position IN "
                    "(SELECT position FROM records WHERE file = ?)",
                    (name,),
                )
                count -= connection.execute("DELETE FROM records WHERE file = ?", (name,)).rowcount
                connection.executemany(
                    "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
                )
                connection.executemany("INSERT INTO places VALUES (?, ?, -1)", places)
                count += len(rows)
                blocks.update(edited.blocks)
                ledger = edited.ledger._replace(recommendations=())
                latest = max([latest, *(row[9] for row in rows)])
            head = old_head._replace(ledger=ledger, blocks=blocks)
            self._new_head(head, new_key, latest, count, stamped)

    @contextlib.contextmanager
    def _writing(self) -> Iterator[None]:
        """One write's transaction: all of it, or (on any exception) none of it; the head
        is read again afterwards."""
        self.connection.execute("BEGIN IMMEDIATE")
        try:
            yield
            self.connection.execute("COMMIT")
        except BaseException:
            self.connection.execute("ROLLBACK")
            raise
        finally:
            self._head = None

    def _new_head(
        self, head: Parsed, new_key: str, latest: str, count: int, stamped: list[Stamped]
    ) -> None:
        """In a write's transaction: the head `head` (its day that of the newest record),
        the written files' stamps, and the meta of the bytes under `new_key`."""
        connection = self.connection
        encoded = _cache._encode(head)
        as_of = connection.execute("SELECT max(updated) FROM records").fetchone()[0]
        encoded["as_of"] = as_of or head.ledger.as_of.isoformat()
        latest = max(latest, encoded["latest"])
        data = json.dumps(encoded, ensure_ascii=False)
        connection.execute("DELETE FROM head")
        connection.execute("INSERT INTO head VALUES (?, ?)", (data, _check(self.salt, [data])))
        _stamp(connection, self.salt, stamped)
        connection.execute("DELETE FROM meta")
        connection.executemany(
            "INSERT INTO meta VALUES (?, ?)", _meta(new_key, latest, count, self.salt).items()
        )

    def ids(self) -> list[str]:
        """Every record's id, in registry order (for writers checking ids across files)."""
        return [
            row[0] for row in self.connection.execute("SELECT id FROM records ORDER BY position")
        ]

    def file_of(self, identifier: str) -> str | None:
        """The file of a folder registry that holds the record `identifier` (None: none)."""
        row = self.connection.execute(
            "SELECT file FROM records WHERE folded = ?", (identifier.strip().casefold(),)
        ).fetchone()
        return None if row is None else str(row[0])


class Guarded:
    """A `View` answered by the index, and by the parse (`whole()`) from the moment the
    index fails: a row that does not match its hash, a database that cannot be read."""

    def __init__(self, index: Index, whole: Callable[[], View]) -> None:
        self.index: Index | None = index
        self.read_whole = whole
        self.read: View | None = None
        self.ledger = index.ledger
        self.as_of = index.as_of

    def whole(self) -> View:
        """The registry read in full, once."""
        if self.read is None:
            self.read = self.read_whole()
        return self.read

    def _ask(self, question: Callable[[View], T]) -> T:
        if self.index is not None:
            try:
                return question(self.index)
            except (Stale, sqlite3.Error, ValueError, TypeError, KeyError):
                self._fall_back()
        return question(self.whole())

    def _fall_back(self) -> None:
        if self.index is not None:
            with contextlib.suppress(Exception):
                self.index.connection.close()
        self.index = None

    def get(self, identifier: str) -> Recommendation:
        return self._ask(lambda view: view.get(identifier))

    def select(self, where: Filter) -> list[Recommendation]:
        return self._ask(lambda view: view.select(where))

    def count(self, reports: Iterable[str]) -> int:
        return self._ask(lambda view: view.count(reports))


def _document_number(block: str) -> int:
    number, colon, _ = block.partition(":")
    return int(number) if colon else 0


class Stale(Exception):
    """The index does not answer for the registry as it is: read it."""


# --- where the database is, and opening it under the cache's rules -----------------------


def database(registry: Path) -> Path | None:
    """The database of the registry at `registry` (None: no cache directory)."""
    top = _cache.directory()
    if top is None:
        return None
    try:
        where = str(registry.resolve())
    except (OSError, RuntimeError):
        where = str(registry.absolute())
    name = blake2b(where.encode("utf-8", "surrogateescape"), digest_size=16).hexdigest()
    return top / PART / f"{name}.sqlite"


def _connect(db: Path, *, create: bool) -> sqlite3.Connection | None:
    """The database, opened only when its directories are private and it and its journal
    files are regular files (never through a link, never a FIFO); None otherwise."""
    for folder in (db.parent.parent, db.parent):
        if create:
            folder.mkdir(parents=True, exist_ok=True, mode=0o700)
        try:
            if not _cache._private(folder, folder.stat()):
                return None
        except OSError:
            return None
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        try:
            info = os.lstat(path)
        except FileNotFoundError:
            if path == db and not create:
                return None
            continue
        if not stat.S_ISREG(info.st_mode):
            from wrrtrack.storage import file_kind

            kind = "a symbolic link" if stat.S_ISLNK(info.st_mode) else file_kind(info.st_mode)
            _cache._not_an_entry(db.parent, path.name, f"is {kind}")
            return None
    if create and not db.exists():  # made private, never through a link
        with contextlib.suppress(FileExistsError):
            os.close(os.open(db, os.O_CREAT | os.O_EXCL | os.O_WRONLY | _NOFOLLOW, 0o600))
    from urllib.parse import quote

    mode = "rwc" if create else "rw"
    connection = sqlite3.connect(
        f"file:{quote(str(db))}?mode={mode}", uri=True, isolation_level=None
    )
    connection.execute("PRAGMA trusted_schema = OFF")
    connection.execute("PRAGMA journal_mode = WAL")
    return connection


def _check(key: str, values: list[Any]) -> str:
    """A hash of `values` keyed by `key`, their texts joined by NUL (which none holds: the
    JSON of a record escapes it, and keys, ids, dates and file names cannot)."""
    text = "\0".join([str(value) for value in values]).encode("utf-8", "surrogatepass")
    return str(blake2b(text, digest_size=16, key=bytes.fromhex(key)).hexdigest())


def _meta(key: str, latest: str, count: int, salt: str) -> dict[str, str]:
    return {
        "salt": salt,
        "format": str(FORMAT),
        "version": __version__,
        "code": _cache.code_fingerprint(),
        "key": key,
        "latest": latest,
        "count": str(count),
    }


class Stamped(NamedTuple):
    """A file as the index last hashed it: its name ("": a registry file), its stamp
    (`_stamps`), when it was hashed (ns) and its key."""

    name: str
    stamp: _stamps.Stamp
    hashed: int
    key: str

    def values(self) -> list[Any]:
        return [self.name, *self.stamp, self.hashed, self.key]


def _stamped_files(connection: sqlite3.Connection, salt: str) -> dict[str, Stamped]:
    """The files the index has hashed, each row as written (a row that does not match its
    hash is left out: its file is hashed again)."""
    found = {}
    for *values, check in connection.execute(
        "SELECT name, size, mtime, ctime, inode, device, hashed, key, check_ FROM files"
    ):
        name, size, mtime, ctime, inode, device, hashed, key = values
        stamped = Stamped(name, _stamps.Stamp(size, mtime, ctime, inode, device), hashed, key)
        if check == _check(salt, stamped.values()):
            found[name] = stamped
    return found


class Keyed(NamedTuple):
    """The registry's key as its files are now, each file's size and key, and the files
    that had to be hashed for it (to be stamped)."""

    key: str
    entries: list[tuple[str, int, str]]
    hashed: list[Stamped]


def keyed(listing: Listing, folder: bool, known: dict[str, Stamped]) -> Keyed | None:
    """The registry's key (`_reading.Bytes.key`) from its files as `listing` found them:
    a file's key from `known` where its stamp vouches that it is unchanged
    (`_stamps.unchanged`), else from its bytes, read, hashed and let go. None when a file
    cannot be read (the full read says why)."""
    from wrrtrack import _folder, storage
    from wrrtrack._errors import WrrtrackError

    entries, hashed = [], []
    for path, info in listing:
        name = path.name if folder else ""
        stamp = _stamps.of(info)
        was = known.get(name)
        if was is not None and _stamps.unchanged(was.stamp, was.hashed, stamp):
            entries.append((path.name, stamp.size, was.key))
            continue
        when = _stamps.now()
        try:
            data = _folder.read_file(path) if folder else storage.read_bytes(path)
        except WrrtrackError:
            return None
        key = _folder.content_key(path.name, data) if folder else _cache.key(data)
        entries.append((path.name, len(data), key))
        if len(data) == stamp.size:  # else it changed as it was read: not stamped
            hashed.append(Stamped(name, stamp, when, key))
        del data
    if folder:
        return Keyed(_folder.key_of_files(entries), entries, hashed)
    return Keyed(entries[0][2] if entries else "", entries, hashed)


def stamped(listing: Listing, folder: bool, files: Any, data: bytes, when: int) -> list[Stamped]:
    """The stamps of a registry's files as `listing` found them before they were read at
    `when`, with the keys of their bytes as read (`files`: a folder's; `data`: a file's);
    a file whose size is not its stamp's changed between the two, and is left out."""
    from wrrtrack import _folder

    found = []
    if folder:
        by_path = dict(files)
        for path, info in listing:
            read = by_path.get(path)
            if read is not None and len(read) == info.st_size:
                key = _folder.file_key(path, read)
                found.append(Stamped(path.name, _stamps.of(info), when, key))
    elif listing and len(data) == listing[0][1].st_size:
        found.append(Stamped("", _stamps.of(listing[0][1]), when, _cache.key(data)))
    return found


def known(registry: Path, listing: Listing, folder: bool, still_valid: Any) -> Index | None:
    """The index of the registry, when it answers for its files as `listing` found them
    (and its newest date passes `still_valid`); None otherwise (read the registry, then
    `store`). Only the files whose stamps do not vouch for them are read (`keyed`)."""
    db = database(registry)
    if db is None:
        return None
    connection = None
    try:
        connection = _connect(db, create=False)
        if connection is None:
            return None
        meta = dict(connection.execute("SELECT name, value FROM meta").fetchall())
        salt = meta.get("salt", "")
        files = _stamped_files(connection, salt)
        found = keyed(listing, folder, files)
        if found is None:
            connection.close()
            return None
        index = _answering(connection, registry, meta, found.key, still_valid)
        if index is None:
            connection.close()
            return None
        index.keyed = found
        index.registry = registry
        index.stamped = {**files, **{entry.name: entry for entry in found.hashed}}
        if found.hashed:
            with contextlib.suppress(sqlite3.Error):  # stamps spare work; never an error
                connection.execute("BEGIN IMMEDIATE")
                _stamp(connection, salt, found.hashed)
                connection.execute("COMMIT")
        return index
    except Exception:  # noqa: BLE001 (an index that cannot be read is rebuilt)
        if connection is not None:
            with contextlib.suppress(Exception):
                connection.close()
        return None


def _stamp(connection: sqlite3.Connection, salt: str, files: Iterable[Stamped]) -> None:
    connection.executemany(
        "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        [(*entry.values(), _check(salt, entry.values())) for entry in files],
    )


def _answering(
    connection: sqlite3.Connection,
    registry: Path,
    meta: dict[str, str],
    key: str,
    still_valid: Any,
) -> Index | None:
    """The index on `connection`, when its `meta` says it answers for the bytes under
    `key`, and its head and count are as written."""
    salt = meta.get("salt", "")
    wanted = _meta(key, meta.get("latest", ""), int(meta.get("count", "-1")), salt)
    if meta != wanted or not still_valid(date.fromisoformat(meta["latest"])):
        return None
    count = connection.execute("SELECT count(*) FROM records").fetchone()[0]
    data, check = connection.execute("SELECT data, check_ FROM head").fetchone()
    if count != int(meta["count"]) or check != _check(salt, [data]):
        return None
    head = json.loads(data)
    ledger = _cache._decode(head, registry).ledger
    return Index(connection, salt, ledger, date.fromisoformat(head["as_of"]))


def store(
    registry: Path, key: str, parsed: Parsed, files: list[Stamped], data: bytes | None = None
) -> None:
    """Build the index of the registry from its parse (the bytes under `key`; `files`:
    their stamps; `data`: a registry file's bytes, so that the index knows where each
    record starts in bytes); held back with the cache's writes, and never an error."""
    _cache._later(lambda: _store(registry, key, parsed, files, data))


def _store(
    registry: Path, key: str, parsed: Parsed, files: list[Stamped], data: bytes | None
) -> None:
    db = database(registry)
    if db is None:
        return
    try:
        connection = _connect(db, create=True)
    except sqlite3.DatabaseError:
        connection = None
    if connection is None:
        _remove(db)
        connection = _connect(db, create=True)
    if connection is None:
        return
    try:
        if not _refreshed(connection, key, parsed, files):
            _fill(connection, key, parsed, files, data)
    except sqlite3.DatabaseError:  # not a database, or a damaged one: start again
        connection.close()
        _remove(db)
        connection = _connect(db, create=True)
        if connection is not None:
            _fill(connection, key, parsed, files, data)
    finally:
        if connection is not None:
            connection.close()


def _remove(db: Path) -> None:
    for path in (db, Path(f"{db}-wal"), Path(f"{db}-shm")):
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISREG(os.lstat(path).st_mode):
                path.unlink()


def _bytes(places: list[tuple[int, int]], text: str | None) -> list[int]:
    """The place in bytes of each place in characters (in order) of `text`; -1 without."""
    if text is None:
        return [-1] * len(places)
    found, at, byte = [], 0, 0
    for _, start in places:
        byte += len(text[at:start].encode("utf-8", "surrogatepass"))
        at = start
        found.append(byte)
    return found


def _head_of(parsed: Parsed) -> tuple[str, str]:
    """The head of a registry's parse (what every command needs but its records), and
    its newest date, as the cache's entry has it."""
    ledger = parsed.ledger
    head_parsed = parsed._replace(
        ledger=ledger._replace(recommendations=()),
        layouts={},
        quote_places={k: v for k, v in parsed.quote_places.items() if k[0].startswith("@")},
    )
    head = _cache._encode(head_parsed)
    dates = [d for report in ledger.reports for d in (report.date, report.reaction.date)]
    dates += [c.date for r in ledger.recommendations for c in r.history]
    dates += [s.date for s in ledger.sources if s.date]
    head["as_of"] = ledger.as_of.isoformat()
    return json.dumps(head, ensure_ascii=False), max(dates, default=date.min).isoformat()


def _refreshed(
    connection: sqlite3.Connection, key: str, parsed: Parsed, files: list[Stamped]
) -> bool:
    """The index of a folder registry brought to its new parse by replacing the rows of
    the files whose bytes changed only (a file edited by hand, a `git pull`), when the
    folder has the same files as the index knows, of which most are unchanged; False
    when it cannot be (then it is built anew)."""
    if not parsed.files:
        return False
    try:
        meta = dict(connection.execute("SELECT name, value FROM meta").fetchall())
        salt = meta.get("salt", "")
        known = _stamped_files(connection, salt)
    except (sqlite3.Error, ValueError):
        return False
    current = _meta(key, "", 0, salt)
    if not salt or any(meta.get(name) != current[name] for name in ("format", "version", "code")):
        return False
    if {entry.name for entry in files} != set(known) or len(files) != len(set(parsed.files)):
        return False
    changed = [entry.name for entry in files if known[entry.name].key != entry.key]
    if not changed or len(changed) * 2 > len(files):
        return False
    file_of = dict(zip(parsed.documents, parsed.files, strict=True))
    numbers = _numbers(parsed)
    head_data, latest = _head_of(parsed)
    connection.execute("BEGIN IMMEDIATE")
    try:
        for name in changed:
            connection.execute(
                "DELETE FROM places WHERE position IN "
                "(SELECT position FROM records WHERE file = ?)",
                (name,),
            )
            connection.execute("DELETE FROM records WHERE file = ?", (name,))
            records = [rec for rec in parsed.ledger.recommendations if file_of[rec.report] == name]
            rows, places = _rows(salt, parsed, records, numbers)
            connection.executemany(
                "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
            )
            connection.executemany("INSERT INTO places VALUES (?, ?, -1)", places)
        count = connection.execute("SELECT count(*) FROM records").fetchone()[0]
        if count != len(parsed.ledger.recommendations):
            raise Stale  # rows the index had that the files do not: build it anew
        connection.execute("DELETE FROM head")
        connection.execute("INSERT INTO head VALUES (?, ?)", (head_data, _check(salt, [head_data])))
        _stamp(connection, salt, files)
        connection.execute("DELETE FROM meta")
        connection.executemany(
            "INSERT INTO meta VALUES (?, ?)", _meta(key, latest, count, salt).items()
        )
        connection.execute("COMMIT")
    except (Stale, sqlite3.Error, KeyError, ValueError):
        connection.execute("ROLLBACK")
        return False
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return True


def _fill(
    connection: sqlite3.Connection,
    key: str,
    parsed: Parsed,
    files: list[Stamped],
    data: bytes | None = None,
) -> None:
    ledger = parsed.ledger
    head_data, latest = _head_of(parsed)
    salt = os.urandom(16).hex()  # each build its own: rows of another build do not match
    rows, places = _rows(salt, parsed, ledger.recommendations, _numbers(parsed))
    text = None if data is None or parsed.files else data.decode("utf-8", "surrogatepass")
    connection.execute("BEGIN IMMEDIATE")
    try:
        for table in ("meta", "head", "records", "files", "places"):
            connection.execute(f"DROP TABLE IF EXISTS {table}")
        for statement in _SCHEMA:
            connection.execute(statement)
        connection.executemany(
            "INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
        )
        connection.executemany(
            "INSERT INTO places VALUES (?, ?, ?)",
            [
                (at, start, byte)
                for (at, start), byte in zip(places, _bytes(places, text), strict=True)
            ],
        )
        connection.execute("INSERT INTO head VALUES (?, ?)", (head_data, _check(salt, [head_data])))
        _stamp(connection, salt, files)
        connection.executemany(
            "INSERT INTO meta VALUES (?, ?)", _meta(key, latest, len(rows), salt).items()
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise


_SEQUENCE = 1 << 24  # records of one file at most; a file's records follow the file's number


def _numbers(parsed: Parsed) -> dict[str, int]:
    """The number of each file of a folder registry, in the folder's order ("": a file)."""
    return {name: n for n, name in enumerate(sorted(set(parsed.files)))} or {"": 0}


def _rows(
    salt: str, parsed: Parsed, records: Iterable[Recommendation], numbers: dict[str, int]
) -> tuple[list[tuple[Any, ...]], list[tuple[int, int]]]:
    """The rows of `records` (of `parsed`), in order within each file, and where each
    starts in its file (`places`)."""
    file_of: dict[str | None, str] = dict(zip(parsed.documents, parsed.files, strict=False))
    rows, places = [], []
    seen: dict[str, int] = {}
    for rec in records:
        name = file_of.get(rec.report, "")
        seq = seen[name] = seen.get(name, -1) + 1
        position = numbers[name] * _SEQUENCE + seq
        layout = parsed.layouts[rec.id]
        rows.append(_row(salt, position, name, rec, layout))
        places.append((position, layout.start))
    return rows, places


def _row(salt: str, position: int, name: str, rec: Recommendation, layout: Any) -> tuple[Any, ...]:
    """The row of `rec` (in the file `name`, where `layout` places it)."""
    fields = [
        rec.id,
        rec.id.casefold(),
        name,
        rec.report,
        rec.status,
        rec.theme,
        rec.stance,
        _SEPARATOR + _SEPARATOR.join(rec.actors) + _SEPARATOR,
        rec.updated.isoformat(),
        json.dumps(layout_values(layout.shifted(-layout.start)), ensure_ascii=False),
    ]
    data = json.dumps(_values(rec), ensure_ascii=False)
    return (position, *fields, data, _check(salt, [position, *fields, data]))


def _values(rec: Recommendation) -> list[Any]:
    return [
        rec.id,
        rec.title,
        rec.theme,
        rec.stance,
        list(rec.actors),
        rec.status,
        list(rec.quotes),
        [
            [c.date.isoformat(), c.status, c.note, c.by, c.source, list(c.quotes), c.relation]
            for c in rec.history
        ],
        rec.report,
        None if rec.due is None else rec.due.isoformat(),
        None if rec.review is None else rec.review.isoformat(),
    ]


def _record(values: list[Any]) -> Recommendation:
    rid, title, theme, stance, actors, status, quotes, history, report, due, review = values
    iso = date.fromisoformat
    # `tuple.__new__` makes the named tuples from their fields as their own `__new__`
    # would, without a call of Python code for each of the ~60,000 entries of a long list.
    new = tuple.__new__
    changes = tuple(
        [
            new(StatusChange, (iso(d), s, n, b, src, tuple(q), rel))
            for d, s, n, b, src, q, rel in history
        ]
    )
    return new(
        Recommendation,
        (
            rid,
            title,
            theme,
            stance,
            tuple(actors),
            status,
            tuple(quotes),
            changes,
            report,
            None if due is None else iso(due),
            None if review is None else iso(review),
        ),
    )
