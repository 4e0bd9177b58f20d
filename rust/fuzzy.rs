//! String similarity for fuzzy dedup: Indel (LCS-based) and a token-set measure.
//!
//! Both are normalised to 0..=1 over Unicode code points, with the same definitions
//! as rapidfuzz's `Indel.normalized_similarity` and `fuzz.token_set_ratio / 100`, so
//! the Python baseline of the benchmark runs the very same algorithm.
//!
//! Hot loops pass a `Scratch` of reused buffers; the plain functions borrow a
//! thread-local one (thread-locals cost a call each in a shared library).

/// Longer strings are compared on their first this-many characters: a 1 MB title
/// must not make one pair cost seconds, and no real title differs only after 256 chars.
pub const MAX_FUZZY_CHARS: usize = 256;

/// A word of a string: its byte range and its first 8 bytes as a big-endian number,
/// so that most comparisons of two words are one integer compare.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    key: u64,
    at: u16,
    end: u16,
}

impl Span {
    fn new(s: &[u8], at: usize, end: usize) -> Self {
        let n = (end - at).min(8);
        // One 8-byte load where the string goes on that far (the usual case), with the
        // bytes past the word masked off; a variable-length copy is a memcpy call.
        let key = match s.get(at..at + 8) {
            Some(eight) => {
                let word = u64::from_be_bytes(eight.try_into().unwrap_or_default());
                word & !(u64::MAX.checked_shr(8 * n as u32).unwrap_or(0))
            }
            None => {
                let mut key = [0u8; 8];
                key[..n].copy_from_slice(&s[at..at + n]);
                u64::from_be_bytes(key)
            }
        };
        Self {
            key,
            at: at as u16,
            end: end as u16,
        }
    }

    /// A hash of the word's prefix and length: words sharing both share it.
    #[inline]
    fn hash(&self) -> u64 {
        (self.key ^ u64::from(self.end - self.at)).wrapping_mul(0x9e37_79b9_7f4a_7c15)
    }

    #[inline]
    fn bytes<'s>(&self, s: &'s [u8]) -> &'s [u8] {
        &s[self.at as usize..self.end as usize]
    }

    /// Byte order of this word of `a` and `other` of `b`.
    #[inline]
    fn cmp_in(&self, a: &[u8], other: &Span, b: &[u8]) -> std::cmp::Ordering {
        self.key.cmp(&other.key).then_with(|| {
            let (x, y) = (self.bytes(a), other.bytes(b));
            if x.len() <= 8 && y.len() <= 8 {
                x.len().cmp(&y.len()) // equal prefixes: only padding can differ
            } else {
                x[x.len().min(8)..].cmp(&y[y.len().min(8)..])
            }
        })
    }
}

/// Reusable buffers of the measures: nothing allocates per pair once warm.
pub struct Scratch {
    /// Pattern masks of `lcs_len_short`, all zero between calls: each call sets and
    /// clears only its own bytes' entries instead of zeroing 2 KB per pair.
    pm: Box<[u64; 256]>,
    ta: Vec<Span>,
    tb: Vec<Span>,
    da: Vec<u8>,
    db: Vec<u8>,
    codes: Codes,
}

impl Default for Scratch {
    fn default() -> Self {
        Self {
            pm: Box::new([0; 256]),
            ta: Vec::new(),
            tb: Vec::new(),
            da: Vec::new(),
            db: Vec::new(),
            codes: Codes::default(),
        }
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

fn with_scratch<T>(f: impl FnOnce(&mut Scratch) -> T) -> T {
    SCRATCH.with(|s| f(&mut s.borrow_mut()))
}

/// LCS length of two byte strings, the shorter at most 64 bytes: one word, no allocation.
fn lcs_len_short(pm: &mut [u64; 256], a: &[u8], b: &[u8]) -> usize {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    debug_assert!(a.len() <= 64);
    for (pos, &c) in a.iter().enumerate() {
        pm[c as usize] |= 1u64 << pos;
    }
    let mut v = u64::MAX;
    for &c in b {
        let u = v & pm[c as usize];
        v = v.wrapping_add(u) | (v - u);
    }
    for &c in a {
        pm[c as usize] = 0;
    }
    let mask = if a.len() == 64 {
        u64::MAX
    } else {
        (1u64 << a.len()) - 1
    };
    (!v & mask).count_ones() as usize
}

/// LCS length of two byte strings of any length.
fn lcs_bytes(pm: &mut [u64; 256], a: &[u8], b: &[u8]) -> usize {
    if a.len().min(b.len()) <= 64 {
        lcs_len_short(pm, a, b)
    } else {
        lcs_len(a, b)
    }
}

/// Length of the longest common subsequence, bit-parallel (64 pattern chars per word).
fn lcs_len<T: Copy + Ord>(a: &[T], b: &[T]) -> usize {
    let (a, b) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    if a.is_empty() {
        return 0;
    }
    let words = a.len().div_ceil(64);
    // Pattern masks per distinct symbol of `a`, found by binary search.
    let mut symbols: Vec<T> = a.to_vec();
    symbols.sort_unstable();
    symbols.dedup();
    let mut masks = vec![0u64; symbols.len() * words];
    for (pos, c) in a.iter().enumerate() {
        let s = symbols.binary_search(c).unwrap_or(0);
        masks[s * words + pos / 64] |= 1u64 << (pos % 64);
    }
    let mut v = vec![u64::MAX; words];
    for c in b {
        let Ok(s) = symbols.binary_search(c) else {
            continue;
        };
        let pm = &masks[s * words..(s + 1) * words];
        let mut carry = 0u64;
        for (w, vw) in v.iter_mut().enumerate() {
            let u = *vw & pm[w];
            let (sum, c1) = vw.overflowing_add(u);
            let (sum, c2) = sum.overflowing_add(carry);
            carry = u64::from(c1 || c2);
            *vw = sum | (*vw - u);
        }
    }
    let full = a.len() / 64;
    let mut zeros: usize = v[..full].iter().map(|w| w.count_zeros() as usize).sum();
    let rest = a.len() % 64;
    if rest > 0 {
        let mask = (1u64 << rest) - 1;
        zeros += (!v[full] & mask).count_ones() as usize;
    }
    zeros
}

/// Indel distance over already split symbols.
fn indel_distance<T: Copy + Ord>(a: &[T], b: &[T]) -> usize {
    a.len() + b.len() - 2 * lcs_len(a, b)
}

fn capped_chars(s: &str) -> Vec<char> {
    s.chars().take(MAX_FUZZY_CHARS).collect()
}

/// `s` cut to its first `MAX_FUZZY_CHARS` characters, on a character boundary.
fn capped_str(s: &str) -> &str {
    if s.len() <= MAX_FUZZY_CHARS {
        return s; // no more bytes than the cap, so no more characters either
    }
    match s.char_indices().nth(MAX_FUZZY_CHARS) {
        Some((at, _)) => &s[..at],
        None => s,
    }
}

fn capped_bytes(s: &str) -> &[u8] {
    &s.as_bytes()[..s.len().min(MAX_FUZZY_CHARS)]
}

/// 1 − indel distance / total length; two empty strings are identical (1.0).
pub fn indel_similarity(a: &str, b: &str) -> f64 {
    with_scratch(|s| indel_with(s, a, b))
}

/// `indel_similarity` with the caller's scratch.
pub fn indel_with(s: &mut Scratch, a: &str, b: &str) -> f64 {
    if a == b {
        return 1.0;
    }
    if a.is_ascii() && b.is_ascii() {
        let (a, b) = (capped_bytes(a), capped_bytes(b));
        let lcs = lcs_bytes(&mut s.pm, a, b);
        return ratio(a.len() + b.len() - 2 * lcs, a.len() + b.len());
    }
    let (a, b) = (capped_str(a), capped_str(b));
    // Few distinct characters (the usual case): recode them as bytes, keep the fast path.
    if encode_pair(a, b, false, &mut s.codes) {
        let (x, y) = (&s.codes.a[..], &s.codes.b[..]);
        let lcs = lcs_bytes(&mut s.pm, x, y);
        return ratio(x.len() + y.len() - 2 * lcs, x.len() + y.len());
    }
    let (a, b) = (capped_chars(a), capped_chars(b));
    ratio(indel_distance(&a, &b), a.len() + b.len())
}

/// Byte codes for two non-ASCII strings (one per character) and the alphabet behind them.
#[derive(Default)]
struct Codes {
    a: Vec<u8>,
    b: Vec<u8>,
    alphabet: Vec<char>,
}

/// Recode `a` and `b` as bytes, one per character, keeping equality and order of
/// characters: ASCII stays itself, the few distinct non-ASCII characters get the codes
/// from 0x80 up, in order. With `words`, every whitespace character becomes a space
/// (a word break). False when there are more than 128 distinct non-ASCII characters.
fn encode_pair(a: &str, b: &str, words: bool, c: &mut Codes) -> bool {
    let is_break = |ch: char| words && ch.is_whitespace();
    c.alphabet.clear();
    c.alphabet.extend(
        a.chars()
            .chain(b.chars())
            .filter(|&ch| !ch.is_ascii() && !is_break(ch)),
    );
    c.alphabet.sort_unstable();
    c.alphabet.dedup();
    if c.alphabet.len() > 0x80 {
        return false;
    }
    let alphabet = &c.alphabet;
    let code = |ch: char| {
        if ch.is_ascii() {
            ch as u8
        } else if is_break(ch) {
            b' '
        } else {
            0x80 + alphabet.binary_search(&ch).unwrap_or(0) as u8
        }
    };
    c.a.clear();
    c.a.extend(a.chars().map(code));
    c.b.clear();
    c.b.extend(b.chars().map(code));
    true
}

#[inline]
fn ratio(distance: usize, total: usize) -> f64 {
    if total == 0 {
        1.0
    } else {
        1.0 - distance as f64 / total as f64
    }
}

/// Token-set similarity: words compared as sets, so reordering and extra words
/// ("salsa social" vs "social salsa with dj ana") cost little. A set that is a
/// subset of the other scores 1.0; no words on either side scores 0.0.
pub fn token_set_similarity(a: &str, b: &str) -> f64 {
    with_scratch(|s| token_set_with(s, a, b, (None, None)))
}

/// Each side's sorted, unique words (from `word_spans`), where known.
pub type Words<'w> = (Option<&'w [Span]>, Option<&'w [Span]>);

/// `token_set_similarity` with the caller's scratch and each side's words.
pub fn token_set_with(s: &mut Scratch, a: &str, b: &str, (wa, wb): Words<'_>) -> f64 {
    let Scratch {
        pm,
        ta,
        tb,
        da,
        db,
        codes,
    } = s;
    if let (Some(wa), Some(wb)) = (wa, wb) {
        return token_set_spans(pm, a.as_bytes(), b.as_bytes(), wa, wb, da, db);
    }
    let (a, b) = (capped_str(a), capped_str(b));
    let (x, y): (&[u8], &[u8]) = if a.is_ascii() && b.is_ascii() {
        (a.as_bytes(), b.as_bytes())
    } else if encode_pair(a, b, true, codes) {
        (&codes.a, &codes.b)
    } else {
        return token_set_chars(a, b);
    };
    spans(x, ta);
    spans(y, tb);
    token_set_spans(pm, x, y, ta, tb, da, db)
}

/// The token-set measure over characters: strings with more distinct characters
/// than byte codes.
fn token_set_chars(a: &str, b: &str) -> f64 {
    let mut ta: Vec<&str> = a.split_whitespace().collect();
    let mut tb: Vec<&str> = b.split_whitespace().collect();
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    // Byte order of UTF-8 is code point order, as Python's sorted() uses.
    ta.sort_unstable();
    ta.dedup();
    tb.sort_unstable();
    tb.dedup();
    let (mut sect, mut only_a, mut only_b) = (Vec::new(), Vec::new(), Vec::new());
    let (mut i, mut j) = (0, 0);
    while i < ta.len() || j < tb.len() {
        match (ta.get(i), tb.get(j)) {
            (Some(x), Some(y)) if x == y => {
                sect.push(*x);
                i += 1;
                j += 1;
            }
            (Some(x), Some(y)) if x < y => {
                only_a.push(*x);
                i += 1;
            }
            (Some(_), Some(y)) => {
                only_b.push(*y);
                j += 1;
            }
            (Some(x), None) => {
                only_a.push(*x);
                i += 1;
            }
            (None, Some(y)) => {
                only_b.push(*y);
                j += 1;
            }
            (None, None) => break,
        }
    }
    if !sect.is_empty() && (only_a.is_empty() || only_b.is_empty()) {
        return 1.0;
    }
    let (diff_a, diff_b) = (only_a.join(" "), only_b.join(" "));
    let char_len = |s: &str| s.chars().count();
    let (len_a, len_b) = (char_len(&diff_a), char_len(&diff_b));
    let len_sect = sect.iter().map(|w| char_len(w)).sum::<usize>() + sect.len().saturating_sub(1);
    let sep = usize::from(len_sect != 0);
    let (sect_a, sect_b) = (len_sect + sep + len_a, len_sect + sep + len_b);
    // "sect diff_a" vs "sect diff_b" share the prefix, so their distance is the diffs'.
    let diffs = {
        let (x, y): (Vec<char>, Vec<char>) = (diff_a.chars().collect(), diff_b.chars().collect());
        ratio(indel_distance(&x, &y), sect_a + sect_b)
    };
    if len_sect == 0 {
        return diffs;
    }
    // "sect" vs "sect diff": the distance is the separator plus the diff.
    let with_a = ratio(sep + len_a, len_sect + sect_a);
    let with_b = ratio(sep + len_b, len_sect + sect_b);
    diffs.max(with_a).max(with_b)
}

/// Whether two space-separated strings share a whole word (no allocation).
pub fn share_word(a: &str, b: &str) -> bool {
    a.split(' ')
        .any(|w| !w.is_empty() && b.split(' ').any(|x| x == w))
}

/// Word spans of an ASCII string (at most `MAX_FUZZY_CHARS` bytes), sorted, unique.
fn spans(s: &[u8], out: &mut Vec<Span>) {
    out.clear();
    push_spans(s, out);
}

/// `spans`, appended to `out`.
fn push_spans(s: &[u8], out: &mut Vec<Span>) {
    let at = out.len();
    let mut start = None;
    for (i, &c) in s.iter().enumerate() {
        match (c.is_ascii_whitespace() || c == 0x0b, start) {
            (true, Some(b)) => {
                out.push(Span::new(s, b, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    if let Some(b) = start {
        out.push(Span::new(s, b, s.len()));
    }
    sort_unique(s, out, at);
}

/// Sort the words `out[at..]` of `s` in byte order and drop repeats.
fn sort_unique(s: &[u8], out: &mut Vec<Span>, at: usize) {
    out[at..].sort_unstable_by(|p, q| p.cmp_in(s, q, s));
    let mut kept = at;
    for k in at..out.len() {
        if kept == at || out[kept - 1].cmp_in(s, &out[k], s).is_ne() {
            out[kept] = out[k];
            kept += 1;
        }
    }
    out.truncate(kept);
}

/// Sorted, unique word spans of `s`, appended to `out`: computed once per string
/// instead of once per pair.
///
/// Only for the strings where both `share_word` and the token-set measure see exactly
/// these words: ASCII, within the length cap, words separated by plain spaces. False
/// (and nothing pushed) otherwise; callers then use the general functions.
pub fn word_spans(s: &str, out: &mut Vec<Span>) -> bool {
    let b = s.as_bytes();
    if b.len() > MAX_FUZZY_CHARS {
        return false;
    }
    let at = out.len();
    let mut start = None;
    for (i, &c) in b.iter().enumerate() {
        if c == b' ' {
            if let Some(x) = start.take() {
                out.push(Span::new(b, x, i));
            }
        } else if !c.is_ascii() || c.is_ascii_whitespace() || c == 0x0b {
            out.truncate(at);
            return false;
        } else if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(x) = start {
        out.push(Span::new(b, x, b.len()));
    }
    sort_unique(b, out, at);
    true
}

/// Whether two sorted, unique word lists share a word: `share_word` on `word_spans`.
fn spans_meet(a: &[u8], ta: &[Span], b: &[u8], tb: &[Span]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < ta.len() && j < tb.len() {
        match ta[i].cmp_in(a, &tb[j], b) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
        }
    }
    false
}

/// Venue similarity: Indel, raised by the token-set measure when the two share a
/// word, so "Copper" matches "Copper, 471 Main Ave" but "Copper" and "Harbour" stay
/// apart. (Without a shared word the token-set measure adds little and costs most.)
pub fn venue_similarity(a: &str, b: &str) -> f64 {
    with_scratch(|s| venue_similarity_with(s, a, b, (None, None)))
}

/// `venue_similarity` with the caller's scratch and each side's words.
pub fn venue_similarity_with(s: &mut Scratch, a: &str, b: &str, (wa, wb): Words<'_>) -> f64 {
    let v = indel_with(s, a, b);
    if v >= 1.0 {
        return v;
    }
    let shared = match (wa, wb) {
        (Some(ta), Some(tb)) => spans_meet(a.as_bytes(), ta, b.as_bytes(), tb),
        _ => share_word(a, b),
    };
    if shared {
        v.max(token_set_with(s, a, b, (wa, wb)))
    } else {
        v
    }
}

/// Character classes of a `WordBag`: a-z, 0-9, the space, and one for any other byte.
const BAG_CLASSES: usize = 38;

/// Each byte's class, and `BAD` for bytes that make a bag unusable (non-ASCII,
/// whitespace other than the space): one table lookup per byte.
const BAG_CLASS: [u8; 256] = {
    let mut t = [BAD; 256];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = match b {
            b'a'..=b'z' => b - b'a',
            b'0'..=b'9' => 26 + b - b'0',
            b' ' => 36,
            b'\t' | b'\n' | 0x0b | 0x0c | b'\r' => BAD,
            _ => 37,
        };
        c += 1;
    }
    t
};
const BAD: u8 = u8::MAX;

/// A sketch of a string's words that bounds both measures of two strings without
/// computing either: which words (64 hashed bits) and how many of each character
/// class the string holds. Only a string of distinct words joined by single spaces
/// gets a usable bag: its characters are then those of its sorted unique words too.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WordBag {
    words: u64,
    chars: [u8; BAG_CLASSES],
    len: u8,
    usable: bool,
}

impl Default for WordBag {
    fn default() -> Self {
        Self::new()
    }
}

impl WordBag {
    /// An empty bag, to which `add_word` adds a string's words in order.
    pub fn new() -> Self {
        Self {
            words: 0,
            chars: [0; BAG_CLASSES],
            len: 0,
            usable: true,
        }
    }

    /// Add the next word of a single-spaced string; the bag turns unusable on a
    /// character other than ASCII non-whitespace, an empty word, a word whose bit is
    /// already set (maybe a repeat) or a string of 256 bytes or more.
    pub fn add_word(&mut self, word: &str) {
        if !self.usable {
            return;
        }
        let w = word.as_bytes();
        let spaced = usize::from(self.words != 0); // every word but the first follows a space
        let len = usize::from(self.len) + spaced + w.len();
        if w.is_empty() || len >= MAX_FUZZY_CHARS {
            self.usable = false;
            return;
        }
        for &c in w {
            let class = BAG_CLASS[usize::from(c)];
            if class == BAD || c == b' ' {
                self.usable = false;
                return;
            }
            self.chars[usize::from(class)] += 1;
        }
        if spaced == 1 {
            self.chars[usize::from(BAG_CLASS[usize::from(b' ')])] += 1;
        }
        let bit = 1u64 << (Span::new(w, 0, w.len()).hash() >> 58);
        self.usable &= self.words & bit == 0;
        self.words |= bit;
        self.len = len as u8;
    }

    /// The bag of `s`: usable when `s` is ASCII, under 256 bytes, and its words are
    /// single-spaced and (as far as 64 bits tell) distinct.
    pub fn of(s: &str) -> Self {
        let mut bag = Self::new();
        for word in s.split(' ') {
            bag.add_word(word);
        }
        bag
    }

    /// An upper bound of both `indel_similarity` and the token-set measure of the two
    /// strings when both bags are usable and the strings share no word (the token-set
    /// measure is then the Indel of their sorted words), else `None`: a common
    /// subsequence has at most the characters both hold.
    pub fn bound(&self, other: &WordBag) -> Option<f64> {
        if !(self.usable && other.usable) || self.words & other.words != 0 {
            return None;
        }
        let common: u32 = self
            .chars
            .iter()
            .zip(&other.chars)
            .map(|(a, b)| u32::from(*a.min(b)))
            .sum();
        let total = u32::from(self.len) + u32::from(other.len);
        Some(f64::from(2 * common) / f64::from(total))
    }
}

/// The token-set measure over sorted, unique word spans of two byte strings.
fn token_set_spans(
    pm: &mut [u64; 256],
    a: &[u8],
    b: &[u8],
    ta: &[Span],
    tb: &[Span],
    da: &mut Vec<u8>,
    db: &mut Vec<u8>,
) -> f64 {
    if ta.is_empty() || tb.is_empty() {
        return 0.0;
    }
    let wa = |w: &Span| w.bytes(a);
    let wb = |w: &Span| w.bytes(b);
    let push = |buf: &mut Vec<u8>, w: &[u8]| {
        if !buf.is_empty() {
            buf.push(b' ');
        }
        buf.extend_from_slice(w);
    };
    da.clear();
    db.clear();
    let (mut sect_words, mut sect_chars) = (0usize, 0usize);
    let (mut i, mut j) = (0, 0);
    while i < ta.len() || j < tb.len() {
        let order = match (ta.get(i), tb.get(j)) {
            (Some(x), Some(y)) => x.cmp_in(a, y, b),
            (Some(_), None) => std::cmp::Ordering::Less,
            _ => std::cmp::Ordering::Greater,
        };
        match order {
            std::cmp::Ordering::Equal => {
                sect_words += 1;
                sect_chars += wa(&ta[i]).len();
                i += 1;
                j += 1;
            }
            std::cmp::Ordering::Less => {
                push(da, wa(&ta[i]));
                i += 1;
            }
            std::cmp::Ordering::Greater => {
                push(db, wb(&tb[j]));
                j += 1;
            }
        }
    }
    if sect_words > 0 && (da.is_empty() || db.is_empty()) {
        return 1.0;
    }
    let len_sect = sect_chars + sect_words.saturating_sub(1);
    let sep = usize::from(len_sect != 0);
    let (len_a, len_b) = (da.len(), db.len());
    let (sect_a, sect_b) = (len_sect + sep + len_a, len_sect + sep + len_b);
    let lcs = lcs_bytes(pm, da, db);
    let diffs = ratio(len_a + len_b - 2 * lcs, sect_a + sect_b);
    if len_sect == 0 {
        return diffs;
    }
    let with_a = ratio(sep + len_a, len_sect + sect_a);
    let with_b = ratio(sep + len_b, len_sect + sect_b);
    diffs.max(with_a).max(with_b)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn naive_lcs(a: &[char], b: &[char]) -> usize {
        let mut row = vec![0usize; b.len() + 1];
        for x in a {
            let mut diag = 0;
            for (j, y) in b.iter().enumerate() {
                let up = row[j + 1];
                row[j + 1] = if x == y { diag + 1 } else { up.max(row[j]) };
                diag = up;
            }
        }
        row[b.len()]
    }

    #[test]
    fn bit_parallel_lcs_matches_the_textbook_table() {
        let mut samples: Vec<String> = ["", "a", "salsa social", "social salsa", "ñandú café"]
            .map(String::from)
            .to_vec();
        samples.push("x".repeat(130));
        samples.push("abcabcabc".repeat(20));
        for a in &samples {
            for b in &samples {
                let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                assert_eq!(lcs_len(&x, &y), naive_lcs(&x, &y), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn presplit_words_give_the_same_scores() {
        let samples = [
            "",
            "copper",
            "copper main ave",
            "main copper",
            "salsa social salsa",
            "social salsa with dj ana",
            "a\tb",
            "caf\u{e9} copper",
        ];
        for a in samples {
            for b in samples {
                let (mut wa, mut wb) = (Vec::new(), Vec::new());
                let wa = word_spans(a, &mut wa).then_some(&wa[..]);
                let wb = word_spans(b, &mut wb).then_some(&wb[..]);
                let s = &mut Scratch::default();
                assert_eq!(
                    token_set_with(s, a, b, (wa, wb)),
                    token_set_similarity(a, b)
                );
                assert_eq!(
                    venue_similarity_with(s, a, b, (wa, wb)),
                    venue_similarity(a, b)
                );
            }
        }
    }

    #[test]
    fn one_word_lcs_matches_the_general_one() {
        let samples = [
            "",
            "a",
            "salsa social",
            "bachata night at the loft",
            &"q".repeat(64),
        ];
        for a in samples {
            for b in samples {
                let (x, y) = (a.as_bytes(), b.as_bytes());
                if x.len().min(y.len()) <= 64 {
                    assert_eq!(
                        lcs_len_short(&mut [0; 256], x, y),
                        lcs_len(x, y),
                        "{a:?} {b:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn recoded_non_ascii_matches_the_char_paths() {
        let samples = [
            "",
            "café tango",
            "ñandú café",
            "salsa 💃 social",
            "forró\u{a0}night",
            "zürich",
        ];
        for a in samples {
            for b in samples {
                let (x, y): (Vec<char>, Vec<char>) = (a.chars().collect(), b.chars().collect());
                let want = ratio(indel_distance(&x, &y), x.len() + y.len());
                assert!((indel_similarity(a, b) - want).abs() < 1e-12, "{a:?} {b:?}");
            }
        }
        // More distinct characters than byte codes: the char path still answers.
        let wide: String = ('\u{4e00}'..'\u{4e00}')
            .chain('\u{4e00}'..='\u{4eff}')
            .collect();
        let shorter: String = wide.chars().skip(1).collect();
        let (x, y): (Vec<char>, Vec<char>) = (
            wide.chars().take(256).collect(),
            shorter.chars().take(256).collect(),
        );
        let want = ratio(indel_distance(&x, &y), x.len() + y.len());
        assert!((indel_similarity(&wide, &shorter) - want).abs() < 1e-12);
        assert!(token_set_similarity(&wide, "x") < 0.1);
    }

    #[test]
    fn indel_known_values() {
        assert_eq!(indel_similarity("", ""), 1.0);
        assert_eq!(indel_similarity("abc", ""), 0.0);
        assert_eq!(indel_similarity("salsa", "salsa"), 1.0);
        // lcs("kitten", "sitting") = 4: 1 - (6 + 7 - 8) / 13
        assert!((indel_similarity("kitten", "sitting") - (1.0 - 5.0 / 13.0)).abs() < 1e-12);
        assert!((indel_similarity("café", "cafe") - 0.75).abs() < 1e-12);
    }

    #[test]
    fn token_set_known_values() {
        assert_eq!(token_set_similarity("salsa social", "social salsa"), 1.0);
        assert_eq!(token_set_similarity("salsa", "salsa social night"), 1.0);
        assert_eq!(token_set_similarity("", "salsa"), 0.0);
        // "social salsa" vs "social bachata": indel("salsa", "bachata") = 8 over 12 + 14.
        let s = token_set_similarity("salsa social", "bachata social");
        assert!((s - (1.0 - 8.0 / 26.0)).abs() < 1e-12, "{s}");
        assert!(token_set_similarity("tango", "waltz") < 0.5);
    }

    #[test]
    fn venue_with_address_matches_its_name() {
        assert_eq!(venue_similarity("copper", "copper main ave"), 1.0);
        assert!(venue_similarity("copper", "harbour") < 0.5);
    }

    #[test]
    fn huge_strings_are_capped() {
        let big = "a".repeat(1_000_000);
        assert_eq!(indel_similarity(&big, &big), 1.0);
        assert!(token_set_similarity(&big, "b") < 0.1);
    }

    #[test]
    fn word_bags_bound_both_measures_of_disjoint_words() {
        let words = [
            "salsa",
            "social",
            "bachata",
            "class",
            "night",
            "swing",
            "westt",
            "kiz",
            "dj",
            "mo",
            "1",
            "a",
            "intermediate",
            "intermediates",
        ];
        let mut seed = 7u64;
        let mut next = |n: usize| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) as usize % n
        };
        let (mut bounded, mut shared) = (0, 0);
        for _ in 0..5_000 {
            let mut phrase = || {
                (0..1 + next(4))
                    .map(|_| words[next(words.len())])
                    .collect::<Vec<_>>()
                    .join(" ")
            };
            let (a, b) = (phrase(), phrase());
            match WordBag::of(&a).bound(&WordBag::of(&b)) {
                Some(bound) => {
                    bounded += 1;
                    assert!(!share_word(&a, &b), "{a:?} {b:?}");
                    let (t, i) = (token_set_similarity(&a, &b), indel_similarity(&a, &b));
                    assert!(t <= bound + 1e-12, "{a:?} {b:?}: token set {t} > {bound}");
                    assert!(i <= bound + 1e-12, "{a:?} {b:?}: indel {i} > {bound}");
                }
                None => shared += 1,
            }
        }
        assert!(bounded > 1_000 && shared > 1_000, "{bounded} {shared}");
        // Repeated words, runs of spaces and non-ASCII text give no bound.
        for s in ["salsa salsa", "salsa  night", " salsa", "forr\u{f3}", ""] {
            assert!(
                WordBag::of(s).bound(&WordBag::of("tango")).is_none(),
                "{s:?}"
            );
        }
    }
}
