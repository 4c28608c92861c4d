"""The truth of the record: quotes attributed to the document they are found in, stored
sources held to their fingerprints, later events with their evidence, source paths kept
inside the registry's folder."""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT, SHIPPED, Runner
from wrrtrack import Registry

SUMMARY_URL = (
    "https://www.wrr.nl/adviesprojecten/migratiediversiteit/nieuws/2021/03/26/"
    "kabinetsreactie-op-het-wrr-rapport-samenleven-in-verscheidenheid"
)
ADVIESRAAD_URL = (
    "https://www.adviesraadmigratie.nl/publicaties/publicaties/2022/12/21/"
    "adviesrapport-realisme-rond-richtgetallen-kansen-en-risicos-van-streefcijfers-en-quota-"
    "in-het-migratiebeleid"
)
NPLV_2025_URL = (
    "https://www.tweedekamer.nl/kamerstukken/brieven_regering/detail?did=2025D48894&id=2025Z20756"
)

# The later events of the domain brief: date, the items they are recorded on, the source,
# its URL, and the status the entry records (None: the item's status is unchanged).
LATER_EVENTS = [
    ("2022-01-01", ("wrr103-2", "wrr103-3"), "kst-36078-3",
     "https://zoek.officielebekendmakingen.nl/dossier/kst-36078-3.html", None),
    ("2022-07-04", ("wrr103-5", "wrr103-4"), "rijksoverheid-nplv-2022",
     "https://www.rijksoverheid.nl/actueel/nieuws/2022/07/04/"
     "nieuwe-aanpak-leefbaarheid-en-veiligheid-in-wijken", None),
    ("2022-07-07", ("wrr103-6",), "staat-van-migratie-2022",
     "https://www.rijksoverheid.nl/documenten/rapporten/2022/07/07/"
     "tk-bijlage-de-staat-van-migratie-2022", None),
    ("2022-12-22", ("wrr103-7",), "adviesraad-realisme-richtgetallen", ADVIESRAAD_URL,
     "uitgevoerd"),
    ("2024-10-17", ("wrr103-5", "wrr103-4"), "kst-30995-104",
     "https://zoek.officielebekendmakingen.nl/kst-30995-104.html", None),
    # The second round (2024-2026).
    ("2024-06-14", ("wrr103-6",), "staat-van-migratie-2024",
     "https://www.rijksoverheid.nl/actueel/nieuws/2024/06/14/"
     "staat-van-migratie-2024-in-2023-stappen-gezet-naar-grip-op-migratie", None),
    ("2024-11-26", ("wrr103-2", "wrr103-3"), "kst-32824-446",
     "https://zoek.officielebekendmakingen.nl/kst-32824-446.html", None),
    ("2025-05-28", ("wrr103-3",), "kst-29861-161",
     "https://www.tweedekamer.nl/kamerstukken/brieven_regering/detail?did=2025D24889&id=2025D24889",
     "in-uitvoering"),
    ("2025-07-04", ("wrr103-6",), "staat-van-migratie-2025",
     "https://www.rijksoverheid.nl/actueel/nieuws/2025/07/04/"
     "migratie-naar-nederland-opnieuw-gedaald", None),
    ("2025-11-27", ("wrr103-4",), "kst-30995-107", NPLV_2025_URL, None),
    ("2025-11-27", ("wrr103-5",), "kst-30995-107", NPLV_2025_URL, "in-uitvoering"),
    ("2026-01-28", ("wrr103-2",), "kst-32824-478",
     "https://zoek.officielebekendmakingen.nl/kst-32824-478.html", None),
    ("2026-02-23", ("wrr103-1", "wrr103-2"), "adviesraad-wethouders-2026",
     "https://www.adviesraadmigratie.nl/documenten/2026/02/23/"
     "wat-wethouders-zeggen-over-het-gemeentelijke-migratiebeleid", None),
]  # fmt: skip


# --- attribution -----------------------------------------------------------------------


def test_show_names_the_summary_and_the_adviesraad_page(cli: Runner) -> None:
    dutch = cli("-r", SHIPPED, "show", "wrr103-7").out
    assert (
        "  Geciteerd uit de WRR samenvatting van de reactie (wrr.nl, 26 maart 2021), niet uit de\n"
        "  tekst van Kamerstuk 29 861, nr. 70 zelf:\n"
    ) in dutch
    assert f"      publicatiepagina: {ADVIESRAAD_URL}\n" in dutch
    out = cli("-r", SHIPPED, "show", "wrr103-7", "--lang", "en").out
    assert (
        "  Quoted from the WRR summary of the reaction (wrr.nl, 26 March 2021), not from the text\n"
        "  of Kamerstuk 29 861, nr. 70 itself:\n"
    ) in out
    assert f"    publication page: {SUMMARY_URL}\n" in out
    december = out[out.index("2022-12-22  uitgevoerd") :]
    assert "quoted from: Adviesraad Migratie, “Adviesrapport \u2018Realisme rond" in december
    assert f"      publication page: {ADVIESRAAD_URL}\n" in december
    assert "bandbreedte" not in out  # the claim that was not in the Adviesraad's text


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_report_never_presents_the_summary_as_the_kamerstuk(cli: Runner, lang: str) -> None:
    out = cli("-r", SHIPPED, "report", "--lang", lang).out
    said = {
        "nl": "Geciteerd uit de WRR samenvatting van de reactie (wrr.nl, 26 maart 2021), niet "
        "uit de tekst van Kamerstuk 29 861, nr. 70 zelf",
        "en": "Quoted from the WRR summary of the reaction (wrr.nl, 26 March 2021), not from "
        "the text of Kamerstuk 29 861, nr. 70 itself",
    }[lang]
    assert out.count(f"[{said}](<{SUMMARY_URL}>):") == 7
    assert "Uit de kabinetsreactie" not in out
    assert "From the cabinet reaction" not in out
    assert f"(<{ADVIESRAAD_URL}>)" in out
    assert "(<https://zoek.officielebekendmakingen.nl/kst-29861-70.html>)" in out


# --- the shipped data ------------------------------------------------------------------


def test_the_shipped_registry_validates_and_holds_every_later_event(cli: Runner) -> None:
    assert cli("-r", SHIPPED, "validate").code == 0
    registry = Registry.open(SHIPPED)
    for day, items, source_id, url, status in LATER_EVENTS:
        source = registry.ledger.source(source_id)
        assert source is not None
        assert source.url == url
        for item in items:
            rec = registry.get(item)
            (entry,) = [c for c in rec.history if c.date.isoformat() == day]
            assert entry.source == source_id
            assert entry.quotes, (day, item)
            assert entry.note
            if status is None:
                assert "Verwant" in entry.note  # says the step is related, not a response
                assert entry.status == rec.history[rec.history.index(entry) - 1].status
            else:
                assert entry.status == status
    assert registry.ledger.as_of.isoformat() == "2026-02-23"
    assert [r.id for r in registry.select() if r.status == "uitgevoerd"] == ["wrr103-7"]
    assert [r.id for r in registry.select() if r.status == "in-uitvoering"] == [
        "wrr103-3", "wrr103-4", "wrr103-5"
    ]  # fmt: skip
    assert len(registry.get("wrr103-7").history) == 2  # the note-only entry was replaced


def test_every_stored_passage_file_holds_exactly_the_quoted_passages() -> None:
    registry = Registry.open(SHIPPED)
    for source in registry.ledger.sources[1:]:
        lines = (SHIPPED.parent / source.file).read_text(encoding="utf-8").splitlines()
        quoted = [q.text for q in registry.ledger.citing(source.id)]
        assert sorted(set(quoted)) == sorted(lines), source.id


# --- fingerprints ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "source_id",
    [s.id for s in Registry.open(SHIPPED).ledger.sources],
)
def test_one_changed_word_in_any_source_fails_validate_naming_it(
    cli: Runner, registry: Path, source_id: str
) -> None:
    source = Registry.open(registry).ledger.source(source_id)
    assert source is not None
    stored = registry.parent / source.file
    text = stored.read_text(encoding="utf-8")
    word = text.split()[-1]  # a quoted word in every file
    stored.write_text(text.replace(word, word.upper(), 1), encoding="utf-8")
    before = registry.read_bytes()
    result = cli("-r", registry, "validate")
    assert result.code == 1
    assert f"source '{source_id}' ({source.file}) has changed since its fingerprint" in (result.err)
    # sources update refuses: a quote citing it broke.
    update = cli("-r", registry, "sources", "update", source_id)
    assert update.code == 1
    assert f"citing '{source_id}' are no longer in {source.file}" in update.err
    assert "[-" in update.err  # the broken quote with its nearest passage, marked
    assert registry.read_bytes() == before
    listed = cli("-r", registry, "sources", "--json").json()
    assert {s["id"]: s["state"] for s in listed}[source_id] == "changed"


def test_sources_update_records_a_new_fingerprint_when_every_quote_holds(
    cli: Runner, registry: Path
) -> None:
    stored = registry.parent / "sources" / "kabinetsreactie-wrr-103.txt"
    text = stored.read_text(encoding="utf-8")
    stored.write_text(text.replace("waardeert de vernieuwende", "waardeerde de vernieuwende"))
    before = registry.read_text(encoding="utf-8")
    assert cli("-r", registry, "validate").code == 1
    result = cli("-r", registry, "sources", "update", "wrr-samenvatting-kabinetsreactie")
    assert result.code == 0, result.err
    assert "16 quote(s) still found; recorded sha256" in result.err
    after = registry.read_text(encoding="utf-8")
    changed = [
        (a, b) for a, b in zip(before.splitlines(), after.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 1
    assert changed[0][0].startswith("    sha256: 378be4b4")
    assert cli("-r", registry, "validate").code == 0
    again = cli("-r", registry, "sources", "update", "wrr-samenvatting-kabinetsreactie")
    assert "matches its fingerprint; nothing to do" in again.err
    assert registry.read_text(encoding="utf-8") == after


def test_a_missing_source_and_an_unknown_id(cli: Runner, registry: Path) -> None:
    (registry.parent / "sources" / "kst-30995-104.txt").unlink()
    listed = cli("-r", registry, "sources", "--format", "json").json()
    assert {s["id"]: s["state"] for s in listed}["kst-30995-104"] == "missing"
    result = cli("-r", registry, "validate")
    assert "source 'kst-30995-104' (sources/kst-30995-104.txt) is missing" in result.err
    # A typo nearest to the missing source (kst-30995-107 is near as well, but less so).
    unknown = cli("-r", registry, "sources", "update", "kst-30995-14")
    assert unknown.code == 1
    assert "'kst-30995-14' is not a stored source; did you mean 'kst-30995-104'?" in unknown.err


def test_the_cache_does_not_hide_a_changed_source(cli: Runner, registry: Path) -> None:
    assert cli("-r", registry, "validate").code == 0  # fills the cache
    stored = registry.parent / "sources" / "staat-van-migratie-2022.txt"
    stored.write_text("Iets anders.\n", encoding="utf-8")
    cached = cli("-r", registry, "validate")
    fresh = cli("-r", registry, "--no-cache", "validate")
    assert cached.code == fresh.code == 1
    assert cached.err == fresh.err  # placed the same way
    assert f"{registry}:" in cached.err.splitlines()[0]


# --- status set with evidence ----------------------------------------------------------


def test_status_set_writes_a_verified_quote_and_refuses_one_not_in_the_source(
    cli: Runner, registry: Path
) -> None:
    quote = "Het kabinet verzocht eerder om dit advies."
    source = "adviesraad-realisme-richtgetallen"
    ok = cli("-r", registry, "status", "set", "wrr103-7", "vervallen", "--date", "2026-01-02",
             "--by", "x", "--source", source, "--quote", quote)  # fmt: skip
    assert ok.code == 0, ok.err
    entry = Registry.open(registry).get("wrr103-7").history[-1]
    assert (entry.source, entry.quotes) == ("adviesraad-realisme-richtgetallen", (quote,))
    assert cli("-r", registry, "validate").code == 0
    before = registry.read_bytes()
    never = "Het kabinet verzocht nooit om dit advies."
    refused = cli("-r", registry, "status", "set", "wrr103-7", "open", "--date", "2026-01-03",
                  "--by", "x", "--source", source, "--quote", quote, "--quote", never)  # fmt: skip
    assert refused.code == 1
    assert "history[4] quote 2 is not in source 'adviesraad-realisme-richtgetallen'" in (
        refused.err
    )
    assert "[-eerder-]{+nooit+}" in refused.err
    assert registry.read_bytes() == before
    for args, message in (
        (["--quote", quote], "--source needs the id of the stored source"),
        (["--source", "Kamerbrief", "--quote", quote], "'Kamerbrief' is not a stored source"),
        (["--source", "kst-30995-104", "--quote", " "], "--quote must be non-empty"),
    ):
        result = cli("-r", registry, "status", "set", "wrr103-7", "open", "--by", "x", *args)
        assert result.code == 1
        assert message in result.err, result.err
        assert registry.read_bytes() == before


def test_history_quotes_are_checked_by_validate_like_stance_quotes(
    cli: Runner, registry: Path
) -> None:
    text = registry.read_text(encoding="utf-8")
    registry.write_text(text.replace("verzocht eerder", "verzocht al eerder"), encoding="utf-8")
    result = cli("-r", registry, "validate")
    assert result.code == 1
    line = text.splitlines().index('          - "Het kabinet verzocht eerder om dit advies."')
    assert result.err.startswith(
        f"error: {registry}:{line + 1}:13: wrr103-7: history[2] quote 2 is not in source "
        "'adviesraad-realisme-richtgetallen'; nearest passage"
    )
    decomposed = text.replace("geïnvesteerd", "gei\u0308nvesteerd")
    registry.write_text(decomposed, encoding="utf-8")
    assert cli("-r", registry, "validate").code == 0  # NFC on both sides


# --- paths that leave the folder -------------------------------------------------------


def hostile(registry: Path, target: str) -> str:
    """The shipped registry with its first source's file pointing at `target`."""
    text = registry.read_text(encoding="utf-8")
    text = text.replace("    file: sources/kabinetsreactie-wrr-103.txt", f"    file: {target}", 1)
    registry.write_text(text, encoding="utf-8")
    return text


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX links, FIFOs and devices")
@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("/proc/self/environ", "the path must be relative to the registry's folder"),
        ("/dev/zero", "the path must be relative to the registry's folder"),
        ("../../secret.txt", "the path may not leave the registry's folder ('..')"),
        ("environ", "the path leads outside the registry's folder (through a symbolic link)"),
        ("zero", "the path leads outside the registry's folder (through a symbolic link)"),
        ("pipe", "is a FIFO (named pipe), not a regular file"),
    ],
)
def test_a_source_path_that_leaves_the_folder_fails_at_once_and_shows_nothing(
    cli: Runner, registry: Path, monkeypatch: pytest.MonkeyPatch, target: str, reason: str
) -> None:
    monkeypatch.setenv("WRRTRACK_TEST_SECRET", "geheim-4711")
    (registry.parent.parent.parent / "secret.txt").write_text("geheim-4711", encoding="utf-8")
    (registry.parent / "environ").symlink_to("/proc/self/environ")
    (registry.parent / "zero").symlink_to("/dev/zero")
    os.mkfifo(registry.parent / "pipe")
    text = hostile(registry, target)
    started = time.monotonic()
    result = cli("-r", registry, "validate")
    assert time.monotonic() - started < 5
    assert result.code == 1
    line = text.splitlines().index(f"    file: {target}") + 1
    assert result.err.splitlines()[0] == (
        f"error: {registry}:{line}:11: source 'wrr-samenvatting-kabinetsreactie' ({target}): "
        f"{reason}; nothing was read from it"
    )
    assert "geheim" not in result.err + result.out
    listed = cli("-r", registry, "sources", "--json")
    assert {s["id"]: s["state"] for s in listed.json()}["wrr-samenvatting-kabinetsreactie"] == (
        "refused"
    )
    update = cli("-r", registry, "sources", "update", "wrr-samenvatting-kabinetsreactie")
    assert update.code == 1
    assert "geheim" not in update.err


# --- registries of the old form --------------------------------------------------------


def test_a_registry_without_sources_still_reads_and_validates(cli: Runner, tmp_path: Path) -> None:
    shutil.copytree(ROOT / "docs" / "examples", tmp_path / "old")
    path = tmp_path / "old" / "broken-registry.yaml"
    text = path.read_text(encoding="utf-8")
    fixed = (
        text.replace("stance: positive", "stance: positief")
        .replace("2021-02-30", "2021-03-24")
        .replace("globaal in kaart", "breed in kaart")
    )
    path.write_text(fixed, encoding="utf-8")
    result = cli("-r", path, "validate")
    assert result.code == 0, result.err
    assert result.out.endswith("quotes found in kabinetsreactie-wrr-103.txt\n")
    shown = cli("-r", path, "show", "wrr103-1").out
    assert "Geciteerd uit het opgeslagen bestand sources/kabinetsreactie-wrr-103.txt:" in shown
    item = cli("-r", path, "show", "wrr103-1", "--format", "json").json()
    assert item["quotes_from"]["id"] == "sources/kabinetsreactie-wrr-103.txt"
    assert item["quotes_from"]["url"] is None
    listed = cli("-r", path, "sources", "--json").json()
    assert [(s["file"], s["state"], s["sha256"]) for s in listed] == [
        ("sources/kabinetsreactie-wrr-103.txt", "ok", None)
    ]


@pytest.mark.parametrize("width", [40, 80, 140])
def test_the_sources_table_fits_the_terminal_and_shows_every_source_whole(width: int) -> None:
    from wrrtrack.render import terminal

    rows = Registry.open(SHIPPED).sources()
    out = terminal.render([terminal.sources_table(rows, width=width)], width=width)
    lines = out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width
    flat = "".join(line.strip() for line in lines)
    for source, state in rows:
        assert source.id in out.split()  # an id is never cut
        assert state == "ok"
        assert (source.url or "") in flat  # the address, folded, is all there


def test_a_source_folded_once_is_taken_from_the_cache_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from wrrtrack import _cache, _evidence, _quotes

    data = (ROOT / "data" / "sources" / "kabinetsreactie-wrr-103.txt").read_bytes()
    folded = _evidence.folded_source("kst.txt", data, cache=True)
    quote = "De WRR geeft daarbij zelf terecht aan dat deze werkwijze complex is"

    def refused(*args: object, **kwargs: object) -> None:
        raise AssertionError("folded again")

    with monkeypatch.context() as patch:
        patch.setattr(_quotes._Folded, "__init__", refused)
        again = _evidence.folded_source("kst.txt", data, cache=True)
    assert again.folded == folded.folded
    assert again.contains(quote) and not again.contains(quote + " niet")
    assert again.missing("een zin die er niet staat") == folded.missing("een zin die er niet staat")
    # A damaged entry is folded again; without the cache nothing is read from it.
    entry = next((Path(os.environ["WRRTRACK_CACHE_DIR"]) / _evidence.FOLDED).glob("*.json"))
    entry.write_bytes(entry.read_bytes().replace(b'"cuts": [', b'"cuts": [1, ', 1))
    assert _evidence.folded_source("kst.txt", data, cache=True).folded == folded.folded
    assert _cache.key(data) in {path.stem for path in entry.parent.glob("*.json")}
