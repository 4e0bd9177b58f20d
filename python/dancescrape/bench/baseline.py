"""The same dedup algorithm without Rust: polars expressions plus rapidfuzz.

Written to be the best honest baseline: vectorised polars for normalisation,
blocking and filtering; rapidfuzz's multi-threaded `cpdist` for the similarity of
aligned pairs, computed cheapest first on the pairs that survive each step; a
plain union-find with the same guards for clustering. Stable keys use the
`xxhash` package, since polars' own hash is not stable across versions.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import polars as pl
import xxhash
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel
from rapidfuzz.process import cpdist

from dancescrape.dedup.frames import check_columns
from dancescrape.dedup.options import DedupOptions

__all__ = ["baseline_dedup"]

TITLE_NOISE = [
    "a", "an", "and", "at", "by", "feat", "featuring", "ft", "of", "present", "presented",
    "presents", "the", "with",
]  # fmt: skip
VENUE_GENERIC = [
    "academy", "ballroom", "bar", "center", "centre", "club", "dance", "dancing", "hall", "lounge",
    "room", "salon", "school", "studio", "studios", "the",
]  # fmt: skip
STREET_SUFFIXES = {
    "avenue": "ave", "boulevard": "blvd", "drive": "dr", "lane": "ln", "place": "pl",
    "road": "rd", "square": "sq", "street": "st",
}  # fmt: skip
MICROS_PER_MINUTE = 60_000_000


def _fold(column: str) -> pl.Expr:
    # NFKC + lower case, then every run of non-alphanumerics becomes one space.
    return (
        pl.col(column)
        .fill_null("")
        .str.normalize("NFKC")
        .str.to_lowercase()
        .str.replace_all(r"[^\p{Alphabetic}\p{N}]+", " ")
        .str.strip_chars()
    )


def _keep_words(folded: pl.Expr, drop: list[str], *, venue: bool = False) -> pl.Expr:
    word = pl.element()
    keep = ~word.is_in(drop) & (word != "")
    if venue:
        keep = keep & ~word.str.contains(r"^[0-9]+$")
    words = folded.str.split(" ").list.eval(
        word.filter(keep).replace(STREET_SUFFIXES) if venue else word.filter(keep)
    )
    kept = words.list.join(" ")
    return pl.when(kept == "").then(folded).otherwise(kept)


def _hex128(material: pl.Series) -> pl.Series:
    return pl.Series(
        [None if m is None else xxhash.xxh3_128_hexdigest(m.encode()) for m in material],
        dtype=pl.String,
    )


def _similarity(
    scorer: Callable[..., Any], a: Sequence[str], b: Sequence[str], scale: float = 1.0
) -> pl.Series:
    if not a:
        return pl.Series([], dtype=pl.Float64)
    return pl.Series(cpdist(a, b, scorer=scorer, workers=-1, dtype="float64")) / scale


def _venue_scores(pairs: pl.DataFrame) -> pl.Series:
    """Indel, raised by the token-set measure for venues that share a word."""
    a, b = pairs["venue_norm"].to_list(), pairs["venue_norm_b"].to_list()
    indel = _similarity(Indel.normalized_similarity, a, b)
    shared = (
        pairs["venue_norm"]
        .str.split(" ")
        .list.set_intersection(pairs["venue_norm_b"].str.split(" "))
        .list.len()
        > 0
    )
    need = (indel < 1) & shared
    idx = need.arg_true()
    token = _similarity(fuzz.token_set_ratio, [a[i] for i in idx], [b[i] for i in idx], 100.0)
    if not len(idx):
        return indel
    picked = indel.gather(idx)
    return indel.scatter(idx, picked.zip_with(picked >= token, token))


def _qualify(key_hex: str, city: str) -> str:
    material = (
        bytes.fromhex(key_hex)[::-1] + b"\x1f" + city.encode()
    )  # the key's little-endian bytes
    return str(xxhash.xxh3_128_hexdigest(material))


def _local_days(frame: pl.DataFrame, zones: list[str]) -> pl.Series:
    """The local date of every start, in its row's zone (UTC when the zone is unknown).

    Zone offsets only change on quarter-hour boundaries, so each distinct (zone,
    quarter hour) is converted once and joined back: a few thousand conversions
    instead of one pass over the frame per zone.
    """
    if len(zones) <= 1:  # one zone (or none): a single pass is cheapest
        local = pl.col("start").dt.date()
        if zones and frame["timezone"].null_count() == 0:
            # Every row in the one zone: no per-row test of the zone needed.
            local = pl.col("start").dt.convert_time_zone(zones[0]).dt.date()
        elif zones:
            local = (
                pl.when(pl.col("timezone") == zones[0])
                .then(pl.col("start").dt.convert_time_zone(zones[0]).dt.date())
                .otherwise(local)
            )
        return frame.select(local.alias("local_day")).to_series()
    quarter = pl.col("start").dt.truncate("15m")
    keys = frame.select(pl.col("timezone"), quarter.alias("quarter"))
    distinct = keys.unique()
    local = pl.col("quarter").dt.date()  # no zone known: the UTC date
    for zone in zones:
        local = (
            pl.when(pl.col("timezone") == zone)
            .then(pl.col("quarter").dt.convert_time_zone(zone).dt.date())
            .otherwise(local)
        )
    table = distinct.with_columns(local.alias("local_day"))
    joined = keys.join(
        table, on=["timezone", "quarter"], how="left", nulls_equal=True, maintain_order="left"
    )
    return joined["local_day"]


def _with_local_days(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame plus each start's local date, computed in polars."""
    check_columns(frame)
    zones = sorted(z for z in frame["timezone"].unique().to_list() if z is not None)
    return frame.with_columns(_local_days(frame, zones).alias("local_day"))


def _prepare(frame: pl.DataFrame) -> pl.DataFrame:
    # Completeness counts the frame's own columns, as the core does.
    completeness = pl.sum_horizontal(pl.exclude("local_day").is_not_null().cast(pl.UInt32))
    prepared = _with_local_days(frame)
    minute = pl.col("start").dt.epoch("us") // MICROS_PER_MINUTE
    rows = prepared.with_row_index("row").with_columns(
        completeness=completeness,
        title_fold=_fold("title"),
        venue_fold=_fold("venue"),
        city_norm=_fold("city"),
    )
    rows = rows.with_columns(
        # The place in the exact key: the venue, else the city.
        place=pl.when(pl.col("venue_fold") == "")
        .then(pl.col("city_norm"))
        .otherwise(pl.col("venue_fold")),
        title_norm=_keep_words(pl.col("title_fold"), TITLE_NOISE),
        venue_norm=_keep_words(pl.col("venue_fold"), VENUE_GENERIC, venue=True),
    )
    material = rows.select(
        exact=pl.concat_str(
            [pl.lit("dsk1"), "title_fold", "place", minute.cast(pl.String).fill_null("")],
            separator="\x1f",
        ),
        source_key=pl.concat_str(
            [pl.lit("dsk1"), pl.col("source").fill_null(""), "source_event_id"], separator="\x1f"
        ),
    )
    return rows.with_columns(
        exact=_hex128(material["exact"]), source_key=_hex128(material["source_key"])
    )


def _candidates(groups: pl.DataFrame, o: DedupOptions) -> pl.DataFrame:
    window = int(o.window_minutes * MICROS_PER_MINUTE)
    slim = groups.filter(
        pl.col("start").is_not_null()
        & pl.col("local_day").is_not_null()
        & (pl.col("city_norm") != "")
    ).select("gid", "city_norm", "local_day", "start", "single_source")
    pairs = slim.join(slim, on=["city_norm", "local_day"], suffix="_b").filter(
        pl.col("gid") < pl.col("gid_b")
    )
    pairs = pairs.with_columns(
        micros=(pl.col("start_b") - pl.col("start")).dt.total_microseconds().abs()
    )
    keep = pl.col("micros") <= window
    if o.cross_source_only:
        same = pl.col("single_source").is_not_null() & (
            pl.col("single_source").eq_missing(pl.col("single_source_b"))
        )
        keep = keep & ~same
    text = groups.select("gid", "title_norm", "venue_norm")
    return (
        pairs.filter(keep)
        .select("gid", "gid_b", minutes=pl.col("micros") / MICROS_PER_MINUTE)
        .join(text, on="gid")
        .join(text.rename(lambda c: c + "_b"), on="gid_b")
    )


def _score(pairs: pl.DataFrame, o: DedupOptions) -> pl.DataFrame:
    total = o.title_weight + o.venue_weight + o.time_weight
    tw = o.title_weight / total
    time = (1 - pl.col("minutes") / o.window_minutes) if o.window_minutes > 0 else pl.lit(1.0)
    both = (pl.col("venue_norm") != "") & (pl.col("venue_norm_b") != "")
    with_venue = pairs.filter(both)
    with_venue = with_venue.with_columns(venue=_venue_scores(with_venue)).filter(
        pl.col("venue") >= o.venue_reject
    )
    pairs = pl.concat(
        [with_venue, pairs.filter(~both).with_columns(venue=pl.lit(None, pl.Float64))]
    )
    base = (
        o.venue_weight * pl.col("venue").fill_null(o.venue_missing) + o.time_weight * time
    ) / total
    pairs = pairs.with_columns(base=base).filter(
        (pl.col("base") + tw >= o.review)
        & (pl.col("title_norm") != "")
        & (pl.col("title_norm_b") != "")
    )
    indel = _similarity(
        Indel.normalized_similarity, pairs["title_norm"].to_list(), pairs["title_norm_b"].to_list()
    )
    pairs = pairs.with_columns(title=indel)
    short = pairs.filter(pl.col("base") + tw * pl.col("title") < o.accept)
    token = _similarity(
        fuzz.token_set_ratio, short["title_norm"].to_list(), short["title_norm_b"].to_list(), 100.0
    )
    pairs = pl.concat(
        [
            pairs.filter(pl.col("base") + tw * pl.col("title") >= o.accept),
            short.with_columns(title=pl.max_horizontal("title", token)),
        ]
    )
    return pairs.with_columns(score=pl.col("base") + tw * pl.col("title")).filter(
        pl.col("score") >= o.review
    )


def _venue_similarity(a: str, b: str) -> float:
    v = Indel.normalized_similarity(a, b)
    if v >= 1.0 or not set(a.split()) & set(b.split()):
        return v
    return max(v, fuzz.token_set_ratio(a, b) / 100.0)


def _cluster(groups: pl.DataFrame, accepted: pl.DataFrame, o: DedupOptions) -> list[int]:
    parent = list(range(groups.height))
    size = [1] * groups.height
    venues = [[v] if v else [] for v in groups["venue_norm"].to_list()]
    sources = [set(s) for s in groups["sources"].to_list()]

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in accepted.select("gid", "gid_b").iter_rows():
        ra, rb = find(a), find(b)
        if ra == rb:
            continue
        if o.cross_source_only and sources[ra] & sources[rb]:
            continue
        if any(_venue_similarity(x, y) < o.venue_reject for x in venues[ra] for y in venues[rb]):
            continue
        big, small = (ra, rb) if size[ra] >= size[rb] else (rb, ra)
        parent[small] = big
        size[big] += size[small]
        for v in venues[small]:
            if len(venues[big]) < 8 and v not in venues[big]:
                venues[big].append(v)
        sources[big] |= sources[small]
    return [find(i) for i in range(groups.height)]


def baseline_dedup(frame: pl.DataFrame, options: DedupOptions | None = None) -> pl.DataFrame:
    """Per input row: exact_key, event_id and cluster, as `dedup_rows` computes them."""
    o = options or DedupOptions()
    rows = _prepare(frame)
    groups = (
        rows.group_by("exact", "city_norm")
        .agg(
            pl.col("row").min().alias("rep"),
            pl.col("start").min(),
            pl.col("source").unique().alias("sources"),
        )
        .sort("exact", "city_norm")
        .with_row_index("gid")
    )
    groups = (
        groups.with_columns(
            single_source=pl.when(pl.col("sources").list.len() == 1).then(
                pl.col("sources").list.first()
            )
        )
        .join(
            rows.select(pl.col("row").alias("rep"), "title_norm", "venue_norm", "local_day"),
            on="rep",
        )
        .sort("gid")
    )
    pairs = _score(_candidates(groups, o), o)
    # Scores compared to 1e-9, as the core does: ties then break on the keys.
    strength = (pl.col("score") * 1e9).round().cast(pl.Int64)
    accepted = pairs.filter(pl.col("score") >= o.accept).sort(
        [strength, "gid", "gid_b"], descending=[True, False, False]
    )
    roots = pl.Series("root", _cluster(groups, accepted, o), dtype=pl.UInt32)
    priority = {s: i for i, s in enumerate(o.source_priority)}
    gid = groups.select("exact", "city_norm", "gid", roots)
    ranked = (
        rows.join(gid, on=["exact", "city_norm"])
        .with_columns(
            priority=pl.col("source").replace_strict(
                priority, default=len(priority), return_dtype=pl.UInt32
            )
        )
        .sort(
            ["root", "priority", "completeness", "exact", "source_key", "row"],
            descending=[False, False, True, False, False, False],
            nulls_last=False,
        )
        .with_columns(
            event_id=pl.col("exact").first().over("root"),
            rank=pl.col("row").cum_count().over("root") - 1,
            cluster=pl.col("root").rank("dense") - 1,
        )
    )
    # Ids shared by clusters in different cities are qualified by the city, as the core does.
    shared = (
        ranked.group_by("event_id")
        .agg(pl.col("root").n_unique().alias("n"))
        .filter(pl.col("n") > 1)
    )
    if shared.height:
        clash = pl.col("event_id").is_in(shared["event_id"].implode())
        lead_city = pl.col("city_norm").first().over("root")
        qualified = pl.struct(pl.col("event_id"), lead_city.alias("lead_city")).map_elements(
            lambda r: _qualify(r["event_id"], r["lead_city"]), return_dtype=pl.String
        )
        ranked = ranked.with_columns(event_id=pl.when(clash).then(qualified).otherwise("event_id"))
    return ranked.sort("row").select(
        "row", "exact", "event_id", "cluster", "rank", "title_norm", "venue_norm", "city_norm"
    )
