"""Checking stance quotes against the source text they claim to come from.

A quote is found when it occurs in the source after folding runs of white space to one
space and typographic quotes to plain ones. Nothing else is forgiven: a changed word, a
dropped comma or a different dash is a quote that is not in the source.
"""

from __future__ import annotations

import re
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


class Quoted(NamedTuple):
    """A quote as the registry gives it: whose it is, which one, the text, and where."""

    owner: str  # a recommendation's id, or "" for the report's context sentences
    position: int  # 0 for the first quote of its owner
    text: str
    place: Location | None

    @property
    def field(self) -> str:
        """The quote's field: `quotes[2]` of its recommendation, or `report.context[1]`."""
        return (
            f"quotes[{self.position + 1}]" if self.owner else f"report.context[{self.position + 1}]"
        )

    @property
    def label(self) -> str:
        return (
            f"{self.owner}: quote {self.position + 1}"
            if self.owner
            else (f"report.context[{self.position + 1}]")
        )


def fold(text: str) -> str:
    """The form in which quotes and source are compared."""
    return _WHITESPACE.sub(" ", text.translate(_TYPOGRAPHIC)).strip()


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
