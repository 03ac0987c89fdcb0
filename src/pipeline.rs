//! The streaming engine behind [`crate::job::Job`]: read records in batches, clean each batch on
//! rayon's pool, hand the results to the sinks in input order. Reading, cleaning and writing
//! overlap (three stages joined by bounded channels), and memory is bounded by the batch size
//! and the channel depth, not by the file.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};

use csv::ByteRecord;
use rayon::prelude::*;

use crate::error::{At, Error};
use crate::guard::panic_message;
use crate::reason::Reason;
use crate::row::{CleanRow, Cleaner, RowFlag};
use crate::sink::{Context, Processed, Sink};
use crate::source::{utf8_error, utf8_fields, RecordInfo, RecordSource};

/// Records per batch: big enough to amortise the hand-offs, small enough that a batch (~120 KB
/// of fields on a typical contact file, plus its cleaned rows) is still in the L2 cache when
/// the next stage takes it. Measured on 1M rows (docs/performance.md): 1024 used ~20 % less
/// CPU than 4096 or 16384; 256 paid more in hand-offs.
pub const BATCH: usize = 1024;
/// A batch also ends once its fields pass this many bytes, so very wide rows do not multiply
/// memory by the batch's record count (a batch always holds at least one record).
pub const BATCH_BYTES: usize = 4 << 20;
/// Batches in flight between two stages.
const DEPTH: usize = 4;

/// Tuning of the engine.
#[derive(Clone, Copy, Debug)]
pub struct Tuning {
    /// Records per batch (at least 1).
    pub batch: usize,
    /// Bytes of fields per batch, at most (a batch always holds at least one record).
    pub batch_bytes: usize,
    /// Testing aid: a worker panics (outside the phone library's guard) on this record, to
    /// prove that such a bug ends the run with [`Error::Internal`].
    #[doc(hidden)]
    pub panic_at_record: Option<u64>,
}

impl Default for Tuning {
    fn default() -> Self {
        Tuning {
            batch: BATCH,
            batch_bytes: BATCH_BYTES,
            panic_at_record: None,
        }
    }
}

struct Batch {
    first_record: u64,
    records: Vec<ByteRecord>,
    infos: Vec<RecordInfo>,
}

/// What a worker made of one record.
enum Cleaned {
    Row(CleanRow, String),
    /// Not UTF-8: the writer turns it into the run's error, in input order.
    NotUtf8,
    /// The existing flags column holds something this tool did not write.
    ForeignFlags,
}

struct Done {
    batch: Batch,
    rows: Vec<Cleaned>,
}

/// Runs every record of `source` through `cleaner` into `sinks`, in input order; `progress`
/// is called on the writer stage with the number of records done after each batch.
pub(crate) fn run<S: RecordSource>(
    source: &mut S,
    cleaner: &Cleaner,
    tuning: Tuning,
    sinks: &mut [&mut dyn Sink],
    ctx: &Context,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<u64, Error> {
    if tuning.batch == 0 || tuning.batch_bytes == 0 {
        return Err(Error::Options(
            "a batch must hold at least one record and one byte".into(),
        ));
    }
    for s in sinks.iter_mut() {
        s.begin(ctx)?;
    }
    let (to_clean, from_reader) = sync_channel::<Result<Batch, Error>>(DEPTH);
    let (to_write, from_cleaner) = sync_channel::<Done>(DEPTH);
    // Written batches go back to the reader, which reuses their records (and buffers) and frees
    // their cleaned rows.
    let (to_reuse, spare) = channel::<Done>();
    let writer_sinks = &mut *sinks;
    let n = std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            catch_unwind(AssertUnwindSafe(|| {
                read_batches(source, tuning, to_clean, spare)
            }))
        });
        let writer = scope.spawn(move || {
            catch_unwind(AssertUnwindSafe(|| {
                write_batches(from_cleaner, to_reuse, writer_sinks, ctx, progress)
            }))
        });
        let cleaned = catch_unwind(AssertUnwindSafe(|| {
            clean_batches(from_reader, to_write, cleaner, tuning)
        }));
        // The writer ends when the cleaner drops its sender; a writer error stops the cleaner
        // (its send fails), which stops the reader the same way.
        let written = joined(writer.join());
        let read = joined(reader.join());
        let cleaned = cleaned
            .map_err(|p| Error::Internal(panic_message(&*p)))
            .and_then(|r| r);
        // A bug anywhere is reported before anything it may have caused.
        for r in [&read, &cleaned] {
            if let Err(Error::Internal(m)) = r {
                return Err(Error::Internal(m.clone()));
            }
        }
        if let Err(Error::Internal(m)) = &written {
            return Err(Error::Internal(m.clone()));
        }
        read?;
        // The writer's error (a record that is not UTF-8, or an output failing) comes from
        // earlier in the file than a record the reader refused, which it passed on last.
        let n = written?;
        cleaned?;
        Ok(n)
    })?;
    for s in sinks.iter_mut() {
        s.finish()?;
    }
    Ok(n)
}

/// A stage's result, with a panic turned into [`Error::Internal`].
fn joined<T>(r: std::thread::Result<std::thread::Result<Result<T, Error>>>) -> Result<T, Error> {
    match r {
        Ok(Ok(res)) => res,
        Ok(Err(p)) | Err(p) => Err(Error::Internal(panic_message(&*p))),
    }
}

fn write_batches(
    from_cleaner: Receiver<Done>,
    to_reuse: std::sync::mpsc::Sender<Done>,
    sinks: &mut [&mut dyn Sink],
    ctx: &Context,
    progress: &mut (dyn FnMut(u64) + Send),
) -> Result<u64, Error> {
    let mut n = 0;
    for done in from_cleaner {
        let batch = &done.batch;
        for (i, (input, cleaned)) in batch.records.iter().zip(&done.rows).enumerate() {
            let record = batch.first_record + i as u64;
            let line = batch.infos[i].line;
            let at = At { record, line };
            let (row, flags) = match cleaned {
                Cleaned::Row(row, flags) => (row, flags),
                // The records before it are written; then the run stops.
                Cleaned::NotUtf8 => return Err(utf8_error(input, at, &ctx.cleaner.header)),
                Cleaned::ForeignFlags => return Err(foreign_flags(input, at, ctx.cleaner)),
            };
            let p = Processed {
                record,
                line,
                input,
                row,
                flags,
            };
            for s in sinks.iter_mut() {
                s.record(&p, ctx)?;
            }
        }
        n += done.rows.len() as u64;
        progress(n);
        // The reader reuses the records and frees the cleaned rows: the writer is the busiest
        // single thread when it also links duplicates.
        let _ = to_reuse.send(done);
    }
    Ok(n)
}

fn foreign_flags(input: &ByteRecord, at: At, cleaner: &Cleaner) -> Error {
    let col = cleaner.layout.flags.unwrap_or(0);
    Error::ForeignFlags {
        at,
        column: cleaner.header.get(col).cloned().unwrap_or_default(),
        value: String::from_utf8_lossy(input.get(col).unwrap_or_default()).into_owned(),
    }
}

fn clean_batches(
    from_reader: Receiver<Result<Batch, Error>>,
    to_write: SyncSender<Done>,
    cleaner: &Cleaner,
    tuning: Tuning,
) -> Result<(), Error> {
    let width = cleaner.header.len();
    for batch in from_reader {
        let batch = batch?;
        let first = batch.first_record;
        let rows = batch
            .records
            .par_iter()
            .zip(&batch.infos)
            .enumerate()
            // One field buffer per worker, reused across records.
            .map_init(Vec::new, |fields: &mut Vec<&str>, (i, (rec, info))| {
                if tuning.panic_at_record == Some(first + i as u64) {
                    panic!("injected fault at record {}", first + i as u64);
                }
                if !utf8_fields(rec, fields) {
                    return Cleaned::NotUtf8;
                }
                let row = cleaner.clean(fields, fields.len() != width);
                if row.foreign_flags {
                    return Cleaned::ForeignFlags;
                }
                let mut row = row;
                if info.damaged {
                    row.flags.push(RowFlag {
                        slot: None,
                        reason: Reason::Encoding,
                        detail: None,
                    });
                }
                if info.malformed {
                    row.flags.push(RowFlag {
                        slot: None,
                        reason: Reason::Malformed,
                        detail: None,
                    });
                }
                let flags = row.flags_cell(cleaner);
                Cleaned::Row(row, flags)
            })
            .collect();
        if to_write.send(Done { batch, rows }).is_err() {
            break;
        }
    }
    Ok(())
}

fn read_batches<S: RecordSource>(
    source: &mut S,
    tuning: Tuning,
    to_clean: SyncSender<Result<Batch, Error>>,
    spare: Receiver<Done>,
) -> Result<(), Error> {
    let mut next = 1u64;
    loop {
        let (mut records, mut infos) = spare
            .try_recv()
            .map(|done| (done.batch.records, done.batch.infos))
            .unwrap_or_default();
        infos.clear();
        let mut failure = None;
        let mut bytes = 0;
        let mut end = false;
        while infos.len() < tuning.batch && bytes < tuning.batch_bytes {
            let n = infos.len();
            if n == records.len() {
                records.push(ByteRecord::new());
            }
            match source.read(&mut records[n]) {
                Ok(None) => {
                    end = true;
                    break;
                }
                Ok(Some(info)) => {
                    bytes += records[n].as_slice().len();
                    infos.push(info);
                }
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        records.truncate(infos.len());
        let count = infos.len() as u64;
        if count > 0
            && to_clean
                .send(Ok(Batch {
                    first_record: next,
                    records,
                    infos,
                }))
                .is_err()
        {
            return Ok(());
        }
        next += count;
        if let Some(e) = failure {
            // The records before the bad one are still written; then the run stops.
            let _ = to_clean.send(Err(e));
            return Ok(());
        }
        if end {
            return Ok(());
        }
    }
}
