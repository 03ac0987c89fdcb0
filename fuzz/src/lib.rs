//! Fuzz harness for `contactclean`: the oracles (shared with `cargo test`) and the panic
//! plumbing libFuzzer needs.

pub mod oracles;
pub mod panics;

pub use oracles::{csv_pipeline, email_cell, phone_cell};
