"""What a run writes and where: stdout through the pager, messages and `error:` lines on
stderr, the spinner, and the standard streams made safe to write to."""

from __future__ import annotations

import contextlib
import errno
import functools
import io
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn, ParamSpec, TypeVar

import typer


class Run:
    """What this run has done that cannot be undone: once a file is replaced, the command
    has succeeded, whatever fails afterwards (see `_runtime.main`)."""

    wrote: Path | None = None


class Screen:
    """What the global options say about the terminal, for `out`, which has no context.

    Set by the root callback on every run (a class attribute: no import for start-up)."""

    pager = True


def out(text: str, *, as_json: bool = False) -> None:
    """Write to stdout; at a terminal, output taller than the screen goes through the pager.

    JSON (`as_json`) stays JSON whatever stdout's encoding: where that is not UTF-8 (a pipe
    on Windows writes the ANSI code page; PYTHONIOENCODING), every character beyond ASCII
    is written as a `\\uXXXX` escape, which every JSON reader decodes alike. The escapes
    `prepare_streams` falls back to (`\\xeb`) are not JSON.
    """
    if as_json and not utf8(sys.stdout):
        from wrrtrack.render import ascii_json

        text = ascii_json(text)
    if is_terminal():
        from wrrtrack.cli._screen import page

        page(text, enabled=Screen.pager)
        return
    spinner_done()
    sys.stdout.write(text)
    sys.stdout.flush()


def utf8(stream: object) -> bool:
    """Whether `stream` encodes text as UTF-8 (so it can carry any character)."""
    import codecs

    try:
        return codecs.lookup(getattr(stream, "encoding", None) or "utf-8").name.startswith("utf-8")
    except LookupError:
        return False


def say(message: str) -> None:
    """A message for the user on stderr, on one line with control characters escaped."""
    from wrrtrack.render import visible

    spinner_done()
    print(visible(message), file=sys.stderr, flush=True)


def error(message: str, prefix: str = "error") -> None:
    """One `error:` line; text from the registry cannot break it or reach the terminal raw.

    A message that cannot be written (stderr closed or full) is dropped: the exit code
    still tells.
    """
    from wrrtrack.render import visible

    spinner_done()
    with contextlib.suppress(OSError, ValueError):
        print(f"{prefix}: {visible(message)}", file=sys.stderr, flush=True)


def fail(lines: list[str], code: int = 1) -> NoReturn:
    """Print `lines` as `error:` lines and end the command with `code`."""
    for line in lines:
        error(line)
    raise typer.Exit(code)


def wrote(path: Path) -> Path:
    """Record that this run has replaced `path` (see `Run`); returns it, for the message."""
    Run.wrote = path
    return path


def spinner_done() -> None:
    """Stop a spinner before anything is written (the spinner module is loaded if one ran)."""
    screen = sys.modules.get("wrrtrack.cli._screen")
    if screen is not None:
        screen.finish()


def is_terminal() -> bool:
    return sys.stdout.isatty()


def width() -> int:
    """The terminal's width in columns ($COLUMNS first, as Rich and the shell agree)."""
    import shutil

    return shutil.get_terminal_size().columns


Params = ParamSpec("Params")
Returned = TypeVar("Returned")


@contextlib.contextmanager
def busy(message: str) -> Iterator[None]:
    """A spinner on stderr while slow work runs, if stderr is a terminal (see _screen)."""
    if not sys.stderr.isatty():
        yield
        return
    from wrrtrack.cli._screen import busy as spinning

    with spinning(message):
        yield


def shows_progress(
    message: str,
) -> Callable[[Callable[Params, Returned]], Callable[Params, Returned]]:
    """Run a whole command under `busy(message)`."""

    def decorate(command: Callable[Params, Returned]) -> Callable[Params, Returned]:
        @functools.wraps(command)
        def run(*args: Params.args, **kwargs: Params.kwargs) -> Returned:
            with busy(message):
                return command(*args, **kwargs)

        return run

    return decorate


# --- the standard streams themselves ------------------------------------------------------


class ClosedStream(io.TextIOBase):
    """Stands in for stdout or stderr when the process started with it closed (`>&-`):
    writing fails with an OSError that `main` reports, instead of an AttributeError."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        raise OSError(errno.EBADF, f"standard {self.name} is closed")

    def isatty(self) -> bool:
        return False


def prepare_streams() -> None:
    """Streams that cannot fail on text: a closed one stands in as `ClosedStream`, and
    characters the locale or PYTHONIOENCODING cannot encode are written as escapes."""
    for name in ("stdout", "stderr"):
        stream = getattr(sys, name)
        if stream is None:
            setattr(sys, name, ClosedStream("output" if name == "stdout" else "error"))
        elif isinstance(stream, io.TextIOWrapper):
            with contextlib.suppress(ValueError, OSError, AttributeError):
                stream.reconfigure(errors="backslashreplace")


def silence(stream: object) -> None:
    """Point a broken stream's descriptor at the null device, so that the interpreter's
    final flush cannot fail (it would print a warning and exit with code 120)."""
    try:
        fd = stream.fileno()  # type: ignore[attr-defined]
        null = os.open(os.devnull, os.O_WRONLY)
        os.dup2(null, fd)
        os.close(null)
    except (OSError, ValueError, AttributeError, io.UnsupportedOperation):
        pass


def flushed(code: int) -> int:
    """Flush stdout and stderr; output that could not be written is a failure (1)."""
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BrokenPipeError:
            silence(stream)
        except (OSError, ValueError):
            silence(stream)
            if stream is sys.stdout and code == 0:
                error("cannot write the output (standard output failed)")
                code = 1
    return code
