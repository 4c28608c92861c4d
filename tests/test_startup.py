"""Start-up: a command imports only what it needs (speed itself is measured by make bench).

Each case runs a command in a fresh interpreter and lists the modules it loaded; import
sets are deterministic, unlike timings, so these tests cannot flake.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SHIPPED

pytestmark = pytest.mark.slow

PROBE = """
import sys
from wrrtrack.cli import main
try:
    main(sys.argv[1:])
except SystemExit:
    pass
sys.stderr.write("\\nMODULES " + " ".join(sorted(sys.modules)))
"""


def modules_after(*args: str | Path) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-c", PROBE, *map(str, args)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    return set(done.stderr.rsplit("MODULES ", 1)[1].split())


def loaded(modules: set[str], package: str) -> bool:
    return any(m == package or m.startswith(package + ".") for m in modules)


def test_piped_list_on_a_cached_registry_loads_neither_rich_nor_yaml_nor_the_report() -> None:
    modules_after("-r", SHIPPED, "list")  # fills the cache
    modules = modules_after("-r", SHIPPED, "list", "--actor", "gemeente")
    assert "wrrtrack.cache" in modules
    for heavy in (
        "rich",
        "yaml",
        "wrrtrack.render.markdown",
        "wrrtrack.schema",
        "tomli_w",
        "wrrtrack.quotes",
        "pydantic",
        "hashlib",
        "wrrtrack.screen",  # the pager and the spinner: only at a terminal
        "unicodedata",  # accent folding: only for a --search with non-ASCII text
        "contextvars",
    ):
        assert not loaded(modules, heavy), heavy


def test_version_loads_no_registry_code() -> None:
    modules = modules_after("--version")
    for heavy in ("rich", "yaml", "wrrtrack.registry", "wrrtrack.model", "json"):
        assert not loaded(modules, heavy), heavy


def test_report_loads_the_report_but_not_rich() -> None:
    modules = modules_after("-r", SHIPPED, "report")
    assert "wrrtrack.render.markdown" in modules
    assert not loaded(modules, "rich")
