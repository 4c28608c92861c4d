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

from collections.abc import Callable, Sequence
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
        done(Written(path, parsed, digest, lambda: _cache.key(new_data)))
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
        done(Written(last, parsed, read.digest, lambda: _folder.key(files)))
    return results


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
