/* SPDX-License-Identifier: Apache-2.0 */
/*
 * sim_output.c: the simulator's directory sink.  DIR/facilities/FACI.json,
 * DIR/reports/MBA.c10 (every report of the MBA, in order, Code 10 labelled
 * through the library's writer) and DIR/truth.json.
 *
 * Memory stays flat: each MBA has a bounded buffer that is appended to
 * its file (opened, written, closed) when it passes 32 KiB, so a State of
 * thousands of MBAs needs neither thousands of open files nor memory that
 * grows with the years.  Everything goes to DIR.partial, renamed to DIR
 * when the run has succeeded and removed when it has not.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "custos/format.h"
#include "simint.h"

#define FLUSH_AT (32u << 10)

typedef struct mba_out {
    char code[5];
    custos_buf buf;
} mba_out;

typedef struct dir_sink {
    char *root;          /* DIR.partial */
    mba_out *mbas;       /* open-addressing table by MBA code */
    size_t cap, n;
    FILE *truth;
    uint64_t bytes;
} dir_sink;

static uint32_t hash4(const char *code)
{
    uint32_t h = 2166136261u;
    for (int i = 0; i < 4 && code[i]; i++)
        h = (h ^ (unsigned char)code[i]) * 16777619u;
    return h;
}

static int path_of(char *out, size_t size, const dir_sink *ds, const char *sub, const char *name,
                   const char *ext)
{
    int n = snprintf(out, size, "%s/%s/%s%s", ds->root, sub, name, ext);
    if (n < 0 || (size_t)n >= size)
        return custos_error_set(CUSTOS_EIO, "path too long under %s", ds->root);
    return CUSTOS_OK;
}

static int write_all(const char *path, const char *mode, const char *data, size_t len)
{
    FILE *f = fopen(path, mode);
    if (!f)
        return custos_error_set(CUSTOS_EIO, "%s: %s", path, strerror(errno));
    size_t w = fwrite(data, 1, len, f);
    int bad = ferror(f);
    if (fclose(f) != 0 || w != len || bad)
        return custos_error_set(CUSTOS_EIO, "%s: %s", path, strerror(errno ? errno : EIO));
    return CUSTOS_OK;
}

static int flush_mba(dir_sink *ds, mba_out *o)
{
    if (!o->buf.len)
        return CUSTOS_OK;
    char path[4096];
    int err = path_of(path, sizeof path, ds, "reports", o->code, ".c10");
    if (err >= 0)
        err = write_all(path, "ab", o->buf.data, o->buf.len);
    ds->bytes += o->buf.len;
    o->buf.len = 0;
    return err;
}

static mba_out *slot(dir_sink *ds, const char *code)
{
    if (ds->n * 2 >= ds->cap) {
        size_t cap = ds->cap ? ds->cap * 2 : 256;
        mba_out *t = custos_calloc(cap, sizeof *t);
        if (!t)
            return NULL;
        for (size_t i = 0; i < ds->cap; i++) {
            if (!ds->mbas[i].code[0])
                continue;
            size_t k = hash4(ds->mbas[i].code) & (cap - 1);
            while (t[k].code[0])
                k = (k + 1) & (cap - 1);
            t[k] = ds->mbas[i];
        }
        custos_free(ds->mbas);
        ds->mbas = t;
        ds->cap = cap;
    }
    size_t k = hash4(code) & (ds->cap - 1);
    while (ds->mbas[k].code[0] && strcmp(ds->mbas[k].code, code))
        k = (k + 1) & (ds->cap - 1);
    if (!ds->mbas[k].code[0]) {
        custos_strlcpy(ds->mbas[k].code, code, sizeof ds->mbas[k].code);
        custos_buf_init(&ds->mbas[k].buf, 256u << 20);
        ds->n++;
    }
    return &ds->mbas[k];
}

static int on_facility(void *ctx, const char *code, const char *json, size_t len)
{
    dir_sink *ds = ctx;
    char path[4096];
    int err = path_of(path, sizeof path, ds, "facilities", code, ".json");
    if (err >= 0)
        err = write_all(path, "wb", json, len);
    ds->bytes += len;
    return err;
}

static int on_report(void *ctx, const custos_report *r)
{
    dir_sink *ds = ctx;
    mba_out *o = slot(ds, r->mba);
    if (!o)
        return custos_error_nomem();
    custos_writer *w = NULL;
    int err = custos_writer_new(&w, CUSTOS_FORMAT_CODE10, custos_buf_write_fn, &o->buf);
    if (err >= 0)
        err = custos_writer_report(w, r);
    if (err >= 0)
        err = custos_writer_finish(w);
    custos_writer_free(w);
    if (err >= 0 && o->buf.len >= FLUSH_AT)
        err = flush_mba(ds, o);
    return err;
}

static int on_truth(void *ctx, const char *data, size_t len)
{
    dir_sink *ds = ctx;
    if (fwrite(data, 1, len, ds->truth) != len)
        return custos_error_set(CUSTOS_EIO, "%s/truth.json: %s", ds->root, strerror(errno));
    ds->bytes += len;
    return CUSTOS_OK;
}

static void remove_tree(const char *root)
{
    static const char *const subs[] = {"facilities", "reports", NULL};
    char path[4096];
    for (const char *const *s = subs; *s; s++) {
        snprintf(path, sizeof path, "%s/%s", root, *s);
        DIR *dir = opendir(path);
        if (!dir)
            continue;
        struct dirent *de;
        while ((de = readdir(dir)) != NULL) {
            if (de->d_name[0] == '.')
                continue;
            char f[4096 + 256];
            snprintf(f, sizeof f, "%s/%s", path, de->d_name);
            unlink(f);
        }
        closedir(dir);
        rmdir(path);
    }
    snprintf(path, sizeof path, "%s/truth.json", root);
    unlink(path);
    rmdir(root);
}

/* 1 when path does not exist, 0 when it is an empty directory, -1 else. */
static int dir_state(const char *path)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return errno == ENOENT ? 1 : -1;
    if (!S_ISDIR(st.st_mode))
        return -1;
    DIR *d = opendir(path);
    if (!d)
        return -1;
    struct dirent *de;
    int empty = 0;
    while ((de = readdir(d)) != NULL)
        if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
            empty = -1;
    closedir(d);
    return empty;
}

int custos_sim_write_dir(const custos_sim_config *c, const custos_sim_options *opt,
                         const char *dir, custos_sim_stats *stats)
{
    dir_sink ds;
    memset(&ds, 0, sizeof ds);
    int state = dir_state(dir);
    if (state < 0)
        return custos_error_set(CUSTOS_EEXISTS, "%s exists and is not an empty directory", dir);
    size_t n = strlen(dir) + sizeof ".partial";
    ds.root = custos_malloc(n);
    if (!ds.root)
        return custos_error_nomem();
    snprintf(ds.root, n, "%s.partial", dir);
    int err = CUSTOS_OK;
    char path[4096];
    bool made = false;
    if (mkdir(ds.root, 0777) != 0) {
        err = custos_error_set(CUSTOS_EIO, "%s: %s%s", ds.root, strerror(errno),
                               errno == EEXIST ? " (left by a run that was cut off: remove it)"
                                               : "");
        goto done;
    }
    made = true;
    snprintf(path, sizeof path, "%s/facilities", ds.root);
    if (mkdir(path, 0777) != 0) {
        err = custos_error_set(CUSTOS_EIO, "%s: %s", path, strerror(errno));
        goto done;
    }
    snprintf(path, sizeof path, "%s/reports", ds.root);
    if (mkdir(path, 0777) != 0) {
        err = custos_error_set(CUSTOS_EIO, "%s: %s", path, strerror(errno));
        goto done;
    }
    snprintf(path, sizeof path, "%s/truth.json", ds.root);
    if (!(ds.truth = fopen(path, "wb"))) {
        err = custos_error_set(CUSTOS_EIO, "%s: %s", path, strerror(errno));
        goto done;
    }
    custos_sim_sink sink = {on_facility, on_report, on_truth, &ds};
    custos_sim_stats st;
    if ((err = custos_sim_run(c, opt, &sink, &st)) < 0)
        goto done;
    for (size_t i = 0; i < ds.cap && err >= 0; i++)
        if (ds.mbas[i].code[0])
            err = flush_mba(&ds, &ds.mbas[i]);
    if (err < 0)
        goto done;
    FILE *t = ds.truth;
    ds.truth = NULL;
    if (fclose(t) != 0) {
        err = custos_error_set(CUSTOS_EIO, "%s/truth.json: %s", ds.root, strerror(errno));
        goto done;
    }
    if (state == 0 && rmdir(dir) != 0) {
        err = custos_error_set(CUSTOS_EIO, "%s: %s", dir, strerror(errno));
        goto done;
    }
    if (rename(ds.root, dir) != 0) {
        err = custos_error_set(CUSTOS_EIO, "rename %s to %s: %s", ds.root, dir, strerror(errno));
        goto done;
    }
    made = false;
    st.bytes = ds.bytes;
    if (stats)
        *stats = st;
done:
    if (ds.truth)
        fclose(ds.truth);
    for (size_t i = 0; i < ds.cap; i++)
        if (ds.mbas[i].code[0])
            custos_buf_dispose(&ds.mbas[i].buf);
    custos_free(ds.mbas);
    if (made)
        remove_tree(ds.root);
    custos_free(ds.root);
    return err;
}
