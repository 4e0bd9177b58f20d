"""Crawling within a source: which links to follow, and never the same page twice.

A crawl starts from a source's targets (its seeds) and follows links from each fetched
page by the source's rules: URL patterns, a maximum depth and a maximum page count.
Pagination links ("next") stay at their page's depth, so a long listing is walked to
its end within `max_pages`. Sitemaps (urlset and sitemap index) feed their URLs in.
Request fingerprints (a canonical form of the URL) keep every page to one fetch a run.
"""

from __future__ import annotations

import html
import re
import zlib
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import xxhash
from selectolax.lexbor import LexborHTMLParser

from dancescrape.model.document import Document, Target
from dancescrape.ops.config import CrawlSettings

__all__ = [
    "MAX_SITEMAP_BYTES",
    "CrawlRules",
    "Frontier",
    "Link",
    "canonical_url",
    "fingerprint",
    "is_sitemap",
    "may_paginate",
    "page_links",
    "sitemap_locations",
    "sitemap_text",
]

#: Query keys that only track the visitor and never change the page.
_TRACKING = re.compile(r"^(utm_\w+|fbclid|gclid|mc_cid|mc_eid|_ga)$", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}
_NEXT_WORDS = frozenset(
    {"next", "next page", "older", "more", "›", "»", "→", "next ›", "next »", "next →"}
)
#: A cheap first look: a page without any of these has no "next page" link to find.
_MAYBE_NEXT = ("next", "older", "more", "›", "»", "→")
#: The sitemaps protocol caps a sitemap at 50 MB uncompressed; a bigger one is cut there.
MAX_SITEMAP_BYTES = 50 * 1024 * 1024
_LOC = re.compile(r"<loc>\s*(.*?)\s*</loc>", re.I | re.S)
_SITEMAP_ROOT = re.compile(r"<(?:\w+:)?(urlset|sitemapindex)[\s>]", re.I)


def canonical_url(url: str) -> str:
    """The URL as a fingerprint sees it: lower-case scheme and host, no default port,
    no fragment, no tracking parameters, query keys sorted; "" for a URL that is no URL."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return ""
    scheme = parts.scheme.lower()
    host = (parts.hostname or "").lower()
    if port is not None and port != _DEFAULT_PORTS.get(scheme):
        host = f"{host}:{port}"
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)
    )
    return urlunsplit((scheme, host, parts.path or "/", urlencode(query), ""))


def fingerprint(url: str, method: str = "GET") -> str:
    """A short stable id of the request, equal for URLs that name the same page."""
    return xxhash.xxh3_64_hexdigest(f"{method.upper()} {canonical_url(url)}".encode())


@dataclass(slots=True, frozen=True)
class Link:
    url: str
    #: A "next page" link: followed at the same depth and whatever the patterns say.
    pagination: bool = False


def page_links(document: Document) -> list[Link]:
    """Every http(s)/file link on an HTML page, absolute, in page order, without repeats."""
    text = document.text or ""
    if not text or ("html" not in document.media_type and not text.lstrip().startswith("<")):
        return []
    tree = LexborHTMLParser(text)
    base_node = tree.css_first("base[href]")
    base = (
        urljoin(document.url, base_node.attributes.get("href") or "") if base_node else document.url
    )
    found: dict[str, Link] = {}
    for node in tree.css("a[href], link[href][rel]"):
        attrs = node.attributes
        href = (attrs.get("href") or "").strip()
        if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
            continue
        rel = (attrs.get("rel") or "").lower().split()
        if node.tag == "link" and "next" not in rel:
            continue  # stylesheets, icons and the like are not pages
        try:
            url = urljoin(base, href).split("#", 1)[0]
        except ValueError:
            continue
        if urlsplit(url).scheme.lower() not in ("http", "https", "file"):
            continue
        words = " ".join((node.text() or "").split()).lower()
        classes = (attrs.get("class") or "").lower()
        is_next = "next" in rel or words in _NEXT_WORDS or "next" in classes.split()
        previous = found.get(url)
        found[url] = Link(url, is_next or (previous.pagination if previous else False))
    return list(found.values())


def may_paginate(document: Document) -> bool:
    """False when the page certainly has no pagination link, so a leaf page need not be parsed."""
    lowered = (document.text or "").lower()  # plain `in` tests beat one case-blind regex here
    return any(word in lowered for word in _MAYBE_NEXT)


def sitemap_text(document: Document) -> str | None:
    """The XML of a sitemap document (plain, or a gzipped `.xml.gz`), else None."""
    text, gzipped = document.text, False
    if text is None and document.content[:2] == b"\x1f\x8b":
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            raw = inflater.decompress(document.content, MAX_SITEMAP_BYTES)
        except zlib.error:
            return None
        text, gzipped = raw.decode("utf-8", errors="replace"), True
    if not text:
        return None
    head = text[:2048]
    xmlish = gzipped or "xml" in document.media_type or head.lstrip().startswith("<?xml")
    return text if xmlish and _SITEMAP_ROOT.search(head) else None


def is_sitemap(document: Document) -> bool:
    return sitemap_text(document) is not None


def sitemap_locations(text: str) -> tuple[list[str], list[str]]:
    """(page URLs, child sitemap URLs) of a sitemap or sitemap index.

    A regular expression, not an XML parser: sitemaps are flat, and this way a hostile
    one cannot expand entities or nest without end.
    """
    root = _SITEMAP_ROOT.search(text[:4096])
    locations = [html.unescape(m) for m in _LOC.findall(text)]
    locations = [u for u in locations if urlsplit(u).scheme.lower() in ("http", "https")]
    if root is not None and root.group(1).lower() == "sitemapindex":
        return [], locations
    return locations, []


@dataclass(slots=True, frozen=True)
class CrawlRules:
    follow: tuple[re.Pattern[str], ...] = ()
    deny: tuple[re.Pattern[str], ...] = ()
    max_depth: int = 2
    max_pages: int = 200
    pagination: bool = True
    sitemaps: bool = True
    same_host: bool = True

    @classmethod
    def from_settings(cls, settings: CrawlSettings) -> CrawlRules:
        return cls(
            tuple(re.compile(p) for p in settings.follow),
            tuple(re.compile(p) for p in settings.deny),
            settings.max_depth,
            settings.max_pages,
            settings.pagination,
            settings.sitemaps,
            settings.same_host,
        )

    def wants(self, url: str, pagination: bool = False) -> bool:
        """Whether the patterns let `url` in; pagination skips `follow` but never `deny`."""
        if any(p.search(url) for p in self.deny):
            return False
        if pagination and self.pagination:
            return True
        return not self.follow or any(p.search(url) for p in self.follow)


@dataclass(slots=True)
class _SourceCrawl:
    rules: CrawlRules
    hosts: set[str]
    pages: int = 0


@dataclass(slots=True)
class Frontier:
    """The run's record of requested pages, and each crawling source's budget.

    Pages are remembered per source: within a source no page is requested twice, while
    two configured sources naming the same page each still get it (with their own
    settings and provenance), as before crawling existed.
    """

    _seen: set[str] = field(default_factory=set)
    _crawls: dict[str, _SourceCrawl] = field(default_factory=dict)

    def crawls(self, source: str) -> bool:
        return source in self._crawls

    def rules(self, source: str) -> CrawlRules | None:
        crawl = self._crawls.get(source)
        return crawl.rules if crawl else None

    def add_seed(self, target: Target, rules: CrawlRules | None = None) -> bool:
        """Admit a source's own target; False when that page is already on the list."""
        key = f"{target.source}\x00{fingerprint(target.url)}"
        if key in self._seen:
            return False
        self._seen.add(key)
        if rules is not None:
            crawl = self._crawls.setdefault(target.source, _SourceCrawl(rules, set()))
            crawl.hosts.add(_host(target.url))
            crawl.pages += 1
        return True

    def fetched(self, source: str, final_url: str) -> None:
        """Remember where a request ended up after redirects, so links there are not followed."""
        self._seen.add(f"{source}\x00{fingerprint(final_url)}")

    def admit(self, seed: Target, url: str, pagination: bool = False) -> Target | None:
        """A new target for `url` found in a page of `seed`'s source, or None when the rules,
        the page budget or an earlier request of the same page say no."""
        crawl = self._crawls.get(seed.source)
        if crawl is None or crawl.pages >= crawl.rules.max_pages:
            return None
        if crawl.rules.same_host and _host(url) not in crawl.hosts:
            return None
        if not crawl.rules.wants(url, pagination):
            return None
        key = f"{seed.source}\x00{fingerprint(url)}"
        if key in self._seen:
            return None
        self._seen.add(key)
        crawl.pages += 1
        return Target(url, seed.source, seed.timezone, seed.extractor)


def _host(url: str) -> str:
    try:
        parts = urlsplit(url)
        return f"{parts.scheme.lower()}://{parts.netloc.lower()}"
    except ValueError:
        return ""
