//! `contactclean check`: the CI gate, its thresholds, report and rejects.

mod common;

use common::*;
use serde_json::Value;

fn check(args: &[&str]) -> (i32, String, String) {
    let p = fixture("check.csv");
    let mut a = vec!["check", p.to_str().unwrap()];
    a.extend_from_slice(args);
    let (code, out, err) = run(&a);
    (code, String::from_utf8(out).unwrap(), err)
}

// fixtures/check.csv: 10 rows; Phone: 7 fixed, 2 missing_country_code, 1 empty;
// Email: 7 valid, 1 fixed, 1 invalid_email, 1 empty; one duplicate pair (rows 1 and 5).

#[test]
fn no_threshold_fails_on_any_invalid_cell() {
    let (code, out, _) = check(&[]);
    assert_eq!(code, 1);
    assert!(out.starts_with("contactclean check: "), "{out}");
    assert!(out.contains("FAIL --max-invalid 0 (actual 3)"), "{out}");
    assert!(
        out.contains("record 3 (line 4): Phone:missing_country_code"),
        "{out}"
    );
    let (code, _, _) = run_stdin(&["check", "-q"], b"Phone,Email\n+65 9123 4567,a@b.co\n");
    assert_eq!(code, 0);
}

#[test]
fn max_invalid_counts_shares_and_columns() {
    assert_eq!(check(&["--max-invalid", "3"]).0, 0);
    assert_eq!(check(&["--max-invalid", "2"]).0, 1);
    // 3 invalid of 18 non-empty cells = 16.7 %.
    assert_eq!(check(&["--max-invalid", "17%"]).0, 0);
    assert_eq!(check(&["--max-invalid", "16%"]).0, 1);
    assert_eq!(
        check(&["--max-invalid", "Email=1", "--max-invalid", "Phone=2"]).0,
        0
    );
    assert_eq!(check(&["--max-invalid", "Phone=1"]).0, 1);
    // 2 of 9 phone cells = 22.2 %.
    assert_eq!(check(&["--max-invalid", "Phone=23%"]).0, 0);
    assert_eq!(check(&["--max-invalid", "Phone=22%"]).0, 1);
}

#[test]
fn fail_on_reasons_and_max_duplicates() {
    assert_eq!(check(&["--fail-on", "missing_country_code"]).0, 1);
    assert_eq!(check(&["--fail-on", "too_long,excel_scientific"]).0, 0);
    let (code, out, _) = check(&["--fail-on", "invalid_email", "--fail-on", "too_short"]);
    assert_eq!(code, 1);
    assert!(
        out.contains("FAIL --fail-on invalid_email (actual 1)"),
        "{out}"
    );
    assert!(out.contains("ok   --fail-on too_short (actual 0)"), "{out}");
    assert_eq!(check(&["--max-duplicates", "1"]).0, 0);
    assert_eq!(check(&["--max-duplicates", "0"]).0, 1);
    assert_eq!(check(&["--max-duplicates", "10%"]).0, 0);
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        vec!["--max-invalid", "lots"],
        vec!["--max-invalid", "Nope=1"],
        vec!["--fail-on", "bad_reason"],
        vec!["--max-duplicates", "lots"],
    ] {
        let (code, _, err) = check(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        // The error is the last line (a note on the columns picked may come before it).
        let last = err.lines().last().unwrap_or_default();
        assert!(
            last.starts_with("contactclean: ") && last.contains(args[0]),
            "{err}"
        );
    }
}

#[test]
fn report_parses_and_its_counts_add_up() {
    let dir = tempfile::tempdir().unwrap();
    let rp = dir.path().join("r.json");
    let (code, _, _) = check(&["--max-invalid", "5", "--report", rp.to_str().unwrap()]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_slice(&std::fs::read(&rp).unwrap()).unwrap();
    assert_eq!(v["schema_version"], 1);
    assert_eq!(v["tool"], "contactclean");
    assert_eq!(v["command"], "check");
    assert_eq!(v["rows"], 10);
    assert_eq!(v["verdict"], "pass");
    let cols = v["columns"].as_array().unwrap();
    assert_eq!(cols.len(), 2);
    for c in cols {
        let sum: u64 = ["empty", "valid", "fixed", "invalid"]
            .iter()
            .map(|k| c[k].as_u64().unwrap())
            .sum();
        assert_eq!(sum, 10, "{c}");
    }
    assert_eq!(cols[0]["name"], "Phone");
    assert_eq!(cols[0]["fixed"], 7);
    assert_eq!(cols[0]["invalid"], 2);
    assert_eq!(cols[0]["reasons"]["missing_country_code"], 2);
    assert_eq!(cols[1]["valid"], 7);
    assert_eq!(cols[1]["reasons"]["invalid_email"], 1);
    assert_eq!(v["invalid_by_reason"]["missing_country_code"], 2);
    assert_eq!(v["duplicates"]["groups"], 1);
    assert_eq!(v["duplicates"]["rows_in_groups"], 2);
    assert_eq!(v["flagged_rows"], 3);
    assert_eq!(v["thresholds"][0]["passed"], true);
    // `--report -` puts the JSON on stdout (for jq) and the summary on stderr.
    let (code, out, err) = check(&["--report", "-"]);
    assert_eq!(code, 1);
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["verdict"], "fail");
    assert!(err.contains("contactclean check: "), "{err}");
}

#[test]
fn normalize_and_dedupe_write_reports_too() {
    let p = fixture("check.csv");
    let (code, out, _) = run(&[
        "dedupe",
        "-q",
        p.to_str().unwrap(),
        "-o",
        "/dev/null",
        "--report",
        "-",
    ]);
    assert_eq!(code, 0);
    let v: Value = serde_json::from_slice(&out).unwrap();
    assert_eq!(
        (v["command"].as_str(), v["verdict"].is_null()),
        (Some("dedupe"), true)
    );
    let dir = tempfile::tempdir().unwrap();
    let rp = dir.path().join("n.json");
    ok(&[
        "normalize",
        "-q",
        p.to_str().unwrap(),
        "--report",
        rp.to_str().unwrap(),
    ]);
    let v: Value = serde_json::from_slice(&std::fs::read(&rp).unwrap()).unwrap();
    assert_eq!(v["rows"], 10);
    assert_eq!(v["cells_changed"], 8);
}

#[test]
fn rejects_reimport_cleanly_after_fixing() {
    let dir = tempfile::tempdir().unwrap();
    let rej = dir.path().join("rejects.csv");
    let p = fixture("check.csv");
    let (code, _, _) = run(&[
        "check",
        "-q",
        p.to_str().unwrap(),
        "--rejects",
        rej.to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    let text = std::fs::read_to_string(&rej).unwrap();
    assert_eq!(
        text,
        "record,id,Name,Phone,Email,flags\n\
         3,3,Cy,020 7946 0019,cy@example.com,Phone:missing_country_code\n\
         4,4,Di,+12125550187,not-an-email,Email:invalid_email\n\
         7,7,Gi,(212) 555-0188,,Phone:missing_country_code\n"
    );
    // A person adds the country codes and fixes the email, then re-runs the gate on the file.
    let fixed = text
        .replace("020 7946 0019", "+44 20 7946 0019")
        .replace("not-an-email", "di@example.com")
        .replace("(212) 555-0188", "+1 (212) 555-0188");
    let (_d, fp) = temp_file("fixed.csv", fixed.as_bytes());
    let (code, out, _) = run(&["check", fp.to_str().unwrap()]);
    assert_eq!(code, 0, "{}", String::from_utf8_lossy(&out));
    let clean = rows(&ok(&["normalize", "-q", fp.to_str().unwrap()]));
    assert_eq!(column(&clean, "record"), ["3", "4", "7"]);
    assert!(column(&clean, "flags").iter().all(String::is_empty));
    // normalize writes rejects too.
    let rej2 = dir.path().join("r2.csv");
    ok(&[
        "normalize",
        "-q",
        p.to_str().unwrap(),
        "-o",
        "/dev/null",
        "--rejects",
        rej2.to_str().unwrap(),
    ]);
    assert_eq!(std::fs::read_to_string(&rej2).unwrap(), text);
}
