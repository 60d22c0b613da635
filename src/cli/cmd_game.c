/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_game.c: custos game DB --state S --budget W [--a X] [--b X] [--c X]
 * [--e X] [--f X] [--format table|json]: the inspection game of the
 * acquisition paths (custos/game.h) solved by Lemke-Howson and, when it
 * is small enough, by support enumeration.
 *
 * JSON: {"state", "budget", "params": {a b c e f}, "activities": [{id,
 * type, cost, beta, alpha}], "paths": [{column, rank, steps, length, d}],
 * "sets": [[activity ids]], "lemke_howson": EQ, "support_enumeration":
 * {"equilibria": [EQ], "degenerate"} or null}, where EQ = {"inspectorate":
 * [probability per set], "state": [legal, then per path], "h1", "h2",
 * "effectiveness", "degenerate"}.
 */
#include <getopt.h>
#include <string.h>

#include "cmd_state.h"
#include "custos/game.h"

/* Support enumeration runs when the game has at most this many support
 * pairs (a few seconds at most). */
#define SUPPORT_PAIRS_MAX 2000000ULL

static void eq_json(const custos_game *g, const custos_equilibrium *e, bool deg)
{
    size_t cols = g->npaths + 1;
    printf("{\"inspectorate\": [");
    for (size_t i = 0; i < g->nsets; i++)
        printf("%s%.17g", i ? ", " : "", e->x[i]);
    printf("], \"state\": [");
    for (size_t j = 0; j < cols; j++)
        printf("%s%.17g", j ? ", " : "", e->y[j]);
    printf("], \"h1\": %.17g, \"h2\": %.17g, \"effectiveness\": %.17g, \"degenerate\": %s}", e->u,
           e->v, (g->params.c + e->u) / g->params.c, deg ? "true" : "false");
}

static void set_names(const custos_game *g, uint64_t s, char *buf, size_t size)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t l = 0; l < g->nactivities; l++)
        if (s >> l & 1u) {
            int w = snprintf(buf + n, size - n, "%s%s", n ? ", " : "", g->activities[l].id);
            if (w < 0 || (size_t)w >= size - n)
                break;
            n += (size_t)w;
        }
    if (!n)
        snprintf(buf, size, "(no inspection)");
}

static void eq_table(const custos_game *g, const state_cli *s, const custos_equilibrium *e)
{
    char names[1024];
    printf("  inspectorate (activity sets with positive probability):\n");
    for (size_t i = 0; i < g->nsets; i++)
        if (e->x[i] > 1e-12) {
            set_names(g, g->sets[i], names, sizeof names);
            printf("    %8.5f  {%s}\n", e->x[i], names);
        }
    printf("  State:\n    %8.5f  legal behaviour\n", e->y[0]);
    for (size_t j = 0; j < g->npaths; j++)
        if (e->y[j + 1] > 1e-12) {
            const custos_apa_path *p = &s->apa->paths[g->paths[j].apa_index];
            set_names(g, g->paths[j].activities, names, sizeof names);
            printf("    %8.5f  path %d (%s)\n", e->y[j + 1], p->rank, names);
        }
    printf("  payoffs: inspectorate H1* = %.6f, State H2* = %.6f; effectiveness (c + H1*)/c = "
           "%.6f\n",
           e->u, e->v, (g->params.c + e->u) / g->params.c);
}

int cmd_game(int argc, char **argv)
{
    const cli_command *self = cli_find("game");
    static const struct option opts[] = {
        {"state", required_argument, NULL, 's'}, {"budget", required_argument, NULL, 'w'},
        {"a", required_argument, NULL, 'a'},     {"b", required_argument, NULL, 'b'},
        {"c", required_argument, NULL, 'c'},     {"e", required_argument, NULL, 'e'},
        {"f", required_argument, NULL, 'f'},     {"format", required_argument, NULL, 'F'},
        {NULL, 0, NULL, 0}};
    const char *state = NULL, *pv[5] = {NULL};
    double budget = -1;
    cli_format fmt = CLI_TABLE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': state = optarg; break;
        case 'w':
            if (!state_cli_number(optarg, &budget))
                return cli_usage(self, "--budget needs person-days >= 0");
            break;
        case 'a': pv[0] = optarg; break;
        case 'b': pv[1] = optarg; break;
        case 'c': pv[2] = optarg; break;
        case 'e': pv[3] = optarg; break;
        case 'f': pv[4] = optarg; break;
        case 'F':
            if (cli_parse_format(&fmt, optarg) < 0 || fmt == CLI_CSV)
                return cli_usage(self, "--format needs table or json");
            break;
        default: return cli_usage(self, NULL);
        }
    }
    if (optind != argc - 1 || !state)
        return cli_usage(self, "needs DB, --state S and --budget W");
    state_cli s;
    if (state_cli_load(&s, argv[optind], state, NULL) != EXIT_OK)
        return EXIT_FAIL;
    if (budget < 0)
        budget = s.m->budget;
    custos_game_params gp = s.m->game;
    double *dst[5] = {&gp.a, &gp.b, &gp.c, &gp.e, &gp.f};
    static const char *const pn[5] = {"--a", "--b", "--c", "--e", "--f"};
    for (int k = 0; k < 5; k++)
        if (pv[k] && (!state_cli_number(pv[k], dst[k]) || (k == 2 && *dst[k] <= 0))) {
            state_cli_dispose(&s);
            char msg[64];
            snprintf(msg, sizeof msg, "%s needs a number >= 0 (c > 0)", pn[k]);
            return cli_usage(self, msg);
        }
    custos_game *g = NULL;
    custos_equilibrium lh;
    memset(&lh, 0, sizeof lh);
    custos_equilibrium *se = NULL;
    size_t nse = 0;
    bool lh_deg = false, se_deg = false, se_run = false;
    int status = EXIT_OK;
    if (custos_game_build(&g, s.m, s.apa, budget, &gp) < 0 ||
        custos_game_lemke_howson(&lh, &lh_deg, g->h1, g->h2, g->nsets, g->npaths + 1, 0) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
        goto done;
    }
    if (custos_game_support_pairs(g->nsets, g->npaths + 1) <= SUPPORT_PAIRS_MAX) {
        if (custos_game_support_enumeration(&se, &nse, &se_deg, g->h1, g->h2, g->nsets,
                                            g->npaths + 1, SUPPORT_PAIRS_MAX) < 0) {
            cli_error(NULL);
            status = EXIT_FAIL;
            goto done;
        }
        se_run = true;
    }
    bool deg = lh_deg || se_deg;
    if (fmt == CLI_JSON) {
        printf("{\"state\": \"%s\", \"budget\": %.17g, \"params\": {\"a\": %.17g, \"b\": %.17g, "
               "\"c\": %.17g, \"e\": %.17g, \"f\": %.17g},\n \"activities\": [",
               s.m->state, budget, gp.a, gp.b, gp.c, gp.e, gp.f);
        for (size_t l = 0; l < g->nactivities; l++) {
            const custos_game_activity *a = &g->activities[l];
            printf("%s\n  {\"id\": ", l ? "," : "");
            cli_json_string(stdout, a->id);
            printf(", \"type\": \"%s\", \"cost\": %.17g, \"beta\": %.17g, \"alpha\": %.17g}",
                   custos_activity_type_name(a->type), a->cost, a->beta, a->alpha);
        }
        printf("],\n \"paths\": [");
        for (size_t j = 0; j < g->npaths; j++) {
            const custos_apa_path *p = &s.apa->paths[g->paths[j].apa_index];
            printf("%s\n  {\"column\": %zu, \"rank\": %d, \"steps\": [", j ? "," : "", j + 1,
                   p->rank);
            for (size_t k = 0; k < p->nsteps; k++) {
                printf("%s", k ? ", " : "");
                cli_json_string(stdout, s.m->edges[p->edges[k]].id);
            }
            printf("], \"activities\": [");
            bool first = true;
            for (size_t l = 0; l < g->nactivities; l++)
                if (g->paths[j].activities >> l & 1u) {
                    printf("%s", first ? "" : ", ");
                    cli_json_string(stdout, g->activities[l].id);
                    first = false;
                }
            printf("], \"length\": %.17g, \"d\": %.17g}", g->paths[j].length, g->paths[j].d);
        }
        printf("],\n \"sets\": [");
        for (size_t i = 0; i < g->nsets; i++) {
            printf("%s[", i ? ", " : "");
            bool first = true;
            for (size_t l = 0; l < g->nactivities; l++)
                if (g->sets[i] >> l & 1u) {
                    printf("%s", first ? "" : ", ");
                    cli_json_string(stdout, g->activities[l].id);
                    first = false;
                }
            printf("]");
        }
        printf("],\n \"degenerate\": %s,\n \"lemke_howson\": ", deg ? "true" : "false");
        eq_json(g, &lh, lh_deg);
        printf(",\n \"support_enumeration\": ");
        if (se_run) {
            printf("{\"degenerate\": %s, \"equilibria\": [", se_deg ? "true" : "false");
            for (size_t q = 0; q < nse; q++) {
                printf("%s\n  ", q ? "," : "");
                eq_json(g, &se[q], se_deg);
            }
            printf("]}");
        } else {
            printf("null");
        }
        printf("}\n");
        goto done;
    }
    printf("Inspection game for State %s, budget W = %g person-days (a=%g b=%g c=%g e=%g f=%g)\n",
           s.m->state, budget, gp.a, gp.b, gp.c, gp.e, gp.f);
    printf("%zu inspection activities, %zu maximal activity sets within W, %zu paths + legal "
           "behaviour.\n",
           g->nactivities, g->nsets, g->npaths);
    printf("\n  %-30s %-22s %8s %7s %7s\n", "ACTIVITY", "TYPE", "COST", "BETA", "ALPHA");
    for (size_t l = 0; l < g->nactivities; l++)
        printf("  %-30s %-22s %8.2f %7.4f %7.4f\n", g->activities[l].id,
               custos_activity_type_name(g->activities[l].type), g->activities[l].cost,
               g->activities[l].beta, g->activities[l].alpha);
    printf("\nNash equilibrium (Lemke-Howson, dropped label 1):\n");
    eq_table(g, &s, &lh);
    if (se_run) {
        printf("\nSupport enumeration: %zu equilibri%s with supports of equal size.\n", nse,
               nse == 1 ? "um" : "a");
        for (size_t q = 0; q < nse && nse > 1; q++) {
            printf(" equilibrium %zu:\n", q + 1);
            eq_table(g, &s, &se[q]);
        }
    } else {
        printf("\nSupport enumeration skipped: more than %llu support pairs.\n",
               (unsigned long long)SUPPORT_PAIRS_MAX);
    }
    if (deg)
        printf("\nThe game is degenerate (a mixed strategy has more pure best responses than its "
               "support): equilibria may form a continuum; the one shown is one of them.\n");
    else
        printf("\nThe game is nondegenerate.\n");
done:
    for (size_t q = 0; q < nse; q++)
        custos_equilibrium_dispose(&se[q]);
    custos_free(se);
    custos_equilibrium_dispose(&lh);
    custos_game_free(g);
    state_cli_dispose(&s);
    return status;
}
