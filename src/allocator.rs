//! How the process asks glibc's allocator to hold memory.

/// glibc serves an allocation of this size or more with its own mapping, given back to
/// the system when it is freed.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
const OWN_MAPPING_BYTES: libc::c_int = 1024 * 1024;

/// Large buffers live briefly here (a finished job's result of thousands of pages, its
/// JSON, a status answer carrying it), and on other threads than the ones that next need
/// memory. By default glibc raises its mapping threshold to the largest buffer freed so
/// far, so after the first one every large buffer lands in the arena of the thread that
/// asked for it and stays resident when freed; the threshold fixed at 1 MiB keeps them
/// apart (peak RSS of a 10,000-page crawl, `docs/benchmarks.md`: 106–107 → 88–93 MiB).
/// Call it first in `main`, before any thread starts.
pub fn return_large_buffers_to_the_system() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: mallopt only sets an allocator parameter, and it is called before the
    // process has started a thread that could be allocating meanwhile.
    unsafe {
        libc::mallopt(libc::M_MMAP_THRESHOLD, OWN_MAPPING_BYTES);
    }
}

#[cfg(all(test, target_os = "linux", target_env = "gnu"))]
mod tests {
    use super::*;

    #[test]
    fn a_large_buffer_keeps_its_own_mapping_after_a_larger_one_was_freed() {
        return_large_buffers_to_the_system();
        // Freeing an 8 MiB buffer would raise glibc's default threshold to 8 MiB …
        drop(std::hint::black_box(vec![1u8; 8 << 20]));
        // … and a 2 MiB buffer would then come from an arena's heap, cut to its size (a
        // few bytes over). A mapping of its own is whole pages: 2 MiB and its header
        // take one page more.
        let buffer = std::hint::black_box(vec![1u8; 2 << 20]);
        // SAFETY: the pointer is the start of a live allocation made by malloc.
        let usable = unsafe { libc::malloc_usable_size(buffer.as_ptr() as *mut libc::c_void) };
        assert!(
            usable - buffer.len() >= 1024,
            "the 2 MiB buffer has {} bytes to spare, not a mapping of its own",
            usable - buffer.len()
        );
    }
}
