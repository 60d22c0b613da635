/* SPDX-License-Identifier: Apache-2.0 */
/*
 * info.c: information items (custos/info.h): the JSON parser with its
 * checks, compartments, and append-only storage in the document store.
 *
 * Append-only: the document store keeps versions, but an information
 * item is a record of what was received, so custos refuses a second
 * version of an id (corrections are new items that say so in their
 * summary).  Kind "info", document name "STATE/ID".
 */
#include <stdio.h>
#include <string.h>

#include "custos/document.h"
#include "custos/info.h"
#include "custos/ledger.h"
#include "stateint.h"

static const char *const class_names[] = {"public", "safeguards-confidential",
                                          "third-party-restricted"};

const char *custos_classification_name(custos_classification c)
{
    return (unsigned)c < 3 ? class_names[c] : "?";
}

void custos_info_item_free(custos_info_item *it)
{
    if (!it)
        return;
    custos_free(it->title);
    custos_free(it->summary);
    custos_free(it->links);
    custos_free(it);
}

bool custos_info_visible(const char *c, const char *const *clearance, size_t n)
{
    if (!c[0])
        return true;
    for (size_t i = 0; i < n; i++) {
        const char *k = clearance[i];
        size_t kl = strlen(k);
        if (!strcmp(k, "*") || !strcmp(k, c) || (kl && !strncmp(k, c, kl) && c[kl] == ':'))
            return true;
    }
    return false;
}

static bool hex_ok(const char *s, size_t n)
{
    if (strlen(s) != n)
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
            return false;
    return true;
}

static bool compartment_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 63 || s[0] == ':' || s[n - 1] == ':')
        return false;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
              (s[i] >= '0' && s[i] <= '9') || strchr("-_:.", s[i])))
            return false;
    return true;
}

static void parse_links(jctx *p, custos_info_item *it, json_t *root, bool *nomem)
{
    static const char *const keys[] = {"facility", "mba", "node", "edge", "direction", NULL};
    static const char *const kinds[4] = {"facility", "mba", "node", "edge"};
    json_t *a = json_object_get(root, "links");
    if (!a) {
        custos_jerr(p, "$", "missing \"links\"");
        return;
    }
    if (!json_is_array(a) || json_array_size(a) == 0 ||
        json_array_size(a) > CUSTOS_INFO_MAX_LINKS) {
        custos_jerr(p, "$.links", "needs an array of 1 to %d links", CUSTOS_INFO_MAX_LINKS);
        return;
    }
    it->links = custos_calloc(json_array_size(a), sizeof *it->links);
    if (!it->links) {
        *nomem = true;
        return;
    }
    for (size_t i = 0; i < json_array_size(a); i++) {
        char path[64], fp[96];
        json_t *o = json_array_get(a, i);
        custos_jpathi(path, sizeof path, "$", "links", i);
        if (!json_is_object(o)) {
            custos_jerr(p, path, "a link is a JSON object");
            continue;
        }
        custos_jkeys(p, o, path, keys);
        custos_info_link *k = &it->links[it->nlinks++];
        int found = 0;
        for (int t = 0; t < 4; t++) {
            if (!json_object_get(o, kinds[t]))
                continue;
            found++;
            k->kind = (custos_link_kind)t;
            if (custos_jstr(p, o, path, kinds[t], true, k->ref, sizeof k->ref, 1) &&
                !custos_state_id_ok(k->ref))
                custos_jerr(p, custos_jpath(fp, sizeof fp, path, kinds[t]), "needs an id or code");
        }
        if (found != 1)
            custos_jerr(p, path, "names exactly one of facility, mba, node, edge");
        char dir[24] = "";
        if (custos_jstr(p, o, path, "direction", true, dir, sizeof dir, 1)) {
            if (!strcmp(dir, "indicates-activity"))
                k->direction = 1;
            else if (!strcmp(dir, "indicates-absence"))
                k->direction = -1;
            else
                custos_jerr(p, custos_jpath(fp, sizeof fp, path, "direction"),
                            "needs indicates-activity or indicates-absence");
        }
    }
}

int custos_info_parse(custos_info_item **out, const char *source, const char *json, size_t len,
                      custos_diags *d)
{
    static const char *const keys[] = {
        "id",          "state",          "title",     "summary",        "source_class",
        "reliability", "credibility",    "classification", "originator", "compartment",
        "date",        "content_hash",   "likelihood_ratio", "clarification_of", "links", NULL};
    *out = NULL;
    jctx p = {source ? source : "", json, len, d, 0, 0};
    if (len > (size_t)CUSTOS_MAX_JSON_FILE)
        return custos_error_set(CUSTOS_ETOOBIG, "%s: larger than %ld bytes", p.source,
                                (long)CUSTOS_MAX_JSON_FILE);
    unsigned long failed = custos_alloc_failures();
    bool nomem = false;
    int err;
    json_t *root = custos_jload(&p, &err);
    if (!root)
        return err;
    custos_info_item *it = custos_calloc(1, sizeof *it);
    if (!it) {
        json_decref(root);
        return custos_error_nomem();
    }
    char buf[64], fp[64];
    if (!json_is_object(root)) {
        custos_jerr(&p, "$", "an information item is a JSON object");
        goto done;
    }
    custos_jkeys(&p, root, "$", keys);
    if (custos_jstr(&p, root, "$", "id", true, it->id, sizeof it->id, 1) &&
        !custos_state_id_ok(it->id))
        custos_jerr(&p, "$.id", "needs 1-63 of A-Z a-z 0-9 _ . : - starting with a letter or digit");
    if (custos_jstr(&p, root, "$", "state", true, it->state, sizeof it->state, 2) &&
        !(it->state[0] >= 'A' && it->state[0] <= 'Z' && it->state[1] >= 'A' &&
          it->state[1] <= 'Z'))
        custos_jerr(&p, "$.state", "needs a 2-letter State code");
    custos_jdup(&p, root, "$", "title", true, &it->title, 300, &nomem);
    custos_jdup(&p, root, "$", "summary", false, &it->summary, 4000, &nomem);
    if (custos_jstr(&p, root, "$", "source_class", true, buf, sizeof buf, 1)) {
        int c = custos_source_class_parse(buf);
        if (c < 0 || c > CUSTOS_SRC_THIRD_PARTY)
            custos_jerr(&p, "$.source_class",
                        "needs state-declaration, verification, open-source, satellite-imagery, "
                        "trade-data or third-party");
        else
            it->source = (custos_source_class)c;
    }
    if (custos_jstr(&p, root, "$", "reliability", true, buf, 2, 1)) {
        if (buf[0] < 'A' || buf[0] > 'F')
            custos_jerr(&p, "$.reliability", "needs an Admiralty source grade A-F");
        else
            it->reliability = buf[0];
    }
    custos_jint(&p, root, "$", "credibility", true, &it->credibility, 1, 6);
    if (custos_jstr(&p, root, "$", "classification", true, buf, sizeof buf, 1)) {
        int c = -1;
        for (int k = 0; k < 3; k++)
            if (!strcmp(buf, class_names[k]))
                c = k;
        if (c < 0)
            custos_jerr(&p, "$.classification",
                        "needs public, safeguards-confidential or third-party-restricted");
        else
            it->classification = (custos_classification)c;
    }
    custos_jstr(&p, root, "$", "originator", false, it->originator, sizeof it->originator, 1);
    if (it->source == CUSTOS_SRC_THIRD_PARTY && !it->originator[0])
        custos_jerr(&p, "$", "a third-party item names its \"originator\"");
    if (it->source == CUSTOS_SRC_THIRD_PARTY && p.errors == 0 &&
        it->classification != CUSTOS_CLASS_THIRD_PARTY_RESTRICTED)
        custos_jerr(&p, "$.classification",
                    "a third-party item is third-party-restricted (its originator decides)");
    const char *dflt = it->classification == CUSTOS_CLASS_PUBLIC                  ? ""
                       : it->classification == CUSTOS_CLASS_SAFEGUARDS_CONFIDENTIAL ? "safeguards"
                                                                                    : "third-party";
    custos_strlcpy(it->compartment, dflt, sizeof it->compartment);
    if (custos_jstr(&p, root, "$", "compartment", false, it->compartment, sizeof it->compartment,
                    1) &&
        !compartment_ok(it->compartment))
        custos_jerr(&p, "$.compartment", "needs 1-63 of a-z A-Z 0-9 - _ . : (\"third-party:XB\")");
    if (it->classification == CUSTOS_CLASS_PUBLIC && it->compartment[0])
        custos_jerr(&p, "$.compartment", "a public item belongs to no compartment");
    if (it->classification != CUSTOS_CLASS_PUBLIC && !it->compartment[0])
        custos_jerr(&p, "$.compartment", "a classified item needs a compartment");
    custos_jdate(&p, root, "$", "date", true, &it->date);
    if (custos_jstr(&p, root, "$", "content_hash", true, it->hash, sizeof it->hash, 1)) {
        const char *colon = strchr(it->hash, ':');
        bool ok = colon && ((colon - it->hash == 6 && !strncmp(it->hash, "sha256", 6) &&
                             hex_ok(colon + 1, 64)) ||
                            (colon - it->hash == 6 && !strncmp(it->hash, "sha512", 6) &&
                             hex_ok(colon + 1, 128)) ||
                            (colon - it->hash == 11 && !strncmp(it->hash, "blake2b-256", 11) &&
                             hex_ok(colon + 1, 64)));
        if (!ok)
            custos_jerr(&p, "$.content_hash",
                        "needs sha256:HEX64, sha512:HEX128 or blake2b-256:HEX64 (lower-case hex)");
    }
    if (json_object_get(root, "likelihood_ratio"))
        custos_jnum(&p, root, "$", "likelihood_ratio", false, &it->likelihood_ratio, 1, 1e6);
    if (custos_jstr(&p, root, "$", "clarification_of", false, it->clarification_of,
                    sizeof it->clarification_of, 1)) {
        if (!custos_state_id_ok(it->clarification_of))
            custos_jerr(&p, "$.clarification_of", "needs an item id");
        else if (it->source != CUSTOS_SRC_STATE_DECLARATION)
            custos_jerr(&p, "$.clarification_of",
                        "a clarification step is recorded as a state-declaration item");
        else if (!strcmp(it->clarification_of, it->id))
            custos_jerr(&p, "$.clarification_of", "an item cannot clarify itself");
    }
    parse_links(&p, it, root, &nomem);
    (void)fp;
done:
    json_decref(root);
    err = CUSTOS_OK;
    if (nomem || custos_alloc_failures() != failed)
        err = CUSTOS_ENOMEM;
    else if (p.errors)
        err = CUSTOS_EINVAL;
    if (err < 0) {
        custos_info_item_free(it);
        return err == CUSTOS_ENOMEM ? custos_error_nomem() : err;
    }
    *out = it;
    return CUSTOS_OK;
}

/* Every link names something of the State model. */
static int check_links(const custos_info_item *it, const custos_state_model *m, jctx *p)
{
    for (size_t i = 0; i < it->nlinks; i++) {
        const custos_info_link *k = &it->links[i];
        bool found = false;
        switch (k->kind) {
        case CUSTOS_LINK_NODE: found = custos_state_node_find(m, k->ref) >= 0; break;
        case CUSTOS_LINK_EDGE: found = custos_state_edge_find(m, k->ref) >= 0; break;
        case CUSTOS_LINK_FACILITY:
            for (size_t f = 0; f < m->nfacilities; f++)
                found |= !strcmp(m->facilities[f].code, k->ref);
            break;
        case CUSTOS_LINK_MBA:
            for (size_t f = 0; f < m->nfacilities; f++)
                for (size_t b = 0; b < m->facilities[f].nmbas; b++)
                    found |= !strcmp(m->facilities[f].mbas[b], k->ref);
            break;
        }
        if (!found) {
            static const char *const kinds[4] = {"facility", "mba", "node", "edge"};
            char path[64];
            snprintf(path, sizeof path, "$.links[%zu].%s", i, kinds[k->kind]);
            custos_jerr(p, path, "%s \"%s\" is not in the State model of %s", kinds[k->kind],
                        k->ref, it->state);
        }
    }
    return p->errors ? CUSTOS_EINVAL : CUSTOS_OK;
}

int custos_ledger_info_add(custos_ledger *l, const char *source, const char *json, size_t len,
                           custos_diags *d, custos_document_ref *ref)
{
    custos_info_item *it = NULL;
    custos_state_model *m = NULL;
    char *prev = NULL;
    size_t plen = 0;
    int err = custos_info_parse(&it, source, json, len, d);
    if (err < 0)
        return err;
    jctx p = {source ? source : "", json, len, d, 0, 0};
    if ((err = custos_ledger_state_load(&m, l, it->state, 0)) < 0) {
        if (err == CUSTOS_ENOTFOUND) {
            custos_jerr(&p, "$.state", "no State model for %s is stored (custos state add)",
                        it->state);
            err = CUSTOS_EINVAL;
        }
        goto done;
    }
    if ((err = check_links(it, m, &p)) < 0)
        goto done;
    char name[CUSTOS_DOC_NAME_MAX + 1];
    if (it->clarification_of[0]) {
        snprintf(name, sizeof name, "%s/%s", it->state, it->clarification_of);
        err = custos_ledger_document_load(&prev, &plen, NULL, l, "info", name, 0);
        custos_free(prev);
        prev = NULL;
        if (err == CUSTOS_ENOTFOUND) {
            custos_jerr(&p, "$.clarification_of", "no stored item %s of State %s",
                        it->clarification_of, it->state);
            err = CUSTOS_EINVAL;
        }
        if (err < 0)
            goto done;
    }
    snprintf(name, sizeof name, "%s/%s", it->state, it->id);
    err = custos_ledger_document_load(&prev, &plen, NULL, l, "info", name, 0);
    custos_free(prev);
    if (err >= 0) {
        err = custos_error_set(CUSTOS_EEXISTS,
                               "%s: information item %s of %s is already stored (items are "
                               "append-only; store a correction as a new item)",
                               p.source, it->id, it->state);
        custos_diags_add(d, CUSTOS_SEV_ERROR, p.source, custos_json_path_line(json, len, "$.id"),
                         0, 0, "$.id: item %s of %s is already stored", it->id, it->state);
        goto done;
    }
    if (err != CUSTOS_ENOTFOUND)
        goto done;
    err = custos_ledger_document_add(l, "info", name, source, json, len, ref);
done:
    custos_state_model_free(m);
    custos_info_item_free(it);
    return err;
}

int custos_ledger_info_items(custos_info_item ***out, size_t *n, custos_ledger *l,
                             const char *state)
{
    *out = NULL;
    *n = 0;
    custos_document_ref *refs = NULL;
    size_t nr = 0;
    int err = custos_ledger_document_history(&refs, &nr, l, "info");
    if (err < 0)
        return err;
    custos_info_item **v = custos_calloc(nr ? nr : 1, sizeof *v);
    size_t cnt = 0;
    if (!v) {
        custos_free(refs);
        return custos_error_nomem();
    }
    for (size_t i = 0; i < nr && err >= 0; i++) {
        if (state && (strncmp(refs[i].name, state, 2) || refs[i].name[2] != '/'))
            continue;
        char *text = NULL;
        size_t len = 0;
        if ((err = custos_ledger_document_load(&text, &len, NULL, l, "info", refs[i].name,
                                               refs[i].version)) < 0)
            break;
        char src[160];
        snprintf(src, sizeof src, "stored item %s", refs[i].name);
        err = custos_info_parse(&v[cnt], src, text, len, NULL);
        custos_free(text);
        if (err == CUSTOS_EINVAL || err == CUSTOS_ETOOBIG) {
            err = custos_error_set(CUSTOS_ETAMPER, "%s no longer parses", src);
            break;
        }
        if (err >= 0)
            v[cnt++]->seq = refs[i].seq;
    }
    custos_free(refs);
    if (err < 0) {
        for (size_t i = 0; i < cnt; i++)
            custos_info_item_free(v[i]);
        custos_free(v);
        return err;
    }
    *out = v;
    *n = cnt;
    return CUSTOS_OK;
}
