"""Docs that cannot drift: their examples and the CLI reference come from the program.

The ```console blocks of README.md and of every Markdown file under docs/ are run, each
file's in order on a fresh copy of the shipped registry, and their output must match what
the file shows. docs/cli-reference.md must be the real --help of every command. Every
relative link must lead to a file and heading that exist. `make docs`
(WRRTRACK_UPDATE_DOCS=1) rewrites the examples and the reference.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, Runner
from tests.helpers import COMMANDS

README = ROOT / "README.md"
DOCS = ROOT / "docs"
# README.md first, then every Markdown file under docs/ (a new guide is picked up by itself).
MARKDOWN = [README, *sorted(DOCS.rglob("*.md"))]
REFERENCE = DOCS / "cli-reference.md"
WALK_THROUGH = DOCS / "tracking-your-own-report.md"
PUBLISHING = DOCS / "publishing.md"
PYTHON_API = DOCS / "python-api.md"
UPDATE = os.environ.get("WRRTRACK_UPDATE_DOCS") == "1"
# A block of output that holds ``` itself (Markdown) is fenced with four backticks.
BLOCK = re.compile(r"^(````?)console\n(.*?)^\1\n", re.DOTALL | re.MULTILINE)


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
            # the docs show the POSIX form. No example in them prints a backslash.
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
    """The table of the shipped registry's sources (docs/evidence.md), from the registry."""
    from wrrtrack import Registry
    from wrrtrack.render.markdown import sources_table

    ledger = Registry.open(ROOT / "data" / "recommendations.yaml", use_cache=False).ledger
    return "\n".join(sources_table(ledger.sources, "en"))


def name(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


@pytest.mark.parametrize("path", MARKDOWN, ids=name)
def test_examples_show_real_output(cli: Runner, in_copy: Path, path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    table = sources_section()
    assert table.count("\n| ") >= 6  # every shipped source is listed
    blocks = BLOCK.findall(text)
    rendered = SOURCES.sub(lambda m: f"{m.group(1)}{table}{m.group(2)}", text)
    for fence, block in blocks:
        rendered = rendered.replace(
            f"{fence}console\n{block}{fence}\n",
            f"{fence}console\n{render_block(block, cli)}{fence}\n",
            1,
        )
    if UPDATE:
        path.write_text(rendered, encoding="utf-8")
    assert rendered == text, f"the examples of {name(path)} are out of date: run `make docs`"


def test_the_docs_keep_their_examples() -> None:
    """The README keeps the everyday jobs' examples; the guides keep the rest, sources table
    included (a split or a rename that lost blocks would otherwise pass unnoticed)."""
    counts = {name(p): len(BLOCK.findall(p.read_text(encoding="utf-8"))) for p in MARKDOWN}
    assert counts["README.md"] >= 7, counts
    assert sum(counts.values()) >= 22, counts
    tables = [name(p) for p in MARKDOWN if SOURCES.search(p.read_text(encoding="utf-8"))]
    assert tables == ["docs/evidence.md"]


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


def documented_commands() -> set[str]:
    """Every `$ wrrtrack …` line of the docs' console blocks (which the test above runs)."""
    blocks = [b for p in MARKDOWN for _, b in BLOCK.findall(p.read_text(encoding="utf-8"))]
    return {line[2:] for block in blocks for line in block.splitlines() if line.startswith("$ ")}


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "wrrtrack")
def test_help_teaches_with_examples_from_the_docs(cli: Runner, command: list[str]) -> None:
    """One to three examples per command, each an example of the docs, so each has been run."""
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
    assert set(examples) <= documented_commands(), set(examples) - documented_commands()
    for example in examples:
        assert example.split()[0] == "wrrtrack"


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c) or "wrrtrack")
def test_usage_names_placeholders_in_capitals_as_the_help_does(
    cli: Runner, command: list[str]
) -> None:
    help_text = cli(*command, "--help").out
    usage = next(line for line in help_text.splitlines() if "Usage:" in line).split()
    # `ID...`: a placeholder that takes one or more values.
    placeholders = [word.strip("[]").removesuffix("...") for word in usage[2 + len(command) :]]
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
    text = PUBLISHING.read_text(encoding="utf-8")
    return text[text.index("## Exports") : text.index("## The registry's JSON Schema")]


@pytest.mark.parametrize("fmt", ["json", "toml", "csv"])
def test_export_excerpts_are_real_output(cli: Runner, fmt: str) -> None:
    blocks = re.findall(rf"```{fmt}\n(.*?)```\n", exports_section(), re.DOTALL)
    assert blocks
    registry = ROOT / "data" / "recommendations.yaml"
    out = cli("--registry", registry, "export", "--format", fmt).out.replace("\r\n", "\n")
    for block in blocks:
        assert block in out, f"publishing.md's {fmt} excerpt is not what export prints"


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


def test_every_test_the_docs_name_exists() -> None:
    text = "\n".join(p.read_text(encoding="utf-8") for p in MARKDOWN)
    named = set(re.findall(r"`(test_[a-z_]+)", text))
    source = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "tests").rglob("*.py"))
    defined = set(re.findall(r"^def (test_[a-z_]+)", source, re.MULTILINE))
    assert named
    assert {n for n in named if not any(d.startswith(n) for d in defined)} == set()


def test_the_python_example_runs(in_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = PYTHON_API.read_text(encoding="utf-8")
    (code,) = re.findall(r"```python\n(.*?)```\n", text, re.DOTALL)
    exec(compile(code, "python-api.md", "exec"), {})  # noqa: S102 (our own docs' example)
    assert capsys.readouterr().out.splitlines() == [
        "wrr103-1 in-verkenning 2026-02-23",
        "wrr103-2 in-verkenning 2026-02-23",
        "wrr103-4 in-uitvoering 2025-11-27",
    ]


def test_the_walk_through_file_reads_as_written(cli: Runner, in_copy: Path) -> None:
    """The registry the walk-through makes is the one it shows, line for line."""
    text = WALK_THROUGH.read_text(encoding="utf-8")
    for _, block in BLOCK.findall(text):
        render_block(block, cli)
    written = (in_copy.parent.parent / "mijn-adviezen" / "data" / "recommendations.yaml").read_text(
        encoding="utf-8"
    )
    (shown,) = re.findall(r"```yaml\n(.*?)    …\n```", text, re.DOTALL)[:1]
    without_comments = "".join(
        line for line in written.splitlines(keepends=True) if not line.startswith("#")
    )
    assert without_comments.startswith(shown)


def github_anchor(text: str) -> str:
    """The id GitHub gives a heading: lower case, punctuation dropped, spaces as `-`."""
    return re.sub(r"[^\w\- ]", "", text.strip().lower()).replace(" ", "-")


def rendered(path: Path) -> tuple[set[str], list[str]]:
    """The anchors of a Markdown file's headings and the targets of its links and images,
    as a CommonMark parser with GitHub's tables reads them (code blocks hold neither)."""
    from markdown_it import MarkdownIt

    tokens = MarkdownIt("commonmark").enable("table").parse(path.read_text(encoding="utf-8"))
    anchors: set[str] = set()
    targets: list[str] = []
    for i, token in enumerate(tokens):
        if token.type == "heading_open":
            words = tokens[i + 1].children or []
            anchor = github_anchor("".join(t.content for t in words if t.content))
            n, unique = 0, anchor
            while unique in anchors:  # GitHub numbers a repeated heading: -1, -2 …
                n += 1
                unique = f"{anchor}-{n}"
            anchors.add(unique)
        for child in token.children or []:
            target = child.attrGet("href") if child.type == "link_open" else child.attrGet("src")
            if isinstance(target, str):
                targets.append(target)
    return anchors, targets


def test_github_anchor_is_what_github_makes() -> None:
    assert github_anchor("`list`: which advice, where it stands") == (
        "list-which-advice-where-it-stands"
    )
    assert github_anchor("The registry's JSON Schema, for editors") == (
        "the-registrys-json-schema-for-editors"
    )
    assert github_anchor("`wrrtrack.toml`: the settings") == "wrrtracktoml-the-settings"


@pytest.mark.parametrize("path", MARKDOWN, ids=name)
def test_every_relative_link_leads_to_a_file_and_heading_that_exist(path: Path) -> None:
    from urllib.parse import unquote

    broken = []
    for target in rendered(path)[1]:
        if re.match(r"[a-z][a-z0-9+.-]*:", target):  # https:, mailto:: not ours to check
            continue
        file_part, _, anchor = target.partition("#")
        linked = (path.parent / unquote(file_part)).resolve() if file_part else path
        if not linked.exists() or not linked.is_relative_to(ROOT):
            broken.append(f"{target}: no such file")
        elif anchor and (linked.suffix != ".md" or anchor not in rendered(linked)[0]):
            broken.append(f"{target}: no heading #{anchor} in {name(linked)}")
    assert broken == []


def test_the_readme_maps_every_guide() -> None:
    """Every Markdown file under docs/ is linked from the README, so none is lost."""
    linked = {(ROOT / t.partition("#")[0]).resolve() for t in rendered(README)[1]}
    assert [name(p) for p in MARKDOWN[1:] if p.resolve() not in linked] == []
