"""The registry's bytes on disk: reading them, and replacing them atomically under a lock.

Knows nothing of YAML. The file on disk is at every moment either the old or the new
version: a write goes to a temporary file beside the target, is flushed to disk and is
renamed over it, while an exclusive lock on the directory keeps other writers out.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import time
from collections.abc import Iterator
from pathlib import Path

from wrrtrack._errors import LockTimeout, RegistryNotFound, WrrtrackError

TEMP_MARK = ".wrrtrack-tmp-"
LOCK_TIMEOUT_ENV = "WRRTRACK_LOCK_TIMEOUT"
DEFAULT_LOCK_TIMEOUT = 30.0


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or an error that says why it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise RegistryNotFound(f"{path}: no such file") from None
    except IsADirectoryError:
        raise RegistryNotFound(f"{path}: is a directory, not a registry file") from None
    except PermissionError:
        raise WrrtrackError(f"{path}: permission denied (cannot read the registry)") from None
    except OSError as exc:
        raise WrrtrackError(f"{path}: cannot read: {exc.strerror}") from None


def lock_timeout() -> float:
    raw = os.environ.get(LOCK_TIMEOUT_ENV)
    try:
        return float(raw) if raw else DEFAULT_LOCK_TIMEOUT
    except ValueError:
        return DEFAULT_LOCK_TIMEOUT


@contextlib.contextmanager
def locked(path: Path, timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock for a read-modify-write of `path`.

    The lock is taken on the directory, not the file: the file is replaced by a rename, and
    a lock on the old inode would not stop a writer that opened the new one. Locking the
    directory also creates no lock file that could be left behind or committed.
    """
    import fcntl  # POSIX only; imported here so that reading commands work everywhere

    timeout = lock_timeout() if timeout is None else timeout
    directory = path.parent
    try:
        fd = os.open(directory, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise WrrtrackError(f"{directory}: cannot open for locking: {exc.strerror}") from None
    try:
        deadline = time.monotonic() + timeout
        delay = 0.005
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except OSError as exc:
                if exc.errno not in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
                    raise WrrtrackError(f"{directory}: cannot lock: {exc.strerror}") from None
            if time.monotonic() >= deadline:
                raise LockTimeout(
                    f"{path}: another wrrtrack process has held the registry for "
                    f"{timeout:g} s; try again, or raise {LOCK_TIMEOUT_ENV}"
                )
            time.sleep(delay)
            delay = min(delay * 2, 0.1)
        yield
    finally:
        os.close(fd)  # closing the descriptor releases the lock


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
    if mode is None:
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except FileNotFoundError:
            mode = 0o666 & ~_umask()
    temporary = path.with_name(f".{path.name}{TEMP_MARK}{os.getpid()}-{os.urandom(4).hex()}")
    try:
        fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            _write_all(fd, data)
            os.fchmod(fd, mode)
            os.fsync(fd)
        finally:
            os.close(fd)
        temporary.replace(path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            temporary.unlink()
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            raise WrrtrackError(f"{path}: cannot write: {reason}; the file is unchanged") from exc
        raise
    _fsync_directory(path.parent)


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
