//! The only file that knows about Python: thin wrappers that convert arguments,
//! release the GIL, and turn core errors (and any panic) into Python exceptions.

use std::panic::{catch_unwind, AssertUnwindSafe};

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray, TimestampMicrosecondArray};
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrow_io::{import_stream, ArrowStream};
use crate::batches::dedup_batches;
use crate::cache::{event_fingerprints, page_key, HashStore};
use crate::dedup::Stats;
use crate::error::{CoreError, CoreResult};
use crate::score::DedupParams;
use crate::{fuzzy, keys, normalise};

pyo3::create_exception!(
    _core,
    CoreInputError,
    PyValueError,
    "A frame handed to the core has a missing or mistyped column."
);

pyo3::create_exception!(
    _core,
    CoreCacheError,
    PyValueError,
    "The hash cache on disk is damaged or cannot be read or written."
);

fn cache_err(err: CoreError) -> PyErr {
    match err {
        CoreError::Invalid { ref what, .. } if what.starts_with("hash cache") => {
            CoreCacheError::new_err(err.to_string())
        }
        other => to_py(other),
    }
}

fn to_py(err: CoreError) -> PyErr {
    match err {
        CoreError::Arrow(_) => PyRuntimeError::new_err(err.to_string()),
        _ => CoreInputError::new_err(err.to_string()),
    }
}

/// Run `f` without the GIL, and never let a panic cross into Python.
fn guarded<T: Send>(
    py: Python<'_>,
    what: &str,
    f: impl FnOnce() -> CoreResult<T> + Send,
) -> PyResult<T> {
    guarded_with(py, what, to_py, f)
}

/// `guarded`, with the caller's mapping of core errors to Python exceptions.
fn guarded_with<T: Send>(
    py: Python<'_>,
    what: &str,
    convert: fn(CoreError) -> PyErr,
    f: impl FnOnce() -> CoreResult<T> + Send,
) -> PyResult<T> {
    py.detach(|| catch_unwind(AssertUnwindSafe(f)))
        .map_err(|payload| {
            let msg = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            PyRuntimeError::new_err(format!("internal error in {what}: {msg}"))
        })?
        .map_err(convert)
}

/// Key columns (title_norm, place_norm, exact_key, source_key) for every row of `frame`.
#[pyfunction]
fn exact_keys(py: Python<'_>, frame: &Bound<'_, PyAny>) -> PyResult<ArrowStream> {
    let (schema, batches) = import_stream(frame)?;
    if batches.is_empty() {
        // An empty frame still has to name its columns correctly.
        let empty = RecordBatch::new_empty(schema);
        let out = guarded(py, "exact_keys", || keys::key_columns(&empty))?;
        return Ok(ArrowStream::new(out.schema(), vec![out]));
    }
    let out = guarded(py, "exact_keys", || {
        batches
            .iter()
            .map(keys::key_columns)
            .collect::<CoreResult<Vec<_>>>()
    })?;
    Ok(ArrowStream::new(out[0].schema(), out))
}

/// Fold one string the way every key does (for inspection and tests).
#[pyfunction]
fn fold_text(text: &str) -> String {
    normalise::fold_text(text)
}

fn stats_dict<'py>(py: Python<'py>, s: &Stats) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("rows", s.rows)?;
    d.set_item("exact_groups", s.exact_groups)?;
    d.set_item("blocks", s.blocks)?;
    d.set_item("candidate_pairs", s.candidate_pairs)?;
    d.set_item("token_set_scored", s.token_set_scored)?;
    d.set_item("accepted_pairs", s.accepted_pairs)?;
    d.set_item("refused_pairs", s.refused_pairs)?;
    d.set_item("review_pairs", s.review_pairs)?;
    d.set_item("clusters", s.clusters)?;
    d.set_item("core_heap_bytes", s.core_heap_bytes)?;
    d.set_item("normalise_seconds", s.normalise_seconds)?;
    d.set_item("exact_seconds", s.exact_seconds)?;
    d.set_item("fuzzy_seconds", s.fuzzy_seconds)?;
    d.set_item("cluster_seconds", s.cluster_seconds)?;
    Ok(d)
}

/// Normalise, key, and exact + fuzzy dedup `frame`; returns (rows, review, stats).
#[pyfunction]
#[pyo3(signature = (
    frame, *, window_minutes, accept, review, venue_reject, venue_missing,
    title_weight, venue_weight, time_weight, cross_source_only, source_priority
))]
#[allow(clippy::too_many_arguments)] // one keyword per option, mirrored by DedupOptions
fn dedup<'py>(
    py: Python<'py>,
    frame: &Bound<'py, PyAny>,
    window_minutes: f64,
    accept: f64,
    review: f64,
    venue_reject: f64,
    venue_missing: f64,
    title_weight: f64,
    venue_weight: f64,
    time_weight: f64,
    cross_source_only: bool,
    source_priority: Vec<String>,
) -> PyResult<(ArrowStream, ArrowStream, Bound<'py, PyDict>)> {
    let params = DedupParams {
        window_minutes,
        accept,
        review,
        venue_reject,
        venue_missing,
        title_weight,
        venue_weight,
        time_weight,
        cross_source_only,
        source_priority,
    };
    let (schema, mut batches) = import_stream(frame)?;
    if batches.is_empty() {
        batches.push(RecordBatch::new_empty(schema));
    }
    let (rows, pairs, stats) = guarded(py, "dedup", || dedup_batches(&batches, &params))?;
    Ok((
        ArrowStream::new(rows.schema(), vec![rows]),
        ArrowStream::new(pairs.schema(), vec![pairs]),
        stats_dict(py, &stats)?,
    ))
}

/// The title form fuzzy matching compares (folded, noise words dropped).
#[pyfunction]
fn title_norm(text: &str) -> String {
    normalise::title_norm(text)
}

/// The venue form fuzzy matching compares (folded, generic words dropped).
#[pyfunction]
fn venue_norm(text: &str) -> String {
    normalise::venue_norm(text)
}

/// Indel similarity in 0..1, as the fuzzy dedup scores titles and venues.
#[pyfunction]
fn indel_similarity(a: &str, b: &str) -> f64 {
    fuzzy::indel_similarity(a, b)
}

/// Token-set similarity in 0..1, as the fuzzy dedup scores titles that need it.
#[pyfunction]
fn token_set_similarity(a: &str, b: &str) -> f64 {
    fuzzy::token_set_similarity(a, b)
}

/// The persistent fingerprint store (see rust/cache.rs); Python wraps it as `HashCache`.
#[pyclass(module = "dancescrape._core", name = "HashStore")]
pub struct PyHashStore {
    inner: HashStore,
}

#[pymethods]
impl PyHashStore {
    /// Open the store at `path`; with `salvage`, damaged files are set aside, not errors.
    #[staticmethod]
    fn open(py: Python<'_>, path: std::path::PathBuf, salvage: bool) -> PyResult<Self> {
        let inner = guarded_with(py, "HashStore.open", cache_err, || {
            HashStore::open(&path, salvage)
        })?;
        Ok(Self { inner })
    }

    /// For every row (event_id plus string content columns): first_seen, last_seen, change.
    fn observe(
        &mut self,
        py: Python<'_>,
        frame: &Bound<'_, PyAny>,
        now_micros: i64,
    ) -> PyResult<ArrowStream> {
        let (schema, batches) = import_stream(frame)?;
        let store = &mut self.inner;
        let out = guarded_with(py, "HashStore.observe", cache_err, move || {
            let mut first = Vec::new();
            let mut last = Vec::new();
            let mut change = Vec::new();
            let empty = [RecordBatch::new_empty(schema)];
            let batches = if batches.is_empty() {
                &empty[..]
            } else {
                &batches[..]
            };
            for batch in batches {
                for (key, content) in event_fingerprints(batch)? {
                    let (c, r) = store.observe(key, content, now_micros);
                    first.push(r.first_seen);
                    last.push(r.last_seen);
                    change.push(c.as_str());
                }
            }
            let ts = |v: Vec<i64>| {
                Arc::new(TimestampMicrosecondArray::from(v).with_timezone("UTC")) as ArrayRef
            };
            let cols: Vec<(&str, ArrayRef)> = vec![
                ("first_seen", ts(first)),
                ("last_seen", ts(last)),
                ("change", Arc::new(StringArray::from(change))),
            ];
            Ok(RecordBatch::try_from_iter(cols)?)
        })?;
        Ok(ArrowStream::new(out.schema(), vec![out]))
    }

    /// Whether `content` differs from what `url` held last time (true for an unseen page).
    fn page_changed(&mut self, url: &str, content: &[u8], now_micros: i64) -> bool {
        let content = xxhash_rust::xxh3::xxh3_64(content);
        let (change, _) = self.inner.observe(page_key(url), content, now_micros);
        change != crate::cache::Change::Unchanged
    }

    /// Persist what changed (log append, or compaction when the log grows large).
    fn save(&mut self, py: Python<'_>) -> PyResult<()> {
        let store = &mut self.inner;
        guarded_with(py, "HashStore.save", cache_err, move || store.save())
    }

    /// Rewrite everything as one snapshot and drop the log.
    fn compact(&mut self, py: Python<'_>) -> PyResult<()> {
        let store = &mut self.inner;
        guarded_with(py, "HashStore.compact", cache_err, move || store.compact())
    }

    /// What salvaging found wrong on open (empty when the files were sound).
    #[getter]
    fn problems(&self) -> Vec<String> {
        self.inner.problems.clone()
    }

    fn __len__(&self) -> usize {
        self.inner.len()
    }
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CoreInputError", m.py().get_type::<CoreInputError>())?;
    m.add("CoreCacheError", m.py().get_type::<CoreCacheError>())?;
    m.add_class::<PyHashStore>()?;
    m.add_class::<ArrowStream>()?;
    m.add_function(wrap_pyfunction!(exact_keys, m)?)?;
    m.add_function(wrap_pyfunction!(fold_text, m)?)?;
    m.add_function(wrap_pyfunction!(dedup, m)?)?;
    m.add_function(wrap_pyfunction!(title_norm, m)?)?;
    m.add_function(wrap_pyfunction!(venue_norm, m)?)?;
    m.add_function(wrap_pyfunction!(indel_similarity, m)?)?;
    m.add_function(wrap_pyfunction!(token_set_similarity, m)?)?;
    Ok(())
}
