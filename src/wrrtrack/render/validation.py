"""What `validate` found, as lines for people, JSON for scripts, or GitHub annotations.

Uses only the standard library. Every format lists the problems in file order, as
`Registry.validate` returns them.
"""

from __future__ import annotations

import json
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from wrrtrack.render import JSON_ESCAPES, visible

if TYPE_CHECKING:
    from wrrtrack._errors import Problem
    from wrrtrack._registry import Validation


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def ok_line(result: Validation) -> str:
    if result.sources:
        found = f"{_counted(result.sources, 'source')}, every fingerprint matching"
    else:
        found = result.source.name if result.source else "no source text"
    reports = f"{result.reports} reports, " if result.reports != 1 else ""
    if not result.quotes and not result.sources and not result.source:  # nothing to look up
        return f"ok: {result.path}: {reports}{_counted(result.recommendations, 'recommendation')}\n"
    return (
        f"ok: {result.path}: {reports}{_counted(result.recommendations, 'recommendation')}, "
        f"{_counted(result.quotes, 'quote')} found in {found}\n"
    )


def error_lines(result: Validation) -> list[str]:
    """One line per problem (`path:line:column: message`), then how many there were."""
    return [*map(str, result.problems), f"{len(result.problems)} problem(s) in {result.path}"]


def _record(problem: Problem, result: Validation) -> dict[str, Any]:
    place = problem.location
    return {
        "file": str(place.path if place else result.path),
        "line": place.line if place else None,
        "column": place.column if place else None,
        "item": problem.item,
        "field": problem.field,
        "message": problem.message,
    }


def json_problems(result: Validation) -> str:
    """A JSON list with one object per problem; `[]` when there are none."""
    records = [_record(problem, result) for problem in result.problems]
    return json.dumps(records, ensure_ascii=False, indent=2).translate(JSON_ESCAPES) + "\n"


def _data(text: str) -> str:
    # GitHub's escaping of a workflow command's message (as @actions/core escapes it),
    # after control characters are made visible so that none reaches the log raw.
    return visible(text).replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _property(text: str) -> str:
    return _data(text).replace(":", "%3A").replace(",", "%2C")


def _github_path(path: object) -> str:
    """A path as GitHub names files in a repository: with `/`, also on a Windows runner."""
    return path.as_posix() if isinstance(path, PurePath) else str(path)


def github_annotations(result: Validation) -> str:
    """One `::error file=…,line=…,col=…::message` workflow command per problem.

    GitHub Actions shows each as an annotation on the line of the pull request's diff.
    """
    lines = []
    for problem in result.problems:
        place = problem.location
        if place is None:
            path = _property(_github_path(result.path))
            lines.append(f"::error file={path}::{_data(problem.message)}")
            continue
        path = _property(_github_path(place.path))
        where = f"file={path},line={place.line},col={place.column}"
        lines.append(f"::error {where}::{_data(problem.message)}")
    return "".join(line + "\n" for line in lines)
