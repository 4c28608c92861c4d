"""A person's terminal: a pager for output taller than the screen, a spinner for slow work.

Neither acts unless the stream it concerns is a terminal, so pipes and files get plain
output and an empty stderr. Imported only at a terminal: piped commands never load it.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from rich.live import Live

PAGER_VARIABLE = "WRRTRACK_PAGER"
DEFAULT_PAGER = "less -FRX"
# Work shorter than this shows nothing: a spinner that flashes is noise.
SPINNER_DELAY = 0.5


def pager_command() -> list[str] | None:
    """The pager to run: $WRRTRACK_PAGER (empty: none), else $PAGER, else `less -FRX`.

    None when it is turned off (empty, or `cat`) or cannot be found.
    """
    import shlex

    if PAGER_VARIABLE in os.environ:
        wanted = os.environ[PAGER_VARIABLE]
    else:
        wanted = os.environ.get("PAGER") or DEFAULT_PAGER
    try:
        command = shlex.split(wanted, posix=os.name != "nt")
    except ValueError:  # unbalanced quotes: not a command we can run
        return None
    if not command or command == ["cat"]:
        return None
    found = shutil.which(command[0])
    return [found, *command[1:]] if found else None


def page(text: str, *, enabled: bool = True) -> None:
    """Write `text` to stdout (a terminal), through the pager if it is taller than the screen."""
    finish()
    if enabled:
        rows = shutil.get_terminal_size().lines
        command = pager_command()
        if command and text.count("\n") >= rows and _through_pager(command, text):
            return
    sys.stdout.write(text)
    sys.stdout.flush()


def _through_pager(command: list[str], text: str) -> bool:
    """Show `text` in the pager and wait for it; False if the pager could not be started."""
    env = dict(os.environ)
    env.setdefault("LESS", "FRX")  # as git does: quit if one screen, colours, no clearing
    encoding = sys.stdout.encoding or "utf-8"
    sys.stdout.flush()
    try:
        pager = subprocess.Popen(command, stdin=subprocess.PIPE, env=env)  # noqa: S603
    except OSError:
        return False
    assert pager.stdin is not None  # noqa: S101 (stdin=PIPE)
    # The reader may quit before reading everything: that ends our output, not in error.
    with contextlib.suppress(BrokenPipeError, OSError):
        pager.stdin.write(text.encode(encoding, errors="replace"))
    with contextlib.suppress(BrokenPipeError, OSError):
        pager.stdin.close()
    while True:
        try:
            pager.wait()
            break
        except KeyboardInterrupt:
            continue  # Ctrl-C belongs to the pager (less uses it to stop a search)
    return True


class _Spinner:
    """A Rich spinner on stderr that appears only once work has taken SPINNER_DELAY."""

    def __init__(self, message: str) -> None:
        self.message = message
        self.lock = threading.Lock()
        self.live: Live | None = None
        self.done = False
        self.timer = threading.Timer(SPINNER_DELAY, self.start)
        self.timer.daemon = True

    def start(self) -> None:
        from rich.console import Console
        from rich.live import Live
        from rich.spinner import Spinner
        from rich.text import Text

        from wrrtrack.render import visible

        with self.lock:
            if self.done:
                return
            console = Console(stderr=True, force_terminal=True, highlight=False)
            spinner = Spinner("dots", Text(" " + visible(self.message)), style="green")
            # Not Rich's Status: it would capture stdout, and our output must stay ours.
            self.live = Live(
                spinner,
                console=console,
                transient=True,
                refresh_per_second=12.5,
                redirect_stdout=False,
                redirect_stderr=False,
            )
            self.live.start()

    def stop(self) -> None:
        self.timer.cancel()
        with self.lock:
            self.done = True
            if self.live is not None:
                self.live.stop()
                self.live = None


_active: list[_Spinner] = []


@contextlib.contextmanager
def busy(message: str) -> Iterator[None]:
    """Show `message` with a spinner on stderr while the block runs longer than ~0.5 s.

    Nothing at all when stderr is not a terminal; nested uses show the outer one only.
    """
    if _active or not sys.stderr.isatty():
        yield
        return
    spinner = _Spinner(message)
    _active.append(spinner)
    if SPINNER_DELAY > 0:
        spinner.timer.start()
    else:
        # At once, from this thread: slow work may hold the GIL in C (the YAML parser) for
        # seconds, and a timer thread would not get to draw until it let go.
        spinner.start()
    try:
        yield
    finally:
        finish()


def finish() -> None:
    """Stop the spinner, if one runs: output is about to be written, and must not mix."""
    while _active:
        _active.pop().stop()
