//! "Lose nothing", end to end: the real binary refuses output plans that would destroy data,
//! writes files only complete, cleans up after signals, notices closed or full outputs, and
//! says so with the right exit code. docs/reliability.md lists the guarantees and names the
//! test for each.
//!
//! Section numbers follow the items of the issue "Lose nothing: outputs, exit codes, limits".
//!
//! `CONTACTCLEAN_BIN=/path/to/contactclean cargo test --test reliability` runs the same tests
//! against another build (how each one was checked to fail on the binary before the fixes).

mod common;

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::fs::symlink;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::time::{Duration, Instant};

use common::{big_input, rows};

// ---- Helpers ------------------------------------------------------------------------------

/// The binary under test: this build's, or `$CONTACTCLEAN_BIN`.
fn exe() -> PathBuf {
    std::env::var_os("CONTACTCLEAN_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_BIN_EXE_contactclean")))
}

fn bin() -> assert_cmd::Command {
    assert_cmd::Command::new(exe())
}

/// Runs the binary; returns (exit code, stdout, stderr). A death by signal is a failure.
fn run(args: &[&str]) -> (i32, Vec<u8>, String) {
    let out = bin().args(args).output().expect("runs");
    split(out)
}

fn split(out: Output) -> (i32, Vec<u8>, String) {
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let code = out
        .status
        .code()
        .unwrap_or_else(|| panic!("killed by a signal ({:?}); stderr: {err}", out.status));
    (code, out.stdout, err)
}

fn s(p: &Path) -> &str {
    p.to_str().expect("UTF-8 temp path")
}

/// File names in `dir`, sorted (dot files included: a left-over temp file shows).
fn entries(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Every file in `dir` with its bytes (symlinks as their target text), to prove a refused run
/// created, removed and modified nothing.
fn snapshot(dir: &Path) -> Vec<(String, Vec<u8>)> {
    entries(dir)
        .into_iter()
        .map(|name| {
            let p = dir.join(&name);
            let m = fs::symlink_metadata(&p).unwrap();
            let bytes = if m.file_type().is_symlink() {
                fs::read_link(&p)
                    .unwrap()
                    .into_os_string()
                    .into_encoded_bytes()
            } else {
                fs::read(&p).unwrap()
            };
            (name, bytes)
        })
        .collect()
}

/// Compares two snapshots, naming the files that differ (not dumping their bytes).
fn assert_same(before: &[(String, Vec<u8>)], after: &[(String, Vec<u8>)], what: &str) {
    let names = |v: &[(String, Vec<u8>)]| v.iter().map(|(n, _)| n.clone()).collect::<Vec<_>>();
    assert_eq!(
        names(after),
        names(before),
        "{what}: files created or removed"
    );
    for ((name, a), (_, b)) in before.iter().zip(after) {
        assert!(a == b, "{what}: {name} was modified");
    }
}

fn temp_files(dir: &Path) -> Vec<String> {
    entries(dir)
        .into_iter()
        .filter(|n| n.contains(".contactclean-") && n.ends_with(".tmp"))
        .collect()
}

/// A small contact file with flagged rows and duplicates.
fn small_input() -> Vec<u8> {
    big_input(40)
}

fn no_panic_text(err: &str) {
    assert!(
        !err.contains("panicked") && !err.contains("RUST_BACKTRACE"),
        "panic text on stderr: {err}"
    );
}

fn wait_timeout(c: &mut Child, limit: Duration) -> ExitStatus {
    let start = Instant::now();
    loop {
        if let Some(st) = c.try_wait().unwrap() {
            return st;
        }
        if start.elapsed() > limit {
            let _ = c.kill();
            let _ = c.wait();
            panic!("the binary did not exit within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn read_all(r: Option<impl Read>) -> String {
    let mut s = String::new();
    if let Some(mut r) = r {
        let _ = r.read_to_string(&mut s);
    }
    s
}

/// A pipe whose read end is already closed: every write to it fails with EPIPE.
fn closed_pipe() -> std::io::PipeWriter {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    writer
}

fn mkfifo(p: &Path) {
    let st = Command::new("mkfifo").arg(p).status().unwrap();
    assert!(st.success(), "mkfifo failed");
}

/// The JSON report without its timing fields, which differ from run to run.
fn report_without_timing(bytes: &[u8]) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_slice(bytes).unwrap_or_else(|e| {
        panic!(
            "report is not JSON ({e}): {}",
            String::from_utf8_lossy(bytes)
        )
    });
    let obj = v.as_object_mut().expect("report is an object");
    obj.retain(|k, _| !(k.contains("elapsed") || k.contains("per_second") || k.contains("time")));
    // The input's name differs between the run and its reference (another temp dir).
    obj.remove("input");
    v
}

// ---- 1. An output onto the input -----------------------------------------------------------

#[test]
fn output_onto_the_input_is_refused_and_the_input_kept() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("same.csv");
    let data = small_input();
    fs::write(&input, &data).unwrap();
    let link = d.path().join("link.csv");
    symlink("same.csv", &link).unwrap();
    let before = snapshot(d.path());
    let cases: [Vec<&str>; 5] = [
        vec!["normalize", "-q", s(&input), "-o", s(&input)],
        vec!["normalize", "-q", s(&input), "-o", s(&link)],
        vec!["normalize", "-q", s(&link), "-o", s(&input)],
        vec![
            "normalize",
            "-q",
            s(&input),
            "-o",
            "/dev/null",
            "--rejects",
            s(&input),
        ],
        vec!["dedupe", "-q", s(&input), "-o", s(&input)],
    ];
    for args in cases {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("is the input file"), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
        assert_same(&before, &snapshot(d.path()), &format!("{args:?}"));
    }
    assert!(fs::read(&input).unwrap() == data, "the input changed");
}

// ---- 3. A closed FIFO reader, a closed stdout reader -----------------------------------------

#[test]
fn rejects_fifo_closed_early_fails_and_creates_no_output() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("big.csv");
    fs::write(&input, big_input(25_000)).unwrap();
    let fifo = d.path().join("rejects.fifo");
    mkfifo(&fifo);
    let clean = d.path().join("clean.csv");
    // The reader takes two lines and goes away; detached, so a run that never opens the FIFO
    // cannot hang the test (the thread ends with the test process).
    let reader_fifo = fifo.clone();
    let _reader = std::thread::spawn(move || {
        let f = fs::File::open(reader_fifo).unwrap();
        let mut lines = BufReader::new(f).lines();
        lines.next();
        lines.next();
    });
    let mut child = Command::new(exe())
        .args(["normalize", "-q", s(&input), "--rejects", s(&fifo)])
        .args(["-o", s(&clean)])
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status = wait_timeout(&mut child, Duration::from_secs(60));
    let err = read_all(child.stderr.take());
    assert_ne!(status.code(), Some(0), "the rejects were cut short: {err}");
    assert!(status.code().is_some(), "killed: {status:?}");
    assert!(
        err.contains("rejects.fifo"),
        "the message names the output: {err}"
    );
    assert!(!clean.exists(), "-o appears only after a complete run");
    assert!(temp_files(d.path()).is_empty(), "{:?}", entries(d.path()));
}

#[test]
fn a_stdout_reader_stopping_early_does_not_cut_other_outputs() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("big.csv");
    fs::write(&input, big_input(25_000)).unwrap();
    let want_rejects = d.path().join("want-r.csv");
    let (code, _, err) = run(&[
        "normalize",
        "-q",
        s(&input),
        "-o",
        "/dev/null",
        "--rejects",
        s(&want_rejects),
    ]);
    assert_eq!(code, 0, "{err}");
    let (r, rep) = (d.path().join("r.csv"), d.path().join("rep.json"));
    // `… | head -1`: one line read, then the pipe closed.
    let mut child = Command::new(exe())
        .args(["normalize", "-q", s(&input)])
        .args(["--rejects", s(&r), "--report", s(&rep)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut first)
        .unwrap();
    assert!(first.starts_with("id,Phone,Mobile,Email,flags"), "{first}");
    let status = wait_timeout(&mut child, Duration::from_secs(60));
    let err = read_all(child.stderr.take());
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(
        fs::read(&r).ok() == Some(fs::read(&want_rejects).unwrap()),
        "--rejects incomplete or missing after stdout closed (files: {:?})",
        entries(d.path())
    );
    let report = fs::read(&rep).expect("--report written although stdout closed");
    let v: serde_json::Value = serde_json::from_slice(&report).expect("valid JSON");
    assert_eq!(v["rows"], 25_000);
    assert!(temp_files(d.path()).is_empty());
}

/// Whichever output is on stdout, a reader that goes away stops only that output: the files
/// are completed (`normalize … -o c.csv --report - | true`).
#[test]
fn any_output_on_a_closed_stdout_leaves_the_files_complete() {
    type Case<'a> = (Vec<&'a str>, Vec<(&'a Path, &'a Path)>);
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.csv");
    fs::write(&input, small_input()).unwrap();
    let i = s(&input);
    let (refc, refr, refrep) = (
        d.path().join("ref-c.csv"),
        d.path().join("ref-r.csv"),
        d.path().join("ref-rep.json"),
    );
    let (code, _, err) = run(&["normalize", "-q", i, "-o", s(&refc), "--rejects", s(&refr)]);
    assert_eq!(code, 0, "{err}");
    let (code, _, err) = run(&["dedupe", "-q", i, "-o", "/dev/null", "--report", s(&refrep)]);
    assert_eq!(code, 0, "{err}");
    let (c, r, rep) = (
        d.path().join("c.csv"),
        d.path().join("r.csv"),
        d.path().join("rep.json"),
    );
    // (arguments, [(file written, what it must equal)])
    let cases: [Case; 4] = [
        (
            vec![
                "normalize",
                "-q",
                i,
                "-o",
                s(&c),
                "--rejects",
                s(&r),
                "--report",
                "-",
            ],
            vec![(&c, &refc), (&r, &refr)],
        ),
        (
            vec!["normalize", "-q", i, "-o", s(&c), "--rejects", "-"],
            vec![(&c, &refc)],
        ),
        (
            vec!["normalize", "-q", i, "-o", s(&c), "--suggestions", "-"],
            vec![(&c, &refc)],
        ),
        (
            vec!["dedupe", "-q", i, "--report", s(&rep)],
            vec![(&rep, &refrep)],
        ),
    ];
    let mut failed = Vec::new();
    for (args, files) in cases {
        for (f, _) in &files {
            let _ = fs::remove_file(f);
        }
        let out = Command::new(exe())
            .args(&args)
            .stdout(closed_pipe())
            .output()
            .unwrap();
        let (code, _, err) = split(out);
        if code != 0 {
            failed.push(format!("{args:?}: exit {code}: {err}"));
        }
        for (f, want) in files {
            let ok = match fs::read(f) {
                Err(_) => false,
                Ok(got) if f == rep.as_path() => {
                    report_without_timing(&got) == report_without_timing(&fs::read(want).unwrap())
                }
                Ok(got) => got == fs::read(want).unwrap(),
            };
            if !ok {
                failed.push(format!("{args:?}: {} missing or incomplete", f.display()));
            }
        }
        assert!(temp_files(d.path()).is_empty());
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

// ---- 4. Outputs colliding with each other ----------------------------------------------------

#[test]
fn colliding_outputs_are_refused_before_anything_is_written() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.csv");
    fs::write(&input, small_input()).unwrap();
    let x = d.path().join("x.csv");
    let dangling = d.path().join("to-x.csv");
    symlink("x.csv", &dangling).unwrap();
    let i = s(&input);
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["-o", s(&x), "--rejects", s(&x)], "-o and --rejects"),
        (vec!["-o", s(&x), "--report", s(&x)], "-o and --report"),
        (
            vec!["-o", s(&x), "--suggestions", s(&x)],
            "-o and --suggestions",
        ),
        (vec!["--rejects", "-"], "-o and --rejects"),
        (vec!["--suggestions", "-"], "-o and --suggestions"),
        (vec!["--report", "-"], "-o and --report"),
        (
            vec!["-o", s(&x), "--rejects", s(&dangling)],
            "-o and --rejects",
        ),
        (
            vec!["-o", s(&dangling), "--report", s(&x)],
            "-o and --report",
        ),
    ];
    let before = snapshot(d.path());
    for (extra, says) in &cases {
        let mut args = vec!["normalize", "-q", i];
        args.extend(extra);
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(
            err.contains(says) && err.contains("both write to"),
            "{args:?}: {err}"
        );
        assert!(out.is_empty(), "{args:?}: wrote to stdout");
        assert_same(&before, &snapshot(d.path()), &format!("{args:?}"));
    }
    // The same, with x.csv already there: it must keep its bytes.
    fs::write(&x, "earlier output\n").unwrap();
    let before = snapshot(d.path());
    for (extra, says) in &cases {
        let mut args = vec!["normalize", "-q", i];
        args.extend(extra);
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert_same(&before, &snapshot(d.path()), &format!("{args:?}"));
    }
    // `check` and `dedupe` too.
    for args in [
        vec![
            "check",
            "-q",
            i,
            "--rejects",
            s(&x),
            "--report",
            s(&dangling),
        ],
        vec!["dedupe", "-q", i, "-o", s(&x), "--report", s(&x)],
        vec!["dedupe", "-q", i, "--report", "-"],
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert_same(&before, &snapshot(d.path()), &format!("{args:?}"));
    }
}

// ---- 5. A flags column of the user's own ---------------------------------------------------

#[test]
fn a_users_flags_column_is_refused_not_overwritten() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("crm.csv");
    let data =
        "Name,phone,flags\nA,+65 9123 4567,do-not-call\nB,+65 9123 4568,VIP\nC,+65 9123 4569,\n";
    fs::write(&input, data).unwrap();
    let out = d.path().join("out.csv");
    let (code, stdout, err) = run(&["normalize", "-q", s(&input), "-o", s(&out)]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("\"do-not-call\"") && err.contains("--flags-column"),
        "{err}"
    );
    assert!(err.contains("record 1 (line 2)"), "{err}");
    assert!(stdout.is_empty());
    assert!(!out.exists(), "no output from a refused run");
    assert!(temp_files(d.path()).is_empty());
    let (code, _, err) = run(&["check", "-q", s(&input)]);
    assert_eq!(code, 3, "check could not run: {err}");
    // Naming the phone column as the flags column would wipe the phones: a usage error.
    let (code, stdout, err) = run(&["normalize", "-q", s(&input), "--flags-column", "phone"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("phone column"), "{err}");
    assert!(stdout.is_empty());
    // Another name keeps the user's column as it is.
    let (code, stdout, err) = run(&["normalize", "-q", s(&input), "--flags-column", "cc"]);
    assert_eq!(code, 0, "{err}");
    let r = rows(&stdout);
    assert_eq!(common::column(&r, "flags"), ["do-not-call", "VIP", ""]);
    assert_eq!(fs::read_to_string(&input).unwrap(), data);
}

// ---- 7. Closed stdout ------------------------------------------------------------------------

#[test]
fn closed_stdout_is_an_error_not_silence() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.csv");
    fs::write(&input, small_input()).unwrap();
    for sub in ["normalize", "dedupe"] {
        // `contactclean normalize in.csv >&-`
        let out = Command::new("sh")
            .arg("-c")
            .arg(r#"exec "$0" "$@" >&-"#)
            .arg(exe())
            .args([sub, "-q", s(&input)])
            .output()
            .unwrap();
        let (code, _, err) = split(out);
        assert_ne!(code, 0, "{sub} >&-: {err}");
        assert!(err.contains("standard output is closed"), "{sub}: {err}");
        no_panic_text(&err);
    }
    // `check --report - >&-`: the report cannot be written, so the file could not be checked.
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"exec "$0" "$@" >&-"#)
        .arg(exe())
        .args(["check", "-q", s(&input), "--report", "-"])
        .output()
        .unwrap();
    let (code, _, err) = split(out);
    assert_eq!(code, 3, "check --report - >&-: {err}");
    assert!(err.contains("standard output is closed"), "{err}");
    // With -o, stdout is not needed: the run succeeds.
    let o = d.path().join("o.csv");
    let out = Command::new("sh")
        .arg("-c")
        .arg(r#"exec "$0" "$@" >&-"#)
        .arg(exe())
        .args(["normalize", "-q", s(&input), "-o", s(&o)])
        .output()
        .unwrap();
    let (code, _, err) = split(out);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows(&fs::read(&o).unwrap()).len(), 41);
}

// ---- 8. Atomic outputs -----------------------------------------------------------------------

#[test]
fn a_late_data_error_leaves_the_earlier_output_untouched() {
    let d = tempfile::tempdir().unwrap();
    let mut data = String::from("id,Phone,Email\n");
    for i in 1..6000 {
        if i == 5000 {
            data.push_str("5000,+65 9123 4567,a@example.com,extra\n"); // ragged: 4 fields of 3
        } else {
            data.push_str(&format!(
                "{i},+65 9123 {:04},a{i}@example.com\n",
                i % 10_000
            ));
        }
    }
    let input = d.path().join("late.csv");
    fs::write(&input, data).unwrap();
    let out = d.path().join("out.csv");
    let rej = d.path().join("rejects.csv");
    fs::write(&out, "the earlier output\n").unwrap();
    for sub in ["normalize", "dedupe"] {
        let mut args = vec![sub, "-q", s(&input), "-o", s(&out)];
        if sub == "normalize" {
            args.extend(["--rejects", s(&rej)]);
        }
        let (code, stdout, err) = run(&args);
        assert_eq!(code, 1, "{sub}: {err}");
        assert!(err.contains("record 5000 (line 5001)"), "{sub}: {err}");
        assert!(stdout.is_empty());
        assert_eq!(
            fs::read_to_string(&out).unwrap(),
            "the earlier output\n",
            "{sub}"
        );
        assert_eq!(entries(d.path()), ["late.csv", "out.csv"], "{sub}");
    }
}

/// Starts `normalize - -o out.csv` reading a pipe that stays open, feeds it rows until the
/// temp file holds some of the output, then sends `signal`.
fn interrupt(signal: &str, code: i32) {
    let d = tempfile::tempdir().unwrap();
    let out = d.path().join("out.csv");
    fs::write(&out, "the earlier output\n").unwrap();
    let mut child = Command::new(exe())
        .args(["normalize", "-q", "-", "-o", s(&out), "--rejects"])
        .arg(d.path().join("rejects.csv"))
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(&big_input(8_000)).unwrap();
    stdin.flush().unwrap();
    // Mid-way: the temp file beside out.csv has data, the input is not finished.
    let start = Instant::now();
    let temp = loop {
        let found = temp_files(d.path())
            .into_iter()
            .filter(|n| n.starts_with(".out.csv.contactclean-"))
            .map(|n| d.path().join(n))
            .find(|p| fs::metadata(p).is_ok_and(|m| m.len() > 0));
        if let Some(t) = found {
            break t;
        }
        if start.elapsed() > Duration::from_secs(20) || child.try_wait().unwrap().is_some() {
            let _ = child.kill();
            let _ = child.wait();
            panic!(
                "{signal}: no temp file with data beside out.csv (files: {:?}; out.csv: {:?})",
                entries(d.path()),
                fs::read_to_string(&out)
            );
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let st = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(st.success());
    let status = wait_timeout(&mut child, Duration::from_secs(20));
    drop(stdin);
    let err = read_all(child.stderr.take());
    assert_eq!(status.code(), Some(code), "{signal}: {status:?} {err}");
    assert!(!temp.exists(), "{signal}: temp file left");
    assert_eq!(
        fs::read_to_string(&out).unwrap(),
        "the earlier output\n",
        "{signal}"
    );
    assert_eq!(entries(d.path()), ["out.csv"], "{signal}");
    no_panic_text(&err);
}

#[test]
fn sigterm_mid_run_removes_temp_files_and_exits_143() {
    interrupt("TERM", 143);
}

#[test]
fn sigint_mid_run_removes_temp_files_and_exits_130() {
    interrupt("INT", 130);
}

#[test]
fn sighup_mid_run_removes_temp_files_and_exits_129() {
    interrupt("HUP", 129);
}

#[test]
fn a_full_disk_is_an_error_naming_the_file() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.csv");
    fs::write(&input, small_input()).unwrap();
    for args in [
        vec!["normalize", "-q", s(&input), "-o", "/dev/full"],
        vec![
            "normalize",
            "-q",
            s(&input),
            "-o",
            "/dev/null",
            "--rejects",
            "/dev/full",
        ],
        vec![
            "normalize",
            "-q",
            s(&input),
            "-o",
            "/dev/null",
            "--report",
            "/dev/full",
        ],
        vec!["dedupe", "-q", s(&input), "-o", "/dev/full"],
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(
            err.contains("/dev/full") && err.contains("No space left"),
            "{args:?}: {err}"
        );
        no_panic_text(&err);
    }
    assert_eq!(entries(d.path()), ["in.csv"]);
}

/// A real full filesystem mid-write: a 256 KiB tmpfs in a private mount namespace
/// (`unshare -rm`; skipped where user namespaces are not allowed).
#[test]
fn a_full_filesystem_keeps_the_earlier_output() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.csv");
    fs::write(&input, big_input(20_000)).unwrap();
    let mnt = d.path().join("mnt");
    fs::create_dir(&mnt).unwrap();
    let script = r#"mount -t tmpfs -o size=256k tmpfs "$1" || exit 99
printf 'the earlier output\n' > "$1/out.csv"
"$0" normalize -q "$2" -o "$1/out.csv" --rejects "$1/rejects.csv"
echo "rc=$?"
cat "$1/out.csv"
ls -a "$1""#;
    let out = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .arg(exe())
        .args([&mnt, &input])
        .output();
    let out = match out {
        Ok(o) if o.stdout.starts_with(b"rc=") => o,
        other => {
            eprintln!("skipped: cannot mount a tmpfs in a user namespace here: {other:?}");
            return;
        }
    };
    let stdout = String::from_utf8_lossy(&out.stdout);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        stdout, "rc=1\nthe earlier output\n.\n..\nout.csv\n",
        "stderr: {err}"
    );
    assert!(
        err.contains("out.csv") && err.contains("No space left"),
        "{err}"
    );
    no_panic_text(&err);
}

/// Error lines name the output as the user gave it, once, and not the temp file behind it.
#[test]
fn error_lines_name_the_output_once() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.csv");
    fs::write(&input, small_input()).unwrap();
    let mut failed = Vec::new();
    for (args, path) in [
        (
            vec!["normalize", "-q", s(&input), "-o", "/dev/full"],
            "/dev/full",
        ),
        (
            vec![
                "normalize",
                "-q",
                s(&input),
                "-o",
                "/dev/null",
                "--report",
                "/dev/full",
            ],
            "/dev/full",
        ),
        (
            vec!["dedupe", "-q", s(&input), "-o", "/dev/full"],
            "/dev/full",
        ),
        (
            vec!["dedupe", "-q", s(&input), "-o", "/nonexistent-dir/x.csv"],
            "/nonexistent-dir/x.csv",
        ),
    ] {
        let (code, _, err) = run(&args);
        assert_eq!(code, 1, "{args:?}: {err}");
        if err.matches(path).count() != 1 || err.contains(".contactclean-") {
            failed.push(err);
        }
    }
    assert!(failed.is_empty(), "{failed:#?}");
}

// ---- 9, 10. check's exit codes; full and closed standard streams ----------------------------

#[test]
fn check_exit_codes_pass_fail_could_not_run() {
    let d = tempfile::tempdir().unwrap();
    let passing = d.path().join("pass.csv");
    fs::write(&passing, "id,Phone,Email\n1,+65 9123 4567,a@example.com\n").unwrap();
    let failing = d.path().join("fail.csv");
    fs::write(&failing, small_input()).unwrap();
    let ragged = d.path().join("ragged.csv");
    fs::write(
        &ragged,
        "id,Phone,Email\n1,+65 9123 4567,a@example.com\n2,+65 9123 4568,b@example.com,x\n",
    )
    .unwrap();
    assert_eq!(run(&["check", "-q", s(&passing)]).0, 0);
    assert_eq!(run(&["check", "-q", s(&failing)]).0, 1);
    let (code, _, err) = run(&["check", "-q", s(&ragged)]);
    assert_eq!(code, 3, "a malformed file could not be checked: {err}");
    assert!(err.contains("record 2 (line 3)"), "{err}");
    // `check … --report - | true`: the reader is gone, the verdict still decides.
    for (file, want) in [(&failing, 1), (&passing, 0)] {
        let out = Command::new(exe())
            .args(["check", "-q", s(file), "--report", "-"])
            .stdout(closed_pipe())
            .output()
            .unwrap();
        let (code, _, err) = split(out);
        assert_eq!(code, want, "{}: {err}", file.display());
    }
    // And with the summary on stdout (no --report).
    let out = Command::new(exe())
        .args(["check", s(&failing)])
        .stdout(closed_pipe())
        .output()
        .unwrap();
    assert_eq!(split(out).0, 1);
}

#[test]
fn check_into_a_full_stdout_fails_without_a_panic() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.csv");
    fs::write(&input, small_input()).unwrap();
    for extra in [&[][..], &["--report", "-"][..]] {
        let out = Command::new(exe())
            .args(["check", s(&input)])
            .args(extra)
            .stdout(
                fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .unwrap(),
            )
            .output()
            .unwrap();
        let (code, _, err) = split(out);
        assert_ne!(code, 0, "{extra:?}: {err}");
        assert_ne!(code, 101, "{extra:?}: a panic: {err}");
        assert_eq!(code, 3, "{extra:?}: could not run: {err}");
        assert!(err.contains("No space left"), "{extra:?}: {err}");
        no_panic_text(&err);
    }
}

#[test]
fn a_closed_stderr_neither_aborts_nor_changes_the_output() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.csv");
    fs::write(&input, small_input()).unwrap();
    let want = run(&["normalize", "-q", s(&input)]).1;
    let o = d.path().join("o.csv");
    // Not quiet: the column notes and the summary go to the dead stderr.
    let st = Command::new(exe())
        .args(["normalize", s(&input), "-o", s(&o)])
        .stderr(closed_pipe())
        .status()
        .unwrap();
    assert_eq!(st.code(), Some(0), "{st:?}");
    assert!(fs::read(&o).unwrap() == want, "o.csv differs");
    // Failures too keep their exit code when their one line cannot be shown.
    let ragged = d.path().join("ragged.csv");
    fs::write(&ragged, "id,Phone\n1,+65 9123 4567,extra\n").unwrap();
    for (args, code) in [
        (vec!["check", s(&ragged)], 3),
        (vec!["normalize", s(&ragged), "-o", s(&o)], 1),
        (vec!["normalize", s(&input), "-o", s(&input)], 2),
    ] {
        let st = Command::new(exe())
            .args(&args)
            .stdout(Stdio::null())
            .stderr(closed_pipe())
            .status()
            .unwrap();
        assert_eq!(st.code(), Some(code), "{args:?}: {st:?}");
    }
    assert!(
        fs::read(&o).unwrap() == want,
        "the failed run changed o.csv"
    );
}

#[test]
fn too_many_threads_is_a_usage_error() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.csv");
    fs::write(&input, small_input()).unwrap();
    for sub in ["normalize", "dedupe", "check"] {
        let (code, out, err) = run(&[sub, "-q", s(&input), "-j", "3000"]);
        assert_eq!(code, 2, "{sub}: {err}");
        assert!(
            err.contains("3000") && err.contains("cores"),
            "{sub}: {err}"
        );
        assert!(out.is_empty());
    }
    // At the bound it runs.
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let j = (4 * cores).to_string();
    let (code, _, err) = run(&["normalize", "-q", s(&input), "-j", &j]);
    assert_eq!(code, 0, "-j {j}: {err}");
}

// ---- 11/12. Record size limit -----------------------------------------------------------------

#[test]
fn a_record_over_max_record_size_is_a_data_error() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("wide.csv");
    let wide = "x".repeat(2048);
    fs::write(
        &input,
        format!(
            "id,Phone,Notes\n1,+65 9123 4567,short\n2,+65 9123 4568,{wide}\n3,+65 9123 4569,y\n"
        ),
    )
    .unwrap();
    let o = d.path().join("o.csv");
    let (code, _, err) = run(&[
        "normalize",
        "-q",
        s(&input),
        "--max-record-size",
        "1K",
        "-o",
        s(&o),
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("record 2 (line 3)"), "{err}");
    assert!(err.contains("--max-record-size"), "{err}");
    assert!(!o.exists());
    // Raised (or the default 64M), the same file is fine.
    let (code, out, err) = run(&["normalize", "-q", s(&input), "--max-record-size", "4K"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rows(&out)[2][2], wide);
    assert_eq!(run(&["normalize", "-q", s(&input)]).0, 0);
}

// ---- 14. check with nothing to check ----------------------------------------------------------

#[test]
fn check_without_contact_columns_cannot_pass() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("names.csv");
    fs::write(&input, "id,name\n1,Ann\n2,Bob\n").unwrap();
    // 3: the gate could not check anything (not 1: no threshold was evaluated).
    let (code, out, err) = run(&["check", "-q", s(&input)]);
    assert_eq!(code, 3, "{err}");
    assert!(
        err.contains("no phone or email column") && err.contains("--allow-no-columns"),
        "{err}"
    );
    assert!(!String::from_utf8_lossy(&out).contains("PASS"));
    let (code, _, err) = run(&["check", "-q", s(&input), "--allow-no-columns"]);
    assert_eq!(code, 0, "{err}");
}

// ---- 16. Delimiters that are CSV syntax --------------------------------------------------------

#[test]
fn quote_and_line_break_delimiters_are_refused() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.csv");
    fs::write(&input, small_input()).unwrap();
    for args in [
        vec!["normalize", s(&input), "-d", "\""],
        vec!["normalize", s(&input), "-d", "\n"],
        vec!["normalize", s(&input), "-d", "\r"],
        vec!["normalize", s(&input), "--output-delimiter", "\""],
        vec!["normalize", s(&input), "--output-delimiter", "\n"],
        vec!["dedupe", s(&input), "--output-delimiter", "\""],
        vec!["check", s(&input), "-d", "\""],
    ] {
        let (code, out, err) = run(&args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains("cannot be a delimiter"), "{args:?}: {err}");
        assert!(out.is_empty(), "{args:?}");
    }
}

// ---- 17. Fail fast -----------------------------------------------------------------------------

#[test]
fn a_threshold_on_an_unknown_column_fails_before_the_pass() {
    let d = tempfile::tempdir().unwrap();
    // A ragged record late in the file: a run that read it would end with that error (1 or 3)
    // instead, and a --rejects file would be half written.
    let mut data = String::from("id,Phone,Email\n");
    for i in 0..20_000 {
        data.push_str(&format!("{i},+65 9123 {:04},bad@\n", i % 10_000));
    }
    data.push_str("x,+65 9123 4567\n");
    let input = d.path().join("big.csv");
    fs::write(&input, data).unwrap();
    let r = d.path().join("r.csv");
    let (code, out, err) = run(&[
        "check",
        s(&input),
        "--max-invalid",
        "Nope=0",
        "--rejects",
        s(&r),
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("\"Nope\" is not a phone or email column (those are: Phone, Email)"),
        "{err}"
    );
    assert!(!err.contains("record 20001"), "the pass ran: {err}");
    assert!(out.is_empty());
    assert_eq!(entries(d.path()), ["big.csv"]);
    // A bad threshold is refused before the input is even opened.
    let (code, _, err) = run(&["check", "no-such-file.csv", "--max-invalid", "lots"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--max-invalid \"lots\""), "{err}");
}

#[test]
fn an_unwritable_output_fails_naming_the_path() {
    let d = tempfile::tempdir().unwrap();
    let input = d.path().join("in.csv");
    fs::write(&input, small_input()).unwrap();
    for args in [
        vec!["dedupe", "-q", s(&input), "-o", "/nonexistent-dir/x.csv"],
        vec![
            "normalize",
            "-q",
            s(&input),
            "--rejects",
            "/nonexistent-dir/x.csv",
        ],
        vec![
            "check",
            "-q",
            s(&input),
            "--report",
            "/nonexistent-dir/x.csv",
        ],
    ] {
        let (code, out, err) = run(&args);
        assert_ne!(code, 0, "{args:?}: {err}");
        assert!(err.contains("/nonexistent-dir/x.csv"), "{args:?}: {err}");
        assert!(
            out.is_empty(),
            "{args:?}: nothing written before the output failed"
        );
        no_panic_text(&err);
    }
}

// ---- Property: any combination of outputs is refused whole or written whole -----------------

mod plans {
    use super::*;
    use proptest::prelude::*;
    use std::sync::OnceLock;

    /// Where one output goes.
    #[derive(Clone, Copy, Debug)]
    pub enum Dest {
        Absent,
        /// Its own file, `out<i>`.
        Own,
        /// The file `out<k>` (another output's own file when that one is `Own`).
        Shared(usize),
        Input,
        Dash,
    }

    pub const OPTIONS: [&str; 4] = ["-o", "--rejects", "--suggestions", "--report"];

    fn dest() -> impl Strategy<Value = Dest> {
        prop_oneof![
            2 => Just(Dest::Absent),
            3 => Just(Dest::Own),
            2 => (0..4usize).prop_map(Dest::Shared),
            1 => Just(Dest::Input),
            1 => Just(Dest::Dash),
        ]
    }

    /// What a clean run writes for each output (indexed as OPTIONS), with and without
    /// --suggestions (the report's `duplicates` depends on it).
    fn reference(input: &Path, suggestions: bool) -> Vec<Vec<u8>> {
        static REFS: OnceLock<[Vec<Vec<u8>>; 2]> = OnceLock::new();
        let refs = REFS.get_or_init(|| {
            [false, true].map(|sug| {
                let d = tempfile::tempdir().unwrap();
                let i = d.path().join("in.csv");
                fs::copy(input, &i).unwrap();
                let paths: Vec<PathBuf> =
                    (0..4).map(|k| d.path().join(format!("ref{k}"))).collect();
                let mut args = vec!["normalize".to_string(), "-q".into(), s(&i).into()];
                for (k, opt) in OPTIONS.iter().enumerate() {
                    if k != 2 || sug {
                        args.extend([opt.to_string(), s(&paths[k]).to_string()]);
                    }
                }
                let out = bin().args(&args).output().unwrap();
                assert!(out.status.success(), "{out:?}");
                paths
                    .iter()
                    .map(|p| fs::read(p).unwrap_or_default())
                    .collect()
            })
        });
        refs[suggestions as usize].clone()
    }

    fn same(k: usize, got: &[u8], want: &[u8]) -> bool {
        if OPTIONS[k] == "--report" {
            report_without_timing(got) == report_without_timing(want)
        } else {
            got == want
        }
    }

    /// The path or `-` an output resolves to (None: not given).
    fn arg(dir: &Path, input: &Path, k: usize, d: Dest) -> Option<String> {
        match d {
            Dest::Absent => None,
            Dest::Own => Some(s(&dir.join(format!("out{k}"))).to_string()),
            Dest::Shared(j) => Some(s(&dir.join(format!("out{j}"))).to_string()),
            Dest::Input => Some(s(input).to_string()),
            Dest::Dash => Some("-".to_string()),
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

        #[test]
        fn refused_whole_or_written_whole(
            dests in proptest::array::uniform4(dest()),
            preexisting in any::<bool>(),
        ) {
            let d = tempfile::tempdir().unwrap();
            let input = d.path().join("in.csv");
            let data = small_input();
            fs::write(&input, &data).unwrap();
            if preexisting {
                for k in 0..4 {
                    fs::write(d.path().join(format!("out{k}")), format!("old {k}\n")).unwrap();
                }
            }
            let targets: Vec<Option<String>> =
                (0..4).map(|k| arg(d.path(), &input, k, dests[k])).collect();
            let mut args = vec!["normalize".to_string(), "-q".into(), s(&input).into()];
            for (k, t) in targets.iter().enumerate() {
                if let Some(t) = t {
                    args.extend([OPTIONS[k].to_string(), t.clone()]);
                }
            }
            // -o left out is standard output.
            let effective: Vec<Option<String>> = targets
                .iter()
                .enumerate()
                .map(|(k, t)| if k == 0 { Some(t.clone().unwrap_or("-".into())) } else { t.clone() })
                .collect();
            let input_s = s(&input).to_string();
            let mut collide = false;
            for a in 0..4 {
                let Some(ta) = &effective[a] else { continue };
                collide |= *ta == input_s;
                for tb in effective[a + 1..].iter().flatten() {
                    collide |= ta == tb;
                }
            }
            let before = snapshot(d.path());
            let out = bin().args(&args).output().unwrap();
            let (code, stdout, err) = split(out);
            if collide {
                prop_assert_eq!(code, 2, "{:?} should be refused: {}", args, err);
                prop_assert!(stdout.is_empty(), "{:?}: wrote to stdout", args);
                let after = snapshot(d.path());
                prop_assert!(after == before, "{:?}: the directory changed: {:?}", args, entries(d.path()));
            } else {
                prop_assert_eq!(code, 0, "{:?}: {}", args, err);
                let want = reference(&input, targets[2].is_some());
                let mut stdout_used = false;
                for k in 0..4 {
                    match &effective[k] {
                        None => {}
                        Some(t) if t == "-" => {
                            stdout_used = true;
                            prop_assert!(same(k, &stdout, &want[k]), "{:?}: {} on stdout differs", args, OPTIONS[k]);
                        }
                        Some(t) => {
                            let got = fs::read(t).unwrap();
                            prop_assert!(same(k, &got, &want[k]), "{:?}: {} differs", args, OPTIONS[k]);
                        }
                    }
                }
                if !stdout_used {
                    prop_assert!(stdout.is_empty());
                }
                prop_assert!(fs::read(&input).unwrap() == data, "the input changed");
                prop_assert!(temp_files(d.path()).is_empty());
            }
        }
    }
}
