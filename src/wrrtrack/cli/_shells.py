"""What each shell's completion script reads from us, quoted for what that script does
with it: registry text reaches the shell as text, never as code.

Typer's scripts (the ones `--show-completion` prints and users have installed) stay as
they are; these classes replace Typer's formatting of the candidates. Typer's zsh form
escaped `"`, `$` and backticks but not the backslash, so a label `\\"$(…)` ran a command
when its key was completed; its help went through Rich markup too.

Imported only when a shell asks for completions.
"""

import os
import re

from typer._click.shell_completion import CompletionItem, add_completion_class
from typer._completion_classes import (
    BashComplete,
    FishComplete,
    PowerShellComplete,
    ZshComplete,
    _sanitize_help_text,
)

from wrrtrack.render import visible

# A candidate is offered only when it is a word no shell treats specially: ids and keys
# (their patterns allow far less), commands, options and choices. Anything else (a path
# typed so far, a value with a space, a quote, a glob or a colon) is left to the shell's
# own completion of files, as when nothing is offered.
_PLAIN_WORD = re.compile(r"[\w.,+=@/%-]+")


def offered(items: list[CompletionItem]) -> list[CompletionItem]:
    """The candidates a shell may be given: plain words, and not files (the shell's own
    completion of files is better than the path typed so far)."""
    return [
        item
        for item in items
        if item.type not in ("file", "dir") and _PLAIN_WORD.fullmatch(str(item.value))
    ]


def help_text(item: CompletionItem) -> str:
    """The help shown beside a candidate, on one line, with no control characters.

    Text from the registry (`literal=True`) is shown as it is written (`visible` escapes a
    line break); the help of our commands and options is Rich markup, rendered as Typer
    renders it, its lines joined.
    """
    if not item.help:
        return ""
    if item.literal:
        return visible(str(item.help))
    return " ".join(visible(_sanitize_help_text(str(item.help))).split())


def _single_quoted(text: str) -> str:
    """`text` as one word of zsh's language, with no white space in it: single-quoted,
    each space written `$'\\x20'` (zsh splits what the script's `$(…)` prints at white
    space before it evaluates it: a label's words would be words of their own)."""
    return "$'\\x20'".join("'" + part.replace("'", "'\\''") + "'" for part in text.split(" "))


def _describe_escaped(text: str) -> str:
    return text.replace("\\", "\\\\")


class SafeZshComplete(ZshComplete):
    """zsh: the script runs `eval $(wrrtrack)` on `_arguments '*: :((WORD …))'`, and
    `_arguments` in turn runs `eval ws=( WORD … )`; `_describe` then splits each word at
    its first colon into candidate and help.

    So each `value:help` is single-quoted for the inner eval, and that quoted word is
    quoted again for the single-quoted string of the outer one: no character of a label
    is ever outside quotes. `_describe` takes a backslash as an escape (`\\:` is a colon
    in the value): backslashes are doubled, and a colon in the value escaped. The outer
    `_arguments` drops a backslash before any colon, so every colon gets one more. What
    the script's `$(…)` prints is split at white space first: no space is printed within a
    candidate (`$'\\x20'` stands for it), so a label is never a word of its own there, and
    its spaces are kept as written.
    """

    def format_completion(self, item: CompletionItem) -> str:
        value = _describe_escaped(str(item.value)).replace(":", "\\:")
        shown = _describe_escaped(help_text(item))
        word = f"{value}:{shown}" if shown else value
        # `_arguments` drops the backslash before every colon of its spec: one more.
        return _single_quoted(word.replace(":", "\\:")).replace("'", "'\\''")

    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        items = offered(self.get_completions(args, incomplete))
        if not items:
            return "_files"
        return "_arguments '*: :((" + " ".join(map(self.format_completion, items)) + "))'"


class SafeBashComplete(BashComplete):
    """bash: the script splits our output at line breaks and globs each word into
    COMPREPLY (no help is shown): `offered` lets through only words with no line break,
    glob or quote in them."""

    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        items = offered(self.get_completions(args, incomplete))
        return "\n".join(map(self.format_completion, items))


class SafeFishComplete(FishComplete):
    """fish: one candidate a line, `value<TAB>help`; fish takes the lines of a command
    substitution as they are, so the help need only be one line without tabs."""

    def format_completion(self, item: CompletionItem) -> str:
        shown = help_text(item)
        return f"{item.value}\t{shown}" if shown else str(item.value)

    def complete(self) -> str:
        action = os.getenv("_TYPER_COMPLETE_FISH_ACTION", "")
        args, incomplete = self.get_completion_args()
        items = offered(self.get_completions(args, incomplete))
        if action == "is-args":
            # Exit status 0 says "no files here"; 1 lets fish complete files.
            raise SystemExit(0 if items else 1)
        return "\n".join(map(self.format_completion, items)) if action == "get-args" else ""


class SafePowerShellComplete(PowerShellComplete):
    """PowerShell: `value:::help` a line; the script makes each a CompletionResult, text
    the shell inserts as it is (never runs)."""

    def format_completion(self, item: CompletionItem) -> str:
        return f"{item.value}:::{help_text(item).replace(':::', ': : :') or ' '}"

    def complete(self) -> str:
        args, incomplete = self.get_completion_args()
        items = offered(self.get_completions(args, incomplete))
        return "\n".join(map(self.format_completion, items))


def register() -> None:
    """Make Click use these classes for every shell Typer's scripts name."""
    add_completion_class(SafeBashComplete, "bash")
    add_completion_class(SafeZshComplete, "zsh")
    add_completion_class(SafeFishComplete, "fish")
    add_completion_class(SafePowerShellComplete, "powershell")
    add_completion_class(SafePowerShellComplete, "pwsh")
