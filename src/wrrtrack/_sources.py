"""Stored source texts on disk: read only from inside the registry's folder, and fingerprinted.

A registry names its source files by paths relative to its own directory. A registry can
come from anyone (a pull request, a download), so such a path is not trusted: it may not
leave that directory (by `..`, an absolute path, or a symbolic link pointing out), and only
a regular file of reasonable size is read. A device (`/dev/zero`), a FIFO, which would block
the reader forever, or a file under `/proc` is refused before a byte of it is read, and no
message ever shows what a refused file holds.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import Literal

from wrrtrack._errors import SourceRefused

# Far more than any stored passage or reaction (the shipped one is 3 kB); a limit keeps a
# mistaken or hostile path from making every `validate` read gigabytes.
SIZE_LIMIT = 20 * 1024 * 1024

State = Literal["ok", "changed", "missing", "refused"]


def confined(root: Path, relative: str) -> Path:
    """The file `relative` names inside the directory `root`, or `SourceRefused` saying why.

    Checks the path's form first (relative, with '/' between folders, no '..'), then where
    it really leads once symbolic links are followed. Nothing is opened.
    """
    if not relative or not relative.strip():
        raise SourceRefused(relative, "the path is empty")
    if "\0" in relative:
        raise SourceRefused(relative, "the path holds a NUL character")
    if "\\" in relative:
        raise SourceRefused(relative, "use '/' between folders, not '\\'")
    if PurePosixPath(relative).is_absolute() or PureWindowsPath(relative).drive:
        raise SourceRefused(relative, "the path must be relative to the registry's folder")
    if ".." in PurePosixPath(relative).parts:
        raise SourceRefused(relative, "the path may not leave the registry's folder ('..')")
    base = Path(os.path.realpath(root))
    real = Path(os.path.realpath(base / relative))
    if real != base and base not in real.parents:
        raise SourceRefused(
            relative, "the path leads outside the registry's folder (through a symbolic link)"
        )
    return real


def read_bytes(root: Path, relative: str, *, limit: int = SIZE_LIMIT) -> bytes:
    """The bytes of the source file `relative` (see `confined`), read safely.

    Only a regular file is opened: its kind is checked before opening, and again on the
    open descriptor (the file could be swapped in between). The descriptor is opened
    non-blocking, so that even a FIFO that appears at the last moment cannot hang us.
    `FileNotFoundError` is left to the caller, who knows whether "missing" is an error.
    """
    path = confined(root, relative)
    try:
        before = path.stat()
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise SourceRefused(relative, f"cannot be read: {exc.strerror}") from None
    _check_kind(relative, before, limit)
    flags = (
        os.O_RDONLY
        | getattr(os, "O_NONBLOCK", 0)
        | getattr(os, "O_NOFOLLOW", 0)
        | getattr(os, "O_NOCTTY", 0)
        | getattr(os, "O_BINARY", 0)
    )
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise
    except OSError as exc:
        raise SourceRefused(relative, f"cannot be read: {exc.strerror}") from None
    try:
        now = os.fstat(fd)
        _check_kind(relative, now, limit)
        if (now.st_dev, now.st_ino) != (before.st_dev, before.st_ino):
            raise SourceRefused(relative, "the file was replaced while it was being read")
        chunks = []
        size = 0
        while chunk := os.read(fd, 1 << 20):
            size += len(chunk)
            if size > limit:  # it grew after fstat
                raise SourceRefused(relative, f"the file is larger than {limit:,} bytes")
            chunks.append(chunk)
        return b"".join(chunks)
    except OSError as exc:
        raise SourceRefused(relative, f"cannot be read: {exc.strerror}") from None
    finally:
        os.close(fd)


def read_text(root: Path, relative: str, *, limit: int = SIZE_LIMIT) -> str:
    """The source file as text: strict UTF-8, else `SourceRefused` (see `decoded`)."""
    return decoded(relative, read_bytes(root, relative, limit=limit))


def decoded(relative: str, data: bytes) -> str:
    """A source file's bytes as text: strict UTF-8, else `SourceRefused` naming the byte's
    position, never its value."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceRefused(relative, f"is not UTF-8 text (byte {exc.start + 1})") from None


def _check_kind(relative: str, info: os.stat_result, limit: int) -> None:
    mode = info.st_mode
    if stat.S_ISREG(mode):
        if info.st_size > limit:
            raise SourceRefused(
                relative, f"the file is {info.st_size:,} bytes, over the limit of {limit:,}"
            )
        return
    kind = (
        "a directory"
        if stat.S_ISDIR(mode)
        else "a FIFO (named pipe)"
        if stat.S_ISFIFO(mode)
        else "a device"
        if stat.S_ISCHR(mode) or stat.S_ISBLK(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "not a regular file"
    )
    raise SourceRefused(relative, f"is {kind}, not a regular file")


def fingerprint(data: bytes) -> str:
    """The SHA-256 of a source file's bytes, as lower-case hex: what a registry records."""
    return hashlib.sha256(data).hexdigest()


def state(root: Path, relative: str, recorded: str | None) -> State:
    """How a stored source stands against its recorded fingerprint.

    `ok`: the file's SHA-256 is the recorded one (or none is recorded); `changed`: it is
    not; `missing`: no such file; `refused`: the path or file may not be read (see
    `read_bytes`).
    """
    try:
        data = read_bytes(root, relative)
    except FileNotFoundError:
        return "missing"
    except SourceRefused:
        return "refused"
    if recorded is None or fingerprint(data) == recorded.lower():
        return "ok"
    return "changed"


__all__ = [
    "SIZE_LIMIT",
    "State",
    "confined",
    "decoded",
    "fingerprint",
    "read_bytes",
    "read_text",
    "state",
]
