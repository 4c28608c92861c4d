"""The pre-commit hook and CI check: `wrrtrack validate` on the repository's own registry.

`wrrtrack validate` alone falls back to the registry bundled with the package when it
finds none, which is right for a reader but wrong for a check: in a repository whose
registry it cannot find, it would check the bundled one and pass, forever. This entry
point refuses that fallback, then runs `validate` as the command line does.

    python -m wrrtrack.hook [--registry PATH] [--no-cache] [VALIDATE-OPTION]...
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import NoReturn

_GLOBAL_WITH_VALUE = ("--registry", "-r")
_GLOBAL_FLAGS = ("--no-cache",)


def split_arguments(argv: list[str]) -> tuple[list[str], list[str]]:
    """The global options (before the command) and the options of `validate`."""
    before: list[str] = []
    after: list[str] = []
    arguments = iter(argv)
    for argument in arguments:
        if argument in _GLOBAL_WITH_VALUE:
            before += [argument, next(arguments, "")]
        elif argument.startswith("--registry=") or argument in _GLOBAL_FLAGS:
            before.append(argument)
        else:
            after.append(argument)
    return before, after


def main(argv: list[str] | None = None) -> NoReturn:
    from wrrtrack import cli
    from wrrtrack._errors import WrrtrackError
    from wrrtrack.discover import locate

    before, after = split_arguments(sys.argv[1:] if argv is None else argv)
    if not any(a.startswith(("--registry", "-r")) for a in before):
        try:
            bundled = locate().bundled
        except WrrtrackError:
            bundled = False  # `validate` reports it below, as the command would
        if bundled:
            from wrrtrack.render import visible

            sys.stderr.write(
                f"error: no registry in {visible(str(Path.cwd()))}: add wrrtrack.toml with "
                'registry = "PATH", keep it at data/recommendations.yaml, or pass '
                "--registry PATH (in pre-commit: args: [--registry, PATH])\n"
            )
            sys.exit(1)
    cli.main([*before, "validate", *after])


if __name__ == "__main__":
    main()
