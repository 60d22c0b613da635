/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_paths.c: custos paths DB --state S [--top K] [--max-length N]
 * [--max-paths N] [--infeasible] [--format table|csv|json].
 *
 * JSON: {"state", "examined", "feasible", "truncated", "paths": [{rank,
 * steps (edge ids), nodes (node ids), start, end, start_kg, start_sq,
 * end_sq, feasible, time_days, p_detect, p_timely, timeliness_days,
 * covered, difficulty, length, undeclared}]}.
 */
#include <getopt.h>
#include <string.h>

#include "cmd_state.h"

static void print_nodes(FILE *f, const custos_state_model *m, const custos_apa_path *p,
                        const char *sep)
{
    fputs(m->nodes[p->start].id, f);
    for (size_t k = 0; k < p->nsteps; k++)
        fprintf(f, "%s%s", sep, m->nodes[m->edges[p->edges[k]].to].id);
}

static void print_steps(FILE *f, const custos_state_model *m, const custos_apa_path *p,
                        const char *sep)
{
    for (size_t k = 0; k < p->nsteps; k++)
        fprintf(f, "%s%s", k ? sep : "", m->edges[p->edges[k]].id);
}

static void json_out(const state_cli *s)
{
    const custos_apa_result *r = s->apa;
    const custos_state_model *m = s->m;
    printf("{\"state\": \"%s\", \"examined\": %zu, \"feasible\": %zu, \"truncated\": %s, "
           "\"paths\": [",
           m->state, r->examined, r->feasible, r->truncated ? "true" : "false");
    for (size_t i = 0; i < r->npaths; i++) {
        const custos_apa_path *p = &r->paths[i];
        printf("%s\n  {\"rank\": %d, \"steps\": [", i ? "," : "", p->rank);
        for (size_t k = 0; k < p->nsteps; k++) {
            printf("%s", k ? ", " : "");
            cli_json_string(stdout, m->edges[p->edges[k]].id);
        }
        printf("], \"nodes\": [");
        cli_json_string(stdout, m->nodes[p->start].id);
        for (size_t k = 0; k < p->nsteps; k++) {
            printf(", ");
            cli_json_string(stdout, m->nodes[m->edges[p->edges[k]].to].id);
        }
        printf("], \"start_kg\": %.17g, \"start_sq\": %.17g, \"end_sq\": %.17g, "
               "\"feasible\": %s, \"time_days\": %.17g, \"p_detect\": %.17g, "
               "\"p_timely\": %.17g, \"timeliness_days\": %d, \"covered\": %s, "
               "\"difficulty\": %d, \"length\": %.17g, \"undeclared\": %s}",
               p->start_kg, p->start_sq, p->end_sq, p->feasible ? "true" : "false", p->time_days,
               p->p_detect, p->p_timely, p->timeliness_days, p->covered ? "true" : "false",
               p->difficulty, p->length, p->undeclared ? "true" : "false");
    }
    printf("%s]}\n", r->npaths ? "\n" : "");
}

static void csv_out(const state_cli *s)
{
    const custos_apa_result *r = s->apa;
    printf("rank,feasible,p_detect,p_timely,covered,time_days,difficulty,length,start_sq,end_sq,"
           "timeliness_days,undeclared,nodes,steps\n");
    for (size_t i = 0; i < r->npaths; i++) {
        const custos_apa_path *p = &r->paths[i];
        printf("%d,%s,%.6f,%.6f,%s,%.2f,%d,%.4f,%.4f,%.4f,%d,%s,", p->rank,
               p->feasible ? "yes" : "no", p->p_detect, p->p_timely, p->covered ? "yes" : "no",
               p->time_days, p->difficulty, p->length, p->start_sq, p->end_sq, p->timeliness_days,
               p->undeclared ? "yes" : "no");
        print_nodes(stdout, s->m, p, ">");
        putchar(',');
        print_steps(stdout, s->m, p, ">");
        putchar('\n');
    }
}

static void table_out(const state_cli *s)
{
    const custos_apa_result *r = s->apa;
    printf("State %s: %zu path%s to weapon-usable metal examined, %zu feasible (>= 1 SQ at the "
           "end); weakest first.\n",
           s->m->state, r->examined, r->examined == 1 ? "" : "s", r->feasible);
    printf("%4s %-4s %7s %7s %-7s %8s %4s %7s %7s %7s  %s\n", "RANK", "FEAS", "P", "P-TIMELY",
           "COVERED", "DAYS", "DIFF", "LENGTH", "SQ-0", "SQ-END", "PATH (material forms)");
    for (size_t i = 0; i < r->npaths; i++) {
        const custos_apa_path *p = &r->paths[i];
        printf("%4d %-4s %7.4f %7.4f %-7s %8.1f %4d %7.2f %7.2f %7.2f  ", p->rank,
               p->feasible ? "yes" : "no", p->p_detect, p->p_timely,
               p->covered ? "yes" : "NO", p->time_days, p->difficulty, p->length, p->start_sq,
               p->end_sq);
        print_nodes(stdout, s->m, p, " > ");
        printf("\n%4s %-4s %7s %7s %-7s %8s %4s %7s %7s %7s  via ", "", "", "", "", "", "", "", "",
               "", "");
        print_steps(stdout, s->m, p, ", ");
        putchar('\n');
    }
    if (r->truncated)
        printf("(search stopped at the --max-paths limit: more paths exist)\n");
}

int cmd_paths(int argc, char **argv)
{
    const cli_command *self = cli_find("paths");
    static const struct option opts[] = {
        {"state", required_argument, NULL, 's'},      {"top", required_argument, NULL, 't'},
        {"format", required_argument, NULL, 'f'},     {"max-length", required_argument, NULL, 'l'},
        {"max-paths", required_argument, NULL, 'p'}, {"infeasible", no_argument, NULL, 'i'},
        {NULL, 0, NULL, 0}};
    const char *state = NULL;
    cli_format fmt = CLI_TABLE;
    custos_apa_options o = {0, 0, 0, false};
    long long v;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 's': state = optarg; break;
        case 't':
            if (!cli_parse_int(optarg, 1, 1000000, &v))
                return cli_usage(self, "--top needs a number from 1");
            o.top = (size_t)v;
            break;
        case 'l':
            if (!cli_parse_int(optarg, 1, 64, &v))
                return cli_usage(self, "--max-length needs 1-64");
            o.max_length = (size_t)v;
            break;
        case 'p':
            if (!cli_parse_int(optarg, 1, 10000000, &v))
                return cli_usage(self, "--max-paths needs 1-10000000");
            o.max_paths = (size_t)v;
            break;
        case 'i': o.infeasible = true; break;
        case 'f':
            if (cli_parse_format(&fmt, optarg) < 0)
                return cli_usage(self, "--format needs table, csv or json");
            break;
        default: return cli_usage(self, NULL);
        }
    }
    if (optind != argc - 1 || !state)
        return cli_usage(self, "needs DB and --state S");
    state_cli s;
    if (state_cli_load(&s, argv[optind], state, &o) != EXIT_OK)
        return EXIT_FAIL;
    if (fmt == CLI_JSON)
        json_out(&s);
    else if (fmt == CLI_CSV)
        csv_out(&s);
    else
        table_out(&s);
    state_cli_dispose(&s);
    return EXIT_OK;
}
