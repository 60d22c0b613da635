/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/common.h: error codes, the last-error message, the allocation seam
 * and the bounded limits every module shares.
 *
 * Errors are negative integers from one enum that is never renumbered.  A
 * function that fails also leaves a one-line message (no "failed to"
 * prefix) in thread-local storage, read with custos_last_error().
 *
 * All memory the library allocates goes through custos_malloc() and
 * custos_free(), so a test can make the Nth allocation fail
 * (custos_alloc_fail_at()) and check that nothing leaks and nothing is
 * half-written.
 */
#ifndef CUSTOS_COMMON_H
#define CUSTOS_COMMON_H

#include <stddef.h>
#include <stdint.h>

#if defined(CUSTOS_BUILDING) && defined(__GNUC__)
#define CUSTOS_API __attribute__((visibility("default")))
#else
#define CUSTOS_API
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Error codes.  Values are part of the ABI and are never renumbered. */
typedef enum custos_error {
    CUSTOS_OK = 0,
    CUSTOS_ENOTFOUND = -1,  /* no such report, entry, MBA, ... */
    CUSTOS_EINVAL = -2,     /* invalid input: a report, file or argument */
    CUSTOS_EDOMAIN = -3,    /* a numerical argument outside its domain */
    CUSTOS_ENOMEM = -4,     /* out of memory */
    CUSTOS_ESTORAGE = -5,   /* the SQLite store failed */
    CUSTOS_ETOOBIG = -6,    /* a documented size limit was exceeded */
    CUSTOS_EFORBIDDEN = -7, /* the caller's role does not allow it */
    CUSTOS_EEXISTS = -8,    /* already stored */
    CUSTOS_ETAMPER = -9,    /* an integrity check of the store failed */
    CUSTOS_EIO = -10        /* reading or writing a file failed */
} custos_error;

/* Library version, as "MAJOR.MINOR.PATCH".  Borrowed, static. */
CUSTOS_API const char *custos_version(void);

/* A short English name of an error code ("invalid input").  Static. */
CUSTOS_API const char *custos_strerror(int err);

/*
 * The message of the last error raised on this thread: one line, no
 * trailing newline.  Borrowed until the next library call on this thread.
 * Returns "" when no error was raised.
 */
CUSTOS_API const char *custos_last_error(void);

/* Clear the last-error message of this thread. */
CUSTOS_API void custos_clear_error(void);

/*
 * Allocation seam.  custos_malloc(0) returns a unique pointer or NULL.
 * custos_free(NULL) does nothing.  These are the only allocator the library
 * uses, also for SQLite and jansson once custos_global_init() ran.
 */
CUSTOS_API void *custos_malloc(size_t n);
CUSTOS_API void *custos_calloc(size_t count, size_t size);
CUSTOS_API void *custos_realloc(void *p, size_t n);
CUSTOS_API void custos_free(void *p);
/* A copy of s (NULL gives NULL); caller frees with custos_free(). */
CUSTOS_API char *custos_strdup(const char *s);

/*
 * Test hook: make allocation number n (counting from 1 after this call)
 * and, when sticky is non-zero, every later one fail.  n = 0 disables the
 * hook.  Returns nothing; custos_alloc_count() tells how many allocations
 * were attempted since the hook was set, custos_alloc_live() how many
 * blocks allocated through the seam are not yet freed.
 */
CUSTOS_API void custos_alloc_fail_at(long n, int sticky);
CUSTOS_API long custos_alloc_count(void);
CUSTOS_API long custos_alloc_live(void);

/*
 * Process-wide set-up: routes jansson's and SQLite's allocations through
 * the seam and checks that SQLite is thread-safe.  Call once before any
 * other function, before threads start.  Returns CUSTOS_OK or
 * CUSTOS_ESTORAGE.
 */
CUSTOS_API int custos_global_init(void);

/* Documented maximum sizes (docs/limits.md, tested at and one over each
 * limit in tests/limits).  Input past them is refused with CUSTOS_ETOOBIG
 * and a one-line message naming the file, line and limit. */
#define CUSTOS_MAX_ELEMENT 4096         /* bytes of one Code 10 element value */
#define CUSTOS_MAX_CSV_LINE 65536       /* bytes of one CSV record, line end apart */
#define CUSTOS_MAX_ENTRIES 1000000      /* entries in one report */
#define CUSTOS_MAX_JSON_FILE (256L << 20) /* bytes of a JSON document */
#define CUSTOS_MAX_FILE (4LL << 30)     /* bytes of any input file or stream */
#define CUSTOS_MAX_DIAGS 1000           /* diagnostics kept per run (more are counted) */

#ifdef __cplusplus
}
#endif
#endif
