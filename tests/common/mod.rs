//! Helpers shared by the integration tests: run the real binary, parse its CSV.
#![allow(dead_code)]

use std::path::{Path, PathBuf};

use assert_cmd::Command;

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

pub fn bin() -> Command {
    Command::cargo_bin("contactclean").expect("binary built")
}

/// Runs the binary; returns (exit code, stdout, stderr).
pub fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = bin().args(args).output().expect("runs");
    (
        out.status.code().expect("exited, not killed"),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs the binary with `stdin`.
pub fn run_stdin(args: &[&str], stdin: &[u8]) -> (i32, Vec<u8>, String) {
    let out = bin()
        .args(args)
        .write_stdin(stdin.to_vec())
        .output()
        .expect("runs");
    (
        out.status.code().expect("exited, not killed"),
        out.stdout,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs and expects exit 0; returns stdout.
pub fn ok(args: &[&str]) -> Vec<u8> {
    let (code, out, err) = run(args);
    assert_eq!(code, 0, "{args:?} failed: {err}");
    out
}

/// Parses CSV bytes into rows of strings (header included).
pub fn rows(data: &[u8]) -> Vec<Vec<String>> {
    rows_with(data, b',')
}

pub fn rows_with(data: &[u8], delimiter: u8) -> Vec<Vec<String>> {
    csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(data)
        .records()
        .map(|r| r.expect("valid CSV").iter().map(str::to_string).collect())
        .collect()
}

/// The value of column `name` in every data row.
pub fn column(rows: &[Vec<String>], name: &str) -> Vec<String> {
    let i = rows[0]
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name} in {:?}", rows[0]));
    rows[1..].iter().map(|r| r[i].clone()).collect()
}

/// Writes `content` to a fresh temp file named `name`; the dir lives as long as the guard.
pub fn temp_file(name: &str, content: &[u8]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join(name);
    std::fs::write(&path, content).expect("write");
    (dir, path)
}

/// A larger input made from the fixtures' values, for thread-count and streaming tests.
pub fn big_input(rows: usize) -> Vec<u8> {
    let phones = [
        "+65 9123 4567",
        "6591234567",
        "0044 20 7946 0018",
        "020 7946 0018",
        "tel:+1-212-555-0187",
        "＋８１ ９０ １２３４ ５６７８",
        "no phone",
        "",
        "+1 212-555-0123 ext. 45",
        "+49 30 1234567 / +33 1 23 45 67 89",
    ];
    let emails = ["Jane@Example.COM", "bad@", "", "bo@example.org", " x@y.co "];
    let mut s = String::from("id,Phone,Mobile,Email\n");
    for i in 0..rows {
        let p = phones[i % phones.len()];
        let m = phones[(i * 7 + 3) % phones.len()];
        let e = emails[(i * 3) % emails.len()];
        s.push_str(&format!("{i},\"{p}\",\"{m}\",\"{e}\"\n"));
    }
    s.into_bytes()
}
