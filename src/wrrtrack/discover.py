"""Finding the registry: the README's order, first hit wins, and where the answer came from."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import NamedTuple

from wrrtrack._errors import RegistryNotFound, WorkingDirectoryGone, WrrtrackError
from wrrtrack.config import DEFAULT_TIMEZONE, Config

ENV_VAR = "WRRTRACK_REGISTRY"
DEFAULT_RELATIVE = Path("data") / "recommendations.yaml"
_PACKAGE = Path(__file__).resolve().parent
BUNDLED = _PACKAGE / "bundled" / "recommendations.yaml"
# In a development checkout (src/wrrtrack): the repository's own registry.
CHECKOUT = _PACKAGE.parent.parent / DEFAULT_RELATIVE
# An empty path is a mistake (an unset variable in a script), never "search as usual".
EMPTY_PATH = "an empty path names no registry; name a registry file or folder"


class Located(NamedTuple):
    """A registry path, whether it is read-only, and the settings that came with it."""

    path: Path
    bundled: bool = False  # read-only: the package's copy (or, in a checkout, the repository's)
    origin: str = ""  # what named the path, for messages: "WRRTRACK_REGISTRY", "x/wrrtrack.toml:2"
    timezone: str = DEFAULT_TIMEZONE
    lang: str | None = None


def bundled_registry() -> Path | None:
    """The registry shipped inside the package (or, in a source checkout, the repository's)."""
    for candidate in (BUNDLED, CHECKOUT):
        if candidate.is_file():
            return candidate
    return None


def read_only_reason(path: Path) -> str:
    """Why the fallback registry at `path` is not changed, and what to do instead."""
    if path == BUNDLED:
        what = "the registry bundled with wrrtrack"
    else:  # never call the repository's file "bundled": it is the checkout's registry
        what = "the registry of the wrrtrack checkout, used because none was found here,"
    return (
        f"{path} is {what} and is not changed from here; run 'wrrtrack init DIR' "
        "for a copy you can change, then work in DIR"
    )


def _shown(path: Path, cwd: Path) -> Path:
    """`path` relative to the working directory when it lies below it, as users typed it."""
    try:
        return path.relative_to(cwd)
    except ValueError:
        return path


def working_directory() -> Path:
    """The working directory, or a clear error when it has been deleted under us."""
    try:
        return Path.cwd()
    except FileNotFoundError:
        raise WorkingDirectoryGone(
            "the working directory no longer exists; cd to an existing directory, "
            "or name the registry with --registry PATH"
        ) from None
    except OSError as exc:
        raise WrrtrackError(f"cannot determine the working directory: {exc.strerror}") from None


def settings(cwd: Path | None = None) -> Config:
    """The configuration in force for commands run in `cwd` (default: the working directory)."""
    from wrrtrack import config

    return config.find((cwd or working_directory()).absolute())


def locate(
    explicit: Path | str | None = None,
    *,
    cwd: Path | None = None,
    environ: Mapping[str, str] | None = None,
) -> Located:
    """Where the registry is, by the README's rules (first hit wins).

    An empty `explicit` path is an error (`EMPTY_PATH`); an empty $WRRTRACK_REGISTRY is
    as if it were not set, as is usual for environment variables.
    """
    environ = os.environ if environ is None else environ
    if explicit is not None:
        if isinstance(explicit, str) and not explicit:
            raise RegistryNotFound(EMPTY_PATH)
        return _with_settings(Located(Path(explicit), origin="--registry"), cwd)
    if environ.get(ENV_VAR):
        path = Path(environ[ENV_VAR])
        return _with_settings(_checked(Located(path, origin=ENV_VAR)), cwd)
    start = (cwd or working_directory()).absolute()
    from wrrtrack import config

    found = config.find(start)
    if found.registry is not None:
        located = Located(
            _shown(found.registry, start),
            origin=found.origin(),
            timezone=found.timezone,
            lang=found.lang,
        )
        return _checked(located, found.registry)
    for directory in [start, *start.parents]:
        candidate = directory / DEFAULT_RELATIVE
        if candidate.is_file():
            return Located(_shown(candidate, start), timezone=found.timezone, lang=found.lang)
    bundled = bundled_registry()
    if bundled is not None:
        return Located(bundled, bundled=True, timezone=found.timezone, lang=found.lang)
    raise RegistryNotFound(
        f"no registry found: no --registry, no {ENV_VAR}, no wrrtrack.toml and no "
        f"{DEFAULT_RELATIVE} in {start} or its parents"
    )


def _with_settings(located: Located, cwd: Path | None) -> Located:
    """An explicitly named registry still takes `timezone` and `lang` from the configuration."""
    try:
        found = settings(cwd)
    except WorkingDirectoryGone:  # a named registry does not need the working directory
        return located
    return located._replace(timezone=found.timezone, lang=found.lang)


def _checked(located: Located, absolute: Path | None = None) -> Located:
    """A path from the environment or a configuration file that names no readable file
    (or folder) is an error that says where the path came from, so the user knows what to fix."""
    import stat

    from wrrtrack.storage import file_kind, reason

    where = f"(named by {located.origin})"
    try:
        info = (absolute or located.path).stat()
    except FileNotFoundError:
        raise RegistryNotFound(f"{located.path}: no such file {where}") from None
    except ValueError:
        raise RegistryNotFound(
            f"{located.path}: a path cannot hold a NUL character {where}"
        ) from None
    except OSError as exc:
        raise RegistryNotFound(f"{located.path}: cannot read: {reason(exc)} {where}") from None
    if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):  # a folder registry
        raise RegistryNotFound(
            f"{located.path}: is {file_kind(info.st_mode)}, not a registry file {where}"
        )
    return located
