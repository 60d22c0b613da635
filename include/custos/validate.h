/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/validate.h: the consistency checks an inspectorate runs on a
 * single report (shared/spec/accountancy.md, "Consistency checks"; the
 * per-entry label rules of shared/spec/code10.md).
 *
 * Checks that need the ledger's history (report-number order, period
 * continuity, corrections pointing at stored entries, the opening
 * inventory, known MBAs and KMPs) run when a report is stored; see
 * custos/ledger.h.
 */
#ifndef CUSTOS_VALIDATE_H
#define CUSTOS_VALIDATE_H

#include "diag.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/*
 * Check report r on its own: the labels each entry type requires and
 * allows, entry numbering and totals, weights and units, isotope weights
 * not above their element, enrichment consistent with the element code,
 * dates inside the reporting period, batch names unique, rebatching sums
 * equal, concise notes attached where announced, and the MBR arithmetic
 * with its rounding lines.  Every problem is added to d as one line.
 * Returns CUSTOS_OK when there was none, CUSTOS_EINVAL otherwise (the last
 * error is the first problem), CUSTOS_ENOMEM.  O(n log n) in entries.
 */
CUSTOS_API int custos_report_validate(const custos_report *r, custos_diags *d);

/* Enrichment bands used by the checks, as U-235 weight fractions (U-235
 * weight / uranium weight): natural uranium is 0.711 %; depleted below,
 * enriched above; HEU from 20 %. */
#define CUSTOS_NATURAL_MIN 0.00700
#define CUSTOS_NATURAL_U235 0.00711
#define CUSTOS_NATURAL_MAX 0.00720
#define CUSTOS_HEU_MIN 0.20

#ifdef __cplusplus
}
#endif
#endif
