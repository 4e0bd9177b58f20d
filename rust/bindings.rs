//! The only file that knows about Python: thin wrappers that convert arguments,
//! release the GIL, and turn core errors (and any panic) into Python exceptions.

use std::panic::{catch_unwind, AssertUnwindSafe};

use arrow_array::RecordBatch;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;

use crate::arrow_io::{import_stream, ArrowStream};
use crate::dedup::{dedup_batches, DedupParams, Stats};
use crate::error::{CoreError, CoreResult};
use crate::{fuzzy, keys, normalise};

pyo3::create_exception!(
    _core,
    CoreInputError,
    PyValueError,
    "A frame handed to the core has a missing or mistyped column."
);

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
    py.detach(|| catch_unwind(AssertUnwindSafe(f)))
        .map_err(|payload| {
            let msg = payload
                .downcast_ref::<String>()
                .map(String::as_str)
                .or_else(|| payload.downcast_ref::<&str>().copied())
                .unwrap_or("unknown panic");
            PyRuntimeError::new_err(format!("internal error in {what}: {msg}"))
        })?
        .map_err(to_py)
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

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CoreInputError", m.py().get_type::<CoreInputError>())?;
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
