//! Converting PDF and DOCX files in a separate process with CPU, memory and wall-clock
//! limits. Their parsers allocate in proportion to what a file claims (decompression),
//! follow object graphs a file may make cyclic, and panic on malformed input; in a child
//! process a hostile file can at worst get that process killed, and the server answers on.
//!
//! The child is this same binary started as `docscrape __convert-document <format>`: it
//! sets its own resource limits first, reads the file on stdin and writes one JSON answer
//! on stdout.

use std::io::{Read, Write};
use std::process::{ExitCode, Stdio};
use std::time::Duration;

use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use super::format::UploadFormat;
use crate::crawl::extract::converted::Converted;
use crate::crawl::extract::{docx, pdf};

/// The first argument that makes the binary a converter child.
const CHILD_ARG: &str = "__convert-document";
/// Largest answer read back from a child (the Markdown of a very large document).
const MAX_ANSWER_BYTES: usize = 256 * 1024 * 1024;

/// The limits of one conversion.
#[derive(Debug, Clone, Copy)]
pub struct SandboxLimits {
    pub time: Duration,
    pub memory_bytes: u64,
}

#[derive(Debug, Serialize, Deserialize)]
enum Answer {
    Converted(Converted),
    Failed(String),
}

/// Converts `bytes` of a PDF or DOCX in a child process; the error is one line for the
/// job's `errors`.
pub async fn convert(
    format: UploadFormat,
    bytes: Vec<u8>,
    limits: SandboxLimits,
) -> Result<Converted, String> {
    let what = format_name(format);
    // /proc/self/exe still starts this program after its file was replaced by an upgrade.
    let exe = match std::path::Path::new("/proc/self/exe") {
        path if path.exists() => path.to_path_buf(),
        _ => std::env::current_exe()
            .map_err(|err| format!("cannot start the {what} converter: {err}"))?,
    };
    let mut child = tokio::process::Command::new(exe)
        .arg(CHILD_ARG)
        .arg(what)
        .arg(limits.time.as_secs().to_string())
        .arg(limits.memory_bytes.to_string())
        .env_remove("DOCSCRAPE_TEST_FAULTS")
        .env("RUST_LOG", "off")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .map_err(|err| format!("cannot start the {what} converter: {err}"))?;
    let (Some(mut stdin), Some(mut stdout), Some(mut stderr)) =
        (child.stdin.take(), child.stdout.take(), child.stderr.take())
    else {
        return Err(format!("cannot start the {what} converter: no pipes"));
    };
    // The child may die before it has read everything; its exit status says why.
    let feed = tokio::spawn(async move {
        let _ = stdin.write_all(&bytes).await;
        let _ = stdin.shutdown().await;
    });
    let read_answer = async {
        let mut answer = Vec::new();
        let mut limited = (&mut stdout).take(MAX_ANSWER_BYTES as u64 + 1);
        let _ = limited.read_to_end(&mut answer).await;
        let mut errors = Vec::new();
        let _ = (&mut stderr).take(64 * 1024).read_to_end(&mut errors).await;
        let status = child.wait().await;
        (answer, errors, status)
    };
    let outcome = tokio::time::timeout(limits.time + Duration::from_secs(2), read_answer).await;
    feed.abort();
    let Ok((answer, errors, status)) = outcome else {
        // `kill_on_drop` ends the child as `read_answer` is dropped.
        return Err(took_too_long(what, limits.time));
    };
    let status = status.map_err(|err| format!("the {what} converter failed: {err}"))?;
    if status.success() && answer.len() <= MAX_ANSWER_BYTES {
        return match serde_json::from_slice::<Answer>(&answer) {
            Ok(Answer::Converted(converted)) => Ok(converted),
            Ok(Answer::Failed(line)) => Err(line),
            Err(err) => Err(format!("the {what} converter answered nonsense: {err}")),
        };
    }
    Err(describe_death(what, &status, &errors, limits))
}

fn took_too_long(what: &str, time: Duration) -> String {
    format!(
        "reading the {what} took longer than {} s (a very large or malformed file?)",
        time.as_secs()
    )
}

/// One line saying why a child died: out of memory, out of time, or a crash.
fn describe_death(
    what: &str,
    status: &std::process::ExitStatus,
    stderr: &[u8],
    limits: SandboxLimits,
) -> String {
    let stderr = String::from_utf8_lossy(stderr);
    if stderr.contains("overflowed its stack") {
        return format!(
            "the {what} parser ran out of stack on this file (its structure nests or loops without end?)"
        );
    }
    if stderr.contains("memory allocation") || stderr.contains("capacity overflow") {
        return format!(
            "reading the {what} needed more than {} MiB of memory (a decompression bomb or a malformed file?)",
            limits.memory_bytes >> 20
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::process::ExitStatusExt;
        match status.signal() {
            Some(libc::SIGXCPU) | Some(libc::SIGKILL) => return took_too_long(what, limits.time),
            Some(libc::SIGSEGV) | Some(libc::SIGBUS) => {
                return format!(
                    "the {what} parser crashed on this file (its structure nests without end?)"
                )
            }
            Some(libc::SIGABRT) => {
                return format!(
                    "the {what} parser stopped on this file (out of memory or malformed structure)"
                )
            }
            _ => {}
        }
    }
    format!("the {what} parser failed on this file ({status})")
}

fn format_name(format: UploadFormat) -> &'static str {
    match format {
        UploadFormat::Docx => "DOCX",
        _ => "PDF",
    }
}

/// Runs the converter child when the process was started as one; `None` otherwise.
/// Call first thing in `main`, before logging or a runtime starts threads.
pub fn child_main() -> Option<ExitCode> {
    let mut args = std::env::args().skip(1);
    if args.next().as_deref() != Some(CHILD_ARG) {
        return None;
    }
    let what = args.next().unwrap_or_default();
    let seconds: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(60);
    let memory: u64 = args.next().and_then(|s| s.parse().ok()).unwrap_or(1 << 30);
    limit_self(seconds, memory);
    // A panic is reported as the answer; the default hook's text on stderr is noise.
    std::panic::set_hook(Box::new(|_| {}));
    let mut bytes = Vec::new();
    if std::io::stdin().read_to_end(&mut bytes).is_err() {
        return Some(ExitCode::FAILURE);
    }
    let deadline = Duration::from_secs(seconds);
    let converted = std::panic::catch_unwind(|| match what.as_str() {
        "DOCX" => docx::docx_to_markdown(&bytes),
        _ => pdf::pdf_to_markdown(&bytes, deadline),
    });
    let answer = match converted {
        Ok(Ok(converted)) => Answer::Converted(converted),
        Ok(Err(line)) => Answer::Failed(line),
        Err(panic) => {
            let detail = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            let detail: String = detail.chars().take(200).collect();
            Answer::Failed(if detail.is_empty() {
                format!("the {what} parser failed on this file")
            } else {
                format!("the {what} parser failed on this file: {detail}")
            })
        }
    };
    let Ok(json) = serde_json::to_vec(&answer) else {
        return Some(ExitCode::FAILURE);
    };
    let mut stdout = std::io::stdout().lock();
    if stdout
        .write_all(&json)
        .and_then(|()| stdout.flush())
        .is_err()
    {
        return Some(ExitCode::FAILURE);
    }
    Some(ExitCode::SUCCESS)
}

/// CPU seconds, address space, no core dumps, and death with the parent (Linux).
#[cfg(unix)]
fn limit_self(seconds: u64, memory: u64) {
    let set = |resource, soft: u64, hard: u64| {
        let limit = libc::rlimit {
            rlim_cur: soft as libc::rlim_t,
            rlim_max: hard as libc::rlim_t,
        };
        // SAFETY: setrlimit reads the struct we pass and changes only this process.
        unsafe { libc::setrlimit(resource, &limit) };
    };
    // SIGXCPU at the soft CPU limit, SIGKILL a second later at the hard one.
    set(libc::RLIMIT_CPU, seconds.max(1), seconds.max(1) + 1);
    set(libc::RLIMIT_AS, memory, memory);
    set(libc::RLIMIT_CORE, 0, 0);
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_PDEATHSIG takes a signal number and affects only this process.
    unsafe {
        libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
    }
}

#[cfg(not(unix))]
fn limit_self(_seconds: u64, _memory: u64) {}
