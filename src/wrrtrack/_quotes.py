"""Checking quotes against the source text they claim to come from.

A quote is found when it occurs in the source, starting and ending at a word's boundary,
after both are brought to the form people copy quotes in: Unicode NFC (an `ë` typed as `e`
plus a combining diaeresis is the same text), every quotation mark (guillemets, low-9,
curly and plain, single or double) one mark, soft hyphens dropped, a word broken at a
line end (`uitvoerings-⏎organisaties`) joined, and runs of white space one space. A
hyphen at a line end before a capital stays and the break goes (`Noord-⏎Holland` is
`Noord-Holland`); before a conjunction it is a suspended hyphen and stays with a space
(`zorg-⏎en welzijn` is `zorg- en welzijn`).
Nothing else is forgiven: a changed word or case, a dropped comma, a different dash or a
compatibility form (NFKC's `ﬁ` for `fi`) is a quote that is not in the source. Whatever
is shown of a source (a passage, its line and column) is taken from the original text,
not from the folded one.
"""

from __future__ import annotations

import bisect
import itertools
import re
import unicodedata
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from wrrtrack._errors import Location

_WHITESPACE = re.compile(r"\s+")
# The same runs, but not a single space (most of them in prose), which needs no change.
_SPACES = re.compile(r" ?[^\S ]\s*| {2,}(?:[^\S ]\s*)?")
# Every quotation mark people type or paste, folded to one: a quote copied with « » from a
# source that has " " (or the other way round) is the same quote.
_QUOTE_MARKS = re.compile(
    "[\"'\u00ab\u00bb\u2039\u203a\u2018\u2019\u201a\u201b\u201c\u201d\u201e\u201f\u2032\u2033]"
)
_QUOTE_MARK = '"'
_LINE_BREAK = r"(?:\r\n|[\n\r\v\f\x1c-\x1e\x85\u2028\u2029])"
# A word broken at a line end: a hyphen (or soft hyphen) right after a letter, a line
# break, and the white space before the next line's text (with any soft hyphens in that
# gap, which are dropped anyway). What it becomes depends on what follows (`_broken_as`:
# `re` has no class for a lowercase letter).
_BROKEN = (
    r"[-\u2010\u00ad](?<=[^\W\d_].)(?:[^\S\n\r\v\f\x1c-\x1e\x85\u2028\u2029]|\u00ad)*"
    + _LINE_BREAK
    + r"[\s\u00ad]*"
)
_BROKEN_WORD = re.compile(_BROKEN)
# The same changes, one match each, for the slow fold that keeps every place: a broken
# word; a run of white space and soft hyphens (one space, or nothing if it holds only soft
# hyphens); one white space other than a space; one soft hyphen. A single plain space
# needs no change.
_CHANGES = re.compile(rf"(?P<broken>{_BROKEN})|[\s\u00ad]{{2,}}|[^\S ]|\u00ad")
# Where a text may be cut into pieces that fold on their own: at a single space between
# two characters that are neither white space nor (before it) a hyphen.
_SAFE_CUT = re.compile(r"(?<=[^\s\-\u2010\u00ad]) (?=[^\s\u00ad])")
# The words after a suspended hyphen ("zorg- en welzijnsorganisaties", "pre- and
# post-war"): a hyphen at a line end before one of them is no word broken in two.
_CONJUNCTION = re.compile(r"(?:en|of|tot|noch|dan|and|or|to|nor)(?!\w)")
_PIECE = 1 << 16  # characters of a source folded again to find a place in it
_WORD = re.compile(r"\w+")
_NON_SPACE = re.compile(r"\S+")
_SENTENCE_ENDS = (". ", "! ", "? ")


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
    return _fold(text)


def _broken_as(text: str, start: int, stop: int) -> str:
    """What the stretch `text[start:stop]` of a broken word (its hyphen, the line break and
    the white space after it) becomes, by what follows it."""
    hyphen, after = text[start], text[stop : stop + 1]
    if after.islower():
        if hyphen != "\u00ad" and _CONJUNCTION.match(text, stop):
            return hyphen + " "  # "zorg-⏎en welzijn": a suspended hyphen, then a word
        return ""  # "uitvoerings-⏎organisaties": one word
    if hyphen == "\u00ad":
        return " "
    if after.isupper():
        return hyphen  # "Noord-⏎Holland": a hyphenated name
    return hyphen + " "


def _join(broken: re.Match[str]) -> str:
    return _broken_as(broken.string, broken.start(), broken.end())


def _fold(text: str, *, head: bool = True, tail: bool = True) -> str:
    """`text` folded (see the module's docstring); white space at its start (`head`) and
    end (`tail`) dropped. Every step runs in C: this is the path of every source."""
    joined = _BROKEN_WORD.sub(_join, unicodedata.normalize("NFC", text))
    spaced = _SPACES.sub(" ", joined.replace("\u00ad", ""))
    if head:
        spaced = spaced.lstrip(" ")
    if tail:
        spaced = spaced.rstrip(" ")
    return _QUOTE_MARKS.sub(_QUOTE_MARK, spaced)


class _Places:
    """Where each character of a rewritten text came from in the text it was made of: a
    list of pieces, each either copied one for one or put in place of a stretch."""

    __slots__ = ("_ends", "_ins", "_outs")

    def __init__(self, outs: list[int], ins: list[int], ends: list[int]) -> None:
        self._outs = outs  # where each piece starts in the new text
        self._ins = ins  # where it starts in the old one
        self._ends = ends  # where the stretch it replaces ends in the old one; -1: a copy

    def start(self, at: int) -> int:
        """The old place of the character at `at` (or of the end, at the length)."""
        piece = bisect.bisect_right(self._outs, at) - 1
        if self._ends[piece] < 0:
            return self._ins[piece] + at - self._outs[piece]
        return self._ins[piece]

    def end(self, at: int) -> int:
        """The old place just after the character before `at` (the end of a span)."""
        if at <= 0:
            return self.start(0)
        piece = bisect.bisect_right(self._outs, at - 1) - 1
        if self._ends[piece] < 0:
            return self._ins[piece] + at - self._outs[piece]
        return self._ends[piece]


def _rewrite(text: str, changes: Iterable[tuple[int, int, str]]) -> tuple[str, _Places]:
    """`text` with each stretch `start:end` (in order, not overlapping) replaced by its new
    text, and the places of the result in `text`."""
    pieces: list[str] = []
    outs: list[int] = []
    ins: list[int] = []
    ends: list[int] = []
    done = out = 0

    def piece(new: str, start: int, end: int) -> None:
        nonlocal out
        outs.append(out)
        ins.append(start)
        ends.append(end)
        pieces.append(new)
        out += len(new)

    for start, end, new in changes:
        if start > done:
            piece(text[done:start], done, -1)
        piece(new, start, end)
        done = end
    piece(text[done:], done, -1)
    return "".join(pieces), _Places(outs, ins, ends)


def _composed(text: str) -> Iterator[tuple[int, int, str]]:
    """Each word of `text` that NFC changes, with its NFC form. White space never composes
    with what stands beside it, so NFC word by word is NFC of the whole."""
    for line in re.finditer(r"[^\n]+", text):
        if unicodedata.is_normalized("NFC", line.group()):
            continue
        for word in _NON_SPACE.finditer(text, line.start(), line.end()):
            if not unicodedata.is_normalized("NFC", word.group()):
                yield word.start(), word.end(), unicodedata.normalize("NFC", word.group())


def _folding(text: str, head: bool, tail: bool) -> Iterator[tuple[int, int, str]]:
    """What `_fold` changes in `text` (already NFC), apart from quotation marks (replaced
    one for one), each change on its own, so that every place can be traced back."""
    begin, end = 0, len(text)
    if head:
        while begin < end and (text[begin].isspace() or text[begin] == "\u00ad"):
            begin += 1
    if tail:
        while end > begin and (text[end - 1].isspace() or text[end - 1] == "\u00ad"):
            end -= 1
    if begin:
        yield 0, begin, ""
    for found in _CHANGES.finditer(text, begin, end):
        start, stop = found.span()
        if found.group("broken") is None:
            yield start, stop, " " if found.group().replace("\u00ad", "") else ""
        elif (new := _broken_as(text, start, stop))[:1] == text[start]:
            yield start + 1, stop, new[1:]  # the hyphen stays where it is
        else:
            yield start, stop, new
    if end < len(text):
        yield end, len(text), ""


class _Piece(NamedTuple):
    """A piece of an original text folded on its own, with the places of its fold."""

    normal: _Places | None  # NFC's, when NFC changes the piece
    folded: _Places
    text: str


def _piece(original: str, head: bool, tail: bool) -> _Piece:
    normal, composed = original, None
    if not unicodedata.is_normalized("NFC", original):
        normal, composed = _rewrite(original, _composed(original))
    text, places = _rewrite(normal, _folding(normal, head, tail))
    return _Piece(composed, places, _QUOTE_MARKS.sub(_QUOTE_MARK, text))


class _Folded:
    """A text in the form in which quotes are compared, with the way back to the places of
    the original text it was folded from. The places are found only when asked for, by
    folding again, slowly, only the piece of the text that holds them."""

    def __init__(self, original: str, piece: int = _PIECE) -> None:
        self.original = original
        # Folded piece by piece (cut where that changes nothing), so that a place is found
        # by folding one piece again, not the whole text.
        cuts = [0]
        while (found := _SAFE_CUT.search(original, cuts[-1] + piece)) is not None:
            cuts.append(found.end())
        ends = [*cuts[1:], len(original)]
        folded = [
            _fold(original[cut:end], head=n == 0, tail=n + 1 == len(cuts))
            for n, (cut, end) in enumerate(zip(cuts, ends, strict=True))
        ]
        self.text = folded[0] if len(folded) == 1 else "".join(folded)
        self._cuts = cuts  # where each piece starts in the original
        self._starts = list(itertools.accumulate((len(f) for f in folded[:-1]), initial=0))
        self._pieces: dict[int, _Piece] = {}

    def _place(self, at: int, end: bool) -> int:
        """The place in the original of folded place `at`: of its character, or (`end`)
        just after the character before it."""
        n = bisect.bisect_right(self._starts, at - 1 if end and at > 0 else at) - 1
        piece = self._pieces.get(n)
        if piece is None:
            stop = self._cuts[n + 1] if n + 1 < len(self._cuts) else len(self.original)
            last = n + 1 == len(self._cuts)
            piece = _piece(self.original[self._cuts[n] : stop], n == 0, last)
            self._pieces[n] = piece
        local = at - self._starts[n]
        place = piece.folded.end(local) if end else piece.folded.start(local)
        if piece.normal is not None:
            place = piece.normal.end(place) if end else piece.normal.start(place)
        return self._cuts[n] + place

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Where `self.text[start:end]` stands in the original text."""
        return self._place(start, end=False), self._place(end, end=True)

    def words(self) -> list[tuple[str, str]]:
        """Each word as it is compared, and as the original has it (white space folded,
        and a word broken at a line end as it is compared: `uitvoerings- organisaties`
        would look like what a quote is refused for)."""
        shown = []
        for word in re.finditer(r"[^ ]+", self.text):
            first, last = self.span(*word.span())
            original = self.original[first:last]
            if _BROKEN_WORD.search(normal := unicodedata.normalize("NFC", original)):
                original = _BROKEN_WORD.sub(_join, normal)
            shown.append((word.group(), _WHITESPACE.sub(" ", original).strip()))
        return shown


def _is_word(char: str) -> bool:
    """Whether `char` belongs to a word (a letter, a digit, or a mark on one)."""
    return char.isalnum() or unicodedata.category(char)[0] == "M"


# How a word diff marks what only the source has, and what only the quote has: the
# convention of `git diff --word-diff=plain`, readable in any terminal and log.
DIFF_LEGEND = "[-only in the source-] {+only in the quote+}"


def word_diff(passage: str, quote: str) -> str:
    """`passage` with the words the quote does not have marked `[-…-]` and the quote's own
    words marked `{+…+}`; source text before and after what the quote covers becomes `…`.
    Words are compared folded and shown as each side has them."""
    import difflib  # only on the way to an error message

    old, new = _Folded(passage).words(), _Folded(quote).words()
    opcodes = difflib.SequenceMatcher(
        None, [w for w, _ in old], [w for w, _ in new], autojunk=False
    ).get_opcodes()
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
            words += [shown for _, shown in old[i1:i2]]
            continue
        gone = "[-" + " ".join(s for _, s in old[i1:i2]) + "-]" if i2 > i1 else ""
        added = "{+" + " ".join(s for _, s in new[j1:j2]) + "+}" if j2 > j1 else ""
        words.append(gone + added)
    return " ".join(words + tail)


class Passage(NamedTuple):
    """A stretch of a source text: where it stands in the original text (offsets, and the
    1-based line and column of its start), and its text as the original has it, white
    space folded to one space."""

    start: int
    end: int
    line: int
    column: int
    text: str


# The nearest-passage search looks at no more than this many places of the quote's
# rarest words, so that one wrong quote costs the same in a page as in a 20 MB text.
_PLACES = 2_000
# Words of a quote counted in the source (each count reads the text once): its longest.
_COUNTED = 40
# How far around a place (beyond the quote's own length) a sentence is looked for: a
# longer sentence is cut at a word.
_REACH = 300
# Passages sharing the most words that are compared word by word, at most.
_RANKED = 50


# A source asked about many quotes is indexed: the place of each word's start by the
# characters that begin there, so that a quote is looked for only where a word starts as it
# does. Searching from the start scanned half the source for each quote, which made
# validating 100,000 quotes of one long source take a minute.
_INDEXED_AFTER = 32  # quotes looked for before the source is indexed
# Characters at a word's start the index keys on (by their hash: places with the same
# start are told apart by comparing): enough that few places share a key in prose.
_KEY = 32
# Where a word may start: a letter or digit (`str.isalnum`) after anything else.
_WORD_START = re.compile(r"(?<![^\W_])[^\W_]")


class SourceText:
    """A source document, folded once, asked about many quotes."""

    def __init__(self, text: str, state: dict[str, Any] | None = None) -> None:
        if state is None:
            self._folded = _Folded(text)
        else:  # folded before (`state`): taken as it was
            folded = _Folded.__new__(_Folded)
            folded.original = text
            folded.text = str(state["folded"])
            folded._cuts = [int(cut) for cut in state["cuts"]]
            folded._starts = [int(start) for start in state["starts"]]
            folded._pieces = {}
            if len(folded._cuts) != len(folded._starts) or not folded._cuts:
                raise ValueError(state)
            self._folded = folded
        self.folded = self._folded.text
        self._looked_for = 0
        self._starts: dict[int, list[int]] | None = None

    def _word_starts(self, needle: str) -> list[int] | None:
        """The places, in order, where a word starts with the first characters of `needle`
        (which starts with a letter or digit): every place it can stand at a word's
        boundary, and others; None while the source is not indexed (see `_KEY`)."""
        if len(needle) < _KEY or not needle[0].isalnum():
            return None
        if self._starts is None:
            self._looked_for += 1
            if self._looked_for <= _INDEXED_AFTER:
                return None
            text = self.folded
            starts: dict[int, list[int]] = {}
            for match in _WORD_START.finditer(text):
                at = match.start()
                starts.setdefault(hash(text[at : at + _KEY]), []).append(at)
            self._starts = starts
        return self._starts.get(hash(needle[:_KEY]), [])

    def state(self) -> dict[str, Any]:
        """What `SourceText(text, state)` takes to be this again without folding."""
        return {
            "folded": self.folded,
            "cuts": self._folded._cuts,
            "starts": self._folded._starts,
        }

    def _at_word_boundaries(self, needle: str, limit: int = -1) -> Iterator[int]:
        """Each place of `needle` in the folded text that neither starts nor ends inside a
        word (at most `limit` places looked at, when given)."""
        text = self.folded
        first_word, last_word = _is_word(needle[0]), _is_word(needle[-1])
        starts = self._word_starts(needle) if limit < 0 else None
        if starts is not None:  # the same places, looked for only where a word starts
            for at in starts:
                end = at + len(needle)
                if (
                    text.startswith(needle, at)
                    and not (at > 0 and _is_word(text[at - 1]))
                    and not (last_word and end < len(text) and _is_word(text[end]))
                ):
                    yield at
            return
        at = text.find(needle)
        while at >= 0 and limit != 0:
            end = at + len(needle)
            if not (first_word and at > 0 and _is_word(text[at - 1])) and not (
                last_word and end < len(text) and _is_word(text[end])
            ):
                yield at
            limit -= 1
            at = text.find(needle, at + 1)

    def contains(self, quote: str) -> bool:
        folded = fold(quote)
        return bool(folded) and next(self._at_word_boundaries(folded), None) is not None

    def find(self, quote: str) -> Passage | None:
        """Where the quote stands in the source (its first place), if it does."""
        folded = fold(quote)
        at = next(self._at_word_boundaries(folded), None) if folded else None
        return None if at is None else self._passage(at, at + len(folded))

    def _passage(self, start: int, end: int) -> Passage:
        original = self._folded.original
        first, last = self._folded.span(start, end)
        line_start = original.rfind("\n", 0, first) + 1
        shown = _WHITESPACE.sub(" ", original[first:last]).strip()
        return Passage(
            first, last, original.count("\n", 0, first) + 1, first - line_start + 1, shown
        )

    def _sentence_around(self, at: int, reach: int) -> tuple[int, int]:
        """The sentence holding the place `at` of the folded text, cut at a word `reach`
        characters away."""
        text = self.folded
        low, high = max(0, at - reach), min(len(text), at + reach)
        start = max(text.rfind(end, low, at) for end in _SENTENCE_ENDS)
        if start >= 0:
            start += 2
        elif low > 0:
            space = text.find(" ", low, at)
            start = space + 1 if space >= 0 else low
        else:
            start = 0
        ends = [found for end in _SENTENCE_ENDS if (found := text.find(end, at, high)) >= 0]
        if ends:
            stop = min(ends) + 1
        elif high < len(text):
            space = text.rfind(" ", at, high)
            stop = space if space > at else high
        else:
            stop = len(text)
        return start, stop

    def _nearest(self, quote: str) -> tuple[tuple[int, int] | None, bool]:
        """The span (in the folded text) of the passage sharing the most words with the
        quote, and whether the search was cut short. Only passages holding one of the
        quote's rarest words are looked at: a passage that shares none of them is not
        the one meant."""
        import difflib  # only on the way to an error message

        text, wanted = self.folded, fold(quote)
        words = list(dict.fromkeys(_WORD.findall(wanted)))
        if not text or not words:
            return None, False
        counted = sorted(words, key=len, reverse=True)[:_COUNTED]
        counts = {word: text.count(word) for word in counted}
        rarest = sorted((word for word in counted if counts[word]), key=counts.__getitem__)
        spans: set[tuple[int, int]] = set()
        left, cut_short = _PLACES, False
        for word in rarest:
            if counts[word] > left:
                if spans:
                    break
                cut_short = True  # not even every place of its rarest word is looked at
            reach = _REACH + len(wanted)
            spans.update(
                self._sentence_around(at, reach) for at in self._at_word_boundaries(word, left)
            )
            left -= min(counts[word], left)
            if left <= 0:
                break
        if not spans:
            return None, False
        wanted_words = set(words)
        shared = {span: len(wanted_words & set(_WORD.findall(text, *span))) for span in spans}
        most = max(shared.values())
        best = sorted(span for span in spans if shared[span] == most)[:_RANKED]
        quote_words = wanted.split(" ")

        def likeness(span: tuple[int, int]) -> tuple[float, int]:
            words = text[span[0] : span[1]].split(" ")
            matcher = difflib.SequenceMatcher(None, words, quote_words, autojunk=False)
            return matcher.ratio(), -span[0]

        return max(best, key=likeness), cut_short

    def nearest(self, quote: str) -> Passage | None:
        """The passage of the source most like the quote (the sentence sharing the most of
        its words), to show what it should say; None when no passage shares a word."""
        span, _ = self._nearest(quote)
        return None if span is None else self._passage(*span)

    def nearest_passage(self, quote: str) -> str:
        """The text of `nearest`, or "" when there is none."""
        passage = self.nearest(quote)
        return passage.text if passage else ""

    def missing(self, quote: str) -> str:
        """What to say of a quote that is not in this source: the nearest passage, with the
        words that differ marked (see `word_diff`)."""
        if not self.folded:
            return "the source holds no text"
        span, cut_short = self._nearest(quote)
        if span is None:
            return "no near passage found"
        passage = self._passage(*span)
        diff = word_diff(self._folded.original[passage.start : passage.end], quote)
        if cut_short:
            return (
                f"nearest of the first {_PLACES:,} passages holding its rarest word, "
                f'{DIFF_LEGEND}: "{diff}"'
            )
        return f'nearest passage, {DIFF_LEGEND}: "{diff}"'
