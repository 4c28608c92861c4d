"""Renderers: one module per kind of output, each turning model values into text.

`machine` (JSON, CSV, ids) and `plain` (tab-separated lines, plain text) use only the
standard library; `terminal` uses Rich and is imported only when stdout is a terminal;
`markdown` is imported only by `report`.
"""

# Control characters as visible escapes: registry text may hold them (YAML's "\e", "\n"),
# and printed raw they would split a line or drive the reader's terminal.
_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x20), 0x7F, *range(0x80, 0xA0))}
_CONTROLS.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r", 0x2028: "\\u2028", 0x2029: "\\u2029"})


def visible(text: str) -> str:
    """`text` on one line, with every control character written as an escape."""
    return text.translate(_CONTROLS)
