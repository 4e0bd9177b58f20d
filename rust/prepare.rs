//! Normalise and key every row of a frame in one fused pass per row, in parallel.
//!
//! It reads title, venue, city, start, source, source_event_id and (for local dates)
//! timezone; any other column only counts toward a row's completeness.
//!
//! The normalised forms live in arenas (strings back to back), which become Arrow
//! Utf8View columns over the same bytes without a copy.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::builder::make_view;
use arrow_array::{Array, ArrayRef, LargeStringArray, RecordBatch, StringViewArray};
use arrow_buffer::{Buffer, NullBuffer, OffsetBuffer, ScalarBuffer};
use rayon::prelude::*;
use xxhash_rust::xxh3::xxh3_64;

use crate::columns::{list_strings, str_column, timestamp_micros, StrColumn};
use crate::error::CoreResult;
use crate::fuzzy::WordBag;
use crate::keys::{exact_key_with, source_key_with, StrMap};
use crate::normalise::{fold_text_into, title_norm_words_into, venue_norm_into};
use crate::zones::ZoneCache;

/// Rows per parallel task: big enough to amortise scheduling, small enough to balance.
const CHUNK_ROWS: usize = 4096;

/// Strings back to back with i64 offsets: the layout of an Arrow LargeUtf8 column.
#[derive(Debug, Clone)]
pub struct Arena {
    values: String,
    offsets: Vec<i64>,
}

impl Default for Arena {
    fn default() -> Self {
        Self {
            values: String::new(),
            offsets: vec![0],
        }
    }
}

impl Arena {
    pub(crate) fn with_capacity(strings: usize, bytes: usize) -> Self {
        let mut offsets = Vec::with_capacity(strings + 1);
        offsets.push(0);
        Self {
            values: String::with_capacity(bytes),
            offsets,
        }
    }

    pub(crate) fn push(&mut self, s: &str) {
        self.values.push_str(s);
        self.offsets.push(self.values.len() as i64);
    }

    fn reserve(&mut self, strings: usize, bytes: usize) {
        self.values.reserve(bytes);
        self.offsets.reserve(strings);
    }

    fn append(&mut self, other: &Arena) {
        let base = self.values.len() as i64;
        self.values.push_str(&other.values);
        self.offsets
            .extend(other.offsets[1..].iter().map(|o| o + base));
    }

    /// The string of row `i`.
    #[inline]
    pub fn get(&self, i: usize) -> &str {
        &self.values[self.offsets[i] as usize..self.offsets[i + 1] as usize]
    }

    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    pub fn into_array(self) -> LargeStringArray {
        let offsets = OffsetBuffer::new(ScalarBuffer::from(self.offsets));
        // SAFETY: offsets are monotonic and every slice between them is a whole &str
        // pushed by `push`, so the bytes are valid UTF-8 on character boundaries.
        unsafe {
            LargeStringArray::new_unchecked(
                offsets,
                Buffer::from_vec(self.values.into_bytes()),
                None,
            )
        }
    }

    /// The strings as an Arrow Utf8View column over this arena's bytes, without copying
    /// them (polars' own string layout, so importing it costs no conversion); rows in
    /// `nulls` are null. An arena over 4 GiB (beyond a view's offsets) stays LargeUtf8.
    pub fn into_view_array(self, nulls: Option<NullBuffer>) -> ArrayRef {
        if self.values.len() > u32::MAX as usize {
            let large = self.into_array();
            let (offsets, values, _) = large.into_parts();
            return Arc::new(LargeStringArray::new(offsets, values, nulls));
        }
        let bytes = self.values.as_bytes();
        let views: Vec<u128> = self
            .offsets
            .windows(2)
            .map(|w| make_view(&bytes[w[0] as usize..w[1] as usize], 0, w[0] as u32))
            .collect();
        let buffers: Arc<[Buffer]> = Arc::new([Buffer::from_vec(self.values.into_bytes())]);
        // SAFETY: each view covers one whole string pushed by `push` (valid UTF-8 on
        // character boundaries) inside buffer 0, at an offset that fits in u32.
        Arc::new(unsafe {
            StringViewArray::new_unchecked(ScalarBuffer::from(views), buffers, nulls)
        })
    }

    /// Bytes held (for memory accounting in stats).
    fn heap_bytes(&self) -> usize {
        self.values.capacity() + self.offsets.capacity() * 8
    }
}

/// Every row of a frame, normalised and keyed.
#[derive(Debug, Default)]
pub struct Prepared {
    /// Folded title without noise words (fuzzy matching).
    pub title_norm: Arena,
    /// Folded venue without generic words, short street suffixes (fuzzy matching).
    pub venue_norm: Arena,
    /// Folded city (blocking).
    pub city_norm: Arena,
    /// Folded venue, else folded city: the place in the exact key.
    pub place_norm: Arena,
    pub exact: Vec<u128>,
    pub source_key: Vec<Option<u128>>,
    pub start: Vec<Option<i64>>,
    /// Local date of the start, days since 1970-01-01.
    pub day: Vec<Option<i64>>,
    /// xxh3-64 of the source name: equality and priority only.
    pub source: Vec<u64>,
    /// Further sources a row already speaks for (an event merged earlier), as
    /// (row, source hash); from the optional `sources` column (a list of structs).
    pub more_sources: Vec<(u32, u64)>,
    pub city_hash: Vec<u64>,
    /// Non-null cells in the row, over every column of the frame.
    pub completeness: Vec<u32>,
    /// A sketch of `title_norm`'s words that bounds its similarities (fuzzy scoring).
    pub title_bag: Vec<WordBag>,
}

impl Prepared {
    pub fn len(&self) -> usize {
        self.exact.len()
    }

    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }

    /// Heap bytes held, an honest lower bound of the core's working memory.
    pub fn heap_bytes(&self) -> usize {
        let n = self.exact.capacity();
        self.title_norm.heap_bytes()
            + self.venue_norm.heap_bytes()
            + self.city_norm.heap_bytes()
            + self.place_norm.heap_bytes()
            + n * (16 + 24 + 16 + 16 + 8 + 8 + 4 + std::mem::size_of::<WordBag>())
    }
}

struct Inputs<'a> {
    title: StrColumn<'a>,
    venue: StrColumn<'a>,
    city: StrColumn<'a>,
    source: StrColumn<'a>,
    source_id: StrColumn<'a>,
    start: Vec<Option<i64>>,
    batch: &'a RecordBatch,
}

/// Folded forms of a value seen earlier in the chunk: few distinct cities and venues
/// repeat many times, and non-ASCII ones are the costly ones to fold. A chunk whose
/// values mostly differ (venues of a million listings) turns the memo off: there,
/// hashing and storing every value costs more than folding it again.
#[derive(Default)]
struct Memo<'a> {
    /// raw -> index in `forms`
    index: StrMap<'a, u32>,
    /// (plain fold, fuzzy form, xxh3-64 of the plain fold)
    forms: Vec<(String, String, u64)>,
    /// The previous lookup: rows of one source often repeat their city.
    last: Option<(&'a str, u32)>,
    lookups: u32,
    hits: u32,
    /// With the memo off, each value's forms are written here.
    direct: (String, String, u64),
}

impl<'a> Memo<'a> {
    const MAX: usize = 1024;
    /// Lookups after which a memo hitting less than half the time turns off.
    const TRIAL: u32 = 512;

    fn get(
        &mut self,
        raw: &'a str,
        fuzzy: fn(&str, &mut String, &mut String),
    ) -> &(String, String, u64) {
        if let Some((prev, i)) = self.last {
            if prev == raw {
                return &self.forms[i as usize];
            }
        }
        if self.lookups >= Self::TRIAL && self.hits < self.lookups / 2 {
            let (fold, norm, hash) = &mut self.direct;
            fuzzy(raw, fold, norm);
            *hash = xxh3_64(fold.as_bytes());
            return &self.direct;
        }
        self.lookups += 1;
        let i = match self.index.get(raw) {
            Some(&i) => {
                self.hits += 1;
                i
            }
            None => {
                if self.forms.len() >= Self::MAX {
                    // A chunk of all-distinct values: do not grow without bound.
                    self.index.clear();
                    self.forms.clear();
                }
                let (mut fold, mut norm) = (String::new(), String::new());
                fuzzy(raw, &mut fold, &mut norm);
                let hash = xxh3_64(fold.as_bytes());
                self.forms.push((fold, norm, hash));
                let i = (self.forms.len() - 1) as u32;
                self.index.insert(raw, i);
                i
            }
        };
        self.last = Some((raw, i));
        &self.forms[i as usize]
    }
}

fn city_forms(raw: &str, fold: &mut String, norm: &mut String) {
    fold_text_into(raw, fold);
    norm.clear();
}

/// Non-null cells per row over every column, column by column (validity bitmaps).
fn completeness(batch: &RecordBatch, rows: Range<usize>) -> Vec<u32> {
    let mut counts = vec![0u32; rows.len()];
    for col in batch.columns() {
        match col.logical_nulls() {
            None => counts.iter_mut().for_each(|c| *c += 1),
            Some(nulls) => {
                for (c, i) in counts.iter_mut().zip(rows.clone()) {
                    *c += u32::from(nulls.is_valid(i));
                }
            }
        }
    }
    counts
}

fn prepare_chunk(inp: &Inputs<'_>, rows: Range<usize>) -> CoreResult<Prepared> {
    // Sized up front: growing a chunk's columns by doubling costs copies and page faults.
    let n = rows.len();
    let arena = |bytes_per_row: usize| Arena {
        values: String::with_capacity(n * bytes_per_row),
        offsets: Vec::with_capacity(n + 1),
    };
    let mut out = Prepared {
        title_norm: arena(24),
        venue_norm: arena(16),
        city_norm: arena(12),
        place_norm: arena(24),
        exact: Vec::with_capacity(n),
        source_key: Vec::with_capacity(n),
        start: Vec::with_capacity(n),
        source: Vec::with_capacity(n),
        city_hash: Vec::with_capacity(n),
        title_bag: Vec::with_capacity(n),
        ..Prepared::default()
    };
    for a in [
        &mut out.title_norm,
        &mut out.venue_norm,
        &mut out.city_norm,
        &mut out.place_norm,
    ] {
        a.offsets.push(0);
    }
    let (mut title_fold, mut title, mut key_buf) = (String::new(), String::new(), Vec::new());
    // Cities and venues recur across a chunk (a venue hosts many nights), so each
    // distinct spelling is folded once.
    let (mut cities, mut venues) = (Memo::default(), Memo::default());
    for i in rows.clone() {
        // title_norm_into leaves the plain fold in its scratch: the exact key's material.
        // The title's bag is built from its words as they are written.
        let mut bag = WordBag::new();
        let raw_title = inp.title.get(i).unwrap_or("");
        let words = title_norm_words_into(raw_title, &mut title_fold, &mut title, &mut |w| {
            bag.add_word(w)
        });
        let (city, _, city_hash) = cities.get(inp.city.get(i).unwrap_or(""), city_forms);
        let (venue_fold, venue, _) = venues.get(inp.venue.get(i).unwrap_or(""), venue_norm_into);
        // Venue names the place best; the city is the fallback when no venue is known.
        let place: &str = if venue_fold.is_empty() {
            city
        } else {
            venue_fold
        };
        let start = inp.start[i];
        out.exact
            .push(exact_key_with(&mut key_buf, &title_fold, place, start));
        out.title_norm.push(&title);
        out.title_bag
            .push(if words { bag } else { WordBag::of(&title) });
        out.venue_norm.push(venue);
        out.city_norm.push(city);
        out.place_norm.push(place);
        out.city_hash.push(*city_hash);
        let source = inp.source.get(i).unwrap_or("");
        out.source_key
            .push(source_key_with(&mut key_buf, source, inp.source_id.get(i)));
        out.start.push(start);
        out.source.push(xxh3_64(source.as_bytes()));
    }
    out.completeness = completeness(inp.batch, rows);
    Ok(out)
}

/// Room for every part at once: growing by doubling would copy a million rows' text
/// several times over.
fn reserve(into: &mut Prepared, parts: &[Prepared]) {
    let text = |f: fn(&Prepared) -> &Arena| parts.iter().map(|p| f(p).values.len()).sum::<usize>();
    let rows: usize = parts.iter().map(Prepared::len).sum();
    into.title_norm.reserve(rows, text(|p| &p.title_norm));
    into.venue_norm.reserve(rows, text(|p| &p.venue_norm));
    into.city_norm.reserve(rows, text(|p| &p.city_norm));
    into.place_norm.reserve(rows, text(|p| &p.place_norm));
    into.exact.reserve(rows);
    into.source_key.reserve(rows);
    into.start.reserve(rows);
    into.source.reserve(rows);
    into.city_hash.reserve(rows);
    into.completeness.reserve(rows);
    into.title_bag.reserve(rows);
}

/// Append every part, each column on its own task: the columns are independent, and
/// at a million rows copying them one after another is a sizeable serial step.
fn append_all(into: &mut Prepared, parts: &[Prepared]) {
    let Prepared {
        title_norm,
        venue_norm,
        city_norm,
        place_norm,
        exact,
        source_key,
        start,
        source,
        city_hash,
        completeness,
        title_bag,
        ..
    } = into;
    fn vec<T: Copy + Send + Sync>(into: &mut Vec<T>, parts: &[Prepared], f: fn(&Prepared) -> &[T]) {
        for p in parts {
            into.extend_from_slice(f(p));
        }
    }
    fn arena(into: &mut Arena, parts: &[Prepared], f: fn(&Prepared) -> &Arena) {
        for p in parts {
            into.append(f(p));
        }
    }
    let rows: usize = parts.iter().map(Prepared::len).sum();
    if rows < crate::dedup::PAR_MIN {
        arena(title_norm, parts, |p| &p.title_norm);
        arena(venue_norm, parts, |p| &p.venue_norm);
        arena(city_norm, parts, |p| &p.city_norm);
        arena(place_norm, parts, |p| &p.place_norm);
        vec(exact, parts, |p| &p.exact);
        vec(source_key, parts, |p| &p.source_key);
        vec(start, parts, |p| &p.start);
        vec(source, parts, |p| &p.source);
        vec(city_hash, parts, |p| &p.city_hash);
        vec(completeness, parts, |p| &p.completeness);
        vec(title_bag, parts, |p| &p.title_bag);
        return;
    }
    rayon::scope(|s| {
        s.spawn(|_| arena(title_norm, parts, |p| &p.title_norm));
        s.spawn(|_| arena(venue_norm, parts, |p| &p.venue_norm));
        s.spawn(|_| arena(city_norm, parts, |p| &p.city_norm));
        s.spawn(|_| arena(place_norm, parts, |p| &p.place_norm));
        s.spawn(|_| vec(exact, parts, |p| &p.exact));
        s.spawn(|_| vec(source_key, parts, |p| &p.source_key));
        s.spawn(|_| {
            vec(start, parts, |p| &p.start);
            vec(source, parts, |p| &p.source);
            vec(city_hash, parts, |p| &p.city_hash);
            vec(completeness, parts, |p| &p.completeness);
        });
        s.spawn(|_| vec(title_bag, parts, |p| &p.title_bag));
    });
}

/// `f` over the rows `0..n` in chunks of `CHUNK_ROWS`, results in chunk order; the
/// chunks run in parallel once a frame is large enough to pay for it.
fn by_chunks<T: Send>(n: usize, f: impl Fn(Range<usize>) -> T + Sync) -> Vec<T> {
    let chunk = |c: usize| f(c * CHUNK_ROWS..((c + 1) * CHUNK_ROWS).min(n));
    if n >= crate::dedup::PAR_MIN {
        (0..n.div_ceil(CHUNK_ROWS))
            .into_par_iter()
            .map(chunk)
            .collect()
    } else {
        (0..n.div_ceil(CHUNK_ROWS)).map(chunk).collect()
    }
}

/// Normalise and key every row of every batch (rows numbered across batches), and
/// take each start's local date (`prepare_keys`, then `local_days`).
pub fn prepare(batches: &[RecordBatch]) -> CoreResult<Prepared> {
    let mut p = prepare_keys(batches)?;
    p.day = local_days(batches, &p.start)?;
    Ok(p)
}

/// The local date of each start in its row's `timezone`: only the fuzzy stage's
/// blocking uses it, so it is a pass of its own (in parallel for large frames).
pub fn local_days(batches: &[RecordBatch], start: &[Option<i64>]) -> CoreResult<Vec<Option<i64>>> {
    let mut days = Vec::with_capacity(start.len());
    let mut first = 0;
    for batch in batches {
        let zones = str_column(batch, "timezone")?;
        let n = batch.num_rows();
        let starts = &start[first..first + n];
        let chunk = |rows: Range<usize>| -> CoreResult<Vec<Option<i64>>> {
            let mut cache = ZoneCache::default();
            rows.map(|i| match starts[i] {
                Some(t) => cache.local_day(zones.get(i), t).map(Some),
                None => Ok(None),
            })
            .collect()
        };
        let parts = by_chunks(n, chunk);
        // The first bad row in input order is the one reported, however chunks ran.
        for part in parts {
            days.extend(part?);
        }
        first += n;
    }
    Ok(days)
}

/// Normalise and key every row of every batch; `day` is left empty (see `local_days`).
pub fn prepare_keys(batches: &[RecordBatch]) -> CoreResult<Prepared> {
    let mut all = Prepared::default();
    for batch in batches {
        let inp = Inputs {
            title: str_column(batch, "title")?,
            venue: str_column(batch, "venue")?,
            city: str_column(batch, "city")?,
            source: str_column(batch, "source")?,
            source_id: str_column(batch, "source_event_id")?,
            start: timestamp_micros(batch, "start")?,
            batch,
        };
        let n = batch.num_rows();
        // Events merged earlier list every source they came from; the row's own source
        // is in `source`, so only lists of several entries add anything.
        if let Some(listed) = list_strings(batch, "sources", "source")? {
            let offset = all.len() as u32;
            for i in (0..n).filter(|&i| listed.row_len(i) > 1) {
                let own = inp.source.get(i);
                for s in listed.row(i).filter(|s| Some(*s) != own) {
                    all.more_sources
                        .push((offset + i as u32, xxh3_64(s.as_bytes())));
                }
            }
        }
        let parts = by_chunks(n, |rows| prepare_chunk(&inp, rows));
        // The first bad row in input order is the one reported, however chunks ran.
        let mut parts = parts.into_iter().collect::<CoreResult<Vec<_>>>()?;
        if all.is_empty() && parts.len() == 1 {
            // One chunk (a frame of up to CHUNK_ROWS rows in one batch): it is the result.
            let more_sources = std::mem::take(&mut all.more_sources);
            all = parts.pop().unwrap_or_default();
            all.more_sources = more_sources;
            continue;
        }
        reserve(&mut all, &parts);
        append_all(&mut all, &parts);
    }
    Ok(all)
}

/// The normalised forms as Arrow columns, for inspection.
pub fn norm_columns(p: Prepared) -> Vec<(&'static str, ArrayRef)> {
    vec![
        ("title_norm", p.title_norm.into_view_array(None)),
        ("venue_norm", p.venue_norm.into_view_array(None)),
        ("city_norm", p.city_norm.into_view_array(None)),
        ("place_norm", p.place_norm.into_view_array(None)),
    ]
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use arrow_array::{ArrayRef, StringArray, TimestampMicrosecondArray};

    /// (title, venue, city, source, start minutes since the epoch (UTC), time zone).
    pub(crate) type Row<'a> = (
        &'a str,
        Option<&'a str>,
        &'a str,
        &'a str,
        i64,
        Option<&'a str>,
    );

    /// A frame of rows.
    pub(crate) fn frame(rows: &[Row<'_>]) -> RecordBatch {
        let s = |f: &dyn Fn(&Row<'_>) -> Option<String>| {
            Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>())) as ArrayRef
        };
        RecordBatch::try_from_iter(vec![
            ("title", s(&|r| Some(r.0.to_string()))),
            ("venue", s(&|r| r.1.map(str::to_string))),
            ("city", s(&|r| Some(r.2.to_string()))),
            ("source", s(&|r| Some(r.3.to_string()))),
            ("source_event_id", s(&|_| None)),
            (
                "start",
                Arc::new(
                    TimestampMicrosecondArray::from(
                        rows.iter().map(|r| r.4 * 60_000_000).collect::<Vec<_>>(),
                    )
                    .with_timezone("UTC"),
                ) as ArrayRef,
            ),
            ("timezone", s(&|r| r.5.map(str::to_string))),
        ])
        .unwrap()
    }

    #[test]
    fn rows_are_normalised_and_keyed_like_exact_keys() {
        let b = frame(&[
            (
                "DJ Ana presents Salsa!",
                Some("The Loft Studio"),
                "Vancouver",
                "a",
                0,
                Some("America/Vancouver"),
            ),
            ("Tango", None, "Oslo", "b", 5, None),
        ]);
        let p = prepare(std::slice::from_ref(&b)).unwrap();
        assert_eq!(p.title_norm.get(0), "dj ana salsa");
        assert_eq!(p.venue_norm.get(0), "loft");
        assert_eq!(p.place_norm.get(0), "the loft studio");
        assert_eq!(p.place_norm.get(1), "oslo");
        assert_eq!(
            p.exact[0],
            crate::keys::exact_key("dj ana presents salsa", "the loft studio", Some(0))
        );
        // Midnight UTC is still 31 December in Vancouver; no zone means the UTC date.
        assert_eq!(p.day, vec![Some(-1), Some(0)]);
        // Completeness counts non-null cells: row 1 lacks venue, source_event_id and zone.
        assert_eq!(p.completeness, vec![6, 4]);
    }

    #[test]
    fn many_chunks_and_batches_keep_row_order() {
        let rows: Vec<(String, i64)> = (0..10_000).map(|i| (format!("event {i}"), i)).collect();
        let view: Vec<_> = rows
            .iter()
            .map(|(t, m)| (t.as_str(), None, "x", "s", *m, None))
            .collect();
        let b = frame(&view);
        let p = prepare(&[b.clone(), b]).unwrap();
        assert_eq!(p.len(), 20_000);
        assert_eq!(p.title_norm.get(9_999), "event 9999");
        assert_eq!(p.title_norm.get(10_001), "event 1");
        let arr = norm_columns(p);
        assert_eq!(arr[0].1.len(), 20_000);
    }

    #[test]
    fn title_bags_built_while_folding_equal_bags_of_the_titles() {
        let titles = [
            "DJ Ana presents Salsa!",
            "The",
            "salsa salsa night",
            "Urban Kiz \u{1f57a} Night",
            "Forr\u{f3} Night",
            "",
            "with the",
            "Zouk   Weekend  2027",
        ];
        let rows: Vec<Row<'_>> = titles
            .iter()
            .map(|t| (*t, None, "Oslo", "a", 0, None))
            .collect();
        let p = prepare(&[frame(&rows)]).unwrap();
        for (i, t) in titles.iter().enumerate() {
            assert_eq!(p.title_bag[i], WordBag::of(p.title_norm.get(i)), "{t:?}");
        }
    }
}
