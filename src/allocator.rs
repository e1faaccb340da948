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

/// Input at least this large (a page, an uploaded file) is parsed into a tree of
/// hundreds of thousands of small nodes.
const LARGE_INPUT_BYTES: usize = 1024 * 1024;

/// Call once the tree built from `bytes` of input is dropped: after a large input, the
/// arenas' free memory goes back to the system. Each node is under the mapping
/// threshold, so a freed DOM of a page of megabytes (13 times its size) stayed resident
/// in the arena of the pool thread that parsed it; on a 10,000-page Javadoc reference
/// with a few such pages, peak RSS was 30 MiB higher without this.
pub fn after_parsing(bytes: usize) {
    if bytes >= LARGE_INPUT_BYTES {
        return_free_memory();
    }
}

/// Gives the free memory inside glibc's arenas back to the system (a few milliseconds on
/// a heap of 100 MiB).
fn return_free_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes the arenas' locks itself; it frees nothing in use.
    unsafe {
        libc::malloc_trim(0);
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

    /// Resident bytes of the process.
    fn resident() -> usize {
        let statm = std::fs::read_to_string("/proc/self/statm").unwrap_or_default();
        let pages: usize = statm
            .split_whitespace()
            .nth(1)
            .and_then(|field| field.parse().ok())
            .unwrap_or(0);
        // SAFETY: sysconf only reads a system constant.
        pages * unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize
    }

    #[test]
    fn the_small_nodes_of_a_freed_tree_go_back_to_the_system() {
        const NODES: usize = 1 << 21;
        // On a thread of its own, as a parse runs on a pool thread with its own arena.
        let (freed, trimmed) = std::thread::spawn(|| {
            // Two million small nodes (some 128 MiB), as a DOM of a page of megabytes,
            // with one allocation after them that stays, as the next page's would.
            let nodes: Vec<Box<[u8; 48]>> = (0..NODES)
                .map(|_| std::hint::black_box(Box::new([1u8; 48])))
                .collect();
            let kept = std::hint::black_box(Box::new([1u8; 48]));
            drop(nodes);
            let freed = resident();
            return_free_memory();
            let trimmed = resident();
            drop(kept);
            (freed, trimmed)
        })
        .join()
        .expect("the allocating thread ends");
        assert!(
            freed.saturating_sub(trimmed) >= NODES * 32,
            "{} MiB resident after the nodes were freed, {} MiB after the trim",
            freed >> 20,
            trimmed >> 20
        );
    }
}
