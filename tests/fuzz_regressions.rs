//! The fuzzers' findings and seeds, and a seeded mutation loop, on stable `cargo test`.
//!
//! The checks are the fuzz targets' own (`fuzz/src/oracles.rs`, included below), so a crash the
//! fuzzer saved under `fuzz/regressions/<target>/` fails here exactly as it did there. How to
//! run the real fuzzers: `fuzz/README.md`.
//!
//! * `regressions_replay`, `seeds_replay`: every file under `fuzz/regressions/` and
//!   `fuzz/seeds/`, through the target named by its folder (`phone_cell`, `email_cell`,
//!   `csv_pipeline`, `csv_idempotent`); the CSV seeds also through `csv_idempotent`.
//! * `open_bugs` (ignored): the regressions listed in [`OPEN`], crashes found but not fixed yet.
//!   Run it with `cargo test --test fuzz_regressions -- --ignored`; once it passes, empty
//!   [`OPEN`] so that `regressions_replay` guards them.
//! * `phone_mutations`, `csv_mutations`: a deterministic pseudo-random mutation loop over the
//!   phone normaliser and the CSV pipeline (set `FUZZ_CASES` to run more cases, `FUZZ_SEED` for
//!   another sequence).
//!
//! No `catch_unwind` here: the phone normaliser catches the library's panic itself, so any
//! panic that reaches these tests is a bug.

#[allow(dead_code)]
#[path = "../fuzz/src/oracles.rs"]
mod oracles;

use std::fs;
use std::path::{Path, PathBuf};

/// Regressions (relative to `fuzz/regressions/`) that still fail: bugs reported, not fixed.
const OPEN: &[&str] = &[];

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

/// Every file under `dir`, sorted, as (path relative to `dir`, bytes).
fn files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let Ok(entries) = fs::read_dir(dir) else {
            return;
        };
        for entry in entries {
            let path = entry.expect("directory entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let rel = path.strip_prefix(root).expect("under root");
                let rel = rel.to_string_lossy().replace('\\', "/");
                out.push((rel, fs::read(&path).expect("readable")));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// Runs one input through the target named by the first part of its path.
fn replay(rel: &str, data: &[u8]) {
    let target = rel.split('/').next().unwrap_or_default();
    match target {
        "phone_cell" => oracles::phone_cell(data),
        "email_cell" => oracles::email_cell(data),
        "csv_pipeline" => {
            oracles::csv_pipeline(data);
        }
        "csv_idempotent" => oracles::csv_idempotent(data),
        _ => panic!("{rel}: not under a fuzz target's folder"),
    }
}

#[test]
fn regressions_replay() {
    let all = files(&fuzz_dir().join("regressions"));
    for open in OPEN {
        assert!(
            all.iter().any(|(rel, _)| rel == open),
            "OPEN lists {open}, which is not under fuzz/regressions/"
        );
    }
    let mut n = 0;
    for (rel, data) in all.iter().filter(|(rel, _)| !OPEN.contains(&rel.as_str())) {
        if rel.ends_with(".md") {
            continue;
        }
        replay(rel, data);
        n += 1;
    }
    eprintln!("replayed {n} regression inputs ({} open)", OPEN.len());
}

#[test]
#[ignore = "bugs found by fuzzing and not fixed yet; see OPEN"]
fn open_bugs() {
    let all = files(&fuzz_dir().join("regressions"));
    for (rel, data) in all.iter().filter(|(rel, _)| OPEN.contains(&rel.as_str())) {
        eprintln!("open: {rel}");
        replay(rel, data);
    }
}

#[test]
fn seeds_replay() {
    let seeds = files(&fuzz_dir().join("seeds"));
    let mut n = 0;
    for (rel, data) in seeds.iter().filter(|(rel, _)| rel.contains('/')) {
        replay(rel, data);
        if rel.starts_with("csv_pipeline/") && !rel.contains("/cov-") {
            // The fixtures, run twice: normalize's output is a fixed point. (Not the `cov-`
            // files from the fuzzers' corpora: some reach the open csv_idempotent bugs.)
            oracles::csv_idempotent(data);
        }
        n += 1;
    }
    assert!(n > 100, "the seed corpora are missing ({n} files)");
}

/// splitmix64: small, fast, and the same sequence everywhere.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn env_number(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Fragments that steer the normalisers' branches (and the CSV reader's).
const PHONE_TOKENS: &[&str] = &[
    "+",
    "00",
    "0",
    "1",
    "44",
    "65",
    "9",
    " ",
    "-",
    ".",
    "(",
    ")",
    "/",
    ";",
    ",",
    "|",
    ":::",
    " or ",
    " & ",
    "\n",
    "\t",
    "tel:",
    ";phone-context=",
    ";ext=",
    " ext. ",
    " x",
    "#",
    ".0",
    "E+",
    "e",
    "Mobile: ",
    " (work)",
    " home",
    "(0)",
    "＋",
    "６",
    "٣",
    "۹",
    "९",
    "\u{200b}",
    "\u{200f}",
    "\u{feff}",
    "@",
    "a",
    "Z",
    "é",
    "İ",
    "\u{212a}",
    "\u{23a}",
    "9123 4567",
    "7946 0018",
];

const CSV_TOKENS: &[&[u8]] = &[
    b",",
    b";",
    b"\t",
    b"|",
    b"\"",
    b"\"\"",
    b"\n",
    b"\r\n",
    b"\r",
    b"Phone",
    b"Email",
    b"id",
    b"flags",
    b"Mobile",
    b"WhatsApp",
    b"Contact ID",
    b"extension=",
    b"Phone:extension=45",
    b"row:ragged",
    b"+6591234567",
    b"6591234567",
    b"0065 9123 4567",
    b"a@b.co",
    b"A@B.CO",
    b"020 7946 0018",
    b" ::: ",
    b"4844055334 ::: +919995433008",
    b"a@x.com; B@y.org",
    b"Phone:missing_country_code=part1",
    b"\xef\xbb\xbf",
    b"\xff",
    b"\x00",
    b"\xc3",
    b" ",
];

/// Applies 1-4 random edits, each at a random byte offset: insert, delete, replace, duplicate a
/// span, or splice in part of another seed.
fn mutate(rng: &mut Rng, seed: &[u8], other: &[u8], tokens: &[&[u8]]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for _ in 0..1 + rng.below(4) {
        let at = rng.below(v.len() + 1);
        match rng.below(6) {
            0 | 1 => {
                let t = rng.pick(tokens);
                v.splice(at..at, t.iter().copied());
            }
            2 if !v.is_empty() => {
                let end = (at + 1 + rng.below(8)).min(v.len());
                v.drain(at..end);
            }
            3 if at < v.len() => v[at] = rng.next() as u8,
            4 if at < v.len() => {
                let end = (at + 1 + rng.below(16)).min(v.len());
                let span = v[at..end].to_vec();
                v.splice(at..at, span);
            }
            _ if !other.is_empty() => {
                let from = rng.below(other.len());
                let to = (from + 1 + rng.below(32)).min(other.len());
                v.splice(at..at, other[from..to].iter().copied());
            }
            _ => v.push(rng.next() as u8),
        }
    }
    v
}

fn seed_files(target: &str) -> Vec<Vec<u8>> {
    let seeds: Vec<Vec<u8>> = files(&fuzz_dir().join("seeds").join(target))
        .into_iter()
        .map(|(_, d)| d)
        .collect();
    assert!(!seeds.is_empty(), "no seeds for {target}");
    seeds
}

#[test]
fn phone_mutations() {
    let cases = env_number("FUZZ_CASES", 20_000);
    let mut rng = Rng(env_number("FUZZ_SEED", 0x00C0_FFEE));
    let seeds = seed_files("phone_cell");
    let tokens: Vec<&[u8]> = PHONE_TOKENS.iter().map(|t| t.as_bytes()).collect();
    for case in 0..cases {
        let seed = rng.pick(&seeds);
        let input = mutate(&mut rng, seed, &[], &tokens);
        let raw = String::from_utf8_lossy(&input);
        // One option set per case (the fuzz target checks all three on every input).
        let opts = match case % 3 {
            0 => Default::default(),
            1 => oracles::phone_options(0), // GB
            _ => oracles::phone_options(rng.next() as u8),
        };
        oracles::check_phone(&raw, &opts);
    }
}

#[test]
fn email_mutations() {
    let cases = env_number("FUZZ_CASES", 20_000) / 4;
    let mut rng = Rng(env_number("FUZZ_SEED", 0x00C0_FFEE) ^ 0xe3a1);
    let seeds = seed_files("email_cell");
    let tokens: Vec<&[u8]> = PHONE_TOKENS.iter().map(|t| t.as_bytes()).collect();
    for _ in 0..cases {
        let seed = rng.pick(&seeds);
        let input = mutate(&mut rng, seed, &[], &tokens);
        oracles::email_cell(&input);
    }
}

#[test]
fn csv_mutations() {
    let cases = env_number("FUZZ_CASES", 20_000) / 20;
    let mut rng = Rng(env_number("FUZZ_SEED", 0x00C0_FFEE) ^ 0x5eed);
    let seeds = seed_files("csv_pipeline");
    let (mut clean_runs, mut records) = (0u64, 0u64);
    for _ in 0..cases {
        let seed = rng.pick(&seeds);
        let other = rng.pick(&seeds);
        let mut input = mutate(&mut rng, seed, other, CSV_TOKENS);
        if let Some(control) = input.first_mut() {
            if rng.below(4) == 0 {
                *control = rng.next() as u8;
            }
        }
        let out = oracles::csv_pipeline(&input);
        if out.error.is_none() {
            clean_runs += 1;
            records += out.records;
        }
    }
    eprintln!("{cases} CSV files: {clean_runs} ran to the end, {records} records cleaned");
    // The loop is only worth its time if many files get past the reader (bad UTF-8, a bad
    // quote and a strict width stop a run early).
    assert!(
        clean_runs * 4 > cases,
        "only {clean_runs} of {cases} mutated files ran to the end"
    );
}
