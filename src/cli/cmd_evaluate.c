/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_evaluate.c: custos evaluate DB --state S [--format text|json|html]
 * [--out FILE] [--compartment C]...: the State-level evaluation.
 *
 * The reader's compartments decide what is printed, never what is
 * concluded: evidence in other compartments is counted, its contributions
 * summed, and nothing else about it is written.  With --out the output
 * goes to a temporary file renamed over FILE at the end, so a failed run
 * leaves no half-written report.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd_state.h"
#include "custos/evaluate.h"
#include "custos/info.h"
#include "custos/report_html.h"

static bool vis(const custos_evaluation *e, size_t i, const custos_reader_clearance *r)
{
    return custos_info_visible(e->evidence[i].compartment, r->compartments, r->n);
}

static void text_out(FILE *f, const custos_evaluation *e, const state_cli *s,
                     const custos_reader_clearance *r)
{
    char buf[256];
    size_t hidden = 0;
    for (size_t i = 0; i < e->nevidence; i++)
        hidden += !vis(e, i, r);
    fprintf(f, "State-level evaluation of %s (%s%s); indication threshold P >= %.2f\n", e->state,
            e->as_of ? "balances to " : "no closed balance period",
            e->as_of ? cli_date(e->as_of) : "", e->threshold);
    fprintf(f, "\nConclusions\n");
    for (size_t k = 0; k < e->nconclusions; k++) {
        const custos_conclusion *c = &e->conclusions[k];
        fprintf(f, "  [%s] %s\n",
                c->kind == CUSTOS_CONCL_BROADER && !c->applicable ? "n/a"
                : c->drawn                                        ? "holds"
                                                                  : "FAILS",
                custos_conclusion_text(buf, sizeof buf, c, c->drawn));
        if (c->strongest >= 0) {
            const custos_path_score *ps = &e->scores[c->strongest];
            fprintf(f, "        %zu path%s considered; strongest: path %d, P = %.4f\n", c->npaths,
                    c->npaths == 1 ? "" : "s", s->apa->paths[ps->path].rank, ps->p);
        }
        if (c->kind == CUSTOS_CONCL_BROADER) {
            if (c->applicable)
                fprintf(f, "        rests on the conclusions above\n");
            continue;
        }
        if (c->npaths == 0) {
            fprintf(f, "        no acquisition path of the model %s\n",
                    c->kind == CUSTOS_CONCL_DIVERSION ? "diverts material from this facility"
                                                      : "is of this kind");
            continue;
        }
        size_t nh = 0, other = 0, shown = 0;
        for (size_t q = 0; q < c->nevidence; q++) {
            size_t i = c->evidence[q];
            double v = c->strongest >= 0 ? e->scores[c->strongest].contribution[i] : 0;
            if (v == 0) {
                other++;
                continue;
            }
            if (!vis(e, i, r)) {
                nh++;
                continue;
            }
            shown++;
            fprintf(f, "        rests on %-28s %+8.3f (log-odds on the strongest path)\n",
                    e->evidence[i].id, v);
        }
        if (nh)
            fprintf(f, "        and %zu piece%s you may not see\n", nh, nh == 1 ? "" : "s");
        if (!shown && !nh)
            fprintf(f, "        no evidence bears on the strongest path: its prior stands\n");
        if (other)
            fprintf(f, "        (%zu more piece%s bear on its other paths)\n", other,
                    other == 1 ? "" : "s");
    }
    fprintf(f, "\nEvidence (%zu; %zu not shown: compartments)\n", e->nevidence, hidden);
    static const char *const st[] = {"counted", "counted (corroborated)",
                                     "counted (clarification step)",
                                     "NOT COUNTED: third-party, uncorroborated",
                                     "bears on no path"};
    for (size_t i = 0; i < e->nevidence; i++) {
        const custos_evidence *v = &e->evidence[i];
        if (!vis(e, i, r))
            continue;
        fprintf(f, "  %-24s %-18s %c%d c=%.4f lnLR=%.3f %s  %s\n", v->id,
                custos_source_class_name(v->source), v->reliability, v->credibility, v->weight,
                v->ln_lr, st[v->status], v->text);
    }
    fprintf(f, "\nPaths (indication score, highest first of the top 10 by APA rank)\n");
    for (size_t j = 0; j < e->nscores && j < 10; j++) {
        const custos_path_score *ps = &e->scores[j];
        const custos_apa_path *p = &s->apa->paths[ps->path];
        fprintf(f, "  path %-3d prior %.5f  P %.5f%s  ", p->rank, ps->prior,
                ps->p, ps->indication ? " INDICATION" : "");
        for (size_t k = 0; k < p->nsteps; k++)
            fprintf(f, "%s%s", k ? " > " : "", s->m->edges[p->edges[k]].id);
        fputc('\n', f);
    }
    fprintf(f, "\nCounterfactual audit (the evaluation without ...)\n");
    size_t hidden_changing = 0;
    for (size_t q = 0; q < e->ncounterfactuals; q++) {
        const custos_counterfactual *cf = &e->counterfactuals[q];
        if (!cf->by_class && !vis(e, cf->evidence, r)) {
            hidden_changing += cf->nchanged > 0;
            continue;
        }
        const char *what = cf->by_class ? custos_source_class_name(cf->source)
                                        : e->evidence[cf->evidence].id;
        if (!cf->nchanged) {
            fprintf(f, "  without %-28s no conclusion changes\n", what);
            continue;
        }
        for (size_t k = 0; k < cf->nchanged; k++) {
            const custos_conclusion *c = &e->conclusions[cf->changed[k]];
            char to[200];
            fprintf(f, "  without %-28s CHANGES: %s -> %s\n", what,
                    custos_conclusion_text(buf, sizeof buf, c, c->drawn),
                    custos_conclusion_text(to, sizeof to, c, !c->drawn));
        }
    }
    if (hidden_changing)
        fprintf(f, "  %zu item%s you may not see change%s a conclusion when left out\n",
                hidden_changing, hidden_changing == 1 ? "" : "s",
                hidden_changing == 1 ? "s" : "");
}

typedef enum { OUT_TEXT, OUT_JSON, OUT_HTML } out_format;

int cmd_evaluate(int argc, char **argv)
{
    const cli_command *self = cli_find("evaluate");
    static const struct option opts[] = {{"state", required_argument, NULL, 's'},
                                         {"format", required_argument, NULL, 'f'},
                                         {"out", required_argument, NULL, 'o'},
                                         {"compartment", required_argument, NULL, 'c'},
                                         {NULL, 0, NULL, 0}};
    const char *state = NULL, *out = NULL;
    out_format fmt = OUT_TEXT;
    const char **comp = calloc((size_t)argc + 1, sizeof *comp);
    size_t ncomp = 0;
    int c;
    if (!comp)
        return EXIT_FAIL;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': state = optarg; break;
        case 'o': out = optarg; break;
        case 'c': comp[ncomp++] = optarg; break;
        case 'f':
            if (!strcmp(optarg, "text"))
                fmt = OUT_TEXT;
            else if (!strcmp(optarg, "json"))
                fmt = OUT_JSON;
            else if (!strcmp(optarg, "html"))
                fmt = OUT_HTML;
            else {
                free(comp);
                return cli_usage(self, "--format needs text, json or html");
            }
            break;
        default: free(comp); return cli_usage(self, NULL);
        }
    }
    if (optind != argc - 1 || !state) {
        free(comp);
        return cli_usage(self, "needs DB and --state S");
    }
    custos_reader_clearance reader = {comp, ncomp};
    state_cli s;
    if (state_cli_load(&s, argv[optind], state, NULL) != EXIT_OK) {
        free(comp);
        return EXIT_FAIL;
    }
    custos_evaluation *e = NULL;
    FILE *f = stdout;
    char *tmp = NULL;
    int status = EXIT_OK;
    if (custos_ledger_evaluate(&e, s.l, s.m, s.apa) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
        goto done;
    }
    if (out) {
        size_t n = strlen(out) + 32;
        tmp = malloc(n);
        if (!tmp) {
            status = EXIT_FAIL;
            goto done;
        }
        snprintf(tmp, n, "%s.tmp.%ld", out, (long)getpid());
        if (!(f = fopen(tmp, "wb"))) {
            cli_errorf("%s: %s", tmp, strerror(errno));
            status = EXIT_FAIL;
            goto done;
        }
    }
    int err = CUSTOS_OK;
    if (fmt == OUT_JSON)
        err = custos_evaluation_write_json(e, s.m, s.apa, &reader, custos_write_file, f);
    else if (fmt == OUT_HTML)
        err = custos_report_html_write(s.l, e, s.m, s.apa, &reader, custos_write_file, f);
    else
        text_out(f, e, &s, &reader);
    if (err < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
    } else if (fflush(f) != 0 || ferror(f)) {
        cli_errorf("%s: %s", out ? tmp : "standard output", strerror(errno));
        status = EXIT_FAIL;
    }
    if (out) {
        if (fclose(f) != 0 && status == EXIT_OK) {
            cli_errorf("%s: %s", tmp, strerror(errno));
            status = EXIT_FAIL;
        }
        f = stdout;
        if (status == EXIT_OK && rename(tmp, out) != 0) {
            cli_errorf("%s: %s", out, strerror(errno));
            status = EXIT_FAIL;
        }
        if (status != EXIT_OK)
            unlink(tmp);
    }
done:
    if (f != stdout)
        fclose(f);
    free(tmp);
    custos_evaluation_free(e);
    state_cli_dispose(&s);
    free(comp);
    return status;
}
