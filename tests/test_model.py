"""The domain model, in memory: filters, status changes, vocabularies."""

from __future__ import annotations

from datetime import date

import pytest

from wrrtrack._errors import InvalidChange, UnknownRecommendation, UnknownTerm
from wrrtrack._model import (
    AdviceReport,
    Filter,
    Ledger,
    Reaction,
    Recommendation,
    StatusChange,
    count_by,
    fold,
    is_id,
    is_key,
    repeated,
)
from wrrtrack._vocabulary import ACTORS, STATUSES, Term, Vocabularies


def rec(
    identifier: str,
    actors: tuple[str, ...] = ("rijk",),
    status: str = "open",
    theme: str = "t",
    note: str | None = None,
) -> Recommendation:
    return Recommendation(
        id=identifier,
        title=f"Title {identifier}",
        theme=theme,
        stance="onderschreven",
        actors=actors,
        status=status,
        quotes=("Een citaat.",),
        history=(StatusChange(date(2021, 3, 24), status, note),),
    )


LEDGER = Ledger(
    AdviceReport("WRR", "103", "T", date(2020, 12, 14), Reaction("K", date(2021, 3, 24), "s.txt")),
    Vocabularies(),
    (rec("a", ("rijk", "gemeente")), rec("b", ("acvz",), "uitgevoerd"), rec("c", note="Bijzonder")),
)


def test_filter_or_within_and_between() -> None:
    assert [r.id for r in LEDGER.select(Filter(actors=frozenset({"gemeente", "acvz"})))] == [
        "a",
        "b",
    ]
    both = Filter(actors=frozenset({"rijk"}), statuses=frozenset({"open"}))
    assert [r.id for r in LEDGER.select(both)] == ["a", "c"]
    assert [r.id for r in LEDGER.select(Filter(search="bijzonder"))] == ["c"]
    assert [r.id for r in LEDGER.select(Filter())] == ["a", "b", "c"]


def test_with_change_appends_and_sets_status() -> None:
    changed = rec("a").with_change(StatusChange(date(2022, 1, 1), "uitgevoerd", "klaar"))
    assert changed.status == "uitgevoerd"
    assert changed.updated == date(2022, 1, 1)
    assert len(changed.history) == 2


def test_with_change_refuses_same_status_without_note_and_older_dates() -> None:
    with pytest.raises(InvalidChange, match="already has status 'open'"):
        rec("a").with_change(StatusChange(date(2022, 1, 1), "open"))
    with pytest.raises(InvalidChange, match="before the newest history entry"):
        rec("a").with_change(StatusChange(date(2020, 1, 1), "uitgevoerd"))
    same_day = rec("a").with_change(StatusChange(date(2021, 3, 24), "open", "note"))
    assert len(same_day.history) == 2


def test_get_is_case_insensitive_with_did_you_mean() -> None:
    assert LEDGER.get(" A ").id == "a"
    with pytest.raises(UnknownRecommendation) as info:
        LEDGER.get("d")
    assert info.value.identifier == "d"


def test_as_of_and_changes_since() -> None:
    assert LEDGER.as_of == date(2021, 3, 24)
    later = LEDGER.replace(LEDGER.get("b").with_change(StatusChange(date(2023, 5, 1), "vervallen")))
    assert later.as_of == date(2023, 5, 1)
    assert [(r.id, c.status) for r, c in later.changes_since(date(2022, 1, 1))] == [
        ("b", "vervallen")
    ]


def test_vocabulary_resolves_keys_aliases_and_case() -> None:
    assert STATUSES.resolve("In-Progress") == "in-uitvoering"
    assert STATUSES.resolve("in progress") == "in-uitvoering"
    assert ACTORS.resolve("municipality") == "gemeente"
    with pytest.raises(UnknownTerm) as info:
        STATUSES.resolve("klaar")
    assert info.value.valid[0] == "open"
    assert "in-uitvoering (in-progress)" in info.value.valid
    assert STATUSES.suggest("uitgevoed") == "uitgevoerd"


def test_vocabulary_can_be_extended_by_a_registry() -> None:
    extended = ACTORS.extended([Term("provincie", "provincies", "provinces", ("provinces",))])
    assert extended.resolve("provinces") == "provincie"
    assert extended.keys[-1] == "provincie"
    assert "provincie" not in ACTORS


def test_count_by_keeps_vocabulary_order_and_zeroes() -> None:
    assert count_by(["a", "b", "c"], ["c", "a", "c"]) == {"a": 1, "b": 0, "c": 2}


def test_as_at_shows_the_registry_as_it_stood_then() -> None:
    later = LEDGER.replace(
        LEDGER.get("b").with_change(StatusChange(date(2023, 5, 1), "vervallen", "weg"))
    )
    then = later.as_at(date(2022, 1, 1))
    assert then.get("b").status == "uitgevoerd"
    assert len(then.get("b").history) == 1
    assert later.as_at(date(2023, 5, 1)) == later
    assert later.as_at(date(2021, 3, 23)).recommendations == ()


@pytest.mark.parametrize(
    ("needle", "text"),
    [
        ("financiele", "organisatorische en financiële gevolgen"),
        ("FINANCIËLE", "financiele"),
        ("cafe", "Café"),
        ("strasse", "Straße"),
        ("istanbul", "İstanbul"),
        ("financiele", "ﬁnanciële"),  # the ligature ﬁ is f and i
    ],
)
def test_search_forgives_case_and_accents_on_both_sides(needle: str, text: str) -> None:
    assert fold(needle) in fold(text)
    item = rec("x")._replace(title=text)
    assert item.text_matches(needle)


def test_search_still_tells_letters_apart() -> None:
    item = rec("x")._replace(title="financiële gevolgen")
    assert not item.text_matches("financiale")
    assert not item.text_matches("gevolgen financiële")


def test_keys_and_ids_have_one_form_each() -> None:
    assert all(is_key(k) for k in ("wrr-103", "a", "0-x", "rijk"))
    assert not any(is_key(k) for k in ("", "-a", "Wrr", "a_b", "a.b", "a b", "a\n"))
    assert all(is_id(i) for i in ("wrr103-7", "A.b_c-1", "7"))
    assert not any(is_id(i) for i in ("", "-a", ".a", "_a", "a b", "a/b", "a\n"))


def test_repeated_names_the_first_key_given_twice() -> None:
    assert repeated(["rijk", "gemeente"]) is None
    assert repeated([]) is None
    assert repeated(["rijk", "gemeente", "gemeente", "rijk"]) == "gemeente"
