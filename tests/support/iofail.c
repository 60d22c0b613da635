/* SPDX-License-Identifier: Apache-2.0 */
/*
 * iofail.c: the failing-disk VFS of iofail.h.
 *
 * A file opened through it is the real file of the wrapped VFS placed
 * right after a small header; every method forwards to the real one
 * after asking should_fail().  Only xRead, xWrite, xSync and xTruncate
 * can fail: locking, the WAL index (shared memory) and everything else
 * pass through, so what a test sees is what a failing disk does to
 * SQLite and to custos above it.  Counters are atomic; the tests are
 * single-threaded but SQLite may call from any thread.
 */
#include <sqlite3.h>
#include <stdatomic.h>
#include <string.h>

#include "custos/common.h"
#include "iofail.h"

typedef struct iofile {
    sqlite3_file base;
    sqlite3_file *real; /* follows this struct in the same block */
} iofile;

static sqlite3_vfs vfs;
static sqlite3_vfs *parent;
static sqlite3_io_methods methods_v1, methods_v2, methods_v3;

static atomic_uint armed_mask;
static atomic_long fail_at, calls, failures;
static atomic_int sticky_mode, fail_error;

void iofail_arm(unsigned mask, long n, int sticky, int error)
{
    atomic_store(&fail_at, 0);
    atomic_store(&calls, 0);
    atomic_store(&failures, 0);
    atomic_store(&sticky_mode, sticky);
    atomic_store(&fail_error, error);
    atomic_store(&armed_mask, n > 0 ? mask : 0u);
    atomic_store(&fail_at, n);
}

long iofail_calls(void)
{
    return atomic_load(&calls);
}

long iofail_failures(void)
{
    return atomic_load(&failures);
}

/* 0 to go ahead, else the error to return for a call of kind. */
static int should_fail(unsigned kind, int natural)
{
    if (!(atomic_load(&armed_mask) & kind))
        return 0;
    long n = atomic_fetch_add(&calls, 1) + 1, at = atomic_load(&fail_at);
    if (at <= 0 || !(n == at || (atomic_load(&sticky_mode) && n > at)))
        return 0;
    atomic_fetch_add(&failures, 1);
    int e = atomic_load(&fail_error);
    return e ? e : natural;
}

static sqlite3_file *real(sqlite3_file *f)
{
    return ((iofile *)f)->real;
}

static int io_close(sqlite3_file *f)
{
    int rc = SQLITE_OK;
    if (real(f)->pMethods)
        rc = real(f)->pMethods->xClose(real(f));
    return rc;
}

static int io_read(sqlite3_file *f, void *buf, int n, sqlite3_int64 off)
{
    int e = should_fail(IOFAIL_READ, SQLITE_IOERR_READ);
    if (e)
        return e;
    return real(f)->pMethods->xRead(real(f), buf, n, off);
}

static int io_write(sqlite3_file *f, const void *buf, int n, sqlite3_int64 off)
{
    int e = should_fail(IOFAIL_WRITE, SQLITE_IOERR_WRITE);
    if (e)
        return e;
    return real(f)->pMethods->xWrite(real(f), buf, n, off);
}

static int io_truncate(sqlite3_file *f, sqlite3_int64 size)
{
    int e = should_fail(IOFAIL_TRUNCATE, SQLITE_IOERR_TRUNCATE);
    if (e)
        return e;
    return real(f)->pMethods->xTruncate(real(f), size);
}

static int io_sync(sqlite3_file *f, int flags)
{
    int e = should_fail(IOFAIL_SYNC, SQLITE_IOERR_FSYNC);
    if (e)
        return e;
    return real(f)->pMethods->xSync(real(f), flags);
}

static int io_size(sqlite3_file *f, sqlite3_int64 *size)
{
    return real(f)->pMethods->xFileSize(real(f), size);
}

static int io_lock(sqlite3_file *f, int lock)
{
    return real(f)->pMethods->xLock(real(f), lock);
}

static int io_unlock(sqlite3_file *f, int lock)
{
    return real(f)->pMethods->xUnlock(real(f), lock);
}

static int io_check_lock(sqlite3_file *f, int *out)
{
    return real(f)->pMethods->xCheckReservedLock(real(f), out);
}

static int io_control(sqlite3_file *f, int op, void *arg)
{
    return real(f)->pMethods->xFileControl(real(f), op, arg);
}

static int io_sector(sqlite3_file *f)
{
    return real(f)->pMethods->xSectorSize(real(f));
}

static int io_device(sqlite3_file *f)
{
    return real(f)->pMethods->xDeviceCharacteristics(real(f));
}

static int io_shm_map(sqlite3_file *f, int pg, int pgsz, int extend, void volatile **p)
{
    return real(f)->pMethods->xShmMap(real(f), pg, pgsz, extend, p);
}

static int io_shm_lock(sqlite3_file *f, int offset, int n, int flags)
{
    return real(f)->pMethods->xShmLock(real(f), offset, n, flags);
}

static void io_shm_barrier(sqlite3_file *f)
{
    real(f)->pMethods->xShmBarrier(real(f));
}

static int io_shm_unmap(sqlite3_file *f, int del)
{
    return real(f)->pMethods->xShmUnmap(real(f), del);
}

static int io_fetch(sqlite3_file *f, sqlite3_int64 off, int n, void **p)
{
    /* Memory-mapped reads would bypass xRead: refuse them, SQLite then
     * reads through xRead. */
    (void)f;
    (void)off;
    (void)n;
    *p = NULL;
    return SQLITE_OK;
}

static int io_unfetch(sqlite3_file *f, sqlite3_int64 off, void *p)
{
    (void)f;
    (void)off;
    (void)p;
    return SQLITE_OK;
}

static int vfs_open(sqlite3_vfs *v, sqlite3_filename name, sqlite3_file *file, int flags,
                    int *out_flags)
{
    (void)v;
    iofile *f = (iofile *)file;
    f->real = (sqlite3_file *)(f + 1);
    memset(f->real, 0, (size_t)parent->szOsFile);
    int rc = parent->xOpen(parent, name, f->real, flags, out_flags);
    if (rc != SQLITE_OK || !f->real->pMethods) {
        f->base.pMethods = NULL;
        return rc;
    }
    int version = f->real->pMethods->iVersion;
    f->base.pMethods = version >= 3 ? &methods_v3 : version == 2 ? &methods_v2 : &methods_v1;
    return SQLITE_OK;
}

static int vfs_delete(sqlite3_vfs *v, const char *name, int sync)
{
    (void)v;
    return parent->xDelete(parent, name, sync);
}

static int vfs_access(sqlite3_vfs *v, const char *name, int flags, int *out)
{
    (void)v;
    return parent->xAccess(parent, name, flags, out);
}

static int vfs_fullpath(sqlite3_vfs *v, const char *name, int n, char *out)
{
    (void)v;
    return parent->xFullPathname(parent, name, n, out);
}

static void *vfs_dlopen(sqlite3_vfs *v, const char *name)
{
    (void)v;
    return parent->xDlOpen(parent, name);
}

static void vfs_dlerror(sqlite3_vfs *v, int n, char *msg)
{
    (void)v;
    parent->xDlError(parent, n, msg);
}

static void (*vfs_dlsym(sqlite3_vfs *v, void *h, const char *sym))(void)
{
    (void)v;
    return parent->xDlSym(parent, h, sym);
}

static void vfs_dlclose(sqlite3_vfs *v, void *h)
{
    (void)v;
    parent->xDlClose(parent, h);
}

static int vfs_random(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return parent->xRandomness(parent, n, out);
}

static int vfs_sleep(sqlite3_vfs *v, int us)
{
    (void)v;
    return parent->xSleep(parent, us);
}

static int vfs_time(sqlite3_vfs *v, double *out)
{
    (void)v;
    return parent->xCurrentTime(parent, out);
}

static int vfs_last_error(sqlite3_vfs *v, int n, char *out)
{
    (void)v;
    return parent->xGetLastError ? parent->xGetLastError(parent, n, out) : 0;
}

static int vfs_time64(sqlite3_vfs *v, sqlite3_int64 *out)
{
    (void)v;
    return parent->xCurrentTimeInt64(parent, out);
}

int iofail_register(void)
{
    if (parent)
        return SQLITE_OK;
    /* SQLite's allocator must be the custos seam before SQLite starts. */
    if (custos_global_init() < 0)
        return SQLITE_ERROR;
    sqlite3_vfs *p = sqlite3_vfs_find(NULL);
    if (!p)
        return SQLITE_ERROR;
    sqlite3_io_methods m = {
        1,          io_close,    io_read,       io_write,      io_truncate,    io_sync,
        io_size,    io_lock,     io_unlock,     io_check_lock, io_control,     io_sector,
        io_device,  io_shm_map,  io_shm_lock,   io_shm_barrier, io_shm_unmap,  io_fetch,
        io_unfetch,
    };
    methods_v1 = m;
    methods_v2 = m;
    methods_v2.iVersion = 2;
    methods_v3 = m;
    methods_v3.iVersion = 3;
    memset(&vfs, 0, sizeof vfs);
    vfs.iVersion = p->iVersion < 2 ? p->iVersion : 2;
    vfs.szOsFile = (int)sizeof(iofile) + p->szOsFile;
    vfs.mxPathname = p->mxPathname;
    vfs.zName = "iofail";
    vfs.xOpen = vfs_open;
    vfs.xDelete = vfs_delete;
    vfs.xAccess = vfs_access;
    vfs.xFullPathname = vfs_fullpath;
    vfs.xDlOpen = vfs_dlopen;
    vfs.xDlError = vfs_dlerror;
    vfs.xDlSym = vfs_dlsym;
    vfs.xDlClose = vfs_dlclose;
    vfs.xRandomness = vfs_random;
    vfs.xSleep = vfs_sleep;
    vfs.xCurrentTime = vfs_time;
    vfs.xGetLastError = vfs_last_error;
    vfs.xCurrentTimeInt64 = vfs_time64;
    parent = p;
    return sqlite3_vfs_register(&vfs, 1);
}

int iofail_sink_write(void *ctx, const char *data, size_t len)
{
    struct iofail_sink *s = ctx;
    s->calls++;
    if (s->fail_at > 0 && s->calls == s->fail_at)
        return CUSTOS_EIO;
    if (len > s->cap - s->len)
        return CUSTOS_ETOOBIG;
    memcpy(s->buf + s->len, data, len);
    s->len += len;
    return CUSTOS_OK;
}
