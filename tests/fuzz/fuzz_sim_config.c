/* SPDX-License-Identifier: Apache-2.0 */
/*
 * fuzz_sim_config.c: libFuzzer harness for simulator configurations
 * (JSON).  A configuration that parses is also run, for a few days at
 * most, into a sink that discards everything: the parser's checks must
 * leave nothing that makes the engine misbehave.
 */
#include <stdint.h>
#include <string.h>

#include "custos/sim.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int drop_fac(void *ctx, const char *code, const char *json, size_t len)
{
    (void)ctx, (void)code, (void)json, (void)len;
    return CUSTOS_OK;
}
static int drop_rep(void *ctx, const custos_report *r)
{
    (void)ctx, (void)r;
    return CUSTOS_OK;
}
static int drop_truth(void *ctx, const char *d, size_t len)
{
    (void)ctx, (void)d, (void)len;
    return CUSTOS_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static int init;
    if (!init) {
        custos_global_init();
        init = 1;
    }
    custos_diags *d;
    custos_sim_config *c = NULL;
    if (custos_diags_new(&d) < 0)
        return 0;
    if (custos_sim_config_parse(&c, "fuzz", (const char *)data, size, d) == 0) {
        /* One year of a small State runs in milliseconds; bigger ones are
         * skipped so a fuzzing run stays fast. */
        if (size < 4096 && !strstr((const char *)data, "copies")) {
            custos_sim_sink sink = {drop_fac, drop_rep, drop_truth, NULL};
            custos_sim_options opt = {1, 1, -1, NULL, NULL};
            custos_sim_run(c, &opt, &sink, NULL);
        }
        custos_sim_config_free(c);
    }
    custos_diags_free(d);
    return 0;
}
