//! The oracles the fuzz targets check, shared with `tests/fuzz_regressions.rs` (which includes
//! this file with `#[path]`), so the fuzzer and `cargo test` assert exactly the same things.
//!
//! Only `contactclean` and crates it depends on (`csv`, `serde_json`, and `rlibphonenumber` as
//! the reference for the phone fast path) are used, so the main crate's tests can include it.

use std::io;

use contactclean::columns::{Layout, Selection};
use contactclean::dedupe::{Linker, DEFAULT_MAX_GROUP};
use contactclean::email::{normalize_email, EmailCell};
use contactclean::phone::{e164_key, normalize_phone, trim, PhoneCell, PhoneOptions, Region};
use contactclean::pipeline::{self, output_record};
use contactclean::report::{Report, Stats};
use contactclean::row::Cleaner;
use rlibphonenumber::{PhoneNumberFormat, PHONE_NUMBER_UTIL};

/// Regions a selector byte can pick: the busiest numbering plans plus a few odd ones
/// (shared country codes, 00 vs 011 international prefixes, leading-zero national numbers).
pub const REGIONS: [&str; 32] = [
    "GB", "US", "DE", "FR", "IN", "SG", "BR", "CN", "JP", "AU", "IT", "ES", "NL", "MX", "RU", "ZA",
    "NG", "AR", "IR", "KR", "SE", "CH", "BE", "IE", "NZ", "AE", "SA", "ID", "PH", "KZ", "CA", "VA",
];

fn region(code: &str) -> Region {
    Region::from_code(code).expect("a region the metadata knows")
}

/// The phone options a selector byte picks: a region from `REGIONS`, and `--require-mobile`.
pub fn phone_options(selector: u8) -> PhoneOptions {
    PhoneOptions {
        default_region: Some(region(REGIONS[(selector >> 1) as usize % REGIONS.len()])),
        require_mobile: selector & 1 == 1,
    }
}

fn is_invalid(c: &PhoneCell) -> bool {
    c.flags.iter().any(|f| f.reason.is_invalid())
}

/// One phone cell under one set of options: what the product promises about a cell.
///
/// * a cell with an invalid flag is kept verbatim (`value: None`), and a rewritten one has none;
/// * a rewritten cell is its numbers' E.164 forms joined by `;`, and `numbers` are their keys;
/// * idempotence: normalising the written cell again changes nothing, raises no invalid flag
///   and yields the same linking keys.
pub fn check_phone(raw: &str, opts: &PhoneOptions) {
    let first = normalize_phone(raw, opts);
    let invalid = is_invalid(&first);
    if invalid {
        assert_eq!(
            first.value, None,
            "{raw:?} ({opts:?}): an invalid cell must be kept verbatim: {first:?}"
        );
        assert!(first.numbers.is_empty(), "{raw:?} ({opts:?}): {first:?}");
    }
    if let Some(v) = first.value.as_deref().filter(|v| !v.is_empty()) {
        let keys: Vec<Option<u64>> = v.split(';').map(e164_key).collect();
        let want: Vec<Option<u64>> = first.numbers.iter().copied().map(Some).collect();
        assert_eq!(
            keys, want,
            "{raw:?} ({opts:?}): written value {v:?} disagrees with its numbers"
        );
    }
    check_against_library(raw, opts, &first);
    let written = first.value.as_deref().unwrap_or(raw);
    let second = normalize_phone(written, opts);
    let rewritten = second.value.as_deref().unwrap_or(written);
    assert_eq!(
        rewritten, written,
        "{raw:?} ({opts:?}): not idempotent: {raw:?} -> {written:?} -> {rewritten:?} \
         (first {first:?}, second {second:?})"
    );
    assert!(
        invalid || !is_invalid(&second),
        "{raw:?} ({opts:?}): {written:?} gained an invalid flag on the second pass: \
         first {first:?}, second {second:?}"
    );
    assert_eq!(
        second.numbers, first.numbers,
        "{raw:?} ({opts:?}): {written:?} links by other numbers on the second pass"
    );
}

/// For the cells `phone.rs` validates on its own fast path (`+` then digits and ` -.()`, or
/// bare digits read as a `wa_id`), the verdict must be the library's: valid exactly when
/// `rlibphonenumber` parses the `+` form and calls it valid, with the same E.164. Checked with no
/// default region (which changes the reading of bare digits).
fn check_against_library(raw: &str, opts: &PhoneOptions, cell: &PhoneCell) {
    let t = trim(raw);
    let plus_shape = t.strip_prefix('+').is_some_and(|r| {
        r.bytes()
            .all(|b| b.is_ascii_digit() || matches!(b, b' ' | b'-' | b'.' | b'(' | b')'))
    }) && !t.ends_with(".0");
    let bare_digits =
        !t.is_empty() && !t.starts_with("00") && t.bytes().all(|b| b.is_ascii_digit());
    let library_form = if plus_shape {
        t.to_string()
    } else if bare_digits && opts.default_region.is_none() {
        format!("+{t}")
    } else {
        return;
    };
    let library = PHONE_NUMBER_UTIL
        .parse(&library_form, None)
        .ok()
        .filter(|n| n.is_valid())
        .map(|n| n.format_as(PhoneNumberFormat::E164).into_owned());
    let ours = if is_invalid(cell) {
        None
    } else {
        cell.value.clone()
    };
    assert_eq!(
        ours, library,
        "{raw:?} ({opts:?}): contactclean and the library disagree on {library_form:?}: {cell:?}"
    );
}

/// The `phone_cell` target: the input, lossily decoded, as a cell under no default region, `GB`,
/// and the region (and `--require-mobile`) the first byte picks.
pub fn phone_cell(data: &[u8]) {
    let raw = String::from_utf8_lossy(data);
    check_phone(&raw, &PhoneOptions::default());
    check_phone(
        &raw,
        &PhoneOptions {
            default_region: Some(region("GB")),
            require_mobile: false,
        },
    );
    if let Some(&b) = data.first() {
        check_phone(&raw, &phone_options(b));
    }
}

/// One email cell: a valid address is written lower-cased and then stays as it is (valid, no
/// rewrite, same linking key); a blank becomes empty; an invalid one is kept.
pub fn check_email(raw: &str) {
    let first = normalize_email(raw);
    let written = match &first {
        EmailCell::Empty(Some(v)) | EmailCell::Valid(Some(v)) => v.as_str(),
        _ => raw,
    };
    if let EmailCell::Empty(Some(v)) = &first {
        assert!(
            v.is_empty(),
            "{raw:?}: a blank cell is written empty: {first:?}"
        );
    }
    let second = normalize_email(written);
    match &first {
        EmailCell::Valid(_) => assert_eq!(
            second,
            EmailCell::Valid(None),
            "{raw:?}: not idempotent: written {written:?}, then {second:?}"
        ),
        EmailCell::Empty(_) => assert_eq!(second, EmailCell::Empty(None), "{raw:?}"),
        EmailCell::Invalid => assert_eq!(second, EmailCell::Invalid, "{raw:?}"),
    }
    assert_eq!(
        second.key(written),
        first.key(raw),
        "{raw:?}: the linking key changed on the second pass"
    );
}

/// The `email_cell` target: the input, lossily decoded, as an email cell.
pub fn email_cell(data: &[u8]) {
    check_email(&String::from_utf8_lossy(data));
}

/// What one `csv_pipeline` run did, for tests that want to look.
#[derive(Debug, Default)]
pub struct PipelineOutcome {
    pub output: Vec<u8>,
    pub rejects: Vec<u8>,
    pub suggestions: Vec<u8>,
    pub records: u64,
    /// The run-stopping error (bad UTF-8, a ragged record without `--flexible`, a CSV error).
    pub error: Option<String>,
}

/// The `csv_pipeline` target: `data[0]` picks the options, the rest is the CSV file. It goes
/// through what `contactclean normalize --suggestions … --rejects … --report …` does (see
/// `src/cli/job.rs`): header, layout, the streaming pipeline, every sink, groups, report.
///
/// Control byte: bits 0-1 delimiter (`,` `;` tab `|`), bit 2 strict (no `--flexible`), bit 3
/// `--require-mobile`, bits 4-6 default region (0: none, else `REGIONS[n - 1]`), bit 7 one
/// record per batch (many hand-offs between the pipeline's threads).
pub fn csv_pipeline(data: &[u8]) -> PipelineOutcome {
    let mut outcome = PipelineOutcome::default();
    let Some((&control, csv_bytes)) = data.split_first() else {
        return outcome;
    };
    let delimiter = [b',', b';', b'\t', b'|'][(control & 3) as usize];
    let flexible = control & 4 == 0;
    let region_ix = ((control >> 4) & 7) as usize;
    let phone = PhoneOptions {
        default_region: (region_ix > 0).then(|| region(REGIONS[region_ix - 1])),
        require_mobile: control & 8 != 0,
    };
    let batch = if control & 0x80 != 0 {
        1
    } else {
        pipeline::BATCH
    };

    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_reader(csv_bytes);
    let header_bytes = match rdr.byte_headers() {
        Ok(h) => h.clone(),
        Err(e) => {
            outcome.error = Some(pipeline::Error::from(e).to_string());
            return outcome;
        }
    };
    let empty_input = header_bytes.is_empty();
    let header: Vec<String> = match header_bytes
        .iter()
        .map(|f| std::str::from_utf8(f).map(str::to_string))
        .collect()
    {
        Ok(h) => h,
        Err(e) => {
            outcome.error = Some(format!("header: {e}"));
            return outcome;
        }
    };
    let selection = Selection {
        flags_name: "flags".into(),
        ..Selection::default()
    };
    let layout = if empty_input {
        Layout::default()
    } else {
        Layout::detect(&header, &selection).expect("no column is named, so none can be missing")
    };
    let cleaner = Cleaner::new(header.clone(), layout, phone);
    let width = header.len();
    let flags_col = cleaner.layout.flags;
    let id_col = cleaner.layout.id;

    let mut out_header = header_bytes.clone();
    if flags_col.is_none() && !empty_input {
        out_header.push_field(b"flags");
    }
    let mut output = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_writer(Vec::new());
    let mut rejects = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .from_writer(Vec::new());
    if !empty_input {
        output
            .write_byte_record(&out_header)
            .expect("write to a Vec");
        let mut h = csv::ByteRecord::new();
        h.push_field(b"record");
        h.extend(out_header.iter());
        rejects.write_byte_record(&h).expect("write to a Vec");
    }
    let mut linker = Linker::new(id_col.is_some());
    let mut stats = Stats::new(&cleaner);
    let mut out = csv::ByteRecord::new();
    let mut rej = csv::ByteRecord::new();
    let mut sunk = 0u64;
    let mut last_progress = 0u64;
    let result = pipeline::run(
        &mut rdr,
        width,
        &cleaner,
        pipeline::Options { flexible, batch },
        |p| {
            sunk += 1;
            assert_eq!(p.record, sunk, "records reach the sink in input order");
            // The pipeline refuses bytes that are not UTF-8 (the cleaner would read such a
            // field as an empty cell and the writer copy it through unflagged).
            if let Some(i) = p.input.iter().position(|f| std::str::from_utf8(f).is_err()) {
                panic!(
                    "record {} reached the sink with field {} not UTF-8: {:?}",
                    p.record,
                    i + 1,
                    p.input
                );
            }
            output_record(&mut out, p.input, p.row, p.flags, width, flags_col);
            output.write_byte_record(&out).map_err(io::Error::other)?;
            if !p.row.flags.is_empty() {
                rej.clear();
                rej.push_field(p.record.to_string().as_bytes());
                rej.extend(out.iter());
                rejects.write_byte_record(&rej).map_err(io::Error::other)?;
            }
            let id = id_col
                .and_then(|c| p.input.get(c))
                .and_then(|b| std::str::from_utf8(b).ok())
                .unwrap_or("");
            linker.add_row(&p.row.phones, &p.row.emails, p.row.filled, id);
            stats.add(p.record, p.line, p.row, p.flags);
            Ok(())
        },
        |n| {
            assert!(n >= last_progress, "progress never goes back");
            last_progress = n;
        },
    );
    match result {
        Ok(n) => {
            assert_eq!(n, sunk, "the count returned is the records written");
            outcome.records = n;
        }
        Err(e) => outcome.error = Some(e.to_string()),
    }
    assert_eq!(stats.rows, sunk);

    let groups = linker.finish(DEFAULT_MAX_GROUP);
    let mut suggestions = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    let id_header = id_col.map(|c| header[c].as_str());
    groups
        .write_csv(&mut suggestions, id_header)
        .expect("write to a Vec");
    let _ = groups.oversized();
    let mut report = Report::new("normalize", "<fuzz>", &stats, 0.0);
    report.duplicates = Some(groups.summary());
    serde_json::to_string_pretty(&report).expect("the report serialises");

    outcome.output = output.into_inner().expect("flush to a Vec");
    outcome.rejects = rejects.into_inner().expect("flush to a Vec");
    outcome.suggestions = suggestions.into_inner().expect("flush to a Vec");
    outcome
}

/// The records of a CSV written by [`csv_pipeline`], with `row:ragged` taken out of the flags
/// cell (a short record is padded on the first run, so it is no longer ragged on the second).
fn records_for_comparison(csv_bytes: &[u8], delimiter: u8) -> Vec<Vec<Vec<u8>>> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .flexible(true)
        .has_headers(false)
        .from_reader(csv_bytes);
    let mut records: Vec<Vec<Vec<u8>>> = Vec::new();
    let mut flags_col = None;
    for rec in rdr.byte_records() {
        let rec = rec.expect("contactclean's own output reads back");
        let mut fields: Vec<Vec<u8>> = rec.iter().map(<[u8]>::to_vec).collect();
        match flags_col {
            None => flags_col = Some(fields.iter().position(|f| f == b"flags")),
            Some(Some(c)) => {
                if let Some(cell) = fields.get_mut(c) {
                    let kept: Vec<&[u8]> = cell
                        .split(|&b| b == b';')
                        .filter(|e| *e != b"row:ragged")
                        .collect();
                    *cell = kept.join(&b';');
                }
            }
            Some(None) => {}
        }
        records.push(fields);
    }
    records
}

/// The `csv_idempotent` target: `normalize` run on its own output changes nothing (the
/// promise `row.rs` makes for `carry_extensions`). Same control byte as [`csv_pipeline`]; only
/// first runs that end without an error are checked, and `row:ragged` is ignored (see
/// `records_for_comparison`).
pub fn csv_idempotent(data: &[u8]) {
    let first = csv_pipeline(data);
    if first.error.is_some() || first.output.is_empty() {
        return;
    }
    let control = data[0];
    let delimiter = [b',', b';', b'\t', b'|'][(control & 3) as usize];
    let mut again = vec![control];
    again.extend_from_slice(&first.output);
    let second = csv_pipeline(&again);
    assert_eq!(
        second.error,
        None,
        "normalize fails on its own output:\n{}",
        String::from_utf8_lossy(&first.output)
    );
    let a = records_for_comparison(&first.output, delimiter);
    let b = records_for_comparison(&second.output, delimiter);
    for (i, (ra, rb)) in a.iter().zip(&b).enumerate() {
        assert_eq!(
            ra.iter()
                .map(|f| String::from_utf8_lossy(f))
                .collect::<Vec<_>>(),
            rb.iter()
                .map(|f| String::from_utf8_lossy(f))
                .collect::<Vec<_>>(),
            "line {} changes when normalize runs on its own output; input {:?}",
            i + 1,
            String::from_utf8_lossy(data)
        );
    }
    assert_eq!(a.len(), b.len(), "the record count changed");
}
