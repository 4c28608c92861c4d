"""Quote checking: only white space and typographic quotes are forgiven."""

from __future__ import annotations

from tests.conftest import ROOT
from wrrtrack.quotes import SourceText, fold

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
