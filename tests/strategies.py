"""Hypothesis strategies shared by several test modules: texts, days, reaction labels and
whole registries (`ledgers`) for the invariants, the exports and the JSON Schema."""

from __future__ import annotations

from datetime import date

from hypothesis import strategies as st

from wrrtrack._model import AdviceReport, Label, Ledger, Reaction, Recommendation, StatusChange
from wrrtrack._vocabulary import STATUSES, Term, Vocabularies

texts = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"),
    min_size=1,
    max_size=40,
).filter(str.strip)


days = st.dates(min_value=date(2000, 1, 1), max_value=date(2020, 12, 31))


labels = st.none() | st.builds(Label, texts, texts)  # what a report calls its reaction


@st.composite
def ledgers(draw: st.DrawFn) -> Ledger:
    """Registries of one to three reports; with one, its themes are its own (as in the
    shipped file), with several, the themes are declared for the whole registry."""
    themes = Vocabularies().themes.extended([Term("thema-a", "A", "A"), Term("thema-b", "B", "B")])
    vocab = Vocabularies(themes=themes)
    reports = tuple(
        AdviceReport(
            "WRR",
            str(n),
            draw(texts),
            date(2000, 1, 1),
            Reaction("K", date(2000, 1, 2), "s.txt", None, draw(labels)),
            (),
            f"wrr-{n}",
        )
        for n in range(1, draw(st.integers(min_value=1, max_value=3)) + 1)
    )
    count = draw(st.integers(min_value=1, max_value=6))
    recs = []
    for n in range(count):
        history_days = sorted(draw(st.lists(days, min_size=1, max_size=4)))
        history = tuple(
            StatusChange(
                day,
                draw(st.sampled_from(STATUSES.keys)),
                draw(st.none() | texts),
                draw(st.none() | texts),
                draw(st.none() | texts),
            )
            for day in history_days
        )
        recs.append(
            Recommendation(
                id=f"r-{n}",
                title=draw(texts),
                theme=draw(st.sampled_from(["thema-a", "thema-b"])),
                stance=draw(st.sampled_from(vocab.stances.keys)),
                actors=tuple(
                    draw(
                        st.lists(
                            st.sampled_from(vocab.actors.keys), min_size=1, max_size=3, unique=True
                        )
                    )
                ),
                status=history[-1].status,
                quotes=tuple(draw(st.lists(texts, min_size=1, max_size=2))),
                history=history,
                report=draw(st.sampled_from([report.key for report in reports])),
            )
        )
    # Records in the order of their reports' documents, as a file holds them.
    order = [report.key for report in reports]
    recs.sort(key=lambda rec: order.index(rec.report))
    local = {}
    if len(reports) == 1:
        own = frozenset((reports[0].key,))
        local = {"themes": {"thema-a": own, "thema-b": own}}
    return Ledger(reports, vocab, tuple(recs), local=local)
