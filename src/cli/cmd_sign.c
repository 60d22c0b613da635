/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_sign.c: custos sign: an operator signs the reports of a file with
 * its secret key.  Each report's signature covers its canonical text, so
 * it holds whichever form (Code 10, CSV, JSON) the report is sent in.
 * One line per report: KEY-ID SIGNATURE STATE;NUMBER MBA, the two values
 * to send with it (X-Custos-Key and X-Custos-Signature, docs/api.md).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cli.h"
#include "custos/sign.h"

int cmd_sign(int argc, char **argv)
{
    const cli_command *self = cli_find("sign");
    const char *keyfile = NULL, *file = NULL;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--key") && i + 1 < argc)
            keyfile = argv[++i];
        else if ((argv[i][0] != '-' || !strcmp(argv[i], "-")) && !file)
            file = argv[i];
        else
            return cli_usage(self, "unknown option or extra argument");
    }
    if (!keyfile || !file)
        return cli_usage(self, "sign needs --key SECRET-KEY-FILE and REPORT-FILE");
    size_t len;
    char *text = cli_read_file(keyfile, 4096, &len);
    if (!text) {
        cli_errorf("%s: %s", keyfile, strerror(errno));
        return EXIT_FAIL;
    }
    unsigned char sk[CUSTOS_SECRET_KEY_BYTES];
    int err = custos_sign_read_secret(sk, text, len);
    sodium_memzero(text, len);
    free(text);
    if (err < 0) {
        cli_errorf("%s: %s", keyfile, custos_last_error());
        return EXIT_FAIL;
    }
    char id[CUSTOS_KEY_ID_LEN + 1];
    custos_sign_key_id(id, sk + 32); /* the secret key ends with the public key */
    custos_reader *rd;
    custos_diags *d = NULL;
    int status = EXIT_OK;
    if (custos_reader_open_file(&rd, file, CUSTOS_FORMAT_AUTO) < 0) {
        cli_error(NULL);
        sodium_memzero(sk, sizeof sk);
        return EXIT_FAIL;
    }
    if (custos_diags_new(&d) < 0) {
        cli_error(NULL);
        status = EXIT_FAIL;
    }
    for (int k; status == EXIT_OK;) {
        custos_report *r = NULL;
        if ((k = custos_reader_next(&r, rd, d)) <= 0) {
            if (k < 0) {
                if (cli_print_diags(d, stderr) == 0)
                    cli_error(NULL);
                status = EXIT_FAIL;
            }
            break;
        }
        unsigned char sig[CUSTOS_SIGNATURE_BYTES];
        char b64[CUSTOS_SIGNATURE_B64_LEN + 1];
        if (custos_report_sign(sig, r, sk) < 0) {
            cli_error(NULL);
            status = EXIT_FAIL;
        } else {
            custos_signature_encode(b64, sig);
            printf("%s %s %s;%lld %s\n", id, b64, r->state, (long long)r->number, r->mba);
        }
        custos_report_free(r);
    }
    sodium_memzero(sk, sizeof sk);
    custos_diags_free(d);
    custos_reader_free(rd);
    return status;
}
