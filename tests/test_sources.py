"""Reading stored source texts: only regular files inside the registry's folder, never
blocking, never showing what a refused file holds; and their fingerprints."""

from __future__ import annotations

import hashlib
import os
import socket
import sys
import threading
from pathlib import Path

import pytest

from tests.conftest import ROOT
from wrrtrack import _sources as sources
from wrrtrack._errors import SourceRefused

# Symbolic links need a privilege on Windows, which has no FIFOs, devices or Unix sockets.
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX links, FIFOs and devices")

HIDDEN = "geheim-dat-nooit-getoond-wordt"


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A registry folder with one good source, and a hidden file beside the folder."""
    inside = tmp_path / "registry"
    (inside / "sources").mkdir(parents=True)
    (inside / "sources" / "a.txt").write_text("Een zin.\n", encoding="utf-8")
    (tmp_path / "hidden.txt").write_text(HIDDEN, encoding="utf-8")
    return inside


def refusal(folder: Path, relative: str) -> str:
    with pytest.raises(SourceRefused) as info:
        sources.read_bytes(folder, relative)
    message = str(info.value)
    assert HIDDEN not in message
    return info.value.reason


def test_a_relative_path_inside_the_folder_is_read(folder: Path) -> None:
    assert sources.read_bytes(folder, "sources/a.txt") == b"Een zin.\n"
    assert sources.read_text(folder, "./sources/a.txt") == "Een zin.\n"


@POSIX
def test_a_symbolic_link_that_stays_inside_is_followed(folder: Path) -> None:
    (folder / "link.txt").symlink_to("sources/a.txt")
    assert sources.read_bytes(folder, "link.txt") == b"Een zin.\n"


@pytest.mark.parametrize(
    ("relative", "reason"),
    [
        ("../hidden.txt", "the path may not leave the registry's folder ('..')"),
        ("sources/../../hidden.txt", "the path may not leave the registry's folder ('..')"),
        ("/etc/passwd", "the path must be relative to the registry's folder"),
        ("/proc/self/environ", "the path must be relative to the registry's folder"),
        ("/dev/zero", "the path must be relative to the registry's folder"),
        ("C:/Windows/win.ini", "the path must be relative to the registry's folder"),
        ("sources\\a.txt", "use '/' between folders, not '\\'"),
        ("", "the path is empty"),
        ("a\0b", "the path holds a NUL character"),
    ],
)
def test_paths_that_leave_the_folder_are_refused_by_their_form(
    folder: Path, relative: str, reason: str
) -> None:
    assert refusal(folder, relative) == reason


@POSIX
def test_a_symbolic_link_pointing_out_is_refused(folder: Path) -> None:
    (folder / "sources" / "out.txt").symlink_to(folder.parent / "hidden.txt")
    (folder / "environ").symlink_to("/proc/self/environ")
    (folder / "outdir").symlink_to(folder.parent)
    for relative in ("sources/out.txt", "environ", "outdir/hidden.txt"):
        assert refusal(folder, relative) == (
            "the path leads outside the registry's folder (through a symbolic link)"
        )


@POSIX
def test_a_fifo_is_refused_without_blocking(folder: Path) -> None:
    os.mkfifo(folder / "pipe")
    # Were it opened for reading without O_NONBLOCK, this would wait forever for a writer.
    done = threading.Event()
    reasons: list[str] = []

    def attempt() -> None:
        reasons.append(refusal(folder, "pipe"))
        done.set()

    threading.Thread(target=attempt, daemon=True).start()
    assert done.wait(5), "reading a FIFO blocked"
    assert reasons == ["is a FIFO (named pipe), not a regular file"]


@POSIX
def test_a_device_a_directory_and_a_socket_are_refused(folder: Path, tmp_path: Path) -> None:
    (folder / "zero").symlink_to("/dev/zero")  # leaves the folder: refused by where it leads
    assert "outside" in refusal(folder, "zero")
    assert refusal(folder, "sources") == "is a directory, not a regular file"
    with socket.socket(socket.AF_UNIX) as sock:
        short = Path(os.path.relpath(folder / "s.sock"))  # AF_UNIX paths are short
        sock.bind(str(short))
        assert refusal(folder, "s.sock") == "is a socket, not a regular file"


def test_a_device_node_inside_the_folder_is_refused_before_it_is_opened(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Creating a device node needs root; a stat result that says "character device" is
    # what the check sees, and `os.open` must then never be called.
    real_stat = Path.stat

    def as_device(self: Path, **kwargs: bool) -> os.stat_result:
        result = real_stat(self, **kwargs)
        if self.name != "a.txt":
            return result
        fields = list(result)
        fields[0] = 0o20666  # S_IFCHR | rw-rw-rw-
        return os.stat_result(fields)

    def never(*args: object) -> int:
        raise AssertionError("a device was opened")

    monkeypatch.setattr(Path, "stat", as_device)
    monkeypatch.setattr(os, "open", never)
    assert refusal(folder, "sources/a.txt") == "is a device, not a regular file"


def test_size_limit(folder: Path) -> None:
    (folder / "big.txt").write_bytes(b"x" * 101)
    with pytest.raises(SourceRefused) as info:
        sources.read_bytes(folder, "big.txt", limit=100)
    assert info.value.reason == "the file is 101 bytes, over the limit of 100"
    assert sources.read_bytes(folder, "big.txt", limit=101) == b"x" * 101
    assert sources.SIZE_LIMIT == 20 * 1024 * 1024


def test_a_missing_file_is_left_to_the_caller(folder: Path) -> None:
    with pytest.raises(FileNotFoundError):
        sources.read_bytes(folder, "sources/none.txt")


def test_bytes_that_are_not_utf8_are_placed_but_not_shown(folder: Path) -> None:
    (folder / "latin1.txt").write_bytes(b"caf\xe9")
    with pytest.raises(SourceRefused) as info:
        sources.read_text(folder, "latin1.txt")
    assert info.value.reason == "is not UTF-8 text (byte 4)"
    assert "xe9" not in str(info.value)


def test_fingerprint_and_state(folder: Path) -> None:
    data = (folder / "sources" / "a.txt").read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert sources.fingerprint(data) == digest
    assert sources.state(folder, "sources/a.txt", digest) == "ok"
    assert sources.state(folder, "sources/a.txt", digest.upper()) == "ok"
    assert sources.state(folder, "sources/a.txt", None) == "ok"
    (folder / "sources" / "a.txt").write_text("Een andere zin.\n", encoding="utf-8")
    assert sources.state(folder, "sources/a.txt", digest) == "changed"
    assert sources.state(folder, "sources/none.txt", digest) == "missing"
    assert sources.state(folder, "../hidden.txt", digest) == "refused"


def test_the_shipped_sources_are_read_through_the_guard() -> None:
    data = sources.read_bytes(ROOT / "data", "sources/kabinetsreactie-wrr-103.txt")
    assert sources.fingerprint(data) == (
        "378be4b49c808fdee162063404ee25781a0f02f743477ed916af9f329b9bb7cc"
    )


@POSIX
def test_a_fifo_that_passes_the_first_check_still_cannot_block(
    folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The path could be swapped for a FIFO between the check and the open: the open is
    # non-blocking and the open descriptor is checked again.
    os.mkfifo(folder / "pipe")
    regular = (folder / "sources" / "a.txt").stat()
    real_stat = Path.stat
    monkeypatch.setattr(
        Path, "stat", lambda self, **kw: regular if self.name == "pipe" else real_stat(self, **kw)
    )
    done = threading.Event()
    reasons: list[str] = []

    def attempt() -> None:
        reasons.append(refusal(folder, "pipe"))
        done.set()

    threading.Thread(target=attempt, daemon=True).start()
    assert done.wait(5), "opening a FIFO blocked"
    assert reasons == ["is a FIFO (named pipe), not a regular file"]


def test_the_example_registry_carries_its_own_copy_of_the_source() -> None:
    # Its source may not be reached by '..': it keeps a byte-for-byte copy beside it.
    example = ROOT / "docs" / "examples" / "sources" / "kabinetsreactie-wrr-103.txt"
    shipped = ROOT / "data" / "sources" / "kabinetsreactie-wrr-103.txt"
    assert example.read_bytes() == shipped.read_bytes()
