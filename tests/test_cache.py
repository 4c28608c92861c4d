"""The parse cache: believed only for the exact bytes it was made from, never an error."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SHIPPED, Result, Runner
from wrrtrack import _cache as cache
from wrrtrack._registry import Registry


def entries(tmp_path: Path) -> list[Path]:
    folder = tmp_path / "cache"
    return sorted(folder.glob("*.json")) if folder.exists() else []


def test_a_read_fills_the_cache_and_the_next_read_uses_it(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Registry.open(registry)
    assert [p.stem for p in entries(tmp_path)] == [cache.key(registry.read_bytes())]

    def no_parsing(*args: object) -> None:
        raise AssertionError("parsed although the cache had these bytes")

    monkeypatch.setattr("wrrtrack._reading._parse", no_parsing)
    assert Registry.open(registry).get("wrr103-7").status == "uitgevoerd"


def test_an_edited_registry_is_never_answered_from_the_stale_entry(
    registry: Path, cli: Runner
) -> None:
    assert cli("-r", registry, "show", "wrr103-6", "-f", "json").json()["status"] == "open"
    text = registry.read_text(encoding="utf-8")
    edited = text.replace(
        '    status: open\n    quotes:\n      - "Het kabinet onderschrijft',
        '    status: vervallen\n    quotes:\n      - "Het kabinet onderschrijft',
    )
    edited = edited.replace(
        "      - date: 2025-07-04\n        status: open\n",
        "      - date: 2025-07-04\n        status: vervallen\n",
    )
    assert edited != text
    registry.write_text(edited, encoding="utf-8")
    assert cli("-r", registry, "show", "wrr103-6", "-f", "json").json()["status"] == "vervallen"
    # And an edit that breaks the file is reported, not hidden behind the old entry.
    registry.write_text(edited.replace("stance: toegezegd", "stance: beloofd"), encoding="utf-8")
    assert cli("-r", registry, "list").code == 1


def headed(header: dict[str, Any], payload: bytes) -> bytes:
    return json.dumps(header).encode() + b"\n" + payload


@pytest.mark.parametrize(
    "damage",
    [
        lambda head, body: b"{not json",
        lambda head, body: b"",
        lambda head, body: headed({**head, "version": "0.0.0"}, body),
        lambda head, body: headed({**head, "key": "0" * 64}, body),
        lambda head, body: headed({**head, "size": head["size"] + 1}, body),
        lambda head, body: headed({**head, "format": 99}, body),
        lambda head, body: headed(head, body.replace(b'"wrr103-7"', b'"wrr103-8"')),
        lambda head, body: headed({**head, "check": "0" * 64}, body),
        lambda head, body: headed(head, b'{"recommendations": [["x"]]}'),
        lambda head, body: b"\xff\xfe",
    ],
    ids=[
        "not json",
        "empty",
        "other version",
        "foreign key",
        "other size",
        "other format",
        "changed payload",
        "other check",
        "wrong shape",
        "binary",
    ],
)
def test_a_corrupt_or_foreign_entry_is_ignored_and_replaced(
    registry: Path,
    tmp_path: Path,
    cli: Runner,
    damage,  # type: ignore[no-untyped-def]
) -> None:
    Registry.open(registry)
    (entry,) = entries(tmp_path)
    written = entry.read_bytes()
    first, _, payload = written.partition(b"\n")
    entry.write_bytes(damage(json.loads(first), payload))
    result = cli("-r", registry, "list", "-f", "ids")
    assert result.code == 0, result.err
    assert result.out.split()[-1] == "wrr103-7"
    assert result.err == ""
    assert entry.read_bytes() == written  # rebuilt: what a first read writes, not the damage


def test_no_cache_option_neither_reads_nor_writes_it(
    registry: Path, tmp_path: Path, cli: Runner
) -> None:
    assert cli("-r", registry, "--no-cache", "list").code == 0
    assert entries(tmp_path) == []


def test_an_unwritable_cache_directory_is_no_error(
    registry: Path, tmp_path: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x", encoding="utf-8")
    monkeypatch.setenv(cache.ENV_VAR, str(blocker / "cache"))
    result = cli("-r", registry, "list", "-f", "ids")
    assert (result.code, result.err) == (0, "")


def test_a_write_updates_the_cache_instead_of_rebuilding_it(
    registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    opened = Registry.open(registry)
    monkeypatch.setattr("wrrtrack._reading._parse", lambda *a: pytest.fail("full parse"))
    opened.set_status("wrr103-2", "uitgevoerd", by="x")
    assert cache.key(registry.read_bytes()) in [p.stem for p in entries(tmp_path)]
    monkeypatch.undo()
    assert Registry.open(registry)._parsed == Registry.open(registry, use_cache=False)._parsed


def test_cache_location_follows_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv(cache.ENV_VAR)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.directory() == tmp_path / "xdg" / "wrrtrack"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache.directory() == tmp_path / "home" / ".cache" / "wrrtrack"


def test_a_write_replaces_the_entry_of_the_bytes_it_replaced(
    registry: Path, tmp_path: Path
) -> None:
    Registry.open(registry).set_status("wrr103-5", "vervallen", note="x", by="x")
    assert [p.stem for p in entries(tmp_path)] == [cache.key(registry.read_bytes())]


def test_temporary_files_of_killed_cache_writers_are_removed(
    registry: Path, tmp_path: Path
) -> None:
    import os

    from wrrtrack.storage import TEMP_MARK

    folder = tmp_path / "cache"
    folder.mkdir()
    dead = folder / f".{'0' * 64}.json{TEMP_MARK}123-abcd0123"
    recent = folder / f".{'1' * 64}.json{TEMP_MARK}456-ef012345"
    for leftover in (dead, recent):
        key = leftover.name[1:65]
        leftover.write_text(f'{{"format": 1, "version": "0.1.0", "key": "{key}", "re', "utf-8")
    os.utime(dead, (0, 0))
    Registry.open(registry)  # writes an entry, and prunes
    assert not dead.exists()
    assert recent.exists()  # perhaps a writer still at work


def test_the_cache_keeps_at_most_its_limit_of_entries(registry: Path, tmp_path: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    for n in range(cache.KEEP + 3):
        registry.write_text(text + f"# version {n}\n", encoding="utf-8")
        Registry.open(registry)
    kept = entries(tmp_path)
    assert len(kept) == cache.KEEP
    assert cache.key(registry.read_bytes()) in [p.stem for p in kept]  # the newest stays


@pytest.mark.slow
def test_a_change_to_the_code_is_never_answered_from_the_cache(tmp_path: Path) -> None:
    """An editable install: a label changed in the code shows at once, cache or not."""
    import subprocess
    import sys

    import wrrtrack

    package = tmp_path / "code" / "wrrtrack"
    shutil.copytree(Path(wrrtrack.__file__).parent, package)

    def show() -> str:
        done = subprocess.run(
            [sys.executable, "-m", "wrrtrack", "-r", SHIPPED, "show", "wrr103-7", "--lang", "en"],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "PYTHONPATH": str(package.parent)},
            timeout=60,
        )
        return done.stdout

    assert "stance   toegezegd (committed)" in show()
    assert len(entries(tmp_path)) == 1  # the parse, labels included, is in the cache
    vocabulary = package / "_vocabulary.py"
    source = vocabulary.read_text(encoding="utf-8")
    vocabulary.write_text(source.replace('"committed"', '"promised"', 1), encoding="utf-8")
    assert "stance   toegezegd (promised)" in show()
    # Both versions keep an entry of their own in the shared folder: neither replaces the
    # other's, so running them in turn is answered from the cache each time.
    assert len(entries(tmp_path)) == 2
    kept = {p: p.read_bytes() for p in entries(tmp_path)}
    assert "stance   toegezegd (promised)" in show()
    assert {p: p.read_bytes() for p in entries(tmp_path)} == kept


def own_looking_files(folder: Path) -> dict[Path, bytes]:
    """Files a user or another program keeps in a shared cache directory, some of them
    named like ours, all older than any cache entry."""
    from wrrtrack.storage import TEMP_MARK

    folder.mkdir(parents=True, exist_ok=True)
    files = {
        folder / "notes.json": b'{"mine": true}',
        folder / "photo.jpg": b"\xff\xd8",
        folder / f"{'a' * 64}.json": b'{"format": 1, "key": "not ours"}',
        folder / f"{'b' * 64}.json": b"someone else's data",
        folder / f".{'c' * 64}.json{TEMP_MARK}1-deadbeef": b"foreign",
        folder / f".x{TEMP_MARK}1-deadbeef": b"",
    }
    for path, data in files.items():
        path.write_bytes(data)
        os.utime(path, (0, 0))
    return files


def test_a_shared_cache_directory_keeps_every_file_wrrtrack_did_not_write(
    registry: Path, tmp_path: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    shared = tmp_path / "shared"
    monkeypatch.setenv(cache.ENV_VAR, str(shared))
    theirs = own_looking_files(shared)
    monkeypatch.setattr(cache, "KEEP", 1)  # prune on every write
    for step in range(3):
        changed = cli("-r", registry, "status", "set", "wrr103-3", "open", "--note", f"n{step}")
        assert changed.code == 0
        assert cli("-r", registry, "list", "--format", "ids").code == 0
    assert cli("-r", registry, "list", "--status", "klaar").code == 2  # a failing command
    assert {path: path.read_bytes() for path in theirs} == theirs
    ours = sorted(p.name for p in shared.iterdir() if p not in theirs)
    assert ours == [f"{cache.key(registry.read_bytes())}.json"]


def test_a_failing_command_writes_no_cache_entry(
    registry: Path, tmp_path: Path, cli: Runner
) -> None:
    result = cli("-r", registry, "list", "--status", "klaar")
    assert result.code == 2
    assert not (tmp_path / "cache").exists()
    result = cli("-r", registry, "show", "wrr103-99")
    assert result.code == 1
    assert not (tmp_path / "cache").exists()
    assert cli("-r", registry, "show", "wrr103-1").code == 0
    assert len(entries(tmp_path)) == 1


def test_no_home_and_no_cache_setting_is_no_error(
    registry: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(cache.ENV_VAR)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.delenv("HOME", raising=False)

    def no_home() -> Path:
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.setattr(Path, "home", staticmethod(no_home))
    assert cache.directory() is None
    result = cli("-r", registry, "status", "set", "wrr103-6", "open", "--note", "x", "--by", "y")
    assert (result.code, result.err.split(" (")[0]) == (0, "wrr103-6: note")
    assert registry.read_text(encoding="utf-8").count("note: x") == 1
    assert cli("-r", registry, "list", "--format", "ids").code == 0


# --- a cache that cannot lie: what is in the directory is checked, never believed -----------

REAL_TITLE = "Met gemeenten uitwerken wat het advies betekent voor het lokale beleid"
FORGED_TITLE = "Vervalst: de minister is afgetreden en het advies is vervallen"


def filled(cli: Runner, registry: Path, tmp_path: Path) -> Path:
    """The one cache entry a first read of `registry` writes."""
    assert cli("-r", registry, "list", "-f", "ids").code == 0
    (entry,) = entries(tmp_path)
    return entry


def title_of(cli: Runner, registry: Path) -> Result:
    return cli("-r", registry, "show", "wrr103-1", "-f", "json")


def test_a_forged_entry_shows_the_real_title(layout: Path, tmp_path: Path, cli: Runner) -> None:
    entry = filled(cli, layout, tmp_path)
    data = entry.read_bytes()
    assert REAL_TITLE.encode() in data
    entry.write_bytes(data.replace(REAL_TITLE.encode(), FORGED_TITLE.encode()))
    shown = title_of(cli, layout)
    assert shown.code == 0, shown.err
    assert shown.json()["title"].startswith(REAL_TITLE)
    listed = cli("-r", layout, "list", "-f", "json")
    assert FORGED_TITLE not in listed.out
    assert REAL_TITLE in listed.out
    report = cli("-r", layout, "report")
    assert report.code == 0
    assert FORGED_TITLE not in report.out


def contents(layout: Path) -> dict[Path, bytes]:
    files = [layout] if layout.is_file() else sorted(layout.glob("*.yaml"))
    return {path: path.read_bytes() for path in files}


def test_a_forged_entry_does_not_let_add_write_a_duplicate_id(
    layout: Path, tmp_path: Path, cli: Runner
) -> None:
    entry = filled(cli, layout, tmp_path)
    entry.write_bytes(entry.read_bytes().replace(b'"wrr103-1"', b'"wrr103-0"'))
    before = contents(layout)
    added = cli(
        "-r", layout, "add", "wrr103-1", "--report", "wrr-103", "--title", "Tweede",
        "--theme", "algemeen", "--stance", "onderschreven", "--actor", "rijk",
        "--quote", "Het kabinet deelt ook de analyse dat gemeenten een belangrijke rol spelen",
    )  # fmt: skip
    assert added.code == 1
    assert "wrr103-1" in added.err
    assert contents(layout) == before


def parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    """The registries parsed in full from now on (a cache hit parses none)."""
    from wrrtrack import _reading

    seen: list[Path] = []
    original = _reading._parse

    def counted(path: Path, *args: Any) -> Any:
        seen.append(path)
        return original(path, *args)

    monkeypatch.setattr(_reading, "_parse", counted)
    return seen


def test_a_cache_directory_others_can_write_is_not_read(
    layout: Path, tmp_path: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = filled(cli, layout, tmp_path)
    written = entry.read_bytes()
    entry.parent.chmod(0o777)
    seen = parses(monkeypatch)
    shown = title_of(cli, layout)
    assert shown.code == 0
    assert len(seen) == 1  # parsed: the entry, although right, was not believed
    folder = entry.parent
    assert shown.err == (
        f"warning: the cache directory {folder} can be written by other users; its entries "
        f"are not used (make it yours alone: chmod go-w {folder}; or set WRRTRACK_CACHE_DIR "
        "to a directory of your own)\n"
    )
    assert title_of(cli, layout).err == ""  # one warning per process
    assert cli("-r", layout, "status", "set", "wrr103-1", "open", "--note", "n").code == 0
    assert entries(tmp_path) == [entry]  # nor written to
    assert entry.read_bytes() == written


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX owners")
def test_a_cache_directory_of_another_user_is_not_read(
    layout: Path, tmp_path: Path, cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = filled(cli, layout, tmp_path)
    entry.write_bytes(entry.read_bytes().replace(REAL_TITLE.encode(), FORGED_TITLE.encode()))
    folder = entry.parent
    if os.getuid() == 0:
        os.chown(folder, 4321, -1)
        owner = 4321
    else:  # cannot give it away: be someone else instead
        owner = os.getuid()
        monkeypatch.setattr(os, "getuid", lambda: owner + 1)
    seen = parses(monkeypatch)
    shown = title_of(cli, layout)
    assert shown.code == 0
    assert shown.json()["title"].startswith(REAL_TITLE)
    assert len(seen) == 1
    assert shown.err == (
        f"warning: the cache directory {folder} belongs to another user (uid {owner}); its "
        "entries are not used (set WRRTRACK_CACHE_DIR to a directory of your own, "
        "or pass --no-cache)\n"
    )


def run_wrrtrack(*args: str | Path, memory: int | None = None) -> subprocess.CompletedProcess[str]:
    """The installed program, ended after 60 seconds (a hang fails the test, not the
    suite), with at most `memory` bytes of address space where the system can limit it."""

    def limited() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))

    return subprocess.run(
        [str(Path(sys.executable).parent / "wrrtrack"), *map(str, args)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        preexec_fn=limited if memory and sys.platform == "linux" else None,
    )


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_fifo_named_like_an_entry_does_not_hang(
    layout: Path, tmp_path: Path, cli: Runner
) -> None:
    entry = filled(cli, layout, tmp_path)
    entry.unlink()
    os.mkfifo(entry)
    result = run_wrrtrack("-r", layout, "show", "wrr103-1", "-f", "json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"].startswith(REAL_TITLE)
    assert result.stderr.startswith(f"warning: the cache directory {entry.parent}: {entry.name} ")
    assert "a named pipe (FIFO)" in result.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="sparse files and an address-space limit")
@pytest.mark.parametrize("how", ["link", "file"])
def test_a_huge_file_named_like_an_entry_is_not_read(
    layout: Path, tmp_path: Path, cli: Runner, how: str
) -> None:
    entry = filled(cli, layout, tmp_path)
    entry.unlink()
    huge = tmp_path / "huge" if how == "link" else entry
    with huge.open("wb") as handle:
        handle.truncate(3 * 1024**3)  # sparse: 3 GB that take no room on disk
    if how == "link":
        entry.symlink_to(huge)
    result = run_wrrtrack("-r", layout, "show", "wrr103-1", "-f", "json", memory=1024**3)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["title"].startswith(REAL_TITLE)
    why = "a symbolic link" if how == "link" else "3,221,225,472 bytes"
    assert result.stderr.startswith(f"warning: the cache directory {entry.parent}: {entry.name} ")
    assert why in result.stderr
