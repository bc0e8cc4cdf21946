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
#define TSHIM_API_VERSION 1

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
/* Stops any background work and frees everything; views into its columns become invalid. NULL is ignored. */
TSHIM_API void tshim_close(tshim_capture* cap);

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

#ifdef __cplusplus
}
#endif

#endif
