/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_audit.c: custos audit: print the audit log (who, what, when, to
 * what, outcome) and verify its hash chain.
 */
#include <string.h>

#include "cli.h"
#include "custos/audit.h"

typedef struct print_ctx {
    cli_format fmt;
    size_t n;
} print_ctx;

static void csv_field(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        if (*s == '"')
            putchar('"');
        putchar(*s);
    }
    putchar('"');
}

static int print_one(void *ctx, const custos_audit_record *r)
{
    print_ctx *p = ctx;
    if (p->fmt == CLI_JSON) {
        printf("%s{\"seq\":%lld,\"at\":\"%s\",\"who\":", p->n ? ",\n" : "", (long long)r->seq,
               r->at);
        cli_json_string(stdout, r->who);
        fputs(",\"role\":", stdout);
        cli_json_string(stdout, r->role);
        fputs(",\"action\":", stdout);
        cli_json_string(stdout, r->action);
        fputs(",\"target\":", stdout);
        cli_json_string(stdout, r->target);
        printf(",\"outcome\":%d,\"detail\":", r->outcome);
        cli_json_string(stdout, r->detail);
        fputs(",\"remote\":", stdout);
        cli_json_string(stdout, r->remote);
        printf(",\"link\":\"%s\"}", r->link);
    } else if (p->fmt == CLI_CSV) {
        printf("%lld,%s,", (long long)r->seq, r->at);
        const char *f[] = {r->who, r->role, r->action, r->target};
        for (int i = 0; i < 4; i++) {
            csv_field(f[i]);
            putchar(',');
        }
        printf("%d,", r->outcome);
        csv_field(r->detail);
        putchar(',');
        csv_field(r->remote);
        printf(",%s\n", r->link);
    } else {
        printf("%6lld %s %-16s %-9s %-3d %s %s%s%s\n", (long long)r->seq, r->at, r->who,
               r->role[0] ? r->role : "-", r->outcome, r->action, r->target,
               r->detail[0] ? ": " : "", r->detail);
    }
    p->n++;
    return 0;
}

int cmd_audit(int argc, char **argv)
{
    const cli_command *self = cli_find("audit");
    if (argc < 2)
        return cli_usage(self, "missing DB");
    print_ctx p = {CLI_TABLE, 0};
    bool verify = false;
    long long after = 0, limit = 0;
    for (int i = 2; i < argc; i++) {
        if (!strcmp(argv[i], "--verify"))
            verify = true;
        else if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            if (cli_parse_format(&p.fmt, argv[++i]) < 0)
                return cli_usage(self, "unknown format");
        } else if (!strcmp(argv[i], "--after") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 0, INT64_MAX, &after))
                return cli_usage(self, "--after needs a record number");
        } else if (!strcmp(argv[i], "--limit") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1, 1000000000, &limit))
                return cli_usage(self, "--limit needs a positive number");
        } else {
            return cli_usage(self, "unknown option");
        }
    }
    custos_ledger *l;
    if (custos_ledger_open(&l, argv[1], CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    int status = EXIT_OK;
    if (verify) {
        custos_audit_verify_result r;
        if (custos_audit_verify(l, &r) < 0) {
            cli_error(NULL);
            status = EXIT_FAIL;
        } else {
            printf("audit log intact: %lld records, head %s\n", (long long)r.records,
                   r.records ? r.head : "(empty)");
        }
    } else {
        if (p.fmt == CLI_JSON)
            fputs("[", stdout);
        else if (p.fmt == CLI_CSV)
            puts("seq,at,who,role,action,target,outcome,detail,remote,link");
        if (custos_audit_list(l, after, (size_t)limit, print_one, &p) < 0) {
            cli_error(NULL);
            status = EXIT_FAIL;
        }
        if (p.fmt == CLI_JSON)
            puts("]");
    }
    custos_ledger_free(l);
    return status;
}
