"""Output for a person at a terminal: tables that fit, the pager, the spinner.

Tables are rendered at 40, 60, 80 and 120 columns with Rich's own console width; the
pager and the spinner are driven through fake terminals in-process, and once each in a
real pseudo-terminal (tmux, `script`), as a user would meet them.
"""

from __future__ import annotations

import itertools
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHIPPED, Runner
from tests.helpers import COMMANDS as HELP_COMMANDS
from tests.helpers import WRRTRACK
from wrrtrack import Registry
from wrrtrack._model import StatusChange
from wrrtrack._vocabulary import SECTIONS
from wrrtrack.render import terminal

WIDTHS = [40, 60, 80, 120]


def lines_of(renderable: object, width: int) -> list[str]:
    text = terminal.render([renderable], width=width)  # type: ignore[list-item]
    return text.rstrip("\n").split("\n")


def words_in_order(text: str, words: list[str]) -> bool:
    """Whether `words` occur in `text` in this order, each whole (other columns' cells may
    stand between them where a line of the table ends)."""
    tokens = iter(text.split())
    return all(word in tokens for word in words)


def row_text(lines: list[str], identifier: str, ids: list[str]) -> str:
    """The lines of one row: from the line that starts with its id to the next row's."""
    first = next(i for i, line in enumerate(lines) if line.split()[:1] == [identifier])
    end = next(
        (
            i
            for i in range(first + 1, len(lines))
            if lines[i].split()[:1] and lines[i].split()[0] in ids
        ),
        len(lines),
    )
    return "\n".join(lines[first:end])


def assert_fits(lines: list[str], width: int) -> None:
    too_wide = [line for line in lines if len(line.rstrip()) > width]
    assert too_wide == [], too_wide


@pytest.fixture(scope="module")
def shipped() -> Registry:
    return Registry.open(SHIPPED)


@pytest.mark.parametrize("width", WIDTHS)
def test_list_table_fits_and_keeps_every_key_whole(shipped: Registry, width: int) -> None:
    recs = list(shipped.recommendations)
    table = terminal.list_table(recs, width=width, title=shipped.report.name, caption="x")
    lines = lines_of(table, width)
    assert_fits(lines, width)
    text = "\n".join(lines)
    tokens = set(text.split())
    ids = [rec.id for rec in recs]
    for rec in recs:
        row = row_text(lines, rec.id, ids)
        # Every key a user must type is there in full, as one token.
        assert rec.id in tokens
        assert rec.status in tokens
        assert rec.theme in tokens
        assert rec.stance in tokens
        for actor in rec.actors:
            assert actor in tokens or f"{actor}," in tokens
        # The title starts legibly, in its row: its first words, whole and in order.
        assert words_in_order(row, rec.title.split()[:4]), (rec.title, row)
        # No word of the title is split across lines.
        assert {w.strip(",;") for w in rec.title.split()} <= {t.strip(",;") for t in tokens}


@pytest.mark.parametrize("width", WIDTHS)
def test_id_and_status_stand_on_the_rows_first_line(shipped: Registry, width: int) -> None:
    recs = list(shipped.recommendations)
    lines = lines_of(terminal.list_table(recs, width=width), width)
    for rec in recs:
        first = next(line for line in lines if line.startswith(rec.id + " "))
        assert first.split()[:2] == [rec.id, rec.status], (width, first)


def test_columns_are_added_as_the_width_grows(shipped: Registry) -> None:
    def header(width: int) -> list[str]:
        table = terminal.list_table(list(shipped.recommendations), width=width, lang="en")
        return lines_of(table, width)[0].split()

    assert header(40) == ["id", "status,", "title"]
    assert header(60) == ["id", "status", "title"]
    assert header(80) == ["id", "status", "title", "updated"]
    assert header(120) == ["id", "status", "title", "stance", "actors", "updated"]


@pytest.mark.parametrize("width", WIDTHS)
def test_a_long_key_and_a_long_id_are_never_cut(shipped: Registry, width: int) -> None:
    rec = shipped.recommendations[0]._replace(
        id="wrr103-aanbeveling-met-een-lang-id",
        theme="een-heel-lang-thema-dat-niet-past",
    )
    lines = lines_of(terminal.list_table([rec], width=width), width)
    assert_fits(lines, width)
    tokens = "\n".join(lines).split()
    assert "wrr103-aanbeveling-met-een-lang-id" in tokens
    assert "een-heel-lang-thema-dat-niet-past" in tokens
    assert rec.status in tokens
    assert words_in_order("\n".join(lines), rec.title.split()[:4])


@pytest.mark.parametrize("width", WIDTHS)
def test_history_table_fits_with_dates_and_statuses_whole(shipped: Registry, width: int) -> None:
    rec = shipped.get("wrr103-7")
    lines = lines_of(terminal.history_table(rec, rec.history, shipped.ledger, width=width), width)
    assert_fits(lines, width)
    text = "\n".join(lines)
    for change in rec.history:
        assert change.date.isoformat() in text.split()
        assert change.status in text.split()
        if change.note:
            assert words_in_order(text, change.note.split()[:4])
    # The stored source by its citation, as `show` names it, not by its id.
    assert "adviesraad-realisme-richtgetallen" not in text.split()
    assert words_in_order(text, ["Adviesraad", "Migratie,", "“Adviesrapport", "(adviesrapport,"])


@pytest.mark.parametrize("width", WIDTHS)
def test_vocabulary_tables_fit_with_every_key_whole(shipped: Registry, width: int) -> None:
    tables = terminal.vocabulary_tables(shipped.vocabularies, SECTIONS, width=width)
    lines = terminal.render(tables, width=width).splitlines()
    assert_fits(lines, width)
    assert "…" not in "\n".join(lines)  # nothing is cut short, not even a label
    tokens = {token.rstrip(",") for token in "\n".join(lines).split()}
    for section in SECTIONS:
        for term in shipped.vocabularies.by_section(section):
            assert term.key in tokens
            # An alias is typed too: whole, never cut short ("national-governmen…").
            assert set(term.aliases) <= tokens, (width, term.aliases)


@pytest.mark.parametrize("width", WIDTHS)
def test_show_wraps_to_the_width_never_inside_a_word(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", str(width))
    out = cli("-r", SHIPPED, "--no-pager", "show", "wrr103-7").out
    # A web address is one word that is never broken (a reader copies it whole): its line
    # is the one that may overflow, and it is the address alone after its label.
    pages = [line for line in out.splitlines() if "https://" in line]
    assert [line.split()[-1].startswith("https://") for line in pages] == [True] * 3
    assert_fits([line for line in out.splitlines() if line not in pages], min(width, 100))
    rec = Registry.open(SHIPPED).get("wrr103-7")
    tokens = set(out.split())
    for text in (rec.title, *rec.quotes, *(c.note or "" for c in rec.history)):
        assert {w.strip("“”") for w in text.split()} <= {t.strip("“”") for t in tokens}


def test_show_at_a_wide_terminal_stops_at_100_columns(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "200")
    lines = cli("-r", SHIPPED, "--no-pager", "show", "wrr103-7").out.splitlines()
    lines = [line for line in lines if "https://" not in line]  # see the test above
    assert_fits(lines, 100)
    assert max(map(len, lines)) > 88  # wider than the piped form: it used the room


HOSTILE = "[bold red]vet[/] \x1b[31mrood\x1b[0m [link=https://x]klik[/link] =1+1"


@pytest.mark.parametrize("width", [40, 120])
def test_registry_text_reaches_the_terminal_inert(shipped: Registry, width: int) -> None:
    """Markup stays text and control characters are escaped, in every cell and title."""
    rec = shipped.recommendations[0]._replace(
        title=HOSTILE,
        history=(StatusChange(shipped.recommendations[0].updated, "open", HOSTILE, HOSTILE),),
    )
    renderables = [
        terminal.list_table([rec], width=width, title=HOSTILE, caption=HOSTILE),
        terminal.history_table(rec, rec.history, shipped.ledger, width=width),
    ]
    console = terminal.console(width)
    console.force_terminal = True  # see the styles Rich would send
    with console.capture() as captured:
        for renderable in renderables:
            console.print(renderable)
    out = captured.get()
    plain = re.sub(r"\x1b\[[0-9;]*m", "", out)
    assert "\x1b[31m" not in out  # the registry's escape did not reach the terminal
    assert "\x1b]8;" not in out  # no hyperlink was made
    joined = "".join(plain.split())
    assert "[boldred]vet[/]" in joined
    assert "\\x1b[31mrood\\x1b[0m" in joined
    assert "[link=https://x]klik[/link]" in joined


# --- the pager ---------------------------------------------------------------------------


@pytest.fixture
def at_a_terminal(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """stdout looks like a 20-row terminal; the pager copies what it gets to a file."""
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True, raising=False)
    monkeypatch.setenv("LINES", "20")
    monkeypatch.setenv("COLUMNS", "80")
    paged = tmp_path / "paged.txt"
    script = tmp_path / "pager.py"
    script.write_text(f"import sys\nopen({str(paged)!r}, 'wb').write(sys.stdin.buffer.read())\n")
    monkeypatch.setenv("WRRTRACK_PAGER", f"{sys.executable} {script}")
    return paged


def test_output_taller_than_the_screen_goes_through_the_pager(
    cli: Runner, at_a_terminal: Path
) -> None:
    result = cli("-r", SHIPPED, "list")
    assert result.out == ""
    assert "wrr103-7" in at_a_terminal.read_text(encoding="utf-8")


def test_output_that_fits_is_printed_without_the_pager(cli: Runner, at_a_terminal: Path) -> None:
    result = cli("-r", SHIPPED, "list", "--actor", "acvz")
    assert "wrr103-7" in result.out
    assert not at_a_terminal.exists()


def test_no_pager_and_an_empty_wrrtrack_pager_turn_it_off(
    cli: Runner, at_a_terminal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "wrr103-7" in cli("-r", SHIPPED, "--no-pager", "list").out
    monkeypatch.setenv("WRRTRACK_PAGER", "")
    assert "wrr103-7" in cli("-r", SHIPPED, "list").out
    assert not at_a_terminal.exists()


def test_piped_output_never_goes_through_the_pager(
    cli: Runner, at_a_terminal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: False)
    monkeypatch.setattr(sys.stdout, "isatty", lambda: False, raising=False)
    assert cli("-r", SHIPPED, "report").out.startswith("# ")
    assert not at_a_terminal.exists()


def test_the_pager_is_chosen_as_documented(monkeypatch: pytest.MonkeyPatch) -> None:
    from wrrtrack.cli._screen import pager_command

    monkeypatch.delenv("WRRTRACK_PAGER", raising=False)
    monkeypatch.delenv("PAGER", raising=False)
    less = shutil.which("less")
    assert pager_command() == ([less, "-FRX"] if less else None)
    monkeypatch.setenv("PAGER", "more")
    assert pager_command() == ([shutil.which("more")] if shutil.which("more") else None)
    monkeypatch.setenv("WRRTRACK_PAGER", "cat")
    assert pager_command() is None
    monkeypatch.setenv("WRRTRACK_PAGER", "no-such-pager-anywhere --x")
    assert pager_command() is None


def test_a_pager_that_cannot_start_prints_the_output_itself(
    cli: Runner, at_a_terminal: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("subprocess.Popen", _refuse)
    assert "wrr103-7" in cli("-r", SHIPPED, "list").out


def _refuse(*args: object, **kwargs: object) -> None:
    raise PermissionError("not allowed")


# --- the spinner -------------------------------------------------------------------------


def test_slow_work_shows_a_spinner_on_a_terminals_stderr(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wrrtrack.cli._screen.SPINNER_DELAY", 0.0)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    monkeypatch.setattr(Registry, "validate", _slow(Registry.validate))
    result = cli("-r", SHIPPED, "validate")
    assert result.code == 0
    assert "checking the registry" in result.err
    assert result.out.startswith("ok: ")


def test_no_spinner_when_stderr_is_not_a_terminal(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wrrtrack.cli._screen.SPINNER_DELAY", 0.0)
    monkeypatch.setattr(Registry, "validate", _slow(Registry.validate))
    result = cli("-r", SHIPPED, "--no-cache", "validate")
    assert (result.code, result.err) == (0, "")


def test_quick_work_shows_nothing_even_at_a_terminal(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True, raising=False)
    result = cli("-r", SHIPPED, "list", "--format", "ids")
    assert result.err == ""


def _slow(function: object) -> object:
    def slowly(*args: object, **kwargs: object) -> object:
        time.sleep(0.3)
        return function(*args, **kwargs)  # type: ignore[operator]

    return slowly


# --- in a real pseudo-terminal -----------------------------------------------------------

needs_tmux = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


def _tmux_screen(name: str, width: int, command: str, env: dict[str, str]) -> str:
    # A tmux server of its own (-L): tests running at once in other processes (pytest-xdist)
    # can neither see this session nor stop the server under it by ending theirs.
    exports = " ".join(f"{k}={v}" for k, v in env.items())
    subprocess.run(
        ["tmux", "-L", name, "new-session", "-d", "-s", name, "-x", str(width), "-y", "100"],
        check=True,
        env={**os.environ, "TMUX": ""},
    )
    try:
        # Typed as a sum, printed as its value: the typed line (which may wrap) never matches.
        done = f"__done_{name}_"
        subprocess.run(
            [
                "tmux",
                "-L",
                name,
                "send-keys",
                "-t",
                name,
                f"clear; env {exports} {command}; echo {done}$((6 * 7))",
                "Enter",
            ],
            check=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            screen = subprocess.run(
                ["tmux", "-L", name, "capture-pane", "-p", "-t", name],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            if f"{done}42" in screen:
                return screen
            time.sleep(0.2)
        raise AssertionError(f"no end in sight:\n{screen}")
    finally:
        subprocess.run(["tmux", "-L", name, "kill-session", "-t", name], check=False)


@pytest.mark.slow
@needs_tmux
@pytest.mark.parametrize("width", [80, 40])
def test_list_in_a_real_terminal_fits(tmp_path: Path, width: int) -> None:
    env = {"WRRTRACK_CACHE_DIR": str(tmp_path), "NO_COLOR": "1", "WRRTRACK_PAGER": ""}
    name = f"wrrtrack-test-{os.getpid()}-{width}"
    screen = _tmux_screen(name, width, f"{WRRTRACK} -r {SHIPPED} list", env)
    lines = screen.splitlines()
    assert_fits(lines, width)
    text = screen
    for rec in Registry.open(SHIPPED).recommendations:
        assert rec.id in text.split()
        assert rec.status in text.split()
        assert words_in_order(text, rec.title.split()[:3])


@pytest.mark.slow
@pytest.mark.skipif(shutil.which("script") is None, reason="needs script(1)")
def test_spinner_in_a_real_terminal_and_not_in_a_pipe(tmp_path: Path) -> None:
    """The spinner drawn in a real pseudo-terminal by a cold `validate`, and gone after.

    The spinner is asked to start at once: after its usual half second it is drawn only
    once the C parser lets go of the GIL, which on a loaded machine may be the end."""
    big = tmp_path / "big" / "recommendations.yaml"
    subprocess.run(
        [sys.executable, ROOT / "benchmarks" / "make_registry.py", "4000", big],
        check=True,
        capture_output=True,
    )
    env = {**os.environ, "WRRTRACK_CACHE_DIR": str(tmp_path / "cache"), "TERM": "xterm"}
    command = f"{WRRTRACK} --no-cache -r {big} validate"
    at_once = (
        f"{sys.executable} -c 'import sys, wrrtrack.cli._screen as s, wrrtrack.cli as c; "
        f"s.SPINNER_DELAY = 0; c.main(sys.argv[1:])' --no-cache -r {big} validate"
    )
    typescript = tmp_path / "typescript"
    subprocess.run(
        ["script", "-q", "-e", "-c", at_once, str(typescript)],
        check=True,
        env=env,
        capture_output=True,
        timeout=120,
    )
    seen = typescript.read_bytes().decode("utf-8", errors="replace")
    assert "checking the registry" in seen
    assert "ok: " in seen
    piped = subprocess.run(
        command.split(), env=env, capture_output=True, text=True, check=True, timeout=120
    )
    assert piped.stderr == ""  # stderr is a pipe here: no spinner
    if shutil.which("tmux"):
        # What the person sees at the end: the result whole, the spinner gone without trace.
        name = f"wrrtrack-spin-{os.getpid()}"
        cache = str(tmp_path / "cache-2")
        screen = _tmux_screen(name, 250, command, {"WRRTRACK_CACHE_DIR": cache})
        assert f"ok: {big}: 4000 recommendations" in " ".join(screen.split())
        assert "checking the registry" not in screen


def _help_paragraphs(out: str) -> list[list[str]]:
    """The prose paragraphs of a help screen (above its boxes), each as its lines; the
    usage line and examples (`$ …`) are left out, as they are not prose."""
    text = out.split("╭", 1)[0]
    paragraphs = [[line.strip() for line in p.splitlines()] for p in re.split(r"\n\s*\n", text)]
    return [
        p
        for p in paragraphs
        if p and p[0] and not p[0].startswith(("Usage:", "$ ")) and p != ["Examples:"]
    ]


@pytest.mark.parametrize("width", [40, 80])
@pytest.mark.parametrize("command", HELP_COMMANDS, ids=lambda c: " ".join(c) or "wrrtrack")
def test_help_text_reflows_to_the_terminal_width(
    cli: Runner, monkeypatch: pytest.MonkeyPatch, command: list[str], width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    result = cli(*command, "--help")
    assert result.code == 0
    paragraphs = _help_paragraphs(result.out)
    assert paragraphs, result.out
    for lines in paragraphs:
        assert_fits(lines, width - 2)
        # Every line break in a paragraph was needed: the next word did not fit (a break
        # kept from the docstring's source leaves a short line the next word would fill).
        for line, following in itertools.pairwise(lines):
            assert len(line) + 1 + len(following.split()[0]) > width - 2, (line, following)


# --- a registry of several reports at a terminal -------------------------------------------


@pytest.fixture
def two_reports(cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shipped registry and a second report of two recommendations, at a terminal
    (no pager: what `list` prints is the screen)."""
    from tests.helpers import with_second_report

    with_second_report(cli, registry)
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setenv("WRRTRACK_PAGER", "")
    return registry


def _rows(out: str, ids: list[str]) -> dict[str, str]:
    lines = out.splitlines()
    return {i: row_text(lines, i, ids) for i in ids if any(line.startswith(i) for line in lines)}


@pytest.mark.parametrize("width", WIDTHS)
def test_a_list_of_several_reports_names_each_rows_report(
    cli: Runner, two_reports: Path, monkeypatch: pytest.MonkeyPatch, width: int
) -> None:
    monkeypatch.setenv("COLUMNS", str(width))
    registry = Registry.open(two_reports)
    ids = [rec.id for rec in registry.recommendations]
    out = cli("-r", two_reports, "list").out
    assert_fits(out.splitlines(), width)
    rows = _rows(out, ids)
    assert sorted(rows) == sorted(ids)
    for rec in registry.recommendations:
        tokens = rows[rec.id].split()
        assert rec.report in tokens, (width, rows[rec.id])  # whole, in its own row
        other = {"wrr-103", "voorbeeldstad-wijk"} - {rec.report}
        assert not other & set(tokens)
    # Of one report, the title names it: no key on every row, as in a one-report registry.
    only = cli("-r", two_reports, "list", "--report", "wrr-103").out
    assert "wrr-103" not in only.split()


def test_a_one_report_list_at_a_terminal_is_unchanged_by_the_report_key(
    shipped: Registry,
) -> None:
    recs = list(shipped.recommendations)
    for width in WIDTHS:
        plain_table = terminal.render([terminal.list_table(recs, width=width)], width=width)
        assert "wrr-103" not in plain_table
        keyed = terminal.render(
            [terminal.list_table(recs, width=width, with_report=True)], width=width
        )
        assert keyed.split().count("wrr-103") == len(recs)


def test_list_report_counts_of_that_reports_recommendations(
    cli: Runner, two_reports: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COLUMNS", "120")
    caption = {
        args: cli("-r", two_reports, "list", "--lang", "en", *args).out.splitlines()[-1]
        for args in (
            (),
            ("--report", "voorbeeldstad-wijk"),
            ("--report", "wrr-103", "--status", "open"),
            ("--report", "wrr-103", "--report", "voorbeeldstad-wijk", "--actor", "college"),
        )
    }
    assert caption[()].startswith("9 of 9 recommendations · ")
    assert caption["--report", "voorbeeldstad-wijk"].startswith("2 of 2 recommendations · ")
    assert caption["--report", "wrr-103", "--status", "open"].startswith(
        "1 of 7 recommendations · "
    )
    assert caption[
        "--report", "wrr-103", "--report", "voorbeeldstad-wijk", "--actor", "college"
    ].startswith("2 of 9 recommendations · ")
