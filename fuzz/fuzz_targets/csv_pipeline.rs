#![no_main]

use contactclean_fuzz::panics::{guard, record_panics};
use libfuzzer_sys::fuzz_target;

fuzz_target!(init: record_panics(), |data: &[u8]| {
    guard(|| contactclean_fuzz::csv_pipeline(data));
});
