"""A run of the command line: the streams made safe, the command run, and every failure
mapped to `error:` lines and an exit code, in one table (`_FAILURES`)."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Callable
from typing import Any, NamedTuple, NoReturn

import typer

from wrrtrack._errors import WrrtrackError
from wrrtrack.cli import _streams
from wrrtrack.cli._build import command

DEBUG_ENV = "WRRTRACK_DEBUG"


class Failure(NamedTuple):
    """What a run that raised ends with."""

    code: int
    # The `error:` lines; when a file was written already, only if `always`, for the
    # warning names the failure (`failure`) instead.
    lines: list[str]
    failure: str | None = None
    always: bool = False
    traceback: bool = False  # with WRRTRACK_DEBUG=1


def _refused(exc: WrrtrackError) -> Failure:
    """A problem with the registry or the request: the library's own lines."""
    return Failure(1, exc.lines(), failure="; ".join(exc.lines()))


def _usage(exc: typer.TyperException) -> Failure:
    """Click's usage errors, with the exit code each carries (2)."""
    if type(exc).__name__ == "NoArgsIsHelpError":  # Typer has printed the help already
        line = "missing command (see 'wrrtrack --help')"
    else:
        usage_ctx = getattr(exc, "ctx", None)
        where = f" (see '{usage_ctx.command_path} --help')" if usage_ctx else ""
        line = f"{_usage_message(exc)}{where}"
    return Failure(getattr(exc, "exit_code", 2), [line], always=True)


def _usage_message(exc: typer.TyperException) -> str:
    """Click's message for a usage error, on one line.

    For a missing option that takes one of several values, Click puts each value on a line
    of its own ("Choose from:\\n\\tjson,\\n\\ttoml"), which an `error:` line would show as
    escapes; those lines are joined. Other messages may quote what the user typed, line
    breaks included, and are left for `error` to escape."""
    message = exc.format_message()
    if type(exc).__name__ == "MissingParameter":
        message = " ".join(part.strip() for part in message.splitlines())
    return message


def _broken_pipe(exc: BrokenPipeError) -> Failure:
    """The reader went away (`wrrtrack list | head`): not an error of ours."""
    _streams.silence(sys.stdout)
    return Failure(0, [])


def _unwritable(exc: OSError) -> Failure:
    """Everything that reads or writes files turns its OSErrors into WrrtrackError, so
    what arrives here failed on the standard streams (closed, full, gone)."""
    failure = f"cannot write the output: {exc.strerror or exc}"
    _streams.silence(sys.stdout)
    return Failure(1, [failure], failure=failure)


def _bug(exc: Exception) -> Failure:
    """The last resort: a bug becomes "internal error", never a traceback (unless asked)."""
    failure = f"internal error ({type(exc).__name__}: {exc})"
    line = f"{failure}, please report it; run with {DEBUG_ENV}=1 to see where it happened"
    return Failure(1, [line], failure=failure, traceback=True)


# Each failure by the first of its classes here; the order matters (a BrokenPipeError is
# an OSError, and everything is an Exception).
_FAILURES: tuple[tuple[type[BaseException], Callable[[Any], Failure]], ...] = (
    (WrrtrackError, _refused),
    (typer.TyperException, _usage),
    (typer.Abort, lambda exc: Failure(1, ["aborted"], always=True)),
    (BrokenPipeError, _broken_pipe),
    (OSError, _unwritable),
    (KeyboardInterrupt, lambda exc: Failure(130, ["interrupted"], always=True)),
    (Exception, _bug),
)


def _failure(exc: Exception | KeyboardInterrupt) -> Failure:
    return next(handle(exc) for kind, handle in _FAILURES if isinstance(exc, kind))


def _returned_code(result: object) -> int:
    """The exit code a command returned; Typer has already turned Ctrl-C into 130."""
    code = result if isinstance(result, int) else 0
    if code == 130:
        _streams.error("interrupted")
    return code


def main(argv: list[str] | None = None) -> NoReturn:
    """Run the command line; every failure becomes `error:` lines and exit code 1 or 2.

    Once a command has replaced a file (`Run.wrote`), it has succeeded: whatever fails
    afterwards (a message that cannot be printed) is a warning and the exit code is 0,
    so that a script never retries a change that was made. Nothing unexpected ends in a
    traceback: it becomes "internal error" (with the traceback when WRRTRACK_DEBUG=1).
    """
    _streams.prepare_streams()
    _streams.Run.wrote = None
    root = command()
    failure: str | None = None
    try:
        result = root.main(args=argv, prog_name="wrrtrack", standalone_mode=False)
        code = _returned_code(result)
    except (Exception, KeyboardInterrupt) as exc:  # noqa: BLE001 (mapped in `_FAILURES`)
        ended = _failure(exc)
        code, failure = ended.code, ended.failure
        if ended.always or _streams.Run.wrote is None:
            for line in ended.lines:
                _streams.error(line)
        if ended.traceback and os.environ.get(DEBUG_ENV) == "1":
            import traceback

            with contextlib.suppress(Exception):
                traceback.print_exc()
    wrote = _streams.Run.wrote
    if wrote is not None and code != 0:
        _streams.error(f"{wrote} was written; then: {failure or 'an error'}", prefix="warning")
        code = 0
    cache = sys.modules.get("wrrtrack._cache")
    if cache is not None:
        cache.release(commit=code == 0)
    sys.exit(_streams.flushed(code))
