"""The dance-style taxonomy: slugs, their aliases, and matching over frames."""

from __future__ import annotations

import re

import polars as pl

__all__ = ["STYLE_ALIASES", "STYLE_SLUGS", "style_pattern", "styles_expr"]

#: slug -> aliases (regex fragments, matched case-insensitively on word boundaries).
STYLE_ALIASES: dict[str, tuple[str, ...]] = {
    "salsa": (
        "salsa",
        r"salsa on ?[12]",
        "rueda(?: de casino)?",
        "casino",
        "mambo",
        "timba",
        "salsa caleña",
        "salsa cubana",
        "cuban salsa",
    ),
    "bachata": ("bachata", "bachata sensual", "sensual bachata", "bachatango", "dominican bachata"),
    "kizomba": ("kizomba", "kiz", "ghetto zouk"),
    "urban-kiz": ("urban kiz", "urbankiz", "urban kizomba", "tarraxo", "tarraxinha"),
    "semba": ("semba",),
    "zouk": ("brazilian zouk", "zouk", "lambazouk", "lambada"),
    "lindy-hop": ("lindy hop", "lindyhop", "lindy"),
    "balboa": ("balboa", "bal-swing", "bal swing"),
    "shag": ("collegiate shag", "st\\.? louis shag", "carolina shag", "shag"),
    "charleston": ("charleston", "solo jazz"),
    "blues": ("blues dance", "blues dancing", "blues", "slow drag"),
    "fusion": ("fusion",),
    "west-coast-swing": ("west coast swing", "westie", "wcs"),
    "east-coast-swing": ("east coast swing", "jitterbug"),
    "argentine-tango": (
        "argentine tango",
        "tango argentino",
        "tango",
        "milonga",
        "milongas",
        "pr[aá]ctica",
        "tango nuevo",
        "vals criollo",
        "vals",  # Spanish for waltz: in dance listings, tango's vals
    ),
    "ballroom": (
        "ballroom",
        "standard ballroom",
        "waltz",
        "viennese waltz",
        "foxtrot",
        "quickstep",
        "slow fox",
    ),
    "latin-ballroom": (
        "latin ballroom",
        "international latin",
        "rumba",
        "cha[- ]?cha(?:[- ]?cha)?",
        "samba",
        "paso doble",
        "jive",
    ),
    "country": ("country", "two[- ]step", "line danc(?:e|ing)", "country swing", "honky tonk"),
    "contra": ("contra", "contra dance", "contradance"),
    "hustle": ("hustle", "disco hustle"),
    "forro": ("forr[oó]",),
    "swing": ("swing dance", "swing dancing", "swing"),
}
STYLE_SLUGS: tuple[str, ...] = tuple(STYLE_ALIASES)
SWING_FAMILY = ("lindy-hop", "balboa", "shag", "charleston", "west-coast-swing", "east-coast-swing")


def style_pattern(slug: str) -> str:
    """The case-insensitive, word-bounded regex of one slug (Rust regex syntax, as polars uses)."""
    alternatives = "|".join(sorted(STYLE_ALIASES[slug], key=len, reverse=True))
    return rf"(?i)\b(?:{alternatives})\b"


def styles_expr(text: pl.Expr) -> pl.Expr:
    """A List[String] of every slug whose aliases occur in `text`, in taxonomy order."""
    hits = [
        pl.when(text.str.contains(style_pattern(slug))).then(pl.lit(slug)).otherwise(None)
        for slug in STYLE_SLUGS
    ]
    found = pl.concat_list(hits).list.drop_nulls()
    # "swing" is the umbrella: drop it when a specific swing style was named.
    specific = found.list.set_intersection(pl.lit(list(SWING_FAMILY), dtype=pl.List(pl.String)))
    return (
        pl.when(specific.list.len() > 0)
        .then(found.list.set_difference(pl.lit(["swing"], dtype=pl.List(pl.String))))
        .otherwise(found)
    )


# Patterns must compile in Python too (the tests use `re` to cross-check polars).
for _slug in STYLE_SLUGS:
    re.compile(style_pattern(_slug))
