/* SPDX-License-Identifier: Apache-2.0 */
/*
 * cmd_key.c: custos key generate|add|list|revoke: facility signing keys
 * (Ed25519).  An operator generates a key pair and keeps the secret key
 * file; the State's authority (or an admin) registers the public key for
 * the facility.  Registrations and revocations are chained and audited.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "custos/sign.h"

/* Write text to a new file with mode; refuses to overwrite. */
static int write_new(const char *path, const char *text, mode_t mode)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL, mode);
    if (fd < 0) {
        cli_errorf("%s: %s", path, strerror(errno));
        return -1;
    }
    size_t len = strlen(text), done = 0;
    while (done < len) {
        ssize_t w = write(fd, text + done, len - done);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            break;
        }
        done += (size_t)w;
    }
    int rc = (done == len && fsync(fd) == 0) ? 0 : -1;
    if (close(fd) != 0 || rc < 0) {
        cli_errorf("%s: %s", path, strerror(errno));
        unlink(path);
        return -1;
    }
    return 0;
}

static int generate(const char *prefix)
{
    char pub_path[4096], sec_path[4096], id[CUSTOS_KEY_ID_LEN + 1];
    snprintf(pub_path, sizeof pub_path, "%s.pub", prefix);
    snprintf(sec_path, sizeof sec_path, "%s.key", prefix);
    char *pub, *sec;
    if (custos_sign_keypair(&pub, &sec, id) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    int rc = write_new(sec_path, sec, 0600);
    if (rc == 0 && (rc = write_new(pub_path, pub, 0644)) < 0)
        unlink(sec_path);
    custos_free(pub);
    custos_sign_wipe_free(sec);
    if (rc < 0)
        return EXIT_FAIL;
    printf("key %s: secret key %s (keep it; mode 0600), public key %s (register it with "
           "custos key add)\n",
           id, sec_path, pub_path);
    return EXIT_OK;
}

static int add(const char *db, int argc, char **argv)
{
    const cli_command *self = cli_find("key");
    const char *state = NULL, *facility = NULL, *file = NULL;
    for (int i = 0; i < argc; i++) {
        if (!strcmp(argv[i], "--state") && i + 1 < argc)
            state = argv[++i];
        else if (!strcmp(argv[i], "--facility") && i + 1 < argc)
            facility = argv[++i];
        else if (argv[i][0] != '-' && !file)
            file = argv[i];
        else
            return cli_usage(self, "unknown option or extra argument");
    }
    if (!state || !facility || !file)
        return cli_usage(self, "key add needs --state, --facility and PUBLIC-KEY-FILE");
    size_t len;
    char *text = cli_read_file(file, 4096, &len);
    if (!text) {
        cli_errorf("%s: %s", file, strerror(errno));
        return EXIT_FAIL;
    }
    unsigned char pk[CUSTOS_PUBLIC_KEY_BYTES];
    int err = custos_sign_read_public(pk, text, len);
    free(text);
    if (err < 0) {
        cli_errorf("%s: %s", file, custos_last_error());
        return EXIT_FAIL;
    }
    custos_ledger *l;
    if (custos_ledger_open(&l, db, 0) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_signing_key k;
    char target[32], detail[600];
    snprintf(target, sizeof target, "%.2s/%.4s", state, facility);
    err = custos_ledger_key_add(l, state, facility, pk, cli_actor(), &k);
    if (err < 0)
        snprintf(detail, sizeof detail, "%s", custos_last_error());
    else
        snprintf(detail, sizeof detail, "registered key %s for facility %s/%s", k.key_id,
                 k.state, k.facility);
    cli_audit(l, "key add", target, err < 0, detail);
    if (err < 0)
        cli_errorf("%s", detail);
    else
        printf("%s\n", detail);
    custos_ledger_free(l);
    return err < 0 ? EXIT_FAIL : EXIT_OK;
}

static int key_revoke(const char *db, const char *id)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, db, 0) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    int err = custos_ledger_key_revoke(l, id, cli_actor());
    char detail[600];
    snprintf(detail, sizeof detail, "%s", err < 0 ? custos_last_error() : "revoked");
    cli_audit(l, "key revoke", id, err < 0, detail);
    if (err < 0)
        cli_errorf("%s", detail);
    else
        printf("key %s revoked\n", id);
    custos_ledger_free(l);
    return err < 0 ? EXIT_FAIL : EXIT_OK;
}

static int list(const char *db)
{
    custos_ledger *l;
    if (custos_ledger_open(&l, db, CUSTOS_OPEN_READONLY) < 0) {
        cli_error(NULL);
        return EXIT_FAIL;
    }
    custos_signing_key *v;
    size_t n;
    if (custos_ledger_keys(&v, &n, l) < 0) {
        cli_error(NULL);
        custos_ledger_free(l);
        return EXIT_FAIL;
    }
    printf("%-16s %-5s %-8s %-8s %s\n", "KEY", "STATE", "FACILITY", "STATUS", "VERSION");
    for (size_t i = 0; i < n; i++)
        printf("%-16s %-5s %-8s %-8s %d\n", v[i].key_id, v[i].state, v[i].facility,
               v[i].active ? "active" : "revoked", v[i].version);
    custos_free(v);
    custos_ledger_free(l);
    return EXIT_OK;
}

int cmd_key(int argc, char **argv)
{
    const cli_command *self = cli_find("key");
    if (argc < 3)
        return cli_usage(self, "missing subcommand or argument");
    if (!strcmp(argv[1], "generate"))
        return argc == 3 ? generate(argv[2]) : cli_usage(self, "key generate needs PREFIX");
    if (!strcmp(argv[1], "add"))
        return add(argv[2], argc - 3, argv + 3);
    if (!strcmp(argv[1], "list"))
        return argc == 3 ? list(argv[2]) : cli_usage(self, "key list needs DB");
    if (!strcmp(argv[1], "revoke"))
        return argc == 4 ? key_revoke(argv[2], argv[3]) : cli_usage(self, "key revoke needs DB KEY");
    return cli_usage(self, "unknown subcommand");
}
