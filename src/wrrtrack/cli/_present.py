"""The one place that decides how a command's result is shown: which of its renderings
(JSON, a Rich table, tab-separated lines, CSV, Markdown, …) the options and the terminal
call for, and whether it goes to stdout or to the --output file."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, NamedTuple

from wrrtrack.cli import _streams

if TYPE_CHECKING:
    from wrrtrack._registry import Registry
    from wrrtrack.cli._output import Kept

# A rendering of a command's result, given the terminal's width (None: stdout is not a
# terminal). Each is called only if chosen, so that it imports only what it needs.
Render = Callable[[int | None], "str | bytes"]

# The format `table` is a Rich table at a terminal and, piped, these lines.
PIPED_TABLE = "tsv"


class Destination(NamedTuple):
    """Where output goes: stdout, or the --output file, which never replaces `kept`."""

    output: str | None = None
    kept: Kept = []  # noqa: RUF012 (a NamedTuple's default is never changed)

    @property
    def stdout(self) -> bool:
        return self.output is None or self.output == "-"


STDOUT = Destination()


def destination(output: str | None, kept: Kept) -> Destination:
    """Where --output sends the output; a path it may not write to is refused here, before
    the work, not after it (`_output.check_output`)."""
    to = Destination(output, kept)
    if not to.stdout:
        from wrrtrack.cli._output import check_output

        check_output(str(output), kept)
    return to


def kept_files(registry: Registry) -> Kept:
    """The files --output never replaces: the registry's own."""
    from wrrtrack.cli._output import stored_files

    return stored_files(registry)


def present(
    chosen: str,
    renderings: Mapping[str, Render],
    *,
    as_json: bool = False,
    to: Destination = STDOUT,
) -> None:
    """Show the rendering `chosen` (`--format`; `--json` is the same as `--format json`).

    At a terminal, `table` is the Rich table, as wide as the terminal; piped, it is the
    tab-separated lines (`tsv`). JSON stays JSON whatever stdout's encoding (`_streams.out`).
    To a file (--output), the output is written atomically and the message says where.
    """
    name = "json" if as_json else chosen
    width = _streams.width() if to.stdout and _streams.is_terminal() else None
    if name == "table" and width is None:
        name = PIPED_TABLE
    content = renderings[name](width)
    if not to.stdout:
        from wrrtrack.cli._output import write_output

        written = _streams.wrote(write_output(str(to.output), content, to.kept))
        _streams.say(f"wrote {written}")
        return
    assert isinstance(content, str)  # noqa: S101 (binary output always needs --output)
    _streams.out(content, as_json=name == "json")
