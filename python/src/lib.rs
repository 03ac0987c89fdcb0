//! `contactclean._native`: Arrow in, Arrow out, over the contactclean library.
//!
//! Nothing here decides a cell's outcome: phones go through `phone::normalize_phone`, emails
//! through `email::normalize_email`, rows through `row::Cleaner` (built by `job::Job::new`, as
//! the CLI builds it), groups through `dedupe::Linker`. This file only moves Arrow buffers in
//! and out and releases the GIL while the library works.

use std::sync::Arc;

use arrow_array::builder::{Int64Builder, StringBuilder};
use arrow_array::cast::AsArray;
use arrow_array::{Array, ArrayRef, RecordBatch, StructArray};
use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef};
use header::HeaderSource;
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3_arrow::input::{AnyArray, AnyRecordBatch};
use pyo3_arrow::{PyArray, PyChunkedArray, PyRecordBatch, PyTable};

use contactclean::columns::{Kind, Layout, Selection};
use contactclean::dedupe::{Linker, DEFAULT_MAX_GROUP};
use contactclean::error::At;
use contactclean::job::{Job, Options};
use contactclean::phone::{e164_key, PhoneOptions, Region};
use contactclean::row::{CleanRow, Cleaner, Outcome};

mod header;

/// A column of text as the engines hand it over.
enum Text<'a> {
    Utf8(&'a arrow_array::StringArray),
    Large(&'a arrow_array::LargeStringArray),
    View(&'a arrow_array::StringViewArray),
    Null(usize),
}

impl<'a> Text<'a> {
    fn new(a: &'a dyn Array, name: &str) -> PyResult<Self> {
        Ok(match a.data_type() {
            DataType::Utf8 => Text::Utf8(a.as_string::<i32>()),
            DataType::LargeUtf8 => Text::Large(a.as_string::<i64>()),
            DataType::Utf8View => Text::View(a.as_string_view()),
            DataType::Null => Text::Null(a.len()),
            t => {
                return Err(PyTypeError::new_err(format!(
                    "{name}: expected a string array (Utf8, LargeUtf8 or Utf8View), got {t}"
                )))
            }
        })
    }

    fn len(&self) -> usize {
        match self {
            Text::Utf8(a) => a.len(),
            Text::Large(a) => a.len(),
            Text::View(a) => a.len(),
            Text::Null(n) => *n,
        }
    }

    /// The cell, `None` when null.
    fn get(&self, i: usize) -> Option<&'a str> {
        match self {
            Text::Utf8(a) => a.is_valid(i).then(|| a.value(i)),
            Text::Large(a) => a.is_valid(i).then(|| a.value(i)),
            Text::View(a) => a.is_valid(i).then(|| a.value(i)),
            Text::Null(_) => None,
        }
    }
}

/// `--default-region`, parsed as the CLI parses it.
fn region(code: Option<&str>) -> PyResult<Option<Region>> {
    code.map(contactclean::phone::parse_region)
        .transpose()
        .map_err(PyValueError::new_err)
}

fn err(e: contactclean::Error) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A one-column cleaner: the library's row logic applied to single cells.
fn cell_cleaner(kind: Kind, phone: PhoneOptions) -> Cleaner {
    let layout = Layout {
        contact: vec![(0, kind)],
        links: vec![true],
        flags: None,
        id: None,
        region: None,
    };
    let mut c = Cleaner::new(vec![String::new()], layout, phone);
    c.keys = false;
    c
}

fn outcome_name(o: Outcome) -> &'static str {
    match o {
        Outcome::Empty => "empty",
        Outcome::Valid => "valid",
        Outcome::Fixed => "fixed",
        Outcome::Invalid => "invalid",
    }
}

/// The cell's flags as the CLI's flags cell writes them, without the `COLUMN:` label.
fn cell_flags(row: &CleanRow) -> String {
    let mut out = String::new();
    for f in &row.flags {
        if !out.is_empty() {
            out.push(';');
        }
        out.push_str(f.reason.as_str());
        if let Some(d) = &f.detail {
            out.push('=');
            out.push_str(d);
        }
    }
    out
}

/// Cleans one column of cells into a struct array (value, reason, flags, outcome).
fn cells(text: &Text, cleaner: &Cleaner, value_name: &str) -> ArrayRef {
    let n = text.len();
    let mut value = StringBuilder::with_capacity(n, n * 14);
    let mut reason = StringBuilder::with_capacity(n, n);
    let mut flags = StringBuilder::with_capacity(n, n);
    let mut outcome = StringBuilder::with_capacity(n, n * 5);
    for i in 0..n {
        let Some(raw) = text.get(i) else {
            value.append_null();
            reason.append_null();
            flags.append_null();
            outcome.append_null();
            continue;
        };
        let row = cleaner.clean(&[raw], false);
        let o = row.outcomes[0];
        match o {
            Outcome::Valid | Outcome::Fixed => {
                value.append_value(row.edits.first().map_or(raw, |(_, v)| v.as_str()))
            }
            _ => value.append_null(),
        }
        match row.flags.iter().find(|f| f.reason.is_invalid()) {
            Some(f) => reason.append_value(f.reason.as_str()),
            None => reason.append_null(),
        }
        flags.append_value(cell_flags(&row));
        outcome.append_value(outcome_name(o));
    }
    let fields = Fields::from(vec![
        Field::new(value_name, DataType::Utf8, true),
        Field::new("reason", DataType::Utf8, true),
        Field::new("flags", DataType::Utf8, true),
        Field::new("outcome", DataType::Utf8, true),
    ]);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(value.finish()),
        Arc::new(reason.finish()),
        Arc::new(flags.finish()),
        Arc::new(outcome.finish()),
    ];
    let nulls = (0..n).any(|i| text.get(i).is_none());
    let validity = nulls.then(|| (0..n).map(|i| text.get(i).is_some()).collect());
    Arc::new(StructArray::new(fields, columns, validity))
}

/// Applies `f` to every chunk of an array (or stream), with the GIL released; returns the same
/// shape: an Array for an array, a ChunkedArray for a stream or chunked array.
fn map_chunks(
    py: Python<'_>,
    array: AnyArray,
    f: impl Fn(&Text) -> ArrayRef + Send + Sync,
) -> PyResult<Py<PyAny>> {
    match array {
        AnyArray::Array(a) => {
            let (a, field) = a.into_inner();
            Text::new(a.as_ref(), field.name())?;
            let out = py.detach(|| {
                let text = Text::new(a.as_ref(), "")?;
                Ok::<_, PyErr>(f(&text))
            })?;
            Ok(PyArray::from_array_ref(out).to_pyarrow(py)?.unbind())
        }
        AnyArray::Stream(s) => {
            let chunked = s.into_chunked_array()?;
            let (chunks, field) = chunked.into_inner();
            for c in &chunks {
                Text::new(c.as_ref(), field.name())?;
            }
            if chunks.is_empty() {
                Text::new(
                    &arrow_array::new_empty_array(field.data_type()),
                    field.name(),
                )?;
            }
            let out: Vec<ArrayRef> = py.detach(|| {
                chunks
                    .iter()
                    .map(|c| Text::new(c.as_ref(), "").map(|t| f(&t)))
                    .collect::<PyResult<_>>()
            })?;
            let empty = Text::Null(0);
            let out_field = Arc::new(Field::new(
                field.name(),
                f(&empty).data_type().clone(),
                true,
            ));
            Ok(PyChunkedArray::try_new(out, out_field)?
                .into_pyarrow(py)?
                .unbind())
        }
    }
}

/// normalize_phones(array, default_region=None, require_mobile=False)
///
/// Normalises every phone cell to E.164 with contactclean's rules. Returns a struct array of
/// (`e164`, `reason`, `flags`, `outcome`); see contactclean/_native.pyi.
#[pyfunction]
#[pyo3(signature = (array, default_region=None, require_mobile=false))]
fn normalize_phones(
    py: Python<'_>,
    array: AnyArray,
    default_region: Option<&str>,
    require_mobile: bool,
) -> PyResult<Py<PyAny>> {
    let phone = PhoneOptions {
        default_region: region(default_region)?,
        require_mobile,
        ..PhoneOptions::default()
    };
    let cleaner = cell_cleaner(Kind::Phone, phone);
    map_chunks(py, array, |t| cells(t, &cleaner, "e164"))
}

/// normalize_emails(array)
///
/// Normalises every email cell (trimmed, lower-cased when valid). Returns a struct array of
/// (`email`, `reason`, `flags`, `outcome`).
#[pyfunction]
fn normalize_emails(py: Python<'_>, array: AnyArray) -> PyResult<Py<PyAny>> {
    let cleaner = cell_cleaner(Kind::Email, PhoneOptions::default());
    map_chunks(py, array, |t| cells(t, &cleaner, "email"))
}

/// The options every row function takes, as the CLI's flags.
struct RowOptions {
    phone_columns: Vec<String>,
    email_columns: Vec<String>,
    phone: PhoneOptions,
    flags_column: String,
    keys: bool,
}

impl RowOptions {
    /// The options of `link` and `merge_keys`: rows read for their merge keys only.
    fn for_keys(
        phone_columns: Option<Vec<String>>,
        email_columns: Option<Vec<String>>,
        default_region: Option<&str>,
    ) -> PyResult<RowOptions> {
        Ok(RowOptions {
            phone_columns: phone_columns.unwrap_or_default(),
            email_columns: email_columns.unwrap_or_default(),
            phone: PhoneOptions {
                default_region: region(default_region)?,
                ..PhoneOptions::default()
            },
            flags_column: "flags".into(),
            keys: true,
        })
    }

    /// The cleaner and output header `contactclean normalize` would use for this header.
    fn job(&self, header: Vec<String>) -> PyResult<(Cleaner, Vec<String>)> {
        let source = HeaderSource::new(header);
        let options = Options {
            phone: self.phone,
            selection: Selection {
                phone: self.phone_columns.clone(),
                email: self.email_columns.clone(),
                id: None,
                flags_name: self.flags_column.clone(),
                region: None,
            },
            keys: self.keys,
            ..Options::default()
        };
        let job = Job::new(source, options).map_err(err)?;
        let out_header = job
            .out_header()
            .iter()
            .map(|f| String::from_utf8_lossy(f).into_owned())
            .collect();
        Ok((job.cleaner().clone(), out_header))
    }
}

/// Cleans one record batch: contact columns rewritten, the flags column recomputed in place or
/// appended. `offset`: rows before this batch (for error positions).
fn clean_one(
    batch: &RecordBatch,
    cleaner: &Cleaner,
    out_header: &[String],
    offset: u64,
) -> PyResult<RecordBatch> {
    let n = batch.num_rows();
    let schema = batch.schema();
    // Only contact columns and the flags column are read: other cells only count towards a
    // row's completeness, which a cleaned batch does not use.
    let mut cols: Vec<Option<Text>> = (0..batch.num_columns()).map(|_| None).collect();
    let wanted: Vec<usize> = cleaner
        .layout
        .contact
        .iter()
        .map(|&(c, _)| c)
        .chain(cleaner.layout.flags)
        .collect();
    let texts: Vec<(usize, ArrayRef)> = wanted
        .iter()
        .map(|&c| text_column(batch, c).map(|a| (c, a)))
        .collect::<PyResult<_>>()?;
    for (c, a) in &texts {
        cols[*c] = Some(Text::new(a.as_ref(), schema.field(*c).name())?);
    }
    let width = batch.num_columns();
    let mut out_cols: Vec<StringBuilder> = cleaner
        .layout
        .contact
        .iter()
        .map(|_| StringBuilder::with_capacity(n, n * 12))
        .collect();
    let mut flags_out = StringBuilder::with_capacity(n, n * 8);
    let mut fields: Vec<&str> = vec![""; width];
    for i in 0..n {
        for &c in &wanted {
            fields[c] = cols[c].as_ref().and_then(|t| t.get(i)).unwrap_or("");
        }
        let row = cleaner.clean(&fields, false);
        if row.foreign_flags {
            let c = cleaner.layout.flags.unwrap_or(0);
            return Err(err(contactclean::Error::ForeignFlags {
                at: At {
                    record: offset + i as u64 + 1,
                    line: offset + i as u64 + 2,
                },
                column: cleaner.header[c].clone(),
                value: fields[c].to_string(),
            }));
        }
        let mut edits = row.edits.iter().peekable();
        for (slot, &(c, _)) in cleaner.layout.contact.iter().enumerate() {
            match edits.peek() {
                Some((col, v)) if *col == c => {
                    out_cols[slot].append_value(v);
                    edits.next();
                }
                _ => match cols[c].as_ref().and_then(|t| t.get(i)) {
                    Some(v) => out_cols[slot].append_value(v),
                    None => out_cols[slot].append_null(),
                },
            }
        }
        flags_out.append_value(row.flags_cell(cleaner));
    }
    let mut columns: Vec<ArrayRef> = batch.columns().to_vec();
    let mut out_fields: Vec<Field> = schema.fields().iter().map(|f| f.as_ref().clone()).collect();
    for (slot, &(c, _)) in cleaner.layout.contact.iter().enumerate() {
        let a: ArrayRef = Arc::new(out_cols[slot].finish());
        let t = schema.field(c).data_type();
        let a = match t {
            DataType::Utf8 => a,
            DataType::LargeUtf8 | DataType::Utf8View => {
                arrow_cast::cast(&a, t).map_err(|e| PyTypeError::new_err(e.to_string()))?
            }
            _ => {
                out_fields[c] = Field::new(schema.field(c).name(), DataType::Utf8, true);
                a
            }
        };
        columns[c] = a;
    }
    let flags: ArrayRef = Arc::new(flags_out.finish());
    match cleaner.layout.flags {
        Some(fc) => {
            let t = schema.field(fc).data_type();
            columns[fc] = match t {
                DataType::LargeUtf8 | DataType::Utf8View => {
                    arrow_cast::cast(&flags, t).map_err(|e| PyTypeError::new_err(e.to_string()))?
                }
                _ => {
                    out_fields[fc] = Field::new(schema.field(fc).name(), DataType::Utf8, true);
                    flags
                }
            };
        }
        None => {
            let name = out_header.last().cloned().unwrap_or_else(|| "flags".into());
            out_fields.push(Field::new(name, DataType::Utf8, false));
            columns.push(flags);
        }
    }
    let out_schema = Arc::new(Schema::new_with_metadata(
        out_fields,
        schema.metadata().clone(),
    ));
    RecordBatch::try_new(out_schema, columns).map_err(|e| PyValueError::new_err(e.to_string()))
}

fn header_of(schema: &SchemaRef) -> Vec<String> {
    schema.fields().iter().map(|f| f.name().clone()).collect()
}

/// clean_batch(batch, phone_columns=None, email_columns=None, default_region=None,
/// require_mobile=False, flags_column="flags")
///
/// The batch as `contactclean normalize` writes it: contact columns cleaned, the flags column
/// recomputed (or appended). A RecordBatch in, a RecordBatch out; a Table or stream in, a Table
/// out.
#[pyfunction]
#[pyo3(signature = (batch, phone_columns=None, email_columns=None, default_region=None, require_mobile=false, flags_column="flags"))]
fn clean_batch(
    py: Python<'_>,
    batch: AnyRecordBatch,
    phone_columns: Option<Vec<String>>,
    email_columns: Option<Vec<String>>,
    default_region: Option<&str>,
    require_mobile: bool,
    flags_column: &str,
) -> PyResult<Py<PyAny>> {
    let opts = RowOptions {
        phone_columns: phone_columns.unwrap_or_default(),
        email_columns: email_columns.unwrap_or_default(),
        phone: PhoneOptions {
            default_region: region(default_region)?,
            require_mobile,
            ..PhoneOptions::default()
        },
        flags_column: flags_column.to_string(),
        keys: false,
    };
    match batch {
        AnyRecordBatch::RecordBatch(b) => {
            let b = b.into_inner();
            let (cleaner, out_header) = opts.job(header_of(&b.schema()))?;
            let out = py.detach(|| clean_one(&b, &cleaner, &out_header, 0))?;
            Ok(PyRecordBatch::new(out).into_pyarrow(py)?.unbind())
        }
        AnyRecordBatch::Stream(s) => {
            let reader = s.into_reader()?;
            let schema = reader.schema();
            let (cleaner, out_header) = opts.job(header_of(&schema))?;
            let batches: Vec<RecordBatch> = reader
                .collect::<Result<_, _>>()
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
            let out: Vec<RecordBatch> = py.detach(|| {
                let mut offset = 0;
                let mut out = Vec::with_capacity(batches.len());
                for b in &batches {
                    out.push(clean_one(b, &cleaner, &out_header, offset)?);
                    offset += b.num_rows() as u64;
                }
                Ok::<_, PyErr>(out)
            })?;
            let out_schema = match out.first() {
                Some(b) => b.schema(),
                None => {
                    let empty = RecordBatch::new_empty(schema);
                    clean_one(&empty, &cleaner, &out_header, 0)?.schema()
                }
            };
            Ok(PyTable::try_new(out, out_schema)?
                .into_pyarrow(py)?
                .unbind())
        }
    }
}

fn read_all(batch: AnyRecordBatch) -> PyResult<(SchemaRef, Vec<RecordBatch>)> {
    let reader = batch.into_reader()?;
    let schema = reader.schema();
    let batches = reader
        .collect::<Result<_, _>>()
        .map_err(|e| PyValueError::new_err(e.to_string()))?;
    Ok((schema, batches))
}

fn group_array(groups: &contactclean::dedupe::Groups, rows: usize) -> ArrayRef {
    let mut b = Int64Builder::with_capacity(rows);
    let row_groups = groups.row_groups();
    for r in 0..rows {
        match row_groups.get(r).copied().flatten() {
            Some(g) => b.append_value(i64::from(g) + 1),
            None => b.append_null(),
        }
    }
    Arc::new(b.finish())
}

/// A contact column as text: string layouts as they are, anything else cast to Utf8 (a
/// number column holds the digits a CSV file would).
fn text_column(batch: &RecordBatch, c: usize) -> PyResult<ArrayRef> {
    let a = batch.column(c);
    match a.data_type() {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View | DataType::Null => Ok(a.clone()),
        _ => arrow_cast::cast(a, &DataType::Utf8)
            .map_err(|e| PyTypeError::new_err(format!("{}: {e}", batch.schema().field(c).name()))),
    }
}

/// Every row's cleaned form with its linking keys (1-based row number), for `merge_keys` and
/// `link`. Only contact columns are read: the other cells only count towards a row's
/// completeness, which picks a group's survivor, and neither function reports survivors.
fn row_keys(
    batches: &[RecordBatch],
    cleaner: &Cleaner,
    mut each: impl FnMut(&CleanRow, u64) -> PyResult<()>,
) -> PyResult<()> {
    let mut n = 0u64;
    for b in batches {
        let contact: Vec<(usize, ArrayRef)> = cleaner
            .layout
            .contact
            .iter()
            .map(|&(c, _)| text_column(b, c).map(|a| (c, a)))
            .collect::<PyResult<_>>()?;
        let texts: Vec<(usize, Text)> = contact
            .iter()
            .map(|(c, a)| Text::new(a.as_ref(), "").map(|t| (*c, t)))
            .collect::<PyResult<_>>()?;
        let mut fields: Vec<&str> = vec![""; b.num_columns()];
        for i in 0..b.num_rows() {
            for (c, t) in &texts {
                fields[*c] = t.get(i).unwrap_or("");
            }
            let row = cleaner.clean(&fields, false);
            n += 1;
            each(&row, n)?;
        }
    }
    Ok(())
}

/// link(data, phone_columns=None, email_columns=None, default_region=None,
/// max_group=50)
///
/// Group ids as `contactclean dedupe` numbers them (1-based, by each group's first row) for
/// every row of `data` (a RecordBatch, Table or stream); null for a row in no group.
#[pyfunction]
#[pyo3(signature = (data, phone_columns=None, email_columns=None, default_region=None, max_group=DEFAULT_MAX_GROUP))]
fn link(
    py: Python<'_>,
    data: AnyRecordBatch,
    phone_columns: Option<Vec<String>>,
    email_columns: Option<Vec<String>>,
    default_region: Option<&str>,
    max_group: usize,
) -> PyResult<Py<PyAny>> {
    let opts = RowOptions::for_keys(phone_columns, email_columns, default_region)?;
    let (schema, batches) = read_all(data)?;
    let (cleaner, _) = opts.job(header_of(&schema))?;
    let out = py.detach(|| {
        let mut linker = Linker::new(false);
        row_keys(&batches, &cleaner, |row, n| {
            linker
                .add_row_with(&row.phones, &row.emails, &row.rule_keys, row.filled, "")
                .map_err(|e| {
                    err(contactclean::Error::Malformed {
                        at: At {
                            record: n,
                            line: n + 1,
                        },
                        message: e.to_string(),
                    })
                })
        })?;
        let rows = linker.rows();
        let groups = linker.finish(max_group);
        Ok::<_, PyErr>(group_array(&groups, rows))
    })?;
    Ok(PyArray::from_array_ref(out).to_pyarrow(py)?.unbind())
}

/// merge_keys(batch, phone_columns=None, email_columns=None, default_region=None)
///
/// Each row's merge keys (valid phones as `+E164`, normalised emails; shared lines such as fax
/// columns excluded), as a list<string> array: what `link` and Spark's `merge_groups` join on.
#[pyfunction]
#[pyo3(signature = (batch, phone_columns=None, email_columns=None, default_region=None))]
fn merge_keys(
    py: Python<'_>,
    batch: AnyRecordBatch,
    phone_columns: Option<Vec<String>>,
    email_columns: Option<Vec<String>>,
    default_region: Option<&str>,
) -> PyResult<Py<PyAny>> {
    let opts = RowOptions::for_keys(phone_columns, email_columns, default_region)?;
    let (schema, batches) = read_all(batch)?;
    let (cleaner, _) = opts.job(header_of(&schema))?;
    let out = py.detach(|| {
        let mut b = arrow_array::builder::ListBuilder::new(StringBuilder::new());
        row_keys(&batches, &cleaner, |row, _| {
            let mut seen: Vec<String> = Vec::new();
            for p in &row.phones {
                let k = format!("+{p}");
                if !seen.contains(&k) {
                    seen.push(k);
                }
            }
            for e in &row.emails {
                if !seen.contains(e) {
                    seen.push(e.clone());
                }
            }
            for k in seen {
                b.values().append_value(k);
            }
            b.append(true);
            Ok(())
        })?;
        Ok::<_, PyErr>(Arc::new(b.finish()) as ArrayRef)
    })?;
    Ok(PyArray::from_array_ref(out).to_pyarrow(py)?.unbind())
}

/// link_keys(rows, keys, num_rows, max_group=50)
///
/// The Rust union-find over (row, key) pairs, e.g. collected from Spark: `rows` are 0-based row
/// numbers (int64), `keys` the merge keys (`+E164` or an email). Returns a group id per row
/// (1-based, numbered by each group's first row), null for a row in no group.
#[pyfunction]
#[pyo3(signature = (rows, keys, num_rows, max_group=DEFAULT_MAX_GROUP))]
fn link_keys(
    py: Python<'_>,
    rows: AnyArray,
    keys: AnyArray,
    num_rows: usize,
    max_group: usize,
) -> PyResult<Py<PyAny>> {
    let rows = rows.into_chunked_array()?.into_inner().0;
    let keys = keys.into_chunked_array()?.into_inner().0;
    let rows: Vec<i64> = rows
        .iter()
        .map(|a| {
            arrow_cast::cast(a, &DataType::Int64).map_err(|e| PyTypeError::new_err(e.to_string()))
        })
        .collect::<PyResult<Vec<_>>>()?
        .iter()
        .flat_map(|a| {
            a.as_primitive::<arrow_array::types::Int64Type>()
                .iter()
                .map(|v| v.unwrap_or(-1))
                .collect::<Vec<_>>()
        })
        .collect();
    let mut key_text: Vec<String> = Vec::with_capacity(rows.len());
    for a in &keys {
        let t = Text::new(a.as_ref(), "keys")?;
        for i in 0..t.len() {
            key_text.push(t.get(i).unwrap_or("").to_string());
        }
    }
    if key_text.len() != rows.len() {
        return Err(PyValueError::new_err(
            "rows and keys must have the same length",
        ));
    }
    let out = py.detach(|| {
        let mut by_row: Vec<Vec<usize>> = vec![Vec::new(); num_rows];
        for (i, &r) in rows.iter().enumerate() {
            let r = usize::try_from(r)
                .ok()
                .filter(|&r| r < num_rows)
                .ok_or_else(|| PyValueError::new_err(format!("row {r} is not in 0..{num_rows}")))?;
            by_row[r].push(i);
        }
        let mut linker = Linker::new(false);
        for edges in &by_row {
            let mut phones = Vec::new();
            let mut emails = Vec::new();
            for &i in edges {
                let k = key_text[i].as_str();
                match e164_key(k) {
                    Some(p) => phones.push(p),
                    None if !k.is_empty() => emails.push(k),
                    None => {}
                }
            }
            linker
                .add_row(&phones, &emails, 0, "")
                .map_err(|e| PyValueError::new_err(e.to_string()))?;
        }
        let groups = linker.finish(max_group);
        Ok::<_, PyErr>(group_array(&groups, num_rows))
    })?;
    Ok(PyArray::from_array_ref(out).to_pyarrow(py)?.unbind())
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(normalize_phones, m)?)?;
    m.add_function(wrap_pyfunction!(normalize_emails, m)?)?;
    m.add_function(wrap_pyfunction!(clean_batch, m)?)?;
    m.add_function(wrap_pyfunction!(link, m)?)?;
    m.add_function(wrap_pyfunction!(merge_keys, m)?)?;
    m.add_function(wrap_pyfunction!(link_keys, m)?)?;
    m.add("METADATA_VERSION", contactclean::phone::METADATA_VERSION)?;
    Ok(())
}
