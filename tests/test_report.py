"""The Markdown report: content, determinism, languages, escaping and --output."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from markdown_it import MarkdownIt

from tests.conftest import SHIPPED, Runner

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
        "\n- **Kabinetsreactie:** Kamerstuk 29 861, nr. 70, 2021-03-24\n"
        "- **Stand per:** 2022-12-22\n"
    )
    assert "| in verkenning | 3 |" in out
    assert "| **Totaal** | **7** |" in out
    assert "| gemeenten | 0 | 2 | 1 | 0 | **3** |" in out
    assert "> Het kabinet is bereid om aan de Adviescommissie voor Vreemdelingenzaken" in out


def test_english_labels(cli: Runner) -> None:
    out = cli("-r", SHIPPED, "report", "--lang", "en").out
    assert out.startswith("# Follow-up of WRR 103")
    assert "| exploring | 3 |" in out
    assert "| municipalities | 0 | 2 | 1 | 0 | **3** |" in out
    assert "- **Cabinet stance:** left to next cabinet" in out
    assert "Stand per" not in out


def test_as_of_and_since(cli: Runner) -> None:
    out = cli("-r", SHIPPED, "report", "--as-of", "2026-01-01", "--since", "2022-01-01").out
    assert "- **Stand per:** 2026-01-01" in out
    assert "## Wijzigingen na 2022-01-01" in out
    assert "| 2022-12-22 | [wrr103-7](#wrr103-7) | in verkenning | De Adviesraad Migratie" in out
    none = cli("-r", SHIPPED, "report", "--since", "2023-01-01").out
    assert "Geen wijzigingen na 2023-01-01." in none
    bad = cli("-r", SHIPPED, "report", "--since", "gisteren")
    assert bad.code == 2
    assert "'gisteren' is not a real date" in bad.err


def test_as_of_shows_the_state_on_that_date(cli: Runner) -> None:
    then = cli("-r", SHIPPED, "report", "--as-of", "2022-01-01").out
    assert "- **Stand per:** 2022-01-01" in then
    assert "bandbreedte" not in then  # the December 2022 entry had not happened yet
    assert "| [wrr103-7](#wrr103-7) |" in then
    assert "bandbreedte" in cli("-r", SHIPPED, "report").out


def test_report_renders_as_github_markdown(cli: Runner) -> None:
    rendered = html(cli("-r", SHIPPED, "report").out)
    assert rendered.count("<h1>") == 1
    assert rendered.count("<h3>wrr103-") == 7
    assert rendered.count("<table>") == 4 + 2 + 7  # themes, summaries, histories
    assert rendered.count("<blockquote>") == 10 + 2  # quotes and context


def test_hostile_text_renders_as_text(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    hostile_yaml = '"| <script>alert(1)</script> \\n # heading"'
    text = text.replace('"Een meer integrale ontvangst van alle nieuwkomers"', hostile_yaml)
    registry.write_text(text, encoding="utf-8")
    result = cli("-r", registry, "report", "--since", "2000-01-01")
    assert result.code == 0, result.err
    rendered = html(result.out)
    assert "<script>" not in rendered
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in rendered
    assert rendered.count("<h1>") == 1  # the '# heading' did not become a heading
    assert "<h1>heading" not in rendered
    # The theme table's row with the hostile title still has its six cells.
    rows = [r for r in rendered.split("<tr>") if "<td>| &lt;script&gt;" in r]
    assert len(rows) == 1
    assert rows[0].count("<td>") == 6


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
