# SPDX-License-Identifier: Apache-2.0
"""A random facility for the statistics cross-check: a facility description
with its measurement model, monthly PILs and ICRs in Code 10, and the list
of measured weights with their error model for the NumPy reference.

MBA XAFF (category E: labels 630 and 670).  KMP 1 powder drums and 2 pellet
trays (inventory), A receipts (some booked at the shipper's value, basis
N), B assemblies shipped, C measured discards.  Methods: a balance with two
calibration periods, titration, mass spectrometry, NDA; uncertainties drawn
at random and stated in the facility file."""
import json
import random

MDC = "O/G/U/C"


def month_end(y, m):
    days = [31, 29 if y % 4 == 0 else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    return y * 10000 + m * 100 + days


def generate(seed, n_periods=None):
    rnd = random.Random(seed)
    n = n_periods or rnd.randint(4, 12)
    u = lambda lo, hi: round(rnd.uniform(lo, hi), 5)
    methods = {
        "weighing": (u(0.0002, 0.002), u(0.0002, 0.002)),
        "titration": (u(0.001, 0.004), u(0.0005, 0.003)),
        "idms": (u(0.0005, 0.002), u(0.0005, 0.002)),
        "nda-gamma": (u(0.005, 0.03), u(0.003, 0.02)),
    }
    unmeasured = (u(0.001, 0.005), u(0.001, 0.005))
    # Calibration periods of the balance: split in the middle of the campaign.
    pits = [20251231] + [month_end(2026 + (m - 1) // 12, (m - 1) % 12 + 1) for m in range(1, n + 1)]
    split = pits[(n + 1) // 2]
    cal = [("weighing", "2025-12-01", "%04d-%02d-%02d" % (split // 10000, split // 100 % 100, split % 100)),
           ("weighing", "%04d-%02d-%02d" % ((split + 1) // 10000, (split + 1) // 100 % 100, 1), "2099-12-31")]
    # The second period starts on the first day of the month after the split.
    y, m = split // 10000, split // 100 % 100 + 1
    if m == 13:
        y, m = y + 1, 1
    cal[1] = ("weighing", "%04d-%02d-01" % (y, m), "2099-12-31")
    points = [
        {"mba": "XAFF", "kmp": "1", "material": "UO2 powder", "bulk": "weighing",
         "element": "titration", "isotopic": "idms"},
        {"mba": "XAFF", "kmp": "2", "material": "UO2 pellets", "bulk": "weighing",
         "element": "titration", "isotopic": "idms", "random_per_item": True},
        {"mba": "XAFF", "kmp": "A", "material": "UO2 powder", "bulk": "weighing",
         "element": "titration", "isotopic": "idms"},
        {"mba": "XAFF", "kmp": "B", "material": "fuel assemblies", "element": "nda-gamma",
         "isotopic": "nda-gamma"},
        {"mba": "XAFF", "kmp": "C", "material": "scrap", "element": "nda-gamma",
         "isotopic": "nda-gamma"},
    ]
    facility = {
        "state": "XA", "facility": "XAF1", "name": "random fuel fabrication plant",
        "type": "fuel-fabrication",
        "mbas": [{"mba": "XAFF", "kmps": [
            {"kmp": "1", "kind": "inventory"}, {"kmp": "2", "kind": "inventory"},
            {"kmp": "A", "kind": "flow"}, {"kmp": "B", "kind": "flow"}, {"kmp": "C", "kind": "flow"}]}],
        "measurement": {
            "methods": [{"method": k, "material": "*", "random": v[0], "systematic": v[1],
                         "source": "generated for the cross-check"} for k, v in methods.items()],
            "points": points,
            "calibration_periods": [{"method": c[0], "start": c[1], "end": c[2]} for c in cal],
            "unmeasured": {"random": unmeasured[0], "systematic": unmeasured[1],
                           "source": "generated for the cross-check"},
        },
    }
    point_of = {p["kmp"]: p for p in points}

    def cal_of(method, date):
        if method != "weighing":
            return 0
        return 1 if date <= split else 2

    lines, items = [], []
    number = [0]

    def weights(e_g):
        e_mg = int(round(e_g * 1000))
        enr = rnd.uniform(0.03, 0.05)
        i_mg = int(round(e_mg * enr))
        return e_mg, i_mg

    def add_item(kmp, basis, e_mg, i_mg, coef, date, nitems):
        for label, mg in ((630, e_mg), (670, i_mg)):
            meth = []
            if basis in "NL":
                meth.append((unmeasured[0], unmeasured[1], ("unmeasured", "*", 0)))
            else:
                p = point_of[kmp]
                roles = ["bulk", "element"] + (["isotopic"] if label == 670 else [])
                seen = set()
                for r in roles:
                    if r in p and p[r] not in seen:
                        seen.add(p[r])
                        d_r, d_s = methods[p[r]]
                        meth.append((d_r, d_s, (p[r], p["material"], cal_of(p[r], date))))
            per = nitems if (basis not in "NL" and point_of[kmp].get("random_per_item")) else 1
            items.append({"label": label, "x": mg / 1000.0, "mg": mg, "coef": dict(coef),
                          "methods": meth, "items": max(per, 1)})

    def g(mg):
        return "%d.%03dG" % (mg // 1000, mg % 1000)

    def pil(k):
        number[0] += 1
        date = pits[k]
        rows = []
        for kmp in ("1", "2"):
            for b in range(rnd.randint(1, 4)):
                e_mg, i_mg = weights(rnd.uniform(50000, 400000))
                nitems = 1 if kmp == "1" else rnd.randint(2, 40)
                coef = {}
                if k >= 1:
                    coef[k - 1] = -1
                if k < n:
                    coef[k] = +1
                add_item(kmp, "M", e_mg, i_mg, coef, date, nitems)
                rows.append("407:%s#430:%s#446:P%d%s%d#469:M#470:%d#630:%s#670:%s#" %
                            (kmp, MDC, k, kmp, b, nitems, g(e_mg), g(i_mg)))
        for j, r in enumerate(rows):
            lines.append("001:OI/XA;%d#002:%s#003:%d#006:GEN,R#010:P#015:%d#207:XAF1#307:XAFF#309:N#%s"
                         % (number[0], "%d/%d" % (j + 1, len(rows)) if j == 0 else str(j + 1), date, date, r))

    def icr(k):
        number[0] += 1
        lo, hi = pits[k - 1], pits[k]
        start = lo + 1 if lo % 100 < 28 else (hi // 100) * 100 + 1
        rows = []
        day = lambda: (hi // 100) * 100 + rnd.randint(1, 28)
        for j in range(rnd.randint(1, 4)):
            e_mg, i_mg = weights(rnd.uniform(100000, 600000))
            basis = "N" if rnd.random() < 0.3 else "M"
            d = day()
            add_item("A", basis, e_mg, i_mg, {k - 1: +1}, d, 1)
            rows.append("370:XB/XBEN#407:A#411:RF#412:%d#430:%s#446:R%d%d#447:UNKNOWN#469:%s#470:1#630:%s#670:%s#"
                        % (d, MDC, k, j, basis, g(e_mg), g(i_mg)))
        for j in range(rnd.randint(1, 4)):
            e_mg, i_mg = weights(rnd.uniform(100000, 600000))
            d = day()
            add_item("B", "M", e_mg, i_mg, {k - 1: -1}, d, 1)
            rows.append("372:XB/XBEN#407:B#411:SF#412:%d#430:%s#446:S%d%d#469:M#470:1#630:%s#670:%s#"
                        % (d, MDC, k, j, g(e_mg), g(i_mg)))
        if rnd.random() < 0.7:
            e_mg, i_mg = weights(rnd.uniform(100, 3000))
            d = day()
            add_item("C", "M", e_mg, i_mg, {k - 1: -1}, d, 0)
            rows.append("407:C#411:LD#412:%d#430:%s#446:D%d#469:M#470:0#630:%s#670:%s#"
                        % (d, MDC, k, g(e_mg), g(i_mg)))
        for j, r in enumerate(rows):
            lines.append("001:OI/XA;%d#002:%s#003:%d#006:GEN,R#010:I#015:%d/%d#207:XAF1#307:XAFF#309:N#%s"
                         % (number[0], "%d/%d" % (j + 1, len(rows)) if j == 0 else str(j + 1), hi, start, hi, r))

    pil(0)
    for k in range(1, n + 1):
        icr(k)
        pil(k)
    # MUF per period and label, exact in milligrams.
    muf = {630: [0] * n, 670: [0] * n}
    for it in items:
        for t, c in it["coef"].items():
            muf[it["label"]][t] += c * it["mg"]
    return {"n": n, "facility": facility, "reports": "\n".join(lines) + "\n", "items": items,
            "muf_mg": muf, "pits": pits}


if __name__ == "__main__":
    import sys
    f = generate(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
    sys.stdout.write(f["reports"])
    sys.stderr.write(json.dumps(f["facility"], indent=1) + "\n")
