"""Every write to a registry, file or folder: lock, read under the lock, edit, replace (or
create) the file atomically, and hand the new content on (`Written`) to be remembered.

The registry is re-read under an exclusive lock, so that a change another process made
since it was opened is kept, and the file is then replaced atomically; `_edit` has changed
only the lines of what it changed, and checked them by reading back. In a folder registry
the lock is the folder's (so that checks across its files hold), the edit is checked
against the whole registry, and only the one file it is in is replaced.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

from wrrtrack import _cache, _reading, clock, storage
from wrrtrack._errors import InvalidChange, RegistryInvalid, WrrtrackError
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
    # Whether `parsed` is only the written file's part (`write_by_index`): not the whole
    # registry's content, never to be cached as it.
    partial: bool = False


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
        storage.atomic_write(real, new_data)
        done(Written(path, edited.parsed, digest, lambda: _cache.key(new_data)))
    return result


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
    from wrrtrack import _folder

    with storage.locked(folder / LOCK_NAME):
        read = reader.read(folder)
        seen(read.read.files)
        name = target(read)
        path = folder / name
        storage.refuse_read_only(path)
        storage.remove_stale_temporaries(path)
        text = dict(read.read.files)[path].decode("utf-8")  # it parsed, so it decodes
        part = _folder.part(read.parsed, name, path)
        edited, result = edit(Document(path, text, part))
        whole = _folder.whole(read.parsed, edited.parsed, name, path)
        new_data = edited.text.encode("utf-8")
        storage.atomic_write(path, new_data)
        files = [(p, new_data if p == path else data) for p, data in read.read.files]
        done(Written(path, whole, read.digest, lambda: _folder.key(files)))
    return result


def write_by_index(
    folder: Path,
    edit: Edit[T],
    where: tuple[str | None, str | None],
    reader: Reader,
    done: Callable[[Written], None],
) -> tuple[bool, T | None]:
    """Change one file of a large folder registry by `edit` reading only that file's part
    of the registry from its index (`_index`): the file holding the record `where[0]`,
    or else the document of the report `where[1]` (None: the registry's vocabularies).

    (False, None) when the index cannot answer for the folder as it is under the lock,
    when the edit refuses the change, or when it would add an id another file has: then
    `write_in_folder` does it from the whole registry, and says what it says. Ids unique
    across files come from the index, which the write updates under the same lock.
    """
    import sqlite3

    from wrrtrack import _folder, _index

    if not reader.use_cache:
        return False, None
    with storage.locked(folder / LOCK_NAME):
        found = _reading.bytes_of(folder)
        if found.size() < _index.SMALLEST:
            return False, None
        digest = found.key()
        index = _index.view(folder, digest, _reading.still_valid(reader.today, reader.timezone))
        if index is None:
            return False, None
        try:
            try:
                head = index.head_parsed(folder)
                identifier, report = where
                if identifier is not None:
                    name = index.file_of(identifier)
                else:
                    key = head.ledger.report_of(report).key if report is not None else None
                    name = _folder.file_of(head, key)
                path = folder / (name or "")
                data = dict(found.files).get(path) if name else None
                if data is None:
                    return False, None
                part = index.part(name or "", head)
                storage.refuse_read_only(path)
                storage.remove_stale_temporaries(path)
                edited, result = edit(Document(path, data.decode("utf-8"), part))
                before = {rec.id for rec in part.ledger.recommendations}
                added = [r.id for r in edited.parsed.ledger.recommendations if r.id not in before]
                if any(index.existing(rid) is not None for rid in added):
                    return False, None
            except (WrrtrackError, _index.Stale, sqlite3.Error, LookupError, ValueError):
                return False, None  # said as the whole registry's write says it
            new_data = edited.text.encode("utf-8")
            storage.atomic_write(path, new_data)
            files = [(p, new_data if p == path else d) for p, d in found.files]
            new_key = _folder.key(files)
            with contextlib.suppress(Exception):  # the index is a cache: rebuilt when wrong
                index.update(path.name, new_key, edited.parsed, head)
            done(Written(path, edited.parsed, digest, lambda: new_key, partial=True))
        finally:
            index.connection.close()
    return True, result


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
    the registry as it is then, never over an existing file; the whole registry is then
    read again, and must hold what was meant (`back`), else the new file is removed."""
    from wrrtrack import _folder
    from wrrtrack._edit import _refuse
    from wrrtrack._yamlfile import document_lines

    made = [] if made is None else made
    path = folder / name
    data = ("\n".join(document_lines(value)) + "\n").encode("utf-8")
    try:
        with storage.locked(folder / LOCK_NAME):
            read = reader.read(folder)
            check(read.parsed)
            storage.create_new(folder, path, data, made)
            files = sorted([*read.read.files, (path, data)], key=lambda file: file[0].name)
            reading = _reading.folder_reading(folder, files, reader.day())
            if reading.parsed is None:
                raise RegistryInvalid(reading.problems)
            if not back(reading.parsed.ledger):
                raise _refuse(path, "the new file")
            done(Written(path, reading.parsed, read.digest, lambda: _folder.key(files)))
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
