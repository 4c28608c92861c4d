"""A registry as it was in a git commit: its file, or its folder's files, read from the
repository that holds it, then parsed by the same reader `Registry` uses.

git runs with a fixed argument list, never through a shell. A revision is what the user
typed, so it can never become an option: one starting with '-' is refused, and it reaches
git only after `--end-of-options`, as `REV^{commit}` to resolve it to a commit once. Every
later call names that commit's hash, and paths come after `--`.
"""

from __future__ import annotations

import subprocess
from datetime import date
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from wrrtrack._errors import Problem, RegistryInvalid, WrrtrackError
from wrrtrack._model import Ledger

_BLOB_MODES = ("100644", "100755")


class GitError(WrrtrackError):
    """git is missing, the revision is not a commit, or the registry is not in it."""


class NotInCommit(GitError):
    """The commit holds nothing at the registry's path: the registry is newer than it."""

    def __init__(self, message: str, commit: Commit) -> None:
        super().__init__(message)
        self.commit = commit


class Commit(NamedTuple):
    """A revision as the user named it and the commit it resolved to."""

    revision: str
    sha: str


def _git(args: list[str], cwd: Path, *, stdin: bytes | None = None) -> bytes:
    """git's stdout; `GitError` with git's own last line of complaint when it fails."""
    try:
        done = subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
            ["git", *args],  # noqa: S607 (git as the user's PATH finds it)
            cwd=cwd,
            input=stdin,
            capture_output=True,
            check=False,
        )
    except FileNotFoundError:
        raise GitError("git is not installed (or not on PATH)") from None
    except OSError as exc:
        raise GitError(f"cannot run git: {exc.strerror or exc}") from None
    if done.returncode != 0:
        said = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GitError(said[-1] if said else f"git {args[0]} failed")
    return done.stdout


def _directory(path: Path) -> Path:
    """The folder git runs in: the registry folder, or the folder of the registry file."""
    return path if path.is_dir() else path.parent


def repository(path: Path) -> tuple[Path, str]:
    """The top of the git working tree holding the registry at `path`, and the registry's
    path in it (with '/'); `GitError` when it is not in one."""
    folder = _directory(path.absolute())
    try:
        found = _git(["rev-parse", "--show-toplevel"], folder)
    except GitError as exc:
        raise GitError(f"{path} is not in a git repository ({exc})") from None
    top = Path(found.decode("utf-8", "surrogateescape").rstrip("\n"))
    try:
        inside = path.resolve().relative_to(top.resolve())
    except ValueError:
        raise GitError(f"{path} is not in the git repository at {top}") from None
    return top, PurePosixPath(*inside.parts).as_posix() if inside.parts else "."


def resolve(revision: str, top: Path) -> Commit:
    """The commit `revision` names in the repository at `top`."""
    if not revision:
        raise GitError("'' is not a revision (it is empty)")
    if revision.startswith("-"):
        raise GitError(f"{revision!r} is not a revision (a revision does not start with '-')")
    if "\0" in revision:
        raise GitError(f"{revision!r} is not a revision (it holds a NUL character)")
    try:
        sha = _git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"], top
        )
    except GitError:
        raise GitError(f"{revision}: no such commit in the git repository at {top}") from None
    return Commit(revision, sha.decode("ascii").strip())


class _Entry(NamedTuple):
    mode: str
    kind: str
    sha: str
    size: int
    name: str


def _tree(commit: Commit, top: Path, path: str) -> list[_Entry]:
    """`git ls-tree` of `path` in the commit (with a trailing '/': what the folder holds)."""
    listing = _git(["ls-tree", "-z", "-l", "--full-tree", commit.sha, "--", path], top)
    entries = []
    for line in listing.split(b"\0"):
        if not line:
            continue
        meta, _, name = line.partition(b"\t")
        mode, kind, sha, size = meta.decode("ascii").split()
        entries.append(
            _Entry(
                mode,
                kind,
                sha,
                int(size) if size.isdigit() else 0,
                name.decode("utf-8", "surrogateescape"),
            )
        )
    return entries


def _blobs(entries: list[_Entry], top: Path, commit: Commit) -> list[bytes]:
    """The bytes of each entry, in one `git cat-file --batch`."""
    from wrrtrack import storage

    for entry in entries:
        if entry.size > storage.MAX_BYTES:
            raise GitError(f"{commit.revision}: {entry.name} is too large to be a registry file")
    if not entries:
        return []
    out = _git(
        ["cat-file", "--batch"], top, stdin=b"".join(e.sha.encode() + b"\n" for e in entries)
    )
    found = []
    at = 0
    for entry in entries:
        header_end = out.find(b"\n", at)
        header = out[at:header_end].split() if header_end >= 0 else []
        if len(header) != 3 or header[1] != b"blob" or not header[2].isdigit():
            raise GitError(f"{commit.revision}: git could not read {entry.name}")
        size = int(header[2])
        found.append(out[header_end + 1 : header_end + 1 + size])
        at = header_end + 1 + size + 1
    return found


class Snapshot(NamedTuple):
    """The registry's bytes in a commit: one file's, or each file's of a folder."""

    commit: Commit
    folder: bool
    files: tuple[tuple[Path, bytes], ...]


def snapshot(path: Path, revision: str) -> Snapshot:
    """The bytes of the registry at `path` (a file or a folder) as they were in `revision`."""
    top, inside = repository(path)
    commit = resolve(revision, top)
    # A folder registry at the top of the repository is the commit's root tree itself.
    listing = (
        [_Entry("040000", "tree", "", 0, ".")] if inside == "." else _tree(commit, top, inside)
    )
    if not listing:
        raise NotInCommit(f"{revision}: the registry {inside} is not in that commit", commit)
    entry = listing[0]
    if entry.kind == "tree":
        from wrrtrack._folder import SUFFIXES

        listed = [
            e
            for e in _tree(commit, top, "." if inside == "." else inside.rstrip("/") + "/")
            if e.name.rsplit("/", 1)[-1].endswith(SUFFIXES)
            and not e.name.rsplit("/", 1)[-1].startswith(".")
        ]
        odd = [e.name for e in listed if e.kind != "blob" or e.mode not in _BLOB_MODES]
        if odd:
            raise GitError(
                f"{revision}: {odd[0]} is not a regular file; a registry's files are files"
            )
        listed.sort(key=lambda e: e.name.rsplit("/", 1)[-1])
        names = [path / e.name.rsplit("/", 1)[-1] for e in listed]
        return Snapshot(commit, True, tuple(zip(names, _blobs(listed, top, commit), strict=True)))
    if entry.kind != "blob" or entry.mode not in _BLOB_MODES:
        raise GitError(f"{revision}: the registry {inside} is not a regular file in that commit")
    (data,) = _blobs([entry], top, commit)
    return Snapshot(commit, False, ((path, data),))


def ledger_at(
    path: Path, revision: str, *, use_cache: bool = True, timezone: str, today: date | None = None
) -> tuple[Ledger, Commit]:
    """The registry at `path` as it was in `revision`, read as `Registry` reads its bytes
    (through the cache, when these very bytes were read before); `RegistryInvalid` naming
    the revision when it did not validate there."""
    from wrrtrack import _cache, clock
    from wrrtrack._reading import Bytes, cached, collector_paused

    shot = snapshot(path, revision)
    read = (
        Bytes(b"", shot.files, folder=True)
        if shot.folder
        else Bytes(shot.files[0][1], (), folder=False)
    )
    with collector_paused():
        digest = read.key() if use_cache else None
        parsed = cached(digest, path, today, timezone) if digest else None
        if parsed is None:
            reading = read.reading(path, today or clock.today(timezone))
            if reading.parsed is None:
                raise InvalidAtRevision(shot.commit, reading.problems)
            parsed = reading.parsed
            if digest:
                _cache.store(digest, parsed)
    return parsed.ledger, shot.commit


class InvalidAtRevision(RegistryInvalid):
    """The registry as it was in a commit did not validate there: one line that names the
    revision and the first problem (the problems are all in `problems`)."""

    def __init__(self, commit: Commit, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.commit = commit

    def __str__(self) -> str:
        count = len(self.problems)
        first = self.problems[0] if self.problems else "unknown problem"
        more = f" (and {count - 1} more)" if count > 1 else ""
        return (
            f"{self.commit.revision}: the registry did not validate in that commit: {first}{more}"
        )

    def lines(self) -> list[str]:
        return [str(self)]


def tracked(path: Path) -> bool:
    """Whether git tracks the file `path`, so that its last committed text is kept (False
    where git is missing, or `path` is in no repository)."""
    try:
        done = subprocess.run(  # noqa: S603 (a fixed argument list, no shell)
            ["git", "ls-files", "--error-unmatch", "--", path.name],  # noqa: S607
            cwd=path.parent,
            capture_output=True,
            check=False,
            timeout=30,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
