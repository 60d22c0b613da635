/* SPDX-License-Identifier: Apache-2.0 */
/*
 * gen_import.c: the input of the import benchmark (bench/import).
 *
 *     gen_import DIR N
 *
 * writes N accounting entries of a bulk-handling MBA, XA/XABK, as
 * DIR/reports.c10 (Code 10 labelled, one entry per line) and
 * DIR/reports.csv (CSV, one column per label: the same rows), and the
 * facility description DIR/facility.json.  The reports are an opening PIL
 * (one entry) and then one ICR per day of 10,000 entries (the last one
 * shorter): receipts from and shipments to XA/XABS and measured discards,
 * LEU of 3-5 % U-235, weights to the milligram.  Every entry passes
 * custos's checks, so the benchmark times the whole validated,
 * hash-chained import.  Deterministic (a fixed linear congruential
 * sequence).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PER_REPORT 10000

static uint64_t seed = 0x2545F4914F6CDD1Dull;

static uint64_t next(void)
{
    seed = seed * 6364136223846793005ull + 1442695040888963407ull;
    return seed >> 33;
}

/* Days since 2026-01-01 to YYYYMMDD (2026-2099, no century rule needed). */
static long date_of(long day)
{
    static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    int y = 2026;
    for (;;) {
        int len = y % 4 == 0 ? 366 : 365;
        if (day < len)
            break;
        day -= len;
        y++;
    }
    int m = 0;
    for (;;) {
        int len = mdays[m] + (m == 1 && y % 4 == 0);
        if (day < len)
            break;
        day -= len;
        m++;
    }
    return (long)y * 10000 + (m + 1) * 100 + day + 1;
}

/* One entry's labels as (label, value) in ascending label order. */
typedef struct field {
    int label;
    char value[48];
} field;

static const int csv_labels[] = {1,   2,   3,   6,   10,  15,  99,  207, 307, 309, 310, 370,
                                 372, 390, 391, 407, 411, 412, 430, 435, 436, 446, 447, 469,
                                 470, 600, 610, 620, 630, 640, 650, 660, 670, 680, 690, 700,
                                 710, 720, 730, 740, 750, 760, 770, 780, 800};
#define NCSV ((int)(sizeof csv_labels / sizeof csv_labels[0]))

static void emit(FILE *c10, FILE *csv, const field *f, int n)
{
    for (int i = 0; i < n; i++)
        fprintf(c10, "%03d:%s#", f[i].label, f[i].value);
    fputc('\n', c10);
    int k = 0;
    for (int c = 0; c < NCSV; c++) {
        if (c)
            fputc(',', csv);
        if (k < n && f[k].label == csv_labels[c]) {
            if (strchr(f[k].value, ','))
                fprintf(csv, "\"%s\"", f[k].value);
            else
                fputs(f[k].value, csv);
            k++;
        }
    }
    fputc('\n', csv);
}

static int set(field *f, int n, int label, const char *fmt, ...) __attribute__((format(printf, 4, 5)));

static int set(field *f, int n, int label, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    f[n].label = label;
    vsnprintf(f[n].value, sizeof f[n].value, fmt, ap);
    va_end(ap);
    return n + 1;
}

/* Milligrams as Code 10 grams with only the decimals needed. */
static void grams(char *buf, size_t size, uint64_t mg)
{
    if (mg % 1000 == 0)
        snprintf(buf, size, "%lluG", (unsigned long long)(mg / 1000));
    else {
        char frac[8];
        snprintf(frac, sizeof frac, "%03llu", (unsigned long long)(mg % 1000));
        size_t l = strlen(frac);
        while (l > 0 && frac[l - 1] == '0')
            frac[--l] = '\0';
        snprintf(buf, size, "%llu.%sG", (unsigned long long)(mg / 1000), frac);
    }
}

int main(int argc, char **argv)
{
    if (argc != 3) {
        fprintf(stderr, "usage: gen_import DIR N\n");
        return 2;
    }
    char *end;
    errno = 0;
    long long n = strtoll(argv[2], &end, 10);
    if (errno || *end || n < 1 || n > 100000000) {
        fprintf(stderr, "gen_import: N must be 1 to 100000000\n");
        return 2;
    }
    char path[4096];
    snprintf(path, sizeof path, "%s/facility.json", argv[1]);
    FILE *fac = fopen(path, "w");
    snprintf(path, sizeof path, "%s/reports.c10", argv[1]);
    FILE *c10 = fopen(path, "w");
    snprintf(path, sizeof path, "%s/reports.csv", argv[1]);
    FILE *csv = fopen(path, "w");
    if (!fac || !c10 || !csv) {
        fprintf(stderr, "gen_import: cannot write in %s: %s\n", argv[1], strerror(errno));
        return 1;
    }
    fputs("{\"state\": \"XA\", \"facility\": \"XAB1\", \"name\": \"benchmark store\", \"type\": "
          "\"storage\", \"mbas\": [{\"mba\": \"XABK\", \"kmps\": [{\"kmp\": \"A\", \"kind\": "
          "\"flow\"}, {\"kmp\": \"B\", \"kind\": \"flow\"}, {\"kmp\": \"C\", \"kind\": \"flow\"}, "
          "{\"kmp\": \"1\", \"kind\": \"inventory\"}]}, {\"mba\": \"XABS\"}]}\n",
          fac);
    fclose(fac);
    for (int c = 0; c < NCSV; c++)
        fprintf(csv, "%s%03d", c ? "," : "", csv_labels[c]);
    fputc('\n', csv);

    field f[32];
    char u[32], u5[32];
    int k;
    /* Opening PIL on 2025-12-31: a large inventory so shipments never
     * exceed it (not checked, but realistic). */
    k = 0;
    k = set(f, k, 1, "OI/XA;1");
    k = set(f, k, 2, "1/1");
    k = set(f, k, 3, "20260101");
    k = set(f, k, 6, "BENCH,B");
    k = set(f, k, 10, "P");
    k = set(f, k, 15, "20251231");
    k = set(f, k, 207, "XAB1");
    k = set(f, k, 307, "XABK");
    k = set(f, k, 309, "N");
    k = set(f, k, 407, "1");
    k = set(f, k, 430, "F/Q/M/C");
    k = set(f, k, 446, "OPENING");
    k = set(f, k, 469, "M/1/BAL");
    k = set(f, k, 470, "1");
    k = set(f, k, 630, "900000000G");
    k = set(f, k, 670, "36000000G");
    emit(c10, csv, f, k);

    long long done = 0;
    for (long day = 0; done < n; day++) {
        long long count = n - done < PER_REPORT ? n - done : PER_REPORT;
        long date = date_of(day), rdate = date_of(day + 5);
        for (long long i = 0; i < count; i++) {
            long long seq = done + i + 1;
            uint64_t r = next();
            int kind = (int)(r % 10); /* 0-4 RD, 5-8 SD, 9 LD */
            uint64_t mg = kind == 9 ? 100000 + next() % 900000         /* 0.1-1 kg */
                                    : 20000000 + next() % 480000000;   /* 20-500 kg */
            uint64_t x = 30000 + next() % 20001;                      /* 3-5 % in 1e-6 */
            grams(u, sizeof u, mg);
            grams(u5, sizeof u5, mg / 1000000 * x + (mg % 1000000) * x / 1000000);
            k = 0;
            k = set(f, k, 1, "OI/XA;%ld", day + 2);
            if (i == 0)
                k = set(f, k, 2, "1/%lld", count);
            else
                k = set(f, k, 2, "%lld", i + 1);
            k = set(f, k, 3, "%ld", rdate);
            k = set(f, k, 6, "BENCH,B");
            k = set(f, k, 10, "I");
            k = set(f, k, 15, "%ld/%ld", date, date);
            k = set(f, k, 207, "XAB1");
            k = set(f, k, 307, "XABK");
            k = set(f, k, 309, "N");
            if (kind < 5)
                k = set(f, k, 370, "XA/XABS");
            else if (kind < 9)
                k = set(f, k, 372, "XA/XABS");
            k = set(f, k, 407, kind < 5 ? "A" : kind < 9 ? "B" : "C");
            k = set(f, k, 411, kind < 5 ? "RD" : kind < 9 ? "SD" : "LD");
            k = set(f, k, 412, "%ld", date);
            k = set(f, k, 430, kind == 9 ? "U/2/Q/E" : "F/Q/M/C");
            k = set(f, k, 446, "B%09lld", seq);
            if (kind < 5)
                k = set(f, k, 447, "S%09lld", seq);
            k = set(f, k, 469, "M/%s/BAL", kind < 5 ? "A" : kind < 9 ? "B" : "C");
            k = set(f, k, 470, kind == 9 ? "0" : "1");
            k = set(f, k, 630, "%s", u);
            k = set(f, k, 670, "%s", u5);
            emit(c10, csv, f, k);
        }
        done += count;
    }
    if (fclose(c10) != 0 || fclose(csv) != 0) {
        fprintf(stderr, "gen_import: write error: %s\n", strerror(errno));
        return 1;
    }
    return 0;
}
