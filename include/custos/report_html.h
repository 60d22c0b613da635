/* SPDX-License-Identifier: Apache-2.0 */
/*
 * custos/report_html.h: the State-level evaluation as one self-contained
 * HTML file: no script, no network, every chart an inline SVG drawn by
 * custos.  Sections: the conclusions with the evidence each rests on, the
 * State-specific factors and agreements, per MBA the MUF sequence, the
 * acquisition path graph with the weakest paths highlighted and the path
 * table, the evidence with its grades, and the counterfactual audit.
 *
 * The reader's compartments decide what is printed: evidence the reader
 * may not see is counted and its contributions summed, never shown.
 */
#ifndef CUSTOS_REPORT_HTML_H
#define CUSTOS_REPORT_HTML_H

#include "evaluate.h"
#include "format.h"

#ifdef __cplusplus
extern "C" {
#endif

struct custos_ledger;

/*
 * Write the report of evaluation e (of model m on paths apa) for reader
 * to fn(ctx).  l (may be NULL) supplies the balances for the per-MBA
 * charts.  The text is UTF-8.  Returns CUSTOS_OK, CUSTOS_ENOMEM,
 * CUSTOS_ETOOBIG (over 64 MiB), CUSTOS_ESTORAGE, or fn's first error.
 */
CUSTOS_API int custos_report_html_write(struct custos_ledger *l, const custos_evaluation *e,
                                        const custos_state_model *m, const custos_apa_result *apa,
                                        const custos_reader_clearance *reader, custos_write_fn fn,
                                        void *ctx);

#ifdef __cplusplus
}
#endif
#endif
