//! `contactclean normalize` end to end: the real binary on files under fixtures/.

mod common;

use std::io::{Read, Write};
use std::process::{Command as StdCommand, Stdio};

use common::*;

/// Each fixture row says what its contact cell and its flags must come out as.
fn assert_expectations(fixture_name: &str, col: &str) {
    let path = fixture(fixture_name);
    let out = ok(&["normalize", "-q", path.to_str().unwrap()]);
    let r = rows(&out);
    let input = rows(&std::fs::read(&path).unwrap());
    assert_eq!(r.len(), input.len(), "one output record per input record");
    let (cases, got, want) = (
        column(&r, "case"),
        column(&r, col),
        column(&r, "expect_value"),
    );
    let (flags, want_flags) = (column(&r, "flags"), column(&r, "expect_flags"));
    for i in 0..cases.len() {
        assert_eq!(got[i], want[i], "{}: value", cases[i]);
        assert_eq!(flags[i], want_flags[i], "{}: flags", cases[i]);
    }
}

#[test]
fn every_phone_form_and_reason() {
    assert_expectations("phones.csv", "Phone");
}

#[test]
fn emails_are_trimmed_lowered_or_flagged() {
    assert_expectations("emails.csv", "Email");
}

#[test]
fn same_columns_plus_flags_and_other_columns_untouched() {
    let path = fixture("sample.csv");
    let input = rows(&std::fs::read(&path).unwrap());
    let out = rows(&ok(&["normalize", "-q", path.to_str().unwrap()]));
    let mut header = input[0].clone();
    header.push("flags".into());
    assert_eq!(out[0], header);
    assert_eq!(out.len(), input.len());
    for name in ["id", "First Name", "Last Name", "Company", "Notes"] {
        assert_eq!(column(&out, name), column(&input, name), "{name}");
    }
}

#[test]
fn stdin_dash_path_and_dash_o_give_the_same_bytes() {
    let path = fixture("sample.csv");
    let p = path.to_str().unwrap();
    let from_path = ok(&["normalize", "-q", p]);
    let data = std::fs::read(&path).unwrap();
    let (c1, no_arg, _) = run_stdin(&["normalize", "-q"], &data);
    let (c2, dash, _) = run_stdin(&["normalize", "-q", "-"], &data);
    assert_eq!((c1, c2), (0, 0));
    assert_eq!(no_arg, from_path);
    assert_eq!(dash, from_path);
    let dir = tempfile::tempdir().unwrap();
    let o = dir.path().join("out.csv");
    let printed = ok(&["normalize", "-q", p, "-o", o.to_str().unwrap()]);
    assert!(printed.is_empty(), "-o writes nothing to stdout");
    assert_eq!(std::fs::read(&o).unwrap(), from_path);
}

#[test]
fn idempotent_on_its_own_output() {
    for name in ["sample.csv", "phones.csv", "emails.csv", "dedupe.csv"] {
        let once = ok(&["normalize", "-q", fixture(name).to_str().unwrap()]);
        let (_d, p) = temp_file("once.csv", &once);
        let twice = ok(&["normalize", "-q", p.to_str().unwrap()]);
        assert_eq!(
            String::from_utf8_lossy(&twice),
            String::from_utf8_lossy(&once),
            "{name}"
        );
    }
}

#[test]
fn byte_identical_at_one_and_two_threads() {
    let (_d, p) = temp_file("big.csv", &big_input(30_000));
    let p = p.to_str().unwrap();
    let one = ok(&["normalize", "-q", "-j", "1", p]);
    let two = ok(&["normalize", "-q", "-j", "2", p]);
    assert_eq!(rows(&one).len(), 30_001);
    assert!(one == two, "-j 1 and -j 2 differ");
    let env_one = bin()
        .args(["normalize", "-q", p])
        .env("RAYON_NUM_THREADS", "1")
        .output()
        .unwrap();
    assert!(env_one.stdout == one);
}

#[test]
fn closed_stdout_ends_quietly_with_zero() {
    let (_d, p) = temp_file("big.csv", &big_input(200_000));
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("contactclean"))
        .args(["normalize", "-q", p.to_str().unwrap()])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take()); // like `| head`
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(err.is_empty(), "no message on a closed pipe: {err}");
}

#[test]
fn flags_column_is_renamed_or_recomputed_in_place() {
    let p = fixture("sample.csv");
    let out = rows(&ok(&[
        "normalize",
        "-q",
        p.to_str().unwrap(),
        "--flags-column",
        "issues",
    ]));
    assert_eq!(out[0].last().unwrap(), "issues");
    // An input that already has the column (in the middle) gets it recomputed, not duplicated.
    let input = b"Name,Phone,flags,Email\nA,+65 9123 4567,Phone:too_short,A@B.CO\nB,020 7946 0018,,b@c.co\n";
    let (code, out, _) = run_stdin(&["normalize", "-q"], input);
    assert_eq!(code, 0);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "Name,Phone,flags,Email\nA,+6591234567,,a@b.co\nB,020 7946 0018,Phone:missing_country_code,b@c.co\n"
    );
}

#[test]
fn a_flags_column_of_the_users_own_is_never_overwritten() {
    // "VIP" is the user's data, not a flag this tool wrote: refuse, name the record, suggest
    // another name; with --flags-column the column passes through untouched.
    let input = b"Name,Phone,flags\nA,+65 9123 4567,\nB,+65 9123 4568,VIP\n";
    let (code, out, err) = run_stdin(&["normalize", "-q", "-o", "-"], input);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("record 2 (line 3)"), "{err}");
    assert!(
        err.contains("\"VIP\"") && err.contains("--flags-column"),
        "{err}"
    );
    assert!(!String::from_utf8_lossy(&out).contains("B,+6591234568,\n"));
    let (code, out, _) = run_stdin(&["normalize", "-q", "--flags-column", "cc_flags"], input);
    assert_eq!(code, 0);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "Name,Phone,flags,cc_flags\nA,+6591234567,,\nB,+6591234568,VIP,\n"
    );
    // A cell in this tool's shape is recomputed, even with a reason another version wrote.
    let old = b"Name,Phone,flags\nA,+65 9123 4567,Phone:stale_reason;row:ragged\n";
    let (code, out, err) = run_stdin(&["normalize", "-q"], old);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "Name,Phone,flags\nA,+6591234567,\n"
    );
    // The flags column can never be a contact column.
    let (code, _, err) = run_stdin(&["normalize", "-q", "--flags-column", "Phone"], input);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("phone column"), "{err}");
}

#[test]
fn explicit_columns_and_missing_column_error() {
    let input =
        b"name,Kontakt,Adresse\nA,+44 20 7946 0018,A@Example.COM\nB,0044 20 7946 0019,nope\n";
    let (code, out, _) = run_stdin(
        &[
            "normalize",
            "-q",
            "--phone-column",
            "Kontakt",
            "--email-column",
            "Adresse",
        ],
        input,
    );
    assert_eq!(code, 0);
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "name,Kontakt,Adresse,flags\nA,+442079460018,a@example.com,\nB,+442079460019,nope,Adresse:invalid_email\n"
    );
    let (code, _, err) = run_stdin(&["normalize", "--phone-column", "Telefon"], input);
    assert_eq!(code, 2);
    assert!(
        err.contains("--phone-column \"Telefon\": no such column"),
        "{err}"
    );
}

#[test]
fn columns_picked_are_said_on_stderr_unless_quiet() {
    let p = fixture("sample.csv");
    let (code, _, err) = run(&["normalize", p.to_str().unwrap()]);
    assert_eq!(code, 0);
    assert!(
        err.contains("phone columns: Phone, Mobile, WhatsApp; email columns: Email"),
        "{err}"
    );
    assert!(err.contains("15 rows"), "summary: {err}");
    let (_, _, quiet) = run(&["normalize", "-q", p.to_str().unwrap()]);
    assert!(quiet.is_empty(), "{quiet}");
}

#[test]
fn default_region_reads_national_numbers_and_flags_ambiguous_digits() {
    let input = "name,phone\nA,020 7946 0018\nB,07400 123456\nC,+1 202-555-0123\nD,491711234567\nE,6591234567\n";
    let (code, out, _) = run_stdin(
        &["normalize", "-q", "--default-region", "DE"],
        input.as_bytes(),
    );
    assert_eq!(code, 0);
    let r = rows(&out);
    let phones = column(&r, "phone");
    let flags = column(&r, "flags");
    assert_eq!(phones[2], "+12025550123");
    // 491711234567 is +49 171 1234567 and also valid as a German national number: not guessed.
    assert_eq!(
        (phones[3].as_str(), flags[3].as_str()),
        ("491711234567", "phone:ambiguous")
    );
    let (code, out, _) = run_stdin(
        &["normalize", "-q", "--default-region", "gb"],
        input.as_bytes(),
    );
    assert_eq!(code, 0);
    let phones = column(&rows(&out), "phone");
    assert_eq!(
        &phones[..3],
        ["+442079460018", "+447400123456", "+12025550123"]
    );
    assert_eq!(phones[4], "+6591234567");
}

#[test]
fn require_mobile_flags_fixed_lines_only() {
    let input = "name,phone\nmobile,+65 9123 4567\nfixed,+44 20 7946 0018\nus either,+1 212 555 0187\ntollfree,+44 800 123 4567\n";
    let (code, out, _) = run_stdin(&["normalize", "-q", "--require-mobile"], input.as_bytes());
    assert_eq!(code, 0);
    let flags = column(&rows(&out), "flags");
    assert_eq!(flags, ["", "phone:not_mobile", "", "phone:not_mobile"]);
}

#[test]
fn bad_arguments_are_usage_errors() {
    let p = fixture("sample.csv");
    let p = p.to_str().unwrap();
    for args in [
        vec!["normalize", p, "--no-such-option"],
        vec!["frobnicate"],
        vec!["normalize", p, "--default-region", "XX"],
        vec!["normalize", p, "-j", "two"],
        vec!["normalize", p, "--encoding", "klingon"],
        vec!["normalize", p, "-d", ";;"],
        vec!["normalize", p, "--report", "-"],
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{err}");
    }
}

#[test]
fn missing_input_is_one_clean_line() {
    let (code, out, err) = run(&["normalize", "does-not-exist.csv"]);
    assert_eq!(code, 1);
    assert!(out.is_empty());
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(lines.len(), 1, "{err}");
    assert!(
        lines[0].starts_with("contactclean: does-not-exist.csv: "),
        "{err}"
    );
}

#[test]
fn help_explains_options_with_examples() {
    for sub in ["normalize", "dedupe", "check"] {
        let out = String::from_utf8(ok(&[sub, "--help"])).unwrap();
        assert!(out.contains("Examples:"), "{sub}");
        assert!(out.contains("--default-region"), "{sub}");
    }
    let v = String::from_utf8(ok(&["--version"])).unwrap();
    assert!(
        v.contains(env!("CARGO_PKG_VERSION")) && v.contains("metadata"),
        "{v}"
    );
}

#[test]
fn streams_through_a_pipe_in_order() {
    let data = big_input(50_000);
    let mut child = StdCommand::new(assert_cmd::cargo::cargo_bin("contactclean"))
        .args(["normalize", "-q"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || stdin.write_all(&data));
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap().unwrap();
    let ids = column(&rows(&out.stdout), "id");
    assert_eq!(ids.len(), 50_000);
    assert!(ids.iter().enumerate().all(|(i, id)| *id == i.to_string()));
}

#[test]
fn a_bug_outside_the_phone_library_is_one_line_and_a_failure() {
    // CONTACTCLEAN_FAULT makes a worker panic outside the phone library's guard.
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("clean.csv");
    let res = bin()
        .env("CONTACTCLEAN_FAULT", "panic-at-record:3")
        .args(["normalize", "-q", "-o"])
        .arg(&out)
        .arg(fixture("sample.csv"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&res.stderr);
    assert_eq!(res.status.code(), Some(1), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("contactclean: internal error: injected fault at record 3 (at src/"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "{err}"
    );
    assert!(!out.exists(), "a failed run leaves no output file");
    // `check` says it could not run (3), not that the gate failed (1).
    let res = bin()
        .env("CONTACTCLEAN_FAULT", "panic-at-record:1")
        .args(["check", "-q"])
        .arg(fixture("sample.csv"))
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(3));
}

#[test]
fn a_named_column_the_header_repeats_is_cleaned_everywhere() {
    let input = b"name,phone,phone\nA,+65 9123 4567,+44 20 7946 0018\n";
    let (code, out, err) = run_stdin(&["normalize", "-q", "--phone-column", "phone"], input);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        String::from_utf8(out).unwrap(),
        "name,phone,phone,flags\nA,+6591234567,+442079460018,\n"
    );
}
