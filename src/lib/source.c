/* SPDX-License-Identifier: Apache-2.0 */
/*
 * source.c: buffered input for the readers.  Files are read in chunks of
 * CUSTOS_SOURCE_CHUNK bytes so a report of any size streams through
 * constant memory; memory sources are read in place.
 */
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "source.h"

int custos_source_open_file(custos_source *s, const char *path)
{
    memset(s, 0, sizeof *s);
    s->line = 1;
    bool std = !strcmp(path, "-");
    s->name = custos_strdup(std ? "<stdin>" : path);
    if (!s->name)
        return custos_error_nomem();
    if (std) {
        s->fp = stdin;
    } else {
        s->fp = fopen(path, "rb");
        if (!s->fp) {
            int e = errno;
            custos_free(s->name);
            s->name = NULL;
            return custos_error_set(CUSTOS_EIO, "%s: %s", path, strerror(e));
        }
        s->owns_fp = true;
        struct stat st;
        if (fstat(fileno(s->fp), &st) == 0 && S_ISREG(st.st_mode))
            s->size = (uint64_t)st.st_size;
        if (s->size > (uint64_t)CUSTOS_MAX_FILE) {
            int err = custos_error_set(CUSTOS_ETOOBIG,
                                       "%s: %llu bytes, larger than the limit of %lld bytes", path,
                                       (unsigned long long)s->size, (long long)CUSTOS_MAX_FILE);
            custos_source_dispose(s);
            return err;
        }
    }
    s->buf = custos_malloc(CUSTOS_SOURCE_CHUNK);
    if (!s->buf) {
        custos_source_dispose(s);
        return custos_error_nomem();
    }
    return CUSTOS_OK;
}

int custos_source_open_memory(custos_source *s, const char *name, const void *data, size_t len)
{
    memset(s, 0, sizeof *s);
    s->line = 1;
    s->name = custos_strdup(name ? name : "<memory>");
    if (!s->name)
        return custos_error_nomem();
    s->mem = data;
    s->memlen = len;
    s->len = len;
    s->size = len;
    s->eof = true;
    return CUSTOS_OK;
}

void custos_source_dispose(custos_source *s)
{
    if (s->owns_fp && s->fp)
        fclose(s->fp);
    custos_free(s->buf);
    custos_free(s->name);
    memset(s, 0, sizeof *s);
}

bool custos_source_fill(custos_source *s)
{
    if (!s->fp || s->eof || s->error)
        return false;
    s->consumed += s->len;
    s->pos = 0;
    /* A stream (a pipe, standard input) has no size to check up front:
     * it stops where it passes the limit. */
    if (s->consumed >= (uint64_t)CUSTOS_MAX_FILE) {
        s->len = 0;
        if (fgetc(s->fp) != EOF) {
            s->error = s->toobig = true;
            return false;
        }
        s->eof = true;
        return false;
    }
    size_t want = CUSTOS_SOURCE_CHUNK;
    if ((uint64_t)CUSTOS_MAX_FILE - s->consumed < want)
        want = (size_t)((uint64_t)CUSTOS_MAX_FILE - s->consumed);
    s->len = fread(s->buf, 1, want, s->fp);
    if (s->len == 0) {
        if (ferror(s->fp))
            s->error = true;
        s->eof = true;
        return false;
    }
    return true;
}

int custos_source_error(const custos_source *s, const char **what)
{
    if (s->toobig) {
        *what = "input larger than the limit of " CUSTOS_MAX_FILE_TEXT " bytes";
        return CUSTOS_ETOOBIG;
    }
    *what = "read error";
    return CUSTOS_EIO;
}

int custos_source_slurp(custos_source *s, size_t max, char **out, size_t *len)
{
    custos_buf b;
    custos_buf_init(&b, max);
    int err = CUSTOS_OK;
    *out = NULL;
    for (;;) {
        size_t avail = s->len - s->pos;
        if (avail) {
            const unsigned char *p = s->buf ? s->buf + s->pos : s->mem + s->pos;
            if ((err = custos_buf_append(&b, (const char *)p, avail)) < 0) {
                if (err == CUSTOS_ETOOBIG)
                    custos_error_set(err, "larger than the limit of %zu bytes", max);
                goto done;
            }
            for (size_t i = 0; i < avail; i++)
                if (p[i] == '\n')
                    s->line++;
            s->pos = s->len;
        }
        if (!custos_source_fill(s))
            break;
    }
    if (s->error) {
        const char *what;
        err = custos_source_error(s, &what);
        custos_error_set(err, "%s", what);
        goto done;
    }
    if ((err = custos_buf_grow(&b, 0)) < 0)
        goto done;
    b.data[b.len] = '\0';
    *out = b.data;
    *len = b.len;
    b.data = NULL;
done:
    custos_buf_dispose(&b);
    return err;
}
