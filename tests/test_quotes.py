"""Quote checking: only white space and typographic quotes are forgiven."""

from __future__ import annotations

from tests.conftest import ROOT
from wrrtrack._quotes import SourceText, fold

SOURCE = SourceText(
    (ROOT / "data" / "sources" / "kabinetsreactie-wrr-103.txt").read_text(encoding="utf-8")
)


def test_fold() -> None:
    typographic = "\u201cc\u201d \u2018d\u2019"
    assert fold(f"  a\n\tb  {typographic} ") == "a b \"c\" 'd'"


def test_the_source_quirks_must_be_quoted_as_they_are() -> None:
    assert SOURCE.contains("Dit vraag om een nadere verkenning")
    assert not SOURCE.contains("Dit vraagt om een nadere verkenning")
    assert SOURCE.contains("niet - inburgeringsplichtige groepen")
    assert not SOURCE.contains("niet-inburgeringsplichtige groepen")
    assert SOURCE.contains("de kosten en de risico's in de uitvoering")  # typographic in source


def test_whitespace_and_line_breaks_are_forgiven() -> None:
    assert SOURCE.contains("Het Rijk is verantwoordelijk\n   voor de juiste randvoorwaarden")


def test_a_changed_word_or_comma_is_not() -> None:
    assert not SOURCE.contains("Het Rijk is verantwoordelijk voor de goede randvoorwaarden")
    assert not SOURCE.contains("Het kabinet onderschrijft dat migratie structureel, en integraal")
    assert not SOURCE.contains("   ")


def test_nearest_passage_is_the_sentence_meant() -> None:
    nearest = SOURCE.nearest_passage("Het Rijk is verantwoordelijk voor de goede randvoorwaarden")
    assert nearest == (
        "Het Rijk is verantwoordelijk voor de juiste randvoorwaarden "
        "en ondersteuning van gemeenten."
    )


def test_the_source_text_is_kept_byte_for_byte_as_published() -> None:
    import hashlib

    data = (ROOT / "data" / "sources" / "kabinetsreactie-wrr-103.txt").read_bytes()
    # The summary of the cabinet's reaction as published, typos included; quotes must match
    # it exactly, so it must never be "corrected".
    assert hashlib.sha256(data).hexdigest() == (
        "378be4b49c808fdee162063404ee25781a0f02f743477ed916af9f329b9bb7cc"
    )
