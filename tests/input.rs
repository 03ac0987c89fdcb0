//! Real-world files: what spreadsheets and CRMs export, taken as they are or refused clearly.

mod common;

use common::*;

fn norm(name: &str, extra: &[&str]) -> (i32, Vec<u8>, String) {
    let p = fixture(&format!("input/{name}"));
    let mut args = vec!["normalize", "-q", p.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

fn norm_ok(name: &str, extra: &[&str]) -> String {
    let (code, out, err) = norm(name, extra);
    assert_eq!(code, 0, "{name}: {err}");
    String::from_utf8(out).unwrap()
}

/// An error must be one line naming the file and the record, exit 1, never a panic.
fn assert_clean_error(err: &str, file: &str, record: &str) {
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(lines[0].starts_with("contactclean: "), "{err}");
    assert!(lines[0].contains(file), "{err}");
    assert!(lines[0].contains(record), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn utf8_bom_is_stripped_from_the_header() {
    let out = norm_ok("bom.csv", &[]);
    assert!(
        out.starts_with("Phone,Name,Email,flags\n+6591234567,"),
        "{out}"
    );
}

#[test]
fn crlf_input_gives_clean_lf_output() {
    let out = norm_ok("crlf.csv", &[]);
    assert_eq!(
        out,
        "Name,Phone,Email,flags\nAna,+33123456789,ana.lima@example.com,\nBo,+33123456788,bo@example.org,\nCy,,,\n"
    );
}

#[test]
fn quoted_fields_with_newlines_commas_and_quotes_survive() {
    let out = rows(norm_ok("quoted_multiline.csv", &[]).as_bytes());
    assert_eq!(out.len(), 4);
    assert_eq!(
        column(&out, "Notes")[0],
        "Line one\nLine two, with a comma\nand \"quotes\" too"
    );
    assert_eq!(column(&out, "Notes")[1], "Second,\r\nmultiline");
    assert_eq!(column(&out, "Name")[0], "Doe, John");
    assert_eq!(
        column(&out, "Phone"),
        ["+12125550187", "+442079460018", "+442079460018"]
    );
}

#[test]
fn header_only_and_empty_files() {
    assert_eq!(norm_ok("header_only.csv", &[]), "Name,Phone,Email,flags\n");
    let (code, out, _) = norm("empty.csv", &[]);
    assert_eq!((code, out.len()), (0, 0));
    let p = fixture("input/empty.csv");
    let (code, _, err) = run(&["normalize", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(err.contains("empty input"), "{err}");
}

#[test]
fn delimiters_are_sniffed_kept_or_set() {
    let semi = norm_ok("semicolon.csv", &[]);
    assert!(
        semi.starts_with(
            "Name;Phone;Email;Notes;flags\nHans;+49301234567;hans@example.de;\"a, b; c\";\n"
        ),
        "{semi}"
    );
    let tsv = norm_ok("tabs.tsv", &[]);
    assert!(
        tsv.starts_with("Name\tPhone\tEmail\tflags\nHans\t+49301234567\t"),
        "{tsv}"
    );
    let pipe = norm_ok("pipe.csv", &[]);
    assert!(
        pipe.contains("Marie|+33123456789|marie@example.fr|"),
        "{pipe}"
    );
    let as_comma = norm_ok("semicolon.csv", &["--output-delimiter", ","]);
    assert!(
        as_comma.starts_with("Name,Phone,Email,Notes,flags\n"),
        "{as_comma}"
    );
    assert!(as_comma.contains("\"a, b; c\""), "{as_comma}");
    // -d overrides sniffing: read as ';', the whole line is one field.
    let forced = norm_ok(
        "pipe.csv",
        &["-d", ";", "--phone-column", "Name|Phone|Email"],
    );
    assert!(
        forced.contains("Phone:not_a_number") || forced.contains("flags"),
        "{forced}"
    );
    let tab = norm_ok("tabs.tsv", &["-d", "\\t", "--output-delimiter", ";"]);
    assert!(tab.starts_with("Name;Phone;Email;flags\n"), "{tab}");
}

#[test]
fn non_utf8_is_refused_with_a_hint_or_decoded_on_request() {
    let (code, _, err) = norm("cp1252.csv", &[]);
    assert_eq!(code, 1);
    assert_clean_error(&err, "cp1252.csv", "record 1 (line 2)");
    assert!(err.contains("--encoding windows-1252"), "{err}");
    let out = norm_ok("cp1252.csv", &["--encoding", "windows-1252"]);
    assert!(
        out.contains("José Müller,+49301234567,jose@example.de,"),
        "{out}"
    );
    assert!(out.contains("Renée,+33123456789"), "{out}");
    let latin1 = norm_ok("cp1252.csv", &["--encoding", "latin1"]);
    assert_eq!(latin1, out);
}

#[test]
fn utf16_with_bom_is_detected() {
    let out = norm_ok("utf16le.csv", &[]);
    assert_eq!(
        out,
        "Name,Phone,Email,flags\nJosé,+49301234567,jose@example.de,\n"
    );
}

#[test]
fn long_rows_are_an_error_unless_flexible_short_ones_are_padded() {
    let (code, _, err) = norm("ragged_long.csv", &[]);
    assert_eq!(code, 1);
    assert_clean_error(&err, "ragged_long.csv", "record 2 (line 3)");
    assert!(err.contains("--flexible"), "{err}");
    // A short record is padded with empty fields, with or without --flexible, and not flagged.
    let padded = "Name,Phone,Email,flags\nA,+6591234567,a@example.com,\nB,+6581234567,,\nC,+442079460018,c@example.com,\n";
    assert_eq!(norm_ok("ragged_short.csv", &[]), padded);
    assert_eq!(norm_ok("ragged_short.csv", &["--flexible"]), padded);
    let p = fixture("input/ragged_short.csv");
    let (code, _, err) = run(&["normalize", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        err.contains("short records padded with empty fields: 1 (first on line 3)"),
        "{err}"
    );
    let long = norm_ok("ragged_long.csv", &["--flexible"]);
    assert_eq!(
        long,
        "Name,Phone,Email,flags\nA,+6591234567,a@example.com,\nB,+6581234567,b@example.com,row:ragged,extra,more\nC,+442079460018,c@example.com,\n"
    );
}

#[test]
fn duplicate_header_names_are_each_cleaned_and_told_apart() {
    let out = norm_ok("dup_headers.csv", &[]);
    assert_eq!(
        out,
        "Phone,Name,Phone,Email,Email,flags\n+6591234567,A,+6581234567,a@example.com,bad,Email#2:invalid_email\n"
    );
}

#[test]
fn nul_bytes_are_kept_and_flagged_not_fatal() {
    let out = norm_ok("nul.csv", &[]);
    assert!(
        out.contains("A\0B,+65 9123\x004567,a@example.com,Phone:not_a_number\n"),
        "{out:?}"
    );
    assert!(
        out.contains("c@exa\0mple.com,Email:invalid_email"),
        "{out:?}"
    );
}

#[test]
fn excel_damage_labels_and_several_numbers() {
    let out = rows(norm_ok("excel.csv", &[]).as_bytes());
    assert_eq!(
        column(&out, "Phone"),
        [
            "+6591234567",
            "6.59123E+10",
            "9.12267e+11",
            "+6591234567",
            "+6591234567",
            "+6591234567 ::: +6581234567",
            "02/633 12 34"
        ]
    );
    assert_eq!(
        column(&out, "flags"),
        [
            "",
            "Phone:excel_scientific",
            "Phone:excel_scientific",
            "",
            "",
            "Phone:multiple_numbers",
            "Phone:missing_country_code"
        ]
    );
}

#[test]
fn a_one_megabyte_field_streams_through() {
    let big = "x".repeat(1 << 20);
    let data = format!("Name,Phone,Notes\nA,+65 9123 4567,{big}\nB,+44 20 7946 0018,short\n");
    let (code, out, err) = run_stdin(&["normalize", "-q"], data.as_bytes());
    assert_eq!(code, 0, "{err}");
    let r = rows(&out);
    assert_eq!(r[1][2].len(), 1 << 20);
    assert_eq!(column(&r, "Phone"), ["+6591234567", "+442079460018"]);
}

#[test]
fn an_unterminated_quote_is_an_error_naming_where_it_opened() {
    // An opening quote never closed would swallow the rest of the file into one field (the
    // CSV reader's reading): 1,000 rows would come out as 3. It is a data error naming the
    // line where the quote opened, with --flexible too, and `check` does not say PASS.
    let mut data = b"Name,Phone\nA,+65 9123 4567\nB,\"+65 9123 4568\n".to_vec();
    for i in 0..1000 {
        data.extend_from_slice(format!("C{i},+44 20 7946 {:04}\n", i).as_bytes());
    }
    for flexible in [false, true] {
        let mut args = vec!["normalize", "-q"];
        if flexible {
            args.push("--flexible");
        }
        let (code, _, err) = run_stdin(&args, &data);
        assert_eq!(code, 1, "{err}");
        assert!(
            err.contains("record 2 (line 3): a quoted field opened on line 3 is never closed"),
            "{err}"
        );
    }
    let (code, _, err) = run_stdin(&["check", "-q"], &data);
    assert_eq!(code, 3, "{err}");
    // A quoted field with line breaks that does close is fine, and lines count on after it.
    let data = b"Name,Phone\nA,\"+65 9123\n4567\"\nB,12\n";
    let (code, out, err) = run_stdin(&["check"], data);
    assert_eq!(code, 1, "{err}");
    assert!(String::from_utf8_lossy(&out).contains("record 2 (line 4): Phone:too_short"));
}

#[test]
fn line_numbers_count_crlf_and_cr_like_an_editor() {
    for eol in ["\r\n", "\r", "\n"] {
        let data = format!("Name,Phone{eol}A,+65 9123 4567{eol}{eol}B,12{eol}");
        let (code, out, _) = run_stdin(&["check"], data.as_bytes());
        assert_eq!(code, 1);
        let out = String::from_utf8_lossy(&out);
        assert!(
            out.contains("record 2 (line 4): Phone:too_short"),
            "{eol:?}: {out}"
        );
    }
}

#[test]
fn invalid_bytes_in_the_declared_encoding_are_never_silent() {
    // Under --encoding utf-8, a stray Latin-1 byte; in UTF-16, a lone surrogate; in Shift_JIS,
    // a byte that starts no character: an error naming the record, or with --flexible the
    // record kept (U+FFFD) and flagged row:encoding.
    let mut utf16: Vec<u8> = vec![0xFF, 0xFE];
    for unit in "Name,Phone\nA,+6591234567\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    utf16.extend_from_slice(&0xD800u16.to_le_bytes()); // lone surrogate
    for unit in ",+6591234568\n".encode_utf16() {
        utf16.extend_from_slice(&unit.to_le_bytes());
    }
    let cases: [(&str, Vec<u8>, &str); 3] = [
        (
            "utf-8",
            b"Name,Phone\nA,+6591234567\nJos\xe9,+6591234568\n".to_vec(),
            "UTF-8",
        ),
        ("utf-16le", utf16, "UTF-16LE"),
        (
            "shift_jis",
            b"Name,Phone\nA,+6591234567\nB\xa0\xa0,+6591234568\n".to_vec(),
            "Shift_JIS",
        ),
    ];
    for (label, data, name) in cases {
        let (code, _, err) = run_stdin(&["normalize", "-q", "--encoding", label], &data);
        assert_eq!(code, 1, "{label}: {err}");
        assert!(err.contains("record 2 (line 3)"), "{label}: {err}");
        assert!(err.contains(&format!("not valid {name}")), "{label}: {err}");
        let (code, out, err) = run_stdin(
            &["normalize", "-q", "--flexible", "--encoding", label],
            &data,
        );
        assert_eq!(code, 0, "{label}: {err}");
        let r = rows(&out);
        assert_eq!(r.len(), 3, "{label}");
        assert_eq!(r[2][2], "row:encoding", "{label}");
        assert!(r[2][0].contains('\u{FFFD}'), "{label}: {:?}", r[2]);
        assert_eq!(r[1][2], "", "{label}");
    }
}

#[test]
fn a_record_over_the_size_limit_is_refused_before_memory_grows() {
    // No line break at all (as /dev/zero): the limit stops the read, naming the record.
    let data = vec![b'x'; 3 << 20];
    let (code, _, err) = run_stdin(&["normalize", "-q", "--max-record-size", "1M"], &data);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("record 0 (line 1)") && err.contains("--max-record-size"),
        "{err}"
    );
    let mut data = b"Name,Phone\nA,+6591234567\nB,".to_vec();
    data.extend(std::iter::repeat_n(b'9', 3 << 20));
    let (code, _, err) = run_stdin(&["normalize", "-q", "--max-record-size", "1M"], &data);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("record 2 (line 3)"), "{err}");
}

/// UTF-8 is checked on the workers and the width on the reader: whichever record fails first
/// in the file stops the run, the records before it are written, and a record that fails both
/// ways is reported for its encoding.
#[test]
fn the_first_bad_record_in_the_file_stops_the_run() {
    let mut rows: Vec<u8> = b"Name,Phone\n".to_vec();
    for i in 0..10_000 {
        rows.extend_from_slice(format!("P{i},+65 9123 {:04}\n", i % 10_000).as_bytes());
    }
    // Record 9001 is not UTF-8; record 9002 has a field too many.
    let mut bad_utf8_first = rows.clone();
    let at = nth_line_start(&bad_utf8_first, 9001);
    bad_utf8_first[at] = 0xE9;
    let at = nth_line_start(&bad_utf8_first, 9002);
    bad_utf8_first.insert(at, b',');
    let (code, out, err) = run_stdin(&["normalize", "-q", "-"], &bad_utf8_first);
    assert_eq!(code, 1, "{err}");
    assert_clean_error(&err, "<stdin>", "record 9001 (line 9002)");
    assert!(err.contains("not valid UTF-8 (byte 0xE9)"), "{err}");
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 1 + 9000);

    // Record 9001 has both faults: its encoding is what is reported.
    let mut both = rows.clone();
    let at = nth_line_start(&both, 9001);
    both[at] = 0xE9;
    both.insert(at + 1, b',');
    let (code, _, err) = run_stdin(&["normalize", "-q", "-"], &both);
    assert_eq!(code, 1, "{err}");
    assert_clean_error(&err, "<stdin>", "record 9001 (line 9002)");
    assert!(err.contains("not valid UTF-8"), "{err}");

    // A ragged record before a non-UTF-8 one: the ragged one is reported.
    let mut ragged_first = rows;
    let at = nth_line_start(&ragged_first, 9002);
    ragged_first[at] = 0xE9;
    let at = nth_line_start(&ragged_first, 5000);
    ragged_first.insert(at, b',');
    let (code, out, err) = run_stdin(&["normalize", "-q", "-"], &ragged_first);
    assert_eq!(code, 1, "{err}");
    assert_clean_error(&err, "<stdin>", "record 5000 (line 5001)");
    assert!(err.contains("3 fields, but the header has 2"), "{err}");
    assert_eq!(String::from_utf8(out).unwrap().lines().count(), 1 + 4999);
}

/// Byte offset where data record `n` (1-based, after the header) starts.
fn nth_line_start(data: &[u8], n: usize) -> usize {
    let mut seen = 0;
    for (i, b) in data.iter().enumerate() {
        if *b == b'\n' {
            seen += 1;
            if seen == n {
                return i + 1;
            }
        }
    }
    panic!("no record {n}");
}
