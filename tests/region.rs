//! The region a file implies: `--region-column` (a country per row), the hint naming the
//! calling code a file's own international numbers point to, and `--encoding auto`.

mod common;

use common::*;

fn cell<'a>(rows: &'a [Vec<String>], row: usize, name: &str) -> &'a str {
    let c = rows[0].iter().position(|h| h == name).expect(name);
    &rows[row][c]
}

#[test]
fn each_row_is_read_in_the_region_its_country_cell_names() {
    let p = fixture("region/by_country.csv");
    let (code, out, err) = run(&[
        "normalize",
        p.to_str().unwrap(),
        "--region-column",
        "Country",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("email columns: Email; region of national numbers from: Country\n"),
        "{err}"
    );
    let out = rows(&out);
    let phones: Vec<&str> = (1..out.len()).map(|r| cell(&out, r, "Phone")).collect();
    assert_eq!(
        phones,
        [
            "+49301234567",   // Deutschland
            "+49307654321",   // DEU
            "+12125550187",   // United States
            "+12125550199",   // USA
            "+5511961234567", // Brasil
            "020 7946 0018",  // Atlantis: named no country, not guessed
            "020 7946 0019",  // empty: no --default-region to fall back to
            "+6591234567",    // already international: the region does not matter
        ]
    );
    assert_eq!(
        cell(&out, 6, "flags"),
        "Phone:missing_country_code;Country:unknown_region"
    );
    assert_eq!(cell(&out, 7, "flags"), "Phone:missing_country_code");
    // The country column itself is never cleaned.
    assert_eq!(cell(&out, 1, "Country"), "Deutschland");
    assert!(
        err.contains("Country: names no country in 1 row (flagged unknown_region)"),
        "{err}"
    );
    // No hint when a region was given.
    assert!(!err.contains("would read them"), "{err}");
}

#[test]
fn an_empty_or_unknown_country_falls_back_to_the_default_region() {
    let p = fixture("region/by_country.csv");
    let out = rows(&ok(&[
        "normalize",
        "-q",
        p.to_str().unwrap(),
        "--region-column",
        "country",
        "--default-region",
        "GB",
    ]));
    assert_eq!(cell(&out, 6, "Phone"), "+442079460018");
    assert_eq!(cell(&out, 6, "flags"), "Country:unknown_region");
    assert_eq!(cell(&out, 7, "Phone"), "+442079460019");
    assert_eq!(cell(&out, 7, "flags"), "");
    assert_eq!(cell(&out, 1, "Phone"), "+49301234567");
}

#[test]
fn region_column_must_exist_and_output_is_idempotent() {
    let p = fixture("region/by_country.csv");
    let (code, _, err) = run(&["normalize", p.to_str().unwrap(), "--region-column", "Land"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("--region-column \"Land\": no such column"),
        "{err}"
    );
    let first = ok(&[
        "normalize",
        "-q",
        p.to_str().unwrap(),
        "--region-column",
        "Country",
    ]);
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("first.csv");
    std::fs::write(&f, &first).unwrap();
    let again = ok(&[
        "normalize",
        "-q",
        f.to_str().unwrap(),
        "--region-column",
        "Country",
    ]);
    assert_eq!(again, first);
}

#[test]
fn the_hint_names_the_calling_code_the_file_points_to() {
    let p = fixture("region/national_in.csv");
    let (code, out, err) = run(&["normalize", p.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains(
            "2 phone numbers lack a country code; 75 % of this file's international numbers \
             are +91 (IN): --default-region IN would read them"
        ),
        "{err}"
    );
    // A hint only: nothing is applied.
    assert!(String::from_utf8(out)
        .unwrap()
        .contains("E,099954 33008,Mobile:missing_country_code"));
    let report: serde_json::Value = serde_json::from_slice(&ok(&[
        "normalize",
        "-q",
        p.to_str().unwrap(),
        "-o",
        "/dev/null",
        "--report",
        "-",
    ]))
    .unwrap();
    let hint = &report["region_hint"];
    assert_eq!(hint["missing_country_code"], 2);
    assert_eq!(hint["international_numbers"], 4);
    assert_eq!(hint["calling_code"], 91);
    assert_eq!(hint["region"], "IN");
    assert_eq!(hint["share"], 0.75);
    // check says it too; with the region given, there is nothing to hint.
    let (_, out, err) = run(&["check", p.to_str().unwrap()]);
    let text = String::from_utf8_lossy(&out) + err.as_str();
    assert!(
        text.contains("--default-region IN would read them"),
        "{text}"
    );
    let (code, _, err) = run(&[
        "normalize",
        p.to_str().unwrap(),
        "--default-region",
        "IN",
        "-o",
        "/dev/null",
    ]);
    assert_eq!(code, 0);
    assert!(!err.contains("lack a country code"), "{err}");
}

#[test]
fn encoding_auto_detects_a_windows_code_page() {
    let p = fixture("exports/outlook_de_cp1252.csv");
    let p = p.to_str().unwrap();
    let (code, auto, err) = run(&["normalize", "--encoding", "auto", p]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.lines()
            .any(|l| l == format!("contactclean: {p}: encoding windows-1252 (detected)")),
        "{err}"
    );
    let named = ok(&["normalize", "-q", "--encoding", "windows-1252", p]);
    assert_eq!(auto, named);
    // UTF-8 is read as it is.
    let utf8 = fixture("exports/outlook_de.csv");
    let (code, _, err) = run(&["normalize", "--encoding", "auto", utf8.to_str().unwrap()]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("encoding UTF-8 (detected)"), "{err}");
}

#[test]
fn without_an_encoding_the_error_names_the_detected_one() {
    let p = fixture("exports/outlook_de_cp1252.csv");
    let (code, _, err) = run(&["normalize", p.to_str().unwrap()]);
    assert_eq!(code, 1);
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.contains("the file looks like windows-1252: re-run with --encoding windows-1252"),
        "{err}"
    );
    // From standard input too (the first bytes are kept for it).
    let bytes = std::fs::read(fixture("exports/outlook_de_cp1252.csv")).unwrap();
    let (code, _, err) = run_stdin(&["normalize"], &bytes);
    assert_eq!(code, 1);
    assert!(err.contains("--encoding windows-1252"), "{err}");
}
