"""Every write to a registry, file or folder: lock, read under the lock, edit, replace (or
create) the file atomically, and hand the new content on (`Written`) to be remembered.

The registry is re-read under an exclusive lock, so that a change another process made
since it was opened is kept, and the file is then replaced atomically; `_edit` has changed
only the lines of what it changed, and checked them by reading back. In a folder registry
the lock is the folder's (so that checks across its files hold), the edit is checked
against the whole registry, and only the files it is in are replaced: each once, after
every file's edit has been made and checked (one change in several files is refused
whole, before any is replaced). Every file is replaced by `_replace`.

Before any file is replaced or created, its new bytes are read in full, as `validate`
reads them (in a folder registry: with every other file, and the checks across them),
and must give exactly the registry the edit meant (`verified`): an edit that checked only
its own lines cannot leave a file that reads otherwise, and only that full reading is
cached under the new bytes' key.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from wrrtrack import _cache, _reading, clock, storage
from wrrtrack._errors import (
    EvidenceRefused,
    InvalidChange,
    RegistryInvalid,
    UnknownTerm,
    WrrtrackError,
)
from wrrtrack._model import Ledger
from wrrtrack._places import Document, Parsed

T = TypeVar("T")
Edit = Callable[[Document], tuple[Document, T]]
# The name the lock of a folder registry is taken on (`storage.locked`): on Linux and
# macOS the lock is on the folder itself; on Windows, a hidden lock file in it.
LOCK_NAME = "registry"


class Written(NamedTuple):
    """What a write left: the file it replaced or created, the registry's new content, and
    the cache keys of the bytes before (None: no cache) and, worked out on demand, after.

    The file is replaced when this is handed on: from then on nothing may fail the change
    (a caller told of a failure would retry, and record it twice)."""

    path: Path
    parsed: Parsed
    digest: str | None
    new_key: Callable[[], str]
    # Whether `parsed` is only the written files' part (`write_by_index`): not the whole
    # registry's content, never to be cached as it.
    partial: bool = False
    # The registry's bytes after the write (a folder's: each file's), for its index.
    data: bytes = b""
    files: _reading.Files | list[tuple[Path, bytes]] = ()


class Reader(NamedTuple):
    """How a write reads the registry under its lock: `today` (None: today in `timezone`)
    limits its dates, and the cache is used when `use_cache`."""

    today: date | None
    use_cache: bool
    timezone: str

    def read(self, path: Path) -> _reading.Read:
        return _reading.read(path, self.today, self.use_cache, self.timezone)

    def day(self) -> date:
        return self.today or clock.today(self.timezone)


def verified(
    path: Path,
    data: bytes,
    intended: Parsed,
    today: date,
    *,
    folder: Path | None = None,
    files: _reading.Files | list[tuple[Path, bytes]] = (),
) -> Parsed:
    """The full parse of `data`, the new bytes of the registry file `path` (or, with
    `folder`, of its file `path` among `files`, the bytes of the folder's other files),
    after checking that it holds exactly what the edit meant (`intended`).

    Called right before a file is replaced or created: on any difference nothing is
    written (`WrrtrackError`), and what is cached is this parse, not the edit's.
    """
    with _reading.collector_paused():
        if folder is None:
            reading = _reading.file_reading(path, data, today)
        else:
            whole = [(p, d) for p, d in files if p != path]
            whole = sorted([*whole, (path, data)], key=lambda file: file[0].name)
            reading = _reading.folder_reading(folder, whole, today)
    parsed = reading.parsed
    if parsed is None:
        first = reading.problems[0] if reading.problems else None
        said = f" ({first.message}, line {first.location.line})" if first and first.location else ""
        raise _unverified(path, f"the new text would not read as a registry{said}")
    difference = _difference(parsed, intended)
    if difference:
        raise _unverified(path, f"the new text would read back with {difference}")
    return parsed


def _unverified(path: Path, what: str) -> WrrtrackError:
    return WrrtrackError(
        f"{path}: {what}; this change cannot be made in the file's layout without changing "
        "other content (write the part it touches in plain block style); the file is unchanged"
    )


def _difference(parsed: Parsed, intended: Parsed) -> str | None:
    """What differs between the registry read back and the one meant, in words."""
    got, meant = parsed.ledger, intended.ledger
    if got == meant and parsed.documents == intended.documents:
        return None
    by_id = {rec.id: rec for rec in got.recommendations}
    for rec in meant.recommendations:
        if by_id.get(rec.id) != rec:
            return f"recommendation '{rec.id}' {'changed' if rec.id in by_id else 'missing'}"
    if len(got.recommendations) != len(meant.recommendations):
        return "other recommendations"
    for name in ("reports", "sources", "vocabularies", "local"):
        if getattr(got, name) != getattr(meant, name):
            return f"other {name}" if name != "local" else "other vocabulary owners"
    return "its documents in another order" if got == meant else "another content"


def write_file(path: Path, edit: Edit[T], reader: Reader, done: Callable[[Written], None]) -> T:
    """Change the registry file at `path` by `edit`."""
    # A registry reached through a symbolic link is changed where it really is: a rename
    # over the link would replace the link and leave the real file behind, unchanged.
    real = storage.resolved(path)
    with storage.locked(real):
        storage.refuse_read_only(real)  # before an edit that may create a source's copy
        storage.remove_stale_temporaries(real)
        read, digest, parsed = reader.read(real)
        text = read.data.decode("utf-8")  # it parsed (now or when cached), so it decodes
        edited, result = edit(Document(path, text, parsed))
        new_data = edited.text.encode("utf-8")
        parsed = verified(path, new_data, edited.parsed, reader.day())
        _replace(real, new_data)
        done(Written(path, parsed, digest, lambda: _cache.key(new_data), data=new_data))
    return result


def _replace(path: Path, data: bytes) -> None:
    """Replace the file at `path` by `data`, atomically: the one way every edit lands."""
    storage.atomic_write(path, data)


def write_in_folder(
    folder: Path,
    edit: Edit[T],
    target: Callable[[_reading.Read], str],
    reader: Reader,
    done: Callable[[Written], None],
    *,
    seen: Callable[[_reading.Files], None],
) -> T:
    """Change the file of the folder registry that `target` names by `edit`; `seen` is
    told the files as read under the lock, before the edit."""
    (result,) = write_in_files(folder, edit, lambda read: [target(read)], reader, done, seen=seen)
    return result


def write_in_files(
    folder: Path,
    edit: Edit[T],
    targets: Callable[[_reading.Read], Sequence[str]],
    reader: Reader,
    done: Callable[[Written], None],
    *,
    seen: Callable[[_reading.Files], None],
) -> list[T]:
    """Change each file of the folder registry that `targets` names by `edit` (one result
    each, in that order), the next file's edit seeing the registry as the last one left it;
    then replace each of them, once. `seen` is told the files as read under the lock."""
    from wrrtrack import _folder

    with storage.locked(folder / LOCK_NAME):
        read = reader.read(folder)
        seen(read.read.files)
        names = list(dict.fromkeys(targets(read)))
        whole, results = read.parsed, []
        new: dict[Path, bytes] = {}
        for name in names:
            path = folder / name
            storage.refuse_read_only(path)
            storage.remove_stale_temporaries(path)
            text = dict(read.read.files)[path].decode("utf-8")  # it parsed, so it decodes
            edited, result = edit(Document(path, text, _folder.part(whole, name, path)))
            whole = _folder.whole(whole, edited.parsed, name, path)
            new[path] = edited.text.encode("utf-8")
            results.append(result)
        files = [(p, new.get(p, data)) for p, data in read.read.files]
        # The last file replaced stands for the change (Registry.written).
        last = folder / names[-1]
        parsed = verified(last, new[last], whole, reader.day(), folder=folder, files=files)
        for path, data in new.items():  # every edit made and the whole verified: replace
            _replace(path, data)
        done(Written(last, parsed, read.digest, lambda: _folder.key(files), files=files))
    return results


def _large(path: Path, *, indexed: bool) -> bool:
    """Whether the registry at `path` is large enough for a write that reads only part of
    it (and, `indexed`, has an index): looked at before its lock is taken, so that a
    small registry's write takes its lock once. Under the lock it is looked at again."""
    from wrrtrack import _index

    listing = _reading.listing(path)
    if listing is None or sum(info.st_size for _, info in listing) < _index.SMALLEST:
        return False
    if not indexed:
        return True
    db = _index.database(path)
    return db is not None and db.is_file()


def write_by_index(
    folder: Path,
    edit: Edit[T],
    targets: Callable[[Any, Parsed], Sequence[str] | None],
    reader: Reader,
    done: Callable[[Written], None],
) -> list[T] | None:
    """`write_in_files` for a large folder registry, reading only the files it changes:
    the registry-wide facts (reports, vocabularies, sources, which ids exist where) come
    from the index (`_index`), which the write keeps, under the same lock.

    `targets(index, head)` names the files to change (None: the index cannot say). Each
    file is read, must be the bytes the index answers for, is edited from its part of the
    index, and must read back as it did but for the records the edit meant
    (`_alike.alike`); an added id must be in no other file. Then each file is replaced,
    and the index updated. None when any of that cannot be done from the index: then
    `write_in_files` makes the change from the whole registry and says what it says.
    Refusals of the change itself (`InvalidChange`, `UnknownTerm`, `EvidenceRefused`) are
    the whole registry's, and are raised.
    """
    with _indexed(folder, folder, folder / LOCK_NAME, reader) as found:
        if found is None:
            return None
        listing, index = found
        edits = _edits_by_index(folder, index, edit, targets)
        if edits is None:
            return None
        for path, _, data, _, _ in edits:
            _replace(path, data)
        # From here the change is made: the index is a cache, rebuilt when wrong.
        sizes = {name: (size, key) for name, size, key in index.keyed.entries}
        for path, _, data, _, _ in edits:
            sizes[path.name] = (len(data), _folder_key(path, data))
        new_key = _folder_key_of(listing, sizes)
        with contextlib.suppress(Exception):
            _keep_index(index, folder, edits, sizes, new_key)
        last = edits[-1]
        done(Written(last[0], last[3], index.keyed.key, lambda: new_key, partial=True))
        return [result for *_, result in edits]


@contextlib.contextmanager
def _indexed(
    registry: Path, listed: Path, lock: Path, reader: Reader
) -> Iterator[tuple[_reading.Listing, Any] | None]:
    """Under the registry's lock (taken on `lock`): its files as they are (`listed`: the
    folder, or the file where it really is) and its index, when that answers for them;
    None when it does not, or the registry is small, or written without the cache."""
    from wrrtrack import _index

    if not reader.use_cache or not _large(registry, indexed=True):
        yield None
        return
    with storage.locked(lock):
        listing = _reading.listing(listed)
        if listing is None or sum(info.st_size for _, info in listing) < _index.SMALLEST:
            yield None
            return
        still = _reading.still_valid(reader.today, reader.timezone)
        index = _index.known(registry, listing, listed.is_dir(), still)
        if index is None:
            yield None
            return
        try:
            yield listing, index
        finally:
            index.connection.close()


def write_record_by_index(
    path: Path, edit: Edit[T], identifier: str, reader: Reader, done: Callable[[Written], None]
) -> T | None:
    """`write_file` for a change to the one record `identifier` of a large registry file,
    without decoding the registry: the record, its neighbours and the registry-wide facts
    come from the index (`_index`), which the write keeps, under the same lock.

    The file's bytes must be those the index answers for (its stamp unchanged while they
    were read). After the edit, the window of text from the record before to the record
    after must read as it did but for the record (`_alike.alike_window`); the rest of the
    text is the same characters. The index then takes the record's new row, and the
    records after it move by one update of their places. None when any of that cannot be
    done from the index: then `write_file` makes the change and says what it says.
    Refusals of the change itself are the whole registry's, and are raised.
    """
    real = storage.resolved(path)
    with _indexed(path, real, real, reader) as indexed:
        if indexed is None:
            return None
        listing, index = indexed
        found = _record_by_index(path, real, listing, index, edit=edit, identifier=identifier)
        if found is None:
            return None
        new_data, result, update = found
        _replace(real, new_data)
        new_key = _cache.key(new_data)
        # From here the change is made: the index is a cache, rebuilt when wrong.
        with contextlib.suppress(Exception):
            _keep_record(index, real, new_data, new_key, update)
        done(Written(path, update[3], index.keyed.key, lambda: new_key, partial=True))
        return result


def _record_by_index(
    path: Path,
    real: Path,
    listing: _reading.Listing,
    index: Any,
    *,
    edit: Edit[T],
    identifier: str,
) -> tuple[bytes, T, tuple[Any, ...]] | None:
    """The new bytes, the edit's result and what the index is to learn; None when the
    index cannot answer (see `write_record_by_index`)."""
    import sqlite3

    from wrrtrack import _alike, _edit, _index, _stamps

    try:
        head = index.head_parsed(path)
        placed = index.placed(identifier)
        if placed is None:
            return None
        beside = index.beside(placed.position)
        around = [*beside[: int(bool(beside) and beside[0].position < placed.position)], placed]
        around += [b for b in beside if b.position > placed.position]
        first, last = around[0], around[-1]
        if first.byte < 0:
            return None  # the index knows no places in bytes: it was built without them
        storage.refuse_read_only(real)
        storage.remove_stale_temporaries(real)
        data = storage.read_bytes(real)
        if _stamps.of(real.stat()) != _stamps.of(listing[0][1]):
            return None  # changed since its stamp was taken
        # From the record before to the end of the record after, decoded on its own.
        stretch = _edit.window(data, first.byte, first.layout.start, last.layout.end)
        doc = _edit.window_document(path, stretch, head, placed.record, placed.layout)
        edited, result = edit(doc)
        after = edited.parsed.ledger.recommendations[0]
        records = [item.record for item in around]
        if not _alike.alike_window(
            path,
            stretch.text,
            edited.text,
            before=records,
            after=[after if rec is placed.record else rec for rec in records],
            layouts={after.id: edited.parsed.layouts[after.id]},
        ):
            return None
        new_data, whole, grown = _edit.window_spliced(data, stretch, edited)
        del data
        update = (placed.position, after, whole.layouts[after.id], whole, grown)
        return new_data, result, update
    except (InvalidChange, UnknownTerm, EvidenceRefused):
        raise
    except (WrrtrackError, _index.Stale, sqlite3.Error, LookupError, ValueError):
        return None


def _keep_record(
    index: Any, real: Path, data: bytes, new_key: str, update: tuple[Any, ...]
) -> None:
    """The index after the record's file was replaced (see `write_record_by_index`)."""
    from wrrtrack import _index, _stamps

    info = real.stat()
    if info.st_size != len(data):
        return  # changed since: the index answers for bytes no longer there
    stamped = [_index.Stamped("", _stamps.of(info), _stamps.now(), new_key)]
    position, record, layout, edited, grown = update
    index.update_record(
        position, record, layout, grown=grown, edited=edited, new_key=new_key, stamped=stamped
    )


def write_by_scan(
    folder: Path,
    edit: Edit[T],
    identifiers: Sequence[str],
    reader: Reader,
    done: Callable[[Written], None],
) -> list[T] | None:
    """`write_in_files` for records of a large folder registry that no index answers for
    (no cache, or none yet), reading in full only the files it changes and those that
    declare anything for the whole registry.

    The files' bytes are searched for the ids: each id must be written as a record's id
    in one file and appear nowhere else, in any form, and no file may hold a backslash (a
    double-quoted YAML escape could spell an id in other characters). Those files are read
    together with every file that is not one plain report document (`_plain`: one that
    may declare vocabularies or sources for the whole registry), edited and verified whole
    as a registry of their own (`verified`). None when any of that does not hold: then
    `write_in_files` reads the whole registry, and says what it says. A problem in a file
    this write does not read (an id of another record given twice elsewhere) is not its
    concern, as it is not a reader's of another file: `validate` finds it.
    """
    import re

    from wrrtrack import _folder, _index

    if not _large(folder, indexed=False):
        return None
    with storage.locked(folder / LOCK_NAME):
        listing = _reading.listing(folder)
        if listing is None or sum(info.st_size for _, info in listing) < _index.SMALLEST:
            return None
        try:
            files = _folder.read(folder)
        except WrrtrackError:
            return None
        wanted = [identifier.lower().encode("utf-8") for identifier in identifiers]
        mentioned: list[list[Path]] = [[] for _ in wanted]
        for path, data in files:
            lowered = data.lower()
            for n, name in enumerate(wanted):
                if name in lowered:
                    mentioned[n].append(path)
        if any(b"\\" in data for _, data in files):
            return None  # an escape could write an id in other letters: read the whole
        targets = []
        for name, found in zip(wanted, mentioned, strict=True):
            written = re.compile(
                rb"^[ \t]*-?[ \t]*id:[ \t]*[\"']?" + re.escape(name) + rb"[\"']?[ \t]*\r?$",
                re.MULTILINE | re.IGNORECASE,
            )
            if len(found) != 1 or not written.search(dict(files)[found[0]]):
                return None  # in no file, in several, or not plainly as an id
            targets.append(found[0])
        read = [(path, data) for path, data in files if path in targets or not _plain(data)]
        reading = _reading.folder_reading(folder, read, reader.day())
        if reading.parsed is None:
            return None
        whole, results, new = reading.parsed, [], {}
        try:
            for path in dict.fromkeys(targets):
                storage.refuse_read_only(path)
                storage.remove_stale_temporaries(path)
                text = dict(read)[path].decode("utf-8")
                edited, result = edit(Document(path, text, _folder.part(whole, path.name, path)))
                whole = _folder.whole(whole, edited.parsed, path.name, path)
                new[path] = edited.text.encode("utf-8")
                results.append(result)
            changed = [(p, new.get(p, data)) for p, data in read]
            last = targets[-1]
            parsed = verified(last, new[last], whole, reader.day(), folder=folder, files=changed)
        except (InvalidChange, UnknownTerm, EvidenceRefused):
            raise
        except WrrtrackError:
            return None
        for path, data in new.items():
            _replace(path, data)
        done(Written(last, parsed, None, lambda: "", partial=True))
    return results


# The keys a plain report document has at its top level (see `_plain`).
_PLAIN_KEYS = (b"format:", b"key:", b"report:", b"vocabularies:", b"recommendations:")
# Line breaks YAML reads besides LF and CRLF (CR alone, NEL, LS, PS): a file with one is
# not read line by line here.
_OTHER_BREAKS = (b"\xc2\x85", b"\xe2\x80\xa8", b"\xe2\x80\xa9")


def _plain(data: bytes) -> bool:
    """Whether a folder's file is one report's document and nothing else (declares nothing
    for the whole registry, holds no sources), as its text shows line by line: every line
    that starts at its first column is one of the keys such a document has (`report:`
    once), a comment, or nothing; no line break but LF and CRLF. Anything else (a key in
    quotes or in explicit form, `---`, a directive, flow style) is not plain: the file is
    read, as any file that may declare something for all reports is."""
    import re

    if any(mark in data for mark in _OTHER_BREAKS) or data.count(b"\r") != data.count(b"\r\n"):
        return False
    tops = re.findall(rb"\n([^ \t\r\n#][^\r\n]*)", b"\n" + data)
    if sum(line.startswith(b"report:") for line in tops) != 1:
        return False
    return all(
        any(line == key or line.startswith((key + b" ", key + b"\t")) for key in _PLAIN_KEYS)
        for line in tops
    )


def _keep_index(
    index: Any,
    folder: Path,
    edits: list[tuple[Path, bytes, bytes, Parsed, Any]],
    sizes: dict[str, tuple[int, str]],
    new_key: str,
) -> None:
    """The index after the files of `edits` were replaced: their rows, their stamps and
    the registry's new key, at once. A file that is not the size written (changed since)
    leaves the index as it was, answering for bytes no longer there (rebuilt when read)."""
    from wrrtrack import _index, _stamps

    stamped = []
    for path, _, data, _, _ in edits:
        info = path.lstat()
        if info.st_size != len(data):
            return
        stamped.append(
            _index.Stamped(path.name, _stamps.of(info), _stamps.now(), sizes[path.name][1])
        )
    head = index.head_parsed(folder)
    changed = [(path.name, edited) for path, _, _, edited, _ in edits]
    index.update(changed, new_key, head, stamped)


def _folder_key(path: Path, data: bytes) -> str:
    from wrrtrack import _folder

    return _folder.content_key(path.name, data)


def _folder_key_of(listing: _reading.Listing, sizes: dict[str, tuple[int, str]]) -> str:
    from wrrtrack import _folder

    return _folder.key_of_files([(path.name, *sizes[path.name]) for path, _ in listing])


def _edits_by_index(
    folder: Path, index: Any, edit: Edit[T], targets: Callable[[Any, Parsed], Sequence[str] | None]
) -> list[tuple[Path, bytes, bytes, Parsed, T]] | None:
    """Each target file's path, bytes before and after, its edited part and the edit's
    result; None when the index cannot answer for them (see `write_by_index`)."""
    import sqlite3

    from wrrtrack import _alike, _folder, _index

    try:
        head = index.head_parsed(folder)
        names = targets(index, head)
        if not names:
            return None
        edits = []
        for name in dict.fromkeys(names):
            path = folder / name
            was = index.stamped.get(name)
            data = _folder.read_file(path)
            if was is None or _folder.content_key(name, data) != was.key:
                return None
            storage.refuse_read_only(path)
            storage.remove_stale_temporaries(path)
            part = index.part(name, head)
            text = data.decode("utf-8")
            edited, result = edit(Document(path, text, part))
            before = {rec.id.casefold() for rec in part.ledger.recommendations}
            records = edited.parsed.ledger.recommendations
            added = [rec.id for rec in records if rec.id.casefold() not in before]
            if any(index.existing(identifier) is not None for identifier in added):
                return None  # an id another file has: the whole registry's write says so
            if not _alike.alike(path, text, edited.text, part, edited.parsed):
                return None
            edits.append((path, data, edited.text.encode("utf-8"), edited.parsed, result))
        return edits
    except (InvalidChange, UnknownTerm, EvidenceRefused):
        raise
    except (WrrtrackError, _index.Stale, sqlite3.Error, LookupError, ValueError):
        return None


def create(
    folder: Path,
    name: str,
    value: dict[str, Any],
    reader: Reader,
    done: Callable[[Written], None],
    *,
    check: Callable[[Parsed], None],
    back: Callable[[Ledger], bool],
    made: list[Path] | None = None,
) -> None:
    """Create the file `name` in a folder registry, holding one document (`value`, as
    `_yamlfile.document_lines` writes it): under the folder's lock, after `check` of
    the registry as it is then, never over an existing file. The whole registry with the
    new file is read first, and must hold what was meant (`back`), else nothing is created;
    the file is then created whole or not at all (`storage.create_file`)."""
    from wrrtrack import _folder
    from wrrtrack._yamlfile import document_lines

    made = [] if made is None else made
    path = folder / name
    data = ("\n".join(document_lines(value)) + "\n").encode("utf-8")
    try:
        with storage.locked(folder / LOCK_NAME):
            read = reader.read(folder)
            check(read.parsed)
            files = sorted([*read.read.files, (path, data)], key=lambda file: file[0].name)
            reading = _reading.folder_reading(folder, files, reader.day())
            if reading.parsed is None:
                raise RegistryInvalid(reading.problems)
            if not back(reading.parsed.ledger):
                raise _unverified(path, "the new file would not read back as meant")
            storage.create_new(folder, path, data, made)
            done(
                Written(path, reading.parsed, read.digest, lambda: _folder.key(files), files=files)
            )
    except BaseException:
        storage.remove_made(made)  # a failed command leaves every file as it was
        raise


def file_of(
    read: _reading.Read, *, identifier: str | None = None, report: str | None = None
) -> str:
    """The file of a folder registry that holds the record `identifier`, or the document
    of `report` (neither: the registry's own vocabularies)."""
    from wrrtrack import _folder

    ledger = read.parsed.ledger
    if identifier is not None:
        key: str | None = ledger.get(identifier).report
    else:
        key = ledger.report_of(report).key if report is not None else None
    name = _folder.file_of(read.parsed, key)
    if name is None:  # removed since `add_term` looked (which creates one when none is)
        what = f"report '{key}'" if key else "the registry's vocabularies"
        raise InvalidChange(f"no file of the folder registry holds {what} now; try again")
    return name
