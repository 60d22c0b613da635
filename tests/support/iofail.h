/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iofail.h: a SQLite VFS for tests that makes the Nth write, sync,
 * truncate or read fail, like a full or failing disk, and write
 * functions for custos writers that fail the same way.
 *
 * The VFS ("iofail") wraps the platform's default VFS and becomes the
 * default itself, so every ledger a test opens goes through it; it passes
 * everything through until armed.  Armed with iofail_arm(), it counts the
 * calls of the kinds chosen and makes call number n (and, when sticky,
 * every later one: a disk that stays full) return the chosen error
 * instead of doing the I/O.  Used by tests/lib/test_iofail.c; see
 * docs/internals/robustness.md.
 */
#ifndef CUSTOS_TEST_IOFAIL_H
#define CUSTOS_TEST_IOFAIL_H

#include <stddef.h>

/* Kinds of calls that can be made to fail (a mask). */
#define IOFAIL_WRITE 0x1    /* xWrite */
#define IOFAIL_SYNC 0x2     /* xSync */
#define IOFAIL_TRUNCATE 0x4 /* xTruncate */
#define IOFAIL_READ 0x8     /* xRead */

/* Register the VFS as SQLite's default (once; later calls do nothing).
 * Returns 0 or a SQLite error code. */
int iofail_register(void);

/*
 * Arm: the nth call (from 1, counted from now) of a kind in mask fails
 * with error (SQLITE_IOERR_WRITE, SQLITE_FULL, ...; 0 picks the natural
 * one for each kind); when sticky, so does every later one.  n = 0
 * disarms and stops counting.
 */
void iofail_arm(unsigned mask, long n, int sticky, int error);

/* Calls of the armed kinds made since iofail_arm(); failures injected. */
long iofail_calls(void);
long iofail_failures(void);

/*
 * A custos_write_fn whose ctx is a struct iofail_sink: it appends to
 * buf (up to cap bytes) and fails with CUSTOS_EIO on call number fail_at
 * (from 1; 0 never), counting calls in calls.
 */
struct iofail_sink {
    char *buf;
    size_t len, cap;
    long calls;
    long fail_at;
};
int iofail_sink_write(void *ctx, const char *data, size_t len);

#endif
