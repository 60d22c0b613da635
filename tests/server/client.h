/* SPDX-License-Identifier: Apache-2.0 */
/*
 * client.h: a small HTTP/1.1 client for the server tests and the load
 * generator (keep-alive, Content-Length bodies), and a launcher that runs
 * `custos serve` as a real process on a loopback port.
 */
#ifndef CUSTOS_TEST_CLIENT_H
#define CUSTOS_TEST_CLIENT_H

#include <stddef.h>
#include <sys/types.h>

typedef struct http_conn {
    int fd;          /* -1 when closed */
    int port;
} http_conn;

typedef struct http_resp {
    int status;
    char head[8192]; /* status line and headers */
    char *body;      /* malloc'd, NUL-terminated */
    size_t len;
} http_resp;

void http_conn_init(http_conn *c, int port);
void http_conn_close(http_conn *c);
/*
 * Send one request on c (connecting when needed, once more if a kept-alive
 * connection was closed by the server) and read the response.  headers
 * are extra header lines, each ending in "\r\n" (may be NULL).  Returns 0,
 * or -1 on a connection or protocol error (errno-style message on stderr).
 */
int http_do(http_conn *c, const char *method, const char *path, const char *headers,
            const char *body, size_t len, http_resp *out);
/* The same on a fresh connection closed afterwards. */
int http_once(int port, const char *method, const char *path, const char *headers,
              const char *body, size_t len, http_resp *out);
void http_resp_free(http_resp *r);
/* The value of a response header (case-insensitive name) into buf; NULL
 * when absent. */
const char *http_header(const http_resp *r, const char *name, char *buf, size_t size);

typedef struct server_proc {
    pid_t pid;
    int port;
    char url[64];
} server_proc;

/* Start `$CUSTOS_BIN serve db --listen 127.0.0.1:0 [extra...]` and wait
 * for its "serving" line; extra is NULL-terminated (may be NULL).
 * Returns 0 or -1. */
int server_start(server_proc *s, const char *db, const char *const *extra);
/* SIGTERM, wait; returns the exit status (0 after a clean stop). */
int server_stop(server_proc *s);

#endif
