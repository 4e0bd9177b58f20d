//! Union-find over exact groups, guarded against chaining: a merge that would put two
//! clearly different venues, or two events of one source, in one cluster is refused.

use crate::dedup::ReviewReason;
use crate::fuzzy::venue_similarity;

/// Venues remembered per cluster; more distinct spellings than this add nothing.
const MAX_VENUES: usize = 8;

/// What a merge must respect.
#[derive(Debug, Clone, Copy)]
pub struct Guard {
    pub venue_reject: f64,
    pub one_per_source: bool,
}

/// Disjoint sets whose roots remember their venues and sources.
pub struct Clusters<'a> {
    parent: Vec<u32>,
    size: Vec<u32>,
    venues: Vec<Vec<&'a str>>,
    sources: Vec<Vec<u64>>,
}

impl<'a> Clusters<'a> {
    /// `n` singletons; `member(i)` gives item i's venue ("" when unknown) and source.
    pub fn new(n: usize, member: impl Fn(usize) -> (&'a str, u64)) -> Self {
        let mut venues = Vec::with_capacity(n);
        let mut sources = Vec::with_capacity(n);
        for i in 0..n {
            let (venue, source) = member(i);
            venues.push(if venue.is_empty() {
                Vec::new()
            } else {
                vec![venue]
            });
            sources.push(vec![source]);
        }
        Self {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            venues,
            sources,
        }
    }

    /// Record one more source for item `i` (an exact group listed by several sources).
    pub fn add_source(&mut self, i: usize, source: u64) {
        let root = self.find(i);
        if !self.sources[root].contains(&source) {
            self.sources[root].push(source);
        }
    }

    pub fn find(&mut self, mut i: usize) -> usize {
        while self.parent[i] as usize != i {
            // Path halving keeps trees shallow without recursion.
            let grand = self.parent[self.parent[i] as usize];
            self.parent[i] = grand;
            i = grand as usize;
        }
        i
    }

    /// Merge the clusters of `a` and `b` unless the guard forbids it; returns the new root.
    pub fn try_union(&mut self, a: usize, b: usize, guard: &Guard) -> Result<usize, ReviewReason> {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return Ok(ra);
        }
        if guard.one_per_source
            && self.sources[ra]
                .iter()
                .any(|s| self.sources[rb].contains(s))
        {
            return Err(ReviewReason::SourceChain);
        }
        let clash = self.venues[ra].iter().any(|x| {
            self.venues[rb]
                .iter()
                .any(|y| venue_similarity(x, y) < guard.venue_reject)
        });
        if clash {
            return Err(ReviewReason::VenueChain);
        }
        let (big, small) = if self.size[ra] >= self.size[rb] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small] = big as u32;
        self.size[big] += self.size[small];
        let moved_venues = std::mem::take(&mut self.venues[small]);
        for v in moved_venues {
            if self.venues[big].len() < MAX_VENUES && !self.venues[big].contains(&v) {
                self.venues[big].push(v);
            }
        }
        let moved_sources = std::mem::take(&mut self.sources[small]);
        for s in moved_sources {
            if !self.sources[big].contains(&s) {
                self.sources[big].push(s);
            }
        }
        Ok(big)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GUARD: Guard = Guard {
        venue_reject: 0.5,
        one_per_source: true,
    };

    #[test]
    fn chaining_across_different_venues_is_refused() {
        let items = [("loft", 1), ("", 2), ("harbour", 3)];
        let mut c = Clusters::new(3, |i| items[i]);
        assert!(c.try_union(0, 1, &GUARD).is_ok());
        // Item 1 has no venue, so it matched both; joining 2 would chain loft to harbour.
        assert_eq!(c.try_union(1, 2, &GUARD), Err(ReviewReason::VenueChain));
        assert_ne!(c.find(0), c.find(2));
    }

    #[test]
    fn one_event_per_source() {
        let items = [("loft", 1), ("loft", 2), ("loft", 1)];
        let mut c = Clusters::new(3, |i| items[i]);
        assert!(c.try_union(0, 1, &GUARD).is_ok());
        assert_eq!(c.try_union(1, 2, &GUARD), Err(ReviewReason::SourceChain));
        let lax = Guard {
            one_per_source: false,
            ..GUARD
        };
        assert!(c.try_union(1, 2, &lax).is_ok());
        assert_eq!(c.find(0), c.find(2));
    }

    #[test]
    fn union_is_transitive_and_idempotent() {
        let mut c = Clusters::new(5, |i| ("", i as u64));
        for (a, b) in [(0, 1), (1, 2), (3, 4), (2, 1)] {
            c.try_union(a, b, &GUARD).unwrap();
        }
        assert_eq!(c.find(0), c.find(2));
        assert_eq!(c.find(3), c.find(4));
        assert_ne!(c.find(0), c.find(3));
    }
}
