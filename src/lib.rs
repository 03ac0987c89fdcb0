//! contactclean's engine: pure cell and row logic (no I/O) plus a streaming pipeline that is
//! generic over readers and writers. The `contactclean` binary, the tests and the benchmarks
//! all call it.

pub mod columns;
pub mod dedupe;
pub mod email;
pub mod phone;
pub mod pipeline;
pub mod reason;
pub mod report;
pub mod row;
pub mod validity;
