"""Renderers: one module per kind of output, each turning model values into text.

`machine` (JSON, CSV, ids) and `plain` (tab-separated lines, plain text) use only the
standard library; `terminal` uses Rich and is imported only when stdout is a terminal;
`markdown` is imported only by `report`.
"""
