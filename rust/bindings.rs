//! The only file that knows about Python: thin wrappers that convert arguments,
//! release the GIL, and turn core errors (and any panic) into Python exceptions.

use std::panic::{catch_unwind, AssertUnwindSafe};

use arrow_array::RecordBatch;
use pyo3::exceptions::{PyRuntimeError, PyValueError};
use pyo3::prelude::*;

use crate::arrow_io::{import_stream, ArrowStream};
use crate::error::{CoreError, CoreResult};
use crate::{keys, normalise};

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
fn guarded<T: Send>(py: Python<'_>, what: &str, f: impl FnOnce() -> CoreResult<T> + Send) -> PyResult<T> {
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
        batches.iter().map(keys::key_columns).collect::<CoreResult<Vec<_>>>()
    })?;
    Ok(ArrowStream::new(out[0].schema(), out))
}

/// Fold one string the way every key does (for inspection and tests).
#[pyfunction]
fn fold_text(text: &str) -> String {
    normalise::fold_text(text)
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("CoreInputError", m.py().get_type::<CoreInputError>())?;
    m.add_class::<ArrowStream>()?;
    m.add_function(wrap_pyfunction!(exact_keys, m)?)?;
    m.add_function(wrap_pyfunction!(fold_text, m)?)?;
    Ok(())
}
