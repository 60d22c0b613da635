/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_allocate.c: custos allocate DB --state S --budget W [--format
 * table|json], and custos allocate --matrix "a11,a12;a21,a22" for any
 * zero-sum matrix game (row player maximises).
 *
 * The zero-sum view of the inspection game: the inspectorate mixes over
 * the maximal activity sets within W to maximise the detection
 * probability of the State's best path, 1 - beta(K, P_j); the value is the
 * detection probability it can guarantee whatever path is chosen.
 *
 * JSON: {"value", "inspectorate": [{set, p}], "activities": [{id,
 * inspection_probability}], "person_days", "state": [{rank, steps, p}]};
 * with --matrix: {"value", "row": [...], "column": [...]}.
 */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "cmd_state.h"
#include "custos/game.h"

/* Parse "a,b;c,d" into a row-major matrix (malloc'ed). */
static double *parse_matrix(const char *s, size_t *m, size_t *n)
{
    size_t rows = 1, cols = 0, cur = 1, cap = 16, cnt = 0;
    double *v = malloc(cap * sizeof *v);
    const char *p = s;
    while (v) {
        char *end;
        double x = strtod(p, &end);
        if (end == p)
            goto bad;
        if (cnt == cap) {
            if (cap >= 1000000)
                goto bad;
            double *q = realloc(v, 2 * cap * sizeof *v);
            if (!q)
                goto bad;
            v = q;
            cap *= 2;
        }
        v[cnt++] = x;
        p = end;
        while (*p == ' ')
            p++;
        if (*p == ',') {
            cur++;
            p++;
        } else if (*p == ';' || !*p) {
            if (cols && cur != cols)
                goto bad;
            cols = cur;
            cur = 1;
            if (!*p)
                break;
            rows++;
            p++;
        } else {
            goto bad;
        }
    }
    if (!v)
        return NULL;
    *m = rows;
    *n = cols;
    return v;
bad:
    free(v);
    return NULL;
}

static int matrix_game(const char *spec, cli_format fmt)
{
    size_t m = 0, n = 0;
    double *A = parse_matrix(spec, &m, &n);
    if (!A) {
        cli_errorf("--matrix: needs rows of numbers separated by ';', entries by ','");
        return EXIT_FAIL;
    }
    double *x = calloc(m, sizeof *x), *y = calloc(n, sizeof *y), v = 0;
    int status = EXIT_OK;
    if (!x || !y || custos_game_zero_sum(x, y, &v, A, m, n) < 0) {
        cli_error(x && y ? NULL : "out of memory");
        status = EXIT_FAIL;
    } else if (fmt == CLI_JSON) {
        printf("{\"value\": %.17g, \"row\": [", v);
        for (size_t i = 0; i < m; i++)
            printf("%s%.17g", i ? ", " : "", x[i]);
        printf("], \"column\": [");
        for (size_t j = 0; j < n; j++)
            printf("%s%.17g", j ? ", " : "", y[j]);
        printf("]}\n");
    } else {
        printf("value %.6f\nrow player (maximises):", v);
        for (size_t i = 0; i < m; i++)
            printf(" %.6f", x[i]);
        printf("\ncolumn player:");
        for (size_t j = 0; j < n; j++)
            printf(" %.6f", y[j]);
        printf("\n");
    }
    free(A);
    free(x);
    free(y);
    return status;
}

int cmd_allocate(int argc, char **argv)
{
    const cli_command *self = cli_find("allocate");
    static const struct option opts[] = {{"state", required_argument, NULL, 's'},
                                         {"budget", required_argument, NULL, 'w'},
                                         {"matrix", required_argument, NULL, 'm'},
                                         {"format", required_argument, NULL, 'F'},
                                         {NULL, 0, NULL, 0}};
    const char *state = NULL, *matrix = NULL;
    double budget = -1;
    cli_format fmt = CLI_TABLE;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': state = optarg; break;
        case 'm': matrix = optarg; break;
        case 'w':
            if (!state_cli_number(optarg, &budget))
                return cli_usage(self, "--budget needs person-days >= 0");
            break;
        case 'F':
            if (cli_parse_format(&fmt, optarg) < 0 || fmt == CLI_CSV)
                return cli_usage(self, "--format needs table or json");
            break;
        default: return cli_usage(self, NULL);
        }
    }
    if (matrix) {
        if (optind != argc || state)
            return cli_usage(self, "--matrix takes no DB or --state");
        return matrix_game(matrix, fmt);
    }
    if (optind != argc - 1 || !state)
        return cli_usage(self, "needs DB, --state S and --budget W");
    state_cli s;
    if (state_cli_load(&s, argv[optind], state, NULL) != EXIT_OK)
        return EXIT_FAIL;
    if (budget < 0)
        budget = s.m->budget;
    custos_game *g = NULL;
    double *D = NULL, *x = NULL, *y = NULL, v = 0;
    int status = EXIT_OK;
    if (custos_game_build(&g, s.m, s.apa, budget, NULL) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
        goto done;
    }
    /* Detection probability of path j under set K: 1 - beta(K, P_j). */
    D = calloc(g->nsets * g->npaths, sizeof *D);
    x = calloc(g->nsets, sizeof *x);
    y = calloc(g->npaths, sizeof *y);
    if (!D || !x || !y) {
        cli_error("out of memory");
        status = EXIT_FAIL;
        goto done;
    }
    for (size_t i = 0; i < g->nsets; i++)
        for (size_t j = 0; j < g->npaths; j++) {
            double beta = 1;
            for (size_t l = 0; l < g->nactivities; l++)
                if ((g->sets[i] & g->paths[j].activities) >> l & 1u)
                    beta *= g->activities[l].beta;
            D[i * g->npaths + j] = 1 - beta;
        }
    if (custos_game_zero_sum(x, y, &v, D, g->nsets, g->npaths) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
        goto done;
    }
    double days = 0;
    for (size_t i = 0; i < g->nsets; i++)
        for (size_t l = 0; l < g->nactivities; l++)
            if (g->sets[i] >> l & 1u)
                days += x[i] * g->activities[l].cost;
    if (fmt == CLI_JSON) {
        printf("{\"state\": \"%s\", \"budget\": %.17g, \"value\": %.17g, \"person_days\": %.17g,"
               "\n \"inspectorate\": [",
               s.m->state, budget, v, days);
        bool first = true;
        for (size_t i = 0; i < g->nsets; i++) {
            if (x[i] <= 1e-12)
                continue;
            printf("%s\n  {\"set\": [", first ? "" : ",");
            first = false;
            bool f2 = true;
            for (size_t l = 0; l < g->nactivities; l++)
                if (g->sets[i] >> l & 1u) {
                    printf("%s", f2 ? "" : ", ");
                    cli_json_string(stdout, g->activities[l].id);
                    f2 = false;
                }
            printf("], \"p\": %.17g}", x[i]);
        }
        printf("],\n \"activities\": [");
        for (size_t l = 0; l < g->nactivities; l++) {
            double q = 0;
            for (size_t i = 0; i < g->nsets; i++)
                if (g->sets[i] >> l & 1u)
                    q += x[i];
            printf("%s\n  {\"id\": ", l ? "," : "");
            cli_json_string(stdout, g->activities[l].id);
            printf(", \"inspection_probability\": %.17g}", q);
        }
        printf("],\n \"state\": [");
        for (size_t j = 0; j < g->npaths; j++) {
            const custos_apa_path *p = &s.apa->paths[g->paths[j].apa_index];
            printf("%s\n  {\"rank\": %d, \"steps\": [", j ? "," : "", p->rank);
            for (size_t k = 0; k < p->nsteps; k++) {
                printf("%s", k ? ", " : "");
                cli_json_string(stdout, s.m->edges[p->edges[k]].id);
            }
            printf("], \"p\": %.17g}", y[j]);
        }
        printf("]}\n");
        goto done;
    }
    printf("Zero-sum allocation for State %s, budget W = %g person-days (GLPK simplex)\n",
           s.m->state, budget);
    printf("Guaranteed detection probability of the weakest path: %.6f\n", v);
    printf("Expected person-days used: %.2f\n\nInspection probability per activity:\n", days);
    for (size_t l = 0; l < g->nactivities; l++) {
        double q = 0;
        for (size_t i = 0; i < g->nsets; i++)
            if (g->sets[i] >> l & 1u)
                q += x[i];
        printf("  %-30s %7.4f  (cost %.2f, beta %.4f)\n", g->activities[l].id, q,
               g->activities[l].cost, g->activities[l].beta);
    }
    printf("\nState's worst-case paths:\n");
    for (size_t j = 0; j < g->npaths; j++) {
        if (y[j] <= 1e-12)
            continue;
        const custos_apa_path *p = &s.apa->paths[g->paths[j].apa_index];
        printf("  %7.4f  path %d (", y[j], p->rank);
        for (size_t k = 0; k < p->nsteps; k++)
            printf("%s%s", k ? ", " : "", s.m->edges[p->edges[k]].id);
        printf(")\n");
    }
done:
    free(D);
    free(x);
    free(y);
    custos_game_free(g);
    state_cli_dispose(&s);
    return status;
}
