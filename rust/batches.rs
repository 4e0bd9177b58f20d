//! Dedup results as Arrow batches: per-row columns (normalised forms, hex keys,
//! cluster, rank, local date) in input order, and the review pairs.

use std::sync::Arc;
use std::time::Instant;

use arrow_array::{ArrayRef, Date32Array, Float64Array, RecordBatch, StringArray, UInt32Array};
use arrow_buffer::NullBuffer;

use crate::dedup::{dedup, Stats};
use crate::error::CoreResult;
use crate::prepare::{local_days, prepare_keys, Arena};
use crate::score::{DedupParams, PairScore};

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

/// Keys as a Utf8View column of 32 hex digits each (null where absent).
fn hex_column(n: usize, hex: impl Fn(usize) -> Option<[u8; 32]>) -> ArrayRef {
    let mut text = Arena::with_capacity(n, n * 32);
    let mut valid = Vec::with_capacity(n);
    for r in 0..n {
        let h = hex(r);
        valid.push(h.is_some());
        // Hex digits are ASCII, so the conversion never fails.
        text.push(
            h.as_ref()
                .map_or("", |h| std::str::from_utf8(h).unwrap_or_default()),
        );
    }
    let nulls = valid.contains(&false).then(|| NullBuffer::from(valid));
    text.into_view_array(nulls)
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
    let mut prepared = prepare_keys(batches)?;
    let normalise_seconds = t.elapsed().as_secs_f64();
    // Local dates are the fuzzy stage's blocking key, so their pass counts as fuzzy.
    let t = Instant::now();
    prepared.day = local_days(batches, &prepared.start)?;
    let days_seconds = t.elapsed().as_secs_f64();
    let mut out = dedup(&prepared, params)?;
    out.stats.normalise_seconds = normalise_seconds;
    out.stats.fuzzy_seconds += days_seconds;
    let n = prepared.len();
    let local_day: Vec<Option<i32>> = prepared
        .day
        .iter()
        .map(|d| d.and_then(|d| i32::try_from(d).ok()))
        .collect();
    let exact = hex_column(n, |r| Some(hex32(prepared.exact[r])));
    let source = hex_column(n, |r| prepared.source_key[r].map(hex32));
    // One id per cluster, written out for each of its rows.
    let id_hex: Vec<[u8; 32]> = out.event_ids.iter().map(|&k| hex32(k)).collect();
    let ids = hex_column(n, |r| Some(id_hex[out.cluster[r] as usize]));
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
    use crate::prepare::tests::frame;

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
    fn hex_matches_key_hex() {
        for k in [0u128, 1, u128::MAX, 0x0123_4567_89ab_cdef_u128 << 40] {
            assert_eq!(
                std::str::from_utf8(&hex32(k)).unwrap(),
                crate::keys::key_hex(k)
            );
        }
    }
}
