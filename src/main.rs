//! The `contactclean` binary: parse the command line, run the subcommand, map the outcome to
//! an exit code and one error line. Exit codes: 0 success, 1 the run failed (data, I/O or a
//! bug; for `check`: the gate failed), 2 a usage error, 3 `check` could not run.

mod cli;

use std::process::ExitCode;
use std::sync::Mutex;

use clap::Parser;

use cli::output::stderr_line;
use cli::{Cli, Command, FailKind};

/// The phone library allocates on every parse; mimalloc's thread-local heaps keep that cheap
/// and free of contention between the rayon workers (measured in docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Where the last panic outside the library's guard happened (the hook sees the location;
/// the error that reaches `main` carries only the message).
static PANIC_AT: Mutex<Option<String>> = Mutex::new(None);

fn main() -> ExitCode {
    quiet_panics();
    if let Err(e) = cli::output::install_signal_cleanup() {
        stderr_line(&format!("contactclean: cannot watch for signals: {e}"));
        return ExitCode::from(1);
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let is_check = matches!(cli.command, Command::Check(_));
    let jobs = match &cli.command {
        Command::Normalize(a) => a.input.jobs,
        Command::Dedupe(a) => a.input.jobs,
        Command::Merge(a) => a.input.jobs,
        Command::Check(a) => a.input.jobs,
    };
    if jobs > 0 {
        if let Err(e) = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs)
            .build_global()
        {
            stderr_line(&format!("contactclean: -j {jobs}: {e}"));
            return ExitCode::from(2);
        }
    }
    // A panic in the command line's own code is a bug too: one line, not a silent 101.
    let result = std::panic::catch_unwind(|| match cli.command {
        Command::Normalize(a) => cli::normalize::run(a),
        Command::Dedupe(a) => cli::dedupe::run(a),
        Command::Merge(a) => cli::merge::run(a),
        Command::Check(a) => cli::check::run(a),
    })
    .unwrap_or_else(|p| {
        Err(cli::Failure::internal(contactclean::guard::panic_message(
            &*p,
        )))
    });
    match result {
        Ok(code) => ExitCode::from(code),
        // `contactclean … | head` closes our stdout early: the reader's choice. `check` has
        // no such exit: its verdict is what a CI job reads.
        Err(f) if f.stdout_closed && !is_check => ExitCode::SUCCESS,
        Err(f) => {
            let mut line = one_line(&f.message);
            if f.kind == FailKind::Internal {
                if let Some(at) = PANIC_AT.lock().ok().and_then(|p| p.clone()) {
                    line.push_str(&format!(" (at {at})"));
                }
            }
            stderr_line(&format!("contactclean: {line}"));
            ExitCode::from(match (f.kind, is_check) {
                (FailKind::Usage, _) => 2,
                (_, true) => 3,
                (_, false) => 1,
            })
        }
    }
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// No panic prints a backtrace. A panic inside the phone library's guard becomes a cell
/// reason and says nothing; any other is a bug, which the library turns into an error that
/// `main` prints as one `internal error` line (with the location kept here).
fn quiet_panics() {
    std::panic::set_hook(Box::new(|info| {
        if contactclean::guard::in_guard() {
            return;
        }
        if let (Ok(mut at), Some(l)) = (PANIC_AT.lock(), info.location()) {
            at.get_or_insert_with(|| l.to_string());
        }
    }));
}
