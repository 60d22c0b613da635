/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_state.c: custos state add|list|show, and the helpers the other
 * State-level commands share (cmd_state.h).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_state.h"
#include "custos/document.h"

char *state_cli_slurp(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap + 1);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                free(buf);
                buf = NULL;
                errno = EIO;
            }
            break;
        }
        if (n == cap) {
            if (cap >= (size_t)CUSTOS_MAX_JSON_FILE) {
                free(buf);
                buf = NULL;
                errno = EFBIG;
                break;
            }
            char *p = realloc(buf, cap * 2 + 1);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    if (f != stdin)
        fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

bool state_cli_number(const char *s, double *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (errno || end == s || *end || !(v >= 0) || v > 1e12)
        return false;
    *out = v;
    return true;
}

void state_cli_dispose(state_cli *s)
{
    custos_apa_result_free(s->apa);
    custos_free(s->h);
    custos_state_model_free(s->m);
    custos_ledger_free(s->l);
    memset(s, 0, sizeof *s);
}

int state_cli_load(state_cli *s, const char *db, const char *state, const custos_apa_options *opt)
{
    memset(s, 0, sizeof *s);
    if (custos_ledger_open(&s->l, db, CUSTOS_OPEN_READONLY) < 0 ||
        custos_ledger_state_load(&s->m, s->l, state, 0) < 0 ||
        custos_ledger_holdings(&s->h, &s->nh, s->l, state) < 0 ||
        custos_apa_run(&s->apa, s->m, s->h, s->nh, opt) < 0) {
        cli_error(NULL);
        state_cli_dispose(s);
        return EXIT_FAIL;
    }
    return EXIT_OK;
}

static int add(int argc, char **argv)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, argv[0], 0) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    int status = EXIT_OK;
    for (int i = 1; i < argc && status == EXIT_OK; i++) {
        size_t len = 0;
        char *text = state_cli_slurp(argv[i], &len);
        if (!text) {
            cli_errorf("%s: %s", argv[i], strerror(errno));
            status = EXIT_FAIL;
            break;
        }
        custos_diags *d = NULL;
        custos_document_ref ref;
        if (custos_diags_new(&d) < 0 ||
            custos_ledger_state_add(l, argv[i], text, len, d, &ref) < 0) {
            if (!d || cli_print_diags(d, stderr) == 0)
                cli_error(NULL);
            status = EXIT_FAIL;
        } else {
            printf("stored State model %s version %d (chain link %lld)\n", ref.name, ref.version,
                   (long long)ref.seq);
        }
        custos_diags_free(d);
        free(text);
    }
    custos_ledger_free(l);
    return status;
}

static int list(const char *db)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, db, CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_document_ref *v = NULL;
    size_t n = 0;
    if (custos_ledger_documents(&v, &n, l, "state") < 0) {
        cli_error(NULL);
        custos_ledger_free(l);
        return EXIT_FAIL;
    }
    printf("%-5s %-7s %-20s %s\n", "STATE", "VERSION", "STORED", "CHAIN");
    for (size_t i = 0; i < n; i++)
        printf("%-5s %-7d %-20s %lld\n", v[i].name, v[i].version, v[i].stored_at,
               (long long)v[i].seq);
    custos_free(v);
    custos_ledger_free(l);
    return EXIT_OK;
}

static const char *const factor_names[6] = {
    "type of safeguards agreement in force",
    "nuclear fuel cycle and related technical capabilities",
    "technical capabilities of the SSAC/SRA",
    "ability of the IAEA to implement certain measures",
    "nature and scope of cooperation with the IAEA",
    "IAEA's experience in implementing safeguards in the State",
};

static int show(const char *db, const char *state)
{
    state_cli s;
    if (state_cli_load(&s, db, state, NULL) != EXIT_OK)
        return EXIT_FAIL;
    const custos_state_model *m = s.m;
    printf("State %s%s%s%s\n", m->state, m->name ? " (" : "", m->name ? m->name : "",
           m->name ? ")" : "");
    printf("\nAgreements\n");
    for (size_t i = 0; i < m->nagreements; i++)
        printf("  %-20s %-10s %s %s\n", m->agreements[i].type,
               m->agreements[i].in_force ? "in force" : "not in force",
               m->agreements[i].since ? cli_date(m->agreements[i].since) : "",
               m->agreements[i].reference ? m->agreements[i].reference : "");
    printf("\nState-specific factors (GOV/2014/41; they shape the approach, never a score)\n");
    for (size_t i = 0; i < m->nfactors; i++) {
        const custos_state_factor *f = &m->factors[i];
        printf("  %d. %s (%s): %s\n", f->number, factor_names[f->number - 1], cli_date(f->date),
               f->value);
        for (size_t k = 0; k < f->nsources; k++)
            printf("       source: %s\n", f->sources[k]);
    }
    printf("\nFacilities\n");
    for (size_t i = 0; i < m->nfacilities; i++) {
        printf("  %-4s %-18s", m->facilities[i].code, m->facilities[i].type);
        for (size_t k = 0; k < m->facilities[i].nmbas; k++)
            printf(" %s", m->facilities[i].mbas[k]);
        printf("  %s\n", m->facilities[i].name ? m->facilities[i].name : "");
    }
    printf("\nHoldings from the ledger (book inventory: latest PIL + later changes), kg\n");
    printf("  %-4s %-10s %12s %12s %12s %12s %12s %12s\n", "MBA", "AS OF", "Pu", "U-235 HEU",
           "U-235 LEU", "natural U", "depleted U", "Th");
    for (size_t i = 0; i < s.nh; i++) {
        const custos_holding *h = &s.h[i];
        printf("  %-4s %-10s", h->mba, cli_date(h->as_of));
        static const int order[6] = {CUSTOS_STOCK_PU,         CUSTOS_STOCK_HEU,
                                     CUSTOS_STOCK_LEU,        CUSTOS_STOCK_NATURAL_U,
                                     CUSTOS_STOCK_DEPLETED_U, CUSTOS_STOCK_THORIUM};
        for (int k = 0; k < 6; k++)
            printf(" %12.3f", (double)h->mg[order[k]] / 1e6);
        printf("\n");
    }
    printf("\nAcquisition network: %zu material forms, %zu activities; budget %.1f "
           "person-days; detection goal %.2f\n",
           m->nnodes, m->nedges, m->budget, m->detection_goal);
    printf("  %-24s %-26s %12s %8s\n", "NODE", "MATERIAL", "STOCK kg", "SQ");
    for (size_t i = 0; i < m->nnodes; i++)
        printf("  %-24s %-26s %12.3f %8.2f%s\n", m->nodes[i].id, m->nodes[i].material,
               s.apa->node_kg[i], s.apa->node_sq[i], m->nodes[i].end ? "  (end)" : "");
    state_cli_dispose(&s);
    return EXIT_OK;
}

int cmd_state(int argc, char **argv)
{
    const cli_command *self = cli_find("state");
    if (argc < 2)
        return cli_usage(self, "missing subcommand");
    if (!strcmp(argv[1], "add")) {
        if (argc < 4)
            return cli_usage(self, "state add needs DB and at least one FILE");
        return add(argc - 2, argv + 2);
    }
    if (!strcmp(argv[1], "list")) {
        if (argc != 3)
            return cli_usage(self, "state list needs DB");
        return list(argv[2]);
    }
    if (!strcmp(argv[1], "show")) {
        if (argc != 5 || strcmp(argv[3], "--state"))
            return cli_usage(self, "state show needs DB --state S");
        return show(argv[2], argv[4]);
    }
    return cli_usage(self, "unknown subcommand");
}
