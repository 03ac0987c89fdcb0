//! The benchmark baseline: read a CSV and write it back unchanged, on one core.
//!
//! `scripts/bench.py` times every `contactclean` subcommand against this program on the same
//! file in the same run, so the ratio (contactclean wall time / pass-through wall time) says
//! how much the cleaning costs over the floor that any CSV tool pays for parsing and writing,
//! whatever else the (shared, noisy) machine is doing.
//!
//! Usage: `cargo build --release --example passthrough`, then
//! `target/release/examples/passthrough FILE > /dev/null`.

use std::io;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args_os()
        .nth(1)
        .ok_or("usage: passthrough FILE")?;
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)?;
    let stdout = io::stdout().lock();
    let mut writer = csv::WriterBuilder::new()
        .buffer_capacity(64 * 1024)
        .from_writer(stdout);
    let mut record = csv::ByteRecord::new();
    while reader.read_byte_record(&mut record)? {
        writer.write_byte_record(&record)?;
    }
    writer.flush()?;
    Ok(())
}
