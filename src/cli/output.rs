//! PROVISIONAL stub (replaced by the atomic-output module).
use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

pub enum Target {
    Stdout,
    Path(PathBuf),
}

impl Target {
    pub fn from_arg(p: Option<&Path>) -> Target {
        match p {
            Some(p) if p.as_os_str() != "-" => Target::Path(p.to_path_buf()),
            _ => Target::Stdout,
        }
    }
}

pub struct Planned {
    pub option: &'static str,
    pub target: Target,
}

impl Planned {
    pub fn new(option: &'static str, p: Option<&Path>) -> Option<Planned> {
        p.map(|p| Planned {
            option,
            target: Target::from_arg(Some(p)),
        })
    }
}

pub fn check_plan(_input: Option<&Path>, _outputs: &[Planned]) -> Result<(), String> {
    Ok(())
}

pub enum Output {
    Stdout(io::Stdout),
    File(File, String),
}

impl Output {
    pub fn open(t: &Target) -> io::Result<Output> {
        Ok(match t {
            Target::Stdout => Output::Stdout(io::stdout()),
            Target::Path(p) => Output::File(
                File::create(p)
                    .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", p.display())))?,
                p.display().to_string(),
            ),
        })
    }
    pub fn name(&self) -> &str {
        match self {
            Output::Stdout(_) => "<stdout>",
            Output::File(_, n) => n,
        }
    }
    pub fn is_stdout(&self) -> bool {
        matches!(self, Output::Stdout(_))
    }
    pub fn commit(mut self) -> io::Result<()> {
        self.flush()
    }
}

impl Write for Output {
    fn write(&mut self, b: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(s) => s.write(b),
            Output::File(f, _) => f.write(b),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(s) => s.flush(),
            Output::File(f, _) => f.flush(),
        }
    }
}

pub fn stdout_is_open() -> bool {
    true
}

pub fn stderr_line(msg: &str) {
    let _ = writeln!(io::stderr(), "{msg}");
}

pub fn install_signal_cleanup() {}
