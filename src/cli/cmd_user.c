/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_user.c: custos user add|set|token|revoke|list: the users of the
 * server, their roles and need-to-know scopes.  A token is printed once,
 * on standard output, when it is issued; only its Argon2id hash is kept.
 * Every change is a new version of the user (chained) and is audited.
 */
#include <string.h>

#include "cli.h"
#include "custos/auth.h"

/* Parse --role and the scope options of argv[from..argc) into u. */
static int parse_user(custos_user *u, const char *name, int argc, char **argv, int from,
                      bool need_role)
{
    const cli_command *self = cli_find("user");
    custos_role role = CUSTOS_ROLE_NONE;
    custos_user_init(u, name, CUSTOS_ROLE_NONE);
    for (int i = from; i < argc; i++) {
        const char *opt = argv[i];
        if (i + 1 >= argc)
            return cli_usage(self, "option needs a value");
        const char *v = argv[++i];
        int err;
        if (!strcmp(opt, "--role"))
            err = custos_role_parse(&role, v);
        else if (!strcmp(opt, "--state"))
            err = custos_user_add_state(u, v);
        else if (!strcmp(opt, "--mba"))
            err = custos_user_add_mba(u, v);
        else if (!strcmp(opt, "--compartment"))
            err = custos_user_add_compartment(u, v);
        else
            return cli_usage(self, "unknown option");
        if (err < 0) {
            cli_error(NULL);
            return EXIT_USAGE;
        }
    }
    if (need_role && role == CUSTOS_ROLE_NONE)
        return cli_usage(self, "--role is required");
    u->role = role;
    return EXIT_OK;
}

static void print_scope(FILE *f, const custos_user *u)
{
    const char *sep = "";
    for (size_t i = 0; i < u->nstates; i++, sep = ",")
        fprintf(f, "%s%s", sep, u->states[i]);
    for (size_t i = 0; i < u->nmbas; i++, sep = ",")
        fprintf(f, "%s%s", sep, u->mbas[i]);
    for (size_t i = 0; i < u->ncompartments; i++, sep = ",")
        fprintf(f, "%scompartment:%s", sep, u->compartments[i]);
    if (!*sep)
        fputs("-", f);
}

static void print_token(const char *name, const char *token)
{
    printf("%s\n", token);
    fflush(stdout);
    fprintf(stderr,
            "custos: API token of %s printed above; it is shown only this once (the ledger keeps "
            "its Argon2id hash)\n",
            name);
}

/* One change: open the ledger writable, do it, audit it. */
static int change(const char *db, const char *action, const char *name, const custos_user *u,
                  int (*fn)(custos_ledger *, const custos_user *, const char *, char *))
{
    custos_ledger *l;
    if (custos_ledger_open(&l, db, 0) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    char token[CUSTOS_TOKEN_MAX] = "";
    int err = fn(l, u, name, token);
    char detail[600];
    if (err < 0) {
        snprintf(detail, sizeof detail, "%s", custos_last_error());
        cli_audit(l, action, name, 1, detail);
        cli_errorf("%s", detail);
    } else {
        custos_user now;
        if (custos_user_get(&now, l, name) == 0)
            snprintf(detail, sizeof detail, "%s version %d, role %s%s", name, now.version,
                     custos_role_name(now.role), now.active ? "" : ", revoked");
        else
            snprintf(detail, sizeof detail, "%s", name);
        cli_audit(l, action, name, 0, detail);
        if (token[0])
            print_token(name, token);
        else
            printf("%s\n", detail);
    }
    memset(token, 0, sizeof token);
    custos_ledger_free(l);
    return err < 0 ? EXIT_FAIL : EXIT_OK;
}

static int do_add(custos_ledger *l, const custos_user *u, const char *name, char *token)
{
    (void)name;
    return custos_user_add(l, u, cli_actor(), token);
}

static int do_set(custos_ledger *l, const custos_user *u, const char *name, char *token)
{
    (void)name;
    (void)token;
    custos_user old;
    int err = custos_user_get(&old, l, u->name);
    if (err < 0)
        return err;
    custos_user v = *u;
    v.active = old.active;
    return custos_user_update(l, &v, cli_actor());
}

static int do_token(custos_ledger *l, const custos_user *u, const char *name, char *token)
{
    (void)u;
    return custos_user_reissue(l, name, cli_actor(), token);
}

static int do_revoke(custos_ledger *l, const custos_user *u, const char *name, char *token)
{
    (void)u;
    (void)token;
    return custos_user_revoke(l, name, cli_actor());
}

static int list(const char *db, int argc, char **argv)
{
    cli_format fmt = CLI_TABLE;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--format") && i + 1 < argc) {
            if (cli_parse_format(&fmt, argv[++i]) < 0)
                return cli_usage(cli_find("user"), "unknown format");
        } else {
            return cli_usage(cli_find("user"), "unknown option");
        }
    }
    custos_ledger *l;
    if (custos_ledger_open(&l, db, CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_user *v;
    size_t n;
    if (custos_users_list(&v, &n, l) < 0) {
        cli_error(NULL);
        custos_ledger_free(l);
        return EXIT_FAIL;
    }
    if (fmt == CLI_JSON)
        fputs("[", stdout);
    else if (fmt == CLI_CSV)
        puts("name,role,active,version,scope");
    else
        printf("%-20s %-10s %-8s %-7s %s\n", "NAME", "ROLE", "STATUS", "VERSION", "SCOPE");
    for (size_t i = 0; i < n; i++) {
        const custos_user *u = &v[i];
        if (fmt == CLI_JSON) {
            printf("%s{\"name\":", i ? "," : "");
            cli_json_string(stdout, u->name);
            printf(",\"role\":\"%s\",\"active\":%s,\"version\":%d,\"scope\":\"",
                   custos_role_name(u->role), u->active ? "true" : "false", u->version);
            print_scope(stdout, u);
            fputs("\"}", stdout);
        } else if (fmt == CLI_CSV) {
            printf("%s,%s,%s,%d,\"", u->name, custos_role_name(u->role),
                   u->active ? "yes" : "no", u->version);
            print_scope(stdout, u);
            puts("\"");
        } else {
            printf("%-20s %-10s %-8s %-7d ", u->name, custos_role_name(u->role),
                   u->active ? "active" : "revoked", u->version);
            print_scope(stdout, u);
            putchar('\n');
        }
    }
    if (fmt == CLI_JSON)
        puts("]");
    custos_free(v);
    custos_ledger_free(l);
    return EXIT_OK;
}

int cmd_user(int argc, char **argv)
{
    const cli_command *self = cli_find("user");
    if (argc < 3)
        return cli_usage(self, "missing subcommand or DB");
    const char *sub = argv[1], *db = argv[2];
    if (!strcmp(sub, "list"))
        return list(db, argc - 3, argv + 3);
    if (argc < 4)
        return cli_usage(self, "missing NAME");
    const char *name = argv[3];
    custos_user u;
    int rc;
    if (!strcmp(sub, "add") || !strcmp(sub, "set")) {
        if ((rc = parse_user(&u, name, argc, argv, 4, true)) != EXIT_OK)
            return rc;
        if (custos_user_check(&u) < 0) {
            cli_error(NULL);
            return EXIT_USAGE;
        }
        return change(db, !strcmp(sub, "add") ? "user add" : "user set", name, &u,
                      !strcmp(sub, "add") ? do_add : do_set);
    }
    if (argc != 4)
        return cli_usage(self, "too many arguments");
    custos_user_init(&u, name, CUSTOS_ROLE_NONE);
    if (!strcmp(sub, "token"))
        return change(db, "user token", name, &u, do_token);
    if (!strcmp(sub, "revoke"))
        return change(db, "user revoke", name, &u, do_revoke);
    return cli_usage(self, "unknown subcommand");
}
