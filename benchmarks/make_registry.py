"""Write a valid synthetic registry of N recommendations, for benchmarks.

    python benchmarks/make_registry.py N OUT [--reports R | --files R] [--folder]
                                             [--source-mb MB] [--doorstop]

OUT is the registry file (or, with --folder, the registry folder: one KEY.yaml per
report); the source text the quotes come from is written beside it, in sources/. With
--reports R (or --files R) the N recommendations belong to R reports, N/R each, in one file
of R documents or in R files. The text is realistic Dutch policy prose, made from phrases by
a seeded random generator, so the same arguments always give the same files.
`wrrtrack validate` accepts them. --source-mb MB makes the source text that long (the quotes
stay where they were). --doorstop writes the same recommendations as a Doorstop document
instead (OUT a folder, one YAML file per item), for a comparison with that tool.

wrrtrack is imported only by the functions that build a registry, so that the benchmark
harness can use the names below without holding wrrtrack in memory: every process it
starts inherits its peak memory (on Linux a child's peak includes its parent's at the
moment it was started).
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wrrtrack._model import Ledger

SOURCE_NAME = "sources/kabinetsreactie-synthetisch.txt"

SUBJECTS = [
    "Het kabinet",
    "De minister van SZW",
    "De staatssecretaris van JenV",
    "Het Rijk",
    "De gemeenten",
    "De VNG",
    "De Adviesraad Migratie",
    "Het kabinet samen met gemeenten",
    "De minister van BZK",
    "De minister van OCW",
    "De provincies",
    "Het UWV",
]
VERBS = [
    "onderschrijft",
    "deelt",
    "onderstreept",
    "verkent",
    "onderzoekt",
    "ondersteunt",
    "bereidt voor",
    "bespreekt",
    "waardeert",
    "neemt over",
    "werkt uit",
    "evalueert",
]
OBJECTS = [
    "de integrale ontvangst van nieuwkomers",
    "de sociale samenhang in wijken",
    "de arbeidsdeelname van statushouders",
    "de financiële consequenties voor gemeenten",
    "het aanbod van taalonderwijs",
    "de rol van maatschappelijke organisaties",
    "de huisvesting van arbeidsmigranten",
    "de bekostiging van buurtcentra",
    "de inburgering van gezinsmigranten",
    "de samenwerking met werkgevers",
    "de monitoring van de uitvoering",
    "de richtgetallen voor asielmigratie",
    "de fysieke en sociale infrastructuur",
    "de regierol van gemeenten",
]
TAILS = [
    "in nauwe samenwerking met gemeenten",
    "binnen de bestaande budgetten",
    "met aandacht voor kleinere gemeenten",
    "in overleg met de uitvoeringsorganisaties",
    "op basis van de analyse van de raad",
    "als onderdeel van de beleidsinzet",
    "voor zover de middelen dat toelaten",
    "met het oog op maatschappelijk draagvlak",
]
NAMES = ["A. de Vries", "B. Jansen", "C. Bakker", "D. Visser", "E. Smit", "F. Meijer"]
THEMES = [
    ("ontvangst", "Ontvangst", "Reception"),
    ("inburgering", "Inburgering", "Civic integration"),
    ("samenhang", "Samenhang in wijken", "Cohesion in neighbourhoods"),
    ("arbeid", "Arbeidsdeelname", "Labour participation"),
    ("onderwijs", "Onderwijs", "Education"),
    ("huisvesting", "Huisvesting", "Housing"),
    ("migratiebeleid", "Migratiebeleid", "Migration policy"),
    ("uitvoering", "Uitvoering", "Implementation"),
]
EXTRA_ACTOR = ("provincie", "provincies", "provinces", ("provinces",))


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"{rng.choice(TAILS)} en {rng.choice(OBJECTS)} {rng.randint(2, 99)}."
    )


def prose(size: int, seed: int = 18) -> str:
    """About `size` characters of the same prose, in lines of eleven words and paragraphs,
    as a long stored source has it."""
    rng = random.Random(seed)
    lines: list[str] = []
    words: list[str] = []
    written = 0
    while written < size:
        words += sentence(rng).split(" ")
        while len(words) >= 11:
            lines.append(" ".join(words[:11]))
            written += len(lines[-1]) + 1
            words = words[11:]
        if rng.random() < 0.1:
            lines.append("")
    return "\n".join([*lines, " ".join(words)]) + "\n"


def report_keys(reports: int) -> list[str]:
    """The keys `build` gives its reports."""
    return ["wrr-999"] if reports == 1 else [f"adviesraad-{r}" for r in range(1, reports + 1)]


def build(count: int, seed: int = 103, reports: int = 1) -> tuple[Ledger, str]:
    """A ledger of `count` recommendations in `reports` reports, and the source text its
    quotes are taken from."""
    from wrrtrack._model import AdviceReport, Ledger, Reaction, Recommendation, StatusChange
    from wrrtrack._vocabulary import STANCES, STATUSES, Term, Vocabularies

    rng = random.Random(seed)
    source = sorted({sentence(rng) for _ in range(max(200, count // 4))})
    themes = Vocabularies().themes.extended(Term(k, nl, en) for k, nl, en in THEMES)
    vocabularies = Vocabularies(
        themes=themes, actors=Vocabularies().actors.extended([Term(*EXTRA_ACTOR)])
    )
    actors = vocabularies.actors.keys
    advice = [
        AdviceReport(
            "WRR" if reports == 1 else "Adviesraad",
            "999" if reports == 1 else str(r),
            "Synthetisch advies voor metingen" if reports == 1 else f"Synthetisch advies {r}",
            date(2014, 12, 1),
            Reaction(f"Kamerstuk 00 000, nr. {r}", date(2015, 1, 1), SOURCE_NAME),
            (),
            key,
        )
        for r, key in enumerate(report_keys(reports), start=1)
    ]
    per_report = -(-count // reports)
    recs = []
    for n in range(1, count + 1):
        day = date(2015, 1, 1) + timedelta(days=rng.randint(0, 1500))
        history = []
        for _ in range(rng.randint(2, 8)):
            history.append(
                StatusChange(
                    day,
                    rng.choice(STATUSES.keys),
                    sentence(rng) if rng.random() < 0.7 else None,
                    rng.choice(NAMES) if rng.random() < 0.8 else None,
                    f"Kamerbrief {day.year}-{rng.randint(1000, 9999)}"
                    if rng.random() < 0.5
                    else None,
                )
            )
            day += timedelta(days=rng.randint(0, 200))
        recs.append(
            Recommendation(
                id=f"adv-{n:05d}",
                title=sentence(rng).rstrip("."),
                theme=rng.choice(themes.keys),
                stance=rng.choice(STANCES.keys),
                actors=tuple(rng.sample(actors, rng.randint(1, 3))),
                status=history[-1].status,
                quotes=tuple(rng.sample(source, rng.randint(1, 2))),
                history=tuple(history),
                report=advice[(n - 1) // per_report].key,
            )
        )
    ledger = Ledger(tuple(advice), vocabularies, tuple(recs))
    return ledger, "\n\n".join(source) + "\n"


def write(count: int, out: Path, *, reports: int = 1, folder: bool = False) -> Path:
    """Write the registry (a file, or with `folder` a folder of one file per report)."""
    from wrrtrack._yamlfile import render_registry

    ledger, source = build(count, reports=reports)
    base = out if folder else out.parent
    (base / SOURCE_NAME).parent.mkdir(parents=True, exist_ok=True)
    (base / SOURCE_NAME).write_text(source, encoding="utf-8")
    header = (
        f"Synthetic registry of {count} recommendations in {reports} report(s), "
        "made by benchmarks/make_registry.py"
    )
    if not folder:
        out.write_text(render_registry(ledger, header), encoding="utf-8")
        return out
    out.mkdir(exist_ok=True)
    for report in ledger.reports:
        text = render_registry(ledger.of_reports([report.key]), header)
        (out / f"{report.key}.yaml").write_text(text, encoding="utf-8")
    return out


def write_source(out: Path, megabytes: float) -> None:
    """Make the source text beside registry `out` about `megabytes` MB long, by appending
    prose (its first paragraphs, which the quotes come from, stay as they are)."""
    source = (out if out.is_dir() else out.parent) / SOURCE_NAME
    text = source.read_text(encoding="utf-8")
    source.write_text(text + prose(int(megabytes * 1e6)), encoding="utf-8")


def write_doorstop(count: int, out: Path, prefix: str = "REQ") -> Path:
    """The same `count` recommendations as a Doorstop document in folder `out`: one item
    file per recommendation, as Doorstop keeps them (its fields, then the recommendation's
    own as extended attributes), in sections of ten (levels 1.1 to 1.10, 2.1, …)."""
    import yaml

    class Dumper(yaml.SafeDumper):
        """Text of several lines as a literal block, as Doorstop writes an item's text."""

    def text_block(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    Dumper.add_representer(str, text_block)
    ledger, _ = build(count)
    digits = max(5, len(str(count)))
    out.mkdir(parents=True, exist_ok=True)
    settings = {"settings": {"digits": digits, "itemformat": "yaml", "prefix": prefix, "sep": ""}}
    (out / ".doorstop.yml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    for n, rec in enumerate(ledger.recommendations):
        quotes = "\n\n".join(f"> {quote}" for quote in rec.quotes)
        item = {
            "active": True,
            "derived": False,
            "header": "",
            "level": f"{n // 10 + 1}.{n % 10 + 1}",
            "links": [],
            "normative": True,
            "ref": "",
            "reviewed": None,
            "text": f"{rec.title}\n\n{quotes}\n",
            "theme": rec.theme,
            "stance": rec.stance,
            "actors": list(rec.actors),
            "status": rec.status,
            "history": [
                {
                    k: v if k != "date" else v.isoformat()
                    for k, v in change._asdict().items()
                    if v not in (None, ())
                }
                for change in rec.history
            ],
        }
        text = yaml.dump(item, Dumper=Dumper, allow_unicode=True, default_flow_style=False)
        (out / f"{prefix}{n + 1:0{digits}d}.yml").write_text(text, encoding="utf-8")
    return out


def size(path: Path) -> int:
    """Bytes of the registry file, or of every registry file of a folder."""
    if path.is_dir():
        return sum(p.stat().st_size for p in path.glob("*.yaml"))
    return path.stat().st_size


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--reports", "--files", type=int, default=1)
    parser.add_argument("--folder", action="store_true")
    parser.add_argument("--source-mb", type=float, default=0.0)
    parser.add_argument("--doorstop", action="store_true")
    args = parser.parse_args(argv)
    if args.doorstop:
        out = write_doorstop(args.count, args.out)
        items = sum(p.stat().st_size for p in out.glob("*.yml"))
        print(f"wrote {out} ({items / 1e6:.1f} MB)")
        return 0
    out = write(args.count, args.out, reports=args.reports, folder=args.folder)
    if args.source_mb:
        write_source(out, args.source_mb)
    print(f"wrote {out} ({size(out) / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
