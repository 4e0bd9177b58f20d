//! The distinct venues of a dedup run, each split into words once, and a memo of their
//! similarity: a city's venues recur night after night, so most pairs repeat.

use crate::fuzzy::{venue_similarity_with, word_spans, Scratch, Span};
use crate::keys::{KeyMap, StrMap};
use crate::prepare::Arena;

/// The id of "no venue known".
pub const NO_VENUE: u32 = u32::MAX;

/// Sorted, unique word spans of every string of an arena (see `fuzzy::word_spans`).
struct WordIndex {
    spans: Vec<Span>,
    /// Range of each string's words in `spans`; `None` when the string needs the general path.
    of: Vec<Option<(u32, u32)>>,
}

impl WordIndex {
    fn new(strings: &Arena) -> Self {
        let mut spans = Vec::with_capacity(strings.len() * 3);
        let of = (0..strings.len())
            .map(|i| {
                let begin = spans.len() as u32;
                let split = word_spans(strings.get(i), &mut spans);
                split.then_some((begin, spans.len() as u32))
            })
            .collect();
        Self { spans, of }
    }

    #[inline]
    fn get(&self, i: usize) -> Option<&[Span]> {
        self.of[i].map(|(b, e)| &self.spans[b as usize..e as usize])
    }
}

/// Distinct venue names, by id.
pub struct Venues {
    names: Arena,
    words: WordIndex,
}

impl Venues {
    /// Intern each item's venue ("" for none): the table and each item's id (`NO_VENUE`
    /// for none).
    pub fn intern<'a>(items: impl Iterator<Item = &'a str>) -> (Self, Vec<u32>) {
        let (mut names, mut of) = (Arena::default(), Vec::new());
        let mut ids: StrMap<'a, u32> = StrMap::default();
        for venue in items {
            if venue.is_empty() {
                of.push(NO_VENUE);
                continue;
            }
            let id = *ids.entry(venue).or_insert_with(|| {
                names.push(venue);
                (names.len() - 1) as u32
            });
            of.push(id);
        }
        let words = WordIndex::new(&names);
        (Self { names, words }, of)
    }

    /// Distinct venues.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// The name of a venue ("" for `NO_VENUE`).
    #[inline]
    pub fn name(&self, id: u32) -> &str {
        if id == NO_VENUE {
            ""
        } else {
            self.names.get(id as usize)
        }
    }

    /// `fuzzy::venue_similarity` of two known venues, from their pre-split words.
    fn measure(&self, s: &mut Scratch, a: u32, b: u32) -> f64 {
        let words = |id: u32| self.words.get(id as usize);
        venue_similarity_with(s, self.name(a), self.name(b), (words(a), words(b)))
    }
}

/// Venue similarity per distinct pair of venue ids (the measure is symmetric).
#[derive(Default)]
pub struct VenueMemo {
    /// For up to `DENSE_MAX` venues, a table by (smaller id, larger id); NaN marks a
    /// pair not measured yet.
    dense: Vec<f64>,
    width: usize,
    /// More venues than that: a map, cleared when it reaches `MAX`.
    seen: KeyMap<u64, f64>,
    scratch: Scratch,
}

impl VenueMemo {
    /// Venues for which the table is used: 256² cells of 8 bytes, 512 KiB at most.
    const DENSE_MAX: usize = 256;
    /// Bound on remembered pairs in the map: a million rows must not grow it without end.
    const MAX: usize = 1 << 16;

    /// A memo for the venues of `venues`.
    pub fn for_venues(venues: &Venues) -> Self {
        let n = venues.len();
        let width = if n <= Self::DENSE_MAX { n } else { 0 };
        Self {
            dense: vec![f64::NAN; width * width],
            width,
            ..Self::default()
        }
    }

    /// The similarity of two known venues (neither `NO_VENUE`).
    #[inline]
    pub fn similarity(&mut self, venues: &Venues, a: u32, b: u32) -> f64 {
        if a == b {
            return 1.0;
        }
        let (lo, hi) = (a.min(b) as usize, a.max(b) as usize);
        if hi < self.width {
            let cell = lo * self.width + hi;
            if self.dense[cell].is_nan() {
                self.dense[cell] = venues.measure(&mut self.scratch, a, b);
            }
            return self.dense[cell];
        }
        // The map's hasher is the identity; multiplying by an odd constant spreads the
        // ids over every bit and keeps distinct keys distinct.
        let key = ((lo as u64) << 32 | hi as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        if let Some(&v) = self.seen.get(&key) {
            return v;
        }
        if self.seen.len() >= Self::MAX {
            self.seen.clear();
        }
        let v = venues.measure(&mut self.scratch, a, b);
        self.seen.insert(key, v);
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzy::venue_similarity;

    #[test]
    fn interning_gives_one_id_per_distinct_name() {
        let (venues, of) = Venues::intern(["loft", "", "harbour", "loft"].into_iter());
        assert_eq!(of, vec![0, NO_VENUE, 1, 0]);
        assert_eq!(
            (venues.name(0), venues.name(1), venues.name(NO_VENUE)),
            ("loft", "harbour", "")
        );
    }

    #[test]
    fn memo_agrees_with_the_measure_in_both_orders() {
        let names = [
            "copper",
            "copper main ave",
            "harbour",
            "caf\u{e9} loft",
            "cafe loft",
        ];
        let (venues, of) = Venues::intern(names.into_iter());
        // The table (few venues) and the map (the fallback) give the same answers.
        for mut memo in [VenueMemo::for_venues(&venues), VenueMemo::default()] {
            for (i, a) in names.iter().enumerate() {
                for (j, b) in names.iter().enumerate() {
                    let want = venue_similarity(a, b);
                    assert_eq!(memo.similarity(&venues, of[i], of[j]), want, "{a:?} {b:?}");
                    assert_eq!(memo.similarity(&venues, of[j], of[i]), want, "{b:?} {a:?}");
                }
            }
        }
    }
}
