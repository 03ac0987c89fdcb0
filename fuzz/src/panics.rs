//! Panics that the product catches itself must not count as crashes; panics that escape must.
//!
//! `libfuzzer-sys` installs a panic hook that aborts on *every* panic, before unwinding. That
//! would report the panic `rlibphonenumber` raises on some inputs (`tel:` after
//! `;phone-context=`), which `contactclean::phone` deliberately catches and turns into a
//! `not_a_number` flag. So the targets replace that hook with one that only records the panic
//! (message, place, backtrace), and run each input under [`guard`]: a panic that unwinds out of
//! the code under test prints what was recorded and aborts, which libFuzzer reports as a crash
//! and saves as an artifact.

use std::backtrace::Backtrace;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Mutex;

static LAST: Mutex<Option<String>> = Mutex::new(None);

/// Replaces the panic hook (call once, from the target's `init`).
pub fn record_panics() {
    panic::set_hook(Box::new(|info| {
        let thread = std::thread::current();
        let text = format!(
            "thread '{}' panicked at {}:\n{}\nstack backtrace:\n{}",
            thread.name().unwrap_or("<unnamed>"),
            info.location()
                .map_or_else(|| "?".to_string(), |l| l.to_string()),
            payload_text(info.payload()),
            Backtrace::force_capture()
        );
        if let Ok(mut last) = LAST.lock() {
            *last = Some(text);
        }
    }));
}

fn payload_text(p: &(dyn std::any::Any + Send)) -> &str {
    p.downcast_ref::<&str>()
        .copied()
        .or_else(|| p.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("<non-string panic payload>")
}

/// Runs one input; a panic escaping `f` is a crash: print it and abort.
pub fn guard<T>(f: impl FnOnce() -> T) {
    if let Ok(mut last) = LAST.lock() {
        *last = None;
    }
    if panic::catch_unwind(AssertUnwindSafe(f)).is_err() {
        let text = LAST
            .lock()
            .ok()
            .and_then(|mut l| l.take())
            .unwrap_or_else(|| "a panic escaped (no message recorded)".to_string());
        eprintln!("\n==== panic escaped the code under test ====\n{text}");
        std::process::abort();
    }
}
