"""Declarative site rules: naming the file on the target, bad rules files, fuzzing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext
from dancescrape.extract.siterules import PREFIX, SiteRulesExtractor, load_rules
from dancescrape.model.document import Document, Target
from dancescrape.model.event import Event

SITE = Path(__file__).resolve().parent.parent / "fixtures" / "sites" / "westie-rules"
URL = "https://westies.example/westie-rules/calendar.html"
WINDOW = (date(2026, 12, 1), date(2026, 12, 20))


def _doc(rules: Path | str, html: str | None = None, url: str = URL) -> Document:
    text = html if html is not None else (SITE / "calendar.html").read_text()
    return Document(
        Target(url, "westies", None, f"{PREFIX}{rules}"), url, text.encode(), "text/html", text=text
    )


def _write(tmp_path: Path, rules: object) -> Path:
    path = tmp_path / "rules.yaml"
    path.write_text(rules if isinstance(rules, str) else yaml.safe_dump(rules))
    return path


def test_rules_named_on_the_target() -> None:
    context = ExtractContext("UTC", *WINDOW)
    extractor = SiteRulesExtractor()
    doc = _doc(SITE / "rules.yaml")
    assert extractor.accepts(doc)
    events = extractor.extract(doc, context)
    assert [(e.title, e.start.isoformat()) for e in events][:2] == [
        ("WCS Friday Dance", "2026-12-04T20:00:00-08:00"),
        ("Westie Technique Intensive", "2026-12-12T13:00:00-08:00"),
    ]
    assert [p.reason for p in context.problems] == ["item 4: no date or recurring day in 'TBA'"]


def test_not_ours_without_rules(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DANCESCRAPE_SITE_RULES", raising=False)
    url = "https://other.example/"
    doc = Document(Target(url, "x"), url, b"<p>hi</p>", "text/html", text="<p>hi</p>")
    assert not SiteRulesExtractor().accepts(doc)


def test_env_rules_claim_only_matching_urls(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DANCESCRAPE_SITE_RULES", str(SITE))
    text = (SITE / "calendar.html").read_text()
    mine = Document(Target(URL, "w"), URL, text.encode(), "text/html", text=text)
    other = Document(
        Target("https://x.example/a", "w"), "https://x.example/a", b"", "text/html", text=""
    )
    assert SiteRulesExtractor().accepts(mine)
    assert not SiteRulesExtractor().accepts(other)


GOOD = {"pages": [{"match": "*", "item": "div.card", "fields": {"title": "h3", "when": "p.when"}}]}


@pytest.mark.parametrize(
    ("rules", "reason"),
    [
        ("pages: [unclosed", "not valid YAML"),
        ("- just a list", "must be a YAML mapping"),
        ({"pages": []}, "pages: List should have at least 1 item"),
        ({"pages": [{"fields": {"title": "h3"}}]}, "fields.when or fields.start is required"),
        (
            {"pages": [{"fields": {"title": "h3", "when": "p", "colour": "x"}}]},
            "unknown field(s) ['colour']",
        ),
        (
            {"pages": [{"item": "div[", "fields": {"title": "h3", "when": "p"}}]},
            "invalid CSS selector 'div['",
        ),
        ({"pages": [{"fields": {"title": "h3>>", "when": "p"}}]}, "title: invalid CSS selector"),
        (
            {"pages": [{**GOOD["pages"][0], "defaults": {"event_type": "rave"}}]},
            "event_type must be one of",
        ),
        (
            {"pages": [{**GOOD["pages"][0], "match": "*/nowhere/*"}]},
            "no page rule matches this URL",
        ),
        ({"pages": [{**GOOD["pages"][0], "item": "section.none"}]}, "matches nothing"),
    ],
)
def test_bad_rules_are_document_errors_naming_the_file(
    tmp_path: Path, rules: object, reason: str
) -> None:
    path = _write(tmp_path, rules)
    with pytest.raises(ExtractError, match="site rules") as caught:
        SiteRulesExtractor().extract(_doc(path), ExtractContext("UTC", *WINDOW))
    assert reason in caught.value.reason and str(path) in caught.value.reason


def test_missing_rules_file(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="cannot read it"):
        load_rules(tmp_path / "absent.yaml")


_HTML = st.lists(
    st.sampled_from(
        [
            '<div class="card">',
            "</div>",
            "<h3>",
            "</h3>",
            '<p class="when">',
            "</p>",
            "Fri, Dec 4",
            "8pm–midnight",
            "every Tuesday",
            "$15",
            '<time class="start" datetime="2026-12-05T20:00">',
            '<time class="start" datetime="soon">',
            "<a href='/x'>",
            "</a>",
            "<<",
            "&#0;",
            "Mon, Feb 30",
        ]
    ),
    max_size=40,
).map("".join)


@settings(max_examples=150, deadline=None)
@given(_HTML)
def test_fuzz_only_extract_errors_escape(html: str) -> None:
    try:
        events = SiteRulesExtractor().extract(
            _doc(SITE / "rules.yaml", html), ExtractContext("UTC", *WINDOW)
        )
    except ExtractError as exc:
        assert exc.reason
        return
    assert all(isinstance(e, Event) for e in events)


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(["title", "when", "start", "end", "price", "url"]),
        st.text(max_size=12),
        min_size=1,
    )
)
def test_fuzz_rules_files(fields: dict[str, str]) -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = _write(Path(folder), {"pages": [{"item": "div.card", "fields": fields}]})
        try:
            events = SiteRulesExtractor().extract(_doc(path), ExtractContext("UTC", *WINDOW))
        except ExtractError as exc:
            assert exc.reason
            return
    assert all(isinstance(e, Event) for e in events)
