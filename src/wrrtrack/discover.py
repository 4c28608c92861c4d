"""Finding the registry: the order of the README's "How the registry is found", first hit wins."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from wrrtrack._errors import RegistryNotFound, WrrtrackError

ENV_VAR = "WRRTRACK_REGISTRY"
DEFAULT_RELATIVE = Path("data") / "recommendations.yaml"


class Located(NamedTuple):
    """A registry path, and whether it is the bundled (read-only) one."""

    path: Path
    bundled: bool = False


def bundled_registry() -> Path | None:
    """The registry shipped inside the package (or, in a source checkout, the repository's)."""
    package = Path(__file__).resolve().parent
    for candidate in (
        package / "bundled" / "recommendations.yaml",
        package.parent.parent / DEFAULT_RELATIVE,  # src/wrrtrack -> repository root
    ):
        if candidate.is_file():
            return candidate
    return None


def _shown(path: Path, cwd: Path) -> Path:
    """`path` relative to the working directory when it lies below it, as users typed it."""
    try:
        return path.relative_to(cwd)
    except ValueError:
        return path


def _configured(directory: Path, cwd: Path) -> Located | None:
    for name, table in (("wrrtrack.toml", ()), ("pyproject.toml", ("tool", "wrrtrack"))):
        config = directory / name
        if not config.is_file():
            continue
        import tomllib

        try:
            raw = config.read_text(encoding="utf-8")
            if name == "pyproject.toml" and "wrrtrack" not in raw:
                continue  # most pyproject files say nothing of us; skip the TOML parse
            data = tomllib.loads(raw)
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise WrrtrackError(f"{config}: cannot read configuration: {exc}") from None
        for part in table:
            data = data.get(part, {})
        value = data.get("registry") if isinstance(data, dict) else None
        if value is None:
            continue
        if not isinstance(value, str) or not value:
            raise WrrtrackError(f"{config}: 'registry' must be a path in quotes")
        return Located(_shown(directory / value, cwd))
    return None


def locate(
    explicit: Path | None = None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Located:
    """Where the registry is, by the README's rules (first hit wins)."""
    if explicit is not None:
        return Located(explicit)
    environ = os.environ if environ is None else environ
    if environ.get(ENV_VAR):
        return Located(Path(environ[ENV_VAR]))
    start = (cwd or Path.cwd()).absolute()
    directories = [start, *start.parents]
    for directory in directories:
        found = _configured(directory, start)
        if found:
            return found
    for directory in directories:
        candidate = directory / DEFAULT_RELATIVE
        if candidate.is_file():
            return Located(_shown(candidate, start))
    bundled = bundled_registry()
    if bundled is not None:
        return Located(bundled, bundled=True)
    raise RegistryNotFound(
        f"no registry found: no --registry, no {ENV_VAR}, no wrrtrack.toml and no "
        f"{DEFAULT_RELATIVE} in {start} or its parents"
    )
