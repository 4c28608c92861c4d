"""Measure wrrtrack's speed and memory against PyYAML's C loader, in one run.

    python benchmarks/run.py [--runs N] [--sizes 1000,10000] [--startup-only]
                             [--quote-only] [--source-mb 18] [--changes-only]
                             [--index-only] [--index-sizes 10000,100000] [--files 1000]

Every figure is the median of several runs of a whole process (start-up included), and
every ratio divides two figures measured in this same run, so that the machine's speed
cancels out. Peak memory is the process's maximum resident set size. Prints Markdown.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import make_registry

BIN = Path(sys.executable).parent
WRRTRACK = str(BIN / "wrrtrack")
PYTHON = sys.executable
# The baseline: PyYAML's C loader on the registry's bytes (a folder registry: every file's,
# each loaded on its own, as a folder is read).
C_PARSE = (
    "import sys, time, yaml, pathlib\n"
    "p = pathlib.Path(sys.argv[1])\n"
    "files = sorted(p.glob('*.yaml')) if p.is_dir() else [p]\n"
    "data = [f.read_bytes() for f in files]\n"
    "t = time.perf_counter()\n"
    "for d in data: list(yaml.load_all(d, Loader=yaml.CSafeLoader))\n"
    "print(time.perf_counter() - t)\n"
)


def spawn(
    argv: Sequence[str], env: dict[str, str], cwd: Path, expect: int = 0
) -> tuple[float, Any, str]:
    """Wall time (s), resource usage and stdout of one process (which must exit `expect`)."""
    started = time.perf_counter()
    process = subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env, cwd=cwd, text=True
    )
    out = process.stdout.read() if process.stdout else ""
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != expect:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(argv)}")
    return elapsed, usage, out


def run(argv: Sequence[str], env: dict[str, str], cwd: Path) -> tuple[float, float, str]:
    """Wall time (s), peak memory (MB) and stdout of one process."""
    elapsed, usage, out = spawn(argv, env, cwd)
    return elapsed, usage.ru_maxrss / 1024, out


def median(
    runs: int, argv: Sequence[str], env: dict[str, str], cwd: Path, prepare: object = None
) -> tuple[float, float]:
    times, peaks = [], []
    for i in range(runs):
        if callable(prepare):
            prepare(i)
        elapsed, peak, _ = run(argv, env, cwd)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), statistics.median(peaks)


def interleaved(
    runs: int, commands: dict[str, list[str]], env: dict[str, str], cwd: Path
) -> dict[str, tuple[float, float]]:
    """Median wall and CPU times (user and system) of several commands, run in turn, so
    that load on the machine falls on all of them alike and their ratios stay fair. The
    CPU time of a process barely changes when other work shares the cores; its wall
    time does, so on a loaded machine the CPU ratio is the steadier of the two."""
    walls: dict[str, list[float]] = {name: [] for name in commands}
    cpus: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, argv in commands.items():
            elapsed, usage, _ = spawn(argv, env, cwd)
            walls[name].append(elapsed)
            cpus[name].append(usage.ru_utime + usage.ru_stime)
    return {
        name: (statistics.median(walls[name]), statistics.median(cpus[name])) for name in commands
    }


def measure_size(
    count: int,
    runs: int,
    work: Path,
    env: dict[str, str],
    reports: int = 1,
    *,
    layout: str = "file",
) -> dict[str, float]:
    """The figures of one registry: one file, or (`layout="folder"`) one file per report."""
    folder = work / f"n{count}-r{reports}-{layout}"
    folder.mkdir()
    in_folder = layout == "folder"
    out = folder / ("reports" if in_folder else "recommendations.yaml")
    registry = make_registry.write(count, out, reports=reports, folder=in_folder)
    cache = work / f"cache{count}-r{reports}-{layout}"
    env = {**env, "WRRTRACK_CACHE_DIR": str(cache)}
    figures: dict[str, float] = {"size_mb": make_registry.size(registry) / 1e6}
    base = registry if in_folder else registry.parent

    parses, parse_peaks = [], []
    for _ in range(runs):
        _, peak, out = run([PYTHON, "-c", C_PARSE, str(registry)], env, work)
        parses.append(float(out))
        parse_peaks.append(peak)
    figures["c_parse"] = statistics.median(parses)
    figures["c_parse_mb"] = statistics.median(parse_peaks)

    def cold(i: int) -> None:
        shutil.rmtree(cache, ignore_errors=True)

    figures["validate_cold"], _ = median(
        runs, [WRRTRACK, "-r", str(registry), "validate"], env, work, cold
    )
    run([WRRTRACK, "-r", str(registry), "list", "-f", "ids"], env, work)  # warm the cache
    figures["list_warm"], figures["list_warm_mb"] = median(
        runs, [WRRTRACK, "-r", str(registry), "list", "--format", "ids"], env, work
    )
    figures["report_warm"], _ = median(runs, [WRRTRACK, "-r", str(registry), "report"], env, work)
    statuses = ["open", "in-verkenning", "in-uitvoering", "uitgevoerd"]
    today = date.today().isoformat()

    def status_argv(i: int) -> list[str]:
        return [
            WRRTRACK,
            "-r",
            str(registry),
            "status",
            "set",
            "adv-05000" if count >= 5000 else "adv-00500",
            statuses[i % 4],
            "--note",
            f"meting {i}",
            "--date",
            today,
            "--by",
            "bench",
        ]

    # `add`: a new recommendation in the middle report, with a quote checked against the
    # source text, as a user adds one.
    source = (base / make_registry.SOURCE_NAME).read_text(encoding="utf-8")
    quote = source.split("\n\n")[0]
    middle = make_registry.report_keys(reports)[reports // 2]

    def add_argv(i: int) -> list[str]:
        return [
            WRRTRACK, "-r", str(registry), "add", f"bench-{i}", "--report", middle,
            "--title", f"Meting {i}", "--theme", "ontvangst", "--stance", "onderschreven",
            "--actor", "rijk", "--quote", quote, "--date", today, "--by", "bench",
        ]  # fmt: skip

    # Taken in turn (status set, add, status set, …), so that load on the machine falls on
    # both alike and `add` / `status set` is fair.
    status_times, add_times = [], []
    for i in range(runs):
        status_times.append(run(status_argv(i), env, work)[0])
        add_times.append(run(add_argv(i), env, work)[0])
    figures["status_set_warm"] = statistics.median(status_times)
    figures["add_warm"] = statistics.median(add_times)
    run([WRRTRACK, "-r", str(registry), "--no-cache", "validate"], env, work)  # still valid
    return figures


def measure_wrong_quote(
    runs: int, work: Path, env: dict[str, str], megabytes: float
) -> dict[str, float]:
    """`validate` of a registry whose source is a long text and one of whose quotes has a
    changed word: the error names the nearest passage, which must not cost a comparison
    with every sentence of the text."""
    folder = work / "wrong-quote"
    folder.mkdir()
    registry = make_registry.write(100, folder / "recommendations.yaml")
    source = folder / make_registry.SOURCE_NAME
    text = source.read_text(encoding="utf-8")
    source.write_text(text + make_registry.prose(int(megabytes * 1e6)), encoding="utf-8")
    quote = text.split("\n\n")[0]
    yaml = registry.read_text(encoding="utf-8")
    # The quote's last word (a number from 2 to 99, then a full stop) made one no sentence has.
    wrong = quote.rsplit(" ", 1)[0] + " 100."
    if quote not in yaml:
        raise SystemExit("the quote to change is not in the registry as written")
    registry.write_text(yaml.replace(quote, wrong, 1), encoding="utf-8")
    walls, cpus = [], []
    for _ in range(runs):
        elapsed, usage, _ = spawn([WRRTRACK, "-r", str(registry), "validate"], env, work, 1)
        walls.append(elapsed)
        cpus.append(usage.ru_utime + usage.ru_stime)
    return {
        "size_mb": source.stat().st_size / 1e6,
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
    }


def measure_many_keys(runs: int, work: Path, env: dict[str, str]) -> dict[str, float]:
    """`list --no-cache` of a registry whose vocabulary holds 3,000 actor keys, each with an
    alias: checking that no key or alias names two terms must not compare every pair."""
    folder = work / "many-keys"
    folder.mkdir()
    registry = make_registry.write(100, folder / "recommendations.yaml")
    yaml = registry.read_text(encoding="utf-8")
    keys = "".join(
        f"    actor-{i}: {{nl: Actor {i}, en: Actor {i}, aliases: [alias-{i}]}}\n"
        for i in range(3000)
    )
    start = yaml.find("\nvocabularies:\n")
    if start < 0:
        raise SystemExit("the generated registry has no vocabularies to add keys to")
    section = yaml.find("\n  actors:\n", start)
    if section < 0:  # no actors of its own: a section of them first
        at, keys = start + len("\nvocabularies:\n"), "  actors:\n" + keys
    else:
        at = section + len("\n  actors:\n")
    registry.write_text(yaml[:at] + keys + yaml[at:], encoding="utf-8")
    walls = []
    for _ in range(runs):
        command = [WRRTRACK, "--no-cache", "-r", str(registry), "list", "--format", "ids"]
        elapsed, _, _ = spawn(command, env, work)
        walls.append(elapsed)
    return {"wall": statistics.median(walls)}


def print_many_keys(figures: dict[str, float]) -> None:
    print(
        f"3,000 actor keys with an alias each: `list --no-cache` {figures['wall']:.2f} s "
        "(target ≤ 2 s; 36 s when every pair of terms was compared).\n"
    )


def print_bounded(wrong_quote: dict[str, float], many_keys: dict[str, float]) -> int:
    """The work a hostile registry could make unbounded: both figures."""
    print_wrong_quote(wrong_quote)
    print_many_keys(many_keys)
    return 0


def print_wrong_quote(figures: dict[str, float]) -> None:
    print(
        f"A wrong quote against a {figures['size_mb']:.1f} MB source: `validate` "
        f"{figures['wall']:.2f} s ({figures['cpu']:.2f} s CPU; target ≤ 5 s).\n"
    )


def layouts(
    big: int,
    reports: int,
    rows: list[tuple[str, str, float | None]],
    *,
    one: dict[str, float],
    several: dict[str, float],
    folder: dict[str, float],
) -> None:
    """The table of one report, many reports in one file and in a folder of files."""
    print(
        f"| {big:,} items | one report | {reports:,} reports, one file | "
        f"{reports:,} reports, a folder of {reports:,} files | "
        "ratio to C parse (one file) | ratio to C parse (folder) | target |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for label, key, target in rows:
        ratio = several[key] / several["c_parse"]
        in_folder = folder[key] / folder["c_parse"]
        print(
            f"| {label} | {one[key]:.3f} s | {several[key]:.3f} s | {folder[key]:.3f} s | "
            f"{ratio:.2f} | {in_folder:.2f} | {'' if target is None else f'≤ {target}'} |"
        )
    print(
        f"\n`add` / `status set` at {big:,} items: one report "
        f"{one['add_warm'] / one['status_set_warm']:.2f}, {reports:,} reports in one file "
        f"{several['add_warm'] / several['status_set_warm']:.2f}, in a folder "
        f"{folder['add_warm'] / folder['status_set_warm']:.2f} (target ≤ 1.00, within noise)."
    )


# --- large registries: what each command pays for the whole ----------------------------------

# Items per report in a folder of `--files` files is count / files; ids from make_registry.
INDEX_CASES = (
    ("validate_cold", "`validate`, cold (no cache)"),
    ("validate_warm", "`validate`, warm"),
    ("list_warm", "`list --format ids`, warm"),
    ("list_filtered", "`list --actor rijk --status open`, warm"),
    ("show_warm", "`show ID`, warm"),
    ("status_set_warm", "`status set`, warm"),
    ("add_warm", "`add`, warm"),
    ("one_file_changed", "`list` after one file changed by hand"),
    ("status_set_cold", "`status set`, cold (no cache)"),
)


def measure_large(
    count: int, runs: int, work: Path, env: dict[str, str], *, files: int, layout: str
) -> dict[str, tuple[float, float]]:
    """Wall time and peak memory (medians) of each of `INDEX_CASES` on one registry of
    `count` items: one file of `files` reports, or a folder of `files` files. The registry
    is generated once (100,000 items take minutes) and every case runs on it."""
    in_folder = layout == "folder"
    place = work / f"large-{count}-{layout}"
    place.mkdir()
    out = place / ("reports" if in_folder else "recommendations.yaml")
    # Made by another process: a child forked from this one would start with its memory
    # (100,000 items built in this process), and its peak would be this one's.
    generate = [PYTHON, str(Path(make_registry.__file__)), str(count), str(out)]
    generate += ["--reports", str(files), *(["--folder"] if in_folder else [])]
    subprocess.run(generate, check=True, capture_output=True)
    registry = out
    base = registry if in_folder else registry.parent
    cache = work / f"cache-large-{count}-{layout}"
    env = {**env, "WRRTRACK_CACHE_DIR": str(cache)}
    r = [WRRTRACK, "-r", str(registry)]
    today = date.today().isoformat()
    some = "adv-05000" if count >= 10000 else "adv-00500"
    statuses = ["open", "in-verkenning", "in-uitvoering", "uitgevoerd"]
    source = (base / make_registry.SOURCE_NAME).read_text(encoding="utf-8")
    quote = source.split("\n\n")[0]
    middle = make_registry.report_keys(files)[files // 2]
    # A cold run of 100,000 items takes minutes: fewer of those.
    cold_runs = runs if count < 50000 else 1
    figures: dict[str, tuple[float, float]] = {}

    def cold(i: int) -> None:
        shutil.rmtree(cache, ignore_errors=True)

    def status_argv(i: int) -> list[str]:
        return [*r, "status", "set", some, statuses[i % 4], "--note", f"meting {i}",
                "--date", today, "--by", "bench"]  # fmt: skip

    figures["validate_cold"] = median(cold_runs, [*r, "validate"], env, work, cold)
    figures["status_set_cold"] = median(cold_runs, status_argv(1), env, work, cold)
    run([*r, "list", "-f", "ids"], env, work)  # warm the cache
    figures["validate_warm"] = median(runs, [*r, "validate"], env, work)
    figures["list_warm"] = median(runs, [*r, "list", "--format", "ids"], env, work)
    filtered = [*r, "list", "--actor", "rijk", "--status", "open", "--format", "ids"]
    figures["list_filtered"] = median(runs, filtered, env, work)
    figures["show_warm"] = median(runs, [*r, "show", some], env, work)
    status: list[tuple[float, float]] = []
    added: list[tuple[float, float]] = []
    for i in range(runs):  # in turn, so that load falls on both alike
        status.append(run(status_argv(i), env, work)[:2])
        added.append(run([
            *r, "add", f"bench-{i}", "--report", middle, "--title", f"Meting {i}",
            "--theme", "ontvangst", "--stance", "onderschreven", "--actor", "rijk",
            "--quote", quote, "--date", today, "--by", "bench",
        ], env, work)[:2])  # fmt: skip
    for key, taken in (("status_set_warm", status), ("add_warm", added)):
        figures[key] = (
            statistics.median(t for t, _ in taken),
            statistics.median(m for _, m in taken),
        )
    # A change by hand to one file (the folder's first; in one file, the file), its size
    # and times kept: the cache must notice, and (in a folder) re-parse that file only.
    first = sorted(registry.glob("*.yaml"))[0] if in_folder else registry

    def touch(i: int) -> None:
        info = first.stat()
        data = first.read_bytes()
        old, new = (b"title: ", b"title:\t") if i % 2 == 0 else (b"title:\t", b"title: ")
        first.write_bytes(data.replace(old, new, 1))
        os.utime(first, ns=(info.st_atime_ns, info.st_mtime_ns))

    figures["one_file_changed"] = median(runs, [*r, "list", "--format", "ids"], env, work, touch)
    if runs % 2:
        touch(1)  # as generated again: the registry still validates
    run([*r, "--no-cache", "validate"], env, work)
    return figures


def print_large(results: dict[tuple[int, str], dict[str, tuple[float, float]]]) -> None:
    """One table: each case at each size and layout, time and peak memory."""
    columns = list(results)
    print(
        "| command | "
        + " | ".join(f"{n:,}, {'folder' if lay == 'folder' else 'one file'}" for n, lay in columns)
        + " |"
    )
    print("| --- |" + " ---: |" * len(columns))
    for key, label in INDEX_CASES:
        cells = []
        for column in columns:
            wall, peak = results[column][key]
            cells.append(f"{wall:.2f} s, {peak:.0f} MiB")
        print(f"| {label} | " + " | ".join(cells) + " |")
    print()


GIT = ["git", "-c", "user.name=bench", "-c", "user.email=bench@example.org"]
GIT += ["-c", "commit.gpgsign=false"]


def measure_changes(count: int, runs: int, work: Path, env: dict[str, str]) -> dict[str, float]:
    """`changes` between two commits of a registry of `count` items (one `status set` and one
    `add` apart), against `git diff` of the same two commits and `validate` warm on one."""
    repo = work / f"changes-{count}"
    repo.mkdir()
    registry = make_registry.write(count, repo / "recommendations.yaml")
    env = {**env, "WRRTRACK_CACHE_DIR": str(work / f"cache-changes-{count}")}

    def git(*args: str) -> None:
        subprocess.run([*GIT, *args], cwd=repo, env=env, check=True, capture_output=True)

    git("init", "-q")
    git("add", "-A")
    git("commit", "-q", "-m", "before")
    today = date.today().isoformat()
    r = ["-r", str(registry)]
    run([WRRTRACK, *r, "status", "set", "adv-00500", "uitgevoerd", "--date", today], env, repo)
    source = (repo / make_registry.SOURCE_NAME).read_text(encoding="utf-8")
    run(
        [
            WRRTRACK, *r, "add", "bench-1", "--report", make_registry.report_keys(1)[0],
            "--title", "Meting", "--theme", "ontvangst", "--stance", "onderschreven",
            "--actor", "rijk", "--quote", source.split("\n\n")[0], "--date", today,
        ],
        env,
        repo,
    )  # fmt: skip
    git("commit", "-q", "-a", "-m", "after")
    changes = [WRRTRACK, *r, "changes", "--since", "HEAD~1", "--until", "HEAD", "--json"]
    _, _, out = run(changes, env, repo)  # cold: each commit read once, then cached
    if '"bench-1"' not in out or '"adv-00500"' not in out:
        raise SystemExit(f"changes did not list the two changes: {out[:500]}")
    figures = {}
    cache = Path(env["WRRTRACK_CACHE_DIR"])

    def cold(i: int) -> None:
        shutil.rmtree(cache, ignore_errors=True)

    figures["changes_cold"], _ = median(runs, changes, env, repo, cold)
    run(changes, env, repo)
    run([WRRTRACK, *r, "validate"], env, repo)
    taken = interleaved(
        runs,
        {
            "git_diff": ["git", "diff", "HEAD~1", "HEAD", "--", registry.name],
            "changes_warm": changes,
            "validate_warm": [WRRTRACK, *r, "validate"],
        },
        env,
        repo,
    )
    figures |= {name: wall for name, (wall, _) in taken.items()}
    return figures


def print_changes(count: int, figures: dict[str, float]) -> int:
    validate = figures["validate_warm"]
    print(f"| `changes`, {count:,} items, two commits | time | ratio to `validate` warm | target |")
    print("| --- | ---: | ---: | ---: |")
    for label, key, target in (
        ("`git diff HEAD~1 HEAD`", "git_diff", ""),
        ("`validate`, warm", "validate_warm", ""),
        ("`changes --since HEAD~1 --until HEAD`, cold", "changes_cold", ""),
        ("`changes --since HEAD~1 --until HEAD`, warm", "changes_warm", "≤ 3.00"),
    ):
        print(f"| {label} | {figures[key]:.3f} s | {figures[key] / validate:.2f} | {target} |")
    print()
    return 0


def print_startup(
    runs: int, load: tuple[float, float], startup: dict[str, tuple[float, float]]
) -> None:
    """The start-up table, with the machine's load while it was measured (a loaded machine
    widens the spread, though the ratios stay fair)."""
    rows = [
        ("baseline", '`python -c "import typer, yaml"`', ""),
        ("version", "`wrrtrack --version`", "≤ 1.10"),
        ("list", "`wrrtrack list --actor gemeente`", "≤ 1.10"),
    ]
    base_wall, base_cpu = startup["baseline"]
    print(
        "| start-up (bundled registry, output piped) | time | ratio | CPU time | CPU ratio "
        "| target |"
    )
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for key, label, target in rows:
        wall, cpu = startup[key]
        print(
            f"| {label} | {wall * 1000:.0f} ms | {wall / base_wall:.2f} | {cpu * 1000:.0f} ms "
            f"| {cpu / base_cpu:.2f} | {target} |"
        )
    print(
        f"\nStart-up: median of {runs} runs of each, taken in turn; load average "
        f"{load[0]:.2f} before, {load[1]:.2f} after.\n"
    )


def index_only(args: argparse.Namespace, work: Path, env: dict[str, str]) -> int:
    """`--index-only`: the large registries' table alone."""
    load_before = os.getloadavg()
    large = {
        (n, layout): measure_large(n, args.runs, work, env, files=min(args.files, n), layout=layout)
        for n in (int(s) for s in args.index_sizes.split(","))
        for layout in ("folder", "file")
    }
    end_load = os.getloadavg()
    print(
        f"Measured {date.today().isoformat()} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}; median of "
        f"{args.runs} runs (one cold run at 100,000); load average "
        f"{load_before[0]:.2f} before, {end_load[0]:.2f} at the end.\n"
    )
    print_large(large)
    return 0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--sizes", default="1000,10000")
    parser.add_argument(
        "--reports", type=int, default=1000, help="reports in the several-report registry"
    )
    parser.add_argument(
        "--startup-only",
        action="store_true",
        help="measure only the start-up table (a minute instead of many)",
    )
    parser.add_argument(
        "--quote-only",
        action="store_true",
        help="measure only a wrong quote against a long source",
    )
    parser.add_argument(
        "--source-mb", type=float, default=18.0, help="size of that long source, in MB"
    )
    parser.add_argument(
        "--changes-only",
        action="store_true",
        help="measure only `changes` between two commits, at the largest size",
    )
    parser.add_argument(
        "--index-only",
        action="store_true",
        help="measure only the large registries (--index-sizes, one file and a folder)",
    )
    parser.add_argument("--index-sizes", default="10000,100000")
    parser.add_argument(
        "--files", type=int, default=1000, help="reports (files of a folder) of those registries"
    )
    return parser.parse_args()


def main() -> int:
    args = arguments()
    sizes = [int(s) for s in args.sizes.split(",")]

    with tempfile.TemporaryDirectory(prefix="wrrtrack-bench-") as tmp:
        work = Path(tmp)
        empty = work / "empty"
        empty.mkdir()
        # As a user runs it: no WRRTRACK_ settings, and compiled modules cached as an
        # installation has them (PYTHONDONTWRITEBYTECODE would recompile every module on
        # every run and measure the compiler instead of wrrtrack).
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("WRRTRACK_") and k != "PYTHONDONTWRITEBYTECODE"
        }
        env["WRRTRACK_CACHE_DIR"] = str(work / "cache-small")
        if args.quote_only:
            wrong_quote = measure_wrong_quote(args.runs, work, env, args.source_mb)
            return print_bounded(wrong_quote, measure_many_keys(args.runs, work, env))
        if args.changes_only:
            return print_changes(max(sizes), measure_changes(max(sizes), args.runs, work, env))
        if args.index_only:
            return index_only(args, work, env)
        startup_runs = max(21, args.runs * 4)
        run([WRRTRACK, "list"], env, empty)  # the bundled registry, cache warm
        load_before = os.getloadavg()[0]
        startup = interleaved(
            startup_runs,
            {
                "baseline": [PYTHON, "-c", "import typer, yaml"],
                "version": [WRRTRACK, "--version"],
                "list": [WRRTRACK, "list", "--actor", "gemeente"],
            },
            env,
            empty,
        )
        load = (load_before, os.getloadavg()[0])
        if args.startup_only:
            print_startup(startup_runs, load, startup)
            return 0
        by_size = {n: measure_size(n, args.runs, work, env) for n in sizes}
        several = measure_size(max(sizes), args.runs, work, env, reports=args.reports)
        folder = measure_size(
            max(sizes), args.runs, work, env, reports=args.reports, layout="folder"
        )
        wrong_quote = measure_wrong_quote(args.runs, work, env, args.source_mb)
        many_keys = measure_many_keys(args.runs, work, env)
        changes = measure_changes(max(sizes), args.runs, work, env)
        end_load = os.getloadavg()

    print(
        f"Measured {date.today().isoformat()} on {platform.machine()}, "
        f"{os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}; median of {args.runs} runs "
        f"({startup_runs} for start-up, taken in turn); load average at the end "
        f"{end_load[0]:.2f}, {end_load[1]:.2f}, {end_load[2]:.2f} (1, 5, 15 min).\n"
    )
    print_startup(startup_runs, load, startup)
    print_bounded(wrong_quote, many_keys)
    big = max(sizes)
    rows = [
        ("C loader parse (`yaml.load_all`, CSafeLoader)", "c_parse", None),
        ("`validate`, cold (no cache)", "validate_cold", 1.5),
        ("`list --format ids`, warm", "list_warm", 0.1),
        ("`report`, warm", "report_warm", 0.3),
        ("`status set`, warm", "status_set_warm", 0.2),
        ("`add`, warm", "add_warm", 0.2),
    ]
    header = " | ".join(f"{n:,} items" for n in sizes)
    print(
        f"| command | {header} | ratio to C parse at {big:,} | target | growth "
        f"{sizes[0]:,} → {big:,} |"
    )
    print("| --- |" + " ---: |" * (len(sizes) + 3))
    for label, key, target in rows:
        cells = " | ".join(f"{by_size[n][key]:.3f} s" for n in sizes)
        ratio = by_size[big][key] / by_size[big]["c_parse"]
        growth = by_size[big][key] / by_size[sizes[0]][key]
        print(
            f"| {label} | {cells} | {ratio:.2f} | {'' if target is None else f'≤ {target}'} "
            f"| x {growth:.1f} |"
        )
    print()
    layouts(big, args.reports, rows, one=by_size[big], several=several, folder=folder)
    print()
    print_changes(big, changes)
    print(f"| peak memory at {big:,} items | MB | ratio | target |")
    print("| --- | ---: | ---: | ---: |")
    c_mb, list_mb = by_size[big]["c_parse_mb"], by_size[big]["list_warm_mb"]
    print(f"| C loader parse | {c_mb:.0f} | 1.00 | |")
    print(f"| `list --format ids`, warm | {list_mb:.0f} | {list_mb / c_mb:.2f} | ≤ 0.50 |")
    print()
    sizes_text = ", ".join(f"{by_size[n]['size_mb']:.1f} MB" for n in sizes)
    print(
        f"Registry files: {sizes_text}. Growth x{big // sizes[0]} in items is linear; "
        "a figure well above that would not be."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
