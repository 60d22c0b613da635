/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_import.c: custos import DB FILE... and custos check [--db DB] FILE...
 *
 * Both read each file with the same reader and run the same checks in the
 * library; check runs them against a throw-away copy (or an empty scratch
 * ledger) and stores nothing.
 */
#include <errno.h>
#include <string.h>

#include "cli.h"

/* The lines "stored ..." of one file go to a temporary file and reach
 * standard output only once the file's transaction has committed: a file
 * refused at its last report prints nothing as stored. */
typedef struct printer {
    bool quiet;
    FILE *pending; /* NULL when quiet */
    size_t reports, entries;
} printer;

static void on_stored(void *ctx, const custos_stored *s)
{
    printer *p = ctx;
    p->reports++;
    p->entries += s->entries;
    if (p->quiet || !p->pending)
        return;
    char period[24];
    if (s->start)
        snprintf(period, sizeof period, "%s..%s", cli_date(s->start), cli_date(s->end));
    else
        snprintf(period, sizeof period, "%s", cli_date(s->end));
    fprintf(p->pending, "stored %s %s;%lld %s %s %zu entr%s  chain %lld  %.16s\n",
            cli_report_type_name(s->type), s->state, (long long)s->number, s->mba, period,
            s->entries, s->entries == 1 ? "y" : "ies", (long long)s->seq, s->hash);
}

/* Copy what was stored to standard output. */
static void flush_pending(FILE *pending)
{
    char buf[8192];
    size_t n;
    rewind(pending);
    while ((n = fread(buf, 1, sizeof buf, pending)) > 0)
        fwrite(buf, 1, n, stdout);
    fflush(stdout);
}

/* Import (or check) the files into l; returns the exit status. */
static int run(custos_ledger *l, int nfiles, char **files, bool check)
{
    int status = EXIT_OK;
    for (int i = 0; i < nfiles; i++) {
        custos_reader *rd;
        custos_diags *d = NULL;
        printer pr = {check, NULL, 0, 0};
        if (!check && !(pr.pending = tmpfile())) {
            cli_errorf("cannot create a temporary file: %s", strerror(errno));
            return EXIT_FAIL;
        }
        if (custos_reader_open_file(&rd, files[i], CUSTOS_FORMAT_AUTO) < 0) {
            cli_error(NULL);
            if (pr.pending) {
                fclose(pr.pending);
                fprintf(stderr, "custos: nothing stored from %s\n", files[i]);
            }
            return EXIT_FAIL;
        }
        if (custos_diags_new(&d) < 0) {
            custos_reader_free(rd);
            cli_error(NULL);
            if (pr.pending)
                fclose(pr.pending);
            return EXIT_FAIL;
        }
        cli_progress prog;
        cli_progress_init(&prog, check ? "checking" : "importing");
        custos_import_options opt = {false, on_stored, &pr, cli_progress_update, &prog};
        int err = custos_ledger_import(l, rd, &opt, d);
        cli_progress_done(&prog);
        if (err >= 0 && pr.pending)
            flush_pending(pr.pending);
        if (pr.pending)
            fclose(pr.pending);
        size_t errors = cli_print_diags(d, stderr);
        if (err < 0) {
            if (errors == 0)
                cli_error(NULL);
            if (!check)
                fprintf(stderr, "custos: nothing stored from %s\n", files[i]);
            status = EXIT_FAIL;
        } else {
            if (custos_diags_total(d, CUSTOS_SEV_FINDING) > 0)
                status = EXIT_FAIL;
            if (check)
                printf("%s: ok, %zu report%s, %zu entries\n", files[i], pr.reports,
                       pr.reports == 1 ? "" : "s", pr.entries);
        }
        custos_diags_free(d);
        custos_reader_free(rd);
        if (err < 0 && !check)
            break;
        if (err < 0 && check && err != CUSTOS_EINVAL)
            break;
    }
    return status;
}

int cmd_import(int argc, char **argv)
{
    const cli_command *self = cli_find("import");
    if (argc < 3)
        return cli_usage(self, argc < 2 ? "missing DB" : "missing FILE");
    custos_ledger *l;
    if (custos_ledger_open(&l, argv[1], 0) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    int status = run(l, argc - 2, argv + 2, false);
    custos_ledger_free(l);
    return status;
}

int cmd_check(int argc, char **argv)
{
    const cli_command *self = cli_find("check");
    const char *db = NULL;
    int first = 1;
    if (argc > 1 && !strcmp(argv[1], "--db")) {
        if (argc < 3)
            return cli_usage(self, "--db needs DB");
        db = argv[2];
        first = 3;
    } else if (argc > 1 && !strncmp(argv[1], "--db=", 5)) {
        db = argv[1] + 5;
        first = 2;
    }
    if (argc <= first)
        return cli_usage(self, "missing FILE");
    custos_ledger *l, *scratch;
    if (db) {
        if (custos_ledger_open(&l, db, CUSTOS_OPEN_READONLY) < 0) {
            cli_error(NULL);
            return EXIT_FAIL;
        }
        int err = custos_ledger_clone_memory(&scratch, l);
        custos_ledger_free(l);
        if (err < 0) {
            cli_error(NULL);
            return EXIT_FAIL;
        }
    } else if (custos_ledger_open(&scratch, ":memory:", CUSTOS_OPEN_CREATE | CUSTOS_OPEN_SCRATCH) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    int status = run(scratch, argc - first, argv + first, true);
    custos_ledger_free(scratch);
    return status;
}
