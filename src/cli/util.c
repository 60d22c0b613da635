/* SPDX-License-Identifier: Apache-2.0 */
/*
 * util.c: shared helpers of the CLI: messages, diagnostics, the progress
 * bar, dates and formats.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

void cli_error(const char *msg)
{
    fprintf(stderr, "custos: %s\n", msg ? msg : custos_last_error());
}

void cli_errorf(const char *fmt, ...)
{
    va_list ap;
    fputs("custos: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

size_t cli_print_diags(const custos_diags *d, FILE *to)
{
    size_t errors = 0;
    char line[2048];
    for (size_t i = 0; i < custos_diags_count(d); i++) {
        const custos_diag *g = custos_diags_get(d, i);
        custos_diag_format(line, sizeof line, g);
        if (g->severity == CUSTOS_SEV_ERROR) {
            errors++;
            fprintf(to, "%s\n", line);
        } else {
            fprintf(to, "%s: %s\n", g->severity == CUSTOS_SEV_FINDING ? "finding" : "note", line);
        }
    }
    size_t kept = custos_diags_count(d);
    size_t total = custos_diags_total(d, CUSTOS_SEV_ERROR) + custos_diags_total(d, CUSTOS_SEV_FINDING) +
                   custos_diags_total(d, CUSTOS_SEV_NOTE);
    if (total > kept)
        fprintf(to, "custos: %zu more diagnostics not shown\n", total - kept);
    return errors;
}

int cli_usage(const cli_command *cmd, const char *msg)
{
    if (msg)
        fprintf(stderr, "custos %s: %s\n", cmd->name, msg);
    const char *nl = strchr(cmd->usage, '\n');
    fprintf(stderr, "%.*s\n", nl ? (int)(nl - cmd->usage) : (int)strlen(cmd->usage), cmd->usage);
    fprintf(stderr, "Try 'custos %s --help'.\n", cmd->name);
    return EXIT_USAGE;
}

bool cli_wants_help(const cli_command *cmd, int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--"))
            break;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(cmd->usage, stdout);
            return true;
        }
    }
    return false;
}

int cli_parse_format(cli_format *out, const char *s)
{
    if (!strcmp(s, "table"))
        *out = CLI_TABLE;
    else if (!strcmp(s, "csv"))
        *out = CLI_CSV;
    else if (!strcmp(s, "json"))
        *out = CLI_JSON;
    else
        return -1;
    return 0;
}

double cli_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

void cli_progress_init(cli_progress *p, const char *label)
{
    memset(p, 0, sizeof *p);
    p->tty = isatty(STDERR_FILENO) && !getenv("CUSTOS_NO_PROGRESS");
    p->start = cli_now();
    p->label = label;
}

void cli_progress_update(void *ctx, uint64_t done, uint64_t total)
{
    cli_progress *p = ctx;
    if (!p->tty)
        return;
    double now = cli_now();
    if (now - p->start < 1.0 || now - p->last < 0.1)
        return;
    p->last = now;
    p->drawn = true;
    double rate = (double)done / (now - p->start);
    if (total > 0) {
        int width = 30;
        double frac = (double)done / (double)total;
        if (frac > 1)
            frac = 1;
        int fill = (int)(frac * width);
        fprintf(stderr, "\r%s [%.*s%*s] %5.1f%%  %.1f MB/s ", p->label, fill,
                "##############################", width - fill, "", frac * 100.0, rate / 1e6);
    } else {
        fprintf(stderr, "\r%s %.1f MB  %.1f MB/s ", p->label, (double)done / 1e6, rate / 1e6);
    }
    fflush(stderr);
}

void cli_progress_done(cli_progress *p)
{
    if (p->drawn) {
        fputs("\r\033[K", stderr);
        fflush(stderr);
    }
    p->drawn = false;
}

const char *cli_date(custos_date d)
{
    static char bufs[8][11];
    static int next;
    char *b = bufs[next++ & 7];
    if (!d) {
        b[0] = '\0';
        return b;
    }
    custos_date_iso(b, d);
    return b;
}

custos_date cli_parse_date(const char *s)
{
    char digits[9];
    size_t n = 0;
    for (const char *p = s; *p; p++) {
        if (*p == '-' && (p - s == 4 || p - s == 7) && strlen(s) == 10)
            continue;
        if (*p < '0' || *p > '9' || n >= 8)
            return 0;
        digits[n++] = *p;
    }
    if (n != 8)
        return 0;
    digits[8] = '\0';
    custos_date d = (custos_date)strtol(digits, NULL, 10);
    return custos_date_valid(d) ? d : 0;
}

void cli_json_string(FILE *f, const char *s)
{
    fputc('"', f);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(f, "\\%c", *p);
        else if (*p < 0x20)
            fprintf(f, "\\u%04x", *p);
        else
            fputc(*p, f);
    }
    fputc('"', f);
}

bool cli_parse_int(const char *s, long long min, long long max, long long *out)
{
    char *end;
    errno = 0;
    long long v = strtoll(s, &end, 10);
    if (errno || end == s || *end || v < min || v > max)
        return false;
    *out = v;
    return true;
}

const char *cli_report_type_name(char type)
{
    switch (type) {
    case 'I': return "ICR";
    case 'P': return "PIL";
    case 'M': return "MBR";
    case 'T': return "TXT";
    default: return "?";
    }
}
