"""The Markdown report: content, determinism, languages, escaping and --output."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.conftest import ROOT, SHIPPED, Runner

HOSTILE = "| <script>alert(1)</script> \n # heading"


def html(markdown: str) -> str:
    """The HTML a GitHub-flavoured renderer makes of the report (tables and strikethrough)."""
    return MarkdownIt("gfm-like", {"html": True, "linkify": False}).render(markdown)


def test_report_is_deterministic_and_names_every_item(cli: Runner) -> None:
    first = cli("-r", SHIPPED, "report")
    second = cli("-r", SHIPPED, "report")
    assert first.code == 0
    assert first.out.encode() == second.out.encode()
    for n in range(1, 8):
        assert f"### wrr103-{n}\n" in first.out
        assert f"[wrr103-{n}](#wrr103-{n})" in first.out


def test_report_heading_summary_and_as_of(cli: Runner) -> None:
    out = cli("-r", SHIPPED, "report").out
    assert out.startswith(
        "# Opvolging WRR 103: Samenleven in verscheidenheid. Beleid voor de migratiesamenleving\n"
        "\n- **Kabinetsreactie:** [Kamerstuk 29 861, nr. 70]"
        "(<https://zoek.officielebekendmakingen.nl/kst-29861-70.html>), 2021-03-24\n"
        "- **Stand per:** 2026-02-23\n"
    )
    assert "| in verkenning | 2 |" in out
    assert "| uitgevoerd | 1 |" in out
    assert "| **Totaal** | **7** |" in out
    assert "| gemeenten | 0 | 2 | 1 | 0 | **3** |" in out
    assert "> Het kabinet is bereid om aan de Adviescommissie voor Vreemdelingenzaken" in out


def test_english_labels(cli: Runner) -> None:
    out = cli("-r", SHIPPED, "report", "--lang", "en").out
    assert out.startswith("# Follow-up of WRR 103")
    assert "| exploring | 2 |" in out
    assert "| municipalities | 0 | 2 | 1 | 0 | **3** |" in out
    assert "- **Cabinet stance:** left to next cabinet" in out
    assert "Stand per" not in out


def test_as_of_and_since(cli: Runner) -> None:
    out = cli("-r", SHIPPED, "report", "--as-of", "2026-01-01", "--since", "2022-01-01").out
    assert "- **Stand per:** 2026-01-01" in out
    assert "## Wijzigingen na 2022-01-01" in out
    assert "| 2022-12-22 | [wrr103-7](#wrr103-7) | uitgevoerd | *(verwant)* De Adviesraad" in out
    none = cli("-r", SHIPPED, "report", "--since", "2026-02-23").out
    assert "Geen wijzigingen na 2026-02-23." in none
    bad = cli("-r", SHIPPED, "report", "--since", "gisteren")
    assert bad.code == 2
    assert "'gisteren' is not a real date" in bad.err


def test_as_of_shows_the_state_on_that_date(cli: Runner) -> None:
    then = cli("-r", SHIPPED, "report", "--as-of", "2022-01-01").out
    assert "- **Stand per:** 2022-01-01" in then
    assert "welk beleid volgt" not in then  # the December 2022 entry had not happened yet
    assert "| [wrr103-7](#wrr103-7) |" in then
    assert "welk beleid volgt" in cli("-r", SHIPPED, "report").out


def test_report_renders_as_github_markdown(cli: Runner) -> None:
    # Late enough for items without a new entry for a year: the report lists them too.
    rendered = html(cli("-r", SHIPPED, "report", "--as-of", "2026-12-01").out)
    assert rendered.count("<h1>") == 1
    assert rendered.count("<h3>wrr103-") == 7
    # themes, summaries (status, actor, kind of entry), stale items, histories, sources
    assert rendered.count("<table>") == 4 + 3 + 1 + 7 + 1
    # stance quotes, context, and the quotes of history entries
    assert rendered.count("<blockquote>") == 14 + 2 + 28


def test_hostile_text_renders_as_text(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    hostile_yaml = '"| <script>alert(1)</script> \\n # heading"'
    title = text.split("  - id: wrr103-6\n    title: ", 1)[1].split("\n", 1)[0]
    text = text.replace(title, hostile_yaml)
    registry.write_text(text, encoding="utf-8")
    # wrr103-6 has had no new entry for a year by then: a stale item, listed as such.
    result = cli("-r", registry, "report", "--since", "2000-01-01", "--as-of", "2026-12-01")
    assert result.code == 0, result.err
    rendered = html(result.out)
    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert rendered.count("<h1>") == 1  # the '# heading' did not become a heading
    assert "<h1>heading" not in rendered
    # The stale items' row and the theme table's row with the hostile title still have
    # their four and six cells.
    rows = [r for r in rendered.split("<tr>") if "<td>| &lt;script&gt;" in r]
    assert [row.count("<td>") for row in rows] == [4, 6]


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [
        ("a | b", r"a \| b"),
        ("<b>x</b> & y", "&lt;b&gt;x&lt;/b&gt; &amp; y"),
        ("line\nbreak", "line break"),
        ("`code` *em* _u_ [l](x) ~s~", r"\`code\` \*em\* \_u\_ \[l\](x) \~s\~"),
        ("# not a heading", r"\# not a heading"),
        ("- not a list", r"\- not a list"),
        ("1. not a list", r"\1. not a list"),
        ("back\\slash", r"back\\slash"),
    ],
)
def test_inline_escaping(raw: str, escaped: str) -> None:
    from wrrtrack.render.markdown import inline

    assert inline(raw) == escaped


def test_output_writes_the_file_atomically(cli: Runner, tmp_path: Path) -> None:
    target = tmp_path / "report.md"
    target.write_text("old", encoding="utf-8")
    target.chmod(0o640)
    result = cli("-r", SHIPPED, "report", "--output", target)
    assert result.code == 0
    assert result.out == ""
    assert result.err == f"wrote {target}\n"
    assert target.read_text(encoding="utf-8") == cli("-r", SHIPPED, "report").out
    if sys.platform != "win32":  # Windows keeps only a read-only flag
        assert target.stat().st_mode & 0o777 == 0o640
    assert not [p for p in tmp_path.iterdir() if ".wrrtrack-tmp-" in p.name]


@pytest.mark.skipif(sys.platform == "win32", reason="links need privileges on Windows")
def test_output_refuses_a_symbolic_link(cli: Runner, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere.md"
    elsewhere.write_text("precious", encoding="utf-8")
    link = tmp_path / "report.md"
    link.symlink_to(elsewhere)
    result = cli("-r", SHIPPED, "report", "--output", link)
    assert result.code == 1
    assert result.err == (
        f"error: {link} is a symbolic link (to {elsewhere}); not writing through it. "
        "Name the target file itself, or remove the link\n"
    )
    assert elsewhere.read_text(encoding="utf-8") == "precious"
    assert link.is_symlink()


def test_output_refuses_directories_and_missing_parents(cli: Runner, tmp_path: Path) -> None:
    assert cli("-r", SHIPPED, "report", "-o", tmp_path).err == (
        f"error: {tmp_path} is a directory; --output writes only a new file or over a regular "
        "file\n"
    )
    missing = tmp_path / "no" / "r.md"
    assert cli("-r", SHIPPED, "report", "-o", missing).err == (
        f"error: {missing.parent}: no such directory\n"
    )
    assert not missing.exists()


def test_a_mermaid_pie_of_the_statuses_precedes_their_table(cli: Runner) -> None:
    out = cli("-r", SHIPPED, "report", "--lang", "en").out
    assert (
        "### By status\n\n```mermaid\npie showData\n    title Recommendations by status\n"
        '    "open" : 1\n    "exploring" : 2\n    "in progress" : 3\n    "implemented" : 1\n'
        "```\n\n"
        "| Status | Count |\n"
    ) in out
    rendered = html(out)
    assert rendered.count('<code class="language-mermaid">') == 1


@pytest.mark.parametrize(
    ("raw", "label"),
    [
        ("in verkenning", "in verkenning"),
        ('say "hi"', "say #quot;hi#quot;"),
        ("#quot; stays text", "#35;quot; stays text"),
        ("<b>x</b>", "#lt;b#gt;x#lt;/b#gt;"),
        ("two\nlines\x1b[31m", "two lines [31m"),
        ("```", "```"),  # inside a quoted label, mid-line: cannot close the fence
        # Mermaid finds a `%%{init: …}%%` directive anywhere in the text, quotes or not.
        (
            '%%{init: {"theme": "dark"}}%%',
            "#37;#37;{init: {#quot;theme#quot;: #quot;dark#quot;}}#37;#37;",
        ),
    ],
)
def test_mermaid_labels_cannot_leave_their_quotes(raw: str, label: str) -> None:
    from wrrtrack.render.markdown import mermaid_text

    assert mermaid_text(raw) == label


def test_hostile_status_label_stays_inside_the_pie(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    text = text.replace(
        "vocabularies:\n",
        'vocabularies:\n  statuses:\n    open: {nl: "x\\"\\n```\\n# kop", en: open}\n',
    )
    registry.write_text(text, encoding="utf-8")
    out = cli("-r", registry, "report").out
    assert '    "x#quot; ``` #35; kop" : 1\n' in out
    rendered = html(out)
    assert rendered.count("<h1>") == 1
    assert rendered.count("<pre>") == 1


def test_summary_has_the_counts_and_the_latest_changes_only(cli: Runner) -> None:
    out = cli("-r", SHIPPED, "report", "--summary").out
    assert "```mermaid" in out
    assert "| **Totaal** | **7** |" in out
    assert "| gemeenten | 0 | 2 | 1 | 0 | **3** |" in out
    assert "Aanbevelingen per thema" not in out
    assert "### wrr103-" not in out
    assert "> " not in out  # neither quotes nor context
    changes = out.split("## Laatste wijzigingen\n\n", 1)[1].split("\n\n", 1)[0].splitlines()
    assert changes[2].startswith(
        "| 2026-02-23 | wrr103-1 | in verkenning | *(verwant)* De Adviesraad Migratie (een"
    )
    assert changes[14].startswith(
        "| 2022-12-22 | wrr103-7 | uitgevoerd | *(verwant)* De Adviesraad"
    )
    # The latest twenty of the 25 entries: the other five are left to the full report.
    assert [row.split(" | ")[1] for row in changes[20:]] == ["wrr103-1", "wrr103-2"]
    assert "\n\nNog 5 eerdere wijziging(en); het volledige rapport" in out
    since = cli("-r", SHIPPED, "report", "--summary", "--since", "2022-01-01", "--lang", "en").out
    assert "## Changes after 2022-01-01\n" in since
    assert since.count("| 2022-12-22 | wrr103-7 |") == 1
    assert "Latest changes" not in since
    none = cli("-r", SHIPPED, "report", "--summary", "--since", "2026-02-23").out
    assert "Geen wijzigingen na 2026-02-23." in none


def test_summary_clips_huge_notes(cli: Runner, registry: Path) -> None:
    plain = len(cli("-r", registry, "report", "--summary").out)
    assert (
        cli("-r", registry, "status", "set", "wrr103-1", "open", "--note", "x" * 100_000).code == 0
    )
    out = cli("-r", registry, "report", "--summary").out
    assert len(out) < plain + 1_000  # one row more, its note clipped
    assert "x" * 299 + "…" in out
    assert "x" * 100_000 in cli("-r", registry, "report").out  # the full report keeps it


def test_summary_of_ten_thousand_items_fits_a_job_summary() -> None:
    """GitHub refuses a job summary over 1 MiB; a summary must fit whatever the size."""
    import sys

    sys.path.insert(0, str(ROOT / "benchmarks"))
    import make_registry
    from wrrtrack.render import html as html_render
    from wrrtrack.render import markdown

    ledger, _ = make_registry.build(10_000)
    changes = sum(len(rec.history) for rec in ledger.recommendations)
    for render in (markdown.status_report, html_render.status_report):
        latest = render(ledger, summary=True)
        everything = render(ledger, summary=True, since=date(2000, 1, 1))
        assert len(latest.encode()) < 64 * 1024
        assert len(everything.encode()) < 512 * 1024
        assert f"{changes - 500}" in everything  # the changes left out are counted
    full = markdown.status_report(ledger, since=date(2000, 1, 1))
    assert len(full.encode()) > 1024 * 1024  # so the summary is what makes it fit


@pytest.mark.slow
def test_summary_of_a_ten_thousand_item_registry_from_the_command_line(tmp_path: Path) -> None:
    """As a CI job would run it: the generated registry, the installed command."""
    registry = tmp_path / "recommendations.yaml"
    subprocess.run(
        [sys.executable, ROOT / "benchmarks" / "make_registry.py", "10000", registry], check=True
    )
    wrrtrack = Path(sys.executable).parent / "wrrtrack"
    result = subprocess.run(
        [wrrtrack, "-r", registry, "report", "--summary", "--since", "2000-01-01"],
        capture_output=True,
        check=True,
    )
    assert 10_000 < len(result.stdout) < 1024 * 1024
    assert result.stderr == b""


@pytest.mark.skipif(sys.platform == "win32", reason="Windows has no FIFOs or /dev")
def test_output_refuses_devices_and_fifos(cli: Runner, tmp_path: Path) -> None:
    """The write is a rename: it would replace a device or a FIFO with a regular file."""
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    # (A FIFO only: run as root, a regression would replace a real device like /dev/full.)
    result = cli("-r", SHIPPED, "report", "--format", "html", "--output", fifo)
    assert (result.code, result.out) == (1, "")
    assert result.err == (
        f"error: {fifo} is a named pipe (FIFO); --output writes only a new file or over a "
        "regular file\n"
    )
    assert stat.S_ISFIFO(fifo.stat().st_mode)
