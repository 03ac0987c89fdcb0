//! `contactclean merge`: survivorship rules on fixtures, review files and their fingerprint,
//! and the properties of issue 15 on generated files (proptest).

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::*;
use proptest::prelude::*;

fn merge_fixture(name: &str, args: &[&str]) -> Vec<Vec<String>> {
    let p = fixture(&format!("merge/{name}"));
    let mut a = vec!["merge", "-q", p.to_str().unwrap()];
    a.extend_from_slice(args);
    rows(&ok(&a))
}

/// (survivor's id, merged_from) of each merged row.
fn merged(r: &[Vec<String>]) -> Vec<(String, String)> {
    column(r, "id")
        .into_iter()
        .zip(column(r, "merged_from"))
        .filter(|(_, f)| !f.is_empty())
        .collect()
}

fn pairs(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn most_complete_fills_moves_and_lists_conflicts() {
    let r = merge_fixture("survivors.csv", &[]);
    assert_eq!(
        r[0],
        [
            "id",
            "Name",
            "Phone",
            "Mobile",
            "Email",
            "Work Email",
            "Company",
            "Updated",
            "flags",
            "merged_conflicts",
            "merged_from"
        ]
    );
    // a2 has the most cells; its empty Name is filled from a1 (the next in survivor order),
    // its Company is kept and a1's listed.
    assert_eq!(
        r[1],
        [
            "a2",
            "Ana Lim",
            "+6591234567",
            "+447400123456",
            "ana@example.com",
            "",
            "ACME",
            "01/07/2024",
            "",
            "Name: Ana Lim | Ana L.; Company: ACME | Acme Ltd; Updated: 01/07/2024 | 2024-01-05 | 06.01.2024",
            "a1;a2;a3"
        ]
    );
    // b1's number the survivor lacks is appended to the full Mobile cell; its email goes to
    // the empty Work Email column.
    assert_eq!(
        r[2][..9],
        [
            "b2",
            "Ben Ong",
            "+12125550189",
            "+12125550187;+12125550188",
            "ben.ong@example.org",
            "ben@example.com",
            "Globex",
            "not a date",
            "Mobile:multiple_numbers"
        ]
    );
    // A row in no group passes through, cleaned, with empty merge columns.
    assert_eq!(
        r[3],
        [
            "c1",
            "Solo",
            "+61298765432",
            "",
            "solo@example.com.au",
            "",
            "",
            "",
            "",
            "",
            ""
        ]
    );
    assert_eq!(r.len(), 4);
}

#[test]
fn first_last_and_newest() {
    let first = merge_fixture("survivors.csv", &["--survivor", "first"]);
    assert_eq!(
        merged(&first),
        pairs(&[("a1", "a1;a2;a3"), ("b1", "b1;b2")])
    );
    assert_eq!(column(&first, "Company")[0], "Acme Ltd");
    let last = merge_fixture("survivors.csv", &["--survivor", "last"]);
    assert_eq!(merged(&last), pairs(&[("a3", "a1;a2;a3"), ("b2", "b1;b2")]));
    // 01/07/2024 (US) is the latest of 2024-01-05, 01/07/2024, 06.01.2024; b2's "not a date"
    // sorts last, so b1 (epoch ms) survives, and the run says so.
    let newest = merge_fixture("survivors.csv", &["--survivor", "newest:Updated"]);
    assert_eq!(
        merged(&newest),
        pairs(&[("a2", "a1;a2;a3"), ("b1", "b1;b2")])
    );
    // Empty cells are filled in survivor order: a3 (06.01) before a1.
    assert_eq!(column(&newest, "Name")[0], "Ana L.");
    let p = fixture("merge/survivors.csv");
    let (code, _, err) = run(&["merge", p.to_str().unwrap(), "--survivor", "newest:Updated"]);
    assert_eq!(code, 0);
    assert!(
        err.contains("1 rows in groups have a date that is not"),
        "{err}"
    );
    let (code, _, err) = run(&["merge", p.to_str().unwrap(), "--survivor", "newest:Nope"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("no such column"), "{err}");
    let (code, _, err) = run(&["merge", p.to_str().unwrap(), "--survivor", "oldest"]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn merge_columns_renamed_or_turned_off() {
    let r = merge_fixture(
        "survivors.csv",
        &[
            "--conflicts-column",
            "",
            "--merged-from-column",
            "source_ids",
        ],
    );
    assert_eq!(r[0][8..], ["flags", "source_ids"]);
    assert_eq!(column(&r, "source_ids")[0], "a1;a2;a3");
    let p = fixture("merge/survivors.csv");
    let (code, _, err) = run(&[
        "merge",
        p.to_str().unwrap(),
        "--merged-from-column",
        "Email",
    ]);
    assert_eq!(code, 2, "{err}");
}

#[test]
fn oversized_groups_pass_through_and_are_reported() {
    let p = fixture("merge/placeholder.csv");
    let (dir, report) = temp_file("r.json", b"");
    let out = dir.path().join("m.csv");
    let (code, _, err) = run(&[
        "merge",
        p.to_str().unwrap(),
        "--max-group",
        "2",
        "-o",
        out.to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("group 1 has 3 rows"), "{err}");
    let r = rows(&std::fs::read(&out).unwrap());
    assert_eq!(column(&r, "id"), ["p1", "p2", "p3", "p4"]);
    assert_eq!(column(&r, "merged_from"), ["", "", "", "p4;p5"]);
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    let m = &json["merge"];
    assert_eq!(json["command"], "merge");
    assert_eq!(m["groups_merged"], 1);
    assert_eq!(m["rows_removed"], 1);
    assert_eq!(m["rows_in"], 5);
    assert_eq!(m["rows_out"], 4);
    assert_eq!(m["oversized_groups_not_merged"], 1);
    assert_eq!(m["conflicts"], 1);
    assert_eq!(json["duplicates"]["groups"], 2);
}

#[test]
fn stdin_is_merged_like_a_file() {
    let p = fixture("merge/survivors.csv");
    let data = std::fs::read(&p).unwrap();
    let (code, out, err) = run_stdin(&["merge", "-q"], &data);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out, ok(&["merge", "-q", p.to_str().unwrap()]));
}

/// dedupe → review (delete rows, decision=skip, move the survivor mark) → merge.
#[test]
fn a_reviewed_file_merges_exactly_what_is_left() {
    let p = fixture("merge/survivors.csv");
    let sugg = ok(&["dedupe", "-q", p.to_str().unwrap()]);
    let r = rows(&sugg);
    assert_eq!(r[0][10..], ["decision", "input_fingerprint"]);
    let fp = column(&r, "input_fingerprint");
    assert!(
        fp.iter().all(|f| f.starts_with("xxh3:") && *f == fp[0]),
        "{fp:?}"
    );
    // The reviewer drops a3 from group 1, skips group 2's b2 (so group 2 has one row left)
    // and makes a1 the survivor.
    let mut edited = vec![r[0].clone()];
    for line in &r[1..] {
        let mut line = line.clone();
        match line[2].as_str() {
            "a3" => continue,
            "b2" => line[10] = "Skip".into(),
            "a1" => line[3] = "yes".into(),
            "a2" => line[3] = String::new(),
            _ => {}
        }
        edited.push(line);
    }
    let text = to_csv(&edited, b';');
    let (_dir, reviewed) = temp_file("reviewed.csv", text.as_bytes());
    let out = rows(&ok(&[
        "merge",
        "-q",
        p.to_str().unwrap(),
        "--suggestions",
        reviewed.to_str().unwrap(),
    ]));
    assert_eq!(merged(&out), pairs(&[("a1", "a1;a2")]));
    assert_eq!(column(&out, "id"), ["a1", "a3", "b1", "b2", "c1"]);
    // With --survivor the rule decides, not the mark.
    let out = rows(&ok(&[
        "merge",
        "-q",
        p.to_str().unwrap(),
        "--suggestions",
        reviewed.to_str().unwrap(),
        "--survivor",
        "last",
    ]));
    assert_eq!(merged(&out), pairs(&[("a2", "a1;a2")]));
}

#[test]
fn a_suggestions_file_for_another_input_is_refused() {
    let p = fixture("merge/survivors.csv");
    let sugg = ok(&["dedupe", "-q", p.to_str().unwrap()]);
    let (dir, s) = temp_file("s.csv", &sugg);
    // The same file changed by one byte, and another file altogether.
    let mut changed = std::fs::read(&p).unwrap();
    let at = changed.iter().position(|&b| b == b'L').unwrap();
    changed[at] = b'l';
    let other = dir.path().join("changed.csv");
    std::fs::write(&other, &changed).unwrap();
    let out = dir.path().join("out.csv");
    std::fs::write(&out, "earlier").unwrap();
    for input in [other.clone(), fixture("dedupe.csv")] {
        let (code, _, err) = run(&[
            "merge",
            input.to_str().unwrap(),
            "--suggestions",
            s.to_str().unwrap(),
            "-o",
            out.to_str().unwrap(),
        ]);
        assert_eq!(code, 1, "{err}");
        assert!(err.contains("written for another input"), "{err}");
        assert_eq!(std::fs::read(&out).unwrap(), b"earlier");
    }
    // A file without the fingerprint column (an older dedupe, or a hand-made list).
    let r = rows(&sugg);
    let stripped: Vec<Vec<String>> = r.iter().map(|l| l[..10].to_vec()).collect();
    let (_d, s2) = temp_file("s2.csv", to_csv(&stripped, b',').as_bytes());
    let (code, _, err) = run(&[
        "merge",
        p.to_str().unwrap(),
        "--suggestions",
        s2.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("input_fingerprint"), "{err}");
    // A reviewer cannot join rows the input does not link.
    let mut joined = r.clone();
    joined[4][0] = "1".into();
    let (_d, s3) = temp_file("s3.csv", to_csv(&joined, b',').as_bytes());
    let (code, _, err) = run(&[
        "merge",
        p.to_str().unwrap(),
        "--suggestions",
        s3.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("does not link"), "{err}");
    // An unknown decision is a mistake, not a silent merge.
    let mut typo = r.clone();
    typo[1][10] = "skp".into();
    let (_d, s4) = temp_file("s4.csv", to_csv(&typo, b',').as_bytes());
    let (code, _, err) = run(&[
        "merge",
        p.to_str().unwrap(),
        "--suggestions",
        s4.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    // The output may not overwrite the suggestions file.
    let (code, _, err) = run(&[
        "merge",
        p.to_str().unwrap(),
        "--suggestions",
        s.to_str().unwrap(),
        "-o",
        s.to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(std::fs::read(&s).unwrap(), sugg);
}

fn to_csv(r: &[Vec<String>], delimiter: u8) -> String {
    let mut w = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    for l in r {
        w.write_record(l).unwrap();
    }
    String::from_utf8(w.into_inner().unwrap()).unwrap()
}

// ---- properties on generated files ----

const PHONES: &[&str] = &[
    "",
    "",
    "+65 9123 4560",
    "0065 9123 4560",
    "6591234561",
    "+65 9123-4562",
    "+44 7400 123456",
    "+447400123456",
    "020 7946 0018",
    "12345",
    "+49 30 1234567 / +33 1 23 45 67 89",
];
const EMAILS: &[&str] = &[
    "",
    "",
    "ana@example.com",
    "ANA@example.com",
    "ben@example.org",
    "cy@example.net",
    "not-an-email",
];
const NAMES: &[&str] = &["", "Ana", "Ben", "Cy", "Ana Lim"];
const COMPANIES: &[&str] = &["", "Acme Ltd", "ACME", "Globex"];

fn contact_file() -> impl Strategy<Value = String> {
    let row = (
        0..NAMES.len(),
        0..PHONES.len(),
        0..PHONES.len(),
        0..EMAILS.len(),
        0..COMPANIES.len(),
    );
    proptest::collection::vec(row, 1..24).prop_map(|rows| {
        let mut s = String::from("id,Name,Phone,Mobile,Email,Company\n");
        for (i, (n, p, m, e, c)) in rows.into_iter().enumerate() {
            s.push_str(&format!(
                "r{i},{},\"{}\",\"{}\",{},{}\n",
                NAMES[n], PHONES[p], PHONES[m], EMAILS[e], COMPANIES[c]
            ));
        }
        s
    })
}

/// The phone/email values of a cleaned row (multi-value cells split).
fn contact_values(header: &[String], row: &[String]) -> BTreeSet<String> {
    ["Phone", "Mobile", "Email"]
        .iter()
        .map(|c| header.iter().position(|h| h == c).unwrap())
        // The atoms of a cell of several values, whatever its separator.
        .flat_map(|i| {
            row[i]
                .split([';', '/', '|', '\n'])
                .flat_map(|p| p.split(":::"))
                .map(|p| p.trim().to_string())
                .collect::<Vec<_>>()
        })
        .filter(|v| !v.is_empty())
        .collect()
}

/// Groups of a suggestions file as sets of ids, oversized ones left out.
fn suggested_groups(s: &[Vec<String>]) -> BTreeMap<String, BTreeSet<String>> {
    let (g, ids, note) = (column(s, "group"), column(s, "id"), column(s, "note"));
    let mut out: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in 0..g.len() {
        if note[i].is_empty() {
            out.entry(g[i].clone()).or_default().insert(ids[i].clone());
        }
    }
    out
}

/// Merged rows as sets of ids.
fn merged_sets(r: &[Vec<String>]) -> BTreeSet<BTreeSet<String>> {
    column(r, "merged_from")
        .into_iter()
        .filter(|f| !f.is_empty())
        .map(|f| f.split(';').map(str::to_string).collect())
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    #[test]
    fn merge_properties(file in contact_file(), drop_mask in any::<u64>()) {
        let (dir, input) = temp_file("in.csv", file.as_bytes());
        let inp = input.to_str().unwrap();
        let out = ok(&["merge", "-q", "-j", "1", "--max-group", "4", inp]);
        // Byte-identical at any -j.
        prop_assert_eq!(&out, &ok(&["merge", "-q", "-j", "2", "--max-group", "4", inp]));
        let r = rows(&out);
        let sugg = rows(&ok(&["dedupe", "-q", "--max-group", "4", inp]));
        let groups = suggested_groups(&sugg);
        // rows out = rows in − (rows in groups − groups).
        let rows_in = file.lines().count() - 1;
        let in_groups: usize = groups.values().map(|g| g.len()).sum();
        prop_assert_eq!(r.len() - 1, rows_in - (in_groups - groups.len()));
        prop_assert_eq!(
            merged_sets(&r),
            groups.values().cloned().collect::<BTreeSet<_>>()
        );
        // Every distinct normalised phone and email is in the row its input row went to.
        let clean = rows(&ok(&["normalize", "-q", inp]));
        let mut row_of: BTreeMap<String, usize> = BTreeMap::new();
        for (i, line) in r.iter().enumerate().skip(1) {
            let from = &line[r[0].iter().position(|h| h == "merged_from").unwrap()];
            if from.is_empty() {
                row_of.insert(line[0].clone(), i);
            } else {
                for id in from.split(';') {
                    row_of.insert(id.to_string(), i);
                }
            }
        }
        for line in &clean[1..] {
            let target = &r[row_of[&line[0]]];
            let have = contact_values(&r[0], target);
            for v in contact_values(&clean[0], line) {
                prop_assert!(have.contains(&v), "{} of {} missing from {:?}", v, line[0], target);
            }
        }
        // Merging the output again changes nothing.
        let (_d2, merged_file) = temp_file("merged.csv", &out);
        prop_assert_eq!(
            &ok(&["merge", "-q", "--max-group", "4", merged_file.to_str().unwrap()]),
            &out
        );
        // A reviewed file: drop some rows, skip others; exactly the kept groups merge.
        let mut reviewed = vec![sugg[0].clone()];
        let mut kept: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (i, line) in sugg[1..].iter().enumerate() {
            let mut line = line.clone();
            match (drop_mask >> (2 * (i % 32))) & 3 {
                0 => continue,
                1 => line[10] = "skip".into(),
                _ => {
                    kept.entry(line[0].clone()).or_default().insert(line[2].clone());
                }
            }
            reviewed.push(line);
        }
        let (_d3, rf) = temp_file("reviewed.csv", to_csv(&reviewed, b',').as_bytes());
        let out2 = rows(&ok(&["merge", "-q", "--max-group", "4", inp, "--suggestions", rf.to_str().unwrap()]));
        // Groups a review trimmed to --max-group or fewer rows merge too.
        let want: BTreeSet<BTreeSet<String>> =
            kept.into_values().filter(|g| (2..=4).contains(&g.len())).collect();
        prop_assert_eq!(merged_sets(&out2), want);
        drop(dir);
    }
}

#[test]
fn empty_header_only_and_ragged_inputs() {
    let (code, out, err) = run_stdin(&["merge", "-q"], b"");
    assert_eq!((code, out.len()), (0, 0), "{err}");
    let (code, out, _) = run_stdin(&["merge", "-q"], b"id,Phone\n");
    assert_eq!(code, 0);
    assert_eq!(out, b"id,Phone,flags,merged_conflicts,merged_from\n");
    // A long record's extra field stays after the merge columns, and merging again keeps it.
    let data = b"id,Phone\n1,+6591234567,extra\n2,+65 9123 4567\n3,+6591234568\n";
    let (code, out, err) = run_stdin(&["merge", "-q", "--flexible"], data);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        String::from_utf8(out.clone()).unwrap(),
        "id,Phone,flags,merged_conflicts,merged_from\n\
         1,+6591234567,row:ragged,,1;2,extra\n\
         3,+6591234568,,,\n"
    );
    let (code, again, err) = run_stdin(&["merge", "-q", "--flexible"], &out);
    assert_eq!(code, 0, "{err}");
    assert_eq!(again, out);
}
