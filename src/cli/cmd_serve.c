/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_serve.c: custos serve: the HTTP API and dashboard (src/server/). */
#include <string.h>

#include "cli.h"
#include "server.h"

int cmd_serve(int argc, char **argv)
{
    const cli_command *self = cli_find("serve");
    srv_config cfg = {.listen = SRV_DEFAULT_LISTEN,
                      .connections = SRV_DEFAULT_CONNECTIONS,
                      .max_body = SRV_DEFAULT_MAX_BODY};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        long long v;
        if (a[0] != '-' && !cfg.db)
            cfg.db = a;
        else if (!strcmp(a, "--listen") && i + 1 < argc)
            cfg.listen = argv[++i];
        else if (!strcmp(a, "--tls-cert") && i + 1 < argc)
            cfg.tls_cert = argv[++i];
        else if (!strcmp(a, "--tls-key") && i + 1 < argc)
            cfg.tls_key = argv[++i];
        else if (!strcmp(a, "--threads") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 4, 4096, &v))
                return cli_usage(self, "--threads needs a number from 4 to 4096");
            cfg.connections = (unsigned)v;
        } else if (!strcmp(a, "--max-body") && i + 1 < argc) {
            if (!cli_parse_int(argv[++i], 1024, (long long)1 << 32, &v))
                return cli_usage(self, "--max-body needs a number of bytes (1024 to 4 GiB)");
            cfg.max_body = (size_t)v;
        } else
            return cli_usage(self, "unknown option or extra argument");
    }
    if (!cfg.db)
        return cli_usage(self, "missing DB");
    return srv_run(&cfg);
}
