"""Crawl rules, request fingerprints, link discovery and sitemaps."""

from __future__ import annotations

import gzip
import re
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from dancescrape.model.document import Document, Target
from dancescrape.sources.crawl import (
    CrawlRules,
    Frontier,
    canonical_url,
    fingerprint,
    is_sitemap,
    may_paginate,
    page_links,
    sitemap_locations,
    sitemap_text,
)

SEED = Target("https://studio.example/events/", "studio")
segments = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=8)
paths = st.lists(segments, min_size=0, max_size=4).map(lambda parts: "/" + "/".join(parts))
queries = st.lists(st.tuples(segments, segments), max_size=4)


def html_document(body: str, url: str = "https://studio.example/events/") -> Document:
    return Document(
        Target(url, "studio"), url, body.encode(), "text/html; charset=utf-8", 200, {}, body
    )


@given(paths, queries, segments)
def test_fingerprint_ignores_what_does_not_change_the_page(
    path: str, query: list[tuple[str, str]], fragment: str
) -> None:
    plain = "https://Studio.Example:443" + path + ("?" if query else "")
    plain += "&".join(f"{k}={v}" for k, v in query)
    shuffled = (
        "https://studio.example"
        + path
        + "?"
        + "&".join([f"{k}={v}" for k, v in reversed(query)] + ["utm_source=news"])
    )
    assert fingerprint(plain) == fingerprint(shuffled + "#" + fragment)
    assert canonical_url(canonical_url(plain)) == canonical_url(plain)


@given(paths, paths)
def test_different_paths_are_different_requests(a: str, b: str) -> None:
    same = (a or "/") == (b or "/")
    assert (fingerprint("https://s.example" + a) == fingerprint("https://s.example" + b)) is same


@settings(max_examples=300)
@given(st.text(max_size=120))
def test_canonical_url_never_raises(text: str) -> None:
    assert isinstance(canonical_url(text), str)


def test_links_are_absolute_deduplicated_and_pagination_is_marked() -> None:
    document = html_document(
        """<html><head><link rel="next" href="?page=2"><link rel="stylesheet" href="/s.css"></head>
        <body><a href="salsa.html">Salsa</a><a href="salsa.html#top">again</a>
        <a href="mailto:x@y.z">mail</a><a href="javascript:void(0)">js</a>
        <a class="next" href="/events/?page=2">Next »</a><a href="https://other.example/">away</a>
        </body></html>"""
    )
    links = {link.url: link.pagination for link in page_links(document)}
    assert links == {
        "https://studio.example/events/?page=2": True,
        "https://studio.example/events/salsa.html": False,
        "https://other.example/": False,
    }


def test_base_href_is_honoured() -> None:
    document = html_document('<base href="https://studio.example/a/"><a href="b.html">b</a>')
    assert [link.url for link in page_links(document)] == ["https://studio.example/a/b.html"]


@settings(max_examples=200)
@given(st.text(max_size=300))
def test_link_discovery_never_raises(text: str) -> None:
    for link in page_links(html_document(text)):
        assert urlsplit(link.url).scheme in ("http", "https", "file")


def test_sitemaps_and_sitemap_indexes() -> None:
    urlset = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc>https://s.example/e/1?a=1&amp;b=2</loc></url>"
        "<url><loc> https://s.example/e/2 </loc></url><url><loc>ftp://nope</loc></url></urlset>"
    )
    index = (
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<sitemap><loc>https://s.example/sitemap-1.xml</loc></sitemap></sitemapindex>"
    )
    assert sitemap_locations(urlset) == (
        ["https://s.example/e/1?a=1&b=2", "https://s.example/e/2"],
        [],
    )
    assert sitemap_locations(index) == ([], ["https://s.example/sitemap-1.xml"])
    doc = Document(
        SEED, "https://s.example/sitemap.xml", urlset.encode(), "application/xml", 200, {}, urlset
    )
    assert is_sitemap(doc)
    assert not is_sitemap(html_document("<p>hello</p>"))


@settings(max_examples=200)
@given(st.text(max_size=400))
def test_sitemap_reading_never_raises(text: str) -> None:
    pages, sitemaps = sitemap_locations(text)
    assert all(u.startswith(("http://", "https://")) for u in pages + sitemaps)


def test_frontier_obeys_patterns_budget_host_and_fingerprints() -> None:
    rules = CrawlRules(
        follow=(re.compile(r"/events/"),), deny=(re.compile(r"/events/private"),), max_pages=4
    )
    frontier = Frontier()
    assert frontier.add_seed(SEED, rules)
    assert not frontier.add_seed(Target("https://STUDIO.example/events/#x", "studio"), rules)
    assert frontier.admit(SEED, "https://studio.example/about") is None  # not a /events/ URL
    assert frontier.admit(SEED, "https://studio.example/about?page=2", pagination=True) is not None
    assert frontier.admit(SEED, "https://studio.example/events/private/1") is None  # denied
    assert frontier.admit(SEED, "https://elsewhere.example/events/1") is None  # other host
    first = frontier.admit(SEED, "https://studio.example/events/1")
    assert first is not None and first.source == "studio"
    assert frontier.admit(SEED, "https://studio.example/events/1?utm_medium=x") is None  # seen
    assert frontier.admit(SEED, "https://studio.example/events/2") is not None
    assert frontier.admit(SEED, "https://studio.example/events/3") is None  # budget of 4 spent


@given(st.lists(paths, max_size=30), st.integers(1, 10))
def test_frontier_never_admits_a_page_twice_nor_past_the_budget(
    found: list[str], budget: int
) -> None:
    frontier = Frontier()
    frontier.add_seed(SEED, CrawlRules(max_pages=budget))
    admitted = [frontier.admit(SEED, "https://studio.example" + p) for p in found]
    urls = [t.url for t in admitted if t is not None]
    assert len({fingerprint(u) for u in urls}) == len(urls)
    assert len(urls) <= budget - 1


link_words = st.sampled_from(["Next", "next page", "Older", "»", "→", "Salsa", "About", "2"])
link_rels = st.sampled_from(["", "next", "nofollow", "prev"])
link_classes = st.sampled_from(["", "next", "button", "pager-next"])


@given(st.lists(st.tuples(link_words, link_rels, link_classes, paths), max_size=6))
def test_the_cheap_pagination_check_never_misses_a_next_link(
    anchors: list[tuple[str, str, str, str]],
) -> None:
    body = "".join(
        f'<a href="{path}" rel="{rel}" class="{cls}">{word}</a>' for word, rel, cls, path in anchors
    )
    document = html_document(f"<html><body>{body}</body></html>")
    if any(link.pagination for link in page_links(document)):
        assert may_paginate(document)


def test_gzipped_sitemaps_are_read() -> None:
    xml = '<?xml version="1.0"?><urlset><url><loc>https://s.example/e/9</loc></url></urlset>'
    packed = gzip.compress(xml.encode())
    doc = Document(
        SEED, "https://s.example/sitemap.xml.gz", packed, "application/gzip", 200, {}, None
    )
    text = sitemap_text(doc)
    assert text is not None and sitemap_locations(text) == (["https://s.example/e/9"], [])


@settings(max_examples=200)
@given(st.binary(max_size=300), st.booleans())
def test_sitemap_detection_never_raises_on_any_bytes(content: bytes, packed: bool) -> None:
    body = gzip.compress(content) if packed else content
    doc = Document(SEED, "https://s.example/x", body, "application/octet-stream", 200, {}, None)
    assert sitemap_text(doc) is None or packed


def test_pages_are_remembered_per_source_and_after_redirects() -> None:
    frontier = Frontier()
    other = Target(SEED.url, "other-source")
    assert frontier.add_seed(SEED, CrawlRules())
    assert frontier.add_seed(other)  # another source may name the same page
    frontier.fetched("studio", "https://studio.example/events/2027/")
    assert frontier.admit(SEED, "https://studio.example/events/2027/") is None
    assert frontier.admit(SEED, "https://studio.example/events/2028/") is not None
