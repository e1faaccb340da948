//! The fault points themselves, compiled in only with the `test-faults` feature.

use std::io::Write;
use std::sync::atomic::{AtomicU64, AtomicU8, Ordering};
use std::sync::OnceLock;

use super::*;

const POINTS: [&str; 7] = [
    FETCH_BODY,
    PAGE_WRITE,
    JOB_FINISH,
    PLAN_LINKS,
    UPLOAD_PROCESS,
    TEMPLATE_CLEAN,
    LEASE_RENEW,
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Action {
    Pause,
    Stall,
    Full,
    ReadOnly,
    Panic,
}

#[derive(Debug)]
struct Fault {
    action: Action,
    point: &'static str,
    nth: u64,
    arrivals: AtomicU64,
}

static FAULTS: OnceLock<Vec<Fault>> = OnceLock::new();
/// 0: none, 1: full, 2: read-only.
static STORAGE_FAULT: AtomicU8 = AtomicU8::new(0);

/// Reads `DOCSCRAPE_TEST_FAULTS`; an error names the bad entry. Call once at start-up.
pub fn init_from_env() -> Result<(), String> {
    let Ok(spec) = std::env::var(ENV_VAR) else {
        return Ok(());
    };
    let faults = parse(&spec)?;
    if !faults.is_empty() {
        log::warn!("{ENV_VAR} is set: test faults armed ({spec})");
        let _ = FAULTS.set(faults);
    }
    Ok(())
}

fn parse(spec: &str) -> Result<Vec<Fault>, String> {
    spec.split(',')
        .map(str::trim)
        .filter(|entry| !entry.is_empty())
        .map(|entry| {
            let bad = || format!("{ENV_VAR}: cannot read {entry:?}; expected ACTION@POINT[#N] with ACTION pause, stall, full, readonly or panic and POINT one of {}", POINTS.join(", "));
            let (action, rest) = entry.split_once('@').ok_or_else(bad)?;
            let (point, nth) = match rest.split_once('#') {
                Some((point, nth)) => (point, nth.parse::<u64>().map_err(|_| bad())?),
                None => (rest, 1),
            };
            let action = match action {
                "pause" => Action::Pause,
                "stall" => Action::Stall,
                "full" => Action::Full,
                "readonly" => Action::ReadOnly,
                "panic" => Action::Panic,
                _ => return Err(bad()),
            };
            let point = POINTS
                .iter()
                .find(|known| **known == point)
                .ok_or_else(bad)?;
            if nth == 0 {
                return Err(bad());
            }
            Ok(Fault {
                action,
                point,
                nth,
                arrivals: AtomicU64::new(0),
            })
        })
        .collect()
}

/// Marks arrival at `point`; fires the faults armed for this arrival.
pub fn point(point: &str) {
    let Some(faults) = FAULTS.get() else {
        return;
    };
    for fault in faults.iter().filter(|fault| fault.point == point) {
        if fault.arrivals.fetch_add(1, Ordering::SeqCst) + 1 != fault.nth {
            continue;
        }
        match fault.action {
            Action::Full => STORAGE_FAULT.store(1, Ordering::SeqCst),
            Action::ReadOnly => STORAGE_FAULT.store(2, Ordering::SeqCst),
            Action::Pause => pause_forever(point),
            Action::Stall => stall(point),
            Action::Panic => panic!("test fault: panic at {point}"),
        }
    }
}

fn pause_forever(point: &str) -> ! {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "docscrape paused at fault point {point}");
    let _ = stdout.flush();
    drop(stdout);
    log::warn!("paused at fault point {point}; waiting to be killed");
    loop {
        std::thread::park();
    }
}

fn stall(point: &str) {
    let mut stdout = std::io::stdout().lock();
    let _ = writeln!(stdout, "docscrape stalled at fault point {point}");
    let _ = stdout.flush();
    drop(stdout);
    log::warn!("stalled at fault point {point} for {STALL:?}");
    std::thread::sleep(STALL);
}

/// The storage fault in force, if one fired.
pub fn storage_fault() -> Option<StorageFault> {
    match STORAGE_FAULT.load(Ordering::SeqCst) {
        1 => Some(StorageFault::Full),
        2 => Some(StorageFault::ReadOnly),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_actions_points_and_counts() {
        let faults =
            parse("pause@page-write#3, full@fetch-body,readonly@job-finish#2,stall@lease-renew#2")
                .expect("a valid fault list");
        let shape: Vec<_> = faults.iter().map(|f| (f.action, f.point, f.nth)).collect();
        assert_eq!(
            shape,
            vec![
                (Action::Pause, PAGE_WRITE, 3),
                (Action::Full, FETCH_BODY, 1),
                (Action::ReadOnly, JOB_FINISH, 2),
                (Action::Stall, LEASE_RENEW, 2)
            ]
        );
        assert!(parse("").expect("an empty list").is_empty());
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        for bad in [
            "pause",
            "explode@page-write",
            "pause@nowhere",
            "pause@page-write#x",
            "pause@page-write#0",
        ] {
            let err = parse(bad).unwrap_err();
            assert!(err.contains(ENV_VAR) && err.contains(bad), "{err}");
        }
    }
}
