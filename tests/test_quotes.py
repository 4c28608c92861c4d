"""Quote checking: only white space and typographic quotes are forgiven."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.conftest import ROOT
from wrrtrack._quotes import (
    MIN_WORDS,
    SourceText,
    _Folded,
    _piece,
    fold,
    too_short,
    word_diff,
)

SOURCE = SourceText(
    (ROOT / "data" / "sources" / "kabinetsreactie-wrr-103.txt").read_text(encoding="utf-8")
)


def test_fold() -> None:
    typographic = "\u201cc\u201d \u2018d\u2019"
    assert fold(f"  a\n\tb  {typographic} ") == 'a b "c" "d"'  # one class of marks


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


# Quotes as people copy them (typographic marks, soft hyphens, words broken at a line end),
# and nothing more.

PLAN = "Het college noemt het {open}een goed plan{close} voor de wijk. Daarna volgt de raad."


@pytest.mark.parametrize(
    ("source_marks", "quote_marks"),
    [
        ("\u00ab\u00bb", '""'),  # guillemets
        ('""', "\u00ab\u00bb"),
        ("\u201e\u201c", '""'),  # low-9 and curly
        ('""', "\u201e\u201c"),
        ("\u201a\u2018", "''"),
        ("\u2039\u203a", "\u2018\u201b"),  # single guillemets
        ("\u201c\u201d", "'\u2019"),
    ],
)
def test_every_quotation_mark_is_one_class(source_marks: str, quote_marks: str) -> None:
    source = SourceText(PLAN.format(open=source_marks[0], close=source_marks[1]))
    quote = f"noemt het {quote_marks[0]}een goed plan{quote_marks[1]} voor"
    assert source.contains(quote)


def test_soft_hyphens_are_dropped_on_either_side() -> None:
    source = SourceText("in overleg met de uitvoerings\u00adorganisaties en gemeenten.")
    assert source.contains("met de uitvoeringsorganisaties en")
    assert SourceText("met de uitvoeringsorganisaties en").contains(
        "met de uit\u00advoerings\u00adorganisaties en"
    )


def test_a_word_broken_at_a_line_end_is_joined_in_the_source() -> None:
    source = SourceText("in overleg met de uitvoerings-\n   organisaties en gemeenten.")
    assert source.contains("met de uitvoeringsorganisaties en")
    assert not source.contains("met de uitvoerings- organisaties en")


def test_a_word_broken_at_a_line_end_is_joined_in_the_quote() -> None:
    source = SourceText("in overleg met de uitvoeringsorganisaties en gemeenten.")
    assert source.contains("met de uitvoerings-\r\n organisaties en")


@pytest.mark.parametrize("gap", ["\n", "\n ", "\r\n\t", "\u2010\n"])
def test_a_suspended_hyphen_before_a_conjunction_at_a_line_end_stays(gap: str) -> None:
    hyphen = "\u2010" if gap.startswith("\u2010") else "-"
    gap = gap.removeprefix("\u2010")
    source = SourceText(f"De zorg{hyphen}{gap}en welzijnsorganisaties doen mee aan de aanpak.")
    assert source.contains(f"De zorg{hyphen} en welzijnsorganisaties doen mee")
    assert not source.contains("De zorgen welzijnsorganisaties doen mee")  # no such word


@pytest.mark.parametrize(
    "conjunction", ["en", "of", "en/of", "tot", "noch", "dan", "and", "or", "to", "nor"]
)
def test_every_conjunction_after_a_suspended_hyphen_keeps_it(conjunction: str) -> None:
    source = SourceText(f"Het gaat om de zorg-\n{conjunction} welzijnssector in het land.")
    assert source.contains(f"om de zorg- {conjunction} welzijnssector")


@pytest.mark.parametrize(
    ("source", "word"),
    [
        ("de uitvoerings-\norganisaties", "uitvoeringsorganisaties"),  # "or…" is no "or"
        ("de ver-\ntonen", "vertonen"),
        ("de be-\ndanken", "bedanken"),
        ("de ge-\nendigde", "geendigde"),
        ("de zorg\u00ad\nen", "zorgen"),  # a soft hyphen is a break inside a word
    ],
)
def test_a_word_that_only_starts_like_a_conjunction_is_joined(source: str, word: str) -> None:
    assert SourceText(source).contains(f"de {word}")


def test_a_capital_after_a_hyphen_at_a_line_end_keeps_the_hyphen() -> None:
    source = SourceText("De provincie Noord-\nHolland doet mee aan de aanpak.")
    assert source.contains("De provincie Noord-Holland doet mee")
    assert not source.contains("De provincie NoordHolland doet mee")
    assert not source.contains("De provincie Noord- Holland doet mee")
    assert SourceText("De provincie Noord-Holland doet mee.").contains(
        "De provincie Noord-\n  Holland doet mee"
    )


@pytest.mark.parametrize(
    ("source", "quote", "diff"),
    [
        (
            "De gemeente vraagt de uitvoerings-\norganisaties om gegevens over de wijk.",
            "De gemeente vraagt de uitvoerings- organisaties om gegevens",
            "De gemeente vraagt de [-uitvoeringsorganisaties-]{+uitvoerings- organisaties+}"
            " om gegevens …",
        ),
        (
            "De provincie Noord-\nHolland doet mee aan de aanpak.",
            "De provincie Noord- Holland doet mee",
            "De provincie [-Noord-Holland-]{+Noord- Holland+} doet mee …",
        ),
    ],
)
def test_a_refused_quote_sees_the_broken_word_as_it_must_be_typed(
    source: str, quote: str, diff: str
) -> None:
    said = SourceText(source).missing(quote)
    assert said == f'nearest passage, [-only in the source-] {{+only in the quote+}}: "{diff}"'


@pytest.mark.parametrize(
    "source",
    [
        "met de uitvoerings- organisaties en",  # no line break: a hyphen and a space
        "met de uitvoerings-\nOrganisaties en",  # a capital after the break: the hyphen stays
        "met de 2021-\n2022 organisaties en",  # no letter before the hyphen
        "met de uitvoerings\u2013\norganisaties en",  # an en dash is no hyphen
    ],
)
def test_nothing_else_is_joined(source: str) -> None:
    assert not SourceText(source).contains("met de uitvoeringsorganisaties en")
    assert not SourceText(source).contains("met de uitvoerings-organisaties en")


def test_a_changed_word_is_refused_with_the_passage_meant() -> None:
    source = SourceText(
        "De raad vergadert.\n"
        + PLAN.format(open="«", close="»")
        + "\nHet college noemt het voorstel te duur.\n"
    )
    quote = 'Het college noemt het "een slecht plan" voor de wijk.'
    assert not source.contains(quote)
    # The passage as the source has it (its own quotation marks), the changed word marked.
    assert source.missing(quote) == (
        'nearest passage, [-only in the source-] {+only in the quote+}: "Het college noemt '
        'het «een [-goed-]{+slecht+} plan» voor de wijk."'
    )


def test_the_passage_shown_and_its_place_are_those_of_the_original_text() -> None:
    original = (
        "Eerste regel   met  ruimte.\n"
        "De gecree\u0308erde uitvoerings-\n    organisaties\u00ad en de „gemeenten“\n"
        "werken samen aan een plan.\n"
    )
    source = SourceText(original)
    passage = source.nearest("De gecreëerde uitvoeringsorganisaties en de 'gemeenten' werkt")
    assert passage is not None
    assert original[passage.start : passage.end] == original[28:-1]
    assert (passage.line, passage.column) == (2, 1)
    assert passage.text == (
        "De gecree\u0308erde uitvoerings- organisaties\u00ad en de „gemeenten“ werken samen "
        "aan een plan."
    )
    found = source.find("uitvoeringsorganisaties en de “gemeenten”")
    assert found is not None
    assert original[found.start : found.end] == (
        "uitvoerings-\n    organisaties\u00ad en de „gemeenten“"
    )
    assert (found.line, found.column) == (2, 16)


# A quote starts and ends at a word's boundary (issue 18.7).


@pytest.mark.parametrize("quote", ["et college neemt", "Het college neem", "t college neemt"])
def test_a_quote_that_cuts_a_word_is_not_found(quote: str) -> None:
    source = SourceText("Het college neemt het besluit.")
    assert not source.contains(quote)
    assert "nearest passage" in source.missing(quote)


@pytest.mark.parametrize(
    "quote", ["(zo zegt het) neemt", "college (zo zegt het)", ", zegt de raad, het besluit."]
)
def test_a_quote_may_start_or_end_with_punctuation(quote: str) -> None:
    source = SourceText("Het college (zo zegt het) neemt, zegt de raad, het besluit.")
    assert source.contains(quote)


def test_a_quote_is_found_where_it_stands_on_word_boundaries() -> None:
    # The first occurrence cuts a word; the second does not.
    assert SourceText("Dit zegt het kabinet. Ook zegt het kabinet dit.").contains(
        "zegt het kabinet dit"
    )
    assert SourceText("Ditzegt het kabinet dit. Ook zegt het kabinet dit.").contains(
        "zegt het kabinet dit"
    )


# Evidence has at least three words.


@pytest.mark.parametrize(
    ("quote", "short"),
    [("e", True), ("  het college ", True), ("Het college neemt", False), ("", True)],
)
def test_a_quote_of_fewer_than_three_words_is_too_short(quote: str, short: bool) -> None:
    assert too_short(quote) is short
    assert MIN_WORDS == 3


# The nearest passage is found without reading every sentence (issue 18.5).


def test_a_quote_sharing_no_word_has_no_near_passage() -> None:
    source = SourceText("Het college neemt het besluit.")
    assert source.nearest("geheel andere woorden hier") is None
    assert source.missing("geheel andere woorden hier") == "no near passage found"


def test_the_nearest_passage_shares_the_most_words() -> None:
    source = SourceText(
        "Het kabinet deelt de analyse. Het kabinet deelt de zorgen van gemeenten over "
        "de kosten. De raad deelt niets."
    )
    assert source.nearest_passage("Het kabinet deelt de zorgen van provincies") == (
        "Het kabinet deelt de zorgen van gemeenten over de kosten."
    )


# Properties. A source is made of words, each perhaps in quotation marks or followed by
# punctuation, with the quirks of stored texts: line breaks and runs of white space, soft
# hyphens, and words broken at a line end.

MARKS = "\"'\u00ab\u00bb\u2039\u203a\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f"
WORDS = st.text("abcdeo\u00eb", min_size=2, max_size=7)
SPACES = st.sampled_from([" ", " ", " ", "\n", "  ", " \n\t", "\r\n  "])


@st.composite
def tokens(draw: st.DrawFn) -> tuple[str, str, str]:
    """(before, word, after): a word with the marks and punctuation around it."""
    word = draw(WORDS)
    if draw(st.booleans()):
        word = word.capitalize()
    before = draw(st.sampled_from(["", "", "", "(", *MARKS]))
    after = draw(st.sampled_from(["", "", "", ",", ".", ")", *MARKS]))
    return before, word, after


@st.composite
def broken(draw: st.DrawFn, word: str) -> str:
    """`word` as a stored text may have it: a soft hyphen in it, or broken at a line end
    before one of its lowercase letters."""
    places = [i for i in range(1, len(word)) if word[i - 1].isalpha() and word[i].islower()]
    if not places:
        return word
    at = draw(st.sampled_from(places))
    mark = draw(st.sampled_from(["", "", "\u00ad", "-\n", "-\n   ", "\u00ad\n"]))
    return word[:at] + mark + word[at:]


def folded_token(token: tuple[str, str, str]) -> str:
    """A token as the matcher should compare it: every quotation mark one mark."""
    return "".join('"' if char in MARKS else char for char in "".join(token))


def occurs(quote: list[str], source: list[str]) -> bool:
    """The slow answer: the folded quote's tokens stand in the source's, the first perhaps
    the end of a token and the last its start, but never cutting a word."""
    size = len(quote)
    for at in range(len(source) - size + 1):
        window = source[at : at + size]
        if size == 1:
            spots = [i for i in range(len(window[0])) if window[0].startswith(quote[0], i)]
            good = [
                i
                for i in spots
                if not (i and window[0][i - 1].isalnum() and quote[0][0].isalnum())
                and not (
                    i + len(quote[0]) < len(window[0])
                    and window[0][i + len(quote[0])].isalnum()
                    and quote[0][-1].isalnum()
                )
            ]
            if good:
                return True
            continue
        head, tail = window[0], window[-1]
        if window[1:-1] != quote[1:-1] or not head.endswith(quote[0]):
            continue
        if not tail.startswith(quote[-1]):
            continue
        cut = len(head) - len(quote[0])
        if cut and head[cut - 1].isalnum() and quote[0][0].isalnum():
            continue
        end = len(quote[-1])
        if end < len(tail) and tail[end].isalnum() and quote[-1][-1].isalnum():
            continue
        return True
    return False


@settings(deadline=None)
@given(st.data())
def test_a_quote_copied_at_word_boundaries_is_found_and_a_changed_word_is_not(
    data: st.DataObject,
) -> None:
    words = data.draw(st.lists(tokens(), min_size=3, max_size=25))
    stored = [(b, data.draw(broken(w)), a) for b, w, a in words]
    gaps = data.draw(st.lists(SPACES, min_size=len(words), max_size=len(words)))
    source = SourceText("".join(gap + "".join(t) for gap, t in zip(gaps, stored, strict=True)))
    first = data.draw(st.integers(0, len(words) - 1))
    last = data.draw(st.integers(first, min(first + 8, len(words) - 1)))
    part = list(words[first : last + 1])
    # Start and end at a word's boundary, with or without the marks around the words.
    if data.draw(st.booleans()):
        part[0] = ("", part[0][1], part[0][2])
    if data.draw(st.booleans()):
        part[-1] = (part[-1][0], part[-1][1], "")
    # Copied with other quotation marks, and broken at other line ends.
    retyped = "".join(
        data.draw(st.sampled_from(MARKS)) if c in MARKS else c
        for c in " ".join("".join(t) for t in part)
    )
    pieces = retyped.split(" ")
    pieces = [data.draw(broken(piece)) for piece in pieces]
    quote = "".join(piece + data.draw(SPACES) for piece in pieces[:-1]) + pieces[-1]
    assert source.contains(quote), (source._folded.original, quote)

    # One word replaced by another: found exactly when the slow answer finds it.
    at = data.draw(st.integers(0, len(part) - 1))
    other = data.draw(WORDS.filter(lambda w: w != part[at][1]))
    changed = [*part[:at], (part[at][0], other, part[at][2]), *part[at + 1 :]]
    quoted = " ".join("".join(t) for t in changed)
    expected = occurs([folded_token(t) for t in changed], [folded_token(t) for t in words])
    assert source.contains(quoted) is expected, (source._folded.original, quoted)


@settings(deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "ab",
                "A",
                "\u00eb",
                "e\u0308",
                "1",
                " ",
                "  ",
                "\n",
                "\t",
                "\r\n",
                "\u00ad",
                "-",
                "\u2010",
                ".",
                ",",
                "'",
                "\u00ab",
                "\u201d",
                "ab-\nA",  # broken lines, joined or not
                "ab-\n cd",
                "ab-\nen",  # a suspended hyphen before a conjunction
                "b-\n or",
                "b-\nen/of",
                "ab-\nC",
                "b\u00ad\nc",
                "a\u2010 \r\nb",
            ]
        ),
        max_size=40,
    ).map("".join),
    st.integers(1, 12),
)
@example("ab\u00ad\n\u00ad ab", 1)  # a gap of soft hyphens and white space is one
def test_the_fast_fold_is_the_slow_one_and_every_place_goes_back_to_the_original(
    text: str, piece: int
) -> None:
    # The fold that keeps every place gives the same text as the one every source takes,
    # and so does folding piece by piece.
    assert _piece(text, True, True).text == fold(text)
    folded = _Folded(text, piece)
    assert folded.text == fold(text)
    # Each folded word comes from a stretch of the original that folds to it.
    for word in re.finditer(r"[^ ]+", folded.text):
        start, end = folded.span(*word.span())
        assert fold(text[start:end]) == word.group(), (text, word)


# Pieces of texts whose folded words look alike: broken at a line end or typed with a
# hyphen and a space, soft hyphens, quotation marks.
LOOKALIKES = st.sampled_from(
    [
        "de",
        "De",
        "raad",
        "zorgen",
        "zorg-\nen",
        "zorg-\n en",
        "zorg- en",
        "zorg\u00ad\nen",
        "uitvoerings-\norganisaties",
        "uitvoerings- organisaties",
        "uitvoeringsorganisaties",
        "uit\u00advoerings\u00ad organisaties",
        "Noord-\nHolland",
        "Noord- Holland",
        "Noord-Holland",
        "NoordHolland",
        "\u00abplan\u00bb",
        '"plan"',
        "plan,",
        "e\u0308n",
        "\u00ebn",
        "bee\u0308-\nindigd",
        "bee\u0308- indigd",
        "be\u00ebindigd",
    ]
)


@settings(deadline=None)
@given(
    st.lists(LOOKALIKES | st.sampled_from([".", "\n"]), min_size=1, max_size=30),
    st.lists(LOOKALIKES, min_size=1, max_size=8),
)
@example(["De", "zorg-\nen", "raad", "de", "raad"], ["De", "zorg- en", "raad"])
@example(["De", "zorg-\nen", "raad", "de", "raad"], ["De", "zorgen", "raad"])
@example(["De", "uitvoerings-\norganisaties", "raad", "de"], ["De", "uitvoerings- organisaties"])
@example(["De", "Noord-\nHolland", "raad", "de"], ["De", "Noord- Holland", "raad"])
def test_a_refused_quote_is_shown_a_difference_it_can_see(
    source_words: list[str], quote_words: list[str]
) -> None:
    source = SourceText(" ".join(source_words).replace(" .", "."))
    quote = " ".join(quote_words)
    if source.contains(quote):
        return
    said = source.missing(quote)
    if not said.startswith("nearest"):  # no text, or no word in common: nothing to compare
        return
    diff = said.partition(": ")[2]
    assert "[-" in diff or "{+" in diff, (source.folded, quote, said)
    for gone, added in re.findall(r"\[-(.*?)-\]\{\+(.*?)\+\}", diff):
        assert gone != added, (source.folded, quote, said)


def slowest_nearest(source: SourceText, quote: str) -> str:
    """The nearest passage found the slow way: every sentence scored."""
    import difflib

    text, wanted = source.folded, fold(quote)
    words = set(re.findall(r"\w+", wanted))
    spans, start = [], 0
    for end in re.finditer(r"(?<=[.!?]) ", text):
        spans.append((start, end.start()))
        start = end.end()
    spans.append((start, len(text)))

    def score(span: tuple[int, int]) -> tuple[int, float, int]:
        passage = text[span[0] : span[1]]
        shared = len(words & set(re.findall(r"\w+", passage)))
        matcher = difflib.SequenceMatcher(None, passage.split(" "), wanted.split(" "), False)
        return shared, matcher.ratio(), -span[0]

    best = max(spans, key=score)
    return "" if score(best)[0] == 0 else text[best[0] : best[1]]


@settings(deadline=None)
@given(
    st.lists(
        st.sampled_from(["het", "kabinet", "de", "raad", "wijk", "plan", "goed", "Het", "en"])
        | st.sampled_from([".", "!", "?", ","]),
        max_size=80,
    ),
    st.lists(st.sampled_from(["het", "kabinet", "de", "wijk", "slecht", "plan"]), max_size=8),
)
def test_the_nearest_passage_is_the_one_every_sentence_scored_would_give(
    words: list[str], quote_words: list[str]
) -> None:
    source = SourceText(" ".join(words).replace(" .", ".").replace(" !", "!").replace(" ?", "?"))
    quote = " ".join(quote_words)
    # Small texts: every place of every word of the quote is looked at, no sentence is cut.
    assert fold(source.nearest_passage(quote)) == slowest_nearest(source, quote)


def test_a_search_cut_short_says_so(monkeypatch: pytest.MonkeyPatch) -> None:
    import wrrtrack._quotes

    monkeypatch.setattr(wrrtrack._quotes, "_PLACES", 3)
    source = SourceText(" ".join(f"Het plan {n} is goed." for n in range(10)))
    said = source.missing("Het plan is slecht")
    # Every word is in more places than the search looks at: it says how far it looked.
    assert said.startswith("nearest of the first 3 passages holding its rarest word, ")
    assert (
        SourceText("Het plan 7 is goed. Het plan 8 is goed.")
        .missing("Het plan 7 is slecht")
        .startswith("nearest passage, ")
    )


# Text in which many places share a word's start, with words of letters, digits and marks
# (one that NFC leaves apart), and quotes cut from it anywhere or from a word's start,
# as they are or changed at their first or last letter.
_PIECES = ["De minister van SZW ", "de gemeenten", "café", "x\u0301", "_", "12", " ", ", ", "."]


@settings(max_examples=300, deadline=None)
@given(
    words=st.lists(st.sampled_from(_PIECES), min_size=1, max_size=60),
    cuts=st.lists(st.tuples(st.integers(0, 400), st.integers(1, 80)), min_size=1, max_size=40),
)
@example(words=["_", "De minister van SZW ", "de gemeenten"], cuts=[(1, 40)])  # '_' is no word
def test_an_indexed_source_finds_each_quote_where_searching_it_finds_it(
    words: list[str], cuts: list[tuple[int, int]]
) -> None:
    """A source asked about many quotes is indexed by its words' starts: it finds every
    quote where a search of the whole text finds it, and no other."""
    import wrrtrack._quotes as quotes

    text = "".join(words)
    starts = [0, *itertools.accumulate(len(word) for word in words)]
    needles = [text[start : start + length] for start, length in cuts]  # anywhere
    for n, length in cuts:  # from a piece's start, to a piece's end or not
        start = starts[n % len(starts)]
        needles += [text[start : start + length], text[start : starts[(n + length) % len(starts)]]]
    needles += [n.replace("e", "a", 1) for n in needles] + [n[:-1] + "x" for n in needles]
    searched, indexed = SourceText(text), SourceText(text)
    searched._looked_for = -(10**9)  # never indexed
    indexed._looked_for = quotes._INDEXED_AFTER  # indexed from the first quote
    for needle in needles:
        assert indexed.contains(needle) == searched.contains(needle), needle
        assert indexed.find(needle) == searched.find(needle), needle
    assert searched._starts is None
    indexable = [fold(n) for n in needles if len(fold(n)) >= quotes._KEY and fold(n)[0].isalnum()]
    assert (indexed._starts is not None) == bool(indexable)
