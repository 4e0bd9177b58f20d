"""event_type from wording, for events whose source did not say."""

from __future__ import annotations

import polars as pl

__all__ = ["TYPE_RULES", "event_type_expr"]

#: Checked in order; the first that matches wins. Titles are tried before descriptions.
TYPE_RULES: tuple[tuple[str, str], ...] = (
    ("festival", r"(?i)\b(festival|congress|weekender|marathon|fest|exchange|camp)\b"),
    ("workshop", r"(?i)\b(workshops?|bootcamp|intensive|master ?class(es)?|technique lab)\b"),
    (
        "social",
        r"(?i)\b(socials?|party|milongas?|pr[aá]cticas?|dance night|social dancing|fiesta|"
        r"jam|open floor|dance party|open dancing|(?:monthly|weekly|friday|saturday) dance|"
        r"night|practices?)\b",
    ),
    ("class", r"(?i)\b(class(es)?|lessons?|courses?|beginners?|drop[- ]in|series|term)\b"),
    ("performance", r"(?i)\b(show|showcase|performance|concert|competition|gala)\b"),
)


def event_type_expr(title: pl.Expr, description: pl.Expr, current: pl.Expr) -> pl.Expr:
    """Keep a known type; infer `other` from the title, then the description."""
    inferred: pl.Expr = pl.lit("other")
    for field in (description, title):  # built inside-out: title rules end up outermost
        for kind, pattern in reversed(TYPE_RULES):
            inferred = (
                pl.when(field.fill_null("").str.contains(pattern))
                .then(pl.lit(kind))
                .otherwise(inferred)
            )
    return pl.when(current == "other").then(inferred).otherwise(current)
