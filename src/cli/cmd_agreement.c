/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_agreement.c: custos agreement add|check|list|show.
 *
 * add checks every file first and stores nothing when one is bad; then
 * each file is stored in its own transaction as the next version of its
 * agreement (a document of kind "agreement", hash-chained like a report).
 * A file identical to the latest stored version is reported unchanged and
 * not stored again.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "cli_stats.h"
#include "custos/agreement.h"

typedef struct file {
    const char *path;
    char *text;
    size_t len;
    custos_agreement *a;
} file;

/* Read and check every file; false (with messages printed) when one is
 * unreadable or invalid. */
static bool check_all(file *fs, int n)
{
    bool ok = true;
    for (int i = 0; i < n; i++) {
        fs[i].text = cli_slurp(fs[i].path, (size_t)CUSTOS_MAX_JSON_FILE, &fs[i].len);
        if (!fs[i].text) {
            cli_errorf("%s: %s", fs[i].path, strerror(errno ? errno : EIO));
            ok = false;
            continue;
        }
        custos_diags *d = NULL;
        if (custos_diags_new(&d) < 0 ||
            custos_agreement_parse(&fs[i].a, fs[i].path, fs[i].text, fs[i].len, d) < 0) {
            if (!d || cli_print_diags(d, stderr) == 0)
                cli_error(NULL);
            ok = false;
        }
        custos_diags_free(d);
    }
    return ok;
}

static void files_free(file *fs, int n)
{
    for (int i = 0; i < n; i++) {
        free(fs[i].text);
        custos_agreement_free(fs[i].a);
    }
    free(fs);
}

static int add(int argc, char **argv)
{
    file *fs = calloc((size_t)argc, sizeof *fs);
    if (!fs) {
        cli_error("out of memory");
        return EXIT_FAIL;
    }
    for (int i = 1; i < argc; i++)
        fs[i - 1].path = argv[i];
    int n = argc - 1;
    if (!check_all(fs, n)) {
        cli_error("nothing stored");
        files_free(fs, n);
        return EXIT_FAIL;
    }
    custos_ledger *l;
    if (custos_ledger_open(&l, argv[0], 0) < 0) {
        cli_error(NULL);
        files_free(fs, n);
        return EXIT_FAIL;
    }
    int status = EXIT_OK;
    for (int i = 0; i < n && status == EXIT_OK; i++) {
        custos_document_ref ref;
        int err = custos_ledger_agreement_add(l, fs[i].path, fs[i].text, fs[i].len, NULL, &ref);
        size_t nc = custos_agreement_commitment_count(fs[i].a);
        if (err == CUSTOS_EEXISTS) {
            printf("agreement %s unchanged (version %d)\n", ref.name, ref.version);
        } else if (err < 0) {
            cli_error(NULL);
            status = EXIT_FAIL;
        } else {
            printf("stored agreement %s version %d (%zu commitment%s), chain link %lld\n", ref.name,
                   ref.version, nc, nc == 1 ? "" : "s", (long long)ref.seq);
        }
    }
    custos_ledger_free(l);
    files_free(fs, n);
    return status;
}

static int check(int argc, char **argv)
{
    file *fs = calloc((size_t)argc, sizeof *fs);
    if (!fs) {
        cli_error("out of memory");
        return EXIT_FAIL;
    }
    for (int i = 0; i < argc; i++)
        fs[i].path = argv[i];
    bool ok = check_all(fs, argc);
    for (int i = 0; ok && i < argc; i++) {
        const custos_agreement *a = fs[i].a;
        printf("%s: agreement %s, %zu commitment%s:", fs[i].path, custos_agreement_name(a),
               custos_agreement_commitment_count(a),
               custos_agreement_commitment_count(a) == 1 ? "" : "s");
        for (size_t k = 0; k < custos_agreement_commitment_count(a); k++) {
            custos_commitment_info ci;
            if (custos_agreement_commitment(&ci, a, k) == 0)
                printf(" %s (%s)", ci.id, ci.kind);
        }
        putchar('\n');
    }
    files_free(fs, argc);
    return ok ? EXIT_OK : EXIT_FAIL;
}

static int list(const char *db, bool all)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, db, CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_document_ref *refs = NULL;
    size_t n = 0;
    int err = all ? custos_ledger_document_history(&refs, &n, l, CUSTOS_AGREEMENT_KIND)
                  : custos_ledger_documents(&refs, &n, l, CUSTOS_AGREEMENT_KIND);
    if (err < 0) {
        cli_error(NULL);
        custos_ledger_free(l);
        return EXIT_FAIL;
    }
    int status = EXIT_OK;
    printf("%-24s %-7s %-20s %-5s %-11s %s\n", "AGREEMENT", "VERSION", "STORED", "LINK",
           "COMMITMENTS", "TITLE");
    for (size_t i = 0; i < n; i++) {
        custos_agreement *a = NULL;
        if (custos_ledger_agreement_load(&a, NULL, l, refs[i].name, refs[i].version) < 0) {
            cli_error(NULL);
            status = EXIT_FAIL;
            continue;
        }
        printf("%-24s %-7d %-20s %-5lld %-11zu %s\n", refs[i].name, refs[i].version,
               refs[i].stored_at, (long long)refs[i].seq, custos_agreement_commitment_count(a),
               custos_agreement_title(a));
        custos_agreement_free(a);
    }
    custos_free(refs);
    custos_ledger_free(l);
    return status;
}

static int show(const char *db, const char *name, int version)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, db, CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    char *text = NULL;
    size_t len = 0;
    int status = EXIT_OK;
    if (custos_ledger_document_load(&text, &len, NULL, l, CUSTOS_AGREEMENT_KIND, name, version) <
        0) {
        cli_error(NULL);
        status = EXIT_FAIL;
    } else {
        fwrite(text, 1, len, stdout);
        if (len && text[len - 1] != '\n')
            putchar('\n');
    }
    custos_free(text);
    custos_ledger_free(l);
    return status;
}

int cmd_agreement(int argc, char **argv)
{
    const cli_command *self = cli_find("agreement");
    if (argc < 2)
        return cli_usage(self, "needs a subcommand: add, check, list or show");
    const char *sub = argv[1];
    if (!strcmp(sub, "add")) {
        if (argc < 4)
            return cli_usage(self, "add needs DB and at least one FILE");
        return add(argc - 2, argv + 2);
    }
    if (!strcmp(sub, "check")) {
        if (argc < 3)
            return cli_usage(self, "check needs at least one FILE");
        return check(argc - 2, argv + 2);
    }
    if (!strcmp(sub, "list")) {
        bool all = false;
        const char *db = NULL;
        for (int i = 2; i < argc; i++) {
            if (!strcmp(argv[i], "--all"))
                all = true;
            else if (!db && argv[i][0] != '-')
                db = argv[i];
            else
                return cli_usage(self, "list takes DB and --all");
        }
        if (!db)
            return cli_usage(self, "list needs DB");
        return list(db, all);
    }
    if (!strcmp(sub, "show")) {
        static const struct option opts[] = {{"version", required_argument, NULL, 'v'},
                                             {NULL, 0, NULL, 0}};
        long long version = 0;
        int c;
        optind = 1;
        opterr = 0;
        while ((c = getopt_long(argc - 1, argv + 1, "", opts, NULL)) != -1) {
            if (c != 'v' || !cli_parse_int(optarg, 1, 1000000000, &version))
                return cli_usage(self, "--version takes a version number");
        }
        if (argc - 1 - optind != 2)
            return cli_usage(self, "show needs DB and NAME");
        return show(argv[1 + optind], argv[2 + optind], (int)version);
    }
    return cli_usage(self, "unknown subcommand (add, check, list, show)");
}
