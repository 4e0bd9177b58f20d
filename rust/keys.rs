//! Stable keys: xxh3-128 over folded fields, so they never change across runs,
//! machines or polars versions (polars' own hash is not stable).

use xxhash_rust::xxh3::xxh3_128;

/// Bump when the key material changes, so old and new keys never collide silently.
const KEY_VERSION: &[u8] = b"dsk1";
const SEP: u8 = 0x1f;

/// Start times are keyed to the minute: seconds jitter between sources is noise.
const MICROS_PER_MINUTE: i64 = 60_000_000;

/// The exact key of an event: folded title, folded place (venue, else city) and start minute (UTC).
pub fn exact_key(title_folded: &str, place_folded: &str, start_micros: Option<i64>) -> u128 {
    exact_key_with(&mut Vec::new(), title_folded, place_folded, start_micros)
}

/// `exact_key`, building the material in the caller's buffer (no allocation per row).
pub fn exact_key_with(
    buf: &mut Vec<u8>,
    title_folded: &str,
    place_folded: &str,
    start_micros: Option<i64>,
) -> u128 {
    buf.clear();
    buf.extend_from_slice(KEY_VERSION);
    buf.push(SEP);
    buf.extend_from_slice(title_folded.as_bytes());
    buf.push(SEP);
    buf.extend_from_slice(place_folded.as_bytes());
    buf.push(SEP);
    if let Some(t) = start_micros {
        push_decimal(buf, t.div_euclid(MICROS_PER_MINUTE));
    }
    xxh3_128(buf)
}

/// `v` in decimal, as `v.to_string()` writes it, without the formatting machinery.
fn push_decimal(buf: &mut Vec<u8>, v: i64) {
    if v < 0 {
        buf.push(b'-');
    }
    let (mut digits, mut n, mut at) = ([0u8; 20], v.unsigned_abs(), 20);
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    buf.extend_from_slice(&digits[at..]);
}

/// The key of a (source, source_event_id) pair, or `None` when the source gives no id.
pub fn source_key(source: &str, source_event_id: Option<&str>) -> Option<u128> {
    source_key_with(&mut Vec::new(), source, source_event_id)
}

/// `source_key`, building the material in the caller's buffer.
pub fn source_key_with(
    buf: &mut Vec<u8>,
    source: &str,
    source_event_id: Option<&str>,
) -> Option<u128> {
    let id = source_event_id?;
    buf.clear();
    buf.extend_from_slice(KEY_VERSION);
    buf.push(SEP);
    buf.extend_from_slice(source.as_bytes());
    buf.push(SEP);
    buf.extend_from_slice(id.as_bytes());
    Some(xxh3_128(buf))
}

/// Lower-case, zero-padded hex: the text form of keys everywhere (32 characters).
pub fn key_hex(key: u128) -> String {
    format!("{key:032x}")
}

/// Identity hasher for keys that already are xxh3 output.
#[derive(Default, Clone, Copy)]
pub struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.0 = self.0.rotate_left(5) ^ u64::from_le_bytes(b);
        }
    }
    fn write_u128(&mut self, v: u128) {
        self.0 ^= v as u64;
    }
    fn write_u64(&mut self, v: u64) {
        self.0 = self.0.rotate_left(17) ^ v;
    }
}

pub type KeyMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<KeyHasher>>;

/// Hashes string keys with xxh3 rather than SipHash: no adversary picks them, and
/// lookups run once per row.
#[derive(Default, Clone, Copy)]
pub struct BuildXxh3;

impl std::hash::BuildHasher for BuildXxh3 {
    type Hasher = Xxh3Hasher;
    #[inline]
    fn build_hasher(&self) -> Xxh3Hasher {
        Xxh3Hasher(0)
    }
}

/// Folds each written chunk's xxh3-64 into the state (a `str` writes its bytes, then 0xff).
pub struct Xxh3Hasher(u64);

impl std::hash::Hasher for Xxh3Hasher {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.0 = self.0.rotate_left(23) ^ xxhash_rust::xxh3::xxh3_64(bytes);
    }
    #[inline]
    fn write_u8(&mut self, b: u8) {
        self.0 = self.0.rotate_left(7) ^ u64::from(b);
    }
}

/// A map keyed by borrowed strings, hashed with xxh3.
pub type StrMap<'a, V> = std::collections::HashMap<&'a str, V, BuildXxh3>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_is_pinned() {
        // A pinned value: if this changes, every stored event_id changes with it.
        let k = key_hex(exact_key(
            "salsa social",
            "the loft",
            Some(1_767_225_600_000_000),
        ));
        assert_eq!(k.len(), 32);
        assert_eq!(
            k,
            key_hex(xxh3_128(b"dsk1\x1fsalsa social\x1fthe loft\x1f29453760"))
        );
    }

    #[test]
    fn seconds_do_not_change_the_key_but_minutes_do() {
        let base = 1_767_225_600_000_000;
        let k = exact_key("a", "b", Some(base));
        assert_eq!(k, exact_key("a", "b", Some(base + 59_000_000)));
        assert_ne!(k, exact_key("a", "b", Some(base + 60_000_000)));
        // Before 1970, minutes still floor rather than truncate toward zero.
        assert_ne!(exact_key("a", "b", Some(-1)), exact_key("a", "b", Some(0)));
    }

    #[test]
    fn decimal_matches_to_string() {
        for v in [0, 7, -7, 10, -10, 29_453_760, i64::MAX, i64::MIN] {
            let mut buf = Vec::new();
            push_decimal(&mut buf, v);
            assert_eq!(String::from_utf8(buf).unwrap(), v.to_string());
        }
    }

    #[test]
    fn fields_cannot_bleed_into_each_other() {
        assert_ne!(exact_key("ab", "c", None), exact_key("a", "bc", None));
        assert_ne!(source_key("ab", Some("c")), source_key("a", Some("bc")));
        assert_eq!(source_key("s", None), None);
    }
}

/// Compute key columns for one batch: `title_norm`, `place_norm`, `exact_key`, `source_key`.
pub fn key_columns(
    batch: &arrow_array::RecordBatch,
) -> crate::error::CoreResult<arrow_array::RecordBatch> {
    use crate::columns::{str_column, timestamp_micros};
    use crate::normalise::fold_text_into;
    use arrow_array::builder::StringBuilder;
    use std::sync::Arc;

    let title = str_column(batch, "title")?;
    let venue = str_column(batch, "venue")?;
    let city = str_column(batch, "city")?;
    let source = str_column(batch, "source")?;
    let source_id = str_column(batch, "source_event_id")?;
    let start = timestamp_micros(batch, "start")?;

    let n = batch.num_rows();
    let mut title_b = StringBuilder::with_capacity(n, n * 24);
    let mut place_b = StringBuilder::with_capacity(n, n * 16);
    let mut exact_b = StringBuilder::with_capacity(n, n * 32);
    let mut source_b = StringBuilder::with_capacity(n, n * 32);
    let (mut t, mut p) = (String::new(), String::new());
    #[allow(clippy::needless_range_loop)] // `i` indexes six columns at once
    for i in 0..n {
        fold_text_into(title.get(i).unwrap_or(""), &mut t);
        // Venue names the place best; a city is the fallback when no venue is known.
        fold_text_into(venue.get(i).unwrap_or(""), &mut p);
        if p.is_empty() {
            fold_text_into(city.get(i).unwrap_or(""), &mut p);
        }
        title_b.append_value(&t);
        place_b.append_value(&p);
        exact_b.append_value(key_hex(exact_key(&t, &p, start[i])));
        match source_key(source.get(i).unwrap_or(""), source_id.get(i)) {
            Some(k) => source_b.append_value(key_hex(k)),
            None => source_b.append_null(),
        }
    }
    let cols: Vec<(&str, arrow_array::ArrayRef)> = vec![
        ("title_norm", Arc::new(title_b.finish())),
        ("place_norm", Arc::new(place_b.finish())),
        ("exact_key", Arc::new(exact_b.finish())),
        ("source_key", Arc::new(source_b.finish())),
    ];
    Ok(arrow_array::RecordBatch::try_from_iter(cols)?)
}

#[cfg(test)]
mod batch_tests {
    use super::*;
    use arrow_array::cast::AsArray;
    use arrow_array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
    use std::sync::Arc;

    #[test]
    fn venue_falls_back_to_city_and_missing_id_gives_null() {
        let s = |v: Vec<Option<&str>>| Arc::new(StringArray::from(v)) as ArrayRef;
        let b = RecordBatch::try_from_iter(vec![
            ("title", s(vec![Some("Salsa Night"), Some("SALSA night!")])),
            ("venue", s(vec![None, Some("")])),
            ("city", s(vec![Some("Vancouver"), Some("vancouver")])),
            ("source", s(vec![Some("a"), Some("b")])),
            ("source_event_id", s(vec![Some("1"), None])),
            (
                "start",
                Arc::new(TimestampMicrosecondArray::from(vec![0, 0]).with_timezone("UTC"))
                    as ArrayRef,
            ),
        ])
        .unwrap();
        let out = key_columns(&b).unwrap();
        let exact = out.column_by_name("exact_key").unwrap().as_string::<i32>();
        assert_eq!(exact.value(0), exact.value(1));
        let place = out.column_by_name("place_norm").unwrap().as_string::<i32>();
        assert_eq!(place.value(0), "vancouver");
        let src = out.column_by_name("source_key").unwrap();
        assert!(src.is_valid(0) && src.is_null(1));
    }
}
