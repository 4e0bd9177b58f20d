//! The Arrow PyCapsule interface: frames cross between polars and Rust without copying.

use std::ffi::CStr;
use std::sync::Arc;

use arrow_array::ffi_stream::{FFI_ArrowArrayStream, RecordBatchStreamReader};
use arrow_array::{RecordBatch, RecordBatchIterator, RecordBatchReader};
use arrow_schema::{ArrowError, SchemaRef};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyCapsule;

const STREAM_CAPSULE: &CStr = c"arrow_array_stream";

/// Read every batch of an object that exports `__arrow_c_stream__` (a polars
/// DataFrame, a pyarrow Table, ...).
pub fn import_stream(obj: &Bound<'_, PyAny>) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    if !obj.hasattr("__arrow_c_stream__")? {
        return Err(PyTypeError::new_err(format!(
            "expected a frame exporting the Arrow C stream interface (polars DataFrame or pyarrow Table), got {}",
            obj.get_type().name()?
        )));
    }
    let capsule = obj.call_method0("__arrow_c_stream__")?;
    let capsule = capsule.cast_into::<PyCapsule>()?;
    let ptr = capsule.pointer_checked(Some(STREAM_CAPSULE))?;
    // SAFETY: the capsule is named "arrow_array_stream", so by the interface's contract it
    // points at a valid FFI_ArrowArrayStream; from_raw moves the stream out and leaves a
    // released husk behind for the capsule's destructor.
    let reader = unsafe { RecordBatchStreamReader::from_raw(ptr.as_ptr().cast()) }
        .map_err(|e| PyValueError::new_err(format!("cannot read Arrow stream: {e}")))?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<Vec<_>, ArrowError>>()
        .map_err(|e| PyValueError::new_err(format!("cannot read Arrow stream: {e}")))?;
    Ok((schema, batches))
}

/// Batches handed back to Python; polars imports them with `pl.DataFrame(obj)`.
#[pyclass(module = "dancescrape._core", name = "ArrowStream", frozen)]
pub struct ArrowStream {
    schema: SchemaRef,
    batches: std::sync::Mutex<Option<Vec<RecordBatch>>>,
}

impl ArrowStream {
    pub fn new(schema: SchemaRef, batches: Vec<RecordBatch>) -> Self {
        Self {
            schema,
            batches: std::sync::Mutex::new(Some(batches)),
        }
    }
}

#[pymethods]
impl ArrowStream {
    /// Export the batches once, as the PyCapsule interface requires.
    #[pyo3(signature = (requested_schema = None))]
    fn __arrow_c_stream__<'py>(
        &self,
        py: Python<'py>,
        requested_schema: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Bound<'py, PyCapsule>> {
        let _ = requested_schema; // we only ever offer our own schema
        let batches = self
            .batches
            .lock()
            .map_err(|_| PyValueError::new_err("Arrow stream lock poisoned"))?
            .take()
            .ok_or_else(|| PyValueError::new_err("this Arrow stream was already consumed"))?;
        let reader: Box<dyn RecordBatchReader + Send> = Box::new(RecordBatchIterator::new(
            batches.into_iter().map(Ok),
            Arc::clone(&self.schema),
        ));
        PyCapsule::new_with_value(py, FFI_ArrowArrayStream::new(reader), STREAM_CAPSULE)
    }

    fn __repr__(&self) -> String {
        format!("ArrowStream(schema={})", self.schema)
    }
}
