//! The one guard every call into the phone library goes through.
//!
//! `rlibphonenumber` can panic on odd input (`tel:` after `;phone-context=`, see
//! `docs/phone-library.md`). Such a panic is the library's verdict on one cell, so it becomes
//! a cell reason. Any panic raised *outside* the guard is a bug in this crate and must end the
//! run loudly (`job::Error::Internal`): the guard never catches more than the library call.

use std::cell::Cell;
use std::panic::{catch_unwind, AssertUnwindSafe};

thread_local! {
    static DEPTH: Cell<u32> = const { Cell::new(0) };
}

/// The phone library panicked inside [`library`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LibraryPanic;

/// Runs one call into the phone library, turning its panic into [`LibraryPanic`].
pub fn library<T>(f: impl FnOnce() -> T) -> Result<T, LibraryPanic> {
    DEPTH.with(|d| d.set(d.get() + 1));
    let res = catch_unwind(AssertUnwindSafe(f));
    DEPTH.with(|d| d.set(d.get() - 1));
    res.map_err(|_| LibraryPanic)
}

/// True while the current thread is inside [`library`]: a panic hook uses it to stay silent
/// about panics that become cell reasons, and to report every other one.
pub fn in_guard() -> bool {
    DEPTH.with(|d| d.get() > 0)
}

/// The message of a caught panic's payload.
pub fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "panic with a non-text payload".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_is_caught_and_the_depth_restored() {
        assert_eq!(library(|| panic!("boom")), Err::<(), _>(LibraryPanic));
        assert!(!in_guard());
        assert_eq!(library(in_guard), Ok(true));
    }
}
