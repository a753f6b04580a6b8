//! Parse trees in a per-thread bump arena.
//!
//! A run parses thousands of files, and each tree is hundreds of thousands of
//! small allocations that live exactly as long as the file is looked at.
//! Allocated one by one from mimalloc and freed one by one by walking the
//! tree, they cost about a fifth of the parse. Here, while
//! [`parse_module`] runs, every allocation of the thread is cut from the
//! thread's arena (a slice of one address range reserved at start); frees of
//! arena memory do nothing; and when the last tree of the thread is gone, the
//! arena starts over from its beginning. Everything else goes to mimalloc.
//!
//! The one rule this needs: nothing taken from a tree may outlive it. Owned
//! copies (`String`, `Box<str>`) are fine; a `Name` clone is not, because it
//! shares its text with the tree's (reference-counted). The run keeps only
//! owned text in what outlives a file (summaries, findings).
//! `HYBRIDIZE_ARENA_CHECK=1` makes every tree's memory inaccessible once the
//! tree is gone, instead of reusing it, so that any use after that faults;
//! the corpus test runs that way.
//!
//! The arena is off (and [`parse_module`] is the parser's own) unless the
//! binary's global allocator is [`Allocator`] and [`enable`] succeeded.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::Cell;
use std::marker::PhantomData;
use std::mem::ManuallyDrop;
use std::ops::Deref;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

use ruff_python_ast::ModModule;
use ruff_python_parser::{ParseError, Parsed};

/// Address space per thread: a tree larger than this goes on in mimalloc.
const SLOT: usize = 1 << 30;
/// Threads that get a slot; others parse with mimalloc.
const SLOTS: usize = 64;
/// What a thread's arena keeps of its memory when it starts over.
const KEEP: usize = 64 << 20;

/// Start of the reserved range (0: the arena is off).
static BASE: AtomicUsize = AtomicUsize::new(0);
static NEXT_SLOT: AtomicUsize = AtomicUsize::new(0);
/// `HYBRIDIZE_ARENA_CHECK`: retire memory instead of reusing it.
static CHECK: AtomicBool = AtomicBool::new(false);

/// One thread's arena. Plain cells, initialised at compile time: reading them
/// never allocates, so the allocator can.
struct Arena {
    /// Where the slot starts (0: none claimed yet; 1: none available).
    start: Cell<usize>,
    /// The next free byte, and the end of the slot.
    next: Cell<usize>,
    end: Cell<usize>,
    /// Whether allocations of this thread go to the arena now.
    active: Cell<bool>,
    /// Trees of this thread still alive.
    live: Cell<usize>,
}

thread_local! {
    static ARENA: Arena = const {
        Arena {
            start: Cell::new(0),
            next: Cell::new(0),
            end: Cell::new(0),
            active: Cell::new(false),
            live: Cell::new(0),
        }
    };
}

/// Reserves the arena's address range (no memory is used until written).
/// Returns whether the arena is on. Call once, first thing in `main`, and
/// only with [`Allocator`] as the global allocator.
pub fn enable() -> bool {
    if BASE.load(Ordering::Relaxed) != 0 {
        return true;
    }
    CHECK.store(
        std::env::var_os("HYBRIDIZE_ARENA_CHECK").is_some_and(|v| v == "1"),
        Ordering::Relaxed,
    );
    // SAFETY: a fresh anonymous mapping; nothing else refers to it.
    let base = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            SLOT * SLOTS,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if base == libc::MAP_FAILED {
        return false;
    }
    if BASE
        .compare_exchange(0, base as usize, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        // Another thread enabled it first.
        // SAFETY: the mapping is ours, and nothing was cut from it.
        unsafe { libc::munmap(base, SLOT * SLOTS) };
    }
    true
}

fn in_arena(ptr: *mut u8) -> bool {
    let base = BASE.load(Ordering::Relaxed);
    let ptr = ptr as usize;
    base != 0 && ptr >= base && ptr < base + SLOT * SLOTS
}

impl Arena {
    /// Cuts `layout` from the slot, or `None` when it does not fit.
    fn bump(&self, layout: Layout) -> Option<*mut u8> {
        let start = self.next.get().checked_add(layout.align() - 1)? & !(layout.align() - 1);
        let end = start.checked_add(layout.size())?;
        if end > self.end.get() {
            return None;
        }
        self.next.set(end);
        Some(start as *mut u8)
    }

    /// Whether the block at `ptr` is the last one cut from this thread's
    /// slot (so that it can be given back, or grow where it is).
    fn is_last(&self, ptr: *mut u8, size: usize) -> bool {
        let ptr = ptr as usize;
        ptr >= self.start.get() && ptr + size == self.next.get()
    }

    /// Claims a slot for this thread, if none yet; whether it has one.
    fn claim(&self) -> bool {
        match self.start.get() {
            0 => {
                let base = BASE.load(Ordering::Acquire);
                let slot = NEXT_SLOT.fetch_add(1, Ordering::Relaxed);
                if base == 0 || slot >= SLOTS {
                    self.start.set(1);
                    return false;
                }
                let start = base + slot * SLOT;
                self.start.set(start);
                self.next.set(start);
                self.end.set(start + SLOT);
                true
            }
            1 => false,
            _ => true,
        }
    }

    /// The memory of the trees that are gone is free again (or, when
    /// checking, made inaccessible for good).
    fn start_over(&self) {
        if !CHECK.load(Ordering::Relaxed) {
            // Memory past the first `KEEP` bytes (a very large file's tree)
            // goes back to the system rather than staying with the thread.
            let keep = self.start.get() + KEEP;
            if self.next.get() > keep {
                // SAFETY: the range is part of this thread's slot, and no
                // tree in it is alive.
                unsafe {
                    libc::madvise(
                        keep as *mut libc::c_void,
                        self.next.get() - keep,
                        libc::MADV_DONTNEED,
                    );
                }
            }
            self.next.set(self.start.get());
            return;
        }
        let page = 4096;
        let used_end = (self.next.get() + page - 1) & !(page - 1);
        let start = self.start.get();
        if used_end > start {
            // SAFETY: the range is part of this thread's slot, and no tree
            // in it is alive (the check is that nothing still uses it).
            unsafe {
                let range = start as *mut libc::c_void;
                libc::madvise(range, used_end - start, libc::MADV_DONTNEED);
                libc::mprotect(range, used_end - start, libc::PROT_NONE);
            }
        }
        self.start.set(used_end);
        self.next.set(used_end);
    }
}

/// A block cut from this thread's arena, if it is parsing into it now and
/// the block fits.
fn bump_if_parsing(layout: Layout) -> Option<*mut u8> {
    ARENA.with(|arena| {
        if arena.active.get() {
            arena.bump(layout)
        } else {
            None
        }
    })
}

/// mimalloc, except while this thread parses into its arena.
pub struct Allocator;

// SAFETY: arena blocks are distinct, aligned and `layout.size()` long, and
// are never handed out twice while a tree that holds them is alive (the
// arena starts over only when its thread has none); everything else is
// mimalloc's.
unsafe impl GlobalAlloc for Allocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match bump_if_parsing(layout) {
            Some(ptr) => ptr,
            None => mimalloc::MiMalloc.alloc(layout),
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match bump_if_parsing(layout) {
            Some(ptr) => {
                std::ptr::write_bytes(ptr, 0, layout.size());
                ptr
            }
            None => mimalloc::MiMalloc.alloc_zeroed(layout),
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if in_arena(ptr) {
            // The last block cut is given back (the parser's growing
            // vectors); others wait for the arena to start over.
            ARENA.with(|arena| {
                if arena.active.get() && arena.is_last(ptr, layout.size()) {
                    arena.next.set(ptr as usize);
                }
            });
            return;
        }
        mimalloc::MiMalloc.dealloc(ptr, layout);
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if !in_arena(ptr) {
            return mimalloc::MiMalloc.realloc(ptr, layout, new_size);
        }
        // The last block cut grows (or shrinks) where it is.
        let in_place = ARENA.with(|arena| {
            let last = arena.is_last(ptr, layout.size());
            let fits = ptr as usize + new_size <= arena.end.get();
            if arena.active.get() && last && fits {
                arena.next.set(ptr as usize + new_size);
                true
            } else {
                false
            }
        });
        if in_place {
            return ptr;
        }
        let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
        let new = self.alloc(new_layout);
        if !new.is_null() {
            std::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
        }
        new
    }
}

/// A parsed module, in its thread's arena when the arena is on. It stays on
/// the thread that parsed it (it is not `Send`): the arena of a thread
/// starts over only when that thread has no tree left.
pub struct ParsedModule {
    parsed: ManuallyDrop<Parsed<ModModule>>,
    in_arena: bool,
    _not_send: PhantomData<*const ()>,
}

impl Deref for ParsedModule {
    type Target = Parsed<ModModule>;

    fn deref(&self) -> &Self::Target {
        &self.parsed
    }
}

impl Drop for ParsedModule {
    fn drop(&mut self) {
        if self.in_arena {
            // Not walked: its memory is the arena's.
            ARENA.with(|arena| arena.live.set(arena.live.get() - 1));
        } else {
            // SAFETY: dropped once, here, and never used again.
            unsafe { ManuallyDrop::drop(&mut self.parsed) };
        }
    }
}

/// Turns the arena off again when the parse ends; if it ends by a panic,
/// the tree that was counted never comes.
struct Parsing<'a> {
    arena: &'a Arena,
    counted: bool,
}

impl Drop for Parsing<'_> {
    fn drop(&mut self) {
        self.arena.active.set(false);
        if self.counted && std::thread::panicking() {
            self.arena.live.set(self.arena.live.get() - 1);
        }
    }
}

/// [`ruff_python_parser::parse_module`], into this thread's arena when it is
/// on. A syntax error is handed to `on_error` while the arena still holds
/// it (the error must not outlive the call either).
pub fn parse_module<E>(
    source: &str,
    on_error: impl FnOnce(&ParseError) -> E,
) -> Result<ParsedModule, E> {
    if BASE.load(Ordering::Relaxed) == 0 {
        return match ruff_python_parser::parse_module(source) {
            Ok(parsed) => Ok(ParsedModule {
                parsed: ManuallyDrop::new(parsed),
                in_arena: false,
                _not_send: PhantomData,
            }),
            Err(error) => Err(on_error(&error)),
        };
    }
    ARENA.with(|arena| {
        let claimed = arena.claim();
        if claimed {
            if arena.live.get() == 0 {
                arena.start_over();
            }
            arena.live.set(arena.live.get() + 1);
        }
        let result = {
            let _parsing = Parsing {
                arena,
                counted: claimed,
            };
            arena.active.set(claimed);
            ruff_python_parser::parse_module(source)
        };
        match result {
            Ok(parsed) => Ok(ParsedModule {
                parsed: ManuallyDrop::new(parsed),
                in_arena: claimed,
                _not_send: PhantomData,
            }),
            Err(error) => {
                let error = on_error(&error);
                if claimed {
                    arena.live.set(arena.live.get() - 1);
                }
                Err(error)
            }
        }
    })
}
