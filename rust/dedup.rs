//! Exact and fuzzy dedup of one frame: exact groups, blocked candidate pairs scored
//! cheapest first, guarded clustering, and one canonical row per cluster.

use std::time::Instant;

use rayon::prelude::*;

use crate::cluster::{Clusters, Guard};
use crate::error::CoreResult;
use crate::exact::exact_groups;
use crate::keys::KeyMap;
use crate::pairs::{fuzzy_pairs, Pair};
use crate::prepare::Prepared;
use crate::score::{DedupParams, PairScore};
use crate::venues::{VenueMemo, Venues};

/// Below this many items the work stays on the calling thread: handing a few
/// microseconds of work to rayon's pool costs more than it saves.
pub const PAR_MIN: usize = 16_384;

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
    /// Folding, normalised forms and keys of every row.
    pub normalise_seconds: f64,
    /// Exact groups.
    pub exact_seconds: f64,
    /// Local dates (the blocking key), blocks, and candidate pairs scored.
    pub fuzzy_seconds: f64,
    /// Guarded clustering, canonical rows and event ids.
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
    let mut pairs = fuzzy_pairs(
        p,
        &groups,
        (&venues, &venue_of),
        &mut memo,
        params,
        &mut stats,
    );
    stats.fuzzy_seconds = t.elapsed().as_secs_f64();

    let t = Instant::now();
    let by_strength: Vec<u32> = if pairs.len() >= PAR_MIN {
        // Many pairs: sort them in place, in parallel (sorting indices would scatter reads).
        pairs.par_sort_unstable_by(Pair::merge_order);
        (0..pairs.len() as u32).collect()
    } else {
        // Few: sort small (strength, index) keys, looking at the pairs only on ties.
        let mut keys: Vec<(i64, u32)> = (pairs.iter().enumerate())
            .map(|(i, p)| (-p.strength, i as u32))
            .collect();
        keys.sort_unstable_by(|x, y| {
            (x.0.cmp(&y.0)).then_with(|| pairs[x.1 as usize].ties(&pairs[y.1 as usize]))
        });
        keys.into_iter().map(|k| k.1).collect()
    };
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
    let mut ranked = Vec::new();
    for w in start.windows(2) {
        let members = &mut order[w[0] as usize..w[1] as usize];
        if members.is_empty() {
            continue;
        }
        if members.len() > 1 {
            // Each key once: it looks up the source's priority.
            ranked.clear();
            ranked.extend(members.iter().map(best_first));
            ranked.sort_unstable();
            for (m, k) in members.iter_mut().zip(&ranked) {
                *m = k.4 as u32;
            }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::prepare;
    use crate::prepare::tests::{frame, Row};

    fn run(rows: &[Row<'_>]) -> Outcome {
        dedup(&prepare(&[frame(rows)]).unwrap(), &DedupParams::default()).unwrap()
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
    fn empty_input_gives_empty_outcome() {
        let out = run(&[]);
        assert_eq!(out.stats.clusters, 0);
        assert!(out.cluster.is_empty());
    }
}
