//! How many threads a build may use, and an ordered parallel map over a
//! slice. Work is split into contiguous chunks whose results come back in
//! order, so the output never depends on the thread count.

use std::sync::OnceLock;

/// `STRATA_THREADS`, else `RAYON_NUM_THREADS`, else 1; `0` means the
/// cores available. Read once per process. One thread by default: on this
/// project's shared 2-core machine under load, 2 threads made the bench
/// tree and kubeflow's example slower (waits for a worker to be scheduled),
/// so more is opt-in until measured on a quiet machine.
pub fn count() -> usize {
    static COUNT: OnceLock<usize> = OnceLock::new();
    *COUNT.get_or_init(|| {
        let from_env = |name: &str| {
            std::env::var(name)
                .ok()
                .and_then(|v| v.trim().parse::<usize>().ok())
        };
        let cores = || std::thread::available_parallelism().map_or(1, |n| n.get());
        match from_env("STRATA_THREADS").or_else(|| from_env("RAYON_NUM_THREADS")) {
            Some(0) => cores(),
            Some(n) => n,
            None => 1,
        }
        // More threads than this only cost start-up time.
        .min(64)
    })
}

/// `f(start, chunk)` over contiguous chunks of `items` (`start` is the
/// chunk's first index), in order. Runs on one thread when `threads` is 1
/// or there are fewer than `2 * min_chunk` items, so small builds pay no
/// thread start-up. A panic in a worker is resumed on the caller's thread.
pub fn map_chunks<T, R, F>(items: &[T], threads: usize, min_chunk: usize, f: F) -> Vec<R>
where
    T: Sync,
    R: Send,
    F: Fn(usize, &[T]) -> R + Sync,
{
    let min_chunk = min_chunk.max(1);
    let workers = threads.min(items.len() / min_chunk).max(1);
    if workers == 1 {
        return vec![f(0, items)];
    }
    let size = items.len().div_ceil(workers);
    let f = &f;
    std::thread::scope(|scope| {
        let mut chunks = items.chunks(size).enumerate();
        let (_, first) = chunks.next().unwrap_or((0, &[]));
        let handles: Vec<_> = chunks
            .map(|(i, chunk)| scope.spawn(move || f(i * size, chunk)))
            .collect();
        let mut results = Vec::with_capacity(handles.len() + 1);
        results.push(f(0, first));
        for handle in handles {
            match handle.join() {
                Ok(result) => results.push(result),
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
        results
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_come_back_in_order_whatever_the_thread_count() {
        let items: Vec<u32> = (0..1000).collect();
        let one: Vec<(usize, u32)> = map_chunks(&items, 1, 10, |start, c| (start, c.iter().sum()));
        assert_eq!(one, [(0, items.iter().sum())]);
        for threads in [2, 3, 7, 64] {
            let parts = map_chunks(&items, threads, 10, |start, c| (start, c.to_vec()));
            assert!(
                parts.len() > 1 && parts.len() <= threads,
                "{threads} threads: {} chunks",
                parts.len()
            );
            let mut next = 0;
            for (start, chunk) in &parts {
                assert_eq!(*start, next);
                next += chunk.len();
            }
            let joined: Vec<u32> = parts.into_iter().flat_map(|(_, c)| c).collect();
            assert_eq!(joined, items, "{threads} threads");
        }
    }

    #[test]
    fn small_inputs_stay_on_the_calling_thread() {
        let caller = std::thread::current().id();
        let items = [1, 2, 3];
        let ids = map_chunks(&items, 8, 2, |_, _| std::thread::current().id());
        assert_eq!(ids, [caller]);
        let none: Vec<usize> = map_chunks(&[] as &[u8], 8, 2, |_, c| c.len());
        assert_eq!(none, [0]);
    }
}
