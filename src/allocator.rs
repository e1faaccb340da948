//! How the process holds memory: what it asks of glibc's allocator, and which pages of
//! its own file it lets go.

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

/// Call on the parsing thread twice for every parse of `bytes` of input: just before it
/// starts and once its tree is dropped. Around a large input the arenas' free memory goes
/// back to the system (a blocking call):
/// - before, so that the tree is built in memory already returned rather than beside
///   the free chunks that the pages parsed since the last large one left in the middle
///   of the arenas, which stay resident (some 9 MiB of the peak that the 6 MB page of a
///   10,000-page Javadoc reference sets);
/// - after, since each node is under the mapping threshold, so a freed DOM of a page of
///   megabytes (13 times its size) stayed resident in the arena of the pool thread that
///   parsed it (peak RSS 30 MiB higher on that reference without it).
pub fn around_parsing(bytes: usize) {
    if bytes >= LARGE_INPUT_BYTES {
        return_free_memory();
    }
}

#[cfg(test)]
thread_local! {
    /// Times this thread gave free memory back, for tests of when it happens.
    static RETURNED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many times this thread has given the arenas' free memory back.
#[cfg(test)]
pub fn times_returned_on_this_thread() -> usize {
    RETURNED.with(std::cell::Cell::get)
}

/// Gives the free memory inside glibc's arenas back to the system (a few milliseconds on
/// a heap of 100 MiB).
fn return_free_memory() {
    #[cfg(test)]
    RETURNED.with(|returned| returned.set(returned.get() + 1));
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim takes the arenas' locks itself; it frees nothing in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Lets go of the pages of the program's read-only data that are resident and
/// unchanged from the file. The token counter's tables are built from a serialised copy
/// embedded in the program (6.9 MB; 15 MB before build.rs left out what counting
/// never reads); once built, that copy is never read again, but its pages stayed
/// resident. They remain in the page cache, so a page that is read again comes back
/// without a disk read.
pub fn release_read_only_file_pages() {
    #[cfg(target_os = "linux")]
    for mapping in read_only_mappings_of_the_program() {
        if mapping.only_the_files_pages() && mapping.resident_kib > 0 {
            // SAFETY: the range is a whole private mapping of the program's file,
            // read-only, with no page of its own in memory or in swap (no relocation or
            // copy written into it), so every page dropped reads back from the file as
            // it was.
            unsafe {
                libc::madvise(
                    mapping.start as *mut libc::c_void,
                    mapping.len,
                    libc::MADV_DONTNEED,
                );
            }
        }
    }
}

/// A read-only, non-executable mapping of the program's file.
#[cfg(target_os = "linux")]
struct ProgramMapping {
    start: usize,
    len: usize,
    resident_kib: u64,
    /// Pages written since the mapping was made (relocations, before the mapping was
    /// made read-only), resident and swapped out: these are the process's own, not the
    /// file's. `None` when smaps did not say.
    anonymous_kib: Option<u64>,
    swapped_kib: Option<u64>,
}

#[cfg(target_os = "linux")]
impl ProgramMapping {
    fn only_the_files_pages(&self) -> bool {
        self.anonymous_kib == Some(0) && self.swapped_kib == Some(0)
    }
}

/// The program's read-only data mappings, from `/proc/self/smaps` (none when it cannot
/// be read; a program path with a space in it is not recognised, and nothing is done).
#[cfg(target_os = "linux")]
fn read_only_mappings_of_the_program() -> Vec<ProgramMapping> {
    let (Ok(program), Ok(smaps)) = (
        std::fs::read_link("/proc/self/exe"),
        std::fs::read_to_string("/proc/self/smaps"),
    ) else {
        return Vec::new();
    };
    let program = program.to_string_lossy();
    let mut found = Vec::new();
    let mut current: Option<ProgramMapping> = None;
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let first = fields.next().unwrap_or_default();
        let Some(mapping) = current.as_mut() else {
            current = program_mapping(first, fields, &program);
            continue;
        };
        match first {
            "Rss:" => mapping.resident_kib = kib(fields.next()).unwrap_or(0),
            "Anonymous:" => mapping.anonymous_kib = kib(fields.next()),
            "Swap:" => mapping.swapped_kib = kib(fields.next()),
            _ if first.contains('-') => {
                found.extend(current.take());
                current = program_mapping(first, fields, &program);
            }
            _ => {}
        }
    }
    found.extend(current);
    found
}

/// The mapping a header line of smaps (`start-end perms offset dev inode path`) opens,
/// when it is a read-only data mapping of `program`.
#[cfg(target_os = "linux")]
fn program_mapping<'a>(
    range: &str,
    mut fields: impl Iterator<Item = &'a str>,
    program: &str,
) -> Option<ProgramMapping> {
    let (start, end) = range.split_once('-')?;
    let (start, end) = (
        usize::from_str_radix(start, 16).ok()?,
        usize::from_str_radix(end, 16).ok()?,
    );
    let perms = fields.next()?;
    let path = fields.nth(3)?;
    (perms == "r--p" && path == program && end > start).then_some(ProgramMapping {
        start,
        len: end - start,
        resident_kib: 0,
        anonymous_kib: None,
        swapped_kib: None,
    })
}

#[cfg(target_os = "linux")]
fn kib(field: Option<&str>) -> Option<u64> {
    field.and_then(|kib| kib.parse().ok())
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
    fn the_programs_read_only_data_leaves_memory_once_read() {
        let program_data = || -> u64 {
            read_only_mappings_of_the_program()
                .iter()
                .map(|mapping| mapping.resident_kib)
                .sum()
        };
        // The token counter's tables are built first (or their building by another test
        // finished), so that nothing reads their serialised copy after the release.
        crate::crawl::tokens::count("loaded");
        // Read every page, as building those tables reads that copy (6.9 MB of this
        // program's data; this test program also holds bpe-openai's own 15 MB, which a
        // test of the tables compares with).
        for mapping in read_only_mappings_of_the_program() {
            for offset in (0..mapping.len).step_by(4096) {
                // SAFETY: the address is inside a readable mapping of the program.
                unsafe { std::ptr::read_volatile((mapping.start + offset) as *const u8) };
            }
        }
        // Relocated data (made read-only after it was written) holds pages of its own.
        let written = || -> Vec<(usize, Option<u64>)> {
            read_only_mappings_of_the_program()
                .iter()
                .filter(|mapping| !mapping.only_the_files_pages())
                .map(|mapping| (mapping.start, mapping.anonymous_kib))
                .collect()
        };
        let (read, written_before) = (program_data(), written());
        release_read_only_file_pages();
        let released = program_data();
        assert!(
            read >= 6 * 1024 && released + 6 * 1024 <= read,
            "the program's read-only data: {read} KiB resident once read, {released} KiB \
             after letting go"
        );
        assert_eq!(
            written(),
            written_before,
            "pages of the program's own were kept"
        );
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
