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
    str_array(column(batch, name)?, name)
}

/// An array as strings; `name` is what errors call it.
fn str_array<'a>(array: &'a ArrayRef, name: &str) -> CoreResult<StrColumn<'a>> {
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

/// Entry offsets of a List or LargeList column.
enum ListOffsets<'a> {
    Small(&'a [i32]),
    Large(&'a [i64]),
}

/// One string field of a list-of-structs column (`sources.source`), entry by entry.
pub struct ListStrings<'a> {
    offsets: ListOffsets<'a>,
    lists: &'a ArrayRef,
    structs: &'a arrow_array::StructArray,
    values: StrColumn<'a>,
}

impl ListStrings<'_> {
    /// The non-null strings of row `i`'s list.
    pub fn row(&self, i: usize) -> impl Iterator<Item = &str> {
        let range = if self.lists.is_null(i) {
            0..0
        } else {
            match self.offsets {
                ListOffsets::Small(o) => o[i] as usize..o[i + 1] as usize,
                ListOffsets::Large(o) => o[i] as usize..o[i + 1] as usize,
            }
        };
        range.filter_map(|j| {
            self.structs
                .is_valid(j)
                .then(|| self.values.get(j))
                .flatten()
        })
    }

    /// Entries in row `i`'s list (nulls included).
    pub fn row_len(&self, i: usize) -> usize {
        match self.offsets {
            ListOffsets::Small(o) => (o[i + 1] - o[i]) as usize,
            ListOffsets::Large(o) => (o[i + 1] - o[i]) as usize,
        }
    }
}

/// The string `field` of the list-of-structs column `name`: `None` when the frame has
/// no such column (or only nulls), an error naming the column when it has another type.
pub fn list_strings<'a>(
    batch: &'a RecordBatch,
    name: &str,
    field: &str,
) -> CoreResult<Option<ListStrings<'a>>> {
    let Some(lists) = batch.column_by_name(name) else {
        return Ok(None);
    };
    let wrong = || CoreError::WrongType {
        column: name.to_string(),
        expected: "a list of structs with a string field",
        found: lists.data_type().to_string(),
    };
    let (offsets, values) = match lists.data_type() {
        DataType::Null => return Ok(None),
        DataType::List(_) => {
            let l = lists.as_list::<i32>();
            (ListOffsets::Small(l.value_offsets()), l.values())
        }
        DataType::LargeList(_) => {
            let l = lists.as_list::<i64>();
            (ListOffsets::Large(l.value_offsets()), l.values())
        }
        _ => return Err(wrong()),
    };
    let structs = values.as_struct_opt().ok_or_else(wrong)?;
    let values = structs.column_by_name(field).ok_or_else(wrong)?;
    Ok(Some(ListStrings {
        offsets,
        lists,
        structs,
        values: str_array(values, &format!("{name}.{field}"))?,
    }))
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

    #[test]
    fn list_of_struct_strings_read_entry_by_entry() {
        use arrow_array::{ListArray, StructArray};
        use arrow_buffer::OffsetBuffer;
        use arrow_schema::Field;
        let names = Arc::new(StringArray::from(vec![
            Some("site"),
            Some("tix"),
            None,
            Some("ics"),
        ]));
        let structs = StructArray::from(vec![(
            Arc::new(Field::new("source", DataType::Utf8, true)),
            names as ArrayRef,
        )]);
        let field = Arc::new(Field::new("item", structs.data_type().clone(), true));
        let lists = ListArray::new(
            field,
            OffsetBuffer::from_lengths([2, 0, 2]),
            Arc::new(structs),
            None,
        );
        let b = batch(vec![("sources", Arc::new(lists) as ArrayRef)]);
        let listed = list_strings(&b, "sources", "source").unwrap().unwrap();
        assert_eq!(listed.row(0).collect::<Vec<_>>(), ["site", "tix"]);
        assert_eq!(listed.row(1).count(), 0);
        assert_eq!(listed.row(2).collect::<Vec<_>>(), ["ics"]); // the null entry is skipped
        assert_eq!((listed.row_len(0), listed.row_len(2)), (2, 2));
        assert!(list_strings(&b, "absent", "source").unwrap().is_none());
        let err = list_strings(&b, "sources", "url")
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("\"sources\""), "{err}");
        let b = batch(vec![(
            "sources",
            Arc::new(Int64Array::from(vec![1])) as ArrayRef,
        )]);
        let err = list_strings(&b, "sources", "source")
            .err()
            .unwrap()
            .to_string();
        assert!(
            err.contains("\"sources\"") && err.contains("Int64"),
            "{err}"
        );
    }
}
