"""The registry's bytes on disk: reading them, and replacing them atomically under a lock.

Knows nothing of YAML. The file on disk is at every moment either the old or the new
version: a write goes to a temporary file beside the target, is flushed to disk and is
renamed over it, while an exclusive lock on the directory keeps other writers out.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import math
import os
import stat
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from wrrtrack._errors import LockTimeout, RegistryNotFound, WrrtrackError

TEMP_MARK = ".wrrtrack-tmp-"
LOCK_TIMEOUT_ENV = "WRRTRACK_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 30.0


MAX_BYTES = 512 * 1024 * 1024  # 30 times a 10,000-item registry; beyond it, not a registry


def read_bytes(path: Path, limit: int = MAX_BYTES) -> bytes:
    """The file's bytes, or an error that says why it cannot be read.

    Only a regular file is read: a FIFO would block for ever and `/dev/zero` never ends.
    A file larger than `limit` is refused before it is read into memory.
    """
    try:
        info = path.stat()
        if stat.S_ISDIR(info.st_mode):
            raise RegistryNotFound(f"{path}: is a directory, not a registry file")
        if not stat.S_ISREG(info.st_mode):
            raise WrrtrackError(f"{path}: is {file_kind(info.st_mode)}, not a registry file")
        if info.st_size > limit:
            raise WrrtrackError(
                f"{path}: {info.st_size:,} bytes is more than a registry may hold "
                f"({limit:,}); is this the right file?"
            )
        with path.open("rb") as handle:
            data = handle.read(limit + 1)
    except FileNotFoundError:
        raise RegistryNotFound(f"{path}: no such file") from None
    except PermissionError:
        raise WrrtrackError(f"{path}: permission denied (cannot read the registry)") from None
    except OSError as exc:
        raise WrrtrackError(f"{path}: cannot read: {reason(exc)}") from None
    except ValueError:
        raise WrrtrackError(f"{path}: a path cannot hold a NUL character") from None
    if len(data) > limit:  # it grew while we looked
        raise WrrtrackError(f"{path}: more than {limit:,} bytes; is this the right file?")
    return data


def file_kind(mode: int) -> str:
    """What a non-regular file is, in words for a message."""
    for test, kind in (
        (stat.S_ISDIR, "a directory"),
        (stat.S_ISFIFO, "a named pipe (FIFO)"),
        (stat.S_ISCHR, "a device"),
        (stat.S_ISBLK, "a device"),
        (stat.S_ISSOCK, "a socket"),
        (stat.S_ISLNK, "a symbolic link"),
    ):
        if test(mode):
            return kind
    return "not a regular file"


def reason(exc: OSError) -> str:
    """The operating system's words for an error; a symlink loop said plainly."""
    if exc.errno == errno.ELOOP:
        return "a loop of symbolic links"
    return exc.strerror or str(exc)


def lock_timeout() -> float:
    """Seconds to wait for another writer: $WRRTRACK_LOCK_TIMEOUT, else 30."""
    raw = os.environ.get(LOCK_TIMEOUT_ENV)
    if raw is None or not raw.strip():
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise WrrtrackError(
            f"{LOCK_TIMEOUT_ENV}={raw!r} is not a number of seconds to wait; set it to a "
            f"number such as {DEFAULT_LOCK_TIMEOUT:g} (0: do not wait), or unset it"
        )
    return value


@contextlib.contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of `path`.

    Where `fcntl` exists (Linux, macOS) the lock is `flock` on the directory, not the file:
    the file is replaced by a rename, and a lock on the old inode would not stop a writer
    that opened the new one; locking the directory creates no file that could be left
    behind or committed. Windows cannot lock a directory, so there the lock is
    `msvcrt.locking` on a lock file beside the registry (`.NAME.lock`, never removed:
    removing it would let two writers lock two different files).
    """
    timeout = lock_timeout() if timeout is None else timeout
    try:
        import fcntl
    except ImportError:
        lock = _lock_file_lock
    else:
        lock = functools.partial(_directory_lock, fcntl)
    with lock(path, timeout):
        yield


def _wait(path: Path, timeout: float, attempt: Callable[[], object], held: Path) -> None:
    """Call `attempt` (which takes a lock, or raises OSError) until it succeeds or time is up.

    A lock held by another process is EAGAIN/EWOULDBLOCK (flock) or EACCES/EDEADLK
    (msvcrt.locking): wait and retry; any other error is reported on `held`.
    """

    def taken() -> bool:
        try:
            attempt()
        except OSError as exc:
            if exc.errno not in (errno.EAGAIN, errno.EWOULDBLOCK, errno.EACCES, errno.EDEADLK):
                raise WrrtrackError(f"{held}: cannot lock: {reason(exc)}") from None
            return False
        return True

    deadline = time.monotonic() + timeout
    delay = 0.005
    while not taken():
        if time.monotonic() >= deadline:
            raise LockTimeout(
                f"{path}: another wrrtrack process has held the registry for "
                f"{timeout:g} s; try again, or raise {LOCK_TIMEOUT_ENV}"
            )
        time.sleep(delay)
        delay = min(delay * 2, 0.1)


@contextlib.contextmanager
def _directory_lock(fcntl: Any, path: Path, timeout: float) -> Iterator[None]:
    directory = path.parent
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise WrrtrackError(f"{directory}: cannot open for locking: {reason(exc)}") from None

    try:
        _wait(path, timeout, lambda: fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB), directory)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


def lock_file(path: Path) -> Path:
    """The lock file beside `path` on platforms without `flock` (Windows)."""
    return path.with_name(f".{path.name}.lock")


@contextlib.contextmanager
def _lock_file_lock(path: Path, timeout: float) -> Iterator[None]:
    import importlib

    try:
        msvcrt = importlib.import_module("msvcrt")  # Windows; typed as Any on purpose
    except ImportError:
        raise WrrtrackError(
            f"{path}: cannot lock the registry for a change: this system has neither "
            "fcntl nor msvcrt; nothing was written"
        ) from None
    name = lock_file(path)
    try:
        fd = os.open(name, os.O_RDWR | os.O_CREAT | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as exc:
        raise WrrtrackError(f"{name}: cannot open the lock file: {reason(exc)}") from None

    def attempt() -> None:
        os.lseek(fd, 0, os.SEEK_SET)  # msvcrt.locking locks from the current position
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)

    try:
        _wait(path, timeout, attempt, name)
        try:
            yield
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
            with contextlib.suppress(OSError):
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    finally:
        os.close(fd)


def resolved(path: Path) -> Path:
    """Where a file reached through symbolic links really is (the path itself if no link).

    A registry reached through a link is changed where it is: a rename over the link would
    replace the link and leave the real file behind, unchanged.
    """
    try:
        return path.resolve(strict=True) if path.is_symlink() else path
    except FileNotFoundError:
        raise RegistryNotFound(f"{path}: a symbolic link to a file that does not exist") from None
    except (OSError, RuntimeError) as exc:  # RuntimeError: a loop, before Python 3.13
        why = reason(exc) if isinstance(exc, OSError) else "a loop of symbolic links"
        raise WrrtrackError(f"{path}: cannot follow: {why}") from None
    except ValueError:
        raise WrrtrackError(f"{path}: a path cannot hold a NUL character") from None


def remove_stale_temporaries(path: Path) -> None:
    """Delete temporary files of writers that died mid-write. Call only under the lock."""
    for leftover in path.parent.glob(f".{path.name}{TEMP_MARK}*"):
        with contextlib.suppress(OSError):
            leftover.unlink()


def atomic_write(path: Path, content: str | bytes, *, mode: int | None = None) -> None:
    """Replace `path` by `content` so that a crash leaves either the old or the new file.

    The temporary file sits beside the target (a rename is atomic only within one file
    system), takes the target's permission bits, is flushed to disk before the rename, and
    is removed if anything fails. The directory is flushed after the rename so that the
    rename itself survives a power cut.
    """
    data = content.encode("utf-8") if isinstance(content, str) else content
    try:
        info = path.stat()
    except FileNotFoundError:
        info = None
    except OSError as exc:
        raise WrrtrackError(f"{path}: cannot write: {reason(exc)}; the file is unchanged") from None
    if info is not None:
        refuse_read_only(path, info)
    if mode is None:
        mode = 0o666 & ~_umask() if info is None else stat.S_IMODE(info.st_mode)
    temporary = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}-{os.urandom(4).hex()}")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_all(fd, data)
            if hasattr(os, "fchmod"):  # not on Windows, where only read-only can be set
                os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        if not hasattr(os, "fchmod"):
            temporary.chmod(mode)
        _replace(temporary, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(exc, OSError):
            why = reason(exc)
            if _sharing_violation(exc):
                why += " (another program has it open; close it and try again)"
            raise WrrtrackError(f"{path}: cannot write: {why}; the file is unchanged") from exc
        raise
    _fsync_directory(path.parent)


def refuse_read_only(path: Path, info: os.stat_result | None = None) -> None:
    """Refuse to replace a file that is read-only by its mode bits.

    A rename replaces a file whatever its own permissions (only the folder's count), and
    root may write any file: the bits are what its owner said, so they are what is checked
    (not access(2)). Read-only is: no write bit for the owner, for a process that owns the
    file (or on Windows, where the read-only attribute clears them all); else none at all.
    """
    if info is None:
        try:
            info = path.stat()
        except OSError:
            return  # what cannot be looked at is refused where it is read or written
    geteuid = getattr(os, "geteuid", None)
    owner = geteuid is None or geteuid() == info.st_uid
    bits = stat.S_IWUSR if owner else stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH
    if not info.st_mode & bits:
        mode = stat.S_IMODE(info.st_mode)
        raise WrrtrackError(
            f"{path} is read-only (mode {mode:04o}); wrrtrack does not replace a read-only "
            "file. Make it writable (chmod u+w) to change it; nothing was written"
        )


REPLACE_PATIENCE = 2.0  # seconds to wait for a Windows reader to close the file


def _replace(temporary: Path, path: Path) -> None:
    """Rename `temporary` over `path`.

    POSIX renames over a file that others have open. Windows refuses while another
    process holds the target open without delete sharing (an editor, a virus scanner,
    another wrrtrack reading it): the rename is retried for a moment, then given up.
    """
    deadline = time.monotonic() + REPLACE_PATIENCE
    delay = 0.01
    while True:
        try:
            temporary.replace(path)
        except PermissionError as exc:
            if not _sharing_violation(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)
        else:
            return


def _sharing_violation(exc: OSError) -> bool:
    # ERROR_ACCESS_DENIED (5) and ERROR_SHARING_VIOLATION (32) from a rename on Windows.
    return getattr(exc, "winerror", None) in (5, 32)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def _fsync_directory(directory: Path) -> None:
    with contextlib.suppress(OSError):  # not every file system lets a directory be synced
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _umask() -> int:
    current = os.umask(0)
    os.umask(current)
    return current


# --- new files, made only where nothing is ---------------------------------------------------


def create_new(top: Path, path: Path, data: bytes, made: list[Path]) -> None:
    """Create the file `path` (and its missing folders below `top`) holding `data`;
    refuse when it exists or a folder on the way is a link. Appends to `made` what it
    created, so that `remove_made` can take it away again."""
    make_parents(top, path.parent, made)
    create_file(path, data, made)


def remove_made(made: list[Path]) -> None:
    """Remove what `create_new` made (files and folders), newest first."""
    for path in reversed(made):
        with contextlib.suppress(OSError):
            path.rmdir() if path.is_dir() and not path.is_symlink() else path.unlink()
    made.clear()


def make_parents(top: Path, directory: Path, made: list[Path]) -> None:
    """Create `directory` and its missing parents up to `top`; refuse links below `top`."""
    missing = []
    below_top = True
    for parent in [directory, *directory.parents]:
        if parent in (Path(), Path(parent.anchor)):
            break
        below_top = below_top and parent != top
        if parent.is_symlink() and below_top:
            raise WrrtrackError(
                f"{parent} is a symbolic link, and wrrtrack creates no file through a link; "
                "remove the link, or choose another directory"
            )
        if parent.exists():
            if not parent.is_dir():
                raise WrrtrackError(f"{parent} exists and is not a directory")
            break
        missing.append(parent)
    for parent in reversed(missing):
        try:
            parent.mkdir()
        except OSError as exc:
            raise WrrtrackError(f"{parent}: cannot create: {reason(exc)}") from None
        made.append(parent)


def create_file(path: Path, data: bytes, made: list[Path]) -> None:
    """Create `path` holding `data`, never over an existing file, and whole or not at all.

    The bytes go to a temporary file beside it first, which is then linked to its name: a
    link, unlike a rename, fails when the name exists, so nothing is ever replaced, and a
    writer killed halfway leaves no partial file under the name (only a temporary one,
    which `remove_stale_temporaries` takes away). Where the file system has no hard links,
    the file is created exclusively and written in place.
    """
    temporary = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}-{os.urandom(4).hex()}")
    scratch: list[Path] = []
    try:
        _create_exclusively(temporary, data, scratch, named=path)
    except WrrtrackError:
        if scratch:  # made, but not written (a full disk): that is the error
            remove_made(scratch)
            raise
        _create_exclusively(path, data, made)  # a folder where a temporary cannot be made
        return
    try:
        os.link(temporary, path)
    except FileExistsError:
        raise WrrtrackError(f"{path} exists already; nothing was created or changed") from None
    except OSError:
        _create_exclusively(path, data, made)  # no hard links here (some network shares)
        return
    finally:
        with contextlib.suppress(OSError):
            temporary.unlink()
    made.append(path)


def _create_exclusively(
    path: Path, data: bytes, made: list[Path], *, named: Path | None = None
) -> None:
    """Create `path` holding `data`, refusing an existing one; messages name `named` (the
    file a temporary one is made for) or `path`."""
    shown = named or path
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags, 0o666)
    except FileExistsError:
        raise WrrtrackError(f"{shown} exists already; nothing was created or changed") from None
    except OSError as exc:
        raise WrrtrackError(f"{shown}: cannot create: {reason(exc)}") from None
    made.append(path)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        os.fsync(fd)
    except OSError as exc:
        raise WrrtrackError(f"{shown}: cannot write: {reason(exc)}") from None
    finally:
        os.close(fd)
