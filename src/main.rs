//! The `contactclean` binary: parse the command line, run the subcommand, map the outcome to
//! an exit code (0 ok, 1 data or I/O error / failed check, 2 usage error) and one error line.

mod cli;

use std::io;
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, Command, UsageError};

/// The phone library allocates on every parse; mimalloc's thread-local heaps keep that cheap
/// and free of contention between the rayon workers (measured in docs/performance.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    quiet_library_panics();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let result = match cli.command {
        Command::Normalize(a) => cli::normalize::run(a),
        Command::Dedupe(a) => cli::dedupe::run(a),
        Command::Check(a) => cli::check::run(a),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("contactclean: {}", one_line(&format!("{e:#}")));
            ExitCode::from(if e.downcast_ref::<UsageError>().is_some() {
                2
            } else {
                1
            })
        }
    }
}

/// `contactclean … | head` closes our stdout early: that is the reader's choice, not an error.
fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<io::Error>()
            .is_some_and(|io| io.kind() == io::ErrorKind::BrokenPipe)
    })
}

fn one_line(s: &str) -> String {
    s.replace(['\n', '\r'], " ")
}

/// The phone library's known panic is caught per cell and becomes a flag; its message must not
/// reach the user's terminal. Any other panic is a bug: one line, not a backtrace.
fn quiet_library_panics() {
    std::panic::set_hook(Box::new(|info| {
        let from_library = info
            .location()
            .is_some_and(|l| l.file().contains("rlibphonenumber"));
        if !from_library {
            let msg = info
                .payload()
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| info.payload().downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let at = info
                .location()
                .map(|l| format!(" at {l}"))
                .unwrap_or_default();
            eprintln!("contactclean: internal error{at}: {}", one_line(&msg));
        }
    }));
}
