//! The oracles the fuzz targets check, shared with `tests/fuzz_regressions.rs` (which includes
//! this file with `#[path]`), so the fuzzer and `cargo test` assert exactly the same things.
//!
//! Only `contactclean` and crates it depends on (`csv`, `serde_json`, and `rlibphonenumber` as
//! the reference for the phone fast path) are used, so the main crate's tests can include it.

use contactclean::dedupe::DEFAULT_MAX_GROUP;
use contactclean::email::{normalize_email, split_emails, EmailCell};
use contactclean::job::{self, Job, Options};
use contactclean::phone::{e164_key, normalize_phone, trim, PhoneCell, PhoneOptions, Region};
use contactclean::report::{Report, Stats};
use contactclean::sink::{Context, CsvSink, LinkSink, Processed, RejectsSink, Sink};
use contactclean::source::csv::{CsvOptions, CsvSource};
use rlibphonenumber::{PhoneNumberFormat, PhoneNumberType, PHONE_NUMBER_UTIL};

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
        whatsapp_rules: true,
    }
}

fn is_invalid(c: &PhoneCell) -> bool {
    c.flags.iter().any(|f| f.reason.is_invalid())
}

/// One phone cell under one set of options: what the product promises about a cell.
///
/// * a cell with an invalid flag is kept verbatim (`value: None`), unless it is a cell of
///   several values (`multiple_numbers`) with a valid part: then every valid part is written in
///   E.164 and is a key, and the rest (invalid parts, separators) is kept as it was;
/// * a rewritten cell with no invalid flag is its numbers' E.164 forms, in order, between
///   separators (` ::: `, `;`, `/`, `,`, `|`, a line break, ` or `, ` & `), and `numbers` are
///   their keys;
/// * idempotence: normalising the written cell again changes nothing, raises no invalid flag
///   and yields the same linking keys.
pub fn check_phone(raw: &str, opts: &PhoneOptions) {
    let first = normalize_phone(raw, opts);
    let invalid = is_invalid(&first);
    let multi = first
        .flags
        .iter()
        .any(|f| f.reason == contactclean::reason::Reason::MultipleNumbers);
    let partly_valid = multi && !first.numbers.is_empty();
    if invalid && !partly_valid {
        assert_eq!(
            first.value, None,
            "{raw:?} ({opts:?}): an invalid cell must be kept verbatim: {first:?}"
        );
        assert!(first.numbers.is_empty(), "{raw:?} ({opts:?}): {first:?}");
    }
    if let Some(v) = first.value.as_deref().filter(|v| !v.is_empty()) {
        let (found, rest) = e164_runs(v);
        if invalid {
            // Verbatim parts may hold `+digits` of their own: every key is written, in order.
            let mut it = found.iter();
            for n in &first.numbers {
                assert!(
                    it.any(|f| f == n),
                    "{raw:?} ({opts:?}): written value {v:?} lacks +{n}: {first:?}"
                );
            }
        } else {
            assert_eq!(
                found, first.numbers,
                "{raw:?} ({opts:?}): written value {v:?} disagrees with its numbers"
            );
            assert!(
                rest.chars()
                    .all(|c| trim(&c.to_string()).is_empty() || ":;/,|&orOR".contains(c)),
                "{raw:?} ({opts:?}): written value {v:?} holds more than numbers and separators"
            );
        }
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

/// The E.164 numbers (`+` and digits, standing alone) written in a cell, as keys, and what is
/// left of the cell without them.
fn e164_runs(v: &str) -> (Vec<u64>, String) {
    let mut found = Vec::new();
    let mut rest = String::new();
    let mut chars = v.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == '+' {
            let digits: usize = v[i + 1..]
                .bytes()
                .take_while(|b| b.is_ascii_digit())
                .count();
            let end = i + 1 + digits;
            if let Some(k) = (digits > 0).then(|| e164_key(&v[i..end])).flatten() {
                found.push(k);
                while chars.peek().is_some_and(|(j, _)| *j < end) {
                    chars.next();
                }
                continue;
            }
        }
        rest.push(c);
    }
    (found, rest)
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
    if cell
        .flags
        .iter()
        .any(|f| f.reason == contactclean::reason::Reason::LegacyWhatsappId)
    {
        // A WhatsApp rule fired (`contactclean::whatsapp`): only ever on a form the library
        // calls invalid, and a rewrite is a valid mobile.
        assert_eq!(
            library, None,
            "{raw:?} ({opts:?}): a WhatsApp rule fired on a valid number: {cell:?}"
        );
        if let Some(v) = &cell.value {
            let n = PHONE_NUMBER_UTIL.parse(v, None).expect("a rewrite parses");
            assert!(
                n.is_valid()
                    && matches!(
                        n.get_type(),
                        PhoneNumberType::Mobile | PhoneNumberType::FixedLineOrMobile
                    ),
                "{raw:?} ({opts:?}): rewritten to {v:?}, not a valid mobile"
            );
        }
        return;
    }
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
            whatsapp_rules: true,
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

/// An email cell that is not one address, read part by part: the written cell splits the same
/// way again, is not rewritten, and keeps its keys and its bad parts.
pub fn check_email_parts(raw: &str) {
    if normalize_email(raw) != EmailCell::Invalid {
        return;
    }
    let Some(first) = split_emails(raw) else {
        return;
    };
    let written = first.value.as_deref().unwrap_or(raw);
    assert_eq!(
        normalize_email(written),
        EmailCell::Invalid,
        "{raw:?}: written {written:?} became one address"
    );
    let second = split_emails(written)
        .unwrap_or_else(|| panic!("{raw:?}: written {written:?} no longer splits"));
    assert_eq!(
        second.value.as_deref().unwrap_or(written),
        written,
        "{raw:?}: not idempotent: {first:?} then {second:?}"
    );
    assert_eq!(second.keys, first.keys, "{raw:?}: keys changed");
    assert_eq!(second.invalid, first.invalid, "{raw:?}: bad parts changed");
}

/// The `email_cell` target: the input, lossily decoded, as an email cell.
pub fn email_cell(data: &[u8]) {
    check_email(&String::from_utf8_lossy(data));
    check_email_parts(&String::from_utf8_lossy(data));
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

/// Checks what every sink may rely on: records in input order, every field UTF-8.
struct OrderCheck {
    sunk: u64,
}

impl Sink for OrderCheck {
    fn record(&mut self, p: &Processed, _ctx: &Context) -> Result<(), contactclean::Error> {
        self.sunk += 1;
        assert_eq!(
            p.record, self.sunk,
            "records reach the sinks in input order"
        );
        // The engine refuses bytes that are not UTF-8 (the cleaner would read such a field as
        // an empty cell and the writer copy it through unflagged).
        if let Some(i) = p.input.iter().position(|f| std::str::from_utf8(f).is_err()) {
            panic!(
                "record {} reached the sink with field {} not UTF-8: {:?}",
                p.record,
                i + 1,
                p.input
            );
        }
        Ok(())
    }
}

/// The `csv_pipeline` target: `data[0]` picks the options, the rest is the CSV file. It goes
/// through what `contactclean normalize --suggestions … --rejects … --report …` does, with the
/// library's API alone: a CSV source, a job, every sink, groups, report.
///
/// Control byte: bits 0-1 delimiter (`,` `;` tab `|`), bit 2 strict (no `--flexible`), bit 3
/// `--require-mobile`, bits 4-6 default region (0: none, else `REGIONS[n - 1]`), bit 7 one
/// record per batch (many hand-offs between the engine's threads).
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
        whatsapp_rules: true,
    };
    let batch = if control & 0x80 != 0 {
        1
    } else {
        job::Tuning::default().batch
    };

    let source = match CsvSource::new(
        std::io::Cursor::new(csv_bytes.to_vec()),
        CsvOptions {
            delimiter: Some(delimiter),
            flexible,
            ..CsvOptions::default()
        },
    ) {
        Ok(s) => s,
        Err(e) => {
            outcome.error = Some(e.to_string());
            return outcome;
        }
    };
    let options = Options {
        phone,
        keys: true,
        tuning: job::Tuning {
            batch,
            ..job::Tuning::default()
        },
        ..Options::default()
    };
    let job = Job::new(source, options).expect("no column is named, so none can be missing");
    let cleaner = job.cleaner().clone();
    let mut output = CsvSink::new("<output>", Vec::new(), delimiter);
    let mut rejects = RejectsSink::new("<rejects>", Vec::new(), delimiter);
    let mut link = LinkSink::new(cleaner.layout.id.is_some());
    let mut stats = Stats::new(&cleaner);
    let mut order = OrderCheck { sunk: 0 };
    let mut last_progress = 0u64;
    let result = job.run(
        &mut [&mut order, &mut output, &mut rejects, &mut link, &mut stats],
        |n| {
            assert!(n >= last_progress, "progress never goes back");
            last_progress = n;
        },
    );
    match result {
        Ok(summary) => {
            assert_eq!(
                summary.records, order.sunk,
                "the count returned is the records written"
            );
            outcome.records = summary.records;
        }
        Err(e) => {
            assert!(
                !matches!(e, contactclean::Error::Internal(_)),
                "a bug, not a data error: {e}"
            );
            outcome.error = Some(e.to_string());
        }
    }
    assert_eq!(stats.rows, order.sunk);

    let groups = link.into_linker().finish(DEFAULT_MAX_GROUP);
    let mut suggestions = csv::WriterBuilder::new()
        .delimiter(delimiter)
        .from_writer(Vec::new());
    let id_header = cleaner.layout.id.map(|c| cleaner.header[c].as_str());
    groups
        .write_csv(&mut suggestions, id_header)
        .expect("write to a Vec");
    let _ = groups.oversized();
    let mut report = Report::new("normalize", "<fuzz>", &stats, 0.0);
    report.duplicates = Some(groups.summary());
    serde_json::to_string_pretty(&report).expect("the report serialises");

    // On success the sinks were flushed by `finish`; on error what they hold is what a failed
    // run would have streamed.
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
