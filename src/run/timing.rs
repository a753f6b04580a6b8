//! Profiling the tool itself: each phase's wall and CPU time and resident
//! memory, on stderr, with `HYBRIDIZE_PHASE_TIMES` set (not an interface).

/// With `HYBRIDIZE_PHASE_TIMES` set, each phase's wall time, CPU time (of
/// every thread) and item count go to stderr (for profiling the tool
/// itself; not an interface). CPU time far below twice the wall time on two
/// cores means a thread waited.
pub(super) struct PhaseTimer(Option<std::cell::Cell<(std::time::Instant, f64)>>);

impl PhaseTimer {
    pub(super) fn from_env() -> Self {
        Self(
            std::env::var_os("HYBRIDIZE_PHASE_TIMES")
                .map(|_| std::cell::Cell::new((std::time::Instant::now(), cpu_ms()))),
        )
    }

    pub(super) fn lap(&self, what: &str, items: usize) {
        if let Some(start) = &self.0 {
            let (then, then_cpu) = start.get();
            let (now, now_cpu) = (std::time::Instant::now(), cpu_ms());
            // Resident memory now, from Linux's /proc (0 elsewhere).
            let rss_mib = std::fs::read_to_string("/proc/self/statm")
                .ok()
                .and_then(|statm| statm.split_whitespace().nth(1)?.parse::<u64>().ok())
                .map_or(0, |pages| pages * 4096 / (1024 * 1024));
            eprintln!(
                "hybridize: {:>7.1} ms wall {:>6.0} ms CPU {rss_mib:>5} MiB  {what} ({items})",
                (now - then).as_secs_f64() * 1e3,
                now_cpu - then_cpu,
            );
            start.set((now, now_cpu));
        }
    }
}

/// User and system CPU time of the process so far, in milliseconds, from
/// Linux's /proc (in clock ticks, assumed 100 per second; 0 elsewhere).
fn cpu_ms() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|stat| {
            // Fields after the command name (which may hold blanks).
            let rest = &stat[stat.rfind(')')? + 2..];
            let mut fields = rest.split_whitespace().skip(11);
            let user: f64 = fields.next()?.parse().ok()?;
            let system: f64 = fields.next()?.parse().ok()?;
            Some((user + system) * 10.0)
        })
        .unwrap_or(0.0)
}
