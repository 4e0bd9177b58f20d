//! Candidate pairs: exact groups blocked by city and local date, each member compared
//! with the later starts of its block inside the window, scored cheapest first.

use rayon::prelude::*;

use crate::dedup::{Stats, PAR_MIN};
use crate::exact::Groups;
use crate::fuzzy::{token_set_with, word_spans, Scratch, Span, Words};
use crate::prepare::{Arena, Prepared};
use crate::score::{score_pair_with, DedupParams, PairScore, Side, MICROS_PER_MINUTE};
use crate::venues::{VenueMemo, Venues, NO_VENUE};

/// Fuzzy scoring pays for rayon sooner than the cheap passes, but not at 1k rows: waking
/// the pool after Python has run costs more than half the scoring (measured, fuzzy
/// phase, one thread against two: 1k 0.54/0.70 ms, 5k 3.35/3.50, 10k 6.7/5.0).
pub const FUZZY_PAR_MIN: usize = 8_192;

/// A scored pair of exact groups.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    pub a: u32,
    pub b: u32,
    pub s: PairScore,
    /// The two groups' (exact key, city hash), smaller first: the order-free tie-break.
    pub lo: (u128, u64),
    pub hi: (u128, u64),
    /// The score to 1e-9, the merge order's first key: two ways to the same ratio
    /// (Indel's and token-set's 24/31, say) may differ in the last bit, which must not
    /// decide the order.
    pub strength: i64,
}

impl Pair {
    /// Merge order: strongest first, ties broken on keys, never on input order.
    pub fn merge_order(&self, other: &Pair) -> std::cmp::Ordering {
        other
            .strength
            .cmp(&self.strength)
            .then_with(|| self.ties(other))
    }

    /// The key order of two pairs of equal strength.
    pub fn ties(&self, other: &Pair) -> std::cmp::Ordering {
        self.lo.cmp(&other.lo).then_with(|| self.hi.cmp(&other.hi))
    }
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
    fn pair(&mut self, a: usize, text_a: &str, b: usize, text_b: &str) -> Words<'_> {
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
pub(crate) fn fuzzy_pairs(
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
                let token_set = |s: &mut Scratch| {
                    let words = lazy.pair(ka - block.start, a.title, kb - block.start, b.title);
                    token_set_with(s, a.title, b.title, words)
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
                        strength: (s.score * 1e9).round() as i64,
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
