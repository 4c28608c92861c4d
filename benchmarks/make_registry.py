"""Write a valid synthetic registry of N recommendations, for benchmarks.

    python benchmarks/make_registry.py N OUT

OUT is the registry file; the source text its quotes come from is written beside it, in
sources/. The text is realistic Dutch policy prose, made from phrases by a seeded random
generator, so the same N always gives the same file. `wrrtrack validate` accepts it.
"""

from __future__ import annotations

import random
import sys
from datetime import date, timedelta
from pathlib import Path

from wrrtrack._model import AdviceReport, Ledger, Reaction, Recommendation, StatusChange
from wrrtrack._vocabulary import STANCES, STATUSES, Term, Vocabularies
from wrrtrack._yamlfile import render_registry

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
EXTRA_ACTORS = [Term("provincie", "provincies", "provinces", ("provinces",))]


def sentence(rng: random.Random) -> str:
    return (
        f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} "
        f"{rng.choice(TAILS)} en {rng.choice(OBJECTS)} {rng.randint(2, 99)}."
    )


def build(count: int, seed: int = 103) -> tuple[Ledger, str]:
    """A ledger of `count` recommendations and the source text its quotes are taken from."""
    rng = random.Random(seed)
    source = sorted({sentence(rng) for _ in range(max(200, count // 4))})
    themes = Vocabularies().themes.extended(Term(k, nl, en) for k, nl, en in THEMES)
    vocabularies = Vocabularies(themes=themes, actors=Vocabularies().actors.extended(EXTRA_ACTORS))
    actors = vocabularies.actors.keys
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
            )
        )
    report = AdviceReport(
        "WRR",
        "999",
        "Synthetisch advies voor metingen",
        date(2014, 12, 1),
        Reaction("Kamerstuk 00 000, nr. 1", date(2015, 1, 1), SOURCE_NAME),
    )
    return Ledger(report, vocabularies, tuple(recs)), "\n\n".join(source) + "\n"


def write(count: int, out: Path) -> Path:
    ledger, source = build(count)
    (out.parent / SOURCE_NAME).parent.mkdir(parents=True, exist_ok=True)
    (out.parent / SOURCE_NAME).write_text(source, encoding="utf-8")
    header = f"Synthetic registry of {count} recommendations, made by benchmarks/make_registry.py"
    out.write_text(render_registry(ledger, header), encoding="utf-8")
    return out


def main(argv: list[str]) -> int:
    if len(argv) != 2 or not argv[0].isdigit():
        print("usage: make_registry.py N OUT", file=sys.stderr)
        return 2
    out = write(int(argv[0]), Path(argv[1]))
    print(f"wrote {out} ({out.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
