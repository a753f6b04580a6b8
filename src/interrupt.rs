//! Termination signals while files are being written. Once a run writes a
//! file, SIGINT, SIGTERM and SIGHUP no longer end the process at once: they
//! wait until the write in progress is complete (its temporary file renamed
//! or removed), then end the process as the signal would have. No
//! temporary file is left behind and no file is half-written.

use std::sync::{Mutex, MutexGuard, Once, PoisonError};

/// Held for the whole of each file's write; the signal thread takes it
/// before it ends the process.
static WRITING: Mutex<()> = Mutex::new(());

/// The signals that end the process while it writes.
const SIGNALS: [libc::c_int; 3] = [libc::SIGINT, libc::SIGTERM, libc::SIGHUP];

/// The write end of the pipe through which the handler passes a signal to
/// the thread that acts on it (a handler may do almost nothing itself).
static PIPE_WRITE: std::sync::atomic::AtomicI32 = std::sync::atomic::AtomicI32::new(-1);

/// Marks a write in progress: a termination signal that arrives before the
/// guard is dropped takes effect only then.
pub fn hold_signals() -> MutexGuard<'static, ()> {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(install);
    WRITING.lock().unwrap_or_else(PoisonError::into_inner)
}

extern "C" fn on_signal(signal: libc::c_int) {
    let byte = signal as u8;
    // SAFETY: `write` is async-signal-safe; the descriptor stays open for
    // the life of the process.
    unsafe {
        libc::write(
            PIPE_WRITE.load(std::sync::atomic::Ordering::Relaxed),
            (&byte as *const u8).cast(),
            1,
        );
    }
}

/// Starts the thread that acts on signals, then routes the signals to it.
/// If the pipe or the thread cannot be made, signals keep their default
/// action (and the temporary file may then be left behind, as before).
fn install() {
    let mut fds = [0 as libc::c_int; 2];
    // SAFETY: `fds` has room for the two descriptors `pipe2` writes.
    if unsafe { libc::pipe2(fds.as_mut_ptr(), libc::O_CLOEXEC) } != 0 {
        return;
    }
    let [read_end, write_end] = fds;
    let spawned = std::thread::Builder::new()
        .name("hybridize-signals".into())
        .spawn(move || loop {
            let mut byte = 0u8;
            // SAFETY: reads one byte into `byte` from a descriptor this
            // thread owns.
            let read = unsafe { libc::read(read_end, (&mut byte as *mut u8).cast(), 1) };
            if read == 1 {
                end_as_signalled(libc::c_int::from(byte));
            } else if read == 0 {
                return;
            }
        });
    if spawned.is_err() {
        return;
    }
    PIPE_WRITE.store(write_end, std::sync::atomic::Ordering::Relaxed);
    for signal in SIGNALS {
        // SAFETY: installs a handler that only writes to a pipe; SA_RESTART
        // keeps the writer's system calls from failing with EINTR.
        unsafe {
            let mut action: libc::sigaction = std::mem::zeroed();
            action.sa_sigaction = on_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
            action.sa_flags = libc::SA_RESTART;
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(signal, &action, std::ptr::null_mut());
        }
    }
}

/// Waits for the write in progress, then ends the process by `signal`'s
/// default action, so that the parent sees it end by that signal.
fn end_as_signalled(signal: libc::c_int) {
    let _no_more_writes = WRITING.lock().unwrap_or_else(PoisonError::into_inner);
    // SAFETY: restores the default action and raises the signal in this
    // thread, which ends the whole process.
    unsafe {
        libc::signal(signal, libc::SIG_DFL);
        libc::raise(signal);
    }
    // A signal whose default action does not end the process: end it.
    std::process::exit(128 + signal);
}
