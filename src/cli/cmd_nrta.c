/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_nrta.c: custos nrta DB --mba M | --sequence FILE: the sequential
 * tests of near-real-time accountancy over the balance periods of one MBA.
 * Each period's MUF, sigma-MUF, CUMUF, SITMUF, Page's CUSUM and GEMUF with
 * their alarms; an alarm is a finding (exit status 1).
 */
#include <getopt.h>
#include <math.h>
#include <string.h>

#include "cli_stats.h"

enum { T_MUF = 1, T_CUMUF = 2, T_SITMUF = 4, T_PAGE = 8, T_GEMUF = 16, T_ALL = 31 };

static int parse_tests(const char *s)
{
    static const struct {
        const char *name;
        int bit;
    } names[] = {{"muf", T_MUF},     {"cumuf", T_CUMUF}, {"sitmuf", T_SITMUF},
                 {"page", T_PAGE},   {"gemuf", T_GEMUF}, {"all", T_ALL}};
    int mask = 0;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", s);
    char *p = buf;
    for (;;) {
        char *comma = strchr(p, ',');
        if (comma)
            *comma = '\0';
        int bit = 0;
        for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
            if (!strcmp(names[i].name, p))
                bit = names[i].bit;
        if (!bit)
            return -1;
        mask |= bit;
        if (!comma)
            break;
        p = comma + 1;
    }
    return mask;
}

static const char *mark(bool alarm)
{
    return alarm ? "*" : " ";
}

static void print_table(const custos_sequence *s, const custos_nrta_result *r, int tests)
{
    printf("MBA %s/%s, %s%c%s%.0d, %zu balance periods; alpha %g (z %.4f), Page k %g h %.4f "
           "(campaign false-alarm probability %.4f)\n",
           s->state, s->mba, s->element ? "category " : "", s->element ? s->element : '-',
           s->label ? " label " : "", s->label, s->n, r->alpha, r->z, r->k, r->h, r->page_fa);
    printf("%-3s %-10s %14s %12s", "T", "PIT", "MUF (g)", "SIGMA");
    if (tests & T_MUF)
        printf(" %8s ", "MUF/SIG");
    if (tests & T_CUMUF)
        printf(" %14s %12s %8s ", "CUMUF", "SIGMA_CUM", "CUM/SIG");
    if (tests & T_SITMUF)
        printf(" %9s ", "SITMUF");
    if (tests & T_PAGE)
        printf(" %8s ", "PAGE");
    if (tests & T_GEMUF)
        printf(" %9s %3s %8s ", "GEMUF", "DOF", "P");
    printf("\n");
    for (size_t t = 0; t < r->n; t++) {
        const custos_nrta_period *p = &r->periods[t];
        printf("%-3zu %-10s %14.3f %12.3f", t + 1, s->end[t] ? cli_date(s->end[t]) : "-", p->muf,
               p->sigma_muf);
        if (tests & T_MUF)
            printf(" %8.3f%s", p->sigma_muf > 0 ? p->muf / p->sigma_muf : (double)NAN, mark(p->muf_alarm));
        if (tests & T_CUMUF)
            printf(" %14.3f %12.3f %8.3f%s", p->cumuf, p->sigma_cumuf,
                   p->sigma_cumuf > 0 ? p->cumuf / p->sigma_cumuf : (double)NAN, mark(p->cumuf_alarm));
        if (tests & T_SITMUF) {
            if (p->degenerate)
                printf(" %9s ", "degen");
            else
                printf(" %9.4f%s", p->sitmuf, mark(p->sitmuf_alarm));
        }
        if (tests & T_PAGE)
            printf(" %8.4f%s", p->page, mark(p->page_alarm));
        if (tests & T_GEMUF)
            printf(" %9.4f %3d %8.5f%s", p->gemuf, p->gemuf_dof, p->gemuf_p, mark(p->gemuf_alarm));
        printf("\n");
    }
    printf("* alarm.%s\n", r->degenerate ? "  degen: MUF determined by the earlier ones (singular "
                                           "covariance), no SITMUF" : "");
}

static void print_csv(const custos_sequence *s, const custos_nrta_result *r)
{
    printf("period,pit,muf,sigma_muf,muf_alarm,cumuf,sigma_cumuf,cumuf_alarm,itmuf,sitmuf,"
           "sitmuf_alarm,page,page_alarm,gemuf,gemuf_dof,gemuf_p,gemuf_alarm\n");
    for (size_t t = 0; t < r->n; t++) {
        const custos_nrta_period *p = &r->periods[t];
        printf("%zu,%s,%.17g,%.17g,%d,%.17g,%.17g,%d,%.17g,", t + 1,
               s->end[t] ? cli_date(s->end[t]) : "", p->muf, p->sigma_muf, p->muf_alarm, p->cumuf,
               p->sigma_cumuf, p->cumuf_alarm, p->itmuf);
        if (p->degenerate)
            printf(",");
        else
            printf("%.17g,", p->sitmuf);
        printf("%d,%.17g,%d,%.17g,%d,%.17g,%d\n", p->sitmuf_alarm, p->page, p->page_alarm,
               p->gemuf, p->gemuf_dof, p->gemuf_p, p->gemuf_alarm);
    }
}

static void print_json(const custos_sequence *s, const custos_nrta_result *r)
{
    printf("{\"mba\": \"%s/%s\", ", s->state, s->mba);
    if (s->element)
        printf("\"element\": \"%c\", ", s->element);
    printf("\"label\": %d, \"alpha\": %.17g, \"z\": %.17g, \"k\": %.17g, \"h\": %.17g, "
           "\"page_false_alarm\": %.17g, \"degenerate\": %zu, \"periods\": [",
           s->label, r->alpha, r->z, r->k, r->h, r->page_fa, r->degenerate);
    for (size_t t = 0; t < r->n; t++) {
        const custos_nrta_period *p = &r->periods[t];
        printf("%s\n  {\"period\": %zu, \"pit\": ", t ? "," : "", t + 1);
        if (s->end[t])
            printf("\"%s\"", cli_date(s->end[t]));
        else
            printf("null");
        printf(", \"muf\": ");
        cli_json_number(stdout, p->muf);
        printf(", \"sigma_muf\": ");
        cli_json_number(stdout, p->sigma_muf);
        printf(", \"muf_alarm\": %s, \"cumuf\": ", p->muf_alarm ? "true" : "false");
        cli_json_number(stdout, p->cumuf);
        printf(", \"sigma_cumuf\": ");
        cli_json_number(stdout, p->sigma_cumuf);
        printf(", \"cumuf_alarm\": %s, \"itmuf\": ", p->cumuf_alarm ? "true" : "false");
        cli_json_number(stdout, p->itmuf);
        printf(", \"sitmuf\": ");
        cli_json_number(stdout, p->sitmuf);
        printf(", \"sitmuf_alarm\": %s, \"page\": ", p->sitmuf_alarm ? "true" : "false");
        cli_json_number(stdout, p->page);
        printf(", \"page_alarm\": %s, \"gemuf\": ", p->page_alarm ? "true" : "false");
        cli_json_number(stdout, p->gemuf);
        printf(", \"gemuf_dof\": %d, \"gemuf_p\": ", p->gemuf_dof);
        cli_json_number(stdout, p->gemuf_p);
        printf(", \"gemuf_alarm\": %s}", p->gemuf_alarm ? "true" : "false");
    }
    printf("\n]}\n");
}

int cmd_nrta(int argc, char **argv)
{
    const cli_command *self = cli_find("nrta");
    static const struct option opts[] = {
        {"mba", required_argument, NULL, 'm'},      {"element", required_argument, NULL, 'e'},
        {"label", required_argument, NULL, 'l'},    {"test", required_argument, NULL, 't'},
        {"alpha", required_argument, NULL, 'a'},    {"k", required_argument, NULL, 'k'},
        {"h", required_argument, NULL, 'h'},        {"format", required_argument, NULL, 'f'},
        {"sequence", required_argument, NULL, 's'}, {"covariance", no_argument, NULL, 'c'},
        {NULL, 0, NULL, 0},
    };
    const char *mba = NULL, *seqfile = NULL;
    char element = 0;
    long long label = 0;
    int tests = T_ALL;
    bool show_cov = false;
    custos_nrta_options o = {0.05, 0.5, 0.0};
    cli_format fmt = CLI_TABLE;
    int c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
        switch (c) {
        case 'm': mba = optarg; break;
        case 's': seqfile = optarg; break;
        case 'c': show_cov = true; break;
        case 'e':
            if (strlen(optarg) != 1 || !strchr("NDEPT", optarg[0]))
                return cli_usage(self, "--element is N, D, E, P or T");
            element = optarg[0];
            break;
        case 'l':
            if (!cli_parse_int(optarg, 600, 800, &label))
                return cli_usage(self, "--label needs an isotope weight label (e.g. 670)");
            break;
        case 't':
            if ((tests = parse_tests(optarg)) < 0)
                return cli_usage(self, "--test is muf, cumuf, sitmuf, page, gemuf or all");
            break;
        case 'a':
            if (!cli_parse_double(optarg, 1e-12, 0.4999, &o.alpha))
                return cli_usage(self, "--alpha needs a probability in (0, 0.5)");
            break;
        case 'k':
            if (!cli_parse_double(optarg, 0.0, 100.0, &o.k))
                return cli_usage(self, "--k needs a number in [0, 100]");
            break;
        case 'h':
            if (!cli_parse_double(optarg, 1e-6, 1000.0, &o.h))
                return cli_usage(self, "--h needs a number in (0, 1000]");
            break;
        case 'f':
            if (cli_parse_format(&fmt, optarg) < 0)
                return cli_usage(self, "--format is table, csv or json");
            break;
        default:
            return cli_usage(self, "unknown option");
        }
    }
    const char *db = NULL;
    if (seqfile) {
        if (optind != argc || mba)
            return cli_usage(self, "--sequence takes no DB and no --mba");
    } else {
        if (optind != argc - 1 || !mba)
            return cli_usage(self, "needs DB and --mba (or --sequence FILE)");
        db = argv[optind];
    }
    custos_sequence *s = cli_load_sequence(db, mba, element, (int)label, seqfile);
    if (!s)
        return EXIT_FAIL;
    custos_nrta_result *r = NULL;
    int status = EXIT_OK;
    if (custos_nrta_run(&r, s, &o) < 0) {
        cli_error(NULL);
        custos_sequence_free(s);
        return EXIT_FAIL;
    }
    if (fmt == CLI_JSON && show_cov) {
        /* The covariance matrix too, for reference checks. */
        double *cov = custos_malloc(s->n * s->n * sizeof *cov);
        if (!cov) {
            cli_error(NULL);
            status = EXIT_FAIL;
        } else {
            custos_sequence_cov(s, cov);
            printf("{\"covariance\": [");
            for (size_t i = 0; i < s->n; i++) {
                printf("%s[", i ? ",\n  " : "\n  ");
                for (size_t j = 0; j < s->n; j++) {
                    printf(j ? ", " : "");
                    cli_json_number(stdout, cov[i * s->n + j]);
                }
                printf("]");
            }
            printf("],\n\"result\": ");
            custos_free(cov);
        }
    }
    if (fmt == CLI_JSON)
        print_json(s, r);
    else if (fmt == CLI_CSV)
        print_csv(s, r);
    else
        print_table(s, r, tests);
    if (fmt == CLI_JSON && show_cov)
        printf("}\n");
    fflush(stdout);
    for (size_t t = 0; t < r->n; t++) {
        const custos_nrta_period *p = &r->periods[t];
        const char *which[5];
        int nw = 0;
        if ((tests & T_MUF) && p->muf_alarm)
            which[nw++] = "MUF";
        if ((tests & T_CUMUF) && p->cumuf_alarm)
            which[nw++] = "CUMUF";
        if ((tests & T_SITMUF) && p->sitmuf_alarm)
            which[nw++] = "SITMUF";
        if ((tests & T_PAGE) && p->page_alarm)
            which[nw++] = "Page";
        if ((tests & T_GEMUF) && p->gemuf_alarm)
            which[nw++] = "GEMUF";
        if (nw) {
            fprintf(stderr, "finding: MBA %s/%s period %zu (PIT %s): alarm of", s->state, s->mba,
                    t + 1, s->end[t] ? cli_date(s->end[t]) : "-");
            for (int i = 0; i < nw; i++)
                fprintf(stderr, "%s %s", i ? "," : "", which[i]);
            fprintf(stderr, "\n");
            status = EXIT_FAIL;
        }
    }
    custos_nrta_result_free(r);
    custos_sequence_free(s);
    return status;
}
