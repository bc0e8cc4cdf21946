// Splitting the CPU zones into independent runs of rows for passes spread over the cores. A thread's zones are a
// forest in DFS pre-order, and a row at depth 0 starts a new tree: a pass that keeps a stack of open zones can
// start afresh at such a row, so a thread's range is cut there.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstddef>
#include <thread>
#include <vector>

#include "model/model.hpp"

namespace tshim {

struct ZoneSegment {
    size_t begin, end;  // rows of `zones`
    bool tree;          // rows of one thread (cut at depth-0 rows); false: rows no thread lists
};

// How many threads a pass over `items` items uses: the cores, fewer for small inputs.
size_t pass_workers(size_t items);

// Segments covering every row of m.zones once, in row order, about `rows / pieces` rows each where depth-0 rows
// allow. Thread ranges that overlap or run past the table are clipped (never for a consistent model).
std::vector<ZoneSegment> zone_segments(const Model& m, size_t pieces);

// Splits [0, n) into `pieces` nearly equal chunks: chunk i is [chunk_begin(n, pieces, i), chunk_begin(.., i + 1)).
inline size_t chunk_begin(size_t n, size_t pieces, size_t i) {
    return pieces ? n / pieces * i + std::min(i, n % pieces) : 0;
}

// Calls fn(i) for each i < count on up to `workers` threads (the caller's among them); each index once.
// `fn` must not throw.
template <class F> void run_parallel(size_t count, size_t workers, F&& fn) {
    workers = std::min(workers, count);
    if (workers <= 1) {
        for (size_t i = 0; i < count; i++) fn(i);
        return;
    }
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i = next++; i < count; i = next++) fn(i);
    };
    std::vector<std::thread> threads;
    try {
        for (size_t w = 1; w < workers; w++) threads.emplace_back(work);
    } catch (...) {  // no more threads: the ones started and this one do the work
    }
    work();
    for (auto& t : threads) t.join();
}

// Memory a pass writes once, handed over by the caller (numpy arrays): asks for small pages (numpy asks for huge
// ones, which cost more where a VM hands freed memory back to its host) and faults them in from the threads that
// write them, many pages per call. Hints only: failures change nothing.
void prefer_small_pages(void* data, size_t bytes);
void populate_rows(void* data, size_t item_bytes, size_t rows, size_t from, size_t to);

// Reserves n items of a derived column and faults its pages in on the pass's threads, before it is filled.
template <class T> void reserve_populated(std::vector<T>& v, size_t n) {
    v.reserve(n);
    const size_t workers = pass_workers(n);
    run_parallel(workers, workers, [&](size_t w) {
        populate_rows(v.data(), sizeof(T), v.capacity(), chunk_begin(n, workers, w), chunk_begin(n, workers, w + 1));
    });
}

}  // namespace tshim
