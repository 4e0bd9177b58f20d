//! How a candidate pair is scored: time and venue first, then the title measures, each
//! only when the cheaper ones leave the outcome open; the thresholds decide merge,
//! review or neither.

use crate::error::{CoreError, CoreResult};
use crate::fuzzy::{indel_with, token_set_with, venue_similarity, Scratch};

pub(crate) const MICROS_PER_MINUTE: f64 = 60_000_000.0;

/// How pairs are scored and which scores merge; the defaults suit dance listings.
#[derive(Debug, Clone, PartialEq)]
pub struct DedupParams {
    /// Two starts further apart than this are never the same event.
    pub window_minutes: f64,
    /// A pair scoring at least this merges.
    pub accept: f64,
    /// A pair scoring at least this but below `accept` goes to review.
    pub review: f64,
    /// Venues less similar than this are clearly different places: never merged.
    pub venue_reject: f64,
    /// Venue score used when either side has no venue.
    pub venue_missing: f64,
    pub title_weight: f64,
    pub venue_weight: f64,
    pub time_weight: f64,
    /// Only rows from different sources merge fuzzily, and a cluster holds one event per source.
    pub cross_source_only: bool,
    /// Sources whose record leads a cluster, best first; others follow.
    pub source_priority: Vec<String>,
}

impl Default for DedupParams {
    fn default() -> Self {
        Self {
            window_minutes: 90.0,
            accept: 0.85,
            review: 0.70,
            venue_reject: 0.5,
            venue_missing: 0.7,
            title_weight: 0.65,
            venue_weight: 0.25,
            time_weight: 0.10,
            cross_source_only: true,
            source_priority: Vec::new(),
        }
    }
}

impl DedupParams {
    /// Refuse options that would make scores meaningless, naming the option.
    pub fn validate(&self) -> CoreResult<()> {
        let bad = |what: &str, reason: String| {
            Err(CoreError::Invalid {
                what: format!("dedup option {what}"),
                reason,
            })
        };
        if !(self.window_minutes.is_finite() && self.window_minutes >= 0.0) {
            return bad(
                "window_minutes",
                format!("must be >= 0, got {}", self.window_minutes),
            );
        }
        for (name, v) in [
            ("accept", self.accept),
            ("review", self.review),
            ("venue_reject", self.venue_reject),
            ("venue_missing", self.venue_missing),
        ] {
            if !(0.0..=1.0).contains(&v) {
                return bad(name, format!("must be within 0..1, got {v}"));
            }
        }
        if self.review > self.accept {
            return bad(
                "review",
                format!("{} is above accept {}", self.review, self.accept),
            );
        }
        let weights = [self.title_weight, self.venue_weight, self.time_weight];
        if weights.iter().any(|w| !(w.is_finite() && *w >= 0.0))
            || weights.iter().sum::<f64>() <= 0.0
        {
            return bad(
                "weights",
                format!("must be >= 0 with a positive sum, got {weights:?}"),
            );
        }
        Ok(())
    }
}

/// One side of a candidate pair.
#[derive(Debug, Clone, Copy)]
pub struct Side<'a> {
    pub title: &'a str,
    pub venue: &'a str,
    pub start: i64,
}

/// The score of a pair and its parts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PairScore {
    pub score: f64,
    pub title: f64,
    pub venue: Option<f64>,
    pub minutes: f64,
    /// Whether the token-set measure had to be computed.
    pub token_set: bool,
}

/// Score a pair cheapest first; `None` when it can be neither merged nor reviewed.
pub fn score_pair(p: &DedupParams, a: Side<'_>, b: Side<'_>) -> Option<PairScore> {
    score_pair_with(
        p,
        &mut Scratch::default(),
        a,
        b,
        (!a.venue.is_empty() && !b.venue.is_empty()).then(|| venue_similarity(a.venue, b.venue)),
        || None,
        |s| token_set_with(s, a.title, b.title, (None, None)),
    )
}

/// `score_pair`, with the costly measures supplied so the block loop can memoise them
/// or reuse split words: `venue` is the venues' similarity (`None` when either side
/// has none), `title_token_set` runs only when it could matter.
///
/// `title_bound` may give an upper bound of both title measures: a pair it proves
/// cannot reach review is dropped before either is computed, and the token-set measure
/// is skipped when the bound shows it cannot beat the Indel score.
pub(crate) fn score_pair_with(
    p: &DedupParams,
    scratch: &mut Scratch,
    a: Side<'_>,
    b: Side<'_>,
    venue: Option<f64>,
    title_bound: impl FnOnce() -> Option<f64>,
    title_token_set: impl FnOnce(&mut Scratch) -> f64,
) -> Option<PairScore> {
    let minutes = (a.start - b.start).unsigned_abs() as f64 / MICROS_PER_MINUTE;
    if minutes > p.window_minutes {
        return None;
    }
    let time = if p.window_minutes > 0.0 {
        1.0 - minutes / p.window_minutes
    } else {
        1.0
    };
    if venue.is_some_and(|v| v < p.venue_reject) {
        return None;
    }
    let total = p.title_weight + p.venue_weight + p.time_weight;
    let base = (p.venue_weight * venue.unwrap_or(p.venue_missing) + p.time_weight * time) / total;
    let tw = p.title_weight / total;
    if base + tw < p.review || a.title.is_empty() || b.title.is_empty() {
        return None; // even identical titles could not lift it to review
    }
    let bound = title_bound();
    if bound.is_some_and(|b| base + tw * b < p.review) {
        return None;
    }
    let mut title = indel_with(scratch, a.title, b.title);
    let mut token_set = false;
    // The token-set measure only ever raises the title score, so it is needed only
    // when the cheap score falls short of accepting.
    if base + tw * title < p.accept && bound.is_none_or(|b| b > title) {
        title = title.max(title_token_set(scratch));
        token_set = true;
    }
    let score = base + tw * title;
    (score >= p.review).then_some(PairScore {
        score,
        title,
        venue,
        minutes,
        token_set,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scoring_respects_window_and_options() {
        let p = DedupParams::default();
        let a = Side {
            title: "salsa",
            venue: "loft",
            start: 0,
        };
        let far = Side {
            start: 91 * 60_000_000,
            ..a
        };
        assert!(score_pair(&p, a, far).is_none());
        assert!(score_pair(&p, a, a).unwrap().score > 0.99);
        let bad = DedupParams {
            review: 0.9,
            accept: 0.8,
            ..DedupParams::default()
        };
        assert!(bad.validate().unwrap_err().to_string().contains("review"));
    }
}
