"""The harvest loop end to end on loopback: crawling, sitemaps, budgets and JS rendering."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from dancescrape.ops.config import Settings
from dancescrape.pipeline.runner import Pipeline
from dancescrape.pipeline.window import Window
from dancescrape.plugins.host import PluginHost
from loopback import serve

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "js"
WINDOW = Window(date(2027, 1, 1), date(2027, 3, 31))
ZONE = "America/Vancouver"
# Skipped on a developer machine without Chromium; under CI (CI=true) a missing browser fails.
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and not os.environ.get("CI"),
    reason="Debian's chromium package is not installed (apt-get install chromium)",
)


def build_site(root: Path, pages: int, per_listing: int) -> list[dict[str, str]]:
    """A studio site: paginated listings of event pages, a sitemap, an about page.

    Returns the ground truth: one {name, startDate, path} per event page."""
    truth = []
    for n in range(pages):
        start = datetime(2027, 1, 4, 20, 0) + timedelta(days=n)
        event = {
            "name": f"Salsa Social No. {n}",
            "startDate": start.isoformat(),
            "path": f"/events/e{n}.html",
        }
        truth.append(event)
        data = {
            "@context": "https://schema.org",
            "@type": "DanceEvent",
            "name": event["name"],
            "startDate": event["startDate"],
            "location": {"@type": "Place", "name": "Hall 7"},
        }
        (root / "events").mkdir(parents=True, exist_ok=True)
        (root / "events" / f"e{n}.html").write_text(
            f'<html><head><script type="application/ld+json">{json.dumps(data)}</script></head>'
            f'<body><h1>{event["name"]}</h1><a href="/events/">all events</a>'
            '<a href="/about.html">about</a></body></html>',
            "utf-8",
        )
    listings = [truth[i : i + per_listing] for i in range(0, pages, per_listing)]
    for number, chunk in enumerate(listings, 1):
        links = "".join(f'<li><a href="{e["path"]}">{e["name"]}</a></li>' for e in chunk)
        nxt = (
            f'<a class="next" href="/events/page{number + 1}.html">Next</a>'
            if number < len(listings)
            else ""
        )
        name = "index.html" if number == 1 else f"page{number}.html"
        (root / "events" / name).write_text(
            f"<html><body><ul>{links}</ul>{nxt}<a href='/events/private/x.html'>x</a></body></html>",
            "utf-8",
        )
    (root / "about.html").write_text("<html><body><p>About the studio</p></body></html>", "utf-8")
    locs = "".join(f"<url><loc>{{base}}{e['path']}</loc></url>" for e in truth)
    (root / "sitemap.xml.tmpl").write_text(
        f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>',
        "utf-8",
    )
    return truth


def run(
    tmp_path: Path, sources: list[dict[str, Any]], base: str
) -> tuple[Any, list[dict[str, Any]]]:
    out = tmp_path / f"events-{len(list(tmp_path.glob('events-*')))}.jsonl"
    settings = Settings(
        sources=sources,
        sinks=[f"jsonl:{out}"],
        alerts=[],
        fetch={
            "hosts": {base.removeprefix("http://"): {"concurrency": 4, "delay_seconds": 0}},
            "retries": 0,
            "render": {"timeout_seconds": 15},
        },
        run={"timezone": ZONE},
    )
    report = Pipeline(settings, PluginHost.from_environment(""), WINDOW).run()
    rows = (
        [json.loads(line) for line in out.read_text("utf-8").splitlines()] if out.exists() else []
    )
    return report, rows


def starts(rows: list[dict[str, Any]]) -> set[tuple[str, str]]:
    return {
        (r["title"], datetime.fromisoformat(r["start"]).replace(tzinfo=None).isoformat())
        for r in rows
    }


def test_crawl_follows_pagination_to_every_event_page_once(tmp_path: Path) -> None:
    truth = build_site(tmp_path / "site", pages=12, per_listing=5)
    with serve(tmp_path / "site") as server:
        crawl = {
            "follow": ["/events/e\\d+"],
            "deny": ["/private/"],
            "max_depth": 1,
            "max_pages": 100,
        }
        report, rows = run(
            tmp_path,
            [{"name": "studio", "url": server.url("/events/"), "timezone": ZONE, "crawl": crawl}],
            server.base,
        )
        paths = [path for path, _ in server.requests]
    assert starts(rows) == {(e["name"], e["startDate"]) for e in truth}
    assert report.problems == []
    for event in truth:
        assert paths.count(event["path"]) == 1
    assert "/about.html" not in paths and "/events/private/x.html" not in paths
    assert paths.count("/robots.txt") == 1
    assert report.documents_fetched == len(truth) + 3  # three listing pages


def test_max_pages_caps_the_crawl(tmp_path: Path) -> None:
    build_site(tmp_path / "site", pages=12, per_listing=5)
    with serve(tmp_path / "site") as server:
        crawl = {"max_depth": 3, "max_pages": 4}
        report, rows = run(
            tmp_path,
            [{"name": "studio", "url": server.url("/events/"), "crawl": crawl}],
            server.base,
        )
        fetched = [p for p, _ in server.requests if p != "/robots.txt"]
    assert len(fetched) == 4 == report.documents_fetched
    assert len(rows) <= 3


def test_sitemap_seed_and_depth_zero_means_no_link_following(tmp_path: Path) -> None:
    truth = build_site(tmp_path / "site", pages=7, per_listing=5)
    with serve(tmp_path / "site") as server:
        template = (tmp_path / "site" / "sitemap.xml.tmpl").read_text("utf-8")
        (tmp_path / "site" / "sitemap.xml").write_text(
            template.replace("{base}", server.base), "utf-8"
        )
        report, rows = run(
            tmp_path,
            [{"name": "s", "url": server.url("/sitemap.xml"), "crawl": {"max_depth": 1}}],
            server.base,
        )
        paths = [p for p, _ in server.requests]
    assert starts(rows) == {(e["name"], e["startDate"]) for e in truth}
    assert (
        "/events/" not in paths and "/about.html" not in paths
    )  # event pages are leaves at depth 1
    assert report.problems == []


def test_without_crawl_rules_only_the_seed_is_fetched(tmp_path: Path) -> None:
    build_site(tmp_path / "site", pages=3, per_listing=5)
    with serve(tmp_path / "site") as server:
        report, _ = run(tmp_path, [{"name": "s", "url": server.url("/events/")}], server.base)
        fetched = [p for p, _ in server.requests if p != "/robots.txt"]
    assert fetched == ["/events/"]
    assert report.documents_fetched == 1


def _calendar_truth() -> set[tuple[str, str]]:
    events = json.loads((FIXTURES / "calendar" / "events.json").read_text("utf-8"))["events"]
    return {
        (e["name"], datetime.fromisoformat(e["startDate"]).replace(tzinfo=None).isoformat())
        for e in events
    }


@needs_chromium
@pytest.mark.parametrize("render", ["js", "auto"])
def test_script_built_calendar_is_rendered(tmp_path: Path, render: str) -> None:
    with serve(FIXTURES) as server:
        report, rows = run(
            tmp_path,
            [
                {
                    "name": "noche",
                    "url": server.url("/calendar/"),
                    "timezone": ZONE,
                    "render": render,
                }
            ],
            server.base,
        )
    assert starts(rows) == _calendar_truth()
    assert {r["venue"] for r in rows} == {"Hall 7", "Studio B"}
    assert all(r["url"].startswith(server.base + "/calendar/events/") for r in rows)
    assert report.problems == []


def test_static_render_leaves_a_script_built_page_empty_and_says_so(tmp_path: Path) -> None:
    with serve(FIXTURES) as server:
        report, rows = run(
            tmp_path,
            [{"name": "noche", "url": server.url("/calendar/"), "render": "static"}],
            server.base,
        )
    assert rows == []
    assert [p.stage for p in report.problems] == ["extract"]


def test_robots_txt_is_obeyed_unless_the_source_is_exempt(tmp_path: Path) -> None:
    truth = build_site(tmp_path / "site", pages=2, per_listing=5)
    (tmp_path / "site" / "robots.txt").write_text("User-agent: *\nDisallow: /events/\n", "utf-8")
    with serve(tmp_path / "site") as server:
        urls = [server.url(e["path"]) for e in truth]
        polite, polite_rows = run(tmp_path, [{"name": "a", "url": u} for u in urls], server.base)
        exempt, exempt_rows = run(
            tmp_path, [{"name": "b", "url": u, "robots": False} for u in urls], server.base
        )
    assert polite_rows == [] and polite.documents_failed == 2
    assert {p.reason for p in polite.problems} == {"disallowed by robots.txt"}
    assert len(exempt_rows) == 2 and exempt.problems == []


def test_failing_host_opens_its_breaker_and_the_run_goes_on(tmp_path: Path) -> None:
    from loopback import Reply

    routes = {f"/down{n}.html": Reply(503, b"busy") for n in range(4)}
    with serve(tmp_path, routes) as server:
        settings = Settings(
            sources=[{"name": f"s{n}", "url": server.url(f"/down{n}.html")} for n in range(4)],
            sinks=[f"jsonl:{tmp_path / 'out.jsonl'}"],
            alerts=[],
            fetch={
                "retries": 0,
                "breaker_failures": 2,
                "concurrency": 1,
                "per_host_delay_seconds": 0,
            },
        )
        pipeline = Pipeline(settings, PluginHost.from_environment(""), WINDOW)
        report = pipeline.run()
        hits = [p for p, _ in server.requests if p.startswith("/down")]
    assert report.documents_failed == 4
    reasons = [p.reason for p in report.problems]
    assert sum("HTTP 503" in r for r in reasons) == 2
    assert sum("circuit open" in r for r in reasons) == 2
    assert len(hits) == 2
    assert pipeline.host_health[server.base.removeprefix("http://")]["state"] == "open"


def test_unchanged_pages_skip_extraction_on_the_next_run(tmp_path: Path) -> None:
    from loopback import Reply

    truth = build_site(tmp_path / "site", pages=2, per_listing=5)
    page = (tmp_path / "site" / "events" / "e1.html").read_bytes()
    # One page with an ETag (static file), one without validators (scripted route).
    live = {"/live/e1.html": Reply(200, page, {"Content-Type": "text/html; charset=utf-8"})}
    state = tmp_path / "state" / "validators.json"
    with serve(tmp_path / "site", live) as server:
        sources = [
            {"name": "etag", "url": server.url(truth[0]["path"])},
            {"name": "plain", "url": server.url("/live/e1.html")},
        ]
        settings = {
            "sources": sources,
            "alerts": [],
            "fetch": {"state_path": str(state), "per_host_delay_seconds": 0},
        }

        def once() -> Any:
            out = tmp_path / "out.jsonl"
            s = Settings(**settings, sinks=[f"jsonl:{out}"])
            return Pipeline(s, PluginHost.from_environment(""), WINDOW).run()

        first = once()
        second = once()
        live["/live/e1.html"] = Reply(
            200,
            page.replace(b"Salsa Social No. 1", b"Salsa Social No. 1 (moved)"),
            {"Content-Type": "text/html; charset=utf-8"},
        )
        server.routes.update(live)
        third = once()
        etag_requests = [h for p, h in server.requests if p == truth[0]["path"]]
    assert first.events_extracted == 2 and first.problems == []
    assert second.events_extracted == 0 and second.problems == []  # 304 and same bytes
    assert second.documents_fetched == 2
    assert "If-None-Match" in etag_requests[1]
    assert third.events_extracted == 1  # only the page whose content changed
    assert state.is_file() and state.with_name(state.name + ".pages").is_file()


def test_sitemaps_named_in_robots_txt_lead_to_the_pages(tmp_path: Path) -> None:
    truth = build_site(tmp_path / "site", pages=4, per_listing=5)
    with serve(tmp_path / "site") as server:
        site = tmp_path / "site"
        template = (site / "sitemap.xml.tmpl").read_text("utf-8")
        index = f'<?xml version="1.0"?><sitemapindex><sitemap><loc>{server.base}/sitemap.xml</loc></sitemap></sitemapindex>'
        (site / "sitemap.xml").write_text(template.replace("{base}", server.base), "utf-8")
        (site / "sitemap-index.xml").write_text(index, "utf-8")
        (site / "robots.txt").write_text(
            f"User-agent: *\nAllow: /\nSitemap: {server.base}/sitemap-index.xml\n", "utf-8"
        )
        report, rows = run(
            tmp_path,
            [{"name": "s", "url": server.url("/about.html"), "crawl": {"max_depth": 1}}],
            server.base,
        )
    assert starts(rows) == {(e["name"], e["startDate"]) for e in truth}
    assert report.problems == []


def test_an_unchanged_crawl_still_walks_its_links_but_extracts_nothing(tmp_path: Path) -> None:
    truth = build_site(tmp_path / "site", pages=6, per_listing=5)
    state = tmp_path / "validators.json"
    with serve(tmp_path / "site") as server:
        source = {
            "name": "s",
            "url": server.url("/events/"),
            "crawl": {"max_depth": 1, "follow": ["/events/e"]},
        }

        def once() -> Any:
            s = Settings(
                sources=[source], sinks=[f"jsonl:{tmp_path / 'o.jsonl'}"], alerts=[],
                fetch={"state_path": str(state), "per_host_delay_seconds": 0},
            )  # fmt: skip
            return Pipeline(s, PluginHost.from_environment(""), WINDOW).run()

        first, second = once(), once()
        listing_headers = [h for p, h in server.requests if p == "/events/"]
    assert first.events_extracted == len(truth)
    assert second.documents_fetched == first.documents_fetched == len(truth) + 2
    assert second.events_extracted == 0 and second.problems == []
    assert "If-None-Match" not in listing_headers[1]  # hubs come in full, for their links


def test_auto_render_without_a_browser_reports_both_problems(tmp_path: Path) -> None:
    with serve(FIXTURES) as server:
        settings = Settings(
            sources=[{"name": "noche", "url": server.url("/calendar/")}],
            sinks=[f"jsonl:{tmp_path / 'o.jsonl'}"],
            alerts=[],
            fetch={
                "per_host_delay_seconds": 0,
                "render": {"executable": str(tmp_path / "no-chromium")},
            },
        )
        report = Pipeline(settings, PluginHost.from_environment(""), WINDOW).run()
    stages = sorted(p.stage for p in report.problems)
    assert stages == ["extract", "fetch"]
    render_problem = next(p for p in report.problems if p.stage == "fetch")
    assert "looks built by JavaScript" in render_problem.reason
    assert "cannot render JavaScript" in render_problem.reason
    assert report.documents_fetched == 1 and report.events_extracted == 0


def test_a_hub_whose_links_were_all_seen_is_not_a_problem(tmp_path: Path) -> None:
    truth = build_site(tmp_path / "site", pages=2, per_listing=5)
    links = "".join(f'<a href="{e["path"]}">{e["name"]}</a>' for e in truth)
    (tmp_path / "site" / "hub1.html").write_text(
        f'<p>{links}<a href="/hub2.html">more</a></p>', "utf-8"
    )
    (tmp_path / "site" / "hub2.html").write_text(f"<p>{links}</p>", "utf-8")
    with serve(tmp_path / "site") as server:
        crawl = {"max_depth": 2, "follow": ["/events/e", "/hub"]}
        report, rows = run(
            tmp_path, [{"name": "s", "url": server.url("/hub1.html"), "crawl": crawl}], server.base
        )
    assert len(rows) == len(truth)
    assert report.documents_fetched == 2 + len(truth)
    assert report.problems == []


def test_a_big_page_is_extracted_off_the_event_loop(tmp_path: Path) -> None:
    truth = build_site(tmp_path / "site", pages=1, per_listing=5)
    page = tmp_path / "site" / "events" / "e0.html"
    padding = "<p>" + "Salsa on Friday. " * 20_000 + "</p>"  # ~340 KB, over the inline limit
    page.write_text(page.read_text("utf-8").replace("</body>", padding + "</body>"), "utf-8")
    with serve(tmp_path / "site") as server:
        report, rows = run(
            tmp_path, [{"name": "s", "url": server.url(truth[0]["path"])}], server.base
        )
    assert starts(rows) == {(truth[0]["name"], truth[0]["startDate"])}
    assert report.problems == []
