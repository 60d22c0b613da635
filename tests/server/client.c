/* SPDX-License-Identifier: Apache-2.0 */
/* client.c: see client.h. */
#include "client.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdbool.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

void http_conn_init(http_conn *c, int port)
{
    c->fd = -1;
    c->port = port;
}

void http_conn_close(http_conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    c->fd = -1;
}

static int connect_to(int port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a;
    memset(&a, 0, sizeof a);
    a.sin_family = AF_INET;
    a.sin_port = htons((uint16_t)port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) < 0) {
        close(fd);
        return -1;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static int send_all(int fd, const char *p, size_t n)
{
    while (n) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* Read the response on fd: headers, then Content-Length bytes (or to
 * the end when the server closes). */
static int read_response(int fd, http_resp *out, int *keep)
{
    memset(out, 0, sizeof *out);
    char buf[16384];
    size_t have = 0;
    char *end = NULL;
    while (!end) {
        if (have == sizeof buf - 1)
            return -1;
        ssize_t r = recv(fd, buf + have, sizeof buf - 1 - have, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        have += (size_t)r;
        buf[have] = '\0';
        end = strstr(buf, "\r\n\r\n");
    }
    size_t hlen = (size_t)(end - buf) + 4;
    if (hlen >= sizeof out->head)
        return -1;
    memcpy(out->head, buf, hlen);
    out->head[hlen] = '\0';
    if (sscanf(out->head, "HTTP/1.%*d %d", &out->status) != 1)
        return -1;
    char v[64];
    long long clen = -1;
    if (http_header(out, "Content-Length", v, sizeof v))
        clen = atoll(v);
    *keep = !(http_header(out, "Connection", v, sizeof v) && !strcasecmp(v, "close"));
    size_t cap = clen >= 0 ? (size_t)clen + 1 : 65536;
    out->body = malloc(cap);
    if (!out->body)
        return -1;
    size_t got = have - hlen;
    if (clen >= 0 && got > (size_t)clen)
        got = (size_t)clen;
    memcpy(out->body, buf + hlen, got);
    while (clen < 0 || got < (size_t)clen) {
        if (got + 1 >= cap) {
            char *p = realloc(out->body, cap * 2);
            if (!p)
                return -1;
            out->body = p;
            cap *= 2;
        }
        ssize_t r = recv(fd, out->body + got, cap - 1 - got, 0);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0) {
            if (clen >= 0)
                return -1;
            *keep = 0;
            break;
        }
        got += (size_t)r;
    }
    out->body[got] = '\0';
    out->len = got;
    return 0;
}

int http_do(http_conn *c, const char *method, const char *path, const char *headers,
            const char *body, size_t len, http_resp *out)
{
    char head[8192];
    int n = snprintf(head, sizeof head,
                     "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %zu\r\n%s\r\n",
                     method, path, len, headers ? headers : "");
    if (n < 0 || (size_t)n >= sizeof head)
        return -1;
    for (int attempt = 0; attempt < 2; attempt++) {
        bool fresh = c->fd < 0;
        if (fresh && (c->fd = connect_to(c->port)) < 0)
            return -1;
        int keep = 0;
        if (send_all(c->fd, head, (size_t)n) == 0 && (!len || send_all(c->fd, body, len) == 0) &&
            read_response(c->fd, out, &keep) == 0) {
            if (!keep)
                http_conn_close(c);
            return 0;
        }
        http_resp_free(out);
        http_conn_close(c);
        if (fresh)
            return -1; /* a new connection failed: no retry */
    }
    return -1;
}

int http_once(int port, const char *method, const char *path, const char *headers,
              const char *body, size_t len, http_resp *out)
{
    http_conn c;
    http_conn_init(&c, port);
    int rc = http_do(&c, method, path, headers, body, len, out);
    http_conn_close(&c);
    return rc;
}

void http_resp_free(http_resp *r)
{
    free(r->body);
    r->body = NULL;
}

const char *http_header(const http_resp *r, const char *name, char *buf, size_t size)
{
    size_t nl = strlen(name);
    for (const char *p = strstr(r->head, "\r\n"); p && p[2]; p = strstr(p + 2, "\r\n")) {
        const char *line = p + 2;
        if (!strncasecmp(line, name, nl) && line[nl] == ':') {
            const char *v = line + nl + 1;
            while (*v == ' ')
                v++;
            const char *e = strstr(v, "\r\n");
            size_t n = e ? (size_t)(e - v) : strlen(v);
            if (n >= size)
                n = size - 1;
            memcpy(buf, v, n);
            buf[n] = '\0';
            return buf;
        }
    }
    return NULL;
}

int server_start(server_proc *s, const char *db, const char *const *extra)
{
    const char *bin = getenv("CUSTOS_BIN");
    if (!bin) {
        fprintf(stderr, "server_start: CUSTOS_BIN is not set\n");
        return -1;
    }
    int pipefd[2];
    if (pipe(pipefd) < 0)
        return -1;
    const char *argv[32] = {bin, "serve", db, "--listen", "127.0.0.1:0"};
    int argc = 5;
    for (int i = 0; extra && extra[i] && argc < 31; i++)
        argv[argc++] = extra[i];
    argv[argc] = NULL;
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        dup2(pipefd[1], 1);
        close(pipefd[0]);
        close(pipefd[1]);
        execv(bin, (char *const *)argv);
        _exit(127);
    }
    close(pipefd[1]);
    FILE *f = fdopen(pipefd[0], "r");
    char line[512] = "";
    s->pid = pid;
    s->port = 0;
    if (f && fgets(line, sizeof line, f)) {
        const char *colon = strrchr(line, ':');
        if (colon)
            s->port = atoi(colon + 1);
    }
    if (f)
        fclose(f);
    if (s->port <= 0) {
        fprintf(stderr, "server_start: no 'serving' line (got '%s')\n", line);
        kill(pid, SIGKILL);
        waitpid(pid, NULL, 0);
        return -1;
    }
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%d", s->port);
    return 0;
}

int server_stop(server_proc *s)
{
    int st = 0;
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    if (waitpid(s->pid, &st, 0) < 0)
        return -1;
    s->pid = 0;
    return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}
