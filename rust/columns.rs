//! Typed, read-only views of the Arrow columns the core works on.
//!
//! polars hands strings over as Utf8View; pyarrow and older writers use Utf8 or
//! LargeUtf8. All three are accepted behind one accessor.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    TimestampMicrosecondType, TimestampMillisecondType, TimestampNanosecondType,
    TimestampSecondType,
};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::{DataType, TimeUnit};

use crate::error::{CoreError, CoreResult};

/// A string column in any of Arrow's three string layouts.
pub enum StrColumn<'a> {
    Utf8(&'a arrow_array::StringArray),
    LargeUtf8(&'a arrow_array::LargeStringArray),
    Utf8View(&'a arrow_array::StringViewArray),
    /// A column of nulls only (polars' `Null` dtype for an all-missing column).
    Null(usize),
}

impl StrColumn<'_> {
    #[inline]
    pub fn get(&self, i: usize) -> Option<&str> {
        match self {
            StrColumn::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            StrColumn::LargeUtf8(a) => a.is_valid(i).then(|| a.value(i)),
            StrColumn::Utf8View(a) => a.is_valid(i).then(|| a.value(i)),
            StrColumn::Null(_) => None,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            StrColumn::Utf8(a) => a.len(),
            StrColumn::LargeUtf8(a) => a.len(),
            StrColumn::Utf8View(a) => a.len(),
            StrColumn::Null(n) => *n,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// The named column, or an error listing the columns the frame does have.
pub fn column<'a>(batch: &'a RecordBatch, name: &str) -> CoreResult<&'a ArrayRef> {
    batch
        .column_by_name(name)
        .ok_or_else(|| CoreError::MissingColumn {
            column: name.to_string(),
            available: batch
                .schema()
                .fields()
                .iter()
                .map(|f| f.name().clone())
                .collect(),
        })
}

/// The named column as strings, or an error naming the column and its actual type.
pub fn str_column<'a>(batch: &'a RecordBatch, name: &str) -> CoreResult<StrColumn<'a>> {
    let array = column(batch, name)?;
    Ok(match array.data_type() {
        DataType::Utf8 => StrColumn::Utf8(array.as_string::<i32>()),
        DataType::LargeUtf8 => StrColumn::LargeUtf8(array.as_string::<i64>()),
        DataType::Utf8View => StrColumn::Utf8View(array.as_string_view()),
        DataType::Null => StrColumn::Null(array.len()),
        other => {
            return Err(CoreError::WrongType {
                column: name.to_string(),
                expected: "a string column (Utf8, LargeUtf8 or Utf8View)",
                found: other.to_string(),
            })
        }
    })
}

/// The named timestamp column as microseconds since the epoch (UTC), whatever its unit.
pub fn timestamp_micros(batch: &RecordBatch, name: &str) -> CoreResult<Vec<Option<i64>>> {
    let array = column(batch, name)?;
    let n = array.len();
    let collect = |get: &dyn Fn(usize) -> i64| -> Vec<Option<i64>> {
        (0..n).map(|i| array.is_valid(i).then(|| get(i))).collect()
    };
    Ok(match array.data_type() {
        DataType::Timestamp(unit, tz) => {
            if tz.is_none() {
                return Err(CoreError::WrongType {
                    column: name.to_string(),
                    expected: "a timezone-aware timestamp",
                    found: array.data_type().to_string(),
                });
            }
            match unit {
                TimeUnit::Second => {
                    let a = array.as_primitive::<TimestampSecondType>();
                    collect(&|i| a.value(i).saturating_mul(1_000_000))
                }
                TimeUnit::Millisecond => {
                    let a = array.as_primitive::<TimestampMillisecondType>();
                    collect(&|i| a.value(i).saturating_mul(1_000))
                }
                TimeUnit::Microsecond => {
                    let a = array.as_primitive::<TimestampMicrosecondType>();
                    collect(&|i| a.value(i))
                }
                TimeUnit::Nanosecond => {
                    let a = array.as_primitive::<TimestampNanosecondType>();
                    collect(&|i| a.value(i).div_euclid(1_000))
                }
            }
        }
        DataType::Null => vec![None; n],
        other => {
            return Err(CoreError::WrongType {
                column: name.to_string(),
                expected: "a timezone-aware timestamp",
                found: other.to_string(),
            })
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use arrow_array::{
        Int64Array, LargeStringArray, StringArray, StringViewArray, TimestampMillisecondArray,
    };
    use std::sync::Arc;

    fn batch(cols: Vec<(&str, ArrayRef)>) -> RecordBatch {
        RecordBatch::try_from_iter(cols).unwrap()
    }

    #[test]
    fn all_three_string_layouts_read_alike() {
        let b = batch(vec![
            (
                "a",
                Arc::new(StringArray::from(vec![Some("x"), None])) as ArrayRef,
            ),
            (
                "b",
                Arc::new(LargeStringArray::from(vec![Some("x"), None])) as ArrayRef,
            ),
            (
                "c",
                Arc::new(StringViewArray::from(vec![Some("x"), None])) as ArrayRef,
            ),
        ]);
        for name in ["a", "b", "c"] {
            let col = str_column(&b, name).unwrap();
            assert_eq!(col.get(0), Some("x"));
            assert_eq!(col.get(1), None);
            assert_eq!(col.len(), 2);
        }
    }

    #[test]
    fn wrong_type_and_missing_column_name_the_column() {
        let b = batch(vec![("n", Arc::new(Int64Array::from(vec![1])) as ArrayRef)]);
        let err = str_column(&b, "n").err().unwrap().to_string();
        assert!(err.contains("\"n\"") && err.contains("Int64"), "{err}");
        let err = str_column(&b, "title").err().unwrap().to_string();
        assert!(err.contains("\"title\"") && err.contains("n"), "{err}");
    }

    #[test]
    fn timestamps_convert_to_micros_and_naive_is_refused() {
        let ms = TimestampMillisecondArray::from(vec![Some(1_500), None]).with_timezone("UTC");
        let b = batch(vec![("t", Arc::new(ms) as ArrayRef)]);
        assert_eq!(
            timestamp_micros(&b, "t").unwrap(),
            vec![Some(1_500_000), None]
        );
        let naive = TimestampMillisecondArray::from(vec![Some(1)]);
        let b = batch(vec![("t", Arc::new(naive) as ArrayRef)]);
        assert!(timestamp_micros(&b, "t").is_err());
    }
}
