/* SPDX-License-Identifier: Apache-2.0 */
/*
 * server.h: the custos HTTP server, started by `custos serve`.
 */
#ifndef CUSTOS_SERVER_SERVER_H
#define CUSTOS_SERVER_SERVER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct srv_config {
    const char *db;         /* the ledger */
    const char *listen;     /* "127.0.0.1:8080", "[::1]:8443"; port 0 picks one */
    const char *tls_cert;   /* PEM files; both or neither */
    const char *tls_key;
    unsigned connections;   /* most connections served at once (a thread each) */
    size_t max_body;        /* bytes of a request body */
} srv_config;

#define SRV_DEFAULT_LISTEN "127.0.0.1:8080"
#define SRV_DEFAULT_CONNECTIONS 256
#define SRV_DEFAULT_MAX_BODY ((size_t)16 << 20)

/*
 * Serve until SIGINT or SIGTERM.  Prints "custos: serving DB on
 * http(s)://ADDR:PORT/" on standard output once listening (the port
 * actually bound when port 0 was asked for).  Returns 0 after a clean
 * stop, 1 when the server could not start (the reason on stderr).
 */
int srv_run(const srv_config *cfg);

#endif
