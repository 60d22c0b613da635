/* SPDX-License-Identifier: Apache-2.0 */
/*
 * admin.c: helpers of the administrative commands (user, key, policy):
 * who the command line acts as, auditing a change, reading a key file.
 */
#include <errno.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "custos/audit.h"

const char *cli_actor(void)
{
    static char actor[64];
    if (!actor[0]) {
        const char *who = getenv("LOGNAME");
        struct passwd *pw = NULL;
        if (!who || !*who) {
            pw = getpwuid(geteuid());
            who = pw ? pw->pw_name : "unknown";
        }
        snprintf(actor, sizeof actor, "cli:%.56s", who);
    }
    return actor;
}

void cli_audit(custos_ledger *l, const char *action, const char *target, int outcome,
               const char *detail)
{
    custos_audit_record r = {.who = cli_actor(), .role = "cli", .action = action,
                             .target = target, .outcome = outcome, .detail = detail, .remote = ""};
    if (custos_audit_append(l, &r, 1) < 0)
        cli_errorf("audit log: %s", custos_last_error());
}

char *cli_read_file(const char *path, size_t max, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return NULL;
    char *buf = malloc(max + 1);
    size_t n = buf ? fread(buf, 1, max + 1, f) : 0;
    int failed = buf && ferror(f);
    if (f != stdin)
        fclose(f);
    if (!buf)
        return NULL;
    if (failed || n > max) {
        free(buf);
        errno = failed ? EIO : EFBIG;
        return NULL;
    }
    buf[n] = '\0';
    *len = n;
    return buf;
}
