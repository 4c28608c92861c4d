"""`report --format html`: one self-contained page, read back with the standard library's
HTML parser: structure, headers, charts, every item, nothing loaded, hostile text inert."""

from __future__ import annotations

import base64
import hashlib
import itertools
import re
from pathlib import Path

import pytest

from tests.conftest import SHIPPED, Runner
from tests.helpers import Element, parse
from wrrtrack._registry import Registry
from wrrtrack.render import visible


def html_report(cli: Runner, *args: str | Path) -> str:
    result = cli(*args[:2], "report", "--format", "html", *args[2:])
    assert result.code == 0, result.err
    assert result.err == ""
    return result.out


def test_the_page_is_self_contained_and_loads_nothing(cli: Runner) -> None:
    page = html_report(cli, "-r", SHIPPED)
    root = parse(page)
    document = root.one("html")
    assert document.attrs["lang"] == "nl"
    assert_self_contained(root)


def assert_self_contained(root: Element) -> None:
    """No script, nothing loaded, unique ids, links only within the page (or to a source's
    web page), and a policy that allows the page's one style sheet and nothing else."""
    for tag in ("script", "link", "img", "iframe", "object", "embed", "base", "form"):
        assert root.all(tag) == [], tag
    assert len(root.all("style")) == 1
    ids = [e.attrs["id"] for e in root.all() if "id" in e.attrs]
    assert len(ids) == len(set(ids)), "ids are unique"
    for element in root.all():
        assert "style" not in element.attrs  # the policy allows the one style sheet only
        assert "src" not in element.attrs
        assert not [a for a in element.attrs if a.startswith("on")]
        href = element.attrs.get("href")
        if href is not None and element.tag == "a" and href.startswith("https://"):
            continue  # a source's page: followed only when the reader clicks it
        if href is not None:  # every other link goes to a place in the page
            assert href.startswith("#"), href
            assert href[1:] in ids, href
    policy = [m for m in root.all("meta") if m.attrs.get("http-equiv")]
    assert policy[0].attrs["content"].startswith("default-src 'none'; style-src 'sha256-")
    sheet = "".join(root.one("style").texts)
    digest = base64.b64encode(hashlib.sha256(sheet.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}';" in policy[0].attrs["content"]  # this very sheet
    # Nothing in the style sheet fetches either (no url(), no @import).
    assert "url(" not in sheet
    assert "@import" not in sheet
    assert "@media print" in sheet


def test_the_page_says_what_the_markdown_report_says(cli: Runner) -> None:
    root = parse(html_report(cli, "-r", SHIPPED))
    registry = Registry.open(SHIPPED)
    assert root.one("h1").text() == (
        "Opvolging WRR 103: Samenleven in verscheidenheid. Beleid voor de migratiesamenleving"
    )
    assert root.one("head").one("title").text() == root.one("h1").text()
    facts = root.one("header").text()
    assert "Kabinetsreactie Kamerstuk 29 861, nr. 70, 2021-03-24" in facts
    assert "Stand per 2026-02-23" in facts
    sections = {e.attrs["id"]: e for e in root.all("section")}
    quotes = [q.text() for q in root.all("blockquote")]
    assert quotes[:2] == list(registry.report.context)
    for rec in registry.recommendations:
        detail = sections[f"rec-{rec.id}"]
        assert detail.one("h3").text() == rec.id
        assert rec.title in detail.text()
        entries = [q for change in rec.history for q in change.quotes]
        assert [q.text() for q in detail.all("blockquote")] == [*rec.quotes, *entries]
        history = detail.one("tbody").all("tr")
        assert len(history) == len(rec.history)
        assert history[-1].all()[0].text() == rec.updated.isoformat()
    theme_rows = sections["by-theme"].all("tbody")
    assert sum(len(body.all("tr")) for body in theme_rows) == 7
    assert [h.text() for h in sections["by-theme"].all("h3")] == [
        "Algemeen",
        "Ontvangst en inburgering",
        "Samenhang in wijken",
        "Migratiebeleid",
    ]
    assert len(quotes) == 2 + 14 + 28  # context, stance quotes, history entries' quotes
    assert root.one("footer").text().startswith("Gemaakt met wrrtrack")


def test_every_table_has_column_and_row_headers(cli: Runner) -> None:
    # Late enough for items without a new entry for a year: the page lists them too.
    root = parse(html_report(cli, "-r", SHIPPED, "--since", "2022-01-01", "--as-of", "2026-12-01"))
    tables = root.all("table")
    # summaries (status, actor, kind of entry), stale items, changes, themes, histories,
    # sources
    assert len(tables) == 3 + 1 + 1 + 4 + 7 + 1
    for table in tables:
        heads = table.one("thead").all("th")
        assert heads
        assert all(th.attrs["scope"] == "col" for th in heads)
        for row in table.one("tbody").all("tr"):
            first = row.children[0]
            assert (first.tag, first.attrs["scope"]) == ("th", "row")
            if "cards" in table.attrs.get("class", ""):  # labelled for the phone layout
                labels = [cell.attrs["data-label"] for cell in row.children]
                assert labels == [th.text() for th in heads]
    status = tables[0]
    rows = [[c.text() for c in tr.children] for tr in status.all("tr")]
    assert rows == [
        ["Status", "Aantal"],
        ["open", "1"],
        ["in verkenning", "2"],
        ["in uitvoering", "3"],
        ["uitgevoerd", "1"],
        ["Totaal", "7"],
    ]
    changes = root.all("section")[2]  # after the summary and the stale items
    assert changes.attrs["id"] == "changes"
    assert changes.one("h2").text() == "Wijzigingen na 2022-01-01"
    assert changes.one("tbody").all("a")[0].attrs["href"] == "#rec-wrr103-4"


def test_charts_are_svg_with_a_title_a_description_and_the_numbers(cli: Runner) -> None:
    root = parse(html_report(cli, "-r", SHIPPED, "--lang", "en"))
    assert root.one("html").attrs["lang"] == "en"
    status, actor = root.all("svg")[:2]
    for chart in (status, actor):
        assert chart.attrs["role"] == "img"
        title, desc = chart.one("title"), chart.one("desc")
        assert chart.attrs["aria-labelledby"] == f"{title.attrs['id']} {desc.attrs['id']}"
    assert status.one("title").text() == "Recommendations by status"
    assert status.one("desc").text() == ("open: 1; exploring: 2; in progress: 3; implemented: 1")
    assert [t.text() for t in status.all("text")] == [
        *("open", "1", "exploring", "2", "in progress", "3", "implemented", "1")
    ]
    assert len(status.all("rect")) == 4
    assert "municipalities: exploring: 2, in progress: 1" in actor.one("desc").text()
    # The bars' widths are proportional to the counts: 3 fills the room, 2 and 1 their part.
    widths = [float(r.attrs["width"]) for r in status.all("rect")]
    assert widths[2] == pytest.approx(3 * widths[0], abs=0.3)
    assert widths[1] == pytest.approx(2 * widths[3], abs=0.2)
    legend = root.one("ul")
    assert [li.text() for li in legend.all("li")] == [
        "open",
        "exploring",
        "in progress",
        "implemented",
    ]


def test_contents_link_to_every_section(cli: Runner) -> None:
    root = parse(html_report(cli, "-r", SHIPPED, "--as-of", "2026-12-01"))  # items gone stale
    nav = root.one("nav")
    links = [(a.attrs["href"], a.text()) for a in nav.all("a")]
    assert links == [
        ("#summary", "Samenvatting"),
        ("#by-status", "Per status"),
        ("#by-actor", "Per actor"),
        ("#stale", "Twaalf maanden of langer zonder nieuwe vermelding"),
        ("#by-theme", "Aanbevelingen per thema"),
        ("#theme-1", "Algemeen"),
        ("#theme-2", "Ontvangst en inburgering"),
        ("#theme-3", "Samenhang in wijken"),
        ("#theme-4", "Migratiebeleid"),
        ("#details", "Aanbevelingen in detail"),
        ("#sources", "Bronnen"),
    ]


def test_the_page_is_deterministic_and_output_writes_it(cli: Runner, tmp_path: Path) -> None:
    first = html_report(cli, "-r", SHIPPED)
    assert html_report(cli, "-r", SHIPPED).encode() == first.encode()
    target = tmp_path / "status.html"
    result = cli("-r", SHIPPED, "report", "--format", "html", "--output", target)
    assert (result.code, result.out, result.err) == (0, "", f"wrote {target}\n")
    assert target.read_bytes() == first.encode()


HOSTILE = '<script>alert(1)</script> "><img src=x onerror=alert(2)> **vet** [x](javascript:y)'


def test_hostile_text_is_shown_as_text(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    hostile = HOSTILE.replace('"', '\\"')
    text = text.replace(
        '"Een meer integrale ontvangst van alle nieuwkomers"', f'"{hostile}\\e[31m\\a"'
    )
    text = text.replace("{nl: Algemeen,", f'{{nl: "{hostile}",')
    registry.write_text(text, encoding="utf-8")
    assert cli("-r", registry, "status", "set", "wrr103-2", "open", "--date", "2026-11-01",
        "--note", f"'><svg onload=alert(3)>\n{HOSTILE}", "--by", '"onmouseover="x',
        "--source", "javascript:alert(4)").code == 0  # fmt: skip
    for args in ([], ["--since", "2000-01-01"], ["--summary"]):
        page = html_report(cli, "-r", registry, *args)
        root = parse(page)
        assert root.all("script") == []
        assert root.all("img") == []
        assert len(root.all("svg")) == 2 + 4  # the charts and the legend's swatches
        for element in root.all():
            assert not [a for a in element.attrs if a.startswith("on")], element.tag
            assert not element.attrs.get("href", "#").startswith("javascript")
        assert "\x1b" not in page
        assert "\x07" not in page
    root = parse(html_report(cli, "-r", registry))
    detail = next(s for s in root.all("section") if s.attrs.get("id") == "rec-wrr103-2")
    (title,) = [p for p in detail.all("p") if p.attrs.get("class") == "rec-title"]
    assert title.text() == f"{HOSTILE}\\x1b[31m\\x07"
    last = detail.one("tbody").all("tr")[-1]
    assert [c.text() for c in last.children] == [
        "2026-11-01",
        "open",
        f"'><svg onload=alert(3)> {HOSTILE}",
        '"onmouseover="x',
        "javascript:alert(4)",
    ]
    assert last.all("a") == []  # a source that is no web address is not a link
    assert root.one("nav").all("a")[5].text() == HOSTILE  # the theme's label


def test_quotes_link_to_their_source_where_it_has_a_web_address(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wrrtrack.render import content

    url = 'https://example.org/kst?a=1&b="><script>x</script>'
    monkeypatch.setattr(
        content, "quote_attribution", lambda ledger, rec, lang: content.Attribution(rec.id, url)
    )
    root = parse(html_report(cli, "-r", SHIPPED))
    figures = [f for f in root.all("figure") if f.attrs.get("class") == "quote"]
    assert len(figures) == 14 + 18  # stance quotes; history entries with quotes
    first = figures[0]
    assert first.one("blockquote").attrs["cite"] == url
    link = first.one("figcaption").one("a")
    assert (link.attrs["href"], link.text()) == (url, "wrr103-1")
    assert root.all("script") == []
    # Markdown names the same source, linked the same way.
    markdown = cli("-r", SHIPPED, "report").out
    assert "\n[wrr103-1](<https://example.org/kst?a=1&b=%22%3E%3Cscript" in markdown

    monkeypatch.setattr(
        content,
        "quote_attribution",
        lambda ledger, rec, lang: content.Attribution("bron", "javascript:alert(1)"),
    )
    root = parse(html_report(cli, "-r", SHIPPED))
    first = next(f for f in root.all("figure") if f.attrs.get("class") == "quote")
    assert "cite" not in first.one("blockquote").attrs
    assert first.one("figcaption").all("a") == []
    assert first.one("figcaption").text() == "— bron"


def test_a_history_source_that_is_a_web_address_is_a_link(cli: Runner, registry: Path) -> None:
    url = "https://www.adviesraadmigratie.nl/publicaties"
    set_ = cli("-r", registry, "status", "set", "wrr103-3", "open", "--note", "n", "--source", url)
    assert set_.code == 0, set_.err
    root = parse(html_report(cli, "-r", registry))
    detail = next(s for s in root.all("section") if s.attrs.get("id") == "rec-wrr103-3")
    *_, link = detail.one("tbody").all("a")  # after the links of the stored sources
    assert (link.attrs["href"], link.text()) == (url, url)


def test_summary_page_has_the_counts_and_changes_only(cli: Runner) -> None:
    root = parse(html_report(cli, "-r", SHIPPED, "--summary", "--as-of", "2026-12-01"))
    ids = {s.attrs["id"] for s in root.all("section")}
    assert ids == {"summary", "stale", "changes"}
    changes = next(s for s in root.all("section") if s.attrs["id"] == "changes")
    assert changes.one("h2").text() == "Laatste wijzigingen"
    rows = changes.one("tbody").all("tr")
    assert [r.children[1].text() for r in rows][:3] == ["wrr103-1", "wrr103-2", "wrr103-2"]
    assert changes.all("a") == []  # nothing to link to in a summary
    assert [a.attrs["href"] for a in root.one("nav").all("a")] == [
        "#summary",
        "#by-status",
        "#by-actor",
        "#stale",
        "#changes",
    ]
    assert "Bronnen" not in root.text()  # a summary lists no sources, as in Markdown


def test_text_escapes_for_text_and_attributes() -> None:
    from wrrtrack.render.html import text

    assert text("a & <b> \"c\" 'd'") == "a &amp; &lt;b&gt; &quot;c&quot; &#x27;d&#x27;"
    assert text("line\nbreak\ttab") == "line break tab"
    assert text("bell\x07 nul\x00 del\x7f") == "bell\\x07 nul\\x00 del\\x7f"
    assert text(None) == ""
    assert re.fullmatch(r"[^<>\"']*", text(HOSTILE))


# --- a page of several reports -------------------------------------------------------------


@pytest.fixture
def two(cli: Runner, registry: Path) -> Path:
    """The shipped registry and the invented report of docs/tracking-your-own-report.md."""
    from tests.helpers import with_second_report

    return with_second_report(cli, registry)


def headings(element: Element) -> list[int]:
    return [int(e.tag[1]) for e in element.all() if re.fullmatch(r"h[1-6]", e.tag)]


def test_a_page_of_several_reports_has_a_summary_and_a_section_for_each(
    cli: Runner, two: Path
) -> None:
    page = html_report(cli, "-r", two)
    root = parse(page)
    assert_self_contained(root)
    assert "break-before: page" in root.one("style").text()  # each report printed apart
    assert root.one("h1").text() == "Opvolging van 2 adviesrapporten"
    assert root.one("header").one("dl").text() == "Stand per 2026-02-23"
    # Headings never skip a level: the sections are each report's page, one level down.
    levels = headings(root.one("body"))
    assert all(b <= a + 1 for a, b in itertools.pairwise(levels))
    reports = [s for s in root.all("section") if s.attrs.get("class") == "report"]
    assert [s.attrs["id"] for s in reports] == ["report-wrr-103", "report-voorbeeldstad-wijk"]
    markdown = cli("-r", two, "report").out
    titles = [s.children[0].text() for s in reports]
    assert [f"## {title}" for title in titles] == [
        line for line in markdown.splitlines() if line.startswith("## Opvolging")
    ]
    # Each section holds its report's items, and only those.
    for section, ids in zip(
        reports, [[f"wrr103-{n}" for n in range(1, 8)], ["vsd-1", "vsd-2"]], strict=True
    ):
        found = [s.attrs["id"] for s in section.all("section") if s.attrs.get("class") == "rec"]
        assert found == [f"rec-{i}" for i in ids]
        assert section.all("dl")[0].text().startswith("Kabinetsreactie ")
    assert reports[1].all("h3")[0].text() == "Samenvatting"
    # Across the reports: per report, how many in each status; the charts say the same.
    summary = next(s for s in root.all("section") if s.attrs.get("id") == "summary")
    status_table, report_table = summary.all("table")
    rows = [[c.text() for c in tr.children] for tr in report_table.all("tr")]
    assert rows == [
        ["Rapport", "open", "in verkenning", "in uitvoering", "uitgevoerd", "afgewezen",
         "Totaal"],
        [titles[0].removeprefix("Opvolging "), "1", "2", "3", "1", "0", "7"],
        [titles[1].removeprefix("Opvolging "), "1", "0", "0", "0", "1", "2"],
        ["Totaal", "2", "2", "3", "1", "1", "9"],
    ]  # fmt: skip
    links = [a.attrs["href"] for a in report_table.all("a")]
    assert links == ["#report-wrr-103", "#report-voorbeeldstad-wijk"]
    by_status, by_report = summary.all("svg")[:2]
    counted = [t.text() for t in by_status.all("text")]
    assert list(zip(counted[::2], counted[1::2], strict=True)) == [
        (tr.children[0].text(), tr.children[1].text()) for tr in status_table.one("tbody").all("tr")
    ]
    assert [t.text() for t in by_report.all("text") if t.attrs.get("class") == "count"] == [
        "7",
        "2",
    ]
    assert by_report.one("desc").text().endswith("Samen sterker in de wijk: open: 1, afgewezen: 1")
    # A long name is shortened above its bar, and given whole in the table and description.
    label = by_report.all("text")[0].text()
    assert label.endswith("…") and titles[0].removeprefix("Opvolging ").startswith(label[:-1])
    # The contents link to the summary, each report and its parts.
    nav = [a.attrs["href"] for a in root.one("nav").all("a")]
    assert nav[:4] == ["#summary", "#by-status", "#by-report", "#report-wrr-103"]
    assert "#r2-details" in nav


def test_one_report_of_several_is_the_page_of_that_report_alone(cli: Runner, two: Path) -> None:
    only = html_report(cli, "-r", two, "--report", "wrr-103")
    assert only.encode() == html_report(cli, "-r", SHIPPED).encode()
    for args in (["--summary"], ["--lang", "en", "--since", "2022-01-01"]):
        assert html_report(cli, "-r", two, "--report", "wrr-103", *args) == html_report(
            cli, "-r", SHIPPED, *args
        )


def test_a_summary_of_several_reports_has_their_counts_and_changes_only(
    cli: Runner, two: Path
) -> None:
    # Late enough that items of both reports have had no new entry for a year.
    root = parse(html_report(cli, "-r", two, "--summary", "--lang", "en", "--as-of", "2026-12-01"))
    assert_self_contained(root)
    ids = [s.attrs["id"] for s in root.all("section")]
    assert ids == [
        "summary",
        "report-wrr-103",
        "r1-summary",
        "r1-stale",
        "r1-changes",
        "report-voorbeeldstad-wijk",
        "r2-summary",
        "r2-stale",
        "r2-changes",
    ]
    assert root.all("blockquote") == []


def test_hostile_report_names_are_shown_as_text_in_a_page_of_several(
    cli: Runner, registry: Path
) -> None:
    from tests.helpers import EXAMPLE

    hostile = "</style><script>alert(1)</script>[bold]x[/] \x1b[31m \u202e =1+1 \"'><b>"
    for key in ("een", "twee"):
        result = cli(
            "-r", registry, "reports", "add", key, "--title", hostile, "--publisher", hostile,
            "--date", "2024-11-05", "--reaction", hostile, "--reaction-date", "2025-02-11",
            "--source-file", EXAMPLE, "--source-publisher", hostile, "--source-kind", hostile,
        )  # fmt: skip
        assert result.code == 0, result.err
    page = html_report(cli, "-r", registry)
    root = parse(page)
    assert_self_contained(root)
    for raw in ("\x1b", "\u202e", "<b>", "<script"):
        assert raw not in page
    shown = "Opvolging " + visible(f"{hostile}: {hostile}")
    reports = [s for s in root.all("section") if s.attrs.get("class") == "report"]
    assert [s.children[0].text() for s in reports[1:]] == [shown, shown]
    assert len(root.one("style").texts) == 1  # the sheet was not ended early
    sources = next(s for s in root.all("section") if s.attrs.get("id") == "sources")
    rows = {tr.children[0].text(): tr for tr in sources.one("tbody").all("tr")}
    shown = visible(hostile)
    assert rows["een"].children[1].text() == f"{shown}, “{shown}” ({shown}, 11 februari 2025)"


def test_the_page_ends_with_the_sources_the_markdown_report_lists(cli: Runner) -> None:
    from wrrtrack.render.citation import where_when

    root = parse(html_report(cli, "-r", SHIPPED, "--lang", "en"))
    sources = root.all("section")[-1]
    assert (sources.attrs["id"], sources.one("h2").text()) == ("sources", "Sources")
    heads = [th.text() for th in sources.one("thead").all("th")]
    assert heads == ["Id", "Source", "Stored text"]
    ledger = Registry.open(SHIPPED).ledger
    rows = sources.one("tbody").all("tr")
    assert len(rows) == len(ledger.sources) == 13
    markdown = cli("-r", SHIPPED, "report", "--lang", "en").out
    for row, source in zip(rows, ledger.sources, strict=True):
        ident, named, stored = row.children
        assert (ident.text(), stored.one("code").text()) == (source.id, source.file)
        assert " ".join(stored.texts) == (" (excerpt)" if source.excerpt else "")
        link = named.one("a")
        assert (link.attrs["href"], link.text()) == (
            source.url,
            f"{source.publisher}, “{source.title}”",
        )
        assert "".join(named.texts) == f" ({where_when(source, 'en')})"
        assert [c.attrs["data-label"] for c in row.children] == heads  # cards on a phone
        assert f"| {source.id} | [" in markdown  # the same sources, in the same order
    assert markdown.index("| wrr-samenvatting-kabinetsreactie |") < markdown.index(
        "| kst-30995-104 |"
    )
