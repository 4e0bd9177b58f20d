"""The organiser fixture site, served on loopback and harvested by `dancescrape run`.

Each page has a hand-written ground truth in `tests/fixtures/sites/truth/`: every
contract field of every event, and the problems the run must report for that page.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dancescrape.cli.main import cli
from loopback import Server, serve

SITES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"
TRUTHS = sorted((SITES / "truth").glob("*.json"))
CHECKED = (
    "title",
    "description",
    "dance_styles",
    "event_type",
    "start",
    "end",
    "timezone",
    "all_day",
    "venue",
    "address",
    "city",
    "country",
    "latitude",
    "longitude",
    "price",
    "price_min",
    "price_max",
    "currency",
    "organizer",
    "url",
    "status",
    "source",
    "source_url",
    "source_event_id",
)


@pytest.fixture(scope="module")
def site() -> Iterator[Server]:
    with serve(SITES) as server:
        yield server


def _expected(truth: dict[str, Any], base: str) -> list[dict[str, Any]]:
    out = []
    for raw in truth["events"]:
        event = dict(truth["defaults"])
        for template in ("social", "series", "practice"):
            if raw.get(f"@{template}"):
                event.update(truth[template])
        event.update({k: v for k, v in raw.items() if not k.startswith("@")})
        missing = set(CHECKED) - set(event)
        assert not missing, f"ground truth for {raw.get('title') or raw} lacks {sorted(missing)}"
        out.append(
            {
                k: (v.replace("{base}", base) if isinstance(v, str) else v)
                for k, v in event.items()
                if k in CHECKED
            }
        )
    return sorted(out, key=lambda e: (e["start"], e["title"]))


def _harvest(
    truth: dict[str, Any], server: Server, work: Path
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    source = truth["source"]
    config = {
        "sources": [
            {
                "name": source["name"],
                "url": server.url(source["path"]),
                **({"timezone": source["timezone"]} if source["timezone"] else {}),
                **(
                    {"extractor": source["extractor"].replace("{sites}", str(SITES))}
                    if source.get("extractor")
                    else {}
                ),
            }
        ],
        "sinks": [f"jsonl:{work / 'events.jsonl'}"],
    }
    (work / "config.yaml").write_text(json.dumps(config))
    run = truth["run"]
    env = {k: v.replace("{sites}", str(SITES)) for k, v in truth.get("env", {}).items()}
    result = CliRunner(env=env).invoke(
        cli,
        [
            "run",
            "--config",
            str(work / "config.yaml"),
            "--from",
            run["from"],
            "--to",
            run["to"],
            "--timezone",
            run["timezone"],
            "--plugins",
            "",
            "--no-progress",
            "--report",
            str(work / "report.json"),
        ],
    )
    assert result.exit_code == 0, result.output
    lines = (work / "events.jsonl").read_text().splitlines()
    return [json.loads(line) for line in lines if line.strip()], json.loads(
        (work / "report.json").read_text()
    )


@pytest.mark.parametrize("truth_file", TRUTHS, ids=[t.stem for t in TRUTHS])
def test_every_field_of_every_event(truth_file: Path, site: Server, tmp_path: Path) -> None:
    truth = json.loads(truth_file.read_text())
    rows, report = _harvest(truth, site, tmp_path)
    got = sorted(
        ({k: row[k] for k in CHECKED} for row in rows), key=lambda e: (e["start"], e["title"])
    )
    expected = _expected(truth, site.base)
    assert [(e["start"], e["title"]) for e in got] == [(e["start"], e["title"]) for e in expected]
    for actual, wanted in zip(got, expected, strict=True):
        assert actual == wanted, f"{wanted['title']} at {wanted['start']}"
    url = site.url(truth["source"]["path"])
    problems = [p["reason"] for p in report["problems"] if p["subject"] == url]
    assert problems == truth.get("problems", [])
    for row in rows:  # the fields the run adds
        assert row["event_id"] and row["first_seen"] and row["last_seen"]
        assert [s["source"] for s in row["sources"]] == [truth["source"]["name"]]
