"""Properties of dedup over generated listings: order, idempotence, blocking, membership."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from dancescrape.dedup import dedup, dedup_rows
from dedup.strategies import frames


def _partition(frame: pl.DataFrame, event_ids: pl.Series) -> set[frozenset[int]]:
    """Clusters as sets of row identities (the `rid` column), independent of numbering."""
    groups = pl.DataFrame({"rid": frame["rid"], "e": event_ids}).group_by("e").agg("rid")
    return {frozenset(r) for r in groups["rid"].to_list()}


@settings(max_examples=60, deadline=None)
@given(frames(), st.randoms(use_true_random=False))
def test_result_does_not_depend_on_input_order(frame: pl.DataFrame, rnd: object) -> None:
    frame = frame.with_row_index("rid")
    order = list(range(frame.height))
    rnd.shuffle(order)  # type: ignore[attr-defined]
    shuffled = frame[order]
    a, b = dedup_rows(frame), dedup_rows(shuffled)
    assert _partition(frame, a.rows["event_id"]) == _partition(shuffled, b.rows["event_id"])
    # The same row gets the same event_id whatever the order.
    by_rid = dict(zip(frame["rid"], a.rows["event_id"], strict=True))
    assert all(by_rid[r] == e for r, e in zip(shuffled["rid"], b.rows["event_id"], strict=True))
    ids = sorted(dedup(frame).events["event_id"])
    assert ids == sorted(dedup(shuffled).events["event_id"])


@settings(max_examples=60, deadline=None)
@given(frames())
def test_dedup_is_idempotent(frame: pl.DataFrame) -> None:
    first = dedup(frame)
    again = dedup(first.events)
    assert again.stats.merged == 0
    assert again.events.height == first.events.height


@settings(max_examples=60, deadline=None)
@given(frames())
def test_different_city_or_local_date_never_merge(frame: pl.DataFrame) -> None:
    rows = dedup_rows(frame).rows
    spread = (
        pl.concat([frame.select("city"), rows.select("event_id", "local_day")], how="horizontal")
        .group_by("event_id")
        .agg(pl.col("city").n_unique(), pl.col("local_day").n_unique())
    )
    assert (spread["city"] <= 1).all()
    assert (spread["local_day"] <= 1).all()


@settings(max_examples=60, deadline=None)
@given(frames())
def test_every_row_is_in_exactly_one_cluster_with_one_canonical_row(frame: pl.DataFrame) -> None:
    result = dedup(frame)
    clusters = result.clusters
    assert clusters.height == frame.height
    assert clusters["row"].to_list() == list(range(frame.height))
    per_event = clusters.group_by("event_id").agg(
        pl.col("cluster").n_unique(), (pl.col("rank") == 0).sum().alias("leads")
    )
    assert (per_event["cluster"] == 1).all() and (per_event["leads"] == 1).all()
    assert sorted(result.events["event_id"]) == sorted(per_event["event_id"])
    # Provenance of every member survives the merge, each once.
    provenance = pl.struct("source", "source_url", "source_event_id", "url")
    members = clusters.group_by("event_id").agg(provenance.n_unique().alias("members"))
    merged = result.events.select("event_id", kept=pl.col("sources").list.len())
    joined = members.join(merged, on="event_id")
    assert joined.height == members.height
    assert (joined["members"] == joined["kept"]).all()
