"""Quote checking: only white space and typographic quotes are forgiven."""

from __future__ import annotations

import pytest

from tests.conftest import ROOT
from wrrtrack._quotes import SourceText, fold, word_diff

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


def test_git_checks_the_stored_texts_out_byte_for_byte_on_every_system() -> None:
    """Git for Windows turns LF into CRLF on checkout (core.autocrlf) unless told not to:
    every fingerprint of the shipped registry would fail there."""
    import shutil
    import subprocess

    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    stored = [
        "data/sources/kabinetsreactie-wrr-103.txt",
        "docs/examples/voorbeeldstad-reactie.txt",
        "docs/examples/sources/kabinetsreactie-wrr-103.txt",
    ]
    done = subprocess.run(
        ["git", "check-attr", "text", "eol", "--", *stored, "data/recommendations.yaml"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    attributes = {tuple(line.rsplit(": ", 2)) for line in done.stdout.splitlines()}
    for path in stored:  # never converted
        assert (path, "text", "unset") in attributes
    assert ("data/recommendations.yaml", "eol", "lf") in attributes


def test_a_decomposed_letter_is_the_same_text_on_either_side() -> None:
    # "gecreëerd" with ë as e + COMBINING DIAERESIS, as some editors and PDFs produce it.
    decomposed = "gecree\u0308erd moeten worden aan alle migranten"
    assert SOURCE.contains(decomposed)
    assert SourceText(f"Zij hebben het {decomposed}.").contains("gecreëerd moeten worden")


def test_compatibility_forms_are_not_forgiven() -> None:
    # NFC, not NFKC: a ligature or a full-width letter is a different text.
    assert not SOURCE.contains("\ufb01nanciële consequenties")
    assert not SOURCE.contains("\uff28et Rijk is verantwoordelijk")
    assert SOURCE.contains("financiële consequenties")


def test_word_diff_marks_the_changed_word_and_trims_what_the_quote_does_not_cover() -> None:
    passage = SOURCE.nearest_passage("Het Rijk is verantwoordelijk voor de goede randvoorwaarden")
    assert word_diff(passage, "Het Rijk is verantwoordelijk voor de goede randvoorwaarden") == (
        "Het Rijk is verantwoordelijk voor de [-juiste-]{+goede+} randvoorwaarden …"
    )
    assert word_diff("a b c d e", "b x d") == "… b [-c-]{+x+} d …"
    assert word_diff("a b c", "a c d") == "a [-b-] c {+d+}"
    assert word_diff("a b", "a b") == "a b"


def test_a_missing_quote_is_told_with_the_nearest_passage_marked() -> None:
    said = SOURCE.missing(
        "te vragen om globaal in kaart te brengen welke mogelijkheden bestaan voor nadere sturing"
    )
    assert said == (
        'nearest passage, [-only in the source-] {+only in the quote+}: "… te vragen om '
        "[-breed-]{+globaal+} in kaart te brengen welke mogelijkheden bestaan voor nadere "
        'sturing …"'
    )
    assert SourceText("").missing("iets") == "the source holds no text"
