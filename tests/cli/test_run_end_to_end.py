"""The real CLI against a loopback server serving the bundled examples and bad pages."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from clirun import run_cli
from loopback import Reply, serve

WINDOW = ["--from", "2026-12-01", "--to", "2027-03-31"]
SOURCES = [
    ("ritmo-latino", "/salsa-studio/events.html", "America/Vancouver"),
    ("london-swing", "/swing-society/index.html", "Europe/London"),
    ("tango-porteno", "/tango-club/milongas.html", "Europe/Berlin"),
    ("seattle-wcs", "/wcs-club/calendar.html", "America/Los_Angeles"),
    # Last: config order is source priority, and organisers' own pages should lead.
    ("tickets", "/tickets/kizomba-weekender.html", "America/Vancouver"),
]
BAD_ROUTES = {
    "/bad/no-events.html": Reply(
        200,
        b"<html><body><h1>Our studio</h1></body></html>",
        {"Content-Type": "text/html; charset=utf-8"},
    ),
    "/bad/malformed.html": Reply(
        200,
        b'<script type="application/ld+json">{"@type": "Event", "name": "x",</script>',
        {"Content-Type": "text/html; charset=utf-8"},
    ),
    "/bad/wrong-types.html": Reply(
        200,
        b'<script type="application/ld+json">{"@type": "DanceEvent", "name": "Salsa",'
        b' "startDate": 20261201}</script>',
        {"Content-Type": "text/html; charset=utf-8"},
    ),
    "/bad/latin1.html": Reply(
        200, "<p>Caf\u00e9 con salsa</p>".encode("latin-1"), {"Content-Type": "text/html"}
    ),
    "/bad/huge.html": Reply(
        200, b"<html>" + b" " * 300_000 + b"</html>", {"Content-Type": "text/html; charset=utf-8"}
    ),
}


def _rows(db: Path) -> dict[tuple[str, str], dict[str, Any]]:
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute("SELECT * FROM events")]
    con.close()
    return {(r["title"], r["start"]): r for r in rows}


@pytest.fixture(scope="module")
def harvest(examples_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    work = tmp_path_factory.mktemp("e2e")
    with serve(examples_dir, BAD_ROUTES) as server:
        sources = [{"name": n, "url": server.url(p), "timezone": tz} for n, p, tz in SOURCES]
        sources += [{"name": "bad", "url": server.url(p)} for p in BAD_ROUTES]
        sources += [
            {"name": "bad", "url": server.url("/missing.html")},
            {"name": "bad", "url": "http://127.0.0.1:9/closed"},
        ]
        config = work / "e2e.yaml"
        config.write_text(
            json.dumps(
                {
                    "sources": sources,
                    "sinks": [f"sqlite:{work / 'events.db'}"],
                    "fetch": {"max_body_bytes": 200_000, "timeout_seconds": 10},
                }
            )
        )
        first = run_cli(
            "run", "--config", str(config), *WINDOW, "--report", str(work / "r1.json"), cwd=work
        )
        rows_first = _rows(work / "events.db")
        second = run_cli(
            "run", "--config", str(config), *WINDOW, "--report", str(work / "r2.json"), cwd=work
        )
    return {
        "first": first,
        "second": second,
        "rows_first": rows_first,
        "rows": _rows(work / "events.db"),
        "report": json.loads((work / "r1.json").read_text()),
        "report_again": json.loads((work / "r2.json").read_text()),
        "work": work,
        "base": server.base,
    }


def test_run_succeeds_partially_and_prints_the_summary(harvest: dict[str, Any]) -> None:
    first = harvest["first"]
    assert first.returncode == 0, first.stderr
    for label in (
        "documents fetched",
        "documents failed",
        "events extracted",
        "duplicates merged",
        "events written",
        "time taken",
    ):
        assert label in first.stdout
    report = harvest["report"]
    assert report["outcome"] == "partial"
    assert report["documents_fetched"] == 8  # 5 examples + 3 bad pages that did arrive
    assert report["documents_failed"] == 4  # 404, refused, not UTF-8, too large
    assert report["duplicates_merged"] == 2  # one exact, one fuzzy (reworded, 15 min later)
    assert list(report["events_written"].values()) == [57]


def test_every_bad_document_is_a_problem_naming_url_and_reason(harvest: dict[str, Any]) -> None:
    base = harvest["base"]
    problems = {(p["subject"], p["stage"]): p["reason"] for p in harvest["report"]["problems"]}
    expected = {
        (f"{base}/missing.html", "fetch"): "HTTP 404",
        ("http://127.0.0.1:9/closed", "fetch"): "cannot connect",
        (f"{base}/bad/latin1.html", "fetch"): "not valid UTF-8",
        (f"{base}/bad/huge.html", "fetch"): "exceeds the",
        (f"{base}/bad/no-events.html", "extract"): "no JSON-LD",
        (f"{base}/bad/malformed.html", "extract"): "not valid JSON",
        (
            f"{base}/bad/wrong-types.html",
            "extract",
        ): "startDate must be an ISO 8601 date, got a number",
    }
    for key, fragment in expected.items():
        assert key in problems, f"no problem recorded for {key}: {problems}"
        assert fragment in problems[key], problems[key]


def test_rerun_adds_no_rows_and_keeps_first_seen(harvest: dict[str, Any]) -> None:
    assert harvest["second"].returncode == 0, harvest["second"].stderr
    first, again = harvest["rows_first"], harvest["rows"]
    assert len(first) == len(again) == 57
    for key, row in again.items():
        assert row["event_id"] == first[key]["event_id"]
        assert row["first_seen"] == first[key]["first_seen"]
        assert row["last_seen"] >= first[key]["last_seen"]
    # The hash cache beside the database knows every event from the first run.
    assert (harvest["report"]["events_new"], harvest["report_again"]["events_new"]) == (57, 0)
    assert harvest["report_again"]["events_changed"] == 0
    assert (harvest["work"] / "events.db.hashcache").is_file()


def test_rows_field_by_field(harvest: dict[str, Any]) -> None:
    rows = harvest["rows"]
    base = harvest["base"]
    workshop = rows[("Bachata Sensual Workshop with Ana & Luis", "2027-01-16T14:00:00-08:00")]
    assert workshop["end"] == "2027-01-16T16:00:00-08:00"
    assert workshop["timezone"] == "America/Vancouver"
    assert workshop["event_type"] == "workshop"
    assert json.loads(workshop["dance_styles"]) == ["bachata"]
    assert (workshop["venue"], workshop["city"]) == ("Ritmo Latino Studio", "Vancouver")
    assert workshop["address"] == "1234 Commercial Drive, Vancouver, BC V5L 3X9"
    assert (workshop["price"], workshop["price_min"], workshop["price_max"]) == (
        "CA$45",
        45.0,
        45.0,
    )
    assert workshop["currency"] == "CAD"
    assert workshop["status"] == "scheduled"
    assert workshop["all_day"] == 0
    assert workshop["source"] == "ritmo-latino"
    assert workshop["source_url"] == f"{base}/salsa-studio/events.html"
    assert (
        workshop["source_event_id"] == "https://ritmolatino.example/event/bachata-sensual-workshop/"
    )
    assert workshop["description"].startswith("Two hours of bachata sensual technique")
    assert len(workshop["event_id"]) == 32
    provenance = json.loads(workshop["sources"])
    assert [p["source"] for p in provenance] == ["ritmo-latino", "tickets"]
    assert provenance[1]["url"] == "https://tickets.example/e/bachata-sensual-ana-luis"

    weekender = rows[("Vancouver Kizomba & Urban Kiz Weekender 2027", "2027-03-12T19:00:00-08:00")]
    assert weekender["end"] == "2027-03-14T23:59:00-07:00"  # after the DST change
    assert weekender["event_type"] == "festival"
    assert json.loads(weekender["dance_styles"]) == ["kizomba", "urban-kiz", "semba"]
    assert (weekender["price"], weekender["price_min"], weekender["price_max"]) == (
        "CA$120–210",
        120.0,
        210.0,
    )
    assert weekender["organizer"] == "Kizomba Vancouver"
    assert weekender["country"] == "CA"

    festival = rows[("Winter Swing Weekender 2027", "2027-02-19T00:00:00+00:00")]
    assert festival["all_day"] == 1
    assert festival["end"] == "2027-02-22T00:00:00+00:00"  # exclusive
    assert festival["url"] == "https://londonswing.example/events/winter-swing-weekender-2027"
    assert json.loads(festival["dance_styles"]) == ["lindy-hop", "balboa", "shag"]

    cancelled = rows[("Country Two-Step & Line Dance Night", "2027-01-09T19:30:00-08:00")]
    assert cancelled["status"] == "cancelled"
    assert (cancelled["price"], cancelled["price_min"]) == ("Free", 0.0)
    assert "country" in json.loads(cancelled["dance_styles"])

    wcs = rows[("December WCS Monthly Dance", "2026-12-12T19:00:00-08:00")]
    assert wcs["end"] == "2026-12-12T23:00:00-08:00"  # the club's own, fuller record leads
    assert wcs["source"] == "seattle-wcs"
    assert [p["source"] for p in json.loads(wcs["sources"])] == ["seattle-wcs", "tickets"]
    assert not any(t.startswith("WCS Monthly Dance") for (t, _) in rows)

    milonga = rows[("Milonga del Domingo", "2026-12-06T19:00:00+01:00")]
    assert milonga["timezone"] == "Europe/Berlin"
    assert milonga["event_type"] == "social"
    assert milonga["venue"] == "Café Tango Porteño"
    assert milonga["country"] == "DE"
    assert milonga["source_event_id"] == "https://tangoporteno.example/milonga-domingo#2026-12-06"


def test_schedules_expand_inside_the_window_with_exceptions_and_dst(
    harvest: dict[str, Any],
) -> None:
    rows = harvest["rows"]
    fridays = sorted(s for (t, s) in rows if t == "Friday Salsa & Bachata Social")
    assert len(fridays) == 16  # 17 Fridays in the window, less the excepted Christmas Day
    assert not any(s.startswith("2026-12-25") for s in fridays)
    social = rows[("Friday Salsa & Bachata Social", "2026-12-04T20:30:00-08:00")]
    assert social["end"] == "2026-12-05T01:00:00-08:00"  # past midnight
    tuesdays = {s for (t, s) in rows if t.startswith("Stomp Tuesdays")}
    assert "2027-03-23T19:30:00+00:00" in tuesdays  # GMT
    assert "2027-03-30T19:30:00+01:00" in tuesdays  # BST, after 28 March 2027
    assert len(tuesdays) == 18
