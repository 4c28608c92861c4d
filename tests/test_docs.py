"""Docs that cannot drift: README examples and the CLI reference come from the program.

Every ```console block in README.md is run, in order, on a fresh copy of the shipped
registry, and its output must match what the README shows. docs/cli-reference.md must be
the real --help of every command. `make docs` (WRRTRACK_UPDATE_DOCS=1) rewrites both.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, Runner

README = ROOT / "README.md"
REFERENCE = ROOT / "docs" / "cli-reference.md"
UPDATE = os.environ.get("WRRTRACK_UPDATE_DOCS") == "1"
# A block of output that holds ``` itself (Markdown) is fenced with four backticks.
BLOCK = re.compile(r"^(````?)console\n(.*?)^\1\n", re.DOTALL | re.MULTILINE)
COMMANDS = [
    [],
    ["list"],
    ["show"],
    ["status"],
    ["status", "set"],
    ["status", "history"],
    ["report"],
    ["changes"],
    ["validate"],
    ["sources"],
    ["sources", "update"],
    ["init"],
    ["vocab"],
    ["vocab", "list"],
    ["vocab", "add"],
    ["reports"],
    ["reports", "add"],
    ["add"],
    ["export"],
    ["schema"],
]


def render_block(block: str, cli: Runner) -> str:
    """The block with each `$ wrrtrack …` line followed by what the program prints."""
    out = []
    for line in block.splitlines():
        if not line.startswith("$ "):
            continue
        argv = shlex.split(line[2:])
        if argv[0] == "cd":  # as a reader would: the following commands run there
            os.chdir(argv[1])
            out.append(line)
            continue
        assert argv[0] == "wrrtrack", line
        result = cli(*argv[1:])
        out.append(line)
        text = result.out + result.err
        if os.sep != "/":
            # Paths are printed with the system's separator (`kopie\\data\\…` on Windows);
            # the README shows the POSIX form. No README example prints a backslash.
            text = text.replace(os.sep, "/")
        out.extend(text.rstrip("\n").splitlines() if text.strip() else [])
    return "\n".join(out) + "\n"


@pytest.fixture
def in_copy(registry: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    shutil.copytree(ROOT / "docs" / "examples", registry.parent.parent / "docs" / "examples")
    monkeypatch.chdir(registry.parent.parent)
    monkeypatch.setenv("COLUMNS", "100")
    (registry.parent.parent / ".gitconfig").write_text("[user]\n\tname = A. Jansen\n")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(registry.parent.parent / ".gitconfig"))
    return registry


SOURCES = re.compile(r"(<!-- sources:start -->\n).*?(<!-- sources:end -->\n)", re.DOTALL)


def sources_section() -> str:
    """The README's table of the shipped registry's sources, from the registry itself."""
    from wrrtrack import Registry
    from wrrtrack.render.markdown import sources_table

    ledger = Registry.open(ROOT / "data" / "recommendations.yaml", use_cache=False).ledger
    return "\n".join(sources_table(ledger.sources, "en"))


def test_readme_examples_show_real_output(cli: Runner, in_copy: Path) -> None:
    text = README.read_text(encoding="utf-8")
    table = sources_section()
    assert table.count("\n| ") >= 6  # every shipped source is listed
    blocks = BLOCK.findall(text)
    assert len(blocks) >= 8
    rendered = SOURCES.sub(lambda m: f"{m.group(1)}{table}{m.group(2)}", text)
    for fence, block in blocks:
        rendered = rendered.replace(
            f"{fence}console\n{block}{fence}\n",
            f"{fence}console\n{render_block(block, cli)}{fence}\n",
            1,
        )
    if UPDATE:
        README.write_text(rendered, encoding="utf-8")
    assert rendered == text, "README examples are out of date: run `make docs`"


def reference(cli: Runner) -> str:
    parts = [
        "# Command-line reference\n",
        "Generated from the program's own `--help` by `make docs`; a test fails when it differs.\n",
    ]
    for command in COMMANDS:
        result = cli(*command, "--help")
        assert result.code == 0
        title = " ".join(["wrrtrack", *command])
        help_text = "\n".join(line.rstrip() for line in result.out.strip("\n").splitlines())
        parts.append(f"## `{title}`\n\n```text\n{help_text}\n```\n")
    return "\n".join(parts)


def test_cli_reference_is_the_real_help(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "100")
    text = reference(cli)
    if UPDATE:
        REFERENCE.write_text(text, encoding="utf-8")
    assert REFERENCE.read_text(encoding="utf-8") == text, "run `make docs`"


def readme_commands() -> set[str]:
    """Every `$ wrrtrack …` line of the README's console blocks (which the test above runs)."""
    blocks = BLOCK.findall(README.read_text(encoding="utf-8"))
    return {line[2:] for _, block in blocks for line in block.splitlines() if line.startswith("$ ")}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "wrrtrack")
def test_help_teaches_with_examples_from_the_readme(cli: Runner, command: list[str]) -> None:
    """One to three examples per command, each a README example, so each has been run."""
    help_text = cli(*command, "--help").out
    assert "Examples:" in help_text
    examples: list[str] = []
    continued = False
    for line in help_text.splitlines():
        text = line.strip(" │\n")
        if text.startswith("$ "):
            examples.append(text[2:])
        elif continued and text:  # a long example, wrapped to the help's width
            examples[-1] += " " + text
        continued = bool(text) and bool(examples) and (text.startswith("$ ") or continued)
    assert 1 <= len(examples) <= 3, examples
    assert set(examples) <= readme_commands(), set(examples) - readme_commands()
    for example in examples:
        assert example.split()[0] == "wrrtrack"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "wrrtrack")
def test_usage_names_placeholders_in_capitals_as_the_help_does(
    cli: Runner, command: list[str]
) -> None:
    help_text = cli(*command, "--help").out
    usage = next(line for line in help_text.splitlines() if "Usage:" in line).split()
    placeholders = [word.strip("[]") for word in usage[2 + len(command) :]]
    assert "{" not in " ".join(usage) and "<" not in " ".join(usage), usage
    for placeholder in placeholders:
        assert placeholder.rstrip(".") == placeholder.rstrip(".").upper(), usage
    options = help_text[help_text.index("Options") :]
    assert "<str>" not in options and "<path>" not in options, "an option without a metavar"
    # Every capitalised word the description names (ID, STATUS, DIR) is in the usage line.
    description = help_text[help_text.index("Usage:") : help_text.index("Examples:")]
    named = set(re.findall(r"\b[A-Z]{2,}\b", description.split("\n", 1)[1]))
    assert named <= {*placeholders, "OPTIONS", "COMMAND", "ARGS", "WRR"}, named


def test_every_command_has_help_text() -> None:
    import typer

    from wrrtrack.cli import app

    def walk(command: object, path: str) -> list[tuple[str, str]]:
        found = [(path, (getattr(command, "help", None) or "").strip())]
        for name, sub in getattr(command, "commands", {}).items():
            found += walk(sub, f"{path} {name}")
        return found

    commands = walk(typer.main.get_command(app), "wrrtrack")
    assert len(commands) == len(COMMANDS)
    assert [path for path, text in commands if not text] == []


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_example_reports_are_what_report_prints(cli: Runner, lang: str) -> None:
    path = ROOT / "docs" / ("example-report.md" if lang == "nl" else "example-report.en.md")
    text = cli("--registry", ROOT / "data" / "recommendations.yaml", "report", "--lang", lang).out
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, "run `make docs`"


def test_example_summary_is_what_report_prints(cli: Runner) -> None:
    path = ROOT / "docs" / "example-summary.en.md"
    registry = ROOT / "data" / "recommendations.yaml"
    text = cli("--registry", registry, "report", "--summary", "--lang", "en").out
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, "run `make docs`"


def test_the_schema_file_is_what_schema_prints(cli: Runner) -> None:
    path = ROOT / "schema" / "registry.schema.json"
    text = cli("schema").out
    if UPDATE:
        path.write_text(text, encoding="utf-8")
    assert path.read_text(encoding="utf-8") == text, "the schema is stale: run `make docs`"


def exports_section() -> str:
    text = README.read_text(encoding="utf-8")
    return text[text.index("### Exports") : text.index("### The registry's JSON Schema")]


@pytest.mark.parametrize("fmt", ["json", "toml", "csv"])
def test_export_excerpts_are_real_output(cli: Runner, fmt: str) -> None:
    blocks = re.findall(rf"```{fmt}\n(.*?)```\n", exports_section(), re.DOTALL)
    assert blocks
    registry = ROOT / "data" / "recommendations.yaml"
    out = cli("--registry", registry, "export", "--format", fmt).out.replace("\r\n", "\n")
    for block in blocks:
        assert block in out, f"README's {fmt} excerpt is not what export prints"


def test_the_sqlite_example_is_real_output(cli: Runner, tmp_path: Path) -> None:
    """The query runs on a real export; rows as `sqlite3` prints them (`|`, NULL empty)."""
    import sqlite3

    (query, shown) = re.findall(
        r'```text\n\$ sqlite3 registry.db "(.*?)"\n(.*?)```\n', exports_section(), re.DOTALL
    )[0]
    database = tmp_path / "registry.db"
    registry = ROOT / "data" / "recommendations.yaml"
    assert cli("--registry", registry, "export", "-f", "sqlite", "-o", database).code == 0
    with sqlite3.connect(database) as db:
        rows = db.execute(query).fetchall()
    db.close()
    printed = "".join("|".join("" if v is None else str(v) for v in row) + "\n" for row in rows)
    assert printed == shown


def test_every_test_the_readme_names_exists() -> None:
    named = set(re.findall(r"`(test_[a-z_]+)", README.read_text(encoding="utf-8")))
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").glob("*.py"))
    defined = set(re.findall(r"^def (test_[a-z_]+)", source, re.MULTILINE))
    assert named
    assert {n for n in named if not any(d.startswith(n) for d in defined)} == set()


def test_the_python_example_runs(in_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (code,) = re.findall(r"```python\n(.*?)```\n", README.read_text(encoding="utf-8"), re.DOTALL)
    exec(compile(code, "README.md", "exec"), {})  # noqa: S102 (our own README's example)
    assert capsys.readouterr().out.splitlines() == [
        "wrr103-1 in-verkenning 2021-03-24",
        "wrr103-2 in-verkenning 2022-01-01",
        "wrr103-4 in-uitvoering 2024-10-17",
    ]


def test_the_walk_through_file_reads_as_written(cli: Runner, in_copy: Path) -> None:
    """The registry the walk-through makes is the one the README shows, line for line."""
    text = README.read_text(encoding="utf-8")
    for _, block in BLOCK.findall(text):
        render_block(block, cli)
    written = (in_copy.parent.parent / "mijn-adviezen" / "data" / "recommendations.yaml").read_text(
        encoding="utf-8"
    )
    section = text[text.index("## Track your own report") :]
    (shown,) = re.findall(r"```yaml\n(.*?)    …\n```", section, re.DOTALL)[:1]
    without_comments = "".join(
        line for line in written.splitlines(keepends=True) if not line.startswith("#")
    )
    assert without_comments.startswith(shown)
