/* SPDX-License-Identifier: Apache-2.0 */
/* cmd_simulate.c: custos simulate, a thin client of custos/sim.h. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "custos/sim.h"

/* Read a whole configuration file (at most CUSTOS_MAX_JSON_FILE). */
static char *read_config(const char *path, size_t *len)
{
    FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
    if (!f)
        return NULL;
    size_t cap = 65536, n = 0;
    char *buf = malloc(cap);
    while (buf) {
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n == cap) {
            if (cap >= (size_t)CUSTOS_MAX_JSON_FILE) {
                free(buf);
                buf = NULL;
                errno = EFBIG;
                break;
            }
            char *p = realloc(buf, cap * 2);
            if (!p) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = p;
            cap *= 2;
        }
    }
    if (f != stdin)
        fclose(f);
    if (buf)
        *len = n;
    return buf;
}

typedef struct progress {
    bool tty;
    bool drawn;
    double start, last;
} progress;

/* Days simulated and entries written: on a terminal only, after a second. */
static void on_progress(void *ctx, uint64_t done, uint64_t total, uint64_t entries)
{
    progress *p = ctx;
    if (!p->tty)
        return;
    double now = cli_now();
    if (now - p->start < 1.0 || (now - p->last < 0.1 && done < total))
        return;
    p->last = now;
    p->drawn = true;
    int width = 30, fill = total ? (int)((double)done / (double)total * width) : 0;
    fprintf(stderr, "\rsimulate [%.*s%*s] %5.1f%%  %llu entries  %.0f entries/s ", fill,
            "##############################", width - fill, "",
            total ? 100.0 * (double)done / (double)total : 0.0, (unsigned long long)entries,
            (double)entries / (now - p->start));
    fflush(stderr);
}

int cmd_simulate(int argc, char **argv)
{
    const cli_command *cmd = cli_find("simulate");
    const char *config = NULL, *out = NULL;
    long long seed = -1, years = 0;
    int errors = -1;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--config") && v) {
            config = v;
            i++;
        } else if (!strcmp(a, "--out") && v) {
            out = v;
            i++;
        } else if (!strcmp(a, "--seed") && v) {
            if (!cli_parse_int(v, 0, 9223372036854775807LL, &seed))
                return cli_usage(cmd, "--seed needs a whole number from 0 to 2^63 - 1");
            i++;
        } else if (!strcmp(a, "--years") && v) {
            if (!cli_parse_int(v, 1, 100, &years))
                return cli_usage(cmd, "--years needs a whole number from 1 to 100");
            i++;
        } else if (!strcmp(a, "--errors") && v) {
            if (!strcmp(v, "on"))
                errors = 1;
            else if (!strcmp(v, "off"))
                errors = 0;
            else
                return cli_usage(cmd, "--errors needs on or off");
            i++;
        } else {
            char msg[160];
            snprintf(msg, sizeof msg, "unknown or incomplete argument '%.100s'", a);
            return cli_usage(cmd, msg);
        }
    }
    if (!config || !out || seed < 0)
        return cli_usage(cmd, "--config, --seed and --out are required");
    size_t len = 0;
    char *text = read_config(config, &len);
    if (!text) {
        cli_errorf("%s: %s", config, strerror(errno));
        return EXIT_FAIL;
    }
    custos_diags *d = NULL;
    custos_sim_config *c = NULL;
    int status = EXIT_OK;
    if (custos_diags_new(&d) < 0 || custos_sim_config_parse(&c, config, text, len, d) < 0) {
        if (!d || cli_print_diags(d, stderr) == 0)
            cli_error(NULL);
        status = EXIT_FAIL;
        goto done;
    }
    progress p = {isatty(STDERR_FILENO) && !getenv("CUSTOS_NO_PROGRESS"), false, cli_now(), 0};
    custos_sim_options opt = {(uint64_t)seed, (int)years, errors, on_progress, &p};
    custos_sim_stats st;
    int err = custos_sim_write_dir(c, &opt, out, &st);
    if (p.drawn)
        fputs("\r\033[K", stderr);
    if (err < 0) {
        if (err == CUSTOS_ETOOBIG) /* a limit the configuration passed: name it */
            cli_errorf("%s: %s", config, custos_last_error());
        else
            cli_error(NULL);
        status = EXIT_FAIL;
        goto done;
    }
    printf("simulated %llu days: %llu facilities, %llu MBAs, %llu reports, %llu entries, "
           "%llu bytes in %s\n",
           (unsigned long long)st.days, (unsigned long long)st.facilities,
           (unsigned long long)st.mbas, (unsigned long long)st.reports,
           (unsigned long long)st.entries, (unsigned long long)st.bytes, out);
done:
    custos_sim_config_free(c);
    custos_diags_free(d);
    free(text);
    return status;
}
