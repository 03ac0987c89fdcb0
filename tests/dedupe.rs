//! Merge suggestions: `contactclean dedupe` and `normalize --suggestions`.

mod common;

use common::*;

fn dedupe(args: &[&str]) -> Vec<Vec<String>> {
    let p = fixture("dedupe.csv");
    let mut a = vec!["dedupe", "-q", p.to_str().unwrap()];
    a.extend_from_slice(args);
    rows(&ok(&a))
}

/// Groups as lists of the `id` column, in output order.
fn groups(r: &[Vec<String>]) -> Vec<Vec<String>> {
    let (g, ids) = (column(r, "group"), column(r, "id"));
    let mut out: Vec<Vec<String>> = Vec::new();
    for (gi, id) in g.iter().zip(ids) {
        let n: usize = gi.parse().unwrap();
        if out.len() < n {
            out.push(Vec::new());
        }
        out[n - 1].push(id);
    }
    out
}

#[test]
fn groups_renderings_case_and_transitive_chains_but_not_near_misses() {
    let r = dedupe(&[]);
    assert_eq!(
        r[0],
        [
            "group",
            "row",
            "id",
            "survivor",
            "matched_on",
            "key",
            "group_size",
            "phones",
            "emails",
            "note",
            "decision",
            "input_fingerprint"
        ]
    );
    // c01-c03: one number in E.164 with spaces, as wa_id digits, with 00.
    // c04-c07: email case, then a phone shared with a row that shares the email (transitive).
    // c14-c16: a cell with two numbers links both offices.
    // Not grouped: one digit different (c08), same name other data (c09), the same national
    // number without country code (c10, c11), the same invalid email (c12, c13).
    assert_eq!(
        groups(&r),
        [
            vec!["c01", "c02", "c03"],
            vec!["c04", "c05", "c06", "c07"],
            vec!["c14", "c15", "c16"]
        ]
    );
    assert_eq!(column(&r, "row")[..3], ["1", "2", "3"]);
    assert_eq!(
        column(&r, "matched_on")[3..7],
        ["email", "email", "phone+email", "phone"]
    );
    assert_eq!(column(&r, "key")[5], "+12125550187;olivia@example.co.uk");
    assert_eq!(column(&r, "emails")[3], "olivia@example.co.uk");
    assert_eq!(column(&r, "phones")[7], "+49301234567;+33123456789");
    // One survivor per group: the most complete row, ties to the first.
    let surv = column(&r, "survivor");
    assert_eq!(surv.iter().filter(|s| *s == "yes").count(), 3);
    assert_eq!(surv[0], "yes");
}

#[test]
fn id_column_by_name() {
    let r = dedupe(&["--id-column", "Name"]);
    assert_eq!(column(&r, "id")[0], "Wei Ming Tan");
    let p = fixture("dedupe.csv");
    let (code, _, err) = run(&["dedupe", p.to_str().unwrap(), "--id-column", "nope"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn no_id_column_no_id_field() {
    let data = b"Phone,Email\n+65 9123 4567,\n6591234567,\n";
    let (code, out, _) = run_stdin(&["dedupe", "-q"], data);
    assert_eq!(code, 0);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "group,row,survivor,matched_on,key,group_size,phones,emails,note,decision,input_fingerprint\n\
         1,1,yes,phone,+6591234567,2,+6591234567,,,,xxh3:4506c7f7e58d89f989dca2d5dc1e089b:2\n\
         1,2,,phone,+6591234567,2,+6591234567,,,,xxh3:4506c7f7e58d89f989dca2d5dc1e089b:2\n"
    );
}

#[test]
fn same_bytes_at_any_thread_count_and_from_stdin() {
    let (_d, p) = temp_file("big.csv", &big_input(20_000));
    let p = p.to_str().unwrap();
    let one = ok(&["dedupe", "-q", "-j", "1", p]);
    let two = ok(&["dedupe", "-q", "-j", "2", p]);
    assert!(one == two);
    assert!(
        rows(&one).len() > 1000,
        "the generated input has many duplicates"
    );
    let (code, stdin, _) = run_stdin(&["dedupe", "-q"], &std::fs::read(p).unwrap());
    assert_eq!(code, 0);
    assert!(stdin == one);
}

#[test]
fn normalize_suggestions_match_dedupe_in_one_pass() {
    let p = fixture("dedupe.csv");
    let p = p.to_str().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let s = dir.path().join("s.csv");
    let with = ok(&["normalize", "-q", p, "--suggestions", s.to_str().unwrap()]);
    let without = ok(&["normalize", "-q", p]);
    assert_eq!(with, without, "the cleaned stream is unchanged");
    assert_eq!(std::fs::read(&s).unwrap(), ok(&["dedupe", "-q", p]));
}

#[test]
fn placeholder_groups_are_flagged_oversized() {
    let mut data = String::from("id,Phone,Email\n");
    for i in 0..60 {
        data.push_str(&format!("{i},+1 000 000 0000,test@test.com\n"));
    }
    data.push_str("x,+65 9123 4567,a@example.com\ny,6591234567,\n");
    let (code, out, err) = run_stdin(
        &["dedupe", "--max-group", "10", "--summary"],
        data.as_bytes(),
    );
    assert_eq!(code, 0);
    let r = rows(&out);
    let notes = column(&r, "note");
    assert_eq!(notes.iter().filter(|n| *n == "oversized_group").count(), 60);
    assert!(column(&r, "survivor")[..60].iter().all(|s| s.is_empty()));
    assert_eq!(column(&r, "group")[60], "2");
    assert!(err.contains("warning: group 1 has 60 rows"), "{err}");
    assert!(err.contains("test@test.com"), "{err}");
    assert!(
        err.contains("2 groups, 62 rows in groups, largest group 60 rows"),
        "{err}"
    );
}

#[test]
fn summary_line_even_when_quiet() {
    let p = fixture("dedupe.csv");
    let (code, _, err) = run(&["dedupe", "-q", "--summary", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        err.contains("3 groups, 10 rows in groups, largest group 4 rows"),
        "{err}"
    );
}

#[test]
fn a_long_chain_is_not_called_a_placeholder() {
    // Row i shares one address with row i-1 and one with row i+1: 60 rows in one group, and
    // no key on more than two of them.
    let mut input = String::from("Email,Email 2\n");
    for i in 0..60 {
        input.push_str(&format!("a{i}@example.com,a{}@example.com\n", i + 1));
    }
    let (code, _, err) = run_stdin(&["dedupe"], input.as_bytes());
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("group 1 has 60 rows"), "{err}");
    assert!(err.contains("a chain of keys links them"), "{err}");
    assert!(err.contains("is on 2 rows"), "{err}");
    assert!(!err.contains("placeholder"), "{err}");
}
