//! Measures the byte-stream adapters of `contactclean::source` (figures in the commit that
//! added them):
//!
//! - `Tracker` overhead: csv::Reader over a plain reader vs over a Tracker (asking each
//!   record's line), on ~100 MB of generated contacts;
//! - `StrictDecoder` vs `encoding_rs_io` on ~100 MB of windows-1252, into `io::sink`.
//!
//! `cargo run --release --example source_bench [MB]`; best of 3 (`ROUNDS=n`) rounds, the two readers
//! interleaved in each; CPU time of the measuring thread (Linux), so a busy machine skews
//! less.

use std::io::{self, Read};
use std::time::{Duration, Instant};

use contactclean::source::decode::StrictDecoder;
use contactclean::source::track::Tracker;

/// A small deterministic generator (xorshift), so every run measures the same bytes.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const FIRST: [&str; 8] = [
    "Ana", "Bjørn", "Chloé", "Dev", "Eitan", "Fatima", "Grace", "Hiro",
];
const LAST: [&str; 8] = [
    "Tan", "Müller", "O'Brien", "Smith", "García", "Nguyen", "Okafor", "Lee",
];

/// Contacts-like CSV: some names quoted with a comma, some notes quoted with an embedded
/// line break or a doubled quote; `all_quoted` quotes every field (Excel's "quote all").
fn contacts(bytes: usize, eol: &str, all_quoted: bool) -> Vec<u8> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut out = String::with_capacity(bytes + 256);
    let q = |s: &str| {
        if all_quoted {
            format!("\"{s}\"")
        } else {
            s.to_string()
        }
    };
    out.push_str(&format!(
        "{},{},{},{},{},{}{eol}",
        q("id"),
        q("name"),
        q("phone"),
        q("email"),
        q("company"),
        q("notes")
    ));
    let mut id = 0u64;
    while out.len() < bytes {
        id += 1;
        let f = FIRST[rng.below(8) as usize];
        let l = LAST[rng.below(8) as usize];
        let name = if rng.below(10) == 0 {
            format!("\"{l}, {f}\"")
        } else {
            q(&format!("{f} {l}"))
        };
        let phone = match rng.below(3) {
            0 => format!("+65 9{:03} {:04}", rng.below(1000), rng.below(10000)),
            1 => format!("(+44) 20 {:04} {:04}", rng.below(10000), rng.below(10000)),
            _ => format!("0{:010}", rng.below(10_000_000_000)),
        };
        let email = format!("{}.{}{}@Example.COM", f, l, rng.below(100));
        let notes = match rng.below(30) {
            0 => format!("\"call after 6pm{eol}ask for {f}\""),
            1 => "\"said \"\"hi\"\"\"".to_string(),
            2..=9 => q("VIP"),
            _ => q(""),
        };
        out.push_str(&format!(
            "{},{name},{},{},{},{notes}{eol}",
            q(&id.to_string()),
            q(&phone),
            q(&email),
            q("Acme Pte Ltd")
        ));
    }
    out.into_bytes()
}

/// Nanoseconds this thread has run on a CPU (Linux), so that other processes competing
/// for the cores do not count; wall time elsewhere.
fn cpu_ns() -> Option<u64> {
    let s = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    s.split_whitespace().next()?.parse().ok()
}

fn time(f: impl FnOnce() -> u64) -> (Duration, u64) {
    let (t, c) = (Instant::now(), cpu_ns());
    let check = f();
    let spent = match (c, cpu_ns()) {
        (Some(a), Some(b)) => Duration::from_nanos(b - a),
        _ => t.elapsed(),
    };
    (spent, check)
}

fn parse_plain(data: &[u8]) -> u64 {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(data);
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    while rdr.read_byte_record(&mut rec).unwrap() {
        n += rec.len() as u64;
    }
    n
}

fn parse_tracked(data: &[u8]) -> u64 {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(Tracker::new(data, b','));
    let mut rec = csv::ByteRecord::new();
    let mut n = 0;
    let mut lines = 0;
    while rdr.read_byte_record(&mut rec).unwrap() {
        n += rec.len() as u64;
        lines = rdr.get_mut().line_of(rec.position().unwrap().byte());
    }
    assert!(rdr.get_ref().at_eof() && rdr.get_ref().open_quote().is_none());
    assert!(lines > 0);
    n
}

fn mb_s(bytes: usize, d: Duration) -> f64 {
    bytes as f64 / 1e6 / d.as_secs_f64()
}

fn main() {
    let mb: usize = std::env::args()
        .nth(1)
        .map_or(100, |s| s.parse().expect("size in MB"));
    let size = mb * 1_000_000;

    // `ONLY=plain|tracked|none [EOL=crlf] [QUOTED=all]`: one parse per round, for counting
    // with `perf stat` (instructions and cycles do not depend on the machine's load).
    if let Ok(only) = std::env::var("ONLY") {
        let eol = if std::env::var_os("CRLF").is_some() {
            "\r\n"
        } else {
            "\n"
        };
        let data = contacts(size, eol, std::env::var_os("ALL_QUOTED").is_some());
        for _ in 0..5 {
            match only.as_str() {
                "plain" => parse_plain(&data),
                "tracked" => parse_tracked(&data),
                _ => 0,
            };
        }
        return;
    }
    let rounds: usize = std::env::var("ROUNDS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    for (label, eol, all_quoted) in [
        ("LF, some quoted", "\n", false),
        ("CRLF, some quoted", "\r\n", false),
        ("LF, all quoted", "\n", true),
    ] {
        let data = contacts(size, eol, all_quoted);
        let mut plain = Duration::MAX;
        let mut tracked = Duration::MAX;
        for _ in 0..rounds {
            let (p, a) = time(|| parse_plain(&data));
            let (t, b) = time(|| parse_tracked(&data));
            assert_eq!(a, b);
            plain = plain.min(p);
            tracked = tracked.min(t);
        }
        println!(
            "tracker  {label:18} {:6.1} MB: csv {:7.1} ms ({:6.1} MB/s), csv+Tracker {:7.1} ms: overhead {:+.1} %",
            data.len() as f64 / 1e6,
            plain.as_secs_f64() * 1e3,
            mb_s(data.len(), plain),
            tracked.as_secs_f64() * 1e3,
            (tracked.as_secs_f64() / plain.as_secs_f64() - 1.0) * 100.0
        );
    }

    // windows-1252: the generated contacts (UTF-8) re-encoded, so names carry 0xE9 and co.
    let text = String::from_utf8(contacts(size, "\r\n", false)).unwrap();
    let (cp1252, _, lossy) = encoding_rs::WINDOWS_1252.encode(&text);
    assert!(!lossy);
    let cp1252 = cp1252.into_owned();
    let copy = |mut r: Box<dyn Read + '_>| io::copy(&mut r, &mut io::sink()).unwrap();
    let mut old = Duration::MAX;
    let mut new = Duration::MAX;
    for _ in 0..rounds {
        let (o, a) = time(|| {
            copy(Box::new(
                encoding_rs_io::DecodeReaderBytesBuilder::new()
                    .encoding(Some(encoding_rs::WINDOWS_1252))
                    .bom_override(true)
                    .strip_bom(true)
                    .build(&cp1252[..]),
            ))
        });
        let (n, b) = time(|| {
            copy(Box::new(StrictDecoder::new(
                &cp1252[..],
                encoding_rs::WINDOWS_1252,
            )))
        });
        assert_eq!(a, b);
        old = old.min(o);
        new = new.min(n);
    }
    println!(
        "decoder  windows-1252 {:6.1} MB: encoding_rs_io {:7.1} ms ({:6.1} MB/s), StrictDecoder {:7.1} ms ({:6.1} MB/s)",
        cp1252.len() as f64 / 1e6,
        old.as_secs_f64() * 1e3,
        mb_s(cp1252.len(), old),
        new.as_secs_f64() * 1e3,
        mb_s(cp1252.len(), new),
    );
}
