//! `imgw`: the Worker's pipeline on files. One image (`imgw in.jpg out.webp width=800`), stdin
//! to stdout (`-`), or every image in a directory into another, with a progress bar. It builds
//! natively and for `wasm32-wasip1`; both give the same bytes for the same input and options.
//! Exit codes follow the HTTP errors' meaning (see `EXIT_CODES`).

use std::fs;
use std::io::{self, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::Parser;
use image_worker::config::Limits;
use image_worker::error::{ErrorKind, TransformError};
use image_worker::format::OutputFormat;
use image_worker::options::{FormatRequest, TransformOptions};
use image_worker::pipeline::{self, Transformed};
use indicatif::{ProgressBar, ProgressStyle};
use kernels::Backend;

const EXIT_CODES: &str = "\
Exit codes (the HTTP status of the same error in the Worker):
  0  written
  1  a bad option in TRANSFORM (400)
  2  a bad command line, or a bad --limit
  3  too large: bytes, pixels, output size or memory budget (413)
  4  not an image in a supported format (415)
  5  corrupt or truncated, or cannot be encoded as asked (422)
  6  the input cannot be read or the output cannot be written
  7  an internal error: a bug on our side (500)
A directory run exits with the first failure's code, after trying every file.";

#[derive(Parser)]
#[command(
    name = "imgw",
    version,
    about = "Resize and transform images with the image Worker's pipeline",
    after_help = EXIT_CODES
)]
struct Arguments {
    /// The image file, `-` for stdin, or a directory whose images are all transformed
    input: PathBuf,
    /// The output file (its extension picks the format when TRANSFORM does not), `-` for stdout, or
    /// a directory for a directory input
    output: PathBuf,
    /// The transformation: options as in the URL, e.g. width=800,fit=cover (none: re-encode)
    #[arg(default_value = "", value_name = "TRANSFORM")]
    options: String,
    /// The kernels to run: simd128 (the default where built in) or scalar
    #[arg(long)]
    backend: Option<String>,
    /// An HTTP Accept value, read by format=auto
    #[arg(long)]
    accept: Option<String>,
    /// A limit by its Worker variable's name, e.g. --limit MAX_WORKING_BYTES=134217728
    #[arg(long = "limit", value_name = "NAME=VALUE")]
    limits: Vec<String>,
}

/// Why a run failed: a message and the exit code.
struct Failure {
    exit: u8,
    message: String,
}

impl Failure {
    fn usage(message: impl Into<String>) -> Self {
        Failure { exit: 2, message: message.into() }
    }

    fn io(what: &str, path: &Path, error: &io::Error) -> Self {
        Failure { exit: 6, message: format!("cannot {what} {}: {error}", path.display()) }
    }

    fn transform(error: &TransformError) -> Self {
        let exit = match error.kind {
            ErrorKind::BadOption => 1,
            ErrorKind::Misconfigured => 2,
            ErrorKind::TooLarge => 3,
            ErrorKind::UnsupportedFormat => 4,
            ErrorKind::Undecodable | ErrorKind::Unencodable => 5,
            ErrorKind::NotFound | ErrorKind::SourceUnreachable | ErrorKind::SourceTimeout => 6,
            ErrorKind::Forbidden | ErrorKind::MethodNotAllowed | ErrorKind::Loop | ErrorKind::Internal => 7,
        };
        Failure { exit, message: format!("{} (error {})", error.message, error.kind.code()) }
    }
}

/// What every image of a run is transformed with.
struct Settings {
    options: TransformOptions,
    accept: Option<String>,
    limits: Limits,
    backend: Backend,
}

fn main() -> ExitCode {
    // WASI has no working directory of its own: the runner passes it (crates/cli/wasi.mjs).
    #[cfg(target_os = "wasi")]
    if let Some(directory) = std::env::var_os("PWD") {
        let _ = std::env::set_current_dir(directory);
    }
    let arguments = Arguments::parse();
    match run(&arguments) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("imgw: {}", failure.message);
            ExitCode::from(failure.exit)
        }
    }
}

fn run(arguments: &Arguments) -> Result<(), Failure> {
    let limits = limits_from(&arguments.limits)?;
    let backend = match &arguments.backend {
        None => Backend::best(),
        Some(name) => Backend::from_name(name).ok_or_else(|| {
            let names: Vec<&str> = Backend::available().iter().map(|backend| backend.name()).collect();
            Failure::usage(format!("unknown backend {name:?}; this build has {}", names.join(", ")))
        })?,
    };
    let options = TransformOptions::from_list(&arguments.options, &limits).map_err(|e| Failure::transform(&e))?;
    let settings = Settings { options, accept: arguments.accept.clone(), limits, backend };
    if arguments.input.is_dir() {
        return batch(&arguments.input, &arguments.output, &settings);
    }
    let mut settings = settings;
    if settings.options.format == FormatRequest::Source {
        if let Some(format) = format_of(&arguments.output) {
            settings.options.format = format;
        }
    }
    let source = read_input(&arguments.input, &settings.limits)?;
    let transformed = transform(&source, &settings)?;
    write_output(&arguments.output, &transformed.bytes)
}

/// `NAME=VALUE` settings, read as the Worker reads its variables.
fn limits_from(settings: &[String]) -> Result<Limits, Failure> {
    let mut pairs = Vec::with_capacity(settings.len());
    for setting in settings {
        let (name, value) =
            setting.split_once('=').ok_or_else(|| Failure::usage(format!("--limit {setting:?}: write NAME=VALUE")))?;
        pairs.push((name, value));
    }
    Limits::from_settings(&pairs).map_err(|error| Failure::usage(format!("--limit: {}", error.message)))
}

/// The format an output file's extension asks for.
fn format_of(path: &Path) -> Option<FormatRequest> {
    let extension = path.extension()?.to_str()?.to_ascii_lowercase();
    let format = match extension.as_str() {
        "jpg" | "jpeg" => OutputFormat::Jpeg,
        "png" => OutputFormat::Png,
        "webp" => OutputFormat::Webp,
        "avif" => OutputFormat::Avif,
        "gif" => OutputFormat::Gif,
        "json" => return Some(FormatRequest::Json),
        _ => return None,
    };
    Some(FormatRequest::Exactly(format))
}

fn transform(source: &[u8], settings: &Settings) -> Result<Transformed, Failure> {
    let accept = settings.accept.as_deref();
    pipeline::transform(source, &settings.options, accept, &settings.limits, settings.backend)
        .map_err(|error| Failure::transform(&error))
}

fn is_stdio(path: &Path) -> bool {
    path.as_os_str() == "-"
}

/// The input's bytes, refused past `MAX_INPUT_BYTES` as the Worker refuses a body.
fn read_input(path: &Path, limits: &Limits) -> Result<Vec<u8>, Failure> {
    let too_large = || {
        let message = format!("the input is larger than MAX_INPUT_BYTES ({} bytes)", limits.max_input_bytes);
        Failure::transform(&TransformError::new(ErrorKind::TooLarge, message))
    };
    let mut bytes = Vec::new();
    let most = limits.max_input_bytes as u64 + 1;
    if is_stdio(path) {
        io::stdin().take(most).read_to_end(&mut bytes).map_err(|e| Failure::io("read", Path::new("stdin"), &e))?;
    } else {
        let file = fs::File::open(path).map_err(|e| Failure::io("read", path, &e))?;
        file.take(most).read_to_end(&mut bytes).map_err(|e| Failure::io("read", path, &e))?;
    }
    if bytes.len() > limits.max_input_bytes {
        return Err(too_large());
    }
    Ok(bytes)
}

fn write_output(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    if is_stdio(path) {
        let mut stdout = io::stdout().lock();
        stdout.write_all(bytes).and_then(|()| stdout.flush()).map_err(|e| Failure::io("write", Path::new("stdout"), &e))
    } else {
        fs::write(path, bytes).map_err(|e| Failure::io("write", path, &e))
    }
}

/// Every file directly in `input`, in name order, into `output` under the same name with the
/// output format's extension. Failures are reported and counted; the rest go on.
fn batch(input: &Path, output: &Path, settings: &Settings) -> Result<(), Failure> {
    if is_stdio(output) {
        return Err(Failure::usage("a directory input needs a directory output, not -"));
    }
    let entries = fs::read_dir(input).map_err(|e| Failure::io("read", input, &e))?;
    let mut files: Vec<PathBuf> =
        entries.filter_map(Result::ok).map(|entry| entry.path()).filter(|path| path.is_file()).collect();
    files.sort();
    fs::create_dir_all(output).map_err(|e| Failure::io("create", output, &e))?;

    let started = Instant::now();
    let progress = ProgressBar::new(files.len() as u64);
    progress.set_style(
        ProgressStyle::with_template("{bar:40} {pos}/{len} {elapsed} {wide_msg}")
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    let (mut bytes_in, mut bytes_out, mut written) = (0u64, 0u64, 0usize);
    let mut first_failure: Option<u8> = None;
    for file in &files {
        progress.set_message(file.file_name().map(|name| name.to_string_lossy().into_owned()).unwrap_or_default());
        let result = read_input(file, &settings.limits).and_then(|source| {
            let transformed = transform(&source, settings)?;
            let extension = match settings.options.format {
                FormatRequest::Json => "json",
                _ if transformed.format == OutputFormat::Jpeg => "jpg",
                _ => transformed.format.keyword(),
            };
            // `a.b.png` becomes `a.b.webp`: the extension is added to the stem, not swapped in.
            let mut name = file.file_stem().unwrap_or(file.as_os_str()).to_os_string();
            name.push(".");
            name.push(extension);
            let target = output.join(name);
            write_output(&target, &transformed.bytes)?;
            Ok((source.len(), transformed.bytes.len()))
        });
        match result {
            Ok((read, wrote)) => {
                written += 1;
                bytes_in += read as u64;
                bytes_out += wrote as u64;
            }
            Err(failure) => {
                progress.suspend(|| eprintln!("imgw: {}: {}", file.display(), failure.message));
                first_failure.get_or_insert(failure.exit);
            }
        }
        progress.inc(1);
    }
    progress.finish_and_clear();
    let failed = files.len() - written;
    eprintln!(
        "imgw: {} file{} in {:.1} s: {written} written ({} in, {} out), {failed} failed",
        files.len(),
        if files.len() == 1 { "" } else { "s" },
        started.elapsed().as_secs_f64(),
        megabytes(bytes_in),
        megabytes(bytes_out),
    );
    match first_failure {
        Some(exit) => Err(Failure { exit, message: format!("{failed} of {} files failed", files.len()) }),
        None => Ok(()),
    }
}

fn megabytes(bytes: u64) -> String {
    format!("{:.1} MB", bytes as f64 / 1e6)
}
