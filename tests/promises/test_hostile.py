"""Hostile surroundings: what is not ours stays untouched, a write is never denied, and no
condition of the machine ends in a traceback.

In-process cases use the `cli` runner; conditions that only exist between processes
(closed descriptors, /dev/full, a deleted working directory, odd environments) run the
installed `wrrtrack` as a subprocess.
"""

from __future__ import annotations

import csv
import io
import json
import os
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from tests.conftest import Runner
from wrrtrack import storage
from wrrtrack._registry import Registry
from wrrtrack.cli import main

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="a POSIX condition")
BIN = Path(sys.executable).parent / "wrrtrack"


def snapshot(*folders: Path) -> dict[Path, bytes | str]:
    """Every file and link below `folders`, with its bytes (or link target)."""
    found: dict[Path, bytes | str] = {}
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_symlink():
                found[path] = f"-> {path.readlink()}"
            elif path.is_file():
                found[path] = path.read_bytes()
            elif not path.is_dir():
                found[path] = f"special {stat.S_IFMT(path.lstat().st_mode)}"
    return found


def shell(
    command: str, cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[bytes]:
    """`command` in sh, with `wrrtrack` the installed program."""
    return subprocess.run(
        ["/bin/sh", "-c", command.replace("wrrtrack ", f"{BIN} ")],
        cwd=cwd,
        capture_output=True,
        timeout=60,
        check=False,
        env={**os.environ, **(env or {})},
    )


def no_traceback(result: subprocess.CompletedProcess[bytes]) -> None:
    assert b"Traceback" not in result.stderr, result.stderr.decode(errors="replace")


# --- 1. never touch what isn't ours: --output ----------------------------------------------


@pytest.fixture
def specials(tmp_path: Path) -> Iterator[dict[str, Path]]:
    """A FIFO, a socket, a directory and a device, each a place --output must refuse."""
    folder = tmp_path / "specials"
    folder.mkdir()
    fifo = folder / "pipe"
    os.mkfifo(fifo)
    sock_path = folder / "sock"
    server = socket.socket(socket.AF_UNIX)
    server.bind(str(sock_path))
    try:
        yield {"fifo": fifo, "socket": sock_path, "directory": folder, "device": Path("/dev/null")}
    finally:
        server.close()


@POSIX
@pytest.mark.parametrize(
    ("kind", "message"),
    [
        ("fifo", "is a named pipe (FIFO)"),
        ("socket", "is a socket"),
        ("directory", "is a directory"),
        ("device", "is a device"),
    ],
)
def test_output_refuses_fifos_devices_sockets_and_directories(
    cli: Runner, registry: Path, specials: dict[str, Path], kind: str, message: str
) -> None:
    before = snapshot(registry.parent, specials["directory"])
    result = cli("-r", registry, "report", "--output", specials[kind])
    assert result.code == 1
    assert result.err == (
        f"error: {specials[kind]} {message}; --output writes only a new file or over a "
        "regular file\n"
    )
    assert snapshot(registry.parent, specials["directory"]) == before
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


def test_output_refuses_a_trailing_slash_the_registry_and_its_source(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    source = registry.parent / "sources" / "kabinetsreactie-wrr-103.txt"
    link = tmp_path / "link-to-registry.yaml"
    os.link(registry, link)  # the same file under another name
    before = snapshot(tmp_path)
    cases = {
        f"{tmp_path / 'new'}/": "names a directory (it ends in '/'); name a file",
        str(registry): "is the registry; --output would destroy it. Name another file",
        str(link): "is the registry; --output would destroy it. Name another file",
        str(source): "is a source text of the registry; --output would destroy it. "
        "Name another file",
    }
    for name, message in cases.items():
        result = cli("-r", registry, "report", "--output", name)
        assert (result.code, result.err) == (1, f"error: {name} {message}\n")
    assert snapshot(tmp_path) == before


def test_output_dash_is_stdout(cli: Runner, registry: Path, tmp_path: Path) -> None:
    os.chdir(tmp_path)
    try:
        result = cli("-r", registry, "report", "--output", "-")
    finally:
        os.chdir(registry.parent.parent)
    assert result.code == 0
    assert result.out.startswith("# Opvolging")
    assert not (tmp_path / "-").exists()


# --- 1. never touch what isn't ours: init ---------------------------------------------------


def test_init_writes_a_configuration_that_wins_over_a_parent_one(
    cli: Runner, registry: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import tomllib

    (tmp_path / "wrrtrack.toml").write_text(f'registry = "{registry}"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("init", "kopie")
    assert (result.code, result.err) == (
        0,
        "created kopie/data/recommendations.yaml, its source text and kopie/wrrtrack.toml\n"
        "to use it, run: cd kopie && wrrtrack list\n",
    )
    config = tomllib.loads((tmp_path / "kopie" / "wrrtrack.toml").read_text(encoding="utf-8"))
    assert config == {
        "registry": "data/recommendations.yaml",
        "lang": "nl",
        "timezone": "Europe/Amsterdam",
    }
    monkeypatch.chdir(tmp_path / "kopie")
    assert cli("status", "set", "wrr103-5", "vervallen", "--by", "x").code == 0
    assert "vervallen" in (tmp_path / "kopie" / "data" / "recommendations.yaml").read_text()
    assert "vervallen" not in registry.read_text(encoding="utf-8")  # the parent's registry
    (tmp_path / "empty").mkdir()
    monkeypatch.chdir(tmp_path / "empty")
    assert cli("init").err.endswith("to use it, run: wrrtrack list\n")


@pytest.mark.skipif(sys.platform == "win32", reason="symbolic links need a privilege on Windows")
@pytest.mark.parametrize("existing", ["wrrtrack.toml", "data/recommendations.yaml", "data"])
def test_init_overwrites_nothing_and_writes_through_no_link(
    cli: Runner, tmp_path: Path, existing: str
) -> None:
    target = tmp_path / "dir"
    (target / "data").mkdir(parents=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    if existing == "data":  # a link where init would create its data directory
        (target / "data").rmdir()
        (target / "data").symlink_to(elsewhere)
    else:  # a dangling link: following it would create a file elsewhere
        (target / existing).symlink_to(elsewhere / "victim")
    before = snapshot(tmp_path)
    result = cli("init", target)
    assert result.code == 1
    assert result.err.startswith("error: ")
    assert snapshot(tmp_path) == before
    assert list(elsewhere.iterdir()) == []


def test_init_that_fails_part_way_removes_what_it_created(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_write = os.write
    calls = []

    def full_disk(fd: int, data: bytes | memoryview) -> int:
        calls.append(fd)
        if len(calls) == 16:  # the last file: wrrtrack.toml, after the registry, 13 sources, schema
            raise OSError(28, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr("wrrtrack.cli._init.os.write", full_disk)
    result = cli("init", tmp_path / "new" / "dir")
    assert result.code == 1
    assert result.err == (
        f"error: {tmp_path / 'new' / 'dir' / 'wrrtrack.toml'}: cannot write: No space left "
        "on device; removed what init had created\n"
    )
    assert list(tmp_path.iterdir()) == []


# --- 2. never lie about a write -------------------------------------------------------------


def test_a_write_is_success_whatever_fails_after_it(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("bookkeeping failed")

    monkeypatch.setattr("wrrtrack._cache.forget", broken)
    result = cli("-r", registry, "status", "set", "wrr103-3", "uitgevoerd", "--by", "x")
    assert result.code == 0, result.err
    monkeypatch.undo()

    def unprintable(message: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("wrrtrack.cli._streams.say", unprintable)
    result = cli("-r", registry, "status", "set", "wrr103-3", "open", "--by", "y")
    assert result.code == 0
    assert result.err == (
        f"warning: {registry} was written; then: cannot write the output: No space left on device\n"
    )
    history = Registry.open(registry, use_cache=False).get("wrr103-3").history
    assert [(c.status, c.by) for c in history[-2:]] == [("uitgevoerd", "x"), ("open", "y")]


@POSIX
@pytest.mark.slow
def test_status_set_with_stderr_full_or_no_home_exits_0_and_writes_once(
    registry: Path, tmp_path: Path
) -> None:
    env = {"WRRTRACK_CACHE_DIR": ""}
    result = shell(
        "wrrtrack status set wrr103-3 uitgevoerd --note full --by x 2>/dev/full",
        registry.parent.parent,
        env,
    )
    assert result.returncode == 0
    no_home = {k: v for k, v in os.environ.items() if k not in ("HOME", "WRRTRACK_CACHE_DIR")}
    done = subprocess.run(
        [BIN, "status", "set", "wrr103-3", "open", "--note", "no home", "--by", "x"],
        cwd=registry.parent.parent,
        env=no_home,
        capture_output=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    text = registry.read_text(encoding="utf-8")
    assert (text.count("note: full"), text.count("note: no home")) == (1, 1)


# --- 3. text from files and arguments is inert ---------------------------------------------

HOSTILE = "[bold red]Rood[/] \x1b[31mESC\x1b[0m \x1b]0;titel\x07 \u202eomgekeerd"


def with_hostile_text(registry: Path) -> None:
    from wrrtrack._yamlfile import yaml_scalar

    text = registry.read_text(encoding="utf-8")
    text = text.replace('"Een meer integrale ontvangst van alle nieuwkomers"', yaml_scalar(HOSTILE))
    entry = "        status: in-verkenning\n"  # wrr103-1's first history entry
    text = text.replace(entry, f"{entry}        by: {yaml_scalar(HOSTILE)}\n", 1)
    text = text.replace('"Kamerstuk 29 861, nr. 70"\n', yaml_scalar("[link]x[/link]") + "\n", 1)
    registry.write_text(text, encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "wrr103-2"],
        ["status", "history", "wrr103-1"],
        ["status", "history", "wrr103-2"],
        ["report"],
        ["report", "--lang", "en"],
        ["validate"],
        ["list", "--format", "csv"],
        ["list", "--json"],
        ["show", "wrr103-2", "--json"],
        ["status", "history", "wrr103-1", "--json"],
    ],
)
def test_markup_and_escape_sequences_are_shown_literally_at_a_terminal(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    with_hostile_text(registry)
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "400")
    result = cli("-r", registry, *args)
    assert result.code == 0, result.err
    shown = result.out + result.err
    for raw in ("\x1b", "\x07", "\u202e"):
        assert raw not in shown
    if "--json" in args:  # the same text, escaped as JSON escapes it
        shown = shown.replace("\\u001b", "\\x1b")
    if args[0] in ("list", "show", "report") or args[:3] == ["status", "history", "wrr103-1"]:
        if args[0] == "report":  # Markdown escapes the brackets and the backslash once more
            shown = shown.replace("\\[", "[").replace("\\]", "]").replace("\\\\", "\\")
        assert "[bold red]Rood[/]" in shown
        assert "\\x1b[31mESC" in shown
    if args == ["list"]:
        assert "[link]x[/link]" in shown  # the caption names the reaction


def test_json_escapes_what_would_drive_a_terminal_and_means_the_same() -> None:
    from wrrtrack.render.machine import to_json

    text = "C1 \x9b31m DEL \x7f bidi \u202e\u2066 ESC \x1b ë"
    out = to_json({"t": text})
    assert json.loads(out) == {"t": text}
    for raw in ("\x9b", "\x7f", "\u202e", "\u2066", "\x1b"):
        assert raw not in out
    assert "ë" in out  # letters stay as they are


def test_csv_at_a_terminal_and_piped_shows_control_characters_escaped(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with_hostile_text(registry)
    escaped = HOSTILE.replace("\x1b", "\\x1b").replace("\x07", "\\x07")
    escaped = escaped.replace("\u202e", "\\u202e")
    for command in (["list"], ["export"]):
        piped = cli("-r", registry, *command, "--format", "csv").out
        rows = list(csv.reader(io.StringIO(piped, newline="")))
        assert rows[2][1] == escaped  # a file a pipe fills is shown with `cat` too
        monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
        shown = cli("-r", registry, *command, "--format", "csv").out
        monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: False)
        assert "\\x1b[31mESC" in shown
        assert shown.count("\n") == piped.count("\n")  # one line per row still
    # The data itself, for scripts: in the file --output writes.
    assert cli("-r", registry, "export", "-f", "csv", "--output", tmp_path / "x.csv").code == 0
    with (tmp_path / "x.csv").open(encoding="utf-8", newline="") as exported:
        assert list(csv.reader(exported))[2][1] == HOSTILE


def test_csv_quotes_line_breaks_and_neutralises_formulas_after_them(
    cli: Runner, registry: Path
) -> None:
    from wrrtrack._yamlfile import yaml_scalar

    title = "Titel\r=2+5\n+SUM(A1)\r\n@x"
    text = registry.read_text(encoding="utf-8").replace(
        '"Een meer integrale ontvangst van alle nieuwkomers"', yaml_scalar(title)
    )
    only_cr = "Gedifferentieerde inburgeringsvoorzieningen\r=2+5"
    text = text.replace(
        '"Gedifferentieerde inburgeringsvoorzieningen voor alle migranten, ook voor groepen '
        'zonder inburgeringsplicht"',
        yaml_scalar(only_cr),
    )
    registry.write_text(text, encoding="utf-8")
    out = cli("-r", registry, "list", "--format", "csv").out
    rows = list(csv.reader(io.StringIO(out, newline="")))
    assert len(rows) == 8  # the line breaks stay inside their cell
    assert rows[2][1] == "Titel\r'=2+5\n'+SUM(A1)\r\n'@x"
    assert rows[3][1] == "Gedifferentieerde inburgeringsvoorzieningen\r'=2+5"
    assert '"Gedifferentieerde inburgeringsvoorzieningen\r\'=2+5"' in out  # quoted
    for row in rows:
        for cell in row:
            for line in cell.replace("\r", "\n").split("\n"):
                assert not line.startswith(("=", "+", "-", "@")), cell


# --- 4. dates are the registry's ------------------------------------------------------------


def at(moment: str, monkeypatch: pytest.MonkeyPatch, zone: str = "UTC") -> None:
    """The clock at `moment` (UTC), in a machine whose own time zone is `zone`."""
    stamp = datetime.fromisoformat(moment).replace(tzinfo=UTC).timestamp()
    monkeypatch.setattr(time, "time", lambda: stamp)
    monkeypatch.setenv("TZ", zone)
    time.tzset()


@pytest.fixture
def machine_zone() -> Iterator[None]:
    yield
    time.tzset()


@POSIX
@pytest.mark.parametrize("ci_zone", ["UTC", "Etc/GMT+12", "Pacific/Kiritimati"])
def test_a_change_made_after_midnight_in_amsterdam_validates_anywhere(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch, machine_zone: None, ci_zone: str
) -> None:
    at("2026-03-01T23:30:00", monkeypatch)  # 00:30 on 2 March in Amsterdam
    assert date.today() == date(2026, 3, 1)  # what the machine alone would say
    result = cli("-r", registry, "status", "set", "wrr103-3", "uitgevoerd", "--by", "x")
    assert result.err == f"wrr103-3: positief -> uitgevoerd (2026-03-02) in {registry}\n".replace(
        "positief", Registry.open(registry, use_cache=False).get("wrr103-3").history[-2].status
    )
    at("2026-03-01T23:31:00", monkeypatch, ci_zone)
    assert cli("-r", registry, "--no-cache", "validate").code == 0
    assert cli("-r", registry, "validate").code == 0


@POSIX
def test_cached_and_uncached_reads_give_the_same_verdict_on_future_dates(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch, machine_zone: None
) -> None:
    at("2026-03-02T12:00:00", monkeypatch)
    assert cli("-r", registry, "status", "set", "wrr103-3", "uitgevoerd", "--by", "x").code == 0
    assert cli("-r", registry, "validate").code == 0  # fills the cache
    at("2026-03-01T12:00:00", monkeypatch)  # the clock went back a day
    uncached = cli("-r", registry, "--no-cache", "list")
    cached = cli("-r", registry, "list")
    assert uncached.code == cached.code == 1
    assert cached.err == uncached.err
    assert "2026-03-02 is in the future (today is 2026-03-01)" in cached.err


def test_a_future_date_is_refused_by_the_registrys_today(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch, machine_zone: None
) -> None:
    at("2026-03-01T23:30:00", monkeypatch)
    result = cli("-r", registry, "status", "set", "wrr103-3", "open", "--date", "2026-03-03")
    assert result.err == "error: the date 2026-03-03 is in the future (today is 2026-03-02)\n"


def test_the_timezone_setting_decides_today(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch, machine_zone: None
) -> None:
    at("2026-03-01T23:30:00", monkeypatch)
    (registry.parent.parent / "wrrtrack.toml").write_text(
        'registry = "data/recommendations.yaml"\ntimezone = "America/New_York"\n', "utf-8"
    )
    monkeypatch.chdir(registry.parent.parent)
    result = cli("status", "set", "wrr103-3", "uitgevoerd", "--by", "x")
    assert "(2026-03-01)" in result.err


# --- 5. no traceback for conditions of the machine ------------------------------------------


@POSIX
@pytest.mark.slow
@pytest.mark.parametrize(
    ("command", "code", "stderr"),
    [
        ("wrrtrack list >&-", 1, b"error: cannot write the output: standard output is closed\n"),
        ("wrrtrack list 2>&- >/dev/null", 0, b""),
        ("wrrtrack bogus 2>&-", 2, b""),
        (
            "wrrtrack list >/dev/full",
            1,
            b"error: cannot write the output: No space left on device\n",
        ),
        (
            "wrrtrack show wrr103-1 >/dev/full",
            1,
            b"error: cannot write the output: No space left on device\n",
        ),
        ("wrrtrack list | head -c1 >/dev/null", 0, b""),
        ("wrrtrack report | true", 0, b""),
    ],
)
def test_closed_full_and_broken_standard_streams(
    registry: Path, command: str, code: int, stderr: bytes
) -> None:
    result = shell(command, registry.parent.parent)
    no_traceback(result)
    if "|" not in command:
        assert result.returncode == code
    assert result.stderr == stderr


@POSIX
@pytest.mark.slow
def test_a_broken_pipe_exits_0_quietly(registry: Path) -> None:
    process = subprocess.Popen(
        [BIN, "report"], cwd=registry.parent.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert process.stdout is not None
    process.stdout.read(10)
    process.stdout.close()
    _, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (0, b"")


@POSIX
@pytest.mark.slow
def test_a_deleted_working_directory(tmp_path: Path, registry: Path) -> None:
    result = shell("mkdir gone && cd gone && rmdir ../gone && wrrtrack list", tmp_path)
    no_traceback(result)
    assert (result.returncode, result.stderr) == (
        1,
        b"error: the working directory no longer exists; cd to an existing directory, "
        b"or name the registry with --registry PATH\n",
    )
    named = shell(
        f"mkdir gone && cd gone && rmdir ../gone && wrrtrack -r {registry} list -f ids", tmp_path
    )
    assert (named.returncode, named.stdout.count(b"\n")) == (0, 7)


@POSIX
def test_symbolic_link_loops(cli: Runner, registry: Path, tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    result = cli("-r", tmp_path / "a", "list")
    assert result.err == f"error: {tmp_path / 'a'}: cannot read: a loop of symbolic links\n"
    result = cli("-r", tmp_path / "a", "status", "set", "wrr103-1", "open", "--note", "x")
    assert result.err == f"error: {tmp_path / 'a'}: cannot follow: a loop of symbolic links\n"
    result = cli("-r", registry, "report", "--output", tmp_path / "a")
    assert result.code == 1
    assert "is a symbolic link" in result.err


def test_paths_with_nul(cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert cli("-r", "a\0b", "list").err == "error: a\\x00b: a path cannot hold a NUL character\n"
    out = cli("-r", registry, "report", "--output", "x\0y")
    assert out.err == "error: x\\x00y: a path cannot hold a NUL character\n"
    (registry.parent / "wrrtrack.toml").write_text('registry = "a\\u0000b"\n', "utf-8")
    monkeypatch.chdir(registry.parent)
    assert cli("list").err == (
        f"error: {registry.parent / 'wrrtrack.toml'}:1: 'registry' must be a path in quotes, "
        'e.g. registry = "data/recommendations.yaml", not "a\\x00b"\n'
    )
    result = cli("init", "x\0y")
    assert (result.code, result.err.startswith("error: ")) == (1, True)


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("pyproject.toml", 'tool = "wrrtrack"\n', ":1: 'tool' must be a table"),
        ("pyproject.toml", "[tool]\nwrrtrack = 5\n", ":2: 'tool.wrrtrack' must be a table"),
        ("pyproject.toml", "[tool.wrrtrack]\nregistry = 5\n", ":2: 'tool.wrrtrack.registry' must"),
        ("pyproject.toml", "[tool.wrrtrack]\n\ncolour = 'red'\n", ":3: unknown setting "),
        ("wrrtrack.toml", "registry = 5\n", ":1: 'registry' must be a path in quotes"),
        ("wrrtrack.toml", "registry = true\n", ":1: 'registry' must be a path in quotes"),
        ("wrrtrack.toml", 'lang = "fr"\n', ':1: \'lang\' must be "nl" or "en", not "fr"'),
        ("wrrtrack.toml", '\ntimezone = "Mars/Olympus"\n', ":2: 'timezone' \"Mars/Olympus\" is"),
        (
            "wrrtrack.toml",
            'registry = "x.yaml"\nregistyr = "y"\n',
            ":2: unknown setting 'registyr'",
        ),
        # tomllib places a statement left open at the end of the file; we place its start.
        ("wrrtrack.toml", "lang = [\n", ":1:1: not valid TOML: Invalid value (the statement"),
        ("wrrtrack.toml", "registry = [", ":1:1: not valid TOML: Invalid value (the statement"),
        ("wrrtrack.toml", 'lang = "nl"\n\nregistry = """\nx\n\n', ":3:1: not valid TOML: Unt"),
        ("wrrtrack.toml", "[tool\n", ":1:6: not valid TOML: Expected ']' at the end of a "),
    ],
)
def test_configuration_of_the_wrong_shape(
    cli: Runner,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    content: str,
    message: str,
) -> None:
    (tmp_path / name).write_text(content, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("list")
    assert result.code == 1
    assert result.err.startswith(f"error: {tmp_path / name}{message}"), result.err


def test_a_registry_named_by_a_configuration_says_so_when_missing(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "wrrtrack.toml").write_text('registry = "missing.yaml"\n', encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = cli("list")
    assert (result.code, result.err) == (
        1,
        f"error: missing.yaml: no such file (named by {tmp_path / 'wrrtrack.toml'}:1)\n",
    )


@POSIX
@pytest.mark.slow
@pytest.mark.parametrize("encoding", ["ascii", "latin-1"])
def test_an_encoding_that_cannot_hold_the_text_falls_back_to_escapes(
    registry: Path, encoding: str
) -> None:
    env = {"PYTHONIOENCODING": encoding, "LC_ALL": "C"}
    for command in (
        "wrrtrack show wrr103-1",
        "wrrtrack list --search financiële",
        "wrrtrack report",
    ):
        result = shell(command, registry.parent.parent, env)
        no_traceback(result)
        assert result.returncode == 0, result.stderr


JSON_COMMANDS = [
    ("list", "--json"),
    ("list", "--format", "json", "--search", "financiële"),
    ("show", "wrr103-7", "--json"),
    ("status", "history", "wrr103-7", "--json"),
    ("vocab", "--json"),
    ("reports", "--json"),
    ("sources", "--json"),
    ("changes", "--since", "2022-06-30", "--json"),
    ("validate", "--format", "json"),  # a registry whose problem quotes an 'ë'
    ("export", "--format", "json"),
    ("schema",),
]


def stdout_bytes(
    monkeypatch: pytest.MonkeyPatch, encoding: str, *args: str | Path
) -> tuple[int, bytes]:
    """Exit code and stdout bytes of one command whose stdout has this encoding, as under
    PYTHONIOENCODING or a Windows pipe (which writes the ANSI code page)."""
    buffer = io.BytesIO()
    stream = io.TextIOWrapper(buffer, encoding=encoding, write_through=True)
    with monkeypatch.context() as patch:
        patch.setattr(sys, "stdout", stream)
        with pytest.raises(SystemExit) as done:
            main([str(arg) for arg in args])
    return int(done.value.code or 0), buffer.getvalue()


@pytest.mark.parametrize("encoding", ["ascii", "cp1252", "latin-1"])
def test_json_stays_json_whatever_the_encoding_of_stdout(
    registry: Path, encoding: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`\\xeb` (the escape other output falls back to) is not JSON; `\\u00eb` is."""
    broken = registry.with_name("broken.yaml")  # beside it: the same sources
    text = registry.read_text(encoding="utf-8")
    broken.write_text(text.replace("theme: algemeen", "theme: algemeën", 1), encoding="utf-8")
    for command in JSON_COMMANDS:
        path = broken if command[0] == "validate" else registry
        code, utf8 = stdout_bytes(monkeypatch, "utf-8", "-r", path, *command)
        assert code == (1 if command[0] == "validate" else 0), command
        assert not utf8.isascii() or command[0] in {"schema", "reports", "vocab"}
        narrow = stdout_bytes(monkeypatch, encoding, "-r", path, *command)[1]
        # The real json module reading the bytes, as a script would: the same values.
        assert narrow.isascii(), command
        assert json.loads(narrow) == json.loads(utf8), command


@pytest.mark.slow
def test_json_under_pythonioencoding_ascii_is_json(registry: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "wrrtrack", "-r", str(registry), "list", "--json"],
        capture_output=True,
        timeout=60,
        check=True,
        env={**os.environ, "PYTHONIOENCODING": "ascii"},
    )
    assert done.stdout.isascii()
    assert "financiële" in json.loads(done.stdout)[0]["title"]


@POSIX
@pytest.mark.slow
def test_a_git_user_name_or_login_name_that_is_not_utf8(registry: Path, tmp_path: Path) -> None:
    config = tmp_path / "gitconfig"
    config.write_bytes(b"[user]\n\tname = Jos\xe9\n")
    result = shell(
        "wrrtrack status set wrr103-1 open --note x",
        registry.parent.parent,
        {"GIT_CONFIG_GLOBAL": str(config)},
    )
    no_traceback(result)
    assert (result.returncode, result.stderr) == (
        1,
        b"error: your git user.name or login name is not valid UTF-8 text; "
        b"give the name with --by\n",
    )
    config.write_bytes(b"")
    env = {**os.environ, "GIT_CONFIG_GLOBAL": str(config)}
    env_bytes = {k.encode(): v.encode() for k, v in env.items()}
    env_bytes.update({b"LOGNAME": b"b\xffd", b"USER": b"b\xffd", b"LNAME": b"b\xffd"})
    env_bytes.pop(b"USERNAME", None)
    done = subprocess.run(
        [BIN, "status", "set", "wrr103-1", "open", "--note", "x"],
        cwd=registry.parent.parent,
        env=env_bytes,  # type: ignore[arg-type]
        capture_output=True,
        check=False,
    )
    assert done.returncode == 1
    assert b"not valid UTF-8 text; give the name with --by" in done.stderr
    assert b"Traceback" not in done.stderr


@POSIX
def test_a_device_fifo_or_huge_file_as_registry(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("-r", "/dev/zero", "list").err == (
        "error: /dev/zero: is a device, not a registry file\n"
    )
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    assert cli("-r", fifo, "list").err == (
        f"error: {fifo}: is a named pipe (FIFO), not a registry file\n"
    )
    huge = tmp_path / "huge.yaml"
    with huge.open("wb") as handle:
        handle.truncate(storage.MAX_BYTES + 1)  # sparse: costs no disk
    result = cli("-r", huge, "list")
    assert result.err == (
        f"error: {huge}: {storage.MAX_BYTES + 1:,} bytes is more than a registry may hold "
        f"({storage.MAX_BYTES:,}); is this the right file?\n"
    )
    monkeypatch.setenv("WRRTRACK_REGISTRY", "/dev/zero")
    assert cli("list").err == (
        "error: /dev/zero: is a device, not a registry file (named by WRRTRACK_REGISTRY)\n"
    )


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "abc", "-1", "1e999"])
def test_a_lock_timeout_that_is_not_a_number_of_seconds(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv(storage.LOCK_TIMEOUT_ENV, value)
    before = registry.read_bytes()
    result = cli("-r", registry, "status", "set", "wrr103-1", "open", "--note", "x", "--by", "y")
    assert (result.code, result.err) == (
        1,
        f"error: WRRTRACK_LOCK_TIMEOUT={value!r} is not a number of seconds to wait; set it "
        "to a number such as 30 (0: do not wait), or unset it\n",
    )
    assert registry.read_bytes() == before
    monkeypatch.setenv(storage.LOCK_TIMEOUT_ENV, "0")
    assert storage.lock_timeout() == 0


def test_anything_unexpected_is_an_internal_error_without_traceback(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def bug(*args: object, **kwargs: object) -> str:
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr("wrrtrack.render.plain.list_lines", bug)
    result = cli("-r", registry, "list")
    assert (result.code, result.err) == (
        1,
        "error: internal error (ZeroDivisionError: division by zero), please report it; "
        "run with WRRTRACK_DEBUG=1 to see where it happened\n",
    )
    monkeypatch.setenv("WRRTRACK_DEBUG", "1")
    result = cli("-r", registry, "list")
    assert result.code == 1
    assert "Traceback (most recent call last)" in result.err
    assert "in list_" in result.err


# --- 7. Windows: os.replace while a reader holds the file -----------------------------------


def test_a_rename_refused_by_a_windows_reader_is_retried(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "r.yaml"
    target.write_text("old", encoding="utf-8")
    real_replace = Path.replace
    refusals = []

    def held_open(self: Path, other: Path) -> Path:
        if len(refusals) < 3:
            refusals.append(self)
            error = PermissionError(13, "Access is denied")
            error.winerror = 32  # type: ignore[attr-defined]  # ERROR_SHARING_VIOLATION
            raise error
        return real_replace(self, other)

    monkeypatch.setattr(Path, "replace", held_open)
    storage.atomic_write(target, "new")
    assert (target.read_text(encoding="utf-8"), len(refusals)) == ("new", 3)
    refusals.clear()
    monkeypatch.setattr(storage, "REPLACE_PATIENCE", 0.0)
    with pytest.raises(storage.WrrtrackError, match="another program has it open"):
        storage.atomic_write(target, "newer")
    assert target.read_text(encoding="utf-8") == "new"
    assert [p.name for p in tmp_path.iterdir()] == ["r.yaml"]


# --- 6. a key the registry declares is reachable; YAML places named truly ------------------


def with_vocabulary(registry: Path, entries: str) -> None:
    text = registry.read_text(encoding="utf-8")
    text = text.replace("vocabularies:\n", f"vocabularies:\n  statuses:\n{entries}", 1)
    registry.write_text(text, encoding="utf-8")


def test_a_key_colliding_with_an_alias_is_a_validate_error(cli: Runner, registry: Path) -> None:
    with_vocabulary(
        registry,
        "    exploring: {nl: verkennen, en: exploring phase}\n"
        "    klaar: {nl: klaar, en: done, aliases: [ready]}\n"
        "    gereed: {nl: gereed, en: finished, aliases: [Ready]}\n",
    )
    result = cli("-r", registry, "validate")
    assert result.code == 1
    first = registry.read_text(encoding="utf-8").splitlines().index("vocabularies:") + 3
    assert result.err.splitlines()[:2] == [
        f"error: {registry}:{first}:5: vocabularies.statuses.exploring: 'exploring' is already an "
        "alias of status 'in-verkenning'; each key and alias must name one status, so rename "
        "one of them",
        f"error: {registry}:{first + 1}:5: vocabularies.statuses.klaar: 'ready' is already an "
        "alias of status 'gereed'; each key and alias must name one status, so rename one of "
        "them",
    ]


def test_a_declared_key_wins_over_another_terms_english_label(cli: Runner, registry: Path) -> None:
    with_vocabulary(registry, "    exploring-phase: {nl: verkennen, en: exploring}\n")
    assert cli("-r", registry, "validate").code == 0
    # 'exploring' is in-verkenning's alias; 'Exploring phase' is nobody's key.
    assert cli("-r", registry, "list", "--status", "exploring", "-f", "ids").code == 0
    from wrrtrack._vocabulary import STATUSES, Term

    relabelled = STATUSES.extended([Term("done", "klaar", "in-verkenning")])
    assert relabelled.resolve("in-verkenning") == "in-verkenning"  # a key beats a label


def test_a_block_scalar_status_can_be_changed(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    start = text.index("id: wrr103-6")
    at = text.index("    status: open\n", start)
    text = text[:at] + "    status: >-\n      open\n" + text[at + len("    status: open\n") :]
    registry.write_text(text, encoding="utf-8")
    result = cli("-r", registry, "status", "set", "wrr103-6", "uitgevoerd", "--by", "x")
    assert result.code == 0, result.err
    after = registry.read_text(encoding="utf-8")
    assert "    status: uitgevoerd\n    quotes:" in after[start:]
    assert cli("-r", registry, "--no-cache", "validate").code == 0


def test_an_edit_that_does_not_read_back_is_placed_in_the_whole_file(
    registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wrrtrack import _edit
    from wrrtrack._errors import RegistryInvalid

    monkeypatch.setattr(
        _edit,
        "_apply",
        lambda text, splices: text.replace("id: wrr103-6", "id: wrr103-6: x", 1),
    )
    with pytest.raises(RegistryInvalid) as caught:
        Registry.open(registry).set_status("wrr103-6", "uitgevoerd", by="x")
    line = registry.read_text(encoding="utf-8").splitlines().index("  - id: wrr103-6") + 1
    assert str(caught.value).startswith(f"{registry}:{line}:")


def test_a_misplaced_yaml_directive_is_named(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    registry.write_text("%YAML 1.1\n" + text, encoding="utf-8")
    result = cli("-r", registry, "validate")
    assert result.code == 1
    assert "a '%' directive (line 1) must stand before a line '---' that starts the document" in (
        result.err
    )
    registry.write_text("%YAML 1.1\n---\n" + text, encoding="utf-8")
    assert cli("-r", registry, "validate").code == 0
