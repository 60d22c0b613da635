/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_agreements.c: custos agreements DB [--as-of DATE] [--agreement NAME]
 *                                     [--format table|csv|json] [--entries N]
 *
 * The status of every commitment of the stored agreements, evaluated from
 * the books (custos_agreements_evaluate()): met, at risk or breached, the
 * value that decides it against its bound, the margin, the progress and
 * its linear projection, and the entries that decide it (report/entry of
 * an MBA).  Exit status 1 when a commitment is breached.
 *
 * JSON: an array of objects, one per commitment, with the keys of
 * custos_commitment_status (docs/formats.md, "Agreement status").
 */
#include <getopt.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "custos/agreement.h"

static int decimals(const char *unit)
{
    if (!strcmp(unit, "entries") || !strcmp(unit, "periods"))
        return 0;
    return unit[0] == '%' ? 4 : 3;
}

static const char *upper_state(custos_commitment_state s)
{
    switch (s) {
    case CUSTOS_COMMITMENT_MET: return "MET";
    case CUSTOS_COMMITMENT_AT_RISK: return "AT RISK";
    case CUSTOS_COMMITMENT_BREACHED: return "BREACHED";
    }
    return "?";
}

/* One deciding entry, human form, into buf. */
static void entry_text(char *buf, size_t size, const custos_commitment_entry *e)
{
    char g[32], f[32], corr[48] = "", assay[40] = "";
    custos_grams_format(g, e->mg);
    custos_grams_format(f, e->fissile_mg);
    if (e->src_report != e->report || e->src_entry != e->entry)
        snprintf(corr, sizeof corr, " (as corrected by %lld/%d)", (long long)e->src_report,
                 (int)e->src_entry);
    if (!isnan(e->assay))
        snprintf(assay, sizeof assay, e->element == 'P' ? " Pu-240/Pu-239 %.4f" : " at %.4f %%",
                 e->element == 'P' ? e->assay : 100.0 * e->assay);
    snprintf(buf, size, "%s/%s %s %lld/%d%s %s %s%sbatch %s: %s g %s%s (U-235 %s g), %s", e->state,
             e->mba, cli_report_type_name(e->type), (long long)e->report, (int)e->entry, corr,
             cli_date(e->date), e->code, e->code[0] ? " " : "", e->batch, g,
             e->element == 'P' ? "Pu" : e->element == 'T' ? "Th" : "U", assay, f, e->role);
}

static void print_table(const custos_commitment_statuses *s, size_t max_entries)
{
    printf("%-16s %-20s %-15s %-9s %-10s %18s %18s %18s %8s  %s\n", "AGREEMENT", "COMMITMENT",
           "KIND", "STATUS", "AS OF", "VALUE", "BOUND", "MARGIN", "PROGRESS", "UNIT");
    for (size_t i = 0; i < s->n; i++) {
        const custos_commitment_status *c = &s->items[i];
        int dp = decimals(c->unit);
        char prog[16] = "-";
        if (!isnan(c->progress))
            snprintf(prog, sizeof prog, "%.1f%%", 100.0 * c->progress);
        printf("%-16s %-20s %-15s %-9s %-10s %18.*f %18.*f %18.*f %8s  %s\n", c->agreement, c->id,
               c->kind, upper_state(c->state), cli_date(c->as_of), dp, c->value, dp, c->bound, dp,
               c->margin, prog, c->unit);
        if (c->title[0])
            printf("    %s\n", c->title);
        printf("    why: %s\n", c->reason);
        if (c->suspended)
            printf("    agreement suspended on %s%s\n", cli_date(c->suspended),
                   c->as_of == c->suspended ? ": evaluated up to that day" : "");
        if (!isnan(c->projected))
            printf("    projected: %.*f %s by %s\n", dp, c->projected, c->unit,
                   c->deadline ? cli_date(c->deadline) : "the horizon");
        for (size_t k = 0; k < c->nfigures; k++) {
            const custos_commitment_figure *f = &c->figures[k];
            if (!isnan(f->value))
                printf("    %s: %.*f %s\n", f->name, decimals(f->unit), f->value, f->unit);
        }
        if (c->entries_total) {
            size_t show = c->nentries < max_entries ? c->nentries : max_entries;
            printf("    entries (%zu):\n", c->entries_total);
            char line[512];
            for (size_t k = 0; k < show; k++) {
                entry_text(line, sizeof line, &c->entries[k]);
                printf("      %s\n", line);
            }
            if (c->entries_total > show)
                printf("      ... %zu more (--entries N, or --format json)\n",
                       c->entries_total - show);
        }
    }
}

static void csv_text(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static void csv_number(double v)
{
    if (!isnan(v))
        printf("%.6f", v);
}

static void print_csv(const custos_commitment_statuses *s)
{
    printf("agreement,version,commitment,kind,status,as_of,start,deadline,suspended,decided_on,"
           "value,bound,margin,unit,progress,projected,reason,entries\n");
    for (size_t i = 0; i < s->n; i++) {
        const custos_commitment_status *c = &s->items[i];
        printf("%s,%d,%s,%s,%s,%s,%s,%s,%s,%s,", c->agreement, c->version, c->id, c->kind,
               custos_commitment_state_name(c->state), cli_date(c->as_of), cli_date(c->start),
               cli_date(c->deadline), cli_date(c->suspended), cli_date(c->decided_on));
        csv_number(c->value);
        putchar(',');
        csv_number(c->bound);
        putchar(',');
        csv_number(c->margin);
        printf(",%s,", c->unit);
        csv_number(c->progress);
        putchar(',');
        csv_number(c->projected);
        putchar(',');
        csv_text(c->reason);
        printf(",\"");
        for (size_t k = 0; k < c->nentries; k++)
            printf("%s%s/%s:%c%lld/%d", k ? ";" : "", c->entries[k].state, c->entries[k].mba,
                   c->entries[k].type, (long long)c->entries[k].report, (int)c->entries[k].entry);
        printf("\"\n");
    }
}

static void json_number(double v)
{
    if (isnan(v) || isinf(v))
        printf("null");
    else
        printf("%.6f", v);
}

static void json_date(custos_date d)
{
    if (d)
        printf("\"%s\"", cli_date(d));
    else
        printf("null");
}

static void print_json(const custos_commitment_statuses *s)
{
    printf("[");
    for (size_t i = 0; i < s->n; i++) {
        const custos_commitment_status *c = &s->items[i];
        printf("%s\n  {\"agreement\": ", i ? "," : "");
        cli_json_string(stdout, c->agreement);
        printf(", \"version\": %d, \"commitment\": ", c->version);
        cli_json_string(stdout, c->id);
        printf(", \"kind\": \"%s\", \"title\": ", c->kind);
        cli_json_string(stdout, c->title);
        printf(", \"status\": \"%s\", \"as_of\": ", custos_commitment_state_name(c->state));
        json_date(c->as_of);
        printf(", \"start\": ");
        json_date(c->start);
        printf(", \"deadline\": ");
        json_date(c->deadline);
        printf(", \"suspended\": ");
        json_date(c->suspended);
        printf(", \"decided_on\": ");
        json_date(c->decided_on);
        printf(",\n   \"reason\": ");
        cli_json_string(stdout, c->reason);
        printf(",\n   \"unit\": ");
        cli_json_string(stdout, c->unit);
        printf(", \"value\": ");
        json_number(c->value);
        printf(", \"bound\": ");
        json_number(c->bound);
        printf(", \"margin\": ");
        json_number(c->margin);
        printf(", \"progress\": ");
        json_number(c->progress);
        printf(", \"projected\": ");
        json_number(c->projected);
        printf(", \"value_mg\": %lld, \"bound_mg\": %lld,\n   \"figures\": [",
               (long long)c->value_mg, (long long)c->bound_mg);
        for (size_t k = 0; k < c->nfigures; k++) {
            printf("%s{\"name\": ", k ? ", " : "");
            cli_json_string(stdout, c->figures[k].name);
            printf(", \"value\": ");
            json_number(c->figures[k].value);
            printf(", \"unit\": ");
            cli_json_string(stdout, c->figures[k].unit);
            printf("}");
        }
        printf("],\n   \"entries_total\": %zu, \"entries\": [", c->entries_total);
        for (size_t k = 0; k < c->nentries; k++) {
            const custos_commitment_entry *e = &c->entries[k];
            char g[32], f[32];
            custos_grams_format(g, e->mg);
            custos_grams_format(f, e->fissile_mg);
            printf("%s\n    {\"mba\": \"%s/%s\", \"report_type\": \"%s\", \"report\": %lld, "
                   "\"entry\": %d, \"source_report\": %lld, \"source_entry\": %d, \"date\": ",
                   k ? "," : "", e->state, e->mba, cli_report_type_name(e->type),
                   (long long)e->report, (int)e->entry, (long long)e->src_report,
                   (int)e->src_entry);
            json_date(e->date);
            printf(", \"code\": ");
            if (e->code[0])
                cli_json_string(stdout, e->code);
            else
                printf("null");
            printf(", \"batch\": ");
            cli_json_string(stdout, e->batch);
            printf(", \"element\": \"%s\", \"grams\": %s, \"fissile_grams\": %s, \"assay\": ",
                   e->element == 'P' ? "Pu" : e->element == 'T' ? "Th" : "U", g, f);
            json_number(e->assay);
            printf(", \"role\": ");
            cli_json_string(stdout, e->role);
            printf("}");
        }
        printf("%s]}", c->nentries ? "\n   " : "");
    }
    printf("%s]\n", s->n ? "\n" : "");
}

int cmd_agreements(int argc, char **argv)
{
    const cli_command *self = cli_find("agreements");
    static const struct option opts[] = {
        {"as-of", required_argument, NULL, 'a'},
        {"agreement", required_argument, NULL, 'n'},
        {"format", required_argument, NULL, 'f'},
        {"entries", required_argument, NULL, 'e'},
        {NULL, 0, NULL, 0},
    };
    custos_agreement_options opt = {0, NULL};
    cli_format fmt = CLI_TABLE;
    long long max_entries = 5;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        if (c == 'a') {
            if (!(opt.as_of = cli_parse_date(optarg)))
                return cli_usage(self, "--as-of takes a date YYYY-MM-DD");
        } else if (c == 'n') {
            opt.name = optarg;
        } else if (c == 'f') {
            if (cli_parse_format(&fmt, optarg) < 0)
                return cli_usage(self, "--format is table, csv or json");
        } else if (c == 'e') {
            if (!cli_parse_int(optarg, 0, CUSTOS_AGREEMENT_MAX_ENTRIES, &max_entries))
                return cli_usage(self, "--entries takes a number 0-1000");
        } else {
            return cli_usage(self, "unknown option");
        }
    }
    if (optind != argc - 1)
        return cli_usage(self, "needs exactly one DB");
    custos_ledger *l;
    if (custos_ledger_open(&l, argv[optind], CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_commitment_statuses *s = NULL;
    int status = EXIT_OK;
    if (custos_agreements_evaluate(&s, l, &opt) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
    } else {
        if (fmt == CLI_JSON)
            print_json(s);
        else if (fmt == CLI_CSV)
            print_csv(s);
        else
            print_table(s, (size_t)max_entries);
        for (size_t i = 0; i < s->n; i++)
            if (s->items[i].state == CUSTOS_COMMITMENT_BREACHED)
                status = EXIT_FAIL;
    }
    custos_commitment_statuses_free(s);
    custos_ledger_free(l);
    return status;
}
