"""Checking quotes against the source text they claim to come from.

A quote is found when it occurs in the source after both are brought to Unicode NFC (so an
`ë` typed as `e` plus a combining diaeresis is the same text), runs of white space are
folded to one space and typographic quotes to plain ones. Nothing else is forgiven: a
changed word, a dropped comma, a different dash or a compatibility form (NFKC's `ﬁ` for
`fi`) is a quote that is not in the source.
"""

from __future__ import annotations

import re
import unicodedata
from typing import NamedTuple

from wrrtrack._errors import Location

_WHITESPACE = re.compile(r"\s+")
_TYPOGRAPHIC = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u2032": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u201f": '"',
        "\u2033": '"',
    }
)
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+")


# A quote is evidence: one word ("e", "kabinet") is found in almost any source and proves
# nothing, so a quote (stance, history or context) has at least this many words.
MIN_WORDS = 3


def too_short(quote: str) -> bool:
    """Whether `quote` has too few words to be evidence (one word is in almost any text)."""
    return len(quote.split()) < MIN_WORDS


class Quoted(NamedTuple):
    """A quote as the registry gives it: whose it is, which one, the text, where it is, and
    the source it must be found in."""

    owner: str  # a recommendation's id, or "" for the report's context sentences
    position: int  # 0 for the first quote of its owner (or of its history entry)
    text: str
    place: Location | None
    source: str | None = None  # the id (or, in an old registry, the file) of its source
    entry: int = -1  # the history entry holding it (0 = first); -1: a stance quote
    report: str = ""  # for a report's context (owner ""): the report's key

    @property
    def key(self) -> tuple[str, int]:
        """The quote's key in `Parsed.quote_places`: (owner, position) for a stance quote,
        (`@` and the report's key, position) for a report's context (no id starts with
        `@`); a history entry's quotes take negative numbers, so that every quote of a
        record is still found under its id."""
        if not self.owner:
            return (f"@{self.report}", self.position)
        if self.entry < 0:
            return (self.owner, self.position)
        return (self.owner, -(self.entry * 10_000 + self.position + 1))

    @property
    def field(self) -> str:
        """The quote's field: `quotes[2]` or `history[3].quotes[1]` of its recommendation,
        or `report.context[1]`."""
        if self.entry >= 0:
            return f"history[{self.entry + 1}].quotes[{self.position + 1}]"
        return (
            f"quotes[{self.position + 1}]" if self.owner else f"report.context[{self.position + 1}]"
        )

    @property
    def label(self) -> str:
        if self.entry >= 0:
            return f"{self.owner}: history[{self.entry + 1}] quote {self.position + 1}"
        return (
            f"{self.owner}: quote {self.position + 1}"
            if self.owner
            else (f"report.context[{self.position + 1}]")
        )


def fold(text: str) -> str:
    """The form in which quotes and source are compared."""
    normal = unicodedata.normalize("NFC", text)
    return _WHITESPACE.sub(" ", normal.translate(_TYPOGRAPHIC)).strip()


# How a word diff marks what only the source has, and what only the quote has: the
# convention of `git diff --word-diff=plain`, readable in any terminal and log.
DIFF_LEGEND = "[-only in the source-] {+only in the quote+}"


def word_diff(passage: str, quote: str) -> str:
    """`passage` with the words the quote does not have marked `[-…-]` and the quote's own
    words marked `{+…+}`; source text before and after what the quote covers becomes `…`.
    """
    import difflib  # only on the way to an error message

    old, new = fold(passage).split(" "), fold(quote).split(" ")
    opcodes = difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
    # A quote may be part of a sentence: the rest of the sentence is not a difference.
    if opcodes and opcodes[0][0] == "delete" and len(opcodes) > 1:
        opcodes, lead = opcodes[1:], ["…"]
    else:
        lead = []
    if opcodes and opcodes[-1][0] == "delete" and len(opcodes) > 1:
        opcodes, tail = opcodes[:-1], ["…"]
    else:
        tail = []
    words = list(lead)
    for tag, i1, i2, j1, j2 in opcodes:
        if tag == "equal":
            words += old[i1:i2]
            continue
        gone = "[-" + " ".join(old[i1:i2]) + "-]" if i2 > i1 else ""
        added = "{+" + " ".join(new[j1:j2]) + "+}" if j2 > j1 else ""
        words.append(gone + added)
    return " ".join(words + tail)


class SourceText:
    """A source document, folded once, asked about many quotes."""

    def __init__(self, text: str) -> None:
        self.folded = fold(text)
        self._sentences: list[str] | None = None

    def contains(self, quote: str) -> bool:
        folded = fold(quote)
        return bool(folded) and folded in self.folded

    def nearest_passage(self, quote: str) -> str:
        """The sentence of the source most like the quote, to show what it should say."""
        if self._sentences is None:
            self._sentences = [s for s in _SENTENCE_END.split(self.folded) if s]
        folded = fold(quote)
        import difflib  # only on the way to an error message

        best = difflib.get_close_matches(folded, self._sentences, n=1, cutoff=0.0)
        return best[0] if best else ""

    def missing(self, quote: str) -> str:
        """What to say of a quote that is not in this source: the nearest passage, with the
        words that differ marked (see `word_diff`)."""
        passage = self.nearest_passage(quote)
        if not passage:
            return "the source holds no text"
        return f'nearest passage, {DIFF_LEGEND}: "{word_diff(passage, quote)}"'
