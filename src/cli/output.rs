//! The output side of "lose nothing": outputs are checked against the input and each other
//! before anything is read, files appear only complete (temp file + rename), an interrupted
//! run leaves the earlier file untouched, and a closed stdout or stderr is noticed.

use std::fs::{self, File, OpenOptions, Permissions};
use std::io::{self, BufWriter, ErrorKind, Write};
use std::os::fd::AsFd;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU8, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

use tempfile::TempPath;

/// Big enough that a CSV writer's output reaches the disk in few system calls.
const BUFFER: usize = 1 << 16;

/// Where one output goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// `-`, or an output option left out where stdout is the default.
    Stdout,
    Path(PathBuf),
}

impl Target {
    /// `-` means standard output, as for the input.
    pub fn from_arg(arg: &Path) -> Target {
        if arg.as_os_str() == "-" {
            Target::Stdout
        } else {
            Target::Path(arg.to_path_buf())
        }
    }
}

/// An output as the user asked for it, with the option that named it (for error messages).
#[derive(Debug, Clone)]
pub struct Planned {
    /// `-o`, `--rejects`, `--report`, `--suggestions`…
    pub option: &'static str,
    pub target: Target,
}

/// `/dev/stdout` and friends are stdout under another name: two of them would interleave.
fn is_stdout_alias(p: &Path) -> bool {
    ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"]
        .iter()
        .any(|a| p == Path::new(a))
}

/// What a path or stream is, for deciding whether two of them are the same file.
#[derive(Debug, Clone, PartialEq)]
enum Ident {
    /// Standard output; with its device and inode when it is a regular file (`> out.csv`).
    Stdout(Option<(u64, u64)>),
    /// An existing file (symlinks followed).
    Node(u64, u64),
    /// A file that does not exist yet: canonical parent directory + file name.
    Name(PathBuf),
    /// A character device such as `/dev/null`: sharing it loses nothing.
    Shared,
}

impl Ident {
    /// `stat`, not `same_file::Handle::from_path`: opening a FIFO to compare it would block.
    fn of_path(p: &Path) -> Ident {
        match fs::metadata(p) {
            Ok(m) if m.file_type().is_char_device() => Ident::Shared,
            Ok(m) => Ident::Node(m.dev(), m.ino()),
            Err(_) => Ident::Name(future_name(p)),
        }
    }

    fn of_target(t: &Target) -> Ident {
        match t {
            Target::Path(p) if !is_stdout_alias(p) => Ident::of_path(p),
            _ => Ident::Stdout(stdout_node()),
        }
    }

    fn node(&self) -> Option<(u64, u64)> {
        match *self {
            Ident::Stdout(n) => n,
            Ident::Node(d, i) => Some((d, i)),
            _ => None,
        }
    }

    fn same(&self, other: &Ident) -> bool {
        match (self, other) {
            (Ident::Stdout(_), Ident::Stdout(_)) => true,
            (Ident::Name(a), Ident::Name(b)) => a == b,
            _ => self.node().is_some() && self.node() == other.node(),
        }
    }
}

/// Stdout's device and inode when it is a regular file: `normalize f.csv > f.csv` must be
/// caught even though the shell has already emptied f.csv.
fn stdout_node() -> Option<(u64, u64)> {
    let h = same_file::Handle::stdout().ok()?;
    let m = h.as_file().metadata().ok()?;
    m.is_file().then(|| (h.dev(), h.ino()))
}

/// Where a file that does not exist yet will be: symlinks at the path itself followed (even a
/// dangling one), then the parent canonicalized, so `./x`, `d/../x` and a link to x all agree.
fn future_name(p: &Path) -> PathBuf {
    let p = resolve_links(p).unwrap_or_else(|_| p.to_path_buf());
    let parent = match p.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match (fs::canonicalize(parent), p.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => std::path::absolute(&p).unwrap_or(p),
    }
}

/// Follows symlinks at `path` itself, dangling ones included, so that writing "through" a
/// link replaces the file it points to and the link stays a link.
fn resolve_links(path: &Path) -> io::Result<PathBuf> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let to = fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) => dir.join(to),
                    None => to,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(io::Error::from_raw_os_error(libc::ELOOP))
}

impl Planned {
    /// The plan for one output option, when it was given.
    pub fn new(option: &'static str, arg: Option<&Path>) -> Option<Planned> {
        arg.map(|a| Planned {
            option,
            target: Target::from_arg(a),
        })
    }
}

/// Refuses, before anything is read, a plan that would destroy the input or mix two outputs
/// in one file. `input` `None` or `-` is stdin, which collides with nothing.
pub fn check_plan(input: Option<&Path>, outputs: &[Planned]) -> Result<(), String> {
    let idents: Vec<Ident> = outputs
        .iter()
        .map(|o| Ident::of_target(&o.target))
        .collect();
    if let Some(input) = input.filter(|p| p.as_os_str() != "-") {
        let inp = Ident::of_path(input);
        for (o, id) in outputs.iter().zip(&idents) {
            if id.same(&inp) {
                return Err(match &o.target {
                    Target::Path(p) if !is_stdout_alias(p) => format!(
                        "{} {} is the input file; write the output elsewhere",
                        o.option,
                        p.display()
                    ),
                    _ => format!(
                        "{} writes to standard output, which is the input file {}; \
                         write the output elsewhere",
                        o.option,
                        input.display()
                    ),
                });
            }
        }
    }
    for (i, (a, ia)) in outputs.iter().zip(&idents).enumerate() {
        for (b, ib) in outputs[i + 1..].iter().zip(&idents[i + 1..]) {
            if ia.same(ib) {
                let what = match (&a.target, &b.target) {
                    (Target::Path(p), _) if !is_stdout_alias(p) => p.display().to_string(),
                    (_, Target::Path(p)) if !is_stdout_alias(p) => p.display().to_string(),
                    _ => "standard output".to_string(),
                };
                return Err(format!(
                    "{} and {} both write to {what}",
                    a.option, b.option
                ));
            }
        }
    }
    Ok(())
}

/// Keeps the kind (a broken pipe must stay recognisable) and puts the name in the message.
fn named(name: &str, e: io::Error) -> io::Error {
    io::Error::new(e.kind(), format!("{name}: {e}"))
}

/// Every temp file not yet renamed or removed, for the signal watcher to delete.
static TEMPS: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

/// A panic elsewhere must not stop the cleanup.
fn temps() -> MutexGuard<'static, Vec<PathBuf>> {
    TEMPS.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A file that appears at its path only complete: writes go to a temp file beside it, and
/// [`AtomicFile::commit`] renames it into place. Dropped uncommitted (an error, a panic), it
/// removes the temp file and leaves any earlier file untouched. A path that exists and is not
/// a regular file (a FIFO from `>(…)`, `/dev/null`) is written straight into.
///
/// Like any rename-into-place, a replaced file gets a new inode: other hard links to it keep
/// the old contents, and the owner becomes the user running contactclean (the mode is kept).
/// The directory must be writable, not just the file.
pub struct AtomicFile {
    name: String,
    out: BufWriter<File>,
    /// `None` when writing straight into a FIFO or device.
    temp: Option<TempPath>,
    /// What the rename replaces: the path, or the file a symlink there points to.
    dest: PathBuf,
}

impl AtomicFile {
    /// Creates the temp file now, so an unwritable output is reported before any record is
    /// read. Errors name `path`.
    pub fn create(path: impl AsRef<Path>) -> io::Result<AtomicFile> {
        let path = path.as_ref();
        let name = path.display().to_string();
        AtomicFile::open_in_place(path, &name).map_err(|e| named(&name, e))
    }

    fn open_in_place(path: &Path, name: &str) -> io::Result<AtomicFile> {
        if is_stdout_alias(path) {
            // The shell's own descriptor: keeps its offset and `>>` append mode.
            let fd = io::stdout().as_fd().try_clone_to_owned()?;
            return Ok(AtomicFile::direct(name, File::from(fd)));
        }
        let dest = resolve_links(path)?;
        let existing = match fs::metadata(&dest) {
            Ok(m) if m.is_dir() => {
                return Err(io::Error::new(ErrorKind::IsADirectory, "is a directory"))
            }
            Ok(m) if !m.is_file() => {
                let f = OpenOptions::new().write(true).open(&dest)?;
                return Ok(AtomicFile::direct(name, f));
            }
            Ok(m) => Some(m),
            Err(e) if e.kind() == ErrorKind::NotFound => None,
            Err(e) => return Err(e),
        };
        let dir = match dest.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        let base = dest
            .file_name()
            .unwrap_or(dest.as_os_str())
            .to_string_lossy();
        let prefix = format!(".{base}.contactclean-");
        if !dir.is_dir() {
            return Err(io::Error::new(
                ErrorKind::NotFound,
                format!("no such directory: {}", dir.display()),
            ));
        }
        let mut temps = temps();
        // 0666 less the umask, as `File::create` would give (tempfile's default is 0600).
        let tmp = tempfile::Builder::new()
            .prefix(&prefix)
            .suffix(".tmp")
            .rand_bytes(6)
            .permissions(Permissions::from_mode(0o666))
            .tempfile_in(dir)
            // tempfile's message names its random file; the user named `dir/base`.
            .map_err(|e| {
                let kind = e.kind();
                io::Error::new(
                    kind,
                    format!(
                        "cannot create a file in {}: {}",
                        dir.display(),
                        io::Error::from(kind)
                    ),
                )
            })?;
        let (file, temp) = tmp.into_parts();
        temps.push(temp.to_path_buf());
        drop(temps);
        let atomic = AtomicFile {
            name: name.to_string(),
            out: BufWriter::with_capacity(BUFFER, file),
            temp: Some(temp),
            dest,
        };
        if let Some(m) = existing {
            // Replacing a file keeps its permissions (a private list stays private). On
            // failure, dropping `atomic` removes and unregisters the temp file.
            atomic.out.get_ref().set_permissions(m.permissions())?;
        }
        Ok(atomic)
    }

    fn direct(name: &str, f: File) -> AtomicFile {
        AtomicFile {
            name: name.to_string(),
            out: BufWriter::with_capacity(BUFFER, f),
            temp: None,
            dest: PathBuf::new(),
        }
    }

    /// The path as the user gave it.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The temp file being written (`None` when writing straight into a FIFO or device).
    #[cfg(test)]
    pub fn temp_path(&self) -> Option<&Path> {
        self.temp.as_deref()
    }

    /// Flushes, syncs (so a crash cannot leave an empty file where the old one was) and
    /// renames into place. Errors name the path; on error the temp file is removed.
    pub fn commit(mut self) -> io::Result<()> {
        let name = std::mem::take(&mut self.name);
        let r = self.finish();
        r.map_err(|e| named(&name, e))
    }

    fn finish(&mut self) -> io::Result<()> {
        self.out.flush()?;
        let Some(temp) = self.temp.take() else {
            return Ok(());
        };
        let synced = self.out.get_ref().sync_data();
        // Under the lock: the signal watcher either removes the temp file before the rename
        // or exits after it, never in between.
        let mut temps = temps();
        temps.retain(|p| p != &*temp);
        if let Err(e) = synced {
            drop(temp); // removes the file, still under the lock
            return Err(e);
        }
        let renamed = temp.persist(&self.dest).map_err(|e| e.error); // a failure removes it
        drop(temps);
        renamed
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if let Some(temp) = self.temp.take() {
            let mut temps = temps();
            temps.retain(|p| p != &*temp);
            drop(temp); // removes the file
        }
    }
}

/// Write errors are not named here: whoever writes (a sink, the report) names its output once.
impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.out.write(buf)
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        self.out.write_all(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

/// `SIGINT`, `SIGTERM` and `SIGHUP` remove every temp file, then exit with 128 + the signal
/// (130, 143, 129), as a shell reports it. Without this a Ctrl-C would leave
/// `.clean.csv.contactclean-XXXXXX.tmp` files behind. The removal runs on a watcher thread,
/// not in the signal handler, where almost nothing is safe to call. Calling it again does
/// nothing.
pub fn install_signal_cleanup() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    static INSTALLED: Mutex<bool> = Mutex::new(false);
    let mut installed = INSTALLED.lock().unwrap_or_else(PoisonError::into_inner);
    if *installed {
        return Ok(());
    }
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("signal-cleanup".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                // Held until exit: no temp file can be created or renamed after this point.
                let temps = temps();
                for p in temps.iter() {
                    let _ = fs::remove_file(p);
                }
                std::process::exit(128 + sig);
            }
        })?;
    *installed = true;
    Ok(())
}

/// The cleaned CSV, rejects, report or suggestions: standard output or an [`AtomicFile`].
pub enum Output {
    Stdout(BufWriter<io::Stdout>),
    File(AtomicFile),
}

impl Output {
    /// Creates the file (or its temp file) now: call it before reading the input.
    pub fn open(target: &Target) -> io::Result<Output> {
        Ok(match target {
            Target::Stdout => Output::Stdout(BufWriter::with_capacity(BUFFER, io::stdout())),
            Target::Path(p) => Output::File(AtomicFile::create(p)?),
        })
    }

    /// The path as given, or `<stdout>`.
    pub fn name(&self) -> &str {
        match self {
            Output::Stdout(_) => "<stdout>",
            Output::File(f) => f.name(),
        }
    }

    pub fn is_stdout(&self) -> bool {
        matches!(self, Output::Stdout(_))
    }

    /// Flushes stdout, or renames the file into place.
    pub fn commit(self) -> io::Result<()> {
        match self {
            Output::Stdout(mut w) => w.flush().map_err(|e| named("<stdout>", e)),
            Output::File(f) => f.commit(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Stdout(w) => w.write(buf),
            Output::File(f) => f.write(buf),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.write_all(buf),
            Output::File(f) => f.write_all(buf),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Stdout(w) => w.flush(),
            Output::File(f) => f.flush(),
        }
    }
}

/// fd 1 as the process was started: 0 not recorded, 1 open, 2 closed.
static STDOUT_AT_START: AtomicU8 = AtomicU8::new(0);

/// Runs before `main`, because Rust's runtime then reopens a closed fd 1 on `/dev/null`
/// (after which it looks open and every write vanishes).
#[ctor::ctor(unsafe)]
fn record_stdout_at_start() {
    // SAFETY: fcntl F_GETFD only reads the descriptor's flags.
    let open = unsafe { libc::fcntl(1, libc::F_GETFD) } != -1;
    STDOUT_AT_START.store(if open { 1 } else { 2 }, Ordering::Relaxed);
}

/// False when the process was started with stdout closed (`contactclean … >&-`): the output
/// would silently go nowhere, so the caller refuses at start-up.
pub fn stdout_is_open() -> bool {
    match STDOUT_AT_START.load(Ordering::Relaxed) {
        1 => true,
        2 => false,
        // SAFETY: as above.
        _ => (unsafe { libc::fcntl(1, libc::F_GETFD) }) != -1,
    }
}

/// One line to stderr, every error ignored: `eprintln!` panics when stderr is a closed pipe,
/// and a message that cannot be shown is no reason to crash.
pub fn stderr_line(msg: &str) {
    let mut line = String::with_capacity(msg.len() + 1);
    line.push_str(msg);
    line.push('\n');
    let _ = io::stderr().lock().write_all(line.as_bytes());
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::{BufRead, BufReader, Read};
    use std::os::unix::fs::symlink;
    use std::process::{Command, Stdio};
    use std::time::{Duration, Instant};

    fn plan(option: &'static str, target: Target) -> Planned {
        Planned { option, target }
    }

    fn path(p: &Path) -> Target {
        Target::Path(p.to_path_buf())
    }

    fn entries(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    fn registered(p: &Path) -> bool {
        temps().iter().any(|t| t == p)
    }

    #[test]
    fn target_dash_is_stdout() {
        assert_eq!(Target::from_arg(Path::new("-")), Target::Stdout);
        assert_eq!(
            Target::from_arg(Path::new("a.csv")),
            Target::Path("a.csv".into())
        );
    }

    #[test]
    fn plan_refuses_the_input_by_path_symlink_and_hard_link() {
        let d = tempfile::tempdir().unwrap();
        let input = d.path().join("in.csv");
        fs::write(&input, "a\n").unwrap();
        let link = d.path().join("link.csv");
        symlink(&input, &link).unwrap();
        let hard = d.path().join("hard.csv");
        fs::hard_link(&input, &hard).unwrap();
        let dotted = d.path().join(".").join("in.csv");
        for out in [&input, &link, &hard, &dotted] {
            let e = check_plan(Some(&input), &[plan("-o", path(out))]).unwrap_err();
            assert_eq!(
                e,
                format!(
                    "-o {} is the input file; write the output elsewhere",
                    out.display()
                )
            );
        }
        // Named second, through a link: still caught, naming the option that did it.
        let e = check_plan(
            Some(&link),
            &[plan("-o", Target::Stdout), plan("--rejects", path(&hard))],
        )
        .unwrap_err();
        assert!(e.starts_with("--rejects "), "{e}");
    }

    #[test]
    fn plan_refuses_two_outputs_in_one_file() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("sub")).unwrap();
        let new = d.path().join("new.csv");
        let respelled = d.path().join("sub").join("..").join("new.csv");
        let e = check_plan(
            None,
            &[plan("-o", path(&new)), plan("--rejects", path(&respelled))],
        )
        .unwrap_err();
        assert_eq!(
            e,
            format!("-o and --rejects both write to {}", new.display())
        );

        // A dangling symlink is followed: writing through it creates new.csv.
        let dangling = d.path().join("dangling");
        symlink("new.csv", &dangling).unwrap();
        let e = check_plan(
            None,
            &[
                plan("--report", path(&new)),
                plan("--suggestions", path(&dangling)),
            ],
        )
        .unwrap_err();
        assert!(
            e.starts_with("--report and --suggestions both write to"),
            "{e}"
        );

        // Existing files: same inode through a hard link.
        let old = d.path().join("old.csv");
        fs::write(&old, "x").unwrap();
        let hard = d.path().join("hard.csv");
        fs::hard_link(&old, &hard).unwrap();
        assert!(check_plan(
            None,
            &[plan("-o", path(&old)), plan("--rejects", path(&hard))]
        )
        .is_err());

        // Different files, stdin input: fine.
        let ok = [
            plan("-o", path(&new)),
            plan("--rejects", path(&old)),
            plan("--report", Target::Stdout),
        ];
        assert_eq!(check_plan(None, &ok), Ok(()));
        assert_eq!(check_plan(Some(Path::new("-")), &ok), Ok(()));
    }

    #[test]
    fn plan_refuses_stdout_twice_by_any_name() {
        for second in [
            Target::Stdout,
            path(Path::new("/dev/stdout")),
            path(Path::new("/dev/fd/1")),
        ] {
            let e = check_plan(
                None,
                &[plan("-o", Target::Stdout), plan("--rejects", second)],
            )
            .unwrap_err();
            assert_eq!(e, "-o and --rejects both write to standard output");
        }
    }

    #[test]
    fn plan_lets_outputs_share_dev_null() {
        let null = path(Path::new("/dev/null"));
        let p = [plan("-o", null.clone()), plan("--rejects", null)];
        assert_eq!(check_plan(Some(Path::new("/dev/null")), &p), Ok(()));
    }

    #[test]
    fn commit_renames_a_complete_file_into_place() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("clean.csv");
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"a,b\n1,2\n").unwrap();
        let temp = f.temp_path().unwrap().to_path_buf();
        let temp_name = temp.file_name().unwrap().to_string_lossy().into_owned();
        assert!(
            temp_name.starts_with(".clean.csv.contactclean-") && temp_name.ends_with(".tmp"),
            "{temp_name}"
        );
        assert_eq!(
            temp.parent(),
            Some(d.path()),
            "beside the target: rename is atomic"
        );
        assert!(registered(&temp));
        assert!(!target.exists(), "nothing at the path before commit");
        f.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"a,b\n1,2\n");
        assert_eq!(entries(d.path()), ["clean.csv"]);
        assert!(!registered(&temp));
        // New files get 0666 less the umask, as File::create would.
        let status = fs::read_to_string("/proc/self/status").unwrap();
        let umask = status
            .lines()
            .find_map(|l| l.strip_prefix("Umask:"))
            .map(|m| u32::from_str_radix(m.trim(), 8).unwrap())
            .unwrap();
        let mode = fs::metadata(&target).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o666 & !umask);
    }

    #[test]
    fn drop_without_commit_leaves_the_old_file() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("clean.csv");
        fs::write(&target, "old\n").unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(&vec![b'x'; 3 * BUFFER]).unwrap();
        let temp = f.temp_path().unwrap().to_path_buf();
        assert!(temp.exists());
        drop(f);
        assert!(!temp.exists());
        assert!(!registered(&temp));
        assert_eq!(fs::read(&target).unwrap(), b"old\n");
        assert_eq!(entries(d.path()), ["clean.csv"]);
    }

    #[test]
    fn replacing_keeps_permissions() {
        let d = tempfile::tempdir().unwrap();
        let target = d.path().join("private.csv");
        fs::write(&target, "old").unwrap();
        fs::set_permissions(&target, Permissions::from_mode(0o640)).unwrap();
        let mut f = AtomicFile::create(&target).unwrap();
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert_eq!(fs::read(&target).unwrap(), b"new");
        assert_eq!(
            fs::metadata(&target).unwrap().permissions().mode() & 0o777,
            0o640
        );
    }

    #[test]
    fn a_symlink_stays_a_link_and_its_target_is_replaced() {
        let d = tempfile::tempdir().unwrap();
        fs::create_dir(d.path().join("real")).unwrap();
        let real = d.path().join("real").join("data.csv");
        fs::write(&real, "old").unwrap();
        let link = d.path().join("link.csv");
        symlink("real/data.csv", &link).unwrap();
        let mut f = AtomicFile::create(&link).unwrap();
        assert_eq!(f.name(), link.display().to_string());
        assert_eq!(
            f.temp_path().unwrap().parent(),
            Some(d.path().join("real").as_path()),
            "temp file beside the link's target, same filesystem"
        );
        f.write_all(b"new").unwrap();
        f.commit().unwrap();
        assert!(fs::symlink_metadata(&link)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(fs::read(&real).unwrap(), b"new");

        // A dangling link: the file it names is created.
        let dangling = d.path().join("dangling.csv");
        symlink("real/missing.csv", &dangling).unwrap();
        let mut f = AtomicFile::create(&dangling).unwrap();
        f.write_all(b"made").unwrap();
        f.commit().unwrap();
        assert!(fs::symlink_metadata(&dangling)
            .unwrap()
            .file_type()
            .is_symlink());
        assert_eq!(
            fs::read(d.path().join("real/missing.csv")).unwrap(),
            b"made"
        );
    }

    #[test]
    fn devices_are_written_straight_into() {
        let mut null = AtomicFile::create("/dev/null").unwrap();
        assert!(null.temp_path().is_none());
        null.write_all(b"gone").unwrap();
        null.commit().unwrap();

        let mut full = Output::open(&path(Path::new("/dev/full"))).unwrap();
        assert_eq!(full.name(), "/dev/full");
        assert!(!full.is_stdout());
        full.write_all(b"no room").unwrap(); // buffered
        let e = full.commit().unwrap_err();
        assert_eq!(e.kind(), ErrorKind::StorageFull);
        assert!(
            e.to_string()
                .starts_with("/dev/full: No space left on device"),
            "{e}"
        );
    }

    #[test]
    fn a_fifo_is_written_straight_into() {
        let d = tempfile::tempdir().unwrap();
        let fifo = d.path().join("fifo");
        let c = std::ffi::CString::new(fifo.as_os_str().as_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let reader = {
            let fifo = fifo.clone();
            std::thread::spawn(move || {
                let mut s = String::new();
                File::open(fifo).unwrap().read_to_string(&mut s).unwrap();
                s
            })
        };
        let mut f = AtomicFile::create(&fifo).unwrap();
        assert!(f.temp_path().is_none());
        f.write_all(b"through the pipe\n").unwrap();
        f.commit().unwrap();
        assert_eq!(reader.join().unwrap(), "through the pipe\n");
        assert!(fs::metadata(&fifo).unwrap().file_type().is_fifo());
        assert_eq!(entries(d.path()), ["fifo"]);
    }

    #[test]
    fn creation_errors_name_the_path_and_keep_the_kind() {
        let d = tempfile::tempdir().unwrap();
        let missing = d.path().join("no-such-dir").join("clean.csv");
        let e = AtomicFile::create(&missing).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::NotFound);
        assert!(
            e.to_string()
                .starts_with(&format!("{}: ", missing.display())),
            "{e}"
        );

        let e = Output::open(&path(d.path())).err().unwrap();
        assert_eq!(e.kind(), ErrorKind::IsADirectory);
        assert_eq!(
            e.to_string(),
            format!("{}: is a directory", d.path().display())
        );

        // SAFETY: geteuid has no preconditions.
        if unsafe { libc::geteuid() } != 0 {
            let ro = d.path().join("ro");
            fs::create_dir(&ro).unwrap();
            fs::set_permissions(&ro, Permissions::from_mode(0o555)).unwrap();
            let e = AtomicFile::create(ro.join("clean.csv")).err().unwrap();
            assert_eq!(e.kind(), ErrorKind::PermissionDenied);
            assert!(
                e.to_string().contains("clean.csv: Permission denied"),
                "{e}"
            );
        }
    }

    #[test]
    fn stdout_output_is_named() {
        let o = Output::open(&Target::Stdout).unwrap();
        assert!(o.is_stdout());
        assert_eq!(o.name(), "<stdout>");
        let e = named("<stdout>", io::Error::from(ErrorKind::BrokenPipe));
        assert_eq!(e.kind(), ErrorKind::BrokenPipe);
        assert!(e.to_string().starts_with("<stdout>: "));
    }

    // ---- Child processes: signals and closed standard streams need a process of their own.

    const CHILD: &str = "CONTACTCLEAN_OUTPUT_TEST_CHILD";
    const CHILD_ARG: &str = "CONTACTCLEAN_OUTPUT_TEST_ARG";

    /// This test binary again, running only `child_process` in the given mode.
    fn child(mode: &str, arg: &Path) -> Command {
        let mut c = Command::new(std::env::current_exe().unwrap());
        c.args(CHILD_ARGS).env(CHILD, mode).env(CHILD_ARG, arg);
        c
    }

    const CHILD_ARGS: [&str; 5] = [
        "--exact",
        "cli::output::tests::child_process",
        "--nocapture",
        "--test-threads=1",
        "-q",
    ];

    /// Does nothing in a normal run; in a child, plays the part the parent test asks for.
    #[test]
    fn child_process() {
        let Ok(mode) = std::env::var(CHILD) else {
            return;
        };
        let arg = PathBuf::from(std::env::var_os(CHILD_ARG).unwrap());
        match mode.as_str() {
            "signal" => {
                install_signal_cleanup().unwrap();
                install_signal_cleanup().unwrap(); // twice is harmless
                let mut f = AtomicFile::create(&arg).unwrap();
                f.write_all(&vec![b'x'; 4 * BUFFER]).unwrap();
                f.flush().unwrap();
                println!("READY {}", f.temp_path().unwrap().display());
                io::stdout().flush().unwrap();
                loop {
                    std::thread::sleep(Duration::from_secs(1));
                }
            }
            "dev-stdout" => {
                let mut f = AtomicFile::create("/dev/stdout").unwrap();
                assert!(f.temp_path().is_none());
                f.write_all(b"new\n").unwrap();
                f.commit().unwrap();
            }
            "stdout-open" => stderr_line(&format!("OPEN={}", stdout_is_open())),
            "stdout-is-input" => {
                let r = check_plan(Some(&arg), &[plan("-o", Target::Stdout)]);
                stderr_line(&format!("RESULT={r:?}"));
                let r = check_plan(
                    None,
                    &[plan("--rejects", Target::Stdout), plan("-o", path(&arg))],
                );
                stderr_line(&format!("RESULT2={r:?}"));
            }
            "stderr-broken" => {
                let mut fds = [0; 2];
                // SAFETY: plain pipe/close/dup2 on descriptors this process owns.
                unsafe {
                    assert_eq!(libc::pipe(fds.as_mut_ptr()), 0);
                    libc::close(fds[0]);
                    assert_eq!(libc::dup2(fds[1], 2), 2);
                }
                stderr_line("nobody reads this");
                println!("SURVIVED");
            }
            other => panic!("unknown child mode {other}"),
        }
    }

    fn wait_with_timeout(c: &mut std::process::Child) -> std::process::ExitStatus {
        let start = Instant::now();
        loop {
            if let Some(s) = c.try_wait().unwrap() {
                return s;
            }
            if start.elapsed() > Duration::from_secs(10) {
                let _ = c.kill();
                panic!("child did not exit");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    #[test]
    fn signals_remove_temp_files_and_exit_128_plus_signal() {
        for (sig, code) in [
            (libc::SIGTERM, 143),
            (libc::SIGINT, 130),
            (libc::SIGHUP, 129),
        ] {
            let d = tempfile::tempdir().unwrap();
            let target = d.path().join("clean.csv");
            fs::write(&target, "the earlier output\n").unwrap();
            let mut c = child("signal", &target)
                .stdout(Stdio::piped())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            let temp = BufReader::new(c.stdout.take().unwrap())
                .lines()
                .map(Result::unwrap)
                .find_map(|l| l.strip_prefix("READY ").map(PathBuf::from))
                .expect("child never got ready");
            assert!(fs::metadata(&temp).unwrap().len() >= 3 * BUFFER as u64);
            // SAFETY: signalling our own child.
            assert_eq!(unsafe { libc::kill(c.id() as i32, sig) }, 0);
            let status = wait_with_timeout(&mut c);
            assert_eq!(status.code(), Some(code), "signal {sig}");
            assert!(!temp.exists(), "temp file left after signal {sig}");
            assert_eq!(fs::read(&target).unwrap(), b"the earlier output\n");
            assert_eq!(entries(d.path()), ["clean.csv"]);
        }
    }

    fn child_stderr(mut c: Command) -> String {
        let out = c.stdout(Stdio::null()).output().unwrap();
        assert!(out.status.success(), "{out:?}");
        String::from_utf8(out.stderr).unwrap()
    }

    #[test]
    fn a_closed_stdout_is_seen_although_std_reopens_it() {
        let exe = std::env::current_exe().unwrap();
        let mut closed = Command::new("sh");
        closed
            .arg("-c")
            .arg(r#"exec "$0" "$@" >&-"#)
            .arg(&exe)
            .args(CHILD_ARGS)
            .env(CHILD, "stdout-open")
            .env(CHILD_ARG, "-");
        // Stdio::null() for stdout is replaced by the `>&-` inside sh.
        assert!(child_stderr(closed).contains("OPEN=false"));
        assert!(child_stderr(child("stdout-open", Path::new("-"))).contains("OPEN=true"));
    }

    #[test]
    fn stdout_redirected_onto_the_input_or_an_output_is_refused() {
        let d = tempfile::tempdir().unwrap();
        let input = d.path().join("in.csv");
        fs::write(&input, "a\n").unwrap();
        let out = child("stdout-is-input", &input)
            .stdout(File::options().append(true).open(&input).unwrap())
            .output()
            .unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(
            err.contains(&format!(
                "RESULT=Err(\"-o writes to standard output, which is the input file {}",
                input.display()
            )),
            "{err}"
        );
        assert!(
            err.contains(&format!(
                "RESULT2=Err(\"--rejects and -o both write to {}\")",
                input.display()
            )),
            "{err}"
        );
    }

    #[test]
    fn dev_stdout_writes_to_the_shells_descriptor_not_a_rename() {
        let d = tempfile::tempdir().unwrap();
        let log = d.path().join("log.txt");
        fs::write(&log, "old\n").unwrap();
        let out = child("dev-stdout", Path::new("-"))
            .stdout(File::options().append(true).open(&log).unwrap())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let text = fs::read_to_string(&log).unwrap();
        // `>>` kept: the old line first, then ours (libtest's own lines around it).
        assert!(
            text.starts_with("old\n") && text.contains("new\n"),
            "{text:?}"
        );
        assert_eq!(entries(d.path()), ["log.txt"]);
    }

    #[test]
    fn stderr_line_survives_a_closed_pipe() {
        let out = child("stderr-broken", Path::new("-"))
            .stderr(Stdio::null())
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        assert!(String::from_utf8_lossy(&out.stdout).contains("SURVIVED"));
    }
}
