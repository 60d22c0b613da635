/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_export.c: custos export DB --mba M [--report N] [--format F] [--output FILE].
 * With --output a regular file appears complete or not at all (written to a
 * temporary name, synced, renamed). */
#include <errno.h>
#include <getopt.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

int cmd_export(int argc, char **argv)
{
    const cli_command *self = cli_find("export");
    static const struct option opts[] = {
        {"mba", required_argument, NULL, 'm'},
        {"report", required_argument, NULL, 'r'},
        {"format", required_argument, NULL, 'f'},
        {"output", required_argument, NULL, 'o'},
        {NULL, 0, NULL, 0},
    };
    const char *mba = NULL, *output = NULL;
    char tmp[4096] = "";
    long long number = 0;
    custos_format fmt = CUSTOS_FORMAT_CODE10;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "m:r:f:o:", opts, NULL)) != -1) {
        if (c == 'm')
            mba = optarg;
        else if (c == 'r') {
            if (!cli_parse_int(optarg, 1, INT64_MAX, &number))
                return cli_usage(self, "--report needs a report number");
        } else if (c == 'f') {
            if (custos_format_parse(&fmt, optarg) < 0 || fmt == CUSTOS_FORMAT_AUTO)
                return cli_usage(self, "--format is code10, csv or json");
        } else if (c == 'o')
            output = optarg;
        else
            return cli_usage(self, "unknown option");
    }
    if (optind != argc - 1)
        return cli_usage(self, "needs exactly one DB");
    if (!mba)
        return cli_usage(self, "needs --mba");
    custos_ledger *l;
    if (custos_ledger_open(&l, argv[optind], CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_report_ref *refs = NULL;
    size_t n = 0;
    int status = EXIT_OK;
    FILE *out = stdout;
    custos_writer *w = NULL;
    if (custos_ledger_reports(&refs, &n, l, mba, number) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
        goto done;
    }
    if (n == 0) {
        if (number)
            cli_errorf("no report %lld for MBA %s", number, mba);
        else
            cli_errorf("no reports for MBA %s", mba);
        status = EXIT_FAIL;
        goto done;
    }
    /* A regular file is written beside its final name and renamed when
     * complete, so a failure never leaves half an export under that name;
     * anything else (a device, a pipe) is written in place. */
    struct stat st;
    if (output && stat(output, &st) == 0 && !S_ISREG(st.st_mode)) {
        if (!(out = fopen(output, "wb"))) {
            cli_errorf("%s: %s", output, strerror(errno));
            out = stdout;
            status = EXIT_FAIL;
            goto done;
        }
    } else if (output) {
        int k = snprintf(tmp, sizeof tmp, "%s.tmp-XXXXXX", output);
        int fd = k > 0 && (size_t)k < sizeof tmp ? mkstemp(tmp) : -1;
        if (fd < 0 || !(out = fdopen(fd, "wb"))) {
            cli_errorf("%s: %s", output,
                       k > 0 && (size_t)k >= sizeof tmp ? "file name too long" : strerror(errno));
            if (fd >= 0) {
                close(fd);
                unlink(tmp);
            }
            tmp[0] = '\0';
            out = stdout;
            status = EXIT_FAIL;
            goto done;
        }
    }
    if (custos_writer_new(&w, fmt, custos_write_file, out) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
        goto done;
    }
    for (size_t i = 0; i < n && status == EXIT_OK; i++) {
        custos_report *r;
        if (custos_ledger_report_load(&r, l, refs[i].id) < 0 || custos_writer_report(w, r) < 0) {
            cli_error(NULL);
            status = EXIT_FAIL;
            break;
        }
        custos_report_free(r);
    }
    if (status == EXIT_OK && custos_writer_finish(w) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
    }
done:
    custos_writer_free(w);
    if (out != stdout) {
        if ((fflush(out) != 0 || (tmp[0] && fsync(fileno(out)) != 0)) && status == EXIT_OK) {
            cli_errorf("%s: %s", output, strerror(errno));
            status = EXIT_FAIL;
        }
        if (fclose(out) != 0 && status == EXIT_OK) {
            cli_errorf("%s: %s", output, strerror(errno));
            status = EXIT_FAIL;
        }
        if (tmp[0] && status == EXIT_OK && rename(tmp, output) != 0) {
            cli_errorf("%s: %s", output, strerror(errno));
            status = EXIT_FAIL;
        }
        if (tmp[0] && status != EXIT_OK)
            unlink(tmp);
    }
    custos_free(refs);
    custos_ledger_free(l);
    return status;
}
