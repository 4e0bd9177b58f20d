//! Dedup results as Arrow batches: per-row columns (normalised forms, hex keys,
//! cluster, rank, local date) in input order, and the review pairs.

use std::sync::Arc;
use std::time::Instant;

use arrow_array::builder::make_view;
use arrow_array::{
    ArrayRef, Date32Array, Float64Array, RecordBatch, StringArray, StringViewArray, UInt32Array,
};
use arrow_buffer::{BooleanBuffer, Buffer, NullBuffer, ScalarBuffer};

use crate::dedup::{dedup, Stats};
use crate::error::CoreResult;
use crate::prepare::{local_days, prepare_keys};
use crate::score::{DedupParams, PairScore};

/// 16 lower-case hex digits of `x`, most significant first, without a table or a loop:
/// each nibble is spread into a byte of its own, then turned into its digit.
fn hex16(x: u64) -> [u8; 16] {
    const ONES: u128 = u128::from_ne_bytes([1; 16]);
    let mut s = u128::from(x);
    s = (s | (s << 32)) & 0x0000_0000_ffff_ffff_0000_0000_ffff_ffff;
    s = (s | (s << 16)) & 0x0000_ffff_0000_ffff_0000_ffff_0000_ffff;
    s = (s | (s << 8)) & 0x00ff_00ff_00ff_00ff_00ff_00ff_00ff_00ff;
    s = (s | (s << 4)) & 0x0f0f_0f0f_0f0f_0f0f_0f0f_0f0f_0f0f_0f0f;
    // Byte i holds nibble i (0..=15); no byte can carry into the next below.
    let letters = ((s + 6 * ONES) >> 4) & ONES; // 1 where the nibble is 10 or more
    (s + u128::from(b'0') * ONES + letters * u128::from(b'a' - b'0' - 10)).to_be_bytes()
}

/// A key as 32 lower-case hex digits (`keys::key_hex` without the formatting machinery).
fn hex32(key: u128) -> [u8; 32] {
    let mut out = [0u8; 32];
    out[..16].copy_from_slice(&hex16((key >> 64) as u64));
    out[16..].copy_from_slice(&hex16(key as u64));
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
    // A null row holds the empty view (all zero bits), which no key's view is.
    let views: Vec<u128> = (0..rows).map(|r| slot(r).map_or(0, view)).collect();
    let nulls = (views.contains(&0))
        .then(|| NullBuffer::new(BooleanBuffer::collect_bool(rows, |r| views[r] != 0)));
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
        let mut k = 0x9e37_79b9_7f4a_7c15_u128;
        let mut keys = vec![0u128, 1, u128::MAX, 0x0123_4567_89ab_cdef_u128 << 40];
        for _ in 0..10_000 {
            k = k
                .wrapping_mul(0x2545_f491_4f6c_dd1d_u128 << 1 | 1)
                .wrapping_add(0xda3e_39cb);
            keys.push(k);
        }
        for k in keys {
            assert_eq!(
                std::str::from_utf8(&hex32(k)).unwrap(),
                crate::keys::key_hex(k)
            );
        }
    }
}
