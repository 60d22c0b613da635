/* SPDX-License-Identifier: Apache-2.0 */
/*
 * alloc.c: the allocation seam (STYLE.md point 10).
 *
 * Every block carries a 16-byte header holding its size, so SQLite's
 * xSize can be answered and realloc can be routed through the same
 * failure hook.  Counters are atomic: the server allocates from several
 * threads.  The hook makes the Nth attempted allocation fail (and, when
 * sticky, every later one), which the robustness tests sweep over N.
 */
#include <jansson.h>
#include <sqlite3.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"

#define HEADER 16

static atomic_long fail_at;     /* 0: never fail */
static atomic_int fail_sticky;
static atomic_long attempts;    /* allocations attempted since the hook was set */
static atomic_long live;        /* blocks not yet freed */
static _Thread_local unsigned long failures; /* allocations that returned NULL here */

unsigned long custos_alloc_failures(void)
{
    return failures;
}

void custos_alloc_fail_at(long n, int sticky)
{
    atomic_store(&attempts, 0);
    atomic_store(&fail_sticky, sticky);
    atomic_store(&fail_at, n);
}

long custos_alloc_count(void)
{
    return atomic_load(&attempts);
}

long custos_alloc_live(void)
{
    return atomic_load(&live);
}

/* Called for each injected failure: a place for a debugger breakpoint
 * ("break custos_alloc_injected_failure"). */
void custos_alloc_injected_failure(void);
__attribute__((noinline)) void custos_alloc_injected_failure(void)
{
    __asm__ volatile("");
}

static bool should_fail(void)
{
    long n = atomic_fetch_add(&attempts, 1) + 1;
    long at = atomic_load(&fail_at);
    if (at <= 0)
        return false;
    bool fail = n == at || (atomic_load(&fail_sticky) && n > at);
    if (fail)
        custos_alloc_injected_failure();
    return fail;
}

/* The block itself, after the hook has been asked. */
static void *block(size_t n)
{
    unsigned char *p = malloc(n + HEADER);
    if (!p) {
        failures++;
        return NULL;
    }
    memcpy(p, &n, sizeof n);
    atomic_fetch_add(&live, 1);
    return p + HEADER;
}

void *custos_malloc(size_t n)
{
    if (n > SIZE_MAX - HEADER || should_fail()) {
        failures++;
        return NULL;
    }
    return block(n);
}

void *custos_calloc(size_t count, size_t size)
{
    if (size && count > SIZE_MAX / size)
        return NULL;
    void *p = custos_malloc(count * size);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *custos_realloc(void *ptr, size_t n)
{
    if (!ptr)
        return custos_malloc(n);
    if (n > SIZE_MAX - HEADER || should_fail()) {
        failures++;
        return NULL;
    }
    unsigned char *p = realloc((unsigned char *)ptr - HEADER, n + HEADER);
    if (!p) {
        failures++;
        return NULL;
    }
    memcpy(p, &n, sizeof n);
    return p + HEADER;
}

void custos_free(void *ptr)
{
    if (!ptr)
        return;
    atomic_fetch_sub(&live, 1);
    free((unsigned char *)ptr - HEADER);
}

char *custos_strdup(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = custos_malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* SQLite's allocator methods, routed through the seam. */
static void *sq_malloc(int n)
{
    return n < 0 ? NULL : custos_malloc((size_t)n);
}

static void sq_free(void *p)
{
    custos_free(p);
}

static void *sq_realloc(void *p, int n)
{
    return n < 0 ? NULL : custos_realloc(p, (size_t)n);
}

static int sq_size(void *p)
{
    size_t n;
    if (!p)
        return 0;
    memcpy(&n, (unsigned char *)p - HEADER, sizeof n);
    return (int)n;
}

static int sq_roundup(int n)
{
    return (n + 7) & ~7;
}

static int sq_init(void *unused)
{
    (void)unused;
    return SQLITE_OK;
}

static void sq_shutdown(void *unused)
{
    (void)unused;
}

/*
 * jansson's allocations.  jansson 2.14 does not survive a failed
 * allocation inside its lexer: lex_save() ignores a failed growth of the
 * token buffer, and lex_scan_string() then copies past the end of the
 * saved text into a block too small for it (a heap overflow, found by the
 * allocation sweep over the agreement parser).  So an injected failure is
 * counted (every JSON reader and writer of custos compares
 * custos_alloc_failures() before and after and returns CUSTOS_ENOMEM) but
 * jansson still gets its block: the sweep exercises custos's handling of
 * the failure without triggering jansson's bug.  A real NULL from malloc
 * still reaches jansson; see docs/internals/robustness.md.
 */
static void *js_malloc(size_t n)
{
    if (n > SIZE_MAX - HEADER) {
        failures++;
        return NULL;
    }
    if (should_fail())
        failures++;
    return block(n);
}

static atomic_int initialised;

int custos_global_init(void)
{
    static const sqlite3_mem_methods methods = {sq_malloc, sq_free,     sq_realloc, sq_size,
                                                sq_roundup, sq_init, sq_shutdown, NULL};
    if (atomic_exchange(&initialised, 1))
        return CUSTOS_OK;
    if (!sqlite3_threadsafe())
        return custos_error_set(CUSTOS_ESTORAGE, "SQLite was built without thread safety");
    if (sqlite3_config(SQLITE_CONFIG_MALLOC, &methods) != SQLITE_OK)
        return custos_error_set(CUSTOS_ESTORAGE, "SQLite refused the custos allocator");
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    json_set_alloc_funcs(js_malloc, custos_free);
    return CUSTOS_OK;
}
