"""Renderers: one module per kind of output, each turning model values into text.

`machine` (JSON, CSV, ids) and `plain` (tab-separated lines, plain text) use only the
standard library; `terminal` uses Rich and is imported only when stdout is a terminal;
`markdown` is imported only by `report`.
"""

# Control characters as visible escapes: registry text may hold them (YAML's "\e", "\n"),
# and printed raw they would split a line or drive the reader's terminal. Invisible format
# characters (Unicode category Cf: the direction marks U+200E, U+202A-U+202E,
# U+2066-U+2069, the zero-width space U+200B, the byte-order mark U+FEFF, the tag
# characters U+E0000-U+E007F, ...) are escaped too: they reorder or hide what a reader
# sees without showing themselves. The table holds those of Unicode 15.1; `visible` also
# finds any that a later Unicode adds.
_FORMAT = (
    0x00AD, *range(0x0600, 0x0606), 0x061C, 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x180E,
    *range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2060, 0x2065),
    *range(0x2066, 0x2070), 0xFEFF, *range(0xFFF9, 0xFFFC), 0x110BD, 0x110CD,
    *range(0x13430, 0x13440), *range(0x1BCA0, 0x1BCA4), *range(0x1D173, 0x1D17B), 0xE0001,
    *range(0xE0020, 0xE0080),
)  # fmt: skip


def _unicode_escape(code: int) -> str:
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROLS.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})
_CONTROLS.update({code: _unicode_escape(code) for code in (0x2028, 0x2029, *_FORMAT)})


def ascii_json(text: str) -> str:
    """JSON text with every character beyond ASCII written as `\\uXXXX` (a surrogate pair
    beyond U+FFFF), as `json.dumps(..., ensure_ascii=True)` writes it: the same JSON, for a
    stream whose encoding is not UTF-8 (a pipe on Windows, where Python writes the ANSI code
    page; `PYTHONIOENCODING=ascii`).

    Outside its strings JSON text is ASCII, so escaping every other character is exact.
    """
    if text.isascii():
        return text
    import re

    return re.sub(r"[^\x00-\x7f]+", lambda run: "".join(map(_json_escape, run[0])), text)


def _json_escape(char: str) -> str:
    code = ord(char)
    if code <= 0xFFFF:
        return f"\\u{code:04x}"
    code -= 0x10000
    return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04x}"


# What JSON leaves raw of those (it escapes only U+0000-U+001F): written as `\uXXXX` (a
# surrogate pair beyond U+FFFF), which means the same to every JSON reader and cannot drive
# a terminal.
JSON_ESCAPES = {code: _json_escape(chr(code)) for code in _CONTROLS if code >= 0x7F}


def visible(text: str) -> str:
    """`text` on one line, with every control and format character written as an escape.

    The one sanitiser for text that reaches a terminal, plain or through Rich (see
    `terminal.safe`, which adds that Rich markup in the text is never interpreted).
    """
    shown = text.translate(_CONTROLS)
    if shown.isprintable():  # in C; false for a no-break space too, rare in a registry
        return shown
    return "".join(map(_format_escaped, shown))


def _format_escaped(char: str) -> str:
    """A format character the table does not know (a later Unicode's) as an escape."""
    if char.isprintable():
        return char
    import unicodedata

    return _unicode_escape(ord(char)) if unicodedata.category(char) == "Cf" else char


def visible_lines(text: str) -> str:
    """`text` with its line breaks kept and every other control character escaped, as
    `visible` does: for CSV at a terminal, where a cell's escape sequence would otherwise
    reach the reader's terminal raw."""
    return "\n".join(map(visible, text.split("\n")))


# CSV's quoting holds a cell's tab and line breaks; they cannot drive a terminal.
_CSV_CONTROLS = {code: shown for code, shown in _CONTROLS.items() if code not in (9, 10, 13)}


def csv_for_stdout(text: str, *, terminal: bool) -> str:
    """CSV as `list` and `export` print it: at a terminal as `visible_lines` shows it; to a
    pipe with every control and format character but tab, CR and LF escaped, as the same
    text is at a terminal (the file a pipe fills is shown with `cat` too), and no line
    begins with `::` (`no_workflow_commands`). A leading byte-order mark (`--bom`) is kept.
    `export --output FILE` writes the cells as they are.
    """
    bom = "\ufeff" if text.startswith("\ufeff") else ""
    # A cell's line break can start a line with `::`, which a CI log would run.
    text = no_workflow_commands(text.removeprefix(bom))
    if terminal:
        return bom + visible_lines(text)
    shown = text.translate(_CSV_CONTROLS)
    if not shown.isprintable():
        shown = "".join(map(_format_escaped, shown))
    return bom + shown


def no_workflow_commands(text: str, escape: str = "\\:") -> str:
    """`text` with no line that GitHub's runner would read as a workflow command
    (`::error …`, `::add-mask::…`, `::stop-commands::…`) when it is printed in a job.

    The runner trims a line before it looks for `::`, so indenting would not help: the
    first colon of such a line is written as `escape` (`\\:`, which Markdown shows as a
    colon; `&#58;` in HTML). A wrapped line is checked as it is finally printed.
    """
    if "::" not in text:
        return text
    import re

    return re.sub(r"(?:^|(?<=[\r\n]))([^\S\r\n]*):(?=:)", lambda m: m[1] + escape, text)
