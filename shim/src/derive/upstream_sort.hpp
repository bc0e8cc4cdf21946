// The order upstream's server leaves equal elements in when it sorts with its unstable quicksort.
//
// Upstream sorts some vectors with an unstable introsort of the pattern-defeating family (sequential below 2^18
// elements; above that it partitions in parallel and its order depends on its thread pool, and we keep the
// sequential order), and some derived values depend on where elements that compare equal end up: a memory pool's
// plot after a discard frees many blocks at one time, and the plot's sum adds the running usage after each of them.
// A stable sort would give other intermediate values, so this routine follows the same steps (insertion sort for
// short ranges, median-of-3 pivots or a median of three medians above 128 elements, partition with equal elements
// to the right, a partition to the left when the pivot equals the previous one, partial insertion sort after a
// partition that moved nothing, deterministic swaps after an unbalanced partition, heap sort after too many) so the
// permutation is the same.
#pragma once

#include <algorithm>
#include <cstddef>
#include <utility>
#include <vector>

namespace tshim {

namespace upstream_sort_detail {

constexpr std::ptrdiff_t kInsertionMax = 12;     // ranges up to this size are insertion-sorted
constexpr std::ptrdiff_t kNinetherMin = 129;     // from this size the pivot is a median of three medians
constexpr std::ptrdiff_t kUnbalancedRatio = 8;   // a side smaller than size / 8 makes a bad partition
constexpr int kPartialInsertionMoves = 8;        // a partial insertion sort gives up after this many moves

template <class It, class Less>
void sort3(It a, It b, It c, Less& less) {
    if (!less(*b, *a)) {
        if (!less(*c, *b)) return;
        std::iter_swap(b, c);
        if (less(*b, *a)) std::iter_swap(a, b);
        return;
    }
    if (less(*c, *b)) {
        std::iter_swap(a, c);
        return;
    }
    std::iter_swap(a, b);
    if (less(*c, *b)) std::iter_swap(b, c);
}

// Moves *it left over the greater elements before it. `guarded`: stop at `begin` (otherwise an element not greater
// than any in the range sits before `begin`).
template <class It, class Less>
void sink(It begin, It it, Less& less, bool guarded) {
    auto elem = std::move(*it);
    It hole = it;
    do {
        *hole = std::move(*(hole - 1));
        --hole;
    } while ((!guarded || hole != begin) && less(elem, *(hole - 1)));
    *hole = std::move(elem);
}

template <class It, class Less>
void insertion_sort(It begin, It end, Less& less, bool guarded) {
    if (begin == end) return;
    for (It it = begin + 1; it != end; ++it)
        if (less(*it, *(it - 1))) sink(begin, it, less, guarded);
}

// Insertion sort that gives up after a few moves; true when the range ended up sorted.
template <class It, class Less>
bool partial_insertion_sort(It begin, It end, Less& less, bool guarded) {
    int moves = 0;
    for (It it = begin + 1; it != end; ++it) {
        if (!less(*it, *(it - 1))) continue;
        sink(begin, it, less, guarded);
        if (++moves >= kPartialInsertionMoves) return it + 1 == end;
    }
    return true;
}

template <class It, class Less>
void choose_pivot(It begin, It end, std::ptrdiff_t size, Less& less) {
    const It mid = begin + size / 2;
    if (size >= kNinetherMin) {
        sort3(begin, mid, end - 1, less);
        sort3(begin + 1, mid + 1, end - 2, less);
        sort3(begin + 2, mid - 1, end - 3, less);
        sort3(mid - 1, mid, mid + 1, less);
        std::iter_swap(begin, mid);
    } else {
        sort3(mid, begin, end - 1, less);
    }
}

// Partitions around the pivot at *begin: smaller elements left, the rest right. Returns the pivot's final place
// and whether no element had to move.
template <class It, class Less>
std::pair<It, bool> partition_right(It begin, It end, Less& less) {
    auto pivot = std::move(*begin);
    It first = begin, last = end;
    while (less(*++first, pivot)) {
    }
    if (first - 1 == begin) {
        while (first < last && !less(*--last, pivot)) {
        }
    } else {
        while (!less(*--last, pivot)) {
        }
    }
    const bool untouched = first >= last;
    while (first < last) {
        std::iter_swap(first, last);
        while (less(*++first, pivot)) {
        }
        while (!less(*--last, pivot)) {
        }
    }
    const It place = first - 1;
    if (place != begin) *begin = std::move(*place);
    *place = std::move(pivot);
    return {place, untouched};
}

// Partitions around the pivot at *begin with the elements equal to it on the left; returns the pivot's place.
template <class It, class Less>
It partition_left(It begin, It end, Less& less) {
    auto pivot = std::move(*begin);
    It first = begin, last = end;
    if (less(pivot, *(end - 1))) {
        while (!less(pivot, *++first)) {
        }
    } else {
        while (++first < last && !less(pivot, *first)) {
        }
    }
    if (first < last) {
        while (less(pivot, *--last)) {
        }
    }
    while (first < last) {
        std::iter_swap(first, last);
        while (!less(pivot, *++first)) {
        }
        while (less(pivot, *--last)) {
        }
    }
    const It place = first - 1;
    if (place != begin) *begin = std::move(*place);
    *place = std::move(pivot);
    return place;
}

// After an unbalanced partition: fixed swaps that break up patterns before both sides are sorted.
template <class It>
void break_patterns(It begin, It end, It pivot, std::ptrdiff_t left, std::ptrdiff_t right) {
    if (left >= kInsertionMax) {
        const auto q = left / 4;
        std::iter_swap(begin, begin + q);
        std::iter_swap(pivot - 1, pivot - q);
        if (left >= kNinetherMin) {
            std::iter_swap(begin + 1, begin + (q + 1));
            std::iter_swap(begin + 2, begin + (q + 2));
            std::iter_swap(pivot - 2, pivot - (q + 1));
            std::iter_swap(pivot - 3, pivot - (q + 2));
        }
    }
    if (right >= kInsertionMax) {
        const auto q = right / 4;
        std::iter_swap(pivot + 1, pivot + (1 + q));
        std::iter_swap(end - 1, end - q);
        if (right >= kNinetherMin) {
            std::iter_swap(pivot + 2, pivot + (2 + q));
            std::iter_swap(pivot + 3, pivot + (3 + q));
            std::iter_swap(end - 2, end - (1 + q));
            std::iter_swap(end - 3, end - (2 + q));
        }
    }
}

template <class It, class Less>
void sort_loop(It begin, It end, Less& less, std::ptrdiff_t bad_allowed, bool leftmost) {
    for (;;) {
        const std::ptrdiff_t size = end - begin;
        if (size <= kInsertionMax) {
            insertion_sort(begin, end, less, leftmost);
            return;
        }
        choose_pivot(begin, end, size, less);
        // A pivot equal to the one left of this range: everything equal to it is done.
        if (!leftmost && !less(*(begin - 1), *begin)) {
            begin = partition_left(begin, end, less) + 1;
            continue;
        }
        const auto [pivot, untouched] = partition_right(begin, end, less);
        const std::ptrdiff_t left = pivot - begin, right = end - (pivot + 1);
        if (untouched) {
            const bool left_done = left > kInsertionMax && partial_insertion_sort(begin, pivot, less, leftmost);
            const bool right_done = right > kInsertionMax && partial_insertion_sort(pivot + 1, end, less, false);
            if (left_done && right_done) return;
            if (left_done) {
                begin = pivot + 1;
                continue;
            }
            if (right_done) {
                end = pivot;
                continue;
            }
        }
        if (left < size / kUnbalancedRatio || right < size / kUnbalancedRatio) {
            if (--bad_allowed == 0) {
                std::make_heap(begin, end, less);
                std::sort_heap(begin, end, less);
                return;
            }
            break_patterns(begin, end, pivot, left, right);
        }
        sort_loop(begin, pivot, less, bad_allowed, leftmost);
        leftmost = false;
        begin = pivot + 1;
    }
}

}  // namespace upstream_sort_detail

// Sorts v by `less` (a strict weak order), leaving equal elements where upstream's unstable sort leaves them.
template <class T, class Less>
void upstream_unstable_sort(std::vector<T>& v, Less less) {
    if (v.empty()) return;
    std::ptrdiff_t bad_allowed = 0;  // floor(log2(size)) + 1
    for (auto n = v.size(); n != 0; n >>= 1) bad_allowed++;
    upstream_sort_detail::sort_loop(v.begin(), v.end(), less, bad_allowed, true);
}

}  // namespace tshim
