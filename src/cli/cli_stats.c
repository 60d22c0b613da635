/* SPDX-License-Identifier: Apache-2.0 */
/* cli_stats.c: helpers of the statistics subcommands. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli_stats.h"

char *cli_slurp(const char *path, size_t max, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    int e = 0;
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f))
                e = EIO; /* a read error is not the end of the file */
            break;
        }
        if (n > max) {
            e = EFBIG; /* max bytes are allowed, one more is not */
            break;
        }
        if (n == cap) {
            size_t ncap = cap > max ? cap + 1 : cap * 2 > max ? max + 1 : cap * 2;
            char *p = realloc(buf, ncap + 1);
            if (!p) {
                e = ENOMEM;
                break;
            }
            buf = p;
            cap = ncap;
        }
    }
    if (f != stdin)
        fclose(f);
    if (!buf || e) {
        free(buf);
        errno = buf ? e : ENOMEM;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}

bool cli_parse_double(const char *s, double min, double max, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !isfinite(v) || v < min || v > max)
        return false;
    *out = v;
    return true;
}

custos_sequence *cli_load_sequence(const char *db, const char *mba, char element, int label,
                                   const char *seqfile)
{
    custos_sequence *s = NULL;
    custos_diags *d = NULL;
    if (custos_diags_new(&d) < 0) {
        cli_error(NULL);
        return NULL;
    }
    if (seqfile) {
        size_t len = 0;
        char *text = cli_slurp(seqfile, (size_t)CUSTOS_MAX_JSON_FILE, &len);
        if (!text) {
            cli_errorf("%s: %s", seqfile, strerror(errno));
        } else if (custos_sequence_parse(&s, seqfile, text, len, d) < 0) {
            if (cli_print_diags(d, stderr) == 0)
                cli_error(NULL);
            s = NULL;
        }
        free(text);
    } else {
        custos_ledger *l;
        if (custos_ledger_open(&l, db, CUSTOS_OPEN_READONLY) < 0) {
            cli_error(NULL);
        } else {
            if (custos_ledger_sequence(&s, l, mba, element, label, d) < 0) {
                cli_error(NULL);
                s = NULL;
            }
            cli_print_diags(d, stderr);
            custos_ledger_free(l);
        }
    }
    custos_diags_free(d);
    return s;
}

void cli_json_number(FILE *f, double v)
{
    if (isfinite(v))
        fprintf(f, "%.17g", v);
    else
        fputs("null", f);
}
