//! Errors of the core, free of PyO3 so that every module stays testable with `cargo test`.

use std::fmt;

/// What went wrong, always naming the column at fault.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CoreError {
    MissingColumn {
        column: String,
        available: Vec<String>,
    },
    WrongType {
        column: String,
        expected: &'static str,
        found: String,
    },
    Arrow(String),
    /// An option or stored file the core was handed is unusable.
    Invalid {
        what: String,
        reason: String,
    },
}

impl fmt::Display for CoreError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CoreError::MissingColumn { column, available } => write!(
                f,
                "column {column:?} is missing (frame has: {})",
                available.join(", ")
            ),
            CoreError::WrongType {
                column,
                expected,
                found,
            } => {
                write!(f, "column {column:?} must be {expected}, found {found}")
            }
            CoreError::Arrow(msg) => write!(f, "arrow error: {msg}"),
            CoreError::Invalid { what, reason } => write!(f, "{what}: {reason}"),
        }
    }
}

impl std::error::Error for CoreError {}

impl From<arrow_schema::ArrowError> for CoreError {
    fn from(e: arrow_schema::ArrowError) -> Self {
        CoreError::Arrow(e.to_string())
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
