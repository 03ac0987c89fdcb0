//! Measures the vCard source alone (both passes: the column scan and the records), without
//! cleaning: the parser choice in docs/performance.md ("vCard and workbook inputs").
//!
//! `cargo run --release --example vcard_scan -- FILE.vcf`

use std::time::Instant;

use contactclean::source::vcard::{VcardOptions, VcardSource};
use contactclean::source::RecordSource;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::env::args()
        .nth(1)
        .ok_or("usage: vcard_scan FILE.vcf")?;
    let t = Instant::now();
    let mut source = VcardSource::new(std::fs::File::open(&path)?, VcardOptions::default())?;
    let scanned = t.elapsed();
    let tap = source.tap();
    let mut rec = csv::ByteRecord::new();
    let mut cards = 0u64;
    while source.read(&mut rec)?.is_some() {
        cards += 1;
        // A writer takes each card as it goes.
        tap.next_card();
    }
    let total = t.elapsed();
    println!(
        "{cards} cards: first pass {:.3} s, both passes {:.3} s",
        scanned.as_secs_f64(),
        total.as_secs_f64()
    );
    Ok(())
}
