/*
 * tracy_shim: the tracy-mcp capture engine's C API.
 *
 * Everything crossing this boundary is a plain C type. A capture is an opaque handle; its data is exposed as
 * named tables of equally long, contiguous, typed columns (see shim/SCHEMA.md), so callers can view them without
 * copying. Every failing call returns a negative status or NULL and leaves a message readable with
 * tshim_last_error() (per thread) or tshim_capture_error() (per capture).
 */
#ifndef TRACY_SHIM_H
#define TRACY_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#  define TSHIM_API __declspec(dllexport)
#else
#  define TSHIM_API __attribute__((visibility("default")))
#endif

/* Bumped on every incompatible change of this header; the Python side refuses a library reporting another value. */
#define TSHIM_API_VERSION 7

typedef struct tshim_capture tshim_capture;

/* Column element types. */
enum tshim_dtype {
    TSHIM_I8 = 1, TSHIM_U8 = 2, TSHIM_I16 = 3, TSHIM_U16 = 4, TSHIM_I32 = 5, TSHIM_U32 = 6,
    TSHIM_I64 = 7, TSHIM_U64 = 8, TSHIM_F32 = 9, TSHIM_F64 = 10
};

/* Capture states, in order. */
enum tshim_state {
    TSHIM_FAILED = -1,      /* load failed: tshim_capture_error() says why; the handle must still be closed */
    TSHIM_LOADING = 0,      /* reading the file; no table is available yet */
    TSHIM_READY = 1,        /* every table is readable; derived statistics are still being built */
    TSHIM_COMPLETE = 2      /* derived statistics are built as well (upstream's "background done") */
};

/* Status codes returned by int functions (0 = success). */
enum tshim_status {
    TSHIM_OK = 0, TSHIM_ERR_ARG = -1, TSHIM_ERR_STATE = -2, TSHIM_ERR_NOT_FOUND = -3, TSHIM_ERR_IO = -4,
    TSHIM_ERR_FORMAT = -5, TSHIM_ERR_VERSION = -6, TSHIM_ERR_MEMORY = -7, TSHIM_ERR_INTERNAL = -8
};

TSHIM_API int tshim_api_version(void);
TSHIM_API const char* tshim_library_version(void);
/* Message of the last failing call on this thread ("" when none). Valid until the next call on this thread. */
TSHIM_API const char* tshim_last_error(void);

/* Starts loading a .tracy file on a background thread and returns at once; NULL on immediate failure
 * (unreadable path). Format errors surface as state TSHIM_FAILED. */
TSHIM_API tshim_capture* tshim_open_file(const char* path);
/* A capture of generated data, built in memory (state TSHIM_COMPLETE on return; close it with tshim_close, save it
 * with tshim_save): about `zones` worker zones (whole batches of 105 nested zones per thread) on `threads` worker
 * threads plus a 100 Hz main-thread frame loop, with jittered durations; the same seed gives the same capture.
 * For benchmarks and tests that need a capture of a given size. NULL on failure (tshim_last_error says why). */
TSHIM_API tshim_capture* tshim_synthetic(uint64_t zones, int threads, uint64_t seed);
/* Stops any background work and frees everything; views into its columns become invalid. NULL is ignored. */
TSHIM_API void tshim_close(tshim_capture* cap);
/* Asks a capture that is still loading (state TSHIM_LOADING) to stop; returns at once. The load then ends within
 * about one compressed block with state TSHIM_FAILED and status TSHIM_ERR_STATE ("loading was cancelled"). No
 * effect on a capture that is already readable. The handle must still be closed. */
TSHIM_API int tshim_cancel(tshim_capture* cap);

TSHIM_API int tshim_state(const tshim_capture* cap);
/* Blocks until the state is at least `state` or the load failed, at most timeout_s seconds (< 0: no limit).
 * Returns the state reached. */
TSHIM_API int tshim_wait(tshim_capture* cap, int state, double timeout_s);
/* Load progress: bytes of decompressed payload consumed so far and in total (total 0 while unknown),
 * and the name of the current stage. */
TSHIM_API int tshim_progress(const tshim_capture* cap, uint64_t* done, uint64_t* total, const char** stage);
TSHIM_API const char* tshim_capture_error(const tshim_capture* cap);
/* The status (enum tshim_status) of a failed load, TSHIM_OK otherwise. */
TSHIM_API int tshim_capture_status(const tshim_capture* cap);

/* Scalar metadata by key (see shim/SCHEMA.md). */
TSHIM_API int tshim_meta_int(const tshim_capture* cap, const char* key, int64_t* out);
TSHIM_API int tshim_meta_float(const tshim_capture* cap, const char* key, double* out);
/* Bytes are UTF-8 as stored by the client, not NUL-terminated; valid until tshim_close. */
TSHIM_API int tshim_meta_str(const tshim_capture* cap, const char* key, const char** data, size_t* len);
/* Enumerates metadata keys: index 0.. until TSHIM_ERR_NOT_FOUND; kind 'i', 'f' or 's'. */
TSHIM_API int tshim_meta_key(const tshim_capture* cap, int index, const char** key, char* kind);

/* Bytes the capture's tables hold now (columns derived on first use count once built); 0 before TSHIM_READY. */
TSHIM_API int64_t tshim_memory_bytes(const tshim_capture* cap);

/* Tables: available from TSHIM_READY on. Names and pointers stay valid until tshim_close. */
TSHIM_API int tshim_table_count(const tshim_capture* cap);
TSHIM_API const char* tshim_table_name(const tshim_capture* cap, int index);
TSHIM_API int64_t tshim_table_rows(const tshim_capture* cap, const char* table);
TSHIM_API int tshim_column_count(const tshim_capture* cap, const char* table);
TSHIM_API int tshim_column_info(const tshim_capture* cap, const char* table, int index, const char** name,
                                int* dtype);
/* Pointer to the first element (NULL when rows == 0), number of rows and element type. */
TSHIM_API int tshim_column(const tshim_capture* cap, const char* table, const char* column, const void** data,
                           int64_t* rows, int* dtype);

/* ---- Queries computed on demand from a loaded capture (state TSHIM_READY or later) ---- */

/* Call paths of the CPU zones (table "zones"): zones merged by the chain of labels from their top-level zone down
 * to them. labels[s] (n_labels entries) is the label of srcloc row s (e.g. the index of its name); other srclocs get
 * label -1. per_thread != 0 keys top-level zones by (thread, label), else by label alone (path_thread -1).
 * Fills row_path[n_rows] (n_rows = the table's rows) with each zone's path id. Per path, ids 0..*n_paths-1 (a
 * parent's id is smaller than its children's): path_parent (-1 for a top-level path), path_label, path_thread, and
 * over its zones with a valid end: path_count, path_total, path_self (duration minus the durations of the direct
 * children with a valid end) and path_max, in ns. The path arrays hold `capacity` entries and are only written
 * when *n_paths <= capacity; otherwise call again with a larger capacity. */
TSHIM_API int tshim_zone_paths(const tshim_capture* cap, const int32_t* labels, int64_t n_labels, int per_thread,
                               int32_t* row_path, int64_t n_rows, int32_t* path_parent, int32_t* path_label,
                               int32_t* path_thread, int64_t* path_count, int64_t* path_total, int64_t* path_self,
                               int64_t* path_max, int64_t capacity, int64_t* n_paths);

enum tshim_zone_at_flags {
    TSHIM_ZONE_AT_FIBERS = 1  /* a time at which a fiber ran on the given (OS) thread looks in the fiber's zones first */
};

/* For each i < n: the innermost CPU zone (row of table `zones`) open at times[i] on thread row threads[i] (row of
 * `threads`; threads[0] for every time when n_threads is 1, else n_threads must be n): start <= t < end, a zone that
 * never ended staying open. out_zone[i] = -1 where no zone is open. out_thread (may be NULL) gets the thread row that
 * owns the zone (the fiber's when resolved through one; -1 for none). Times need not be sorted. A thread row out of
 * range fails with TSHIM_ERR_ARG. */
TSHIM_API int tshim_zone_at(const tshim_capture* cap, const int64_t* times, int64_t n, const int32_t* threads,
                            int64_t n_threads, int flags, int32_t* out_zone, int32_t* out_thread);
/* ---- Queries computed by the engine (state TSHIM_READY or later) ---- */

/* Per-group statistics of the CPU zones upstream counts (valid end, positive duration). The caller groups the
 * source locations: group_of[srcloc row] is a group index 0..ngroups-1, or -1 to leave that srcloc out
 * (nsrclocs must be the srclocs table's row count). Each output array has ngroups items, `percentiles`
 * ngroups * nq (group-major): count; total, min, max of the durations (ns); their sum of squares; the total, min
 * and max of their self time (duration minus the durations of the direct children); the nq percentiles qs[]
 * (0..100) of the durations, linearly interpolated between the closest ranks (numpy's default), NaN for an empty
 * group. min, max, self_min and self_max are 0 for an empty group. */
typedef struct tshim_zone_group_stats_out {
    int64_t* count;
    int64_t* total;
    int64_t* min;
    int64_t* max;
    double* sum_sq;
    int64_t* self_total;
    int64_t* self_min;
    int64_t* self_max;
    double* percentiles;
} tshim_zone_group_stats_out;

TSHIM_API int tshim_zone_group_stats(tshim_capture* cap, const int32_t* group_of, int64_t nsrclocs, int64_t ngroups,
                                     const double* qs, int nq, const tshim_zone_group_stats_out* out);

/* For every CPU zone (n must be the zones table's row count), in one pass spread over the cores: duration[row] =
 * end - start (0 without a valid end) and self_time[row] = the duration minus the durations of the zone's direct
 * children (children without a valid end counting 0; wrapping 64-bit arithmetic). Either array may be NULL. */
TSHIM_API int tshim_zone_times(const tshim_capture* cap, int64_t* duration, int64_t* self_time, int64_t n);

enum tshim_zone_key {
    TSHIM_KEY_SRCLOC = 0,  /* the zone's srcloc row */
    TSHIM_KEY_THREAD = 1,  /* the zone's thread row (column zones.thread) */
    TSHIM_KEY_EXTRA = 2    /* the zone's zone_extras row (column zones.extra; 0 = none) */
};

/* Codes per CPU zone: out[row] = lut[key of the zone], or `missing` where the key is not below n_lut. `out` holds
 * n items (the zones table's row count) of `width` bytes (1, 2 or 4; signed); every lut value and `missing` must
 * fit that width (else TSHIM_ERR_ARG). */
TSHIM_API int tshim_zone_codes(tshim_capture* cap, int key, const int32_t* lut, int64_t n_lut, int32_t missing,
                               void* out, int width, int64_t n);

/* Sums per call path over the CPU zones that overlap [window_start, window_end), their times clipped to the window
 * (self time = a zone's clipped duration minus its children's), of the threads (rows of table "threads") with
 * thread_mask[t] != 0 (thread_mask NULL: every thread). row_path (n_rows entries) is tshim_zone_paths' output and
 * every id in it must be below n_paths. Fills path_count, path_total, path_self, path_max (n_paths entries each).
 * Only the zones in the window are visited (a thread's zones start in row order). */
TSHIM_API int tshim_zone_path_sums(const tshim_capture* cap, const int32_t* row_path, int64_t n_rows, int64_t n_paths,
                                   int64_t window_start, int64_t window_end, const uint8_t* thread_mask,
                                   int64_t n_threads, int64_t* path_count, int64_t* path_total, int64_t* path_self,
                                   int64_t* path_max);

/* ---- Live capture: a running Tracy-instrumented program (protocol 82 = Tracy 0.14.x clients, 76 = 0.13.x) ----
 * A live handle owns the connection and a network thread. Its data is read through snapshots: each
 * tshim_live_snapshot() returns an independent, frozen tshim_capture (state TSHIM_COMPLETE) with the same tables
 * and metadata as a loaded file (plus meta "live" = 1, "connected", "protocol"); close it with tshim_close. */
typedef struct tshim_live tshim_live;

enum tshim_live_state {
    TSHIM_LIVE_FAILED = -1,       /* the handshake failed: tshim_live_error() says why; no data */
    TSHIM_LIVE_CONNECTING = 0,
    TSHIM_LIVE_STREAMING = 1,
    TSHIM_LIVE_FINISHING = 2,     /* the program ended (or we asked it to stop); last answers are arriving */
    TSHIM_LIVE_DISCONNECTED = 3   /* over; the data received stays readable through snapshots */
};

enum tshim_live_end {
    TSHIM_LIVE_END_NONE = 0, TSHIM_LIVE_END_CLIENT_FINISHED = 1, TSHIM_LIVE_END_MEMORY_LIMIT = 2,
    TSHIM_LIVE_END_USER = 3, TSHIM_LIVE_END_CONNECTION_LOST = 4, TSHIM_LIVE_END_PROTOCOL_ERROR = 5,
    TSHIM_LIVE_END_HANDSHAKE_FAILED = 6
};

typedef struct tshim_live_info {
    int state;                 /* enum tshim_live_state */
    int end_reason;            /* enum tshim_live_end */
    uint32_t protocol;         /* the protocol agreed on (0 until then) */
    uint64_t bytes_received;   /* compressed, as on the wire */
    uint64_t bytes_decoded;
    uint64_t frames;           /* compressed frames received */
    uint64_t events;           /* events decoded */
    uint64_t memory_bytes;     /* what the capture holds (the memory limit's measure) */
    uint64_t generation;       /* changes whenever new data arrived (compare to decide on a new snapshot) */
    uint64_t queries_pending;  /* our requests not yet sent */
    double seconds;            /* since tshim_connect */
} tshim_live_info;

/* Starts connecting to the client at address:port on a background thread and returns at once (NULL only for a
 * null address or out of memory). memory_limit_bytes 0 = no limit; past the limit the client is asked to stop and
 * the session ends, keeping its data. protocol 0 tries 82 then 76 (a client that refuses both is reported with
 * both versions named); otherwise only that protocol. */
TSHIM_API tshim_live* tshim_connect(const char* address, uint16_t port, uint64_t memory_limit_bytes,
                                    uint32_t protocol);
/* Waits until the handshake is over (until_ended 0) or the session has ended (1), at most timeout_s seconds
 * (< 0: no limit). Returns the state reached. */
TSHIM_API int tshim_live_wait(tshim_live* live, int until_ended, double timeout_s);
TSHIM_API int tshim_live_status(const tshim_live* live, tshim_live_info* out);
/* Why the session failed or ended ("" while it runs), and its status (enum tshim_status). Valid until the next
 * call on this thread. */
TSHIM_API const char* tshim_live_error(const tshim_live* live);
TSHIM_API int tshim_live_error_status(const tshim_live* live);
/* A frozen capture of everything received so far; NULL on failure (message in tshim_live_error). */
TSHIM_API tshim_capture* tshim_live_snapshot(tshim_live* live);
/* Asks the program to stop sending and ends the session (asynchronously; wait with tshim_live_wait). */
TSHIM_API int tshim_disconnect(tshim_live* live);
/* Disconnects if needed, joins the network thread and frees the handle; snapshots stay valid. NULL is ignored. */
TSHIM_API void tshim_live_close(tshim_live* live);

/* ---- Saving: write a capture (file-loaded or a live snapshot) as a .tracy file of file version 0.14.0 ---- */
enum tshim_save_compression { TSHIM_SAVE_LZ4 = 0, TSHIM_SAVE_ZSTD = 1 };
enum tshim_save_flags {
    TSHIM_SAVE_OVERWRITE = 1,
    TSHIM_SAVE_FRAME_IMAGE_DICT = 2  /* store a zstd dictionary trained on the frame images (upstream's fi_dict) */
};

typedef struct tshim_save_result {
    uint64_t uncompressed_bytes;  /* payload */
    uint64_t compressed_bytes;    /* the file's size */
    double seconds;
} tshim_save_result;

/* Writes `cap` (state TSHIM_READY or later) to `path`, through a temporary file in the same folder that is moved
 * into place only when complete (nothing is left behind on failure). An existing `path` is refused unless flags
 * has TSHIM_SAVE_OVERWRITE. level: zstd level 1..22 (others are refused; unused by LZ4); streams 1..255
 * (compressed in parallel). progress (may be NULL): three counters shared with another thread: the save updates
 * [0] payload bytes written and [1] the expected total; the caller sets [2] non-zero to cancel (the save then
 * fails with TSHIM_ERR_STATE, leaving nothing behind). out may be NULL. Blocks until done; on failure returns a
 * negative status with the message in tshim_save_error(). */
TSHIM_API int tshim_save(tshim_capture* cap, const char* path, int compression, int level, int streams, int flags,
                         uint64_t* progress, tshim_save_result* out);
/* Message of the last failing tshim_save on this thread ("" when none). */
TSHIM_API const char* tshim_save_error(void);

#ifdef __cplusplus
}
#endif

#endif
