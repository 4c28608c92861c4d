"""A hostile tester's smaller findings, each as its repro: --output over a configuration file,
a report key a folder registry reserves, invisible characters and workflow commands in the
output, a read-only registry file, and a summary larger than a CI job summary may be.

Where the registry's layout matters, each runs on one file and on a folder registry.
"""

from __future__ import annotations

import csv
import io
import json
import stat
import sys
import unicodedata
from pathlib import Path

import pytest

from tests.conftest import Runner
from wrrtrack._errors import WrrtrackError
from wrrtrack._registry import Registry
from wrrtrack._yamlfile import yaml_scalar
from wrrtrack.discover import locate

TITLE = '"Een meer integrale ontvangst van alle nieuwkomers"'  # wrr103-2's
REPORT_TITLE = '"Samenleven in verscheidenheid. Beleid voor de migratiesamenleving"'
SOURCE = Path("sources") / "kabinetsreactie-wrr-103.txt"


def files_of(layout: Path) -> list[Path]:
    return [layout] if layout.is_file() else sorted(layout.glob("*.yaml"))


def root_of(layout: Path) -> Path:
    return layout.parent if layout.is_file() else layout


def snapshot(folder: Path) -> dict[Path, tuple[bytes, int]]:
    """Every file below `folder`: its bytes and its mode."""
    return {
        path: (path.read_bytes(), path.stat().st_mode)
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "cache" not in path.parts
    }


def edit(layout: Path, old: str, new: str) -> None:
    """Replace `old` (once) in the registry's file that holds it."""
    for path in files_of(layout):
        text = path.read_text(encoding="utf-8")
        if old in text:
            path.write_text(text.replace(old, new, 1), encoding="utf-8")
            return
    raise AssertionError(old)


# --- 1. --output never replaces a configuration file or a file of the registry --------------

CONFIGURATION = "is named like a configuration file of wrrtrack; --output never writes one. "
CONFIGURATION += "Name another file"


@pytest.mark.parametrize("command", [["report"], ["export", "-f", "json"], ["schema"]])
def test_output_refuses_configuration_files_and_every_file_of_the_registry(
    cli: Runner,
    layout: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    command: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "wrrtrack.toml").write_text(f"registry = {json.dumps(str(layout))}\n")
    (tmp_path / "elders").mkdir()
    (tmp_path / "elders" / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    before = snapshot(tmp_path)
    refused = {
        "wrrtrack.toml": CONFIGURATION,
        str(tmp_path / "elders" / "pyproject.toml"): CONFIGURATION,
        str(tmp_path / "elders" / "wrrtrack.toml"): CONFIGURATION,  # even where none is yet
        "PyProject.TOML": CONFIGURATION,  # the same file where case is ignored
    }
    for name, message in refused.items():
        result = cli("-r", layout, *command, "--output", name)
        assert (result.code, result.err) == (1, f"error: {name} {message}\n")
    for path in [*files_of(layout), root_of(layout) / SOURCE]:
        result = cli("-r", layout, *command, "--output", path)
        assert result.code == 1, (path, result.out)
        assert result.err.startswith(f"error: {path} "), result.err
        assert "Traceback" not in result.err
    assert snapshot(tmp_path) == before


def test_the_schema_is_refused_over_a_source_text_with_no_registry_option(
    cli: Runner, layout: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WRRTRACK_REGISTRY", str(layout))
    source = root_of(layout) / SOURCE
    before = snapshot(tmp_path)
    result = cli("schema", "--output", source)
    assert (result.code, result.err) == (
        1,
        f"error: {source} is a source text of the registry; --output would destroy it. "
        "Name another file\n",
    )
    assert snapshot(tmp_path) == before


# --- 2. a report key is never a name the folder layout reserves -----------------------------


def test_a_report_key_may_not_be_a_name_the_folder_layout_reserves(
    cli: Runner, layout: Path, tmp_path: Path
) -> None:
    text = tmp_path / "reactie.txt"
    text.write_text("De reactie van het college.\n", encoding="utf-8")
    before = snapshot(tmp_path)
    result = cli(
        "-r", layout, "reports", "add", "vocabularies", "--title", "T", "--publisher", "P",
        "--date", "2024-01-01", "--reaction", "R", "--reaction-date", "2024-02-01",
        "--source-file", text,
    )  # fmt: skip
    assert (result.code, result.err) == (
        1,
        "error: 'vocabularies' (KEY) is reserved: a folder registry keeps the vocabularies "
        "of every report in vocabularies.yaml; choose another key\n",
    )
    assert snapshot(tmp_path) == before


# --- 3. nothing invisible, nothing the runner would obey --------------------------------------

# Zero-width space, byte-order mark, Arabic letter mark, word joiner, a soft hyphen, tag
# characters (U+E0041 U+E007F) and a direction mark for comparison.
INVISIBLE = "\u200b\ufeff\u061c\u2060\u00ad\U000e0041\U000e007f\u202e"


def test_every_format_character_is_escaped_by_visible() -> None:
    from wrrtrack.render import visible

    formats = [chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Cf"]
    shown = visible("".join(formats))
    assert not any(unicodedata.category(char) == "Cf" for char in shown)
    assert visible("\U000e0041") == "\\U000e0041"  # not \ue0041, which reads as U+E004 "1"
    assert visible("a\u00a0b ë") == "a\u00a0b ë"  # a no-break space and letters stay


@pytest.mark.parametrize(
    "args",
    [
        ["show", "wrr103-2"],
        ["list"],
        ["list", "-f", "md"],
        ["list", "-f", "csv"],
        ["list", "-f", "json"],
        ["report"],
        ["report", "--summary", "--since", "2020-01-01"],
        ["report", "-f", "html"],
        ["status", "history", "wrr103-1"],
        ["export", "-f", "csv"],
        ["export", "-f", "json"],
    ],
)
@pytest.mark.parametrize("terminal", [True, False])
def test_invisible_characters_are_shown_escaped(
    cli: Runner,
    registry: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
    terminal: bool,
) -> None:
    edit(registry, TITLE, yaml_scalar(f"Titel {INVISIBLE}einde"))
    entry = "        status: in-verkenning\n"  # wrr103-1's first history entry
    edit(registry, entry, f"{entry}        by: {yaml_scalar(f'Naam{INVISIBLE}')}\n")
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: terminal)
    monkeypatch.setenv("COLUMNS", "400")
    result = cli("-r", registry, *args)
    assert result.code == 0, result.err
    for char in INVISIBLE:
        assert char not in result.out, (hex(ord(char)), args)
    if "json" in args:  # the same text, in JSON's escapes
        assert f"Titel {INVISIBLE}einde" in json.dumps(result.json(), ensure_ascii=False)
    elif args[0] in ("show", "list", "export") and "md" not in args:
        assert "Titel \\u200b\\ufeff\\u061c\\u2060\\u00ad\\U000e0041\\U000e007f" in result.out


@pytest.mark.parametrize("command", [["list"], ["export"]])
def test_csv_to_a_pipe_holds_no_escape_sequence_or_c1_control(
    cli: Runner, registry: Path, command: list[str]
) -> None:
    title = "Rood \x1b[31mESC\x1b[0m CSI \x9b31m OSC \x1b]0;titel\x07 regel\r\nnieuw\ttab"
    edit(registry, TITLE, yaml_scalar(title))
    result = cli("-r", registry, *command, "--format", "csv")
    assert result.code == 0, result.err
    for raw in ("\x1b", "\x9b", "\x07"):
        assert raw not in result.out
    (row,) = [row for row in csv.reader(io.StringIO(result.out, newline="")) if "Rood" in row[1]]
    # Tab and line breaks are CSV's to hold; they drive no terminal.
    assert row[1] == (
        "Rood \\x1b[31mESC\\x1b[0m CSI \\x9b31m OSC \\x1b]0;titel\\x07 regel\r\nnieuw\ttab"
    )


def test_a_csv_byte_order_mark_is_kept_on_stdout(cli: Runner, registry: Path) -> None:
    result = cli("-r", registry, "export", "--format", "csv", "--bom")
    assert result.code == 0, result.err
    assert result.out.startswith("\ufeffid,")


def workflow_commands(text: str) -> list[str]:
    """The lines GitHub's runner would read as workflow commands: it trims each line."""
    return [line for line in text.replace("\r", "\n").split("\n") if line.strip().startswith("::")]


@pytest.mark.parametrize(
    "args",
    [
        ["show", "wrr103-2"],
        ["show", "wrr103-1"],
        ["show", "wrr103-2", "--lang", "en"],
        ["report"],
        ["report", "--summary"],
        ["report", "--summary", "--since", "2020-01-01"],
        ["report", "-f", "html"],
        ["list"],
        ["list", "-f", "md"],
        ["status", "history", "wrr103-1"],
    ],
)
def test_no_line_of_show_or_a_report_is_a_workflow_command(
    cli: Runner, registry: Path, args: list[str]
) -> None:
    # Wrapped, the title puts `::error` at the start of line after line of `show`.
    edit(registry, TITLE, yaml_scalar("::error::titel " + "::error file=x::boem " * 30))
    edit(
        registry,
        'note: "Kabinetsreactie op het advies (Kamerstuk 29 861, nr. 70)."',
        f"note: {yaml_scalar('  ::warning::notitie')}",
    )
    edit(registry, f"  title: {REPORT_TITLE}", f"  title: {yaml_scalar('::error::rapport')}")
    context = '    - "Het kabinet'
    edit(registry, context, f"    - {yaml_scalar(':: ::add-mask::x')}\n{context}")
    result = cli("-r", registry, *args)
    assert result.code == 0, result.err
    assert "::error" in result.out or "::warning" in result.out or "rapport" in result.out
    assert workflow_commands(result.out) == []


def test_csv_on_stdout_starts_no_line_with_a_workflow_command(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    # A note's line break inside a quoted cell puts `::error::` at the start of a line.
    note = "x\n::error::boem\n  ::warning::y"
    done = cli("-r", registry, "status", "set", "wrr103-1", "open", "--note", note)
    assert done.code == 0, done.err
    shown = cli("-r", registry, "export", "-f", "csv").out
    assert "\\::error::boem" in shown  # shown, and a colon escaped as Markdown would
    assert workflow_commands(shown) == []
    # A file keeps the cells as they are: the note reads back exactly.
    out = tmp_path / "export.csv"
    assert cli("-r", registry, "export", "-f", "csv", "--output", out).code == 0
    with out.open(newline="", encoding="utf-8") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    assert rows["wrr103-1"]["latest_note"] == note


def test_a_workflow_command_line_is_escaped_so_markdown_still_shows_it() -> None:
    from wrrtrack.render import no_workflow_commands

    text = "a\n::error::x\n  ::warning::y\r::z\n: :ok\nb::c\n"
    assert no_workflow_commands(text) == "a\n\\::error::x\n  \\::warning::y\r\\::z\n: :ok\nb::c\n"
    assert no_workflow_commands("::a", "&#58;") == "&#58;:a"


# --- 4. a read-only file is never replaced ----------------------------------------------------

WRITERS = [
    ["status", "set", "wrr103-1", "open", "--note", "n"],
    [
        "add", "wrr103-99", "--report", "wrr-103", "--title", "Nieuw", "--theme", "algemeen",
        "--stance", "onderschreven", "--actor", "rijk", "--quote",
        "Het kabinet deelt ook de analyse dat gemeenten een belangrijke rol spelen",
    ],
    ["vocab", "add", "actors", "provincie", "--nl", "provincie", "--en", "province",
     "--report", "wrr-103"],
    ["sources", "update", "wrr-samenvatting-kabinetsreactie"],
]  # fmt: skip


@pytest.mark.parametrize("args", WRITERS, ids=lambda args: "-".join(args[:2]))
def test_a_read_only_registry_file_is_refused_by_every_writer(
    cli: Runner, layout: Path, tmp_path: Path, args: list[str]
) -> None:
    if args[0] == "sources":  # a fingerprint to record
        (root_of(layout) / SOURCE).write_bytes((root_of(layout) / SOURCE).read_bytes() + b"\n")
    (target,) = files_of(layout)
    target.chmod(0o444)
    before = snapshot(tmp_path)
    result = cli("-r", layout, *args)
    assert (result.code, result.err) == (
        1,
        f"error: {target} is read-only (mode 0444); wrrtrack does not replace a read-only "
        "file. Make it writable (chmod u+w) to change it; nothing was written\n",
    )
    assert snapshot(tmp_path) == before
    assert stat.S_IMODE(target.stat().st_mode) == 0o444
    target.chmod(0o644)
    assert cli("-r", layout, *args).code == 0  # the same change, once it may be made


def test_a_read_only_registry_file_is_refused_by_the_library(layout: Path, tmp_path: Path) -> None:
    (target,) = files_of(layout)
    target.chmod(0o444)
    before = snapshot(tmp_path)
    registry = Registry.at(locate(str(layout)))
    with pytest.raises(WrrtrackError, match="is read-only"):
        registry.set_status("wrr103-1", "open", note="n")
    assert snapshot(tmp_path) == before


def test_a_report_added_to_a_read_only_registry_file_leaves_no_copy(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    text = tmp_path / "reactie.txt"
    text.write_text("De reactie van het college.\n", encoding="utf-8")
    registry.chmod(0o444)
    before = snapshot(tmp_path)
    result = cli(
        "-r", registry, "reports", "add", "nieuw", "--title", "T", "--publisher", "P",
        "--date", "2024-01-01", "--reaction", "R", "--reaction-date", "2024-02-01",
        "--source-file", text,
    )  # fmt: skip
    assert result.code == 1
    assert "is read-only (mode 0444)" in result.err
    assert snapshot(tmp_path) == before


def test_output_does_not_replace_a_read_only_file(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    kept = tmp_path / "status.md"
    kept.write_text("vorige versie\n", encoding="utf-8")
    kept.chmod(0o444)
    result = cli("-r", registry, "report", "--output", kept)
    assert result.code == 1
    assert "is read-only (mode 0444)" in result.err
    assert kept.read_text(encoding="utf-8") == "vorige versie\n"


# --- 5. a summary always fits a job summary ---------------------------------------------------

GITHUB_SUMMARY_LIMIT = 1024 * 1024


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_summary_stays_under_githubs_limit_and_says_what_it_left_out(
    cli: Runner, registry: Path, lang: str
) -> None:
    huge = yaml_scalar("Lange titel & " * 110_000)  # 1.5 MB, 2 MB once escaped
    edit(registry, f"  title: {REPORT_TITLE}", f"  title: {huge}")
    edit(registry, TITLE, yaml_scalar("Titel ```mermaid " * 20))
    result = cli("-r", registry, "report", "--summary", "--lang", lang)
    assert result.code == 0, result.err
    size = len(result.out.encode("utf-8"))
    assert size < GITHUB_SUMMARY_LIMIT
    note = result.out.rstrip("\n").rsplit("\n", 1)[-1]
    if lang == "en":
        assert note.startswith("*The summary is cut off here: ")
        assert "to stay under GitHub's limit for a job summary (1 MiB)" in note
    else:
        assert note.startswith("*De samenvatting is hier afgebroken: ")
    full = cli("-r", registry, "report", "--lang", lang)
    assert len(full.out.encode("utf-8")) > GITHUB_SUMMARY_LIMIT


def test_a_summary_is_cut_at_a_line_and_outside_a_code_block() -> None:
    from wrrtrack.render.markdown import _capped

    text = "# Titel\n\n```mermaid\n" + "    x : 1\n" * 200 + "```\n\nslot\n"
    capped = _capped(text, "{left} van {total} weg", limit=1000)
    assert len(capped.encode()) <= 1000
    kept, note = capped.rsplit("\n\n", 1)
    assert kept.endswith("```")  # the chart is closed before the note
    assert note == f"*{len(text.encode()) - len(kept.encode()) - 1} van {len(text.encode())} weg*\n"
    assert _capped("klein\n", "x", limit=1000) == "klein\n"
