//! contactclean's engine: pure cell and row logic (phone, email, columns, row), and a
//! streaming job that reads a [`source::RecordSource`], cleans every record in parallel and
//! feeds [`sink::Sink`]s in input order ([`job::Job`]). The `contactclean` binary (behind the
//! default `cli` feature), the tests, the benchmarks and other engines all call it.

pub mod columns;
pub mod dedupe;
pub mod email;
pub mod error;
pub mod guard;
pub mod job;
pub mod merge;
pub mod phone;
mod pipeline;
pub mod reason;
pub mod region;
pub mod report;
pub mod row;
pub mod sink;
pub mod source;
pub mod validity;
pub mod vcard_sink;
pub mod whatsapp;

pub use error::Error;
