"""The promises of docs/guarantees.md: no lost writes, no torn files, invariants kept.

These tests use real processes: the lock and the atomic rename only mean something
between processes, and a crash is a SIGKILL, not an exception.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import random
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import Runner
from tests.helpers import TODAY, back_to_back
from tests.strategies import ledgers, texts
from wrrtrack import _yamlfile as yamlfile
from wrrtrack import storage
from wrrtrack._errors import LockTimeout
from wrrtrack._model import (
    Ledger,
)
from wrrtrack._registry import Registry
from wrrtrack._vocabulary import STATUSES

pytestmark = pytest.mark.slow
# fork where it exists (quick); Windows has only spawn, which imports this module anew.
FORK = multiprocessing.get_context("spawn" if sys.platform == "win32" else "fork")
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and links")
IDS = [f"wrr103-{n}" for n in range(1, 8)]


def writer(path: str, worker: int, calls: int) -> None:
    registry = Registry.open(path)
    for call in range(calls):
        # Workers 0-3 share wrr103-1; the others each have an item of their own.
        target = IDS[0] if worker < 4 else IDS[worker - 3]
        status = STATUSES.keys[(worker + call) % len(STATUSES.keys)]
        registry.set_status(target, status, note=f"w{worker}-c{call}", by=f"worker {worker}")


def test_eight_concurrent_writers_lose_nothing(registry: Path) -> None:
    started = time.perf_counter()
    workers = [FORK.Process(target=writer, args=(str(registry), w, 25)) for w in range(8)]
    for process in workers:
        process.start()
    for process in workers:
        process.join(timeout=120)
    elapsed = time.perf_counter() - started
    assert [p.exitcode for p in workers] == [0] * 8
    reopened = Registry.open(registry)
    notes = {c.note for rec in reopened.recommendations for c in rec.history if c.note}
    expected = {f"w{w}-c{c}" for w in range(8) for c in range(25)}
    assert expected <= notes
    assert sum(len(rec.history) for rec in reopened.recommendations) == 25 + 200
    assert reopened.validate().problems == []
    print(f"\n8 x 25 concurrent status set: {elapsed:.2f} s")  # noqa: T201


def test_waiting_for_the_lock_times_out_with_a_message(registry: Path) -> None:
    with storage.locked(registry):
        child = FORK.Process(target=_set_with_short_timeout, args=(str(registry),))
        child.start()
        child.join(timeout=30)
    assert child.exitcode == 7


def _set_with_short_timeout(path: str) -> None:
    try:
        with storage.locked(Path(path), timeout=0.2):
            os._exit(1)
    except LockTimeout as exc:
        os._exit(7 if "another wrrtrack process has held the registry for 0.2 s" in str(exc) else 2)


def endless_writer(path: str) -> None:
    registry = Registry.open(path)
    call = 0
    while True:
        status = STATUSES.keys[call % len(STATUSES.keys)]
        registry.set_status("wrr103-2", status, note=f"n{call} " + "x" * 2000, by="kill")
        call += 1


@POSIX
def test_sigkill_at_random_moments_never_leaves_a_broken_registry(registry: Path) -> None:
    rng = random.Random(20210324)  # noqa: S311 (timing jitter, not security)
    leftovers_seen = 0
    for _ in range(100):
        process = FORK.Process(target=endless_writer, args=(str(registry),))
        process.start()
        time.sleep(rng.uniform(0.0, 0.04))
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        process.join()
        leftovers_seen += any(storage.TEMP_MARK in p.name for p in registry.parent.iterdir())
        reopened = Registry.open(registry)  # parses and passes every structural check
        assert reopened.validate().problems == []
    # The next write removes what killed writers left behind.
    Registry.open(registry).set_status("wrr103-2", "vervallen", note="na", by="x")
    assert not [p for p in registry.parent.iterdir() if storage.TEMP_MARK in p.name]
    print(f"\n100 kills: {leftovers_seen} left a temporary file behind")  # noqa: T201


# --- invariants, for random registries and random changes ---------------------------------


changes = st.lists(
    st.tuples(st.integers(min_value=0, max_value=5), st.sampled_from(STATUSES.keys), texts),
    min_size=1,
    max_size=5,
)


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ledger=ledgers(), steps=changes, squeezed=st.booleans())
def test_invariants_hold_for_random_registries_and_changes(
    tmp_path: Path, ledger: Ledger, steps: list[tuple[int, str, str]], squeezed: bool
) -> None:
    path = tmp_path / "random.yaml"
    text = yamlfile.render_registry(ledger)
    path.write_text(back_to_back(text) if squeezed else text, encoding="utf-8")
    registry = Registry.open(path, today=TODAY)
    assert registry.ledger == ledger  # load -> write -> load is identity

    for index, status, note in steps:
        rec = ledger.recommendations[index % len(ledger.recommendations)]
        before_text = path.read_text(encoding="utf-8")
        layout = registry._parsed.layouts[rec.id]
        before = registry.ledger
        # `again`: a step may repeat the one before it (the retry refusal has its own tests).
        registry.set_status(rec.id, status, note=note, on=TODAY, by="p", again=True, today=TODAY)
        after_text = path.read_text(encoding="utf-8")
        fresh = Registry.open(path, today=TODAY, use_cache=False)
        # What the write worked out for itself (offsets, quote places) is what a full read finds.
        assert registry._parsed == fresh._parsed
        after = fresh.ledger
        changed = after.get(rec.id)
        # The history only grows, by exactly one entry, and the status follows it.
        assert changed.history[:-1] == before.get(rec.id).history
        assert changed.status == changed.history[-1].status == status
        # Every other record is untouched, and so is every byte outside this one.
        assert [r for r in after.recommendations if r.id != rec.id] == [
            r for r in before.recommendations if r.id != rec.id
        ]
        grown = len(after_text) - len(before_text)
        assert after_text[: layout.start] == before_text[: layout.start]
        assert after_text[layout.end + grown :] == before_text[layout.end :]
        ledger = after


@POSIX
def test_a_registry_reached_through_a_symbolic_link_is_changed_where_it_is(
    registry: Path, tmp_path: Path
) -> None:
    link_dir = tmp_path / "elsewhere"
    link_dir.mkdir()
    link = link_dir / "recommendations.yaml"
    link.symlink_to(registry)
    Registry.open(link).set_status("wrr103-3", "uitgevoerd", note="via link", by="x")
    assert link.is_symlink()
    assert Registry.open(registry, use_cache=False).get("wrr103-3").status == "uitgevoerd"
    assert sorted(p.name for p in link_dir.iterdir()) == ["recommendations.yaml"]


@POSIX
def test_a_registry_reached_through_a_link_finds_and_stores_sources_beside_the_file(
    cli: Runner, registry: Path, tmp_path: Path
) -> None:
    """Read through the link, the sources are those beside the real file, where `reports
    add` stores a new one: through the link, validate failed on every source."""
    link_dir = tmp_path / "elsewhere"
    link_dir.mkdir()
    link = link_dir / "recommendations.yaml"
    link.symlink_to(registry)
    assert cli("-r", link, "validate").code == 0
    added = cli(
        "-r", link, "reports", "add", "k", "--title", "T", "--publisher", "P",
        "--date", "2024-01-01", "--reaction", "R", "--reaction-date", "2024-02-01",
        "--source-file", registry.parent / "sources" / "kabinetsreactie-wrr-103.txt",
    )  # fmt: skip
    assert added.code == 0, added.err
    assert f"stored as {registry.parent / 'sources' / 'k.txt'} " in added.err
    assert (registry.parent / "sources" / "k.txt").is_file()
    assert sorted(p.name for p in link_dir.iterdir()) == ["recommendations.yaml"]
    assert cli("-r", link, "validate").code == 0
    assert cli("-r", registry, "validate").code == 0


# Starts the command with Ctrl-C delivered, as at a terminal: a test run started in the
# background (`make test &`, some CI runners) ignores SIGINT, and a child inherits that.
WITH_CTRL_C = (
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execv(sys.argv[1], sys.argv[1:])"
)


def _status_set(registry: Path, *, ctrl_c: bool = False, **env: str) -> subprocess.Popen[str]:
    wrrtrack = Path(sys.executable).parent / "wrrtrack"
    command = [wrrtrack, "-r", registry, "status", "set", "wrr103-1", "uitgevoerd", "--by", "x"]
    return subprocess.Popen(
        [sys.executable, "-c", WITH_CTRL_C, *command] if ctrl_c else command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, **env},
    )


def test_the_lock_timeout_is_taken_from_the_environment(registry: Path) -> None:
    before = registry.read_bytes()
    with storage.locked(registry):
        waiting = _status_set(registry, WRRTRACK_LOCK_TIMEOUT="0.3")
        _, err = waiting.communicate(timeout=15)  # the default would wait 30 s
    assert waiting.returncode == 1
    assert "another wrrtrack process has held the registry for 0.3 s" in err
    assert registry.read_bytes() == before


@pytest.mark.skipif(
    sys.platform == "win32", reason="Windows delivers Ctrl-C as a console event, not SIGINT"
)
def test_ctrl_c_exits_130_with_a_message_and_changes_nothing(registry: Path) -> None:
    before = registry.read_bytes()
    with storage.locked(registry):
        waiting = _status_set(registry, ctrl_c=True)
        _until_waiting_for_the_lock(waiting, registry)
        waiting.send_signal(signal.SIGINT)
        out, err = waiting.communicate(timeout=15)
    # Typer turns the interrupt into exit code 130 itself; `main` passes the code on.
    assert (waiting.returncode, out) == (130, "")
    assert "Traceback" not in err
    assert err.strip() == "error: interrupted"
    assert registry.read_bytes() == before


def _until_waiting_for_the_lock(process: subprocess.Popen[str], registry: Path) -> None:
    """Return once `process` has opened the registry's directory to lock it (seen in /proc),
    so that a signal meets it waiting for the lock, not still starting: on a machine busy
    with other tests a fixed pause was not always long enough. Without /proc, a pause."""
    fds = Path(f"/proc/{process.pid}/fd")
    if not fds.is_dir():
        time.sleep(1.5)
        return
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        with contextlib.suppress(OSError):  # a descriptor closed while we look
            if any(fd.readlink() == registry.parent.resolve() for fd in fds.iterdir()):
                time.sleep(0.1)  # past the open, into the wait
                return
        time.sleep(0.02)
    raise AssertionError("the command never began to wait for the lock")
