"""A registry that is a folder of YAML files: which files it is made of, their bytes, and
one file's part of the whole registry (what a writer edits).

The files are the `*.yaml` and `*.yml` files directly in the folder (not in folders below
it), in the order of their names; names starting with '.' (hidden files, and the
temporary files of a write) are not registry files. A symbolic link or anything that is
not a regular file under such a name is refused: a registry's files are files in it.
Together they are one registry, read as the documents of one file are read (`_reading`),
every place in its own file. Stored sources (`sources/…`) are relative to the folder.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

from wrrtrack import storage
from wrrtrack._errors import Location, Problem, RegistryInvalid, WrrtrackError
from wrrtrack._places import Parsed

SUFFIXES = (".yaml", ".yml")
# The file a folder registry's vocabularies for every report go in when none holds them.
VOCABULARIES = "vocabularies.yaml"
# Report keys a folder registry cannot give a file of their own (KEY.yaml): its file names.
RESERVED_KEYS = (VOCABULARIES.removesuffix(".yaml"),)

Files = list[tuple[Path, bytes]]


def names(folder: Path) -> list[Path]:
    """The registry files of `folder`, in the order of their names; `RegistryInvalid`
    lists every name that is a link or not a regular file."""
    try:
        with os.scandir(folder) as entries:
            found = sorted(
                (entry.name, entry)
                for entry in entries
                if entry.name.endswith(SUFFIXES) and not entry.name.startswith(".")
            )
    except FileNotFoundError:
        from wrrtrack._errors import RegistryNotFound

        raise RegistryNotFound(f"{folder}: no such folder") from None
    except OSError as exc:
        raise WrrtrackError(f"{folder}: cannot read the folder: {storage.reason(exc)}") from None
    problems = []
    for name, entry in found:
        path = folder / name
        try:
            if entry.is_symlink():
                why = "is a symbolic link; a folder registry's files must be files in it"
            elif not entry.is_file(follow_symlinks=False):
                kind = storage.file_kind(entry.stat(follow_symlinks=False).st_mode)
                why = f"is {kind}, not a registry file; rename it or move it out of the folder"
            else:
                continue
        except OSError as exc:
            why = f"cannot read: {storage.reason(exc)}"
        problems.append(Problem(Location(path, 1, 1), why))
    if problems:
        raise RegistryInvalid(problems)
    return [folder / name for name, _ in found]


def no_files(folder: Path) -> Problem:
    """What `validate` says of a folder without registry files: it reads as an empty
    registry, but a check of it (most likely of a wrong path) must not pass forever."""
    return Problem(
        None,
        f"no registry files in {folder} (a folder registry is its *.yaml and *.yml files); "
        "add a report with 'wrrtrack reports add', or name the folder that holds them",
    )


def read(folder: Path) -> Files:
    """Every registry file of `folder` with its bytes."""
    return [(path, read_file(path)) for path in names(folder)]


_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0)
_FLAGS |= getattr(os, "O_BINARY", 0)


def read_file(path: Path) -> bytes:
    """The bytes of one file of the folder: opened without following a link or waiting on
    a FIFO put there since the folder was listed, then held to what `storage` reads."""
    try:
        fd = os.open(path, _FLAGS)
    except OSError:
        return storage.read_bytes(path)  # which says why, as for a registry file
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > storage.MAX_BYTES:
            return storage.read_bytes(path)  # which refuses it, and says why
        # A regular file's size: one read, no copy (a folder of 150 MB is read by every
        # command, to be hashed).
        chunks: list[bytes] = []
        total, want = 0, max(info.st_size + 1, 1 << 16)
        while total <= storage.MAX_BYTES:
            chunk = os.read(fd, want)
            if not chunk:
                return chunks[0] if len(chunks) == 1 else b"".join(chunks)
            chunks.append(chunk)
            total += len(chunk)
            want = 1 << 16
        return storage.read_bytes(path)  # it grew past the limit while read: refused
    finally:
        os.close(fd)


def key(files: Files) -> str:
    """The cache key of a folder registry: of the names, sizes and keys (`file_key`) of
    all its files, so that after a write to one file only that file is hashed again."""
    found = key_of_files([(path.name, len(data), file_key(path, data)) for path, data in files])
    # Only these files' keys are kept: a long-lived process must not hold every version
    # of a folder it ever read.
    kept = {(path.name, id(data)) for path, data in files}
    for stale in [known for known in _file_keys if known not in kept]:
        del _file_keys[stale]
    return found


def key_of_files(files: list[tuple[str, int, str]]) -> str:
    """`key` from each file's name, size and `file_key`, in the folder's order: what the
    index (`_index`) computes without reading the files it knows unchanged."""
    from wrrtrack import _cache

    def parts() -> Iterator[bytes]:
        for name, size, known in files:
            yield name.encode("utf-8", "surrogateescape")
            yield b"\0%d\0" % size
            yield known.encode()

    return _cache.key_of(parts(), size=sum(size for _, size, _ in files))


# Keys of the files of this process, by name and bytes object (see `file_key`).
_file_keys: dict[tuple[str, int], tuple[bytes, str]] = {}


def file_key(path: Path, data: bytes) -> str:
    """The cache key of one file of a folder registry: of its name and bytes (computed
    once per process for the same bytes)."""
    known = _file_keys.get((path.name, id(data)))
    if known is not None and known[0] is data:
        return known[1]
    found = content_key(path.name, data)
    _file_keys[path.name, id(data)] = (data, found)
    return found


def content_key(name: str, data: bytes) -> str:
    """`file_key`, computed every time and remembered nowhere (the index hashes a file it
    cannot vouch for, then lets its bytes go)."""
    from wrrtrack import _cache

    return _cache.key_of((b"file\0", name.encode("utf-8", "surrogateescape"), b"\0", data))


# --- one file's part of the whole: what a writer edits --------------------------------------


def file_of(parsed: Parsed, report: str | None) -> str | None:
    """The name of the file holding `report`'s document (None: the document of vocabularies
    for every report); None when there is none."""
    try:
        return parsed.files[parsed.documents.index(report)]
    except ValueError:
        return None


def _document_number(block: str) -> int:
    number, colon, _ = block.partition(":")
    return int(number) if colon else 0


def part(parsed: Parsed, name: str, path: Path) -> Parsed:
    """The places of the file `name` (at `path`) only, with the whole registry's values.

    An edit of that file's text (`_edit`) checks the change against the whole registry
    (ids unique across files, every report's vocabularies) and moves only the places of
    that file; `whole` puts the rest back.
    """
    documents = {n for n, file in enumerate(parsed.files) if file == name}
    reports = {parsed.documents[n] for n in documents}
    return parsed._replace(
        layouts={
            rec.id: parsed.layouts[rec.id]
            for rec in parsed.ledger.recommendations
            if rec.report in reports
        },
        quote_places=_places(parsed, path, inside=True),
        blocks={
            block: place
            for block, place in parsed.blocks.items()
            if _document_number(block) in documents
        },
    )


def _places(parsed: Parsed, path: Path, *, inside: bool) -> dict[tuple[str, int], Location]:
    """The places of quotes in the file at `path` (or, not `inside`, in the other files).

    The places of one file share one path object: each is compared with `path` once."""
    same: dict[int, bool] = {}
    found = {}
    for key, place in parsed.quote_places.items():
        hit = same.get(id(place.path))
        if hit is None:
            hit = same[id(place.path)] = place.path == path
        if hit == inside:
            found[key] = place
    return found


def whole(parsed: Parsed, edited: Parsed, name: str, path: Path) -> Parsed:
    """The whole registry after an edit of the file `name` (`edited`, from `part`)."""
    documents = {n for n, file in enumerate(parsed.files) if file == name}
    layouts = {**parsed.layouts, **edited.layouts}
    places = {
        **_places(parsed, path, inside=False),
        **edited.quote_places,
    }
    blocks = {
        **{b: p for b, p in parsed.blocks.items() if _document_number(b) not in documents},
        **edited.blocks,
    }
    return edited._replace(
        layouts={rec.id: layouts[rec.id] for rec in edited.ledger.recommendations},
        quote_places=places,
        blocks=blocks,
    )
