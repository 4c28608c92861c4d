"""Renderers: one module per kind of output, each turning model values into text.

`machine` (JSON, CSV, ids) and `plain` (tab-separated lines, plain text) use only the
standard library; `terminal` uses Rich and is imported only when stdout is a terminal;
`markdown` is imported only by `report`.
"""

# Control characters as visible escapes: registry text may hold them (YAML's "\e", "\n"),
# and printed raw they would split a line or drive the reader's terminal. The invisible
# direction marks (U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) are escaped too: they
# reorder what a reader sees without showing themselves.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROLS.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})
_CONTROLS.update(
    {
        code: f"\\u{code:04x}"
        for code in (0x200E, 0x200F, 0x2028, 0x2029, *range(0x202A, 0x202F), *range(0x2066, 0x206A))
    }
)


# What JSON leaves raw of those (it escapes only U+0000-U+001F): written as `\uXXXX`,
# which means the same to every JSON reader and cannot drive a terminal.
JSON_ESCAPES = {code: f"\\u{code:04x}" for code in _CONTROLS if code >= 0x7F}


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


def visible(text: str) -> str:
    """`text` on one line, with every control character written as an escape.

    The one sanitiser for text that reaches a terminal, plain or through Rich (see
    `terminal.safe`, which adds that Rich markup in the text is never interpreted).
    """
    return text.translate(_CONTROLS)


def visible_lines(text: str) -> str:
    """`text` with its line breaks kept and every other control character escaped, as
    `visible` does: for CSV at a terminal, where a cell's escape sequence would otherwise
    reach the reader's terminal raw."""
    return "\n".join(map(visible, text.split("\n")))
