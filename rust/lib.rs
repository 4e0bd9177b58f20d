//! dancescrape's Rust core. Each module has one job; `bindings` is the only one
//! that touches Python.

pub mod arrow_io;
pub mod batches;
pub mod bindings;
pub mod cache;
pub mod cluster;
pub mod columns;
pub mod dedup;
pub mod error;
pub mod exact;
pub mod fuzzy;
pub mod keys;
pub mod normalise;
pub mod pairs;
pub mod prepare;
pub mod score;
pub mod venues;
pub mod zones;
