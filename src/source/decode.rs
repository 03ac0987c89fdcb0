//! Decoding to UTF-8 that never hides damage.
//!
//! `encoding_rs_io` turns every malformed sequence into U+FFFD and says nothing, so a file with
//! bytes that are not in its encoding "succeeds" with altered cells. [`StrictDecoder`] writes
//! the same U+FFFD (so parsing can go on and report every record it touches) but logs each
//! one, with where it is in the output and which input bytes it replaced, in a [`DamageLog`]
//! the consumer checks per record.

use std::collections::VecDeque;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use encoding_rs::{Decoder, DecoderResult, Encoding};

/// U+FFFD in UTF-8.
const REPLACEMENT: [u8; 3] = [0xEF, 0xBF, 0xBD];
/// Input buffer size: big enough that reads of the inner reader are rare next to decoding.
const IN_BUF: usize = 32 * 1024;
/// Consumed input bytes kept in front of the unconsumed ones: a malformed sequence reported
/// by the decoder may have started in an earlier buffer (at most 6 bytes back, per
/// `DecoderResult::Malformed`).
const HISTORY: usize = 8;
/// Caller buffers smaller than this are served from `spill`, because the decoder needs room
/// for a whole character (and we for a whole U+FFFD).
const SPILL: usize = 16;

/// One malformed input sequence, replaced by U+FFFD in the decoded stream.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Damage {
    /// Byte offset of the U+FFFD in the decoded stream.
    pub out_offset: u64,
    /// The offending input bytes (at most 4).
    pub bytes: Vec<u8>,
    /// Byte offset of the first offending byte in the raw input (a BOM counts).
    pub in_offset: u64,
}

/// Shared, cloneable record of the damage a [`StrictDecoder`] found, in stream order.
///
/// The decoder pushes; the consumer (same or another thread) pops with
/// [`first_before`](Self::first_before) as its records go by. Both checks are one atomic load
/// when there is nothing to report, so clean files pay nothing per record. Records are kept
/// until popped: a consumer that never pops holds every one of them.
#[derive(Clone, Debug, Default)]
pub struct DamageLog {
    inner: Arc<LogInner>,
}

#[derive(Debug, Default)]
struct LogInner {
    /// Records ever pushed.
    total: AtomicU64,
    /// Records pushed and not yet popped (the lock-free fast path of `first_before`).
    pending: AtomicU64,
    queue: Mutex<VecDeque<Damage>>,
}

impl DamageLog {
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether any damage has been recorded so far (popped or not).
    pub fn any(&self) -> bool {
        self.inner.total.load(Ordering::Acquire) > 0
    }

    /// How many malformed sequences have been recorded so far.
    pub fn count(&self) -> u64 {
        self.inner.total.load(Ordering::Acquire)
    }

    /// Pops the oldest unpopped damage if its U+FFFD lies before `out_offset` (e.g. the end
    /// of the record just parsed). Call repeatedly to drain all damage before that offset.
    pub fn first_before(&self, out_offset: u64) -> Option<Damage> {
        if self.inner.pending.load(Ordering::Acquire) == 0 {
            return None;
        }
        let mut q = self.queue();
        if q.front()?.out_offset < out_offset {
            self.inner.pending.fetch_sub(1, Ordering::AcqRel);
            q.pop_front()
        } else {
            None
        }
    }

    fn push(&self, d: Damage) {
        self.queue().push_back(d);
        self.inner.pending.fetch_add(1, Ordering::AcqRel);
        self.inner.total.fetch_add(1, Ordering::AcqRel);
    }

    fn queue(&self) -> MutexGuard<'_, VecDeque<Damage>> {
        // A panic while holding the lock cannot leave the queue half-updated.
        self.inner.queue.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A `Read` adapter decoding `R` from a given encoding to UTF-8, logging every malformed
/// sequence (see the module doc).
///
/// A byte-order mark at the start overrides the given encoding and is stripped, as the
/// `encoding_rs_io` setup it replaces did (`bom_override(true)`, `strip_bom(true)`); its
/// output is byte for byte what that reader produced.
pub struct StrictDecoder<R: Read> {
    inner: R,
    decoder: Decoder,
    log: DamageLog,
    buf: Box<[u8]>,
    /// Unconsumed input is `buf[start..end]`; up to `HISTORY` consumed bytes precede it.
    start: usize,
    end: usize,
    /// Input offset of `buf[0]`.
    base: u64,
    /// Bytes of decoded output produced so far (including any still in `spill`).
    out: u64,
    /// Decoded bytes not yet handed to the caller: `spill[spill_at..spill_len]`.
    spill: [u8; SPILL],
    spill_at: usize,
    spill_len: usize,
    /// The inner reader returned 0.
    eof: bool,
    /// The decoder has been flushed after EOF.
    done: bool,
}

impl<R: Read> StrictDecoder<R> {
    /// Decodes `inner` as `encoding` (unless a BOM says otherwise).
    pub fn new(inner: R, encoding: &'static Encoding) -> Self {
        StrictDecoder {
            inner,
            // BOM sniffing: a UTF-8/UTF-16 BOM overrides `encoding` and is removed.
            decoder: encoding.new_decoder(),
            log: DamageLog::new(),
            buf: vec![0; IN_BUF].into_boxed_slice(),
            start: 0,
            end: 0,
            base: 0,
            out: 0,
            spill: [0; SPILL],
            spill_at: 0,
            spill_len: 0,
            eof: false,
            done: false,
        }
    }

    /// A handle on the damage log, for the consumer.
    pub fn log(&self) -> DamageLog {
        self.log.clone()
    }

    /// The encoding being decoded: the given one, or the one a BOM named (once the decoder
    /// has seen the start of the input).
    pub fn encoding(&self) -> &'static Encoding {
        self.decoder.encoding()
    }

    pub fn get_ref(&self) -> &R {
        &self.inner
    }

    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Reads more input after all of `buf` has been consumed, keeping the last `HISTORY`
    /// consumed bytes in front.
    fn refill(&mut self) -> io::Result<()> {
        debug_assert_eq!(self.start, self.end);
        let keep = self.start.min(HISTORY);
        self.buf.copy_within(self.start - keep..self.start, 0);
        self.base += (self.start - keep) as u64;
        self.start = keep;
        self.end = keep;
        let n = self.inner.read(&mut self.buf[keep..])?;
        self.end += n;
        if n == 0 {
            self.eof = true;
        }
        Ok(())
    }

    /// Decodes into `dst` (at least `SPILL` bytes unless it is `spill`), returning the bytes
    /// written. Puts a U+FFFD that does not fit into `spill`.
    fn decode_into(&mut self, dst: &mut [u8], into_spill: bool) -> usize {
        let (res, nin, mut nout) = self.decoder.decode_to_utf8_without_replacement(
            &self.buf[self.start..self.end],
            dst,
            self.eof,
        );
        self.start += nin;
        self.out += nout as u64;
        match res {
            DecoderResult::InputEmpty => {
                if self.eof {
                    self.done = true;
                }
            }
            DecoderResult::OutputFull => {}
            DecoderResult::Malformed(bad, extra) => {
                let seq_end = self.start - extra as usize;
                let seq_start = seq_end.saturating_sub(bad as usize);
                let bytes = self.buf[seq_start..seq_end.min(seq_start + 4)].to_vec();
                self.log.push(Damage {
                    out_offset: self.out,
                    bytes,
                    in_offset: self.base + seq_start as u64,
                });
                self.out += 3;
                if dst.len() - nout >= 3 {
                    dst[nout..nout + 3].copy_from_slice(&REPLACEMENT);
                    nout += 3;
                } else {
                    debug_assert!(!into_spill, "spill always has room for U+FFFD");
                    self.spill[..3].copy_from_slice(&REPLACEMENT);
                    self.spill_at = 0;
                    self.spill_len = 3;
                }
            }
        }
        nout
    }
}

impl<R: Read> Read for StrictDecoder<R> {
    fn read(&mut self, dst: &mut [u8]) -> io::Result<usize> {
        if dst.is_empty() {
            return Ok(0);
        }
        loop {
            if self.spill_at < self.spill_len {
                let n = (self.spill_len - self.spill_at).min(dst.len());
                dst[..n].copy_from_slice(&self.spill[self.spill_at..self.spill_at + n]);
                self.spill_at += n;
                return Ok(n);
            }
            if self.done {
                return Ok(0);
            }
            if self.start == self.end && !self.eof {
                self.refill()?;
                continue;
            }
            if dst.len() < SPILL {
                let mut spill = [0; SPILL];
                let n = self.decode_into(&mut spill, true);
                self.spill = spill;
                self.spill_at = 0;
                self.spill_len = n;
            } else {
                let n = self.decode_into(dst, false);
                if n > 0 {
                    return Ok(n);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Chunked;
    use super::*;
    use encoding_rs::{SHIFT_JIS, UTF_16BE, UTF_16LE, UTF_8, WINDOWS_1252};
    use proptest::prelude::*;

    /// Decodes `input` reading `chunk` input bytes and `out` output bytes at a time.
    fn decode(
        input: &[u8],
        enc: &'static Encoding,
        chunk: usize,
        out: usize,
    ) -> (Vec<u8>, Vec<Damage>) {
        let mut d = StrictDecoder::new(
            Chunked {
                data: input,
                n: chunk,
            },
            enc,
        );
        let log = d.log();
        let mut got = Vec::new();
        let mut buf = vec![0; out];
        loop {
            let n = d.read(&mut buf).unwrap();
            if n == 0 {
                break;
            }
            got.extend_from_slice(&buf[..n]);
        }
        let mut damage = Vec::new();
        while let Some(x) = log.first_before(u64::MAX) {
            damage.push(x);
        }
        assert_eq!(log.count(), damage.len() as u64);
        assert_eq!(log.any(), !damage.is_empty());
        (got, damage)
    }

    /// What the reader this replaces produced (read in 8 KiB buffers: with smaller ones it
    /// can drop the end of a U+FFFD at EOF, e.g. Shift_JIS `A0 A0 EF`).
    fn lossy(input: &[u8], enc: &'static Encoding) -> Vec<u8> {
        let mut out = Vec::new();
        let mut r = encoding_rs_io::DecodeReaderBytesBuilder::new()
            .encoding(Some(enc))
            .bom_override(true)
            .strip_bom(true)
            .build(input);
        let mut buf = vec![0; 8192];
        loop {
            let n = r.read(&mut buf).unwrap();
            if n == 0 {
                return out;
            }
            out.extend_from_slice(&buf[..n]);
        }
    }

    fn d(out_offset: u64, bytes: &[u8], in_offset: u64) -> Damage {
        Damage {
            out_offset,
            bytes: bytes.to_vec(),
            in_offset,
        }
    }

    #[test]
    fn clean_input_passes_unchanged() {
        let (out, damage) = decode(b"caf\xe9,1\n", WINDOWS_1252, 1024, 8192);
        assert_eq!(out, "café,1\n".as_bytes());
        assert!(damage.is_empty());
        let (out, damage) = decode(b"", UTF_8, 1024, 8192);
        assert!(out.is_empty() && damage.is_empty());
    }

    #[test]
    fn invalid_utf8_is_logged() {
        let (out, damage) = decode(b"ab\xffc\xe2\x82", UTF_8, 1024, 8192);
        assert_eq!(out, "ab\u{FFFD}c\u{FFFD}".as_bytes());
        // The truncated sequence at EOF is one malformed sequence of 2 bytes.
        assert_eq!(damage, vec![d(2, b"\xff", 2), d(6, b"\xe2\x82", 4)]);
    }

    #[test]
    fn lone_surrogate_in_utf16_is_logged() {
        // "a", lone high surrogate D800, "b" in UTF-16LE.
        let input = b"a\x00\x00\xd8b\x00";
        let (out, damage) = decode(input, UTF_16LE, 1024, 8192);
        assert_eq!(out, "a\u{FFFD}b".as_bytes());
        assert_eq!(damage.len(), 1);
        assert_eq!(damage[0].out_offset, 1);
        assert_eq!(damage[0].in_offset, 2);
        assert_eq!(damage[0].bytes, b"\x00\xd8");
    }

    #[test]
    fn invalid_shift_jis_is_logged() {
        // 0xA0 is not a Shift_JIS byte; a lead byte (0x82) before an ASCII byte is damage
        // and the ASCII byte is kept.
        let (out, damage) = decode(b"x\xa0y\x82 z", SHIFT_JIS, 1024, 8192);
        assert_eq!(out, "x\u{FFFD}y\u{FFFD} z".as_bytes());
        assert_eq!(damage, vec![d(1, b"\xa0", 1), d(5, b"\x82", 3)]);
    }

    #[test]
    fn bom_overrides_label_and_is_stripped() {
        let (out, damage) = decode(b"\xff\xfea\x00", WINDOWS_1252, 1024, 8192);
        assert_eq!(out, b"a");
        assert!(damage.is_empty());
        let (out, _) = decode(b"\xfe\xff\x00a", UTF_16LE, 1, 8192);
        assert_eq!(out, b"a");
        let (out, _) = decode(b"\xef\xbb\xbfcaf\xc3\xa9", WINDOWS_1252, 2, 8192);
        assert_eq!(out, "café".as_bytes());
        // The BOM counts in input offsets.
        let (_, damage) = decode(b"\xef\xbb\xbfa\xff", WINDOWS_1252, 1024, 8192);
        assert_eq!(damage, vec![d(1, b"\xff", 4)]);
    }

    #[test]
    fn sequences_split_between_reads() {
        let text = "é€😀,ü\n".repeat(50);
        for enc in [UTF_8, UTF_16LE, UTF_16BE] {
            // `Encoding::encode` writes UTF-8 for UTF-16 labels, so UTF-16 is built by hand.
            let input: Vec<u8> = if enc == UTF_16LE {
                text.encode_utf16().flat_map(u16::to_le_bytes).collect()
            } else if enc == UTF_16BE {
                text.encode_utf16().flat_map(u16::to_be_bytes).collect()
            } else {
                text.as_bytes().to_vec()
            };
            for chunk in [1, 2, 3, 5, 7] {
                for out in [1, 2, 3, 4, 17, 64] {
                    let (got, damage) = decode(&input, enc, chunk, out);
                    assert_eq!(got, text.as_bytes(), "{enc:?} chunk {chunk} out {out}");
                    assert!(damage.is_empty());
                }
            }
        }
    }

    #[test]
    fn replacement_split_across_small_caller_buffers() {
        for out in 1..8 {
            let (got, damage) = decode(b"a\xffb\xfe", UTF_8, 1, out);
            assert_eq!(got, "a\u{FFFD}b\u{FFFD}".as_bytes());
            assert_eq!(damage, vec![d(1, b"\xff", 1), d(5, b"\xfe", 3)]);
        }
    }

    #[test]
    fn first_before_pops_in_order() {
        let (mut dec, log) = {
            let d = StrictDecoder::new(&b"\xff,a\n\xff\xff\n"[..], UTF_8);
            let log = d.log();
            (d, log)
        };
        assert!(!log.any());
        assert_eq!(log.first_before(u64::MAX), None);
        let mut out = Vec::new();
        dec.read_to_end(&mut out).unwrap();
        assert!(log.any());
        // Record 1 is bytes 0..6 ("\u{FFFD},a\n").
        assert_eq!(log.first_before(6).map(|d| d.out_offset), Some(0));
        assert_eq!(log.first_before(6), None);
        assert_eq!(log.first_before(13).map(|d| d.out_offset), Some(6));
        assert_eq!(log.first_before(13).map(|d| d.out_offset), Some(9));
        assert_eq!(log.first_before(13), None);
        assert_eq!(log.count(), 3);
        // The handle works from another thread.
        let l2 = log.clone();
        std::thread::spawn(move || assert!(l2.any()))
            .join()
            .unwrap();
    }

    fn encodings() -> impl Strategy<Value = &'static Encoding> {
        prop::sample::select(vec![UTF_8, UTF_16LE, UTF_16BE, WINDOWS_1252, SHIFT_JIS])
    }

    proptest! {
        /// Output is exactly encoding_rs's one-shot decoding with replacement (BOM sniffed),
        /// and the old lossy reader's, at any read sizes; every U+FFFD that came from the
        /// input (not a literal one) is logged at its offset, with its input bytes.
        #[test]
        fn matches_lossy_reader_and_logs_each_replacement(
            input in prop::collection::vec(
                prop_oneof![
                    4 => any::<u8>(),
                    4 => prop::sample::select(b"a,\n\xef\xbb\xbf\xff\xfe\xd8\xdc\x82\xc3".to_vec()),
                ],
                0..64,
            ),
            enc in encodings(),
            chunk in 1usize..9,
            out in 1usize..40,
        ) {
            let (got, damage) = decode(&input, enc, chunk, out);
            let (expected, _, had_errors) = enc.decode(&input);
            prop_assert_eq!(&got, expected.as_bytes());
            prop_assert_eq!(&got, &lossy(&input, enc));
            let mut last_in = None;
            for x in &damage {
                let at = x.out_offset as usize;
                prop_assert_eq!(&got[at..at + 3], &REPLACEMENT[..]);
                prop_assert!(!x.bytes.is_empty() && x.bytes.len() <= 4);
                let i = x.in_offset as usize;
                prop_assert_eq!(&input[i..i + x.bytes.len()], &x.bytes[..]);
                prop_assert!(last_in < Some(x.in_offset));
                last_in = Some(x.in_offset);
            }
            // Clean decoding means no damage, and the other way round.
            prop_assert_eq!(had_errors, !damage.is_empty());
        }
    }
}
