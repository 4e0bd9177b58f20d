//! Union-find over exact groups, guarded against chaining: a merge that would put two
//! clearly different venues, or two events of one source, in one cluster is refused.

use crate::dedup::ReviewReason;
use crate::venues::NO_VENUE;

/// Venues remembered per cluster; more distinct spellings than this add nothing.
const MAX_VENUES: usize = 8;

/// What a merge must respect.
#[derive(Debug, Clone, Copy)]
pub struct Guard {
    pub venue_reject: f64,
    pub one_per_source: bool,
}

/// Disjoint sets whose roots remember their venues (as ids, see `venues`) and sources.
///
/// A singleton's venue and source live in `own_*`; the lists are only allocated for
/// roots that merged or gained a source, since most items never do.
pub struct Clusters {
    parent: Vec<u32>,
    size: Vec<u32>,
    own_venue: Vec<u32>,
    own_source: Vec<u64>,
    venues: Vec<Vec<u32>>,
    sources: Vec<Vec<u64>>,
}

impl Clusters {
    /// `n` singletons; `member(i)` gives item i's venue id (`NO_VENUE` when unknown) and source.
    pub fn new(n: usize, member: impl Fn(usize) -> (u32, u64)) -> Self {
        let (own_venue, own_source) = (0..n).map(member).unzip();
        Self {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
            own_venue,
            own_source,
            venues: vec![Vec::new(); n],
            sources: vec![Vec::new(); n],
        }
    }

    fn venues_of(&self, root: usize) -> &[u32] {
        match (
            self.venues[root].is_empty(),
            self.own_venue[root] == NO_VENUE,
        ) {
            (false, _) => &self.venues[root],
            (true, false) => std::slice::from_ref(&self.own_venue[root]),
            (true, true) => &[],
        }
    }

    fn sources_of(&self, root: usize) -> &[u64] {
        if self.sources[root].is_empty() {
            std::slice::from_ref(&self.own_source[root])
        } else {
            &self.sources[root]
        }
    }

    /// Record one more source for item `i` (an exact group listed by several sources).
    pub fn add_source(&mut self, i: usize, source: u64) {
        let root = self.find(i);
        if self.sources_of(root).contains(&source) {
            return;
        }
        if self.sources[root].is_empty() {
            let own = self.own_source[root];
            self.sources[root].push(own);
        }
        self.sources[root].push(source);
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
    /// `similar` gives the similarity of two venue ids.
    pub fn try_union(
        &mut self,
        a: usize,
        b: usize,
        guard: &Guard,
        similar: &mut impl FnMut(u32, u32) -> f64,
    ) -> Result<usize, ReviewReason> {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra == rb {
            return Ok(ra);
        }
        let (sa, sb) = (self.sources_of(ra), self.sources_of(rb));
        if guard.one_per_source && sa.iter().any(|s| sb.contains(s)) {
            return Err(ReviewReason::SourceChain);
        }
        let (va, vb) = (self.venues_of(ra), self.venues_of(rb));
        if va
            .iter()
            .any(|&x| vb.iter().any(|&y| similar(x, y) < guard.venue_reject))
        {
            return Err(ReviewReason::VenueChain);
        }
        let (big, small) = if self.size[ra] >= self.size[rb] {
            (ra, rb)
        } else {
            (rb, ra)
        };
        self.parent[small] = big as u32;
        self.size[big] += self.size[small];
        // The big root's lists are taken out, so the small root's can be read in place.
        let mut venues = std::mem::take(&mut self.venues[big]);
        if venues.is_empty() {
            venues.extend_from_slice(self.venues_of(big));
        }
        for &v in self.venues_of(small) {
            if venues.len() < MAX_VENUES && !venues.contains(&v) {
                venues.push(v);
            }
        }
        self.venues[big] = venues;
        self.venues[small] = Vec::new();
        let mut sources = std::mem::take(&mut self.sources[big]);
        if sources.is_empty() {
            sources.push(self.own_source[big]);
        }
        for &s in self.sources_of(small) {
            if !sources.contains(&s) {
                sources.push(s);
            }
        }
        self.sources[big] = sources;
        self.sources[small] = Vec::new();
        Ok(big)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuzzy::venue_similarity;
    use crate::venues::Venues;

    /// Clusters of items given as (venue, source), and their venues' similarity.
    fn clusters(items: &[(&str, u64)]) -> (Clusters, impl FnMut(u32, u32) -> f64) {
        let (venues, of) = Venues::intern(items.iter().map(|x| x.0));
        let c = Clusters::new(items.len(), |i| (of[i], items[i].1));
        (c, move |a: u32, b: u32| {
            venue_similarity(venues.name(a), venues.name(b))
        })
    }

    const GUARD: Guard = Guard {
        venue_reject: 0.5,
        one_per_source: true,
    };

    #[test]
    fn chaining_across_different_venues_is_refused() {
        let (mut c, mut sim) = clusters(&[("loft", 1), ("", 2), ("harbour", 3)]);
        assert!(c.try_union(0, 1, &GUARD, &mut sim).is_ok());
        // Item 1 has no venue, so it matched both; joining 2 would chain loft to harbour.
        assert_eq!(
            c.try_union(1, 2, &GUARD, &mut sim),
            Err(ReviewReason::VenueChain)
        );
        assert_ne!(c.find(0), c.find(2));
    }

    #[test]
    fn one_event_per_source() {
        let (mut c, mut sim) = clusters(&[("loft", 1), ("loft", 2), ("loft", 1)]);
        assert!(c.try_union(0, 1, &GUARD, &mut sim).is_ok());
        assert_eq!(
            c.try_union(1, 2, &GUARD, &mut sim),
            Err(ReviewReason::SourceChain)
        );
        let lax = Guard {
            one_per_source: false,
            ..GUARD
        };
        assert!(c.try_union(1, 2, &lax, &mut sim).is_ok());
        assert_eq!(c.find(0), c.find(2));
    }

    #[test]
    fn union_is_transitive_and_idempotent() {
        let items: Vec<(&str, u64)> = (0..5).map(|i| ("", i)).collect();
        let (mut c, mut sim) = clusters(&items);
        for (a, b) in [(0, 1), (1, 2), (3, 4), (2, 1)] {
            c.try_union(a, b, &GUARD, &mut sim).unwrap();
        }
        assert_eq!(c.find(0), c.find(2));
        assert_eq!(c.find(3), c.find(4));
        assert_ne!(c.find(0), c.find(3));
    }
}
