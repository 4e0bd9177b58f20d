"""The dedup API on hand-made listings: merges, traps, review, priority, and bad input."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from dancescrape import _core
from dancescrape.dedup import DedupInputError, DedupOptions, dedup, dedup_rows
from dedup.strategies import to_frame

NINE_PM = datetime(2026, 3, 6, 5, tzinfo=UTC)  # 21:00 in Vancouver, the day before


def listing(
    title: str, venue: str | None, source: str, minutes: int = 0, **more: object
) -> dict[str, object]:
    row: dict[str, object] = {
        "title": title, "venue": venue, "city": "Vancouver", "timezone": "America/Vancouver",
        "start": NINE_PM + timedelta(minutes=minutes), "source": source,
        "source_url": f"https://{source}.example/", "source_event_id": None, "url": None,
        "price": None,
    }  # fmt: skip
    return row | more


def test_cross_source_copies_merge_and_the_trap_stays_apart() -> None:
    frame = to_frame(
        [
            listing("Salsa Social", "The Loft Dance Studio", "loft-site", price="$15"),
            listing("DJ Ana presents: SALSA SOCIAL 💃", "Loft Studios", "tickets", 30),
            listing("salsa social", None, "calendar", -15, url="https://cal.example/1"),
            listing("Bachata Beginner Class", "The Loft Dance Studio", "loft-site", -60),
        ]
    )
    result = dedup(frame)
    assert result.events.height == 2
    social = result.events.filter(pl.col("title") == "Salsa Social").row(0, named=True)
    # The studio's own record leads (most complete); gaps are filled from the copies.
    assert social["price"] == "$15" and social["url"] == "https://cal.example/1"
    assert sorted(p["source"] for p in social["sources"]) == ["calendar", "loft-site", "tickets"]
    assert result.stats.merged == 2


def test_uncertain_pairs_are_reviewed_not_merged() -> None:
    frame = to_frame(
        [listing("Salsa Social", "Rivoli", "a"), listing("Bachata Social", "Rivoli", "b", 10)]
    )
    result = dedup(frame)
    assert result.events.height == 2
    assert result.review.height == 1
    pair = result.review.row(0, named=True)
    assert pair["reason"] == "uncertain"
    assert {pair["left_title"], pair["right_title"]} == {"Salsa Social", "Bachata Social"}
    assert DedupOptions().review <= pair["score"] < DedupOptions().accept


def test_source_priority_picks_the_canonical_record() -> None:
    frame = to_frame(
        [
            listing("Tango Milonga", "Harbour", "tickets", price="$10", url="https://t/1"),
            listing("Tango Milonga", "Harbour", "studio", 5),
        ]
    )
    default = dedup(frame).events.row(0, named=True)
    preferred = dedup(frame, DedupOptions(source_priority=("studio",))).events.row(0, named=True)
    assert default["source"] == "tickets"  # more complete
    assert preferred["source"] == "studio"
    assert preferred["price"] == "$10"  # still filled from the other copy
    assert default["event_id"] != preferred["event_id"]  # the canonical's own key


def test_a_merged_event_speaks_for_every_source_it_came_from() -> None:
    # The site's social, merged earlier with the ticketing copy, now meets a second
    # ticketing listing that night: joining it would put two ticketing events in one
    # cluster, so the guard refuses and the pair goes to review.
    merged = dedup(
        to_frame(
            [listing("Salsa Social", "Loft", "site"), listing("Salsa Social", "Loft", "tix", 5)]
        )
    ).events
    assert merged.height == 1 and merged["sources"].list.len()[0] == 2
    again = pl.concat(
        [merged, to_frame([listing("Salsa Social!", "Loft", "tix", 10)])], how="diagonal_relaxed"
    )
    result = dedup(again)
    assert result.events.height == 2
    assert result.review["reason"].to_list() == ["source_chain"]


def test_a_sources_column_of_another_type_is_refused_by_name() -> None:
    frame = to_frame([listing("Salsa", "Loft", "a")]).with_columns(sources=pl.lit("site"))
    with pytest.raises(DedupInputError, match="sources"):
        dedup(frame)


def test_window_is_configurable() -> None:
    frame = to_frame(
        [listing("Zouk Night", "Electric", "a"), listing("Zouk Night", "Electric", "b", 60)]
    )
    assert dedup(frame).events.height == 1
    assert dedup(frame, DedupOptions(window_minutes=30)).events.height == 2


def test_options_are_validated_with_the_option_named() -> None:
    with pytest.raises(ValueError, match="review"):
        DedupOptions(review=0.9, accept=0.8)
    with pytest.raises(ValueError, match="window_minutes"):
        DedupOptions(window_minutes=-1)
    with pytest.raises(ValueError, match="weights"):
        DedupOptions(title_weight=0, venue_weight=0, time_weight=0)


def test_empty_frame_gives_empty_results() -> None:
    result = dedup(to_frame([]))
    assert result.events.height == 0 and result.clusters.height == 0 and result.review.height == 0


def test_nulls_in_every_column_are_handled() -> None:
    frame = (
        to_frame([listing("x", None, "a")])
        .with_columns(
            pl.lit(None, pl.String).alias(c)
            for c in (
                "title",
                "venue",
                "city",
                "timezone",
                "source",
                "source_url",
                "source_event_id",
            )
        )
        .with_columns(start=pl.lit(None, pl.Datetime("us", "UTC")))
    )
    frame = pl.concat([frame, frame])
    result = dedup_rows(frame)
    # Identical empty rows are one exact group; nothing can be fuzzily compared.
    assert result.stats.clusters == 1 and result.stats.candidate_pairs == 0


def test_a_megabyte_title_is_fine() -> None:
    big = "Salsa " * 200_000
    frame = to_frame([listing(big, "Loft", "a"), listing(big + "!", "Loft", "b")])
    result = dedup_rows(frame)
    assert result.stats.clusters == 1
    assert len(result.rows["title_norm"][0]) > 1_000_000


@pytest.mark.parametrize(
    ("change", "column"),
    [
        (lambda f: f.drop("venue"), "venue"),
        (lambda f: f.drop("timezone"), "timezone"),
        (lambda f: f.with_columns(pl.col("title").cast(pl.Binary)), "title"),
        (lambda f: f.with_columns(city=pl.lit(3)), "city"),
        (lambda f: f.with_columns(pl.col("start").dt.replace_time_zone(None)), "start"),
        (lambda f: f.with_columns(start=pl.lit("tomorrow")), "start"),
        (lambda f: f.with_columns(timezone=pl.lit("Mars/Olympus")), "timezone"),
    ],
)
def test_bad_columns_raise_an_error_naming_the_column(change: object, column: str) -> None:
    frame = change(to_frame([listing("Salsa", "Loft", "a")]))  # type: ignore[operator]
    with pytest.raises(_core.CoreInputError, match=column):
        dedup(frame)


def test_invalid_utf8_in_a_binary_column_is_refused_by_name() -> None:
    frame = to_frame([listing("Salsa", "Loft", "a")]).with_columns(
        venue=pl.Series([b"\xff\xfe"], dtype=pl.Binary)
    )
    with pytest.raises(_core.CoreInputError, match=r"venue.*Binary"):
        dedup(frame)
