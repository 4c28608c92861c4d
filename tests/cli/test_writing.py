"""Several advisory reports: the file format, the writers `reports add`, `add` and
`vocab add`, `--report`, `init --blank`, and what a single-report file keeps."""

from __future__ import annotations

import hashlib
import shutil
import sys
from collections import Counter
from pathlib import Path

import pytest

from tests.conftest import SHIPPED, Result, Runner
from tests.helpers import EXAMPLE, KEY, QUOTE, add, add_report, with_second_report
from wrrtrack import Registry


def digest(*paths: Path) -> list[str]:
    return [hashlib.sha256(p.read_bytes()).hexdigest() for p in paths]


@pytest.fixture
def second(cli: Runner, registry: Path) -> Path:
    return with_second_report(cli, registry)


def test_the_single_report_file_of_today_reads_and_writes_as_before(
    cli: Runner, registry: Path
) -> None:
    before = registry.read_bytes()
    assert before == SHIPPED.read_bytes()
    assert cli("-r", registry, "validate").out == cli("-r", SHIPPED, "validate").out.replace(
        str(SHIPPED), str(registry)
    )
    read = Registry.open(registry)
    assert [r.key for r in read.reports] == ["wrr-103"]  # derived: no `key:` in the file
    assert {rec.report for rec in read.recommendations} == {"wrr-103"}
    assert registry.read_bytes() == before  # reading changes nothing
    assert cli("-r", registry, "status", "set", "wrr103-3", "uitgevoerd", "--by", "x").code == 0
    after = registry.read_bytes()
    # Only the record's own lines changed: its status, and one history entry appended.
    old, new = Counter(before.decode().splitlines()), Counter(after.decode().splitlines())
    today = Registry.open(registry).get("wrr103-3").updated.isoformat()
    assert old - new == Counter(["    status: in-uitvoering"])
    assert new - old == Counter(
        [
            "    status: uitgevoerd",
            f"      - date: {today}",
            "        status: uitgevoerd",
            "        by: x",
        ]
    )


def test_reports_add_appends_a_document_and_changes_no_other_byte(
    cli: Runner, registry: Path
) -> None:
    before = registry.read_bytes()
    add_report(cli, registry)
    after = registry.read_bytes()
    assert after.startswith(before)
    assert after[len(before) :].decode() == (
        "\n---\n"
        f"key: {KEY}\n"
        "report:\n"
        "  publisher: Adviesraad Sociaal Domein Voorbeeldstad\n"
        "  title: Samen sterker in de wijk\n"
        "  date: 2024-11-05\n"
        "  reaction:\n"
        "    reference: Collegebrief 2025-012\n"
        "    date: 2025-02-11\n"
        f"    source: {KEY}\n"
        "sources:\n"
        f"  - id: {KEY}\n"
        "    title: Collegebrief 2025-012\n"
        "    date: 2025-02-11\n"
        f"    file: sources/{KEY}.txt\n"
        f"    sha256: {hashlib.sha256(EXAMPLE.read_bytes()).hexdigest()}\n"
    )
    stored = registry.parent / "sources" / f"{KEY}.txt"
    assert stored.read_bytes() == EXAMPLE.read_bytes()
    assert cli("-r", registry, "validate").code == 0


def test_the_messages_name_the_files_as_they_are_found_from_here(
    cli: Runner, registry: Path
) -> None:
    """The stored text is named by the same road as the registry file, so that the path
    shown can be opened; a report given in another case is named by its key."""
    result = add_report(cli, registry)
    assert result.err.endswith(
        f"the reaction's text is stored as {registry.parent / 'sources' / KEY}.txt "
        f"(source '{KEY}')\n"
    ), result.err
    term = cli("-r", registry, "vocab", "add", "themes", "wijk", "--nl", "Wijk", "--en", "W",
               "--report", KEY.upper())  # fmt: skip
    assert term.code == 0 and f"added wijk to report {KEY}'s themes in" in term.err, term.err


def test_reports_add_records_what_the_stored_text_is_and_who_published_it(
    cli: Runner, registry: Path
) -> None:
    add_report(
        cli, registry, KEY,
        "--source-kind", "collegebrief",
        "--source-publisher", "Gemeente Voorbeeldstad",
        "--url", "https://voorbeeldstad.example/collegebrief-2025-012",
    )  # fmt: skip
    added = registry.read_text(encoding="utf-8").split("\nsources:\n")[-1]
    assert added.splitlines()[:5] == [
        f"  - id: {KEY}",
        "    title: Collegebrief 2025-012",
        "    publisher: Gemeente Voorbeeldstad",
        "    date: 2025-02-11",
        "    kind: collegebrief",  # free text: a municipality's kinds are its own
    ]
    assert cli("-r", registry, "validate").code == 0
    listed = {s["id"]: s for s in cli("-r", registry, "sources", "--json").json()}
    assert (listed[KEY]["kind"], listed[KEY]["publisher"]) == (
        "collegebrief",
        "Gemeente Voorbeeldstad",
    )
    for args in (["kamerstuk", "-"], [" ", "Gemeente"], ["brief", "\x00"]):
        before = registry.read_bytes()
        refused = cli(
            "-r", registry, "reports", "add", "other", "--title", "t", "--publisher", "p",
            "--date", "2024-11-05", "--reaction", "r", "--reaction-date", "2025-02-11",
            "--source-file", EXAMPLE, "--source-kind", args[0], "--source-publisher", args[1],
        )  # fmt: skip
        if args[0] == "kamerstuk":  # "-" is text like any other
            assert refused.code == 0, refused.err
            continue
        assert refused.code == 1
        assert "error: --source-" in refused.err
        assert registry.read_bytes() == before


def test_add_refuses_and_changes_no_byte(cli: Runner, second: Path) -> None:
    files = [second, *sorted((second.parent / "sources").iterdir())]
    before = digest(*files)
    not_in_source = add(cli, second, "vsd-9", quote="Het college opent in elke buurt een loket.")
    assert not_in_source.code == 1
    assert "nearest passage" in not_in_source.err
    assert not_in_source.err.endswith("nothing was written\n")
    duplicate = add(cli, second, "VSD-1")
    assert (duplicate.code, duplicate.err) == (
        1,
        "error: a recommendation with id 'vsd-1' exists already\n",  # the one that is there
    )
    before_report = add(cli, second, "vsd-9", "--date", "2024-11-04")
    assert before_report.code == 1
    assert "the date 2024-11-04 is before report voorbeeldstad-wijk itself" in before_report.err
    unknown_theme = cli(
        "-r", second, "add", "vsd-9", "--report", KEY, "--title", "T", "--theme", "wonen",
        "--stance", "positief", "--actor", "college", "--quote", QUOTE,
    )  # fmt: skip
    assert unknown_theme.code == 1
    assert unknown_theme.err.startswith("error: unknown theme 'wonen'; valid: wijkaanpak")
    # WRR 103's own theme is not the other report's to use.
    other_theme = add(cli, second, "vsd-9", "--theme", "migratiebeleid")
    assert other_theme.code == 1
    assert "unknown theme 'migratiebeleid'" in other_theme.err
    assert digest(*files) == before


def test_dates_before_the_report_are_refused_and_its_own_day_is_not(
    cli: Runner, registry: Path
) -> None:
    before = registry.read_bytes()
    early = add_report(cli, registry, KEY, "--reaction-date", "2024-11-04", check=False)
    assert (early.code, early.err) == (
        1,
        "error: the reaction (2024-11-04) is dated before the report (2024-11-05)\n",
    )
    assert registry.read_bytes() == before
    assert not (registry.parent / "sources" / f"{KEY}.txt").exists()
    add_report(cli, registry, KEY, "--reaction-date", "2024-11-05")  # the same day is not early


def test_add_takes_a_first_entry_dated_on_the_reports_own_day(cli: Runner, second: Path) -> None:
    same_day = add(cli, second, "vsd-9", "--date", "2024-11-05")
    assert same_day.code == 0, same_day.err
    shown = cli("-r", second, "show", "vsd-9", "--json").json()
    assert shown["history"][0]["date"] == "2024-11-05"


def test_list_reports_and_report_on_both(cli: Runner, second: Path) -> None:
    assert cli("-r", second, "list", "-f", "ids").out.split() == [
        *(f"wrr103-{n}" for n in range(1, 8)),
        "vsd-1",
        "vsd-2",
    ]
    seven = cli("-r", second, "list", "--report", "wrr-103", "-f", "ids").out.split()
    assert seven == [f"wrr103-{n}" for n in range(1, 8)]
    assert cli("-r", second, "list", "--report", "nope").code == 2
    listed = cli("-r", second, "reports", "--json").json()
    assert [(r["key"], r["recommendations"]) for r in listed] == [("wrr-103", 7), (KEY, 2)]
    assert listed[1]["statuses"]["afgewezen"] == 1
    text = cli("-r", second, "report").out
    assert text.startswith("# Opvolging van 2 adviesrapporten\n")
    assert "\n## Opvolging WRR 103: Samenleven in verscheidenheid" in text
    assert "\n## Opvolging Adviesraad Sociaal Domein Voorbeeldstad: Samen sterker" in text
    only = cli("-r", second, "report", "--report", "wrr-103").out
    assert only == cli("-r", SHIPPED, "report").out  # one report: exactly its own report
    html = cli("-r", second, "report", "--format", "html")
    assert html.code == 0, html.err
    assert '<section class="report" id="report-voorbeeldstad-wijk"' in html.out


def test_show_names_the_report_when_there_are_several(cli: Runner, second: Path) -> None:
    shown = cli("-r", second, "show", "vsd-1", "--lang", "en").out.splitlines()
    assert shown[3:5] == [
        "  report   voorbeeldstad-wijk",
        "  theme    wijkaanpak (Neighbourhood approach)",
    ]
    alone = cli("-r", SHIPPED, "show", "wrr103-1", "--lang", "en").out
    assert "  report" not in alone  # one report: nothing to tell apart


def test_vocab_add_refuses_collisions_and_other_meanings(cli: Runner, second: Path) -> None:
    before = digest(second)
    alias = cli("-r", second, "vocab", "add", "actors", "wijkteam", "--nl", "w", "--en", "w",
                "--alias", "college")  # fmt: skip
    assert alias.code == 1 and "already the key of actor 'college'" in alias.err
    relabel = cli("-r", second, "vocab", "add", "themes", "wijkaanpak", "--nl", "Wijken",
                  "--en", "Neighbourhoods", "--report", "wrr-103")  # fmt: skip
    assert relabel.code == 1 and "a key means the same in every report" in relabel.err
    assert digest(second) == before
    # The same key with the same labels: WRR 103 may use it too.
    same = cli("-r", second, "vocab", "add", "themes", "wijkaanpak", "--nl", "Wijkaanpak",
               "--en", "Neighbourhood approach", "--report", "wrr-103")  # fmt: skip
    assert same.code == 0, same.err
    assert cli("-r", second, "validate").code == 0


@pytest.mark.parametrize("aliases", [["wijkteam"], ["team", "team"]], ids=["own-key", "twice"])
def test_vocab_add_refuses_an_alias_given_twice(
    cli: Runner, second: Path, aliases: list[str]
) -> None:
    before = digest(second)
    given = [word for alias in aliases for word in ("--alias", alias)]
    result = cli("-r", second, "vocab", "add", "actors", "wijkteam", "--nl", "w", "--en", "w",
                 *given)  # fmt: skip
    assert result.code == 1 and "is given twice" in result.err, result.err
    assert digest(second) == before


def test_two_labels_for_one_key_is_a_validate_error(cli: Runner, second: Path) -> None:
    text = second.read_text(encoding="utf-8")
    second.write_text(
        text.replace(
            "    migratiebeleid: {nl: Migratiebeleid, en: Migration policy}\n",
            "    migratiebeleid: {nl: Migratiebeleid, en: Migration policy}\n"
            "    wijkaanpak: {nl: Wijken, en: Neighbourhoods}\n",
        ),
        encoding="utf-8",
    )
    result = cli("-r", second, "validate")
    assert result.code == 1
    assert "vocabularies.themes.wijkaanpak: declared differently by report 'wrr-103'" in (
        result.err
    )


def test_init_blank_writes_a_registry_that_validates_and_grows(
    cli: Runner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert cli("init", tmp_path / "nieuw", "--blank").code == 0
    registry = tmp_path / "nieuw" / "data" / "recommendations.yaml"
    monkeypatch.chdir(tmp_path / "nieuw")
    assert cli("validate").code == 0
    assert cli("list", "-f", "ids").out == ""
    before = registry.read_bytes()
    add_report(cli, registry)
    assert registry.read_bytes().startswith(before)
    assert cli("vocab", "add", "actors", "college", "--nl", "c", "--en", "c").code == 0
    # No theme declared yet: the message says so, rather than listing nothing.
    before_theme = registry.read_bytes()
    no_theme = add(cli, registry, "vsd-1")
    assert (no_theme.code, no_theme.err) == (
        1,
        "error: unknown theme 'wijkaanpak'; valid: (none declared)\n",
    )
    assert registry.read_bytes() == before_theme
    assert cli("vocab", "add", "themes", "wijkaanpak", "--nl", "W", "--en", "W").code == 0
    assert add(cli, registry, "vsd-1").code == 0
    assert cli("validate").out.endswith(
        ": 1 recommendation, 1 quote found in 1 source, every fingerprint matching\n"
    )
    assert cli("validate").code == 0
    # Again into a directory that has it: nothing is overwritten.
    again = cli("init", tmp_path / "nieuw", "--blank")
    assert again.code == 1 and "exists already" in again.err


def test_a_refused_reports_add_leaves_no_copy_behind(cli: Runner, registry: Path) -> None:
    add_report(cli, registry)
    before = digest(registry)
    again = cli(
        "-r", registry, "reports", "add", "Voorbeeldstad-Wijk2",
        "--title", "T", "--publisher", "P", "--date", "2024-01-01",
        "--reaction", "R", "--reaction-date", "2024-02-01", "--source-file", EXAMPLE,
    )  # fmt: skip
    assert again.code == 1 and "KEY must be lower-case" in again.err
    taken = cli(
        "-r", registry, "reports", "add", KEY, "--title", "T", "--publisher", "P",
        "--date", "2024-01-01", "--reaction", "R", "--reaction-date", "2024-02-01",
        "--source-file", EXAMPLE,
    )  # fmt: skip
    assert taken.code == 1 and "exists already" in taken.err
    assert digest(registry) == before
    stored = {p.name for p in (registry.parent / "sources").iterdir()}
    assert stored == {p.name for p in (SHIPPED.parent / "sources").iterdir()} | {f"{KEY}.txt"}


def test_a_report_without_number_or_key_is_a_validate_error(cli: Runner, registry: Path) -> None:
    shutil.copy(SHIPPED, registry)
    text = registry.read_text(encoding="utf-8").replace("  number: 103\n", "")
    registry.write_text(text, encoding="utf-8")
    result = cli("-r", registry, "validate")
    assert result.code == 1 and "a report without a number needs a key" in result.err


def test_reports_table_at_a_terminal_names_each_report_once_at_40_columns(
    cli: Runner, second: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from wrrtrack.render import terminal
    from wrrtrack.render.machine import report_counts

    registry = Registry.open(second)
    table = terminal.reports_table(report_counts(registry.ledger), registry.vocabularies, width=40)
    shown = terminal.render([table], width=40)
    assert max(len(line) for line in shown.splitlines()) <= 40
    assert "Adviesraad Sociaal Domein Voorbeeldstad: Samen" in " ".join(shown.split())
    assert "open 1 · afgewezen 1" in " ".join(shown.split())


def test_a_source_file_that_is_a_device_or_missing_is_refused(cli: Runner, registry: Path) -> None:
    before = digest(registry)
    cases = [("nowhere.txt", "cannot read")]
    if sys.platform != "win32":  # Windows has no /dev
        cases.append(("/dev/zero", "is a device"))
    for path, message in cases:
        result = cli(
            "-r", registry, "reports", "add", "k", "--title", "T", "--publisher", "P",
            "--date", "2024-01-01", "--reaction", "R", "--reaction-date", "2024-02-01",
            "--source-file", path,
        )  # fmt: skip
        assert result.code == 1 and message in result.err, result.err
    assert digest(registry) == before
    assert not (registry.parent / "sources" / "k.txt").exists()


def test_a_source_file_over_the_stored_text_limit_is_refused(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    """Every read of a stored source refuses a file over the limit: storing one would leave
    a registry that never validates again."""
    from wrrtrack._sources import SIZE_LIMIT

    big = tmp_path / "big.txt"
    with big.open("wb") as handle:
        handle.truncate(SIZE_LIMIT + 1)  # sparse: refused by its size, never read
    before = digest(registry)
    result = add_report(cli, registry, "groot", "--source-file", big, check=False)
    assert result.code == 1, result.err
    assert f"over the limit of {SIZE_LIMIT:,}" in result.err
    assert digest(registry) == before
    assert not (registry.parent / "sources" / "groot.txt").exists()
    assert cli("-r", registry, "validate").code == 0


@pytest.mark.parametrize("key", ["con", "aux", "nul", "prn", "com1", "lpt9"])
def test_a_key_that_windows_keeps_for_a_device_is_refused(
    cli: Runner, registry: Path, key: str
) -> None:
    """sources/con.txt (and con.yaml in a folder) cannot be a file on Windows, nor be
    checked out there: such a key is refused on every platform."""
    before = digest(registry)
    result = add_report(cli, registry, key, check=False)
    assert result.code == 1 and "names a device on Windows" in result.err, result.err
    assert digest(registry) == before
    assert not (registry.parent / "sources" / f"{key}.txt").exists()
    assert add_report(cli, registry, f"{key}-2").code == 0  # only the name itself is kept


@pytest.mark.parametrize("url", ["https://example.org/a\nb", "https://example.org/a b"])
def test_a_url_with_a_line_break_or_space_is_refused(cli: Runner, registry: Path, url: str) -> None:
    """Such a URL was written, and the reports then showed the reaction with no link."""
    before = digest(registry)
    result = add_report(cli, registry, "k", "--url", url, check=False)
    assert result.code == 1 and "--url must go on after http(s):// and hold no spaces" in result.err
    assert digest(registry) == before


@pytest.mark.parametrize("layout", ["file", "folder"])
def test_an_inline_list_that_cannot_grow_is_named_in_place(
    cli: Runner, registry: Path, layout: str
) -> None:
    """`recommendations: []` written by hand: `add` named no file or line for it."""
    if layout == "folder":
        folder = registry.parent
        registry.rename(folder / "wrr-103.yaml")
        registry, written = folder, folder / f"{KEY}.yaml"
    else:
        written = registry
    add_report(cli, registry)
    with written.open("a", encoding="utf-8") as file:
        file.write("vocabularies: {themes: {wijkaanpak: {nl: W, en: W}}, ")
        file.write("actors: {college: {nl: C, en: C}}}\n")
        file.write("recommendations: []\n")
    lines = written.read_text(encoding="utf-8").count("\n")
    assert cli("-r", registry, "validate").code == 0
    before = digest(written)
    result = add(cli, registry, "vsd-1")
    assert isinstance(result, Result) and result.code == 1
    assert result.err == (
        f"error: {written}:{lines}:18: recommendations is written as an inline list or "
        "mapping; write it as a block (one entry per line) to change it\n"
    )
    result = cli("-r", registry, "vocab", "add", "actors", "wijkteam", "--nl", "a", "--en", "b",
                 "--report", KEY)  # fmt: skip
    assert result.code == 1
    assert result.err.startswith(f"error: {written}:{lines - 1}:62: vocabularies.actors is ")
    assert digest(written) == before


@pytest.mark.parametrize("quote", ["e", "  het college ", "Het"])
def test_a_quote_of_fewer_than_three_words_is_no_evidence(
    cli: Runner, second: Path, quote: str
) -> None:
    """One word is in almost any source: `e` was accepted as found. The writers refuse it
    and `validate` places it when written by hand."""
    before = digest(second)
    result = add(cli, second, "vsd-9", quote=quote)
    assert isinstance(result, Result)
    assert result.code == 1 and "too short to be evidence; quote at least 3 words" in result.err
    assert result.err.endswith("error: 1 quote(s) refused; nothing was written\n")
    result = cli(
        "-r", second, "status", "set", "vsd-1", "in-uitvoering", "--by", "x",
        "--source", KEY, "--quote", quote,
    )  # fmt: skip
    assert result.code == 1 and "too short to be evidence" in result.err
    assert digest(second) == before
    # Three words are enough (when the source has them).
    result = add(cli, second, "vsd-9", quote="Het college neemt")
    assert isinstance(result, Result) and result.code == 0, result
    text = second.read_text(encoding="utf-8")
    written = f"      - {QUOTE}\n"
    assert written in text
    second.write_text(text.replace(written, f"      - {quote.strip()}\n", 1), encoding="utf-8")
    line = text[: text.index(written)].count("\n") + 1
    result = cli("-r", second, "validate")
    assert result.code == 1
    assert f"{second}:{line}:9: vsd-1: quote 1 is " in result.err, result.err
    assert "too short to be evidence" in result.err


def test_every_writer_stores_text_without_the_white_space_around_it(
    cli: Runner, registry: Path
) -> None:
    """`--title "  T "` means the title T: stored as typed, the padding showed in every
    output and a label could not be matched. Each writer strips it before checking."""

    def pad(text: str) -> str:
        return f"  {text} \t"

    add_report(
        cli, registry, pad(KEY), "--number", pad("12"), "--url", pad("https://example.org/b"),
        "--source-kind", pad("kamerbrief"), "--source-publisher", pad("Gemeente"),
        "--reaction-label-nl", pad("Collegereactie"), "--reaction-label-en", pad("Reply"),
    )  # fmt: skip
    for args in (
        ("actors", pad("college"), "--nl", pad("college"), "--en", pad("executive")),
        (
            "themes",
            "wijkaanpak",
            "--nl",
            pad("Wijkaanpak"),
            "--en",
            "Approach",
            "--alias",
            pad("wijk"),
        ),
    ):
        result = cli("-r", registry, "vocab", "add", *args, "--report", pad(KEY))
        assert result.code == 0, result.err
    result = cli(
        "-r", registry, "add", pad("vsd-1"), "--report", KEY, "--title", pad("Een loket"),
        "--theme", "wijk", "--stance", "onderschreven", "--actor", "college",
        "--quote", pad(QUOTE), "--by", pad("A. Jansen"), "--note", pad("Eerste"),
    )  # fmt: skip
    assert result.code == 0, result.err
    result = cli(
        "-r", registry, "status", "set", "vsd-1", "in-uitvoering", "--note", pad("Gestart"),
        "--by", pad("B. de Vries"), "--source", pad(KEY), "--quote", pad(QUOTE),
    )  # fmt: skip
    assert result.code == 0, result.err
    assert cli("-r", registry, "validate").code == 0
    read = Registry.open(registry)
    report = read.report_of(KEY)
    assert (report.key, report.number, report.reaction.url) == (KEY, "12", "https://example.org/b")
    assert report.reaction.label == ("Collegereactie", "Reply")
    source = read.ledger.source(KEY)
    assert source is not None
    assert (source.kind, source.publisher) == ("kamerbrief", "Gemeente")
    vocab = read.ledger.vocabularies_of(KEY)
    assert vocab.actors.term("college").en == "executive"
    assert vocab.themes.term("wijkaanpak")[1:4] == ("Wijkaanpak", "Approach", ("wijk",))
    rec = read.get("vsd-1")
    assert (rec.title, rec.quotes) == ("Een loket", (QUOTE,))
    first, second = rec.history
    assert (first.note, first.by) == ("Eerste", "A. Jansen")
    assert (second.note, second.by, second.source, second.quotes) == (
        "Gestart", "B. de Vries", KEY, (QUOTE,)
    )  # fmt: skip
    assert "  \t" not in registry.read_text(encoding="utf-8")


@pytest.mark.skipif(sys.platform == "win32", reason="links need privileges on Windows")
def test_a_sources_folder_that_is_a_link_is_named_and_not_written_through(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere"
    shutil.copytree(registry.parent / "sources", elsewhere)
    shutil.rmtree(registry.parent / "sources")
    (registry.parent / "sources").symlink_to(elsewhere)
    before = digest(registry)
    result = add_report(cli, registry, "k", check=False)
    assert result.code == 1
    assert result.err == (
        f"error: {registry.parent / 'sources'} is a symbolic link, and wrrtrack creates no "
        "file through a link; remove the link, or choose another directory\n"
    )
    assert digest(registry) == before
    assert not (elsewhere / "k.txt").exists()


def test_a_report_with_a_source_record_joins_a_file_written_before_them(
    cli: Runner, tmp_path: Path
) -> None:
    """A report document without a `sources` list names its source text by file; a report
    added to it gets a source record, and both are checked against their own text."""
    registry = tmp_path / "old.yaml"
    (tmp_path / "s.txt").write_text("Het kabinet neemt het advies over.\n", encoding="utf-8")
    registry.write_text(
        "format: 1\nreport:\n  publisher: WRR\n  number: 1\n  title: T\n  date: 2020-01-01\n"
        "  reaction:\n    reference: R\n    date: 2020-02-01\n    source: s.txt\n"
        "recommendations:\n  - id: r-1\n    title: T\n    theme: t\n    stance: positief\n"
        "    actors: [rijk]\n    status: open\n    quotes:\n"
        "      - Het kabinet neemt het advies over.\n"
        "    history:\n      - date: 2020-02-01\n        status: open\n"
        "vocabularies:\n  themes:\n    t: {nl: T, en: T}\n",
        encoding="utf-8",
    )
    add_report(cli, registry)
    result = cli("-r", registry, "validate")
    assert result.code == 0, result.err
    assert "2 reports, 1 recommendation, 1 quote found in 1 source," in result.out
    (tmp_path / "s.txt").write_text("Iets anders.\n", encoding="utf-8")
    broken = cli("-r", registry, "--no-cache", "validate")
    assert broken.code == 1 and "r-1: quote 1 is not in s.txt" in broken.err


# --- what a report calls its reaction ------------------------------------------------------

LABEL = ("--reaction-label-nl", "Reactie van het college",
         "--reaction-label-en", "Municipal executive's reaction")  # fmt: skip


@pytest.fixture
def named(cli: Runner, registry: Path) -> Path:
    """The shipped registry and a second report whose reaction is the college's."""
    add_report(cli, registry, KEY, *LABEL)
    assert cli("-r", registry, "vocab", "add", "actors", "college", "--nl", "college",
               "--en", "executive", "--report", KEY).code == 0  # fmt: skip
    assert cli("-r", registry, "vocab", "add", "themes", "wijkaanpak", "--nl", "Wijk",
               "--en", "Area", "--report", KEY).code == 0  # fmt: skip
    assert add(cli, registry, "vsd-1").code == 0
    return registry


def test_a_named_reaction_is_called_so_in_every_output(
    cli: Runner, named: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import json
    import sqlite3
    import tomllib

    from wrrtrack._export import read_document

    written = named.read_text(encoding="utf-8")
    assert "    label: {nl: Reactie van het college, en: Municipal executive's reaction}\n" in (
        written
    )
    assert written.count("label:") == 1  # the shipped report has none, and gets none
    assert cli("-r", named, "validate").code == 0
    # The reports: the college's reaction by its name, the cabinet's as before.
    for lang, ours, cabinet in (
        ("nl", "Reactie van het college", "Kabinetsreactie"),
        ("en", "Municipal executive's reaction", "Cabinet reaction"),
    ):
        markdown = cli("-r", named, "report", "--lang", lang).out
        assert f"\n- **{ours}:** Collegebrief 2025-012, 2025-02-11\n" in markdown
        assert f"\n- **{cabinet}:** [Kamerstuk 29 861, nr. 70](<https://" in markdown
        page = cli("-r", named, "report", "--lang", lang, "--format", "html").out
        ours_html = ours.replace("'", "&#x27;")
        assert f"<dt>{ours_html}</dt><dd>Collegebrief 2025-012, " in page
        assert f"<dt>{cabinet}</dt><dd>Kamerstuk 29 861, nr. 70, " in page
    # JSON: `label` where the registry names the reaction, as it names it.
    reports = cli("-r", named, "reports", "--json").json()
    assert "label" not in reports[0]["reaction"]
    assert reports[1]["reaction"]["label"] == {
        "nl": "Reactie van het college",
        "en": "Municipal executive's reaction",
    }
    assert (
        cli("-r", named, "show", "vsd-1", "--json").json()["reaction"]["label"]
        == (reports[1]["reaction"]["label"])
    )
    # Plain lines and the terminal table: the name before the reference.
    lines = cli("-r", named, "reports", "--lang", "en").out.splitlines()
    assert lines[1].split("\t")[4] == "Municipal executive's reaction: Collegebrief 2025-012"
    assert lines[0].split("\t")[4] == "Kamerstuk 29 861, nr. 70"
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "120")
    table = cli("-r", named, "reports").out
    assert "Reactie van het" in table and "college:" in table
    monkeypatch.undo()
    # Exports: lossless, read back the same; SQLite has the columns for every report.
    ledger = Registry.open(named).ledger
    assert Registry.open(named).ledger == ledger  # read again, from the cache
    assert ledger.report_of(KEY).reaction.label is not None
    exported = cli("-r", named, "export", "-f", "json").out
    assert read_document(json.loads(exported)) == ledger
    assert read_document(tomllib.loads(cli("-r", named, "export", "-f", "toml").out)) == ledger
    database = tmp_path / "r.db"
    assert cli("-r", named, "export", "-f", "sqlite", "-o", database).code == 0
    with sqlite3.connect(database) as db:
        rows = db.execute(
            "SELECT key, reaction_label_nl, reaction_label_en FROM reports ORDER BY key"
        ).fetchall()
    db.close()
    assert rows == [
        (KEY, "Reactie van het college", "Municipal executive's reaction"),
        ("wrr-103", None, None),
    ]


def test_a_reaction_label_needs_both_languages_and_text(cli: Runner, registry: Path) -> None:
    before = registry.read_bytes()
    one = cli(
        "-r", registry, "reports", "add", KEY, "--title", "t", "--publisher", "p",
        "--date", "2024-11-05", "--reaction", "r", "--reaction-date", "2025-02-11",
        "--source-file", EXAMPLE, "--reaction-label-nl", "Collegereactie",
    )  # fmt: skip
    assert one.code == 2
    assert "--reaction-label-en" in one.err
    empty = cli(
        "-r", registry, "reports", "add", KEY, "--title", "t", "--publisher", "p",
        "--date", "2024-11-05", "--reaction", "r", "--reaction-date", "2025-02-11",
        "--source-file", EXAMPLE, "--reaction-label-nl", "x", "--reaction-label-en", " ",
    )  # fmt: skip
    assert empty.code == 1
    assert "--reaction-label-nl/--reaction-label-en must be non-empty" in empty.err
    assert registry.read_bytes() == before
    assert not (registry.parent / "sources" / f"{KEY}.txt").exists()


@pytest.mark.parametrize(
    ("label", "message"),
    [
        ("{nl: Collegereactie}", "report.reaction.label: missing field 'en'"),
        ("Collegereactie", "report.reaction.label: expected a mapping"),
        ("{nl: Collegereactie, en: ''}", "report.reaction.label.en"),
    ],
)
def test_validate_names_the_place_of_a_wrong_reaction_label(
    cli: Runner, registry: Path, label: str, message: str
) -> None:
    text = registry.read_text(encoding="utf-8")
    anchor = "    source: wrr-samenvatting-kabinetsreactie\n  context:\n"
    assert text.count(anchor) == 1
    lines = anchor.splitlines(keepends=True)
    placed = f"{lines[0]}    label: {label}\n{lines[1]}"
    registry.write_text(text.replace(anchor, placed), encoding="utf-8")
    line = text[: text.index(anchor)].count("\n") + 2
    result = cli("-r", registry, "validate")
    assert result.code == 1
    assert f"{registry}:{line}:" in result.err
    assert message in result.err, result.err


def test_a_registry_without_reaction_labels_exports_as_before(cli: Runner) -> None:
    """The label is written only where given: the shipped registry's exports keep the keys
    they had (a script or a diff of yesterday's export sees no change)."""
    import json

    (report,) = json.loads(cli("-r", SHIPPED, "export", "-f", "json").out)["reports"]
    assert list(report["reaction"]) == ["reference", "date", "source", "url"]
    assert "label" not in cli("-r", SHIPPED, "export", "-f", "toml").out


HOSTILE_LABEL = "=1+1 [bold]x[/] </style><script>alert(1)</script> \x1b[31m \u202e | *a* `b`"


def test_a_hostile_reaction_label_is_shown_as_text_everywhere(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.helpers import parse
    from wrrtrack.render import visible
    from wrrtrack.render.markdown import inline

    add_report(cli, registry, KEY,
               "--reaction-label-nl", HOSTILE_LABEL, "--reaction-label-en", HOSTILE_LABEL,
               "--source-kind", HOSTILE_LABEL, "--source-publisher", HOSTILE_LABEL)  # fmt: skip
    assert cli("-r", registry, "validate").code == 0
    assert Registry.open(registry).ledger.report_of(KEY).reaction.label == (
        HOSTILE_LABEL,
        HOSTILE_LABEL,
    )
    markdown = cli("-r", registry, "report").out
    assert f"\n- **{inline(HOSTILE_LABEL)}:** Collegebrief 2025-012" in markdown
    page = cli("-r", registry, "report", "--format", "html").out
    root = parse(page)  # the strict parser: every element closed where it was opened
    assert root.all("script") == []
    assert len(root.one("style").texts) == 1
    terms = [dt.text() for dt in root.all("dt")]
    assert visible(HOSTILE_LABEL) in terms
    for output in (markdown, page):
        assert "\x1b" not in output
        assert "\u202e" not in output
    line = cli("-r", registry, "reports").out.splitlines()[1]
    assert line.split("\t")[4] == f"{visible(HOSTILE_LABEL)}: Collegebrief 2025-012"
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "200")
    table = cli("-r", registry, "reports").out
    assert "\u202e" not in table  # no raw control character from the data
    assert "[bold]x[/]" in table  # Rich markup in the data stays text
    assert "\\x1b[31m" in table
    sources = cli("-r", registry, "sources").out  # the source's kind, at a terminal
    assert "\u202e" not in sources
    assert "[bold]x[/]" in sources


def test_a_named_reaction_is_not_called_the_cabinet_s_stance(cli: Runner, named: Path) -> None:
    for lang, cabinet, neutral in (
        ("nl", "Standpunt kabinet", "Standpunt"),
        ("en", "Cabinet stance", "Stance"),
    ):
        markdown = cli("-r", named, "report", "--lang", lang).out
        ours = markdown[markdown.index("Collegebrief 2025-012") :]
        shipped = markdown[: markdown.index("Collegebrief 2025-012")]
        assert f"| {cabinet} |" in shipped
        assert f"| {neutral} |" in ours and cabinet not in ours
        page = cli("-r", named, "report", "--lang", lang, "--format", "html").out
        assert f">{neutral}</th>" in page and f">{cabinet}</th>" in page
