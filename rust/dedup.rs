//! Exact and fuzzy dedup of one frame: exact groups, blocked candidate pairs scored
//! cheapest first, guarded clustering, and one canonical row per cluster.

use std::sync::Arc;
use std::time::Instant;

use arrow_array::builder::make_view;
use arrow_array::{
    ArrayRef, Date32Array, Float64Array, RecordBatch, StringArray, StringViewArray, UInt32Array,
};
use arrow_buffer::{Buffer, NullBuffer, ScalarBuffer};

use rayon::prelude::*;

use crate::cluster::{Clusters, Guard};
use crate::error::{CoreError, CoreResult};
use crate::fuzzy::{indel_with, token_set_with, venue_similarity, word_spans, Scratch, Span};
use crate::keys::KeyMap;
use crate::prepare::{Arena, Prepared};
use crate::venues::{VenueMemo, Venues, NO_VENUE};

const MICROS_PER_MINUTE: f64 = 60_000_000.0;

/// Below this many items the work stays on the calling thread: handing a few
/// microseconds of work to rayon's pool costs more than it saves.
pub const PAR_MIN: usize = 16_384;

/// Fuzzy scoring pays for rayon sooner than the cheap passes, but not at 1k rows: waking
/// the pool after Python has run costs more than half the scoring (measured, fuzzy
/// phase, one thread against two: 1k 0.54/0.70 ms, 5k 3.35/3.50, 10k 6.7/5.0).
pub const FUZZY_PAR_MIN: usize = 8_192;

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
        |s, _| token_set_with(s, a.title, b.title, None, None),
    )
}

/// `score_pair`, with the costly measures supplied so the block loop can memoise them
/// or reuse split words: `venue` is the venues' similarity (`None` when either side
/// has none), `title_token_set` runs only when it could matter.
///
/// `title_bound` may give an upper bound of both title measures: a pair it proves
/// cannot reach review is dropped before either is computed.
///
/// `title_token_set(scratch, needed)` may return an upper bound of the measure instead
/// of the measure when that bound is below `needed`: the title score it could give is
/// then no better than the Indel one, or the pair stays below review either way.
fn score_pair_with(
    p: &DedupParams,
    scratch: &mut Scratch,
    a: Side<'_>,
    b: Side<'_>,
    venue: Option<f64>,
    title_bound: impl Fn() -> Option<f64>,
    title_token_set: impl FnOnce(&mut Scratch, f64) -> f64,
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
    if title_bound().is_some_and(|bound| base + tw * bound < p.review) {
        return None;
    }
    let mut title = indel_with(scratch, a.title, b.title);
    let mut token_set = false;
    // The token-set measure only ever raises the title score, so it is needed only
    // when the cheap score falls short of accepting.
    if base + tw * title < p.accept {
        // Below this the measure changes nothing: the margin keeps rounding from
        // letting a bound tip a pair over the review line.
        let needed = title.max((p.review - base) / tw) - 1e-9;
        title = title.max(title_token_set(scratch, needed));
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

/// A scored pair of exact groups.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    pub a: u32,
    pub b: u32,
    pub s: PairScore,
    /// The two groups' (exact key, city hash), smaller first: the order-free tie-break.
    pub lo: (u128, u64),
    pub hi: (u128, u64),
}

/// Why a pair was sent to review rather than merged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReviewReason {
    /// Between the review and accept thresholds.
    Uncertain,
    /// Accepted, but merging would join two venues that clearly differ.
    VenueChain,
    /// Accepted, but both clusters already hold an event of the same source.
    SourceChain,
}

impl ReviewReason {
    pub fn as_str(self) -> &'static str {
        match self {
            ReviewReason::Uncertain => "uncertain",
            ReviewReason::VenueChain => "venue_chain",
            ReviewReason::SourceChain => "source_chain",
        }
    }
}

/// Counters and phase timings of one dedup.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    pub rows: usize,
    pub exact_groups: usize,
    pub blocks: usize,
    pub candidate_pairs: u64,
    pub token_set_scored: u64,
    pub accepted_pairs: usize,
    pub refused_pairs: usize,
    pub review_pairs: usize,
    pub clusters: usize,
    pub core_heap_bytes: usize,
    pub normalise_seconds: f64,
    pub exact_seconds: f64,
    pub fuzzy_seconds: f64,
    pub cluster_seconds: f64,
}

/// Per-row results plus review pairs (as input row numbers).
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub cluster: Vec<u32>,
    pub rank: Vec<u32>,
    /// The event_id of each cluster (indexed by `cluster`).
    pub event_ids: Vec<u128>,
    pub review: Vec<(u32, u32, PairScore, ReviewReason)>,
    pub stats: Stats,
}

/// Exact groups: rows with the same exact key in the same city.
struct Groups {
    of_row: Vec<u32>,
    /// First row of each group (its representative for fuzzy scoring).
    rep: Vec<u32>,
    /// Earliest start of each group.
    start: Vec<Option<i64>>,
    /// The group's single source, or `None` when several sources share it.
    source: Vec<Option<u64>>,
}

fn exact_groups(p: &Prepared) -> Groups {
    let mut g = exact_groups_by_key(p);
    // A row that already speaks for other sources makes its group multi-source.
    for &(row, source) in &p.more_sources {
        let gi = g.of_row[row as usize] as usize;
        if g.source[gi] != Some(source) {
            g.source[gi] = None;
        }
    }
    g
}

/// Partitions of the parallel exact grouping: small enough maps to stay in cache.
const KEY_PARTS: usize = 64;

/// For every row, the first row with its (exact key, city): found per partition of the
/// key space in parallel, each partition's rows in input order.
fn first_rows(p: &Prepared) -> Vec<u32> {
    let n = p.len();
    // The key's top bits pick the partition; the map hashes its low bits, so a
    // partition's keys still spread over the whole map.
    let part = |row: usize| (p.exact[row] >> (128 - KEY_PARTS.trailing_zeros())) as usize;
    let mut bounds = vec![0usize; KEY_PARTS + 1];
    for row in 0..n {
        bounds[part(row) + 1] += 1;
    }
    for i in 1..bounds.len() {
        bounds[i] += bounds[i - 1];
    }
    let mut fill = bounds.clone();
    let mut by_part = vec![0u32; n];
    for row in 0..n {
        let q = part(row);
        by_part[fill[q]] = row as u32;
        fill[q] += 1;
    }
    let repeats: Vec<Vec<(u32, u32)>> = (0..KEY_PARTS)
        .into_par_iter()
        .map(|q| {
            let rows = &by_part[bounds[q]..bounds[q + 1]];
            let mut index: KeyMap<(u128, u64), u32> = KeyMap::default();
            index.reserve(rows.len());
            let mut repeats = Vec::new();
            for &row in rows {
                let r = row as usize;
                let first = *index.entry((p.exact[r], p.city_hash[r])).or_insert(row);
                if first != row {
                    repeats.push((row, first));
                }
            }
            repeats
        })
        .collect();
    let mut first: Vec<u32> = (0..n as u32).collect();
    for (row, f) in repeats.into_iter().flatten() {
        first[row as usize] = f;
    }
    first
}

fn exact_groups_by_key(p: &Prepared) -> Groups {
    let n = p.len();
    if n >= PAR_MIN {
        return exact_groups_by_first(p, &first_rows(p));
    }
    let mut index: KeyMap<(u128, u64), u32> = KeyMap::default();
    index.reserve(n);
    let mut g = Groups {
        of_row: Vec::with_capacity(n),
        rep: Vec::new(),
        start: Vec::new(),
        source: Vec::new(),
    };
    for row in 0..n {
        let next = g.rep.len() as u32;
        let id = *index
            .entry((p.exact[row], p.city_hash[row]))
            .or_insert(next);
        g.of_row.push(id);
        if id == next {
            g.rep.push(row as u32);
            g.start.push(p.start[row]);
            g.source.push(Some(p.source[row]));
        } else {
            let i = id as usize;
            g.start[i] = match (g.start[i], p.start[row]) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            if g.source[i] != Some(p.source[row]) {
                g.source[i] = None;
            }
        }
    }
    g
}

/// `exact_groups_by_key`, from each row's first row with the same key: group ids in
/// order of first appearance, exactly as the sequential map gives them.
fn exact_groups_by_first(p: &Prepared, first: &[u32]) -> Groups {
    let n = p.len();
    let mut g = Groups {
        of_row: Vec::with_capacity(n),
        rep: Vec::new(),
        start: Vec::new(),
        source: Vec::new(),
    };
    for (row, &f) in first.iter().enumerate() {
        let f = f as usize;
        if f == row {
            g.of_row.push(g.rep.len() as u32);
            g.rep.push(row as u32);
            g.start.push(p.start[row]);
            g.source.push(Some(p.source[row]));
        } else {
            let id = g.of_row[f];
            g.of_row.push(id);
            let i = id as usize;
            g.start[i] = match (g.start[i], p.start[row]) {
                (Some(x), Some(y)) => Some(x.min(y)),
                (x, y) => x.or(y),
            };
            if g.source[i] != Some(p.source[row]) {
                g.source[i] = None;
            }
        }
    }
    g
}

/// Title words of a block's members, split on first use: most members' titles are
/// settled by the Indel measure or their bags alone and never need theirs.
#[derive(Default)]
struct LazyWords {
    spans: Vec<Span>,
    /// Per member: not split yet, split into `spans[begin..end]`, or `None` when the
    /// title needs the general path (see `fuzzy::word_spans`).
    of: Vec<Option<Option<(u32, u32)>>>,
}

impl LazyWords {
    fn reset(&mut self, members: usize) {
        self.spans.clear();
        self.of.clear();
        self.of.resize(members, None);
    }

    fn range(&mut self, member: usize, text: &str) -> Option<(u32, u32)> {
        *self.of[member].get_or_insert_with(|| {
            let begin = self.spans.len() as u32;
            word_spans(text, &mut self.spans).then_some((begin, self.spans.len() as u32))
        })
    }

    /// The words of two members (each split at most once per block).
    fn pair(
        &mut self,
        a: usize,
        text_a: &str,
        b: usize,
        text_b: &str,
    ) -> (Option<&[Span]>, Option<&[Span]>) {
        let (ra, rb) = (self.range(a, text_a), self.range(b, text_b));
        let at = |r: Option<(u32, u32)>| r.map(|(x, y)| &self.spans[x as usize..y as usize]);
        (at(ra), at(rb))
    }
}

/// Per-thread state of the block loop, reused from block to block.
struct BlockScratch {
    memo: VenueMemo,
    titles: LazyWords,
    fuzzy: Scratch,
}

impl BlockScratch {
    fn new(memo: VenueMemo) -> Self {
        Self {
            memo,
            titles: LazyWords::default(),
            fuzzy: Scratch::default(),
        }
    }
}

/// Candidate pairs of exact groups: same city and local date, starts within the window.
///
/// `memo` serves the calling thread (and comes back holding what it learned).
fn fuzzy_pairs(
    p: &Prepared,
    g: &Groups,
    venues: (&Venues, &[u32]),
    memo: &mut VenueMemo,
    params: &DedupParams,
    stats: &mut Stats,
) -> Vec<Pair> {
    let (venues, venue_of) = venues;
    let window = (params.window_minutes * MICROS_PER_MINUTE) as i64;
    // Sort keys end in the exact key, so the order never depends on input order.
    let mut order: Vec<(u64, i64, i64, u128, u32)> = (0..g.rep.len())
        .filter_map(|gi| {
            let row = g.rep[gi] as usize;
            let (start, day) = (g.start[gi]?, p.day[row]?);
            (!p.city_norm.get(row).is_empty()).then_some((
                p.city_hash[row],
                day,
                start,
                p.exact[row],
                gi as u32,
            ))
        })
        .collect();
    if order.len() >= PAR_MIN {
        order.par_sort_unstable();
    } else {
        order.sort_unstable();
    }
    let mut blocks = Vec::new();
    let mut begin = 0;
    for i in 1..=order.len() {
        if i == order.len() || order[i].0 != order[begin].0 || order[i].1 != order[begin].1 {
            if i - begin > 1 {
                blocks.push(begin..i);
            }
            begin = i;
        }
    }
    stats.blocks = blocks.len();
    // Copy each member's title next to its block neighbours: the scoring loop then reads
    // memory in order instead of jumping across the whole frame (at a million rows the
    // cache misses cost more than the string measures).
    let mut titles = Arena::with_capacity(order.len(), 32 * order.len());
    let (mut sources, mut bags) = (
        Vec::with_capacity(order.len()),
        Vec::with_capacity(order.len()),
    );
    for x in &order {
        let row = g.rep[x.4 as usize] as usize;
        titles.push(p.title_norm.get(row));
        bags.push(p.title_bag[row]);
        sources.push(g.source[x.4 as usize]);
    }
    // Members of a block share the city's 64-bit hash; distinct city names colliding in
    // one run is a ~1e-13 event, so names are not compared again.
    let score_block = |scratch: &mut BlockScratch, block: &std::ops::Range<usize>| {
        let (mut pairs, mut candidates, mut token_sets) = (Vec::new(), 0u64, 0u64);
        let BlockScratch {
            memo,
            titles: lazy,
            fuzzy,
        } = scratch;
        lazy.reset(block.len());
        let side = |k: usize, group: u32, start: i64| Side {
            title: titles.get(k),
            venue: venues.name(venue_of[group as usize]),
            start,
        };
        for ka in block.clone() {
            let x = &order[ka];
            for kb in ka + 1..block.end {
                let y = &order[kb];
                if y.2 - x.2 > window {
                    break;
                }
                let (sa, sb) = (sources[ka], sources[kb]);
                if params.cross_source_only && sa.is_some() && sa == sb {
                    continue;
                }
                candidates += 1;
                // Most candidates are two different venues: settled by ids alone.
                let (va, vb) = (venue_of[x.4 as usize], venue_of[y.4 as usize]);
                let venue =
                    (va != NO_VENUE && vb != NO_VENUE).then(|| memo.similarity(venues, va, vb));
                if venue.is_some_and(|v| v < params.venue_reject) {
                    continue;
                }
                let (a, b) = (side(ka, x.4, x.2), side(kb, y.4, y.2));
                // Titles with no word in common: their bags bound both measures.
                let bound = || bags[ka].bound(&bags[kb]);
                let token_set = |s: &mut Scratch, needed: f64| {
                    match bound() {
                        Some(b) if b < needed => return b, // it cannot matter
                        _ => {}
                    }
                    let (wa, wb) = lazy.pair(ka - block.start, a.title, kb - block.start, b.title);
                    token_set_with(s, a.title, b.title, wa, wb)
                };
                if let Some(s) = score_pair_with(params, fuzzy, a, b, venue, bound, token_set) {
                    token_sets += u64::from(s.token_set);
                    let (ka, kb) = ((x.3, x.0), (y.3, y.0));
                    let (lo, hi) = (ka.min(kb), ka.max(kb));
                    pairs.push(Pair {
                        a: x.4,
                        b: y.4,
                        s,
                        lo,
                        hi,
                    });
                }
            }
        }
        (pairs, candidates, token_sets)
    };
    let found: Vec<(Vec<Pair>, u64, u64)> = if order.len() >= FUZZY_PAR_MIN {
        let scratch = || BlockScratch::new(VenueMemo::for_venues(venues));
        blocks.par_iter().map_init(scratch, score_block).collect()
    } else {
        let mut scratch = BlockScratch::new(std::mem::take(memo));
        let found = blocks
            .iter()
            .map(|b| score_block(&mut scratch, b))
            .collect();
        *memo = scratch.memo;
        found
    };
    let mut pairs = Vec::with_capacity(found.iter().map(|f| f.0.len()).sum());
    for (ps, c, t) in found {
        pairs.extend(ps);
        stats.candidate_pairs += c;
        stats.token_set_scored += t;
    }
    pairs
}

/// The event_id of each cluster: its canonical row's exact key. The key's place is the
/// venue (else the city), so two clusters in different cities can share it; only then
/// are their ids qualified by the city, keeping every id unique.
fn event_ids(p: &Prepared, leads: &[u32]) -> Vec<u128> {
    let mut seen: KeyMap<u128, u32> = KeyMap::default();
    for &lead in leads {
        *seen.entry(p.exact[lead as usize]).or_insert(0) += 1;
    }
    leads
        .iter()
        .map(|&lead| {
            let (key, row) = (p.exact[lead as usize], lead as usize);
            if seen[&key] == 1 {
                return key;
            }
            let mut buf = key.to_le_bytes().to_vec();
            buf.push(0x1f);
            buf.extend_from_slice(p.city_norm.get(row).as_bytes());
            xxhash_rust::xxh3::xxh3_128(&buf)
        })
        .collect()
}

/// Deduplicate prepared rows.
pub fn dedup(p: &Prepared, params: &DedupParams) -> CoreResult<Outcome> {
    params.validate()?;
    let mut stats = Stats {
        rows: p.len(),
        core_heap_bytes: p.heap_bytes(),
        ..Stats::default()
    };

    let t = Instant::now();
    let groups = exact_groups(p);
    stats.exact_groups = groups.rep.len();
    stats.exact_seconds = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let (venues, venue_of) =
        Venues::intern(groups.rep.iter().map(|&r| p.venue_norm.get(r as usize)));
    let mut memo = VenueMemo::for_venues(&venues);
    let pairs = fuzzy_pairs(
        p,
        &groups,
        (&venues, &venue_of),
        &mut memo,
        params,
        &mut stats,
    );
    stats.fuzzy_seconds = t.elapsed().as_secs_f64();

    let t = Instant::now();
    // Strongest pairs merge first; ties break on keys, never on input order. Pairs are
    // large, so their indices are sorted rather than the pairs themselves.
    let strongest_first = |x: &u32, y: &u32| {
        let (x, y) = (&pairs[*x as usize], &pairs[*y as usize]);
        y.s.score
            .total_cmp(&x.s.score)
            .then_with(|| x.lo.cmp(&y.lo))
            .then_with(|| x.hi.cmp(&y.hi))
    };
    let mut by_strength: Vec<u32> = (0..pairs.len() as u32).collect();
    if pairs.len() >= PAR_MIN {
        by_strength.par_sort_unstable_by(strongest_first);
    } else {
        by_strength.sort_unstable_by(strongest_first);
    }
    let guard = Guard {
        venue_reject: params.venue_reject,
        one_per_source: params.cross_source_only,
    };
    let mut clusters = Clusters::new(groups.rep.len(), |gi| {
        (venue_of[gi], p.source[groups.rep[gi] as usize])
    });
    let mut similar = |a: u32, b: u32| memo.similarity(&venues, a, b);
    // Exact groups of several sources carry all of them into the source guard.
    for row in 0..p.len() {
        let group = groups.of_row[row] as usize;
        if groups.source[group].is_none() {
            clusters.add_source(group, p.source[row]);
        }
    }
    for &(row, source) in &p.more_sources {
        clusters.add_source(groups.of_row[row as usize] as usize, source);
    }
    let mut pending = Vec::new();
    for pair in by_strength.iter().map(|&i| &pairs[i as usize]) {
        if pair.s.score >= params.accept {
            match clusters.try_union(pair.a as usize, pair.b as usize, &guard, &mut similar) {
                Ok(_) => stats.accepted_pairs += 1,
                Err(reason) => {
                    stats.refused_pairs += 1;
                    pending.push((*pair, reason));
                }
            }
        } else {
            pending.push((*pair, ReviewReason::Uncertain));
        }
    }
    let review: Vec<_> = pending
        .into_iter()
        .filter(|(pair, _)| clusters.find(pair.a as usize) != clusters.find(pair.b as usize))
        .map(|(pair, reason)| {
            (
                groups.rep[pair.a as usize],
                groups.rep[pair.b as usize],
                pair.s,
                reason,
            )
        })
        .collect();
    stats.review_pairs = review.len();

    let priority: Vec<u64> = params
        .source_priority
        .iter()
        .map(|s| xxhash_rust::xxh3::xxh3_64(s.as_bytes()))
        .collect();
    let rank_of_source = |h: u64| {
        priority
            .iter()
            .position(|x| *x == h)
            .unwrap_or(priority.len()) as u32
    };
    let n = p.len();
    let roots: Vec<u32> = (0..n)
        .map(|row| clusters.find(groups.of_row[row] as usize) as u32)
        .collect();
    // Members of each cluster side by side (a counting sort on the root), then each
    // cluster's handful of rows ordered best record first: source priority, then
    // completeness, then keys, never input order.
    let mut start = vec![0u32; groups.rep.len() + 1];
    for &root in &roots {
        start[root as usize + 1] += 1;
    }
    for i in 1..start.len() {
        start[i] += start[i - 1];
    }
    let mut fill = start.clone();
    let mut order = vec![0u32; n];
    for (row, &root) in roots.iter().enumerate() {
        order[fill[root as usize] as usize] = row as u32;
        fill[root as usize] += 1;
    }
    let best_first = |&r: &u32| {
        let r = r as usize;
        (
            rank_of_source(p.source[r]),
            u32::MAX - p.completeness[r],
            p.exact[r],
            p.source_key[r],
            r,
        )
    };
    let mut out = Outcome {
        cluster: vec![0; n],
        rank: vec![0; n],
        event_ids: Vec::new(),
        review,
        stats,
    };
    let mut leads: Vec<u32> = Vec::new();
    for w in start.windows(2) {
        let members = &mut order[w[0] as usize..w[1] as usize];
        if members.is_empty() {
            continue;
        }
        if members.len() > 1 {
            members.sort_unstable_by_key(best_first);
        }
        let cluster_id = leads.len() as u32;
        for (rank, &r) in members.iter().enumerate() {
            out.cluster[r as usize] = cluster_id;
            out.rank[r as usize] = rank as u32;
        }
        leads.push(members[0]);
    }
    out.event_ids = event_ids(p, &leads);
    let cluster_id = leads.len();
    out.stats.clusters = cluster_id;
    out.stats.cluster_seconds = t.elapsed().as_secs_f64();
    Ok(out)
}

/// Two lower-case hex digits for every byte value.
const HEX_PAIRS: [[u8; 2]; 256] = {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut t = [[0u8; 2]; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = [DIGITS[b >> 4], DIGITS[b & 0xf]];
        b += 1;
    }
    t
};

/// A key as 32 lower-case hex digits (`keys::key_hex` without the formatting machinery).
fn hex32(key: u128) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (pair, byte) in out.chunks_exact_mut(2).zip(key.to_be_bytes()) {
        pair.copy_from_slice(&HEX_PAIRS[usize::from(byte)]);
    }
    out
}

/// Keys as a Utf8View column of 32 hex digits each (null where absent), written straight
/// into one buffer: at 32 bytes no value fits inline, so every view points into it.
fn hex_column(n: usize, hex: impl Fn(usize) -> Option<[u8; 32]>) -> CoreResult<ArrayRef> {
    if n > u32::MAX as usize / 32 {
        return Err(CoreError::Invalid {
            what: "frame".into(),
            reason: format!("{n} rows is more than one dedup call takes (134,217,727)"),
        });
    }
    let (mut bytes, mut views) = (Vec::with_capacity(n * 32), Vec::with_capacity(n));
    let mut valid = Vec::with_capacity(n);
    for r in 0..n {
        let h = hex(r);
        valid.push(h.is_some());
        views.push(h.map_or(0, |hex| {
            let view = make_view(&hex, 0, bytes.len() as u32);
            bytes.extend_from_slice(&hex);
            view
        }));
    }
    let nulls = valid.contains(&false).then(|| NullBuffer::from(valid));
    let buffers: Arc<[Buffer]> = Arc::new([Buffer::from_vec(bytes)]);
    // SAFETY: every non-null view covers 32 ASCII hex digits inside buffer 0 (whose size
    // fits u32, checked above); null views are zero, an empty inline string.
    Ok(Arc::new(unsafe {
        StringViewArray::new_unchecked(ScalarBuffer::from(views), buffers, nulls)
    }))
}

/// Dedup a frame: per-row results (in input order) and review pairs as Arrow batches.
///
/// Row columns: title_norm, venue_norm, city_norm, place_norm, exact_key, source_key,
/// event_id (strings as Utf8View), cluster, rank, local_day (Date32). Review columns: left_row, right_row, score, title_score,
/// venue_score, minutes, reason.
pub fn dedup_batches(
    batches: &[RecordBatch],
    params: &DedupParams,
) -> CoreResult<(RecordBatch, RecordBatch, Stats)> {
    params.validate()?;
    let t = Instant::now();
    let prepared = crate::prepare::prepare(batches)?;
    let normalise_seconds = t.elapsed().as_secs_f64();
    let mut out = dedup(&prepared, params)?;
    out.stats.normalise_seconds = normalise_seconds;
    let n = prepared.len();
    let local_day: Vec<Option<i32>> = prepared
        .day
        .iter()
        .map(|d| d.and_then(|d| i32::try_from(d).ok()))
        .collect();
    let exact = hex_column(n, |r| Some(hex32(prepared.exact[r])))?;
    let source = hex_column(n, |r| prepared.source_key[r].map(hex32))?;
    // One id per cluster, written out for each of its rows.
    let id_hex: Vec<[u8; 32]> = out.event_ids.iter().map(|&k| hex32(k)).collect();
    let ids = hex_column(n, |r| Some(id_hex[out.cluster[r] as usize]))?;
    let mut cols: Vec<(&str, ArrayRef)> = Vec::new();
    cols.extend(crate::prepare::norm_columns(prepared));
    cols.push(("exact_key", exact));
    cols.push(("source_key", source));
    cols.push(("event_id", ids));
    cols.push((
        "cluster",
        Arc::new(UInt32Array::from(std::mem::take(&mut out.cluster))),
    ));
    cols.push((
        "rank",
        Arc::new(UInt32Array::from(std::mem::take(&mut out.rank))),
    ));
    cols.push(("local_day", Arc::new(Date32Array::from(local_day))));
    let rows = RecordBatch::try_from_iter(cols)?;

    let rv = &out.review;
    // Nullable, so a score that was never computed (no venue) stays null.
    let f64s = |get: fn(&PairScore) -> Option<f64>| -> ArrayRef {
        Arc::new(Float64Array::from(
            rv.iter().map(|x| get(&x.2)).collect::<Vec<_>>(),
        ))
    };
    let review_cols: Vec<(&str, ArrayRef)> = vec![
        (
            "left_row",
            Arc::new(UInt32Array::from(
                rv.iter().map(|x| x.0).collect::<Vec<_>>(),
            )),
        ),
        (
            "right_row",
            Arc::new(UInt32Array::from(
                rv.iter().map(|x| x.1).collect::<Vec<_>>(),
            )),
        ),
        ("score", f64s(|s| Some(s.score))),
        ("title_score", f64s(|s| Some(s.title))),
        ("venue_score", f64s(|s| s.venue)),
        ("minutes", f64s(|s| Some(s.minutes))),
        (
            "reason",
            Arc::new(StringArray::from(
                rv.iter().map(|x| x.3.as_str()).collect::<Vec<_>>(),
            )),
        ),
    ];
    let review = RecordBatch::try_from_iter(review_cols)?;
    Ok((rows, review, out.stats))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::prepare;
    use crate::prepare::tests::{frame, Row};

    fn run(rows: &[Row<'_>]) -> Outcome {
        dedup(&prepare(&[frame(rows)]).unwrap(), &DedupParams::default()).unwrap()
    }

    #[test]
    fn parallel_exact_groups_match_the_sequential_ones() {
        let names = ["salsa", "tango", "kizomba", "swing"];
        let rows: Vec<Row<'_>> = (0..500)
            .map(|i| {
                let source = ["a", "b", "c"][i % 3];
                (
                    names[i % 4],
                    Some("loft"),
                    "oslo",
                    source,
                    (i % 7) as i64,
                    None,
                )
            })
            .collect();
        let p = prepare(&[frame(&rows)]).unwrap();
        let (seq, par) = (
            exact_groups_by_key(&p),
            exact_groups_by_first(&p, &first_rows(&p)),
        );
        assert_eq!(seq.rep.len(), 28);
        assert_eq!(seq.of_row, par.of_row);
        assert_eq!(seq.rep, par.rep);
        assert_eq!(seq.start, par.start);
        assert_eq!(seq.source, par.source);
    }

    #[test]
    fn cross_source_variants_merge_and_traps_do_not() {
        let out = run(&[
            (
                "Salsa Social",
                Some("The Loft Dance Studio"),
                "Vancouver",
                "site",
                1200,
                None,
            ),
            (
                "DJ Ana presents: salsa social",
                Some("Loft Studios"),
                "Vancouver",
                "tickets",
                1230,
                None,
            ),
            (
                "Bachata Beginner Class",
                Some("The Loft"),
                "Vancouver",
                "site",
                1140,
                None,
            ),
            (
                "Salsa Social",
                Some("The Loft"),
                "Vancouver",
                "ics",
                1200 + 1440,
                None,
            ), // next day
        ]);
        assert_eq!(out.cluster[0], out.cluster[1]);
        assert_ne!(out.cluster[0], out.cluster[2]);
        assert_ne!(out.cluster[0], out.cluster[3]);
        assert_eq!(out.stats.clusters, 3);
        assert_eq!(out.rank.iter().filter(|r| **r == 0).count(), 3);
    }

    #[test]
    fn local_midnight_in_the_rows_zone_splits_blocks() {
        // 07:45 and 08:15 UTC on 1 January 1970: one UTC date, but either side of
        // midnight in Vancouver (UTC-8), so 30 minutes apart yet never the same night.
        let rows = |zone| {
            run(&[
                ("Salsa Social", Some("Loft"), "Vancouver", "a", 465, zone),
                ("Salsa Social", Some("Loft"), "Vancouver", "b", 495, zone),
            ])
        };
        let utc = rows(None);
        assert_eq!(utc.cluster[0], utc.cluster[1]);
        let local = rows(Some("America/Vancouver"));
        assert_ne!(local.cluster[0], local.cluster[1]);
    }

    #[test]
    fn different_venues_never_merge_even_with_equal_titles() {
        let out = run(&[
            (
                "Salsa Social",
                Some("Harbour Ballroom"),
                "Oslo",
                "a",
                1200,
                None,
            ),
            ("Salsa Social", Some("Rivoli Club"), "Oslo", "b", 1200, None),
        ]);
        assert_ne!(out.cluster[0], out.cluster[1]);
    }

    #[test]
    fn same_source_rows_do_not_merge_fuzzily_but_exact_copies_do() {
        let out = run(&[
            ("Salsa Social", Some("Loft"), "Oslo", "a", 1200, None),
            ("Salsa Social!", Some("Loft"), "Oslo", "a", 1200, None), // same exact key
            ("Salsa Socials", Some("Loft"), "Oslo", "a", 1210, None),
        ]);
        assert_eq!(out.cluster[0], out.cluster[1]);
        assert_ne!(out.cluster[0], out.cluster[2]);
    }

    #[test]
    fn uncertain_pairs_go_to_review() {
        let out = run(&[
            ("Salsa Social", Some("Loft"), "Oslo", "a", 1200, None),
            ("Bachata Social", Some("Loft"), "Oslo", "b", 1200, None),
        ]);
        assert_ne!(out.cluster[0], out.cluster[1]);
        assert_eq!(out.review.len(), 1);
        assert_eq!(out.review[0].3, ReviewReason::Uncertain);
    }

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

    #[test]
    fn batches_come_back_in_input_order_with_event_ids() {
        let b = frame(&[
            ("Salsa Social", Some("Loft"), "Oslo", "a", 1200, None),
            (
                "salsa social!!",
                Some("The Loft Studio"),
                "Oslo",
                "b",
                1215,
                None,
            ),
        ]);
        let (rows, review, stats) = dedup_batches(&[b], &DedupParams::default()).unwrap();
        assert_eq!(rows.num_rows(), 2);
        assert_eq!(review.num_rows(), 0);
        assert_eq!(stats.clusters, 1);
        use arrow_array::cast::AsArray;
        let ids = rows.column_by_name("event_id").unwrap().as_string_view();
        let keys = rows.column_by_name("exact_key").unwrap().as_string_view();
        assert_eq!(ids.value(0), ids.value(1));
        assert!(ids.value(0) == keys.value(0) || ids.value(0) == keys.value(1));
    }

    #[test]
    fn equal_exact_keys_in_two_cities_get_two_ids() {
        let out = run(&[
            ("Salsa", Some("Loft"), "Oslo", "a", 1200, None),
            ("Salsa", Some("Loft"), "Bergen", "a", 1200, None),
            ("Tango", Some("Loft"), "Oslo", "a", 1200, None),
        ]);
        assert_eq!(out.stats.clusters, 3);
        let mut ids = out.event_ids.clone();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 3);
        let p = prepare(&[frame(&[("Tango", Some("Loft"), "Oslo", "a", 1200, None)])]).unwrap();
        assert!(out.event_ids.contains(&p.exact[0])); // no collision: the plain key
    }

    #[test]
    fn hex_matches_key_hex() {
        for k in [0u128, 1, u128::MAX, 0x0123_4567_89ab_cdef_u128 << 40] {
            assert_eq!(
                std::str::from_utf8(&hex32(k)).unwrap(),
                crate::keys::key_hex(k)
            );
        }
    }

    #[test]
    fn empty_input_gives_empty_outcome() {
        let out = run(&[]);
        assert_eq!(out.stats.clusters, 0);
        assert!(out.cluster.is_empty());
    }
}
