//! Exact groups: rows with the same exact key in the same city, found with one map or,
//! for large frames, per partition of the key space in parallel.

use rayon::prelude::*;

use crate::dedup::PAR_MIN;
use crate::keys::KeyMap;
use crate::prepare::Prepared;

/// Exact groups: rows with the same exact key in the same city.
pub(crate) struct Groups {
    pub(crate) of_row: Vec<u32>,
    /// First row of each group (its representative for fuzzy scoring).
    pub(crate) rep: Vec<u32>,
    /// Earliest start of each group.
    pub(crate) start: Vec<Option<i64>>,
    /// The group's single source, or `None` when several sources share it.
    pub(crate) source: Vec<Option<u64>>,
}

impl Groups {
    /// Put `row` in group `id`: a new group when `id` is the next one, else the group's
    /// earliest start and single source take the row into account.
    fn add(&mut self, p: &Prepared, row: usize, id: u32) {
        let i = id as usize;
        if i == self.rep.len() {
            self.rep.push(row as u32);
            self.start.push(p.start[row]);
            self.source.push(Some(p.source[row]));
            return;
        }
        self.start[i] = match (self.start[i], p.start[row]) {
            (Some(x), Some(y)) => Some(x.min(y)),
            (x, y) => x.or(y),
        };
        if self.source[i] != Some(p.source[row]) {
            self.source[i] = None;
        }
    }
}

pub(crate) fn exact_groups(p: &Prepared) -> Groups {
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
        g.add(p, row, id);
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
        let id = if f == row {
            g.rep.len() as u32
        } else {
            g.of_row[f]
        };
        g.of_row.push(id);
        g.add(p, row, id);
    }
    g
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::prepare::prepare;
    use crate::prepare::tests::{frame, Row};

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
}
