//! Cells holding several values (Google Contacts' ` ::: `, HubSpot's `;`-separated additional
//! emails, `|`, line breaks): every part is cleaned on its own, the cell keeps its separator,
//! a part that cannot be cleaned stays verbatim with its own reason, every valid part links.

mod common;

use common::*;

fn normalize(fixture_name: &str, extra: &[&str]) -> (Vec<Vec<String>>, String) {
    let p = fixture(fixture_name);
    let mut args = vec!["normalize", p.to_str().unwrap()];
    args.extend_from_slice(extra);
    let (code, out, err) = run(&args);
    assert_eq!(code, 0, "{err}");
    (rows(&out), err)
}

fn cell<'a>(rows: &'a [Vec<String>], row: usize, name: &str) -> &'a str {
    let c = rows[0].iter().position(|h| h == name).expect(name);
    &rows[row][c]
}

#[test]
fn google_cells_part_by_part_with_their_separator() {
    let (out, _) = normalize("multivalue/google.csv", &[]);
    // A national part stays verbatim with its own reason; the international one is valid.
    assert_eq!(
        cell(&out, 1, "Phone 1 - Value"),
        "4844055334 ::: +919995433008"
    );
    assert_eq!(
        cell(&out, 1, "flags"),
        "Phone 1 - Value:multiple_numbers;Phone 1 - Value:missing_country_code=part1"
    );
    // Every part valid: E.164, still joined with ` ::: ` so the file re-imports into Google.
    assert_eq!(
        cell(&out, 2, "Phone 1 - Value"),
        "+919995433008 ::: +14844055334"
    );
    assert_eq!(cell(&out, 2, "flags"), "Phone 1 - Value:multiple_numbers");
    // Emails the same way: each part lower-cased, the bad one flagged on its own.
    assert_eq!(
        cell(&out, 1, "E-mail 1 - Value"),
        "anand.menon@example.in ::: anand@menon-works.example"
    );
    assert_eq!(
        cell(&out, 3, "E-mail 1 - Value"),
        "rahul.iyer@example.in ::: not an address"
    );
    assert!(cell(&out, 3, "flags").starts_with("E-mail 1 - Value:invalid_email=part2;"));
    // A Belgian number written with `/` is one number, not two: the whole cell's reason.
    assert_eq!(cell(&out, 3, "Phone 2 - Value"), "02/633 12 34");
    assert!(cell(&out, 3, "flags").ends_with(";Phone 2 - Value:missing_country_code"));
    // No part valid: the cell is kept byte for byte, each part's reason reported.
    assert_eq!(
        cell(&out, 4, "Phone 1 - Value"),
        "020 7946 0018 ::: no phone"
    );
    assert!(cell(&out, 4, "flags")
        .contains("Phone 1 - Value:missing_country_code=part1;Phone 1 - Value:not_a_number=part2"));
    // An extension of one part is kept in the flags, as for a single number.
    assert_eq!(
        cell(&out, 5, "Phone 2 - Value"),
        "+12025550123 ::: 020 7946 0018"
    );
    assert!(cell(&out, 5, "flags").ends_with("Phone 2 - Value:extension=45"));
    // Companion cells (labels) are never touched, ` ::: ` or not.
    assert_eq!(cell(&out, 1, "Phone 1 - Label"), "Mobile ::: Home");
    assert_eq!(cell(&out, 1, "E-mail 1 - Label"), "* Home ::: Work");
}

#[test]
fn the_report_counts_a_cell_with_a_bad_part_as_invalid_and_each_reason() {
    let p = fixture("multivalue/google.csv");
    let out = ok(&[
        "normalize",
        "-q",
        p.to_str().unwrap(),
        "-o",
        "/dev/null",
        "--report",
        "-",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&out).unwrap();
    let phone1 = &report["columns"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] == "Phone 1 - Value")
        .unwrap()
        .clone();
    // Rows 1, 3, 4 have a bad part; row 2 is all valid; row 5 is one valid number.
    assert_eq!(phone1["invalid"], 3);
    assert_eq!(phone1["fixed"], 2);
    assert_eq!(phone1["reasons"]["multiple_numbers"], 4);
    assert_eq!(phone1["reasons"]["missing_country_code"], 3);
    assert_eq!(phone1["reasons"]["not_a_number"], 1);
}

#[test]
fn every_valid_part_links_rows() {
    let p = fixture("multivalue/google.csv");
    let sugg = rows(&ok(&["dedupe", "-q", p.to_str().unwrap()]));
    let col = |name: &str| sugg[0].iter().position(|h| h == name).unwrap();
    let pairs: Vec<(String, String, String)> = sugg[1..]
        .iter()
        .map(|r| {
            (
                r[col("group")].clone(),
                r[col("row")].clone(),
                r[col("key")].clone(),
            )
        })
        .collect();
    // Anand and Priya share the second part of their Google cells; Sara and Tom a mobile that
    // is the second part of Sara's `Phone 2` cell.
    assert_eq!(
        pairs,
        [
            ("1".into(), "1".into(), "+919995433008".into()),
            ("1".into(), "2".into(), "+919995433008".into()),
            ("2".into(), "4".into(), "+447400123456".into()),
            ("2".into(), "5".into(), "+447400123456".into()),
        ]
    );
}

#[test]
fn hubspot_additional_emails_each_cleaned_and_linked() {
    let (out, _) = normalize("multivalue/hubspot.csv", &[]);
    assert_eq!(
        cell(&out, 1, "Additional email addresses"),
        "mjohnson@example.org;m.johnson@example.net"
    );
    assert_eq!(cell(&out, 1, "flags"), "");
    assert_eq!(
        cell(&out, 2, "Additional email addresses"),
        "maria.johnson@example.com; not-an-address"
    );
    assert_eq!(
        cell(&out, 2, "flags"),
        "Additional email addresses:invalid_email=part2"
    );
    // `|` between phone numbers: per part too.
    assert_eq!(
        cell(&out, 3, "Mobile Phone Number"),
        "+16175550133 | 617 555 0134"
    );
    let p = fixture("multivalue/hubspot.csv");
    let sugg = rows(&ok(&["dedupe", "-q", p.to_str().unwrap()]));
    // Mark's additional address is Maria's main one.
    assert_eq!(sugg.len(), 3, "{sugg:?}");
    assert!(sugg[1..]
        .iter()
        .all(|r| r.contains(&"maria.johnson@example.com".to_string())));
}

#[test]
fn idempotent_and_the_same_at_any_thread_count() {
    for name in ["multivalue/google.csv", "multivalue/hubspot.csv"] {
        let p = fixture(name);
        let p = p.to_str().unwrap();
        let one = ok(&["normalize", "-q", "-j", "1", p]);
        let four = ok(&["normalize", "-q", "-j", "4", p]);
        assert_eq!(one, four, "{name}: -j 1 and -j 4 differ");
        let dir = tempfile::tempdir().unwrap();
        let first = dir.path().join("first.csv");
        std::fs::write(&first, &one).unwrap();
        let again = ok(&["normalize", "-q", first.to_str().unwrap()]);
        assert_eq!(
            String::from_utf8(again).unwrap(),
            String::from_utf8(one).unwrap(),
            "{name}: normalize changes its own output"
        );
    }
}
