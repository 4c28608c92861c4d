"""The command line as the README specifies it: filters, formats, exit codes, messages."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from tests.conftest import SHIPPED, Runner

# The contract's keys, and `report` (the key of the recommendation's advisory report),
# added as the contract allows.
LIST_KEYS = {
    "id",
    "title",
    "theme",
    "stance",
    "actors",
    "status",
    "updated",
    "report",
    "due",
    "review",
}


def ids(result_out: str) -> list[str]:
    return result_out.split()


# --- list: the filters, with the items the registry gives each -----------------------------


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["--actor", "gemeente"], ["wrr103-1", "wrr103-2", "wrr103-4"]),
        (["--actor", "acvz"], ["wrr103-7"]),
        (["--actor", "volgend-kabinet"], ["wrr103-1", "wrr103-3", "wrr103-5"]),
        (["--status", "in-uitvoering"], ["wrr103-3", "wrr103-4", "wrr103-5"]),
        (["--status", "deferred"], []),
    ],
)
def test_domain_filters_give_exactly_the_listed_items(
    cli: Runner, args: list[str], expected: list[str]
) -> None:
    result = cli("--registry", SHIPPED, "list", *args, "--format", "json")
    assert result.code == 0, result.err
    assert [item["id"] for item in result.json()] == expected


def test_list_json_has_exactly_the_contract_keys_and_canonical_values(cli: Runner) -> None:
    items = cli("-r", SHIPPED, "list", "--format", "json").json()
    assert len(items) == 7
    assert all(set(item) == LIST_KEYS for item in items)
    seven = items[6]
    assert seven == {
        "id": "wrr103-7",
        "title": seven["title"],
        "theme": "migratiebeleid",
        "stance": "toegezegd",
        "actors": ["acvz", "rijk"],
        "status": "uitgevoerd",
        "updated": "2022-12-22",
        "report": "wrr-103",
        "due": None,
        "review": None,
    }


def test_repeated_option_is_or_and_different_options_are_and(cli: Runner) -> None:
    either = cli("-r", SHIPPED, "list", "--actor", "acvz", "--actor", "gemeente", "-f", "ids")
    assert ids(either.out) == ["wrr103-1", "wrr103-2", "wrr103-4", "wrr103-7"]
    both = cli(
        "-r", SHIPPED, "list", "--actor", "gemeente", "--status", "in-uitvoering", "-f", "ids"
    )
    assert ids(both.out) == ["wrr103-4"]


def test_keys_are_case_insensitive_and_english_aliases_are_accepted(cli: Runner) -> None:
    dutch = cli("-r", SHIPPED, "list", "--status", "in-uitvoering", "-f", "ids").out
    assert cli("-r", SHIPPED, "list", "--status", "in-progress", "-f", "ids").out == dutch
    assert cli("-r", SHIPPED, "list", "--status", "IN-UITVOERING", "-f", "ids").out == dutch
    assert ids(cli("-r", SHIPPED, "list", "--actor", "municipalities", "-f", "ids").out) == [
        "wrr103-1",
        "wrr103-2",
        "wrr103-4",
    ]
    assert ids(cli("-r", SHIPPED, "list", "--stance", "committed", "-f", "ids").out) == ["wrr103-7"]
    assert ids(cli("-r", SHIPPED, "list", "--theme", "Migratiebeleid", "-f", "ids").out) == [
        "wrr103-6",
        "wrr103-7",
    ]


def test_unknown_key_is_a_usage_error_listing_the_valid_keys(cli: Runner) -> None:
    result = cli("-r", SHIPPED, "list", "--status", "klaar")
    assert result.code == 2
    assert result.out == ""
    assert result.err.startswith("error: Invalid value for '--status': unknown status 'klaar'")
    assert "in-uitvoering (in-progress)" in result.err
    assert "vervallen (lapsed)" in result.err


def test_search_matches_title_quotes_and_notes_case_insensitively(cli: Runner) -> None:
    def found(text: str) -> list[str]:
        return ids(cli("-r", SHIPPED, "list", "--search", text, "-f", "ids").out)

    assert found("NIEUWKOMERS") == ["wrr103-2"]  # title and quote
    assert found("bestaande ontvangstcentra") == ["wrr103-2"]  # quote only
    assert found("welk beleid volgt") == ["wrr103-7"]  # history note only
    assert found("verzocht eerder") == ["wrr103-7"]  # a history entry's quote only
    assert found("no such words anywhere") == []


def test_piped_table_is_tab_separated_without_colour(cli: Runner) -> None:
    result = cli("-r", SHIPPED, "list", "--actor", "acvz")
    assert result.out == (
        "wrr103-7\tDe mogelijkheden voor sturing van migratie in kaart brengen, waaronder "
        "richtgetallen voor asielmigratie\tmigratiebeleid\ttoegezegd\tacvz;rijk\t"
        "uitgevoerd\t2022-12-22\n"
    )
    assert "\x1b" not in result.out
    assert cli("-r", SHIPPED, "list", "--actor", "acvz", "--format", "tsv").out == result.out


def test_tsv_header_names_the_columns_at_a_terminal_too(
    cli: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    lines = cli("-r", SHIPPED, "list", "-f", "tsv", "--header", "-a", "acvz").out.splitlines()
    assert lines[0] == "id\ttitle\ttheme\tstance\tactors\tstatus\tupdated"
    assert lines[1].startswith("wrr103-7\tDe mogelijkheden")
    assert len(lines) == 2


def test_every_text_format_has_the_same_columns_in_the_same_order(cli: Runner) -> None:
    """tsv, CSV, Markdown and JSON: id, title, theme, stance, actors, status, updated, with
    actors joined by ';' in every text format."""
    order = ["id", "title", "theme", "stance", "actors", "status", "updated"]
    items = cli("-r", SHIPPED, "list", "--json").json()
    # JSON adds the report's key, the deadline and the review date after the contract's
    # columns (which text formats keep).
    assert [list(item) for item in items] == [[*order, "report", "due", "review"]] * 7
    expected = [
        [str(item[k]) if k != "actors" else ";".join(item[k]) for k in order] for item in items
    ]

    tsv = [
        line.split("\t")
        for line in cli("-r", SHIPPED, "list", "-f", "tsv", "--header").out.splitlines()
    ]
    rows = list(csv.reader(io.StringIO(cli("-r", SHIPPED, "list", "-f", "csv").out)))
    from markdown_it import MarkdownIt

    html = (
        MarkdownIt("commonmark").enable("table").render(cli("-r", SHIPPED, "list", "-f", "md").out)
    )
    header_cells = re.findall(r"<th>(.*?)</th>", html)
    body_rows = [
        re.findall(r"<td>(.*?)</td>", row)
        for row in re.findall(r"<tr>\n(<td>.*?)</tr>", html, re.S)
    ]
    for name, table in (("tsv", tsv), ("csv", rows), ("md", [header_cells, *body_rows])):
        assert table[0] == order, name
        assert [row[:2] + row[2:] for row in table[1:]] == expected, name


def test_json_flag_is_format_json_on_every_command_with_json(cli: Runner) -> None:
    for command in (["list"], ["show", "wrr103-7"], ["status", "history", "wrr103-7"], ["vocab"]):
        long = cli("-r", SHIPPED, *command, "--format", "json")
        short = cli("-r", SHIPPED, *command, "--json")
        assert long.code == short.code == 0, command
        assert short.out == long.out, command
        short.json()


def test_dash_capital_v_is_version(cli: Runner) -> None:
    assert cli("-V").out == cli("--version").out
    assert cli("-V").out.startswith("wrrtrack ")


def test_csv_has_a_header_and_actors_joined_with_semicolons(cli: Runner) -> None:
    rows = list(csv.reader(io.StringIO(cli("-r", SHIPPED, "list", "-f", "csv").out)))
    assert rows[0] == ["id", "title", "theme", "stance", "actors", "status", "updated"]
    assert len(rows) == 8
    assert rows[1][4] == "rijk;gemeente;volgend-kabinet"


def test_md_list_is_one_markdown_table(cli: Runner) -> None:
    lines = cli("-r", SHIPPED, "list", "-f", "md", "--actor", "acvz").out.splitlines()
    assert lines[0] == "| id | title | theme | stance | actors | status | updated |"
    assert lines[1].startswith("| --- |")
    assert lines[2].startswith("| wrr103-7 | De mogelijkheden")


def test_bad_format_is_a_usage_error(cli: Runner) -> None:
    result = cli("-r", SHIPPED, "list", "--format", "xml")
    assert result.code == 2
    assert result.err.startswith("error: Invalid value for '--format'")


def test_a_missing_choice_lists_its_values_on_the_error_line(cli: Runner) -> None:
    """Click puts each value on a line of its own, which the error line showed as `\\n\\t`."""
    result = cli("-r", SHIPPED, "export")
    assert (result.code, result.err) == (
        2,
        "error: Missing option '--format' / '-f'. Choose from: json, toml, csv, sqlite "
        "(see 'wrrtrack export --help')\n",
    )
    assert cli("vocab", "add").err == (
        "error: Missing argument 'VOCABULARY'. Choose from: actors, stances, statuses, themes "
        "(see 'wrrtrack vocab add --help')\n"
    )
    # What the user typed is still shown escaped: it may hold a line break.
    assert "'x\\ny' is not one of" in cli("-r", SHIPPED, "list", "--format", "x\ny").err


# --- show and history -----------------------------------------------------------------


def test_show_json_adds_quotes_and_history_with_nulls(cli: Runner) -> None:
    item = cli("-r", SHIPPED, "show", "wrr103-7", "--format", "json").json()
    assert set(item) == LIST_KEYS | {"quotes", "quotes_from", "reaction", "history"}
    assert item["quotes"][0].startswith("Het kabinet is bereid om aan de Adviescommissie")
    summary = {
        "id": "wrr-samenvatting-kabinetsreactie",
        "kind": "samenvatting",
        "publisher": "WRR",
        "date": "2021-03-26",
        "title": "Kabinetsreactie op het WRR-rapport Samenleven in Verscheidenheid",
        "url": "https://www.wrr.nl/adviesprojecten/migratiediversiteit/nieuw"
        "s/2021/03/26/kabinetsreactie-op-het-wrr-rapport-samenleven-in-verscheidenheid",
    }
    # The quotes are the WRR summary's words; the Kamerstuk is what it summarises.
    assert item["quotes_from"] == summary
    assert item["reaction"] == {
        "reference": "Kamerstuk 29 861, nr. 70",
        "date": "2021-03-24",
        "url": "https://zoek.officielebekendmakingen.nl/kst-29861-70.html",
    }
    assert item["history"][0] == {
        "date": "2021-03-24",
        "status": "in-verkenning",
        "note": "Kabinetsreactie op het advies (Kamerstuk 29 861, nr. 70).",
        "by": None,
        "source": "wrr-samenvatting-kabinetsreactie",
        "quotes": [],
        "cites": summary,
        "relation": None,
    }
    last = item["history"][1]
    assert (last["date"], last["status"], last["source"]) == (
        "2022-12-22",
        "uitgevoerd",
        "adviesraad-realisme-richtgetallen",
    )
    assert last["quotes"][1] == "Het kabinet verzocht eerder om dit advies."
    assert last["cites"]["url"].startswith("https://www.adviesraadmigratie.nl/publicaties/")
    assert last["cites"]["publisher"] == "Adviesraad Migratie"


def test_show_text_names_every_part_in_dutch_or_english(cli: Runner) -> None:
    out = cli("-r", SHIPPED, "show", "WRR103-5", "--lang", "en").out
    assert out.startswith("wrr103-5\n")
    for part in (
        "stance   doorverwezen (left to next cabinet)",
        "status   in-uitvoering (in progress)",
        "Quoted from the WRR summary of the reaction (wrr.nl, 26 March 2021), not from the text",
        "2021-03-24  doorgeschoven",
        "publication page: https://zoek.officielebekendmakingen.nl/kst-30995-104.html",
    ):
        assert part in out
    dutch = cli("-r", SHIPPED, "show", "WRR103-5").out
    for part in (
        "standpunt   doorverwezen (doorverwezen naar volgend kabinet)",
        "status      in-uitvoering\n",  # the label only respells the key: not repeated
        "Geciteerd uit de WRR samenvatting van de reactie (wrr.nl, 26 maart 2021), niet uit",
        "bron: WRR, “Kabinetsreactie op het WRR-rapport Samenleven in Verscheidenheid”",
    ):
        assert part in dutch


def test_unknown_id_exits_1_with_did_you_mean(cli: Runner) -> None:
    result = cli("-r", SHIPPED, "show", "wrr103-77")
    assert result.code == 1
    assert result.err == ("error: no recommendation with id 'wrr103-77'; did you mean wrr103-7?\n")


def test_history_json_and_piped_lines(cli: Runner) -> None:
    history = cli("-r", SHIPPED, "status", "history", "wrr103-7", "-f", "json").json()
    assert [h["date"] for h in history] == ["2021-03-24", "2022-12-22"]
    # JSON names the stored source by its id (and `cites` gives its facts) ...
    assert history[0]["source"] == "wrr-samenvatting-kabinetsreactie"
    assert history[0]["cites"]["id"] == "wrr-samenvatting-kabinetsreactie"
    # ... the lines for people and pipes by its citation, as `show` does.
    lines = cli("-r", SHIPPED, "status", "history", "wrr103-7").out.splitlines()
    assert lines[0] == (
        "2021-03-24\tin-verkenning\t\tKabinetsreactie op het advies (Kamerstuk 29 861, nr. 70)."
        "\tWRR, “Kabinetsreactie op het WRR-rapport Samenleven in Verscheidenheid” "
        "(samenvatting, wrr.nl, 26 maart 2021)"
    )
    assert len(lines) == 2
    shown = cli("-r", SHIPPED, "show", "wrr103-7").out
    assert "bron: WRR, “Kabinetsreactie op het WRR-rapport Samenleven in" in shown


# --- validate -------------------------------------------------------------------------


def test_validate_shipped_registry(cli: Runner) -> None:
    result = cli("-r", SHIPPED, "validate")
    assert result.code == 0
    assert result.out == (
        f"ok: {SHIPPED}: 7 recommendations, 44 quotes found in 13 sources, every fingerprint "
        "matching\n"
    )


def test_validate_names_the_item_whose_quote_lost_a_word(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("breed in kaart", "globaal in kaart"), encoding="utf-8")
    result = cli("-r", registry, "validate")
    assert result.code == 1
    first = result.err.splitlines()[0]
    line = text.splitlines().index(next(x for x in text.splitlines() if "breed in kaart" in x)) + 1
    assert first.startswith(f"error: {registry}:{line}:9: wrr103-7: quote 1 is not in ")
    assert (
        'nearest passage, [-only in the source-] {+only in the quote+}: "Het kabinet is bereid '
        "om aan de Adviescommissie voor Vreemdelingenzaken (ACVZ) te vragen om "
        "[-breed-]{+globaal+} in kaart te brengen"
    ) in first
    assert result.err.splitlines()[-1] == f"error: 1 problem(s) in {registry}"


def test_validate_reports_a_missing_source_file(cli: Runner, registry: Path) -> None:
    (registry.parent / "sources" / "kabinetsreactie-wrr-103.txt").unlink()
    result = cli("-r", registry, "validate")
    assert result.code == 1
    line = (
        registry.read_text(encoding="utf-8")
        .splitlines()
        .index("    file: sources/kabinetsreactie-wrr-103.txt")
    )
    assert result.err == (
        f"error: {registry}:{line + 1}:11: source 'wrr-samenvatting-kabinetsreactie' "
        "(sources/kabinetsreactie-wrr-103.txt) is missing: no such file in the registry's "
        f"folder\nerror: 1 problem(s) in {registry}\n"
    )


# --- the command line itself ------------------------------------------------------------


def test_version(cli: Runner) -> None:
    from wrrtrack import __version__

    result = cli("--version")
    assert (result.code, result.out) == (0, f"wrrtrack {__version__}\n")


def test_unknown_command_is_exit_2_with_suggestion(cli: Runner) -> None:
    result = cli("lsit")
    assert result.code == 2
    assert (
        result.err
        == "error: No such command 'lsit'. Did you mean 'list'? (see 'wrrtrack --help')\n"
    )


def test_unknown_option_is_exit_2(cli: Runner) -> None:
    result = cli("list", "--colour")
    assert result.code == 2
    assert result.err.startswith("error: No such option: --colour")


def test_no_command_shows_help_and_exits_2(cli: Runner) -> None:
    result = cli()
    assert result.code == 2
    assert "Usage: wrrtrack" in result.out
    assert result.err == "error: missing command (see 'wrrtrack --help')\n"


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_csv_neutralises_cells_that_spreadsheets_would_run(
    cli: Runner, registry: Path, start: str
) -> None:
    from wrrtrack._yamlfile import yaml_scalar

    formula = yaml_scalar(f'{start}HYPERLINK("http://x")')
    text = registry.read_text(encoding="utf-8").replace(
        '"Een meer integrale ontvangst van alle nieuwkomers"', formula
    )
    registry.write_text(text, encoding="utf-8")
    rows = list(csv.reader(io.StringIO(cli("-r", registry, "list", "-f", "csv").out)))
    assert rows[2][1] == "'" + start + 'HYPERLINK("http://x")'
    assert rows[1][1].startswith("Met gemeenten")  # ordinary cells are left alone


def test_control_characters_in_registry_text_are_shown_escaped(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8").replace(
        '"Een meer integrale ontvangst van alle nieuwkomers"', '"Titel\\e]0;pwned\\a met\\ttab"'
    )
    registry.write_text(text, encoding="utf-8")
    for args in (["list"], ["show", "wrr103-2"], ["status", "history", "wrr103-2"]):
        out = cli("-r", registry, *args).out
        assert "\x1b" not in out
        assert "\x07" not in out
    assert "Titel\\x1b]0;pwned\\x07 met tab" in cli("-r", registry, "list").out
    # Machine formats carry the data as it is: JSON escapes it, and that is for scripts.
    assert (
        cli("-r", registry, "show", "wrr103-2", "-f", "json")
        .json()["title"]
        .startswith("Titel\x1b]0;pwned\x07")
    )


def test_history_on_a_terminal_is_a_table(cli: Runner, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", "120")
    out = cli("-r", SHIPPED, "--no-pager", "status", "history", "wrr103-7").out
    assert out.startswith("wrr103-7: geschiedenis")
    assert out.splitlines()[1].split() == ["datum", "status", "toelichting", "door", "bron"]
    assert "2022-12-22" in out


def test_search_folds_accents_and_case_as_a_person_types(cli: Runner) -> None:
    for needle in ("financiele", "FINANCIËLE", "Financiële"):
        assert ids(cli("-r", SHIPPED, "list", "--search", needle, "-f", "ids").out) == ["wrr103-1"]


# --- vocab: the keys are discoverable --------------------------------------------------


def test_vocab_themes_lists_the_four_themes_with_both_labels(cli: Runner) -> None:
    result = cli("-r", SHIPPED, "vocab", "themes")
    assert result.code == 0
    rows = [line.split("\t") for line in result.out.splitlines()]
    assert [row[:4] for row in rows] == [
        ["themes", "algemeen", "Algemeen", "General"],
        [
            "themes",
            "ontvangst-en-inburgering",
            "Ontvangst en inburgering",
            "Reception and integration",
        ],
        ["themes", "samenhang-in-wijken", "Samenhang in wijken", "Cohesion in neighbourhoods"],
        ["themes", "migratiebeleid", "Migratiebeleid", "Migration policy"],
    ]
    assert {row[5] for row in rows} == {"registry"}


def test_vocab_json_lists_every_vocabulary_with_aliases_and_origin(cli: Runner) -> None:
    data = cli("-r", SHIPPED, "vocab", "--json").json()
    assert list(data) == ["actors", "stances", "statuses", "themes"]
    assert data["statuses"][2] == {
        "key": "in-uitvoering",
        "nl": "in uitvoering",
        "en": "in progress",
        "aliases": ["in-progress"],
        "origin": "built-in",
        "final": False,
    }
    assert [t["key"] for t in data["actors"]] == ["rijk", "gemeente", "acvz", "volgend-kabinet"]


def test_vocab_includes_the_registrys_own_keys(cli: Runner, registry: Path) -> None:
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace(
            "  actors:\n",
            "  actors:\n    provincie: {nl: provincies, en: provinces, aliases: [province]}\n",
            1,
        ),
        encoding="utf-8",
    )
    actors = cli("-r", registry, "vocab", "actors", "--json").json()["actors"]
    assert actors[2] == {
        "key": "provincie",
        "nl": "provincies",
        "en": "provinces",
        "aliases": ["province"],
        "origin": "registry",
    }
    assert (
        "provincie\tprovincies\tprovinces\tprovince\tregistry" in cli("-r", registry, "vocab").out
    )


def test_vocab_of_an_unknown_vocabulary_is_a_usage_error(cli: Runner) -> None:
    result = cli("-r", SHIPPED, "vocab", "colours")
    assert result.code == 2
    assert "'colours' is not one of 'actors', 'stances', 'statuses', 'themes'" in result.err


def test_list_help_says_where_theme_keys_come_from(cli: Runner) -> None:
    help_text = " ".join(cli("list", "--help").out.replace("│", " ").split())
    assert "Themes are declared by the registry itself, under vocabularies.themes" in help_text
    assert "'wrrtrack vocab themes' lists them" in help_text


def test_lang_of_wrrtrack_toml_is_the_default_of_show_and_list(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (registry.parent.parent / "wrrtrack.toml").write_text(
        'registry = "data/recommendations.yaml"\nlang = "en"\n', encoding="utf-8"
    )
    monkeypatch.chdir(registry.parent.parent)
    assert "Quoted from the WRR summary" in cli("show", "wrr103-7").out
    assert "Geciteerd uit de WRR samenvatting" in cli("show", "wrr103-7", "--lang", "nl").out
    monkeypatch.setattr("wrrtrack.cli._streams.is_terminal", lambda: True)
    assert "1 of 7 recommendations" in cli("--no-pager", "list", "-a", "acvz").out


def test_a_blank_registry_knows_only_the_actors_every_report_shares(
    cli: Runner, tmp_path: Path
) -> None:
    # WRR 103's own actors are declared by the WRR 103 report, not built into every registry.
    assert cli("init", str(tmp_path / "x"), "--blank").code == 0
    blank = tmp_path / "x" / "data" / "recommendations.yaml"
    keys = [t["key"] for t in cli("-r", blank, "vocab", "actors", "--json").json()["actors"]]
    assert keys == ["rijk", "gemeente"]
    shipped = cli("-r", SHIPPED, "vocab", "actors", "--json").json()["actors"]
    assert [(t["key"], t["origin"]) for t in shipped] == [
        ("rijk", "built-in"),
        ("gemeente", "built-in"),
        ("acvz", "registry"),
        ("volgend-kabinet", "registry"),
    ]
