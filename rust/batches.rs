//! Dedup results as Arrow batches: per-row columns (normalised forms, hex keys,
//! cluster, rank, local date) in input order, and the review pairs.

use std::sync::Arc;
use std::time::Instant;

use arrow_array::builder::make_view;
use arrow_array::{
    ArrayRef, Date32Array, Float64Array, RecordBatch, StringArray, StringViewArray, UInt32Array,
};
use arrow_buffer::{Buffer, NullBuffer, ScalarBuffer};

use crate::dedup::{dedup, Stats};
use crate::error::CoreResult;
use crate::prepare::{local_days, prepare_keys};
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

/// Keys as a Utf8View column of 32 hex digits: each of `keys` is written once, and row r
/// shows key `slot(r)` (null for `None`), so the rows of a cluster share their event
/// id's digits. Views are built straight over the digits (no builder, no copy).
fn hex_column(keys: &[u128], rows: usize, slot: impl Fn(usize) -> Option<usize>) -> ArrayRef {
    const PER_BUFFER: usize = 1 << 26; // 2 GiB of digits per buffer: offsets fit in u32
    let buffers: Vec<Buffer> = keys
        .chunks(PER_BUFFER)
        .map(|chunk| {
            let mut digits = Vec::with_capacity(chunk.len() * 32);
            for &k in chunk {
                digits.extend_from_slice(&hex32(k));
            }
            Buffer::from_vec(digits)
        })
        .collect();
    let view = |k: usize| {
        let (buffer, at) = (k / PER_BUFFER, (k % PER_BUFFER) * 32);
        make_view(&buffers[buffer][at..at + 32], buffer as u32, at as u32)
    };
    let slots: Vec<Option<usize>> = (0..rows).map(slot).collect();
    // A null row keeps the empty inline view (all zero bits).
    let views: Vec<u128> = slots.iter().map(|s| s.map_or(0, view)).collect();
    let nulls = (slots.iter().any(Option::is_none))
        .then(|| NullBuffer::from_iter(slots.iter().map(Option::is_some)));
    // SAFETY: every view covers 32 ASCII hex digits inside its buffer, at an offset
    // below 2^31; null rows hold the valid empty view.
    Arc::new(unsafe {
        StringViewArray::new_unchecked(ScalarBuffer::from(views), buffers.into(), nulls)
    })
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
    let exact = hex_column(&prepared.exact, n, Some);
    let source_keys: Vec<u128> = (prepared.source_key.iter())
        .map(|k| k.unwrap_or_default())
        .collect();
    let source = hex_column(&source_keys, n, |r| prepared.source_key[r].map(|_| r));
    let ids = hex_column(&out.event_ids, n, |r| Some(out.cluster[r] as usize));
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
