"""Attribution: every output names the document a quote was checked against, as it is."""

from __future__ import annotations

from datetime import date

from wrrtrack._model import Reaction, Source
from wrrtrack.render import machine
from wrrtrack.render.citation import cite, long_date, quoted_from, site

SUMMARY = Source(
    id="wrr-samenvatting-kabinetsreactie",
    file="sources/kabinetsreactie-wrr-103.txt",
    title="Kabinetsreactie op het WRR-rapport Samenleven in Verscheidenheid",
    publisher="WRR",
    date=date(2021, 3, 26),
    kind="samenvatting",
    url="https://www.wrr.nl/adviesprojecten/migratiediversiteit/nieuws/2021/03/26/"
    "kabinetsreactie-op-het-wrr-rapport-samenleven-in-verscheidenheid",
    sha256="378be4b49c808fdee162063404ee25781a0f02f743477ed916af9f329b9bb7cc",
)
REACTION = Reaction(
    "Kamerstuk 29 861, nr. 70",
    date(2021, 3, 24),
    SUMMARY.id,
    "https://zoek.officielebekendmakingen.nl/kst-29861-70.html",
)


def test_a_summary_is_never_presented_as_the_reaction_itself() -> None:
    assert quoted_from(SUMMARY, REACTION, "en") == (
        "Quoted from the WRR summary of the reaction (wrr.nl, 26 March 2021), "
        "not from the text of Kamerstuk 29 861, nr. 70 itself"
    )
    assert quoted_from(SUMMARY, REACTION, "nl") == (
        "Geciteerd uit de WRR samenvatting van de reactie (wrr.nl, 26 maart 2021), "
        "niet uit de tekst van Kamerstuk 29 861, nr. 70 zelf"
    )


def test_the_reaction_itself_is_named_as_such() -> None:
    itself = SUMMARY._replace(kind="kamerstuk", publisher="Tweede Kamer", url=REACTION.url)
    assert quoted_from(itself, REACTION, "en") == (
        "Quoted from Kamerstuk 29 861, nr. 70 (zoek.officielebekendmakingen.nl, 26 March 2021)"
    )


def test_the_reaction_text_stored_by_reports_add_is_named_as_the_reaction() -> None:
    """No address to compare, but the stored text bears the reaction's reference and date:
    it is the reaction's own text, not an account of it."""
    letter = Source("vsd", "sources/vsd.txt", "Collegebrief 2025-012", date=date(2025, 2, 11))
    reaction = Reaction("Collegebrief 2025-012", date(2025, 2, 11), "vsd")
    assert quoted_from(letter, reaction, "nl") == (
        "Geciteerd uit Collegebrief 2025-012 (11 februari 2025)"
    )
    other_day = reaction._replace(date=date(2025, 2, 12))
    assert quoted_from(letter, other_day, "en").endswith(
        "not from the text of Collegebrief 2025-012 itself"
    )


def test_a_source_known_only_by_its_file_claims_nothing_more() -> None:
    bare = Source("kabinetsreactie-wrr-103", "sources/kabinetsreactie-wrr-103.txt")
    assert cite(bare, "en") == "the stored file sources/kabinetsreactie-wrr-103.txt"
    assert quoted_from(bare, REACTION, "nl") == (
        "Geciteerd uit het opgeslagen bestand sources/kabinetsreactie-wrr-103.txt"
    )


def test_cite_names_publisher_title_kind_site_and_date() -> None:
    assert cite(SUMMARY, "en") == (
        "WRR, “Kabinetsreactie op het WRR-rapport Samenleven in Verscheidenheid” "
        "(summary, wrr.nl, 26 March 2021)"
    )
    letter = SUMMARY._replace(kind="kamerbrief", url=None, date=None, publisher=None)
    assert cite(letter, "nl") == (
        "“Kabinetsreactie op het WRR-rapport Samenleven in Verscheidenheid” (Kamerbrief)"
    )
    odd = SUMMARY._replace(kind="podcast")
    assert cite(odd, "en").endswith("(podcast, wrr.nl, 26 March 2021)")


def test_dates_and_sites() -> None:
    assert long_date(date(2022, 12, 21), "nl") == "21 december 2022"
    assert long_date(date(2024, 10, 17), "en") == "17 October 2024"
    assert site("https://zoek.officielebekendmakingen.nl/kst-30995-104.html") == (
        "zoek.officielebekendmakingen.nl"
    )
    assert site(None) is None
    assert site("not a url") is None


def test_json_gives_the_facts_of_a_source() -> None:
    assert machine.source_dict(SUMMARY) == {
        "id": "wrr-samenvatting-kabinetsreactie",
        "kind": "samenvatting",
        "publisher": "WRR",
        "date": "2021-03-26",
        "title": "Kabinetsreactie op het WRR-rapport Samenleven in Verscheidenheid",
        "url": SUMMARY.url,
    }


def test_markdown_sources_table_links_only_web_addresses() -> None:
    from wrrtrack.render.markdown import link, sources_table

    assert sources_table([SUMMARY], "en") == [
        "| Id | Source | Stored text |",
        "| --- | --- | --- |",
        "| wrr-samenvatting-kabinetsreactie | [WRR, “Kabinetsreactie op het WRR-rapport Samenleven "
        f"in Verscheidenheid”](<{SUMMARY.url}>) (summary, wrr.nl, 26 March 2021) | "
        "sources/kabinetsreactie-wrr-103.txt |",
        "",
    ]
    assert link("x", "javascript:alert(1)") == "x"
    assert link("x", "https://e.nl/a)<c>") == "[x](<https://e.nl/a)%3Cc%3E>)"
    # The one URL rule of validate: an address with a space is no link (validate refuses it).
    assert link("x", "https://e.nl/a b") == "x"
