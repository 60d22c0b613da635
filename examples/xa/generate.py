#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""
generate.py: the example State XA, written deterministically.

State XA runs a small once-through LWR fuel cycle:

  XAEN  enrichment plant (facility XAE1): natural UF6 feed in 48Y cylinders,
        LEU product (4.20-4.95 % U-235) withdrawn into 30B cylinders, tails
        (0.25-0.30 %) into 48Y cylinders.  Annual physical inventory.
  XAFF  fuel fabrication plant (facility XAF1): UF6 -> UO2 powder -> pellets
        -> PWR fuel assemblies of about 460 kg U.  Monthly physical
        inventories: twelve balance periods in 2026.
  XARX  power reactor (facility XAR1), a 121-assembly PWR core: fresh fuel
        from XAFF, one refuelling outage (PIT 2026-10-16).

Material flows in 2026: one foreign receipt of natural UF6 from State XB at
XAEN; a 30B product cylinder a month XAEN -> XAFF (the shipper's and the
receiver's own measurements, so small shipper/receiver differences); 40
fresh assemblies XAFF -> XARX before the outage; one correction (309 C) of
a tails cylinder weight at XAEN with a concise note.

Every reported weight is a "true" quantity times (1 + random error +
systematic error) drawn from the measurement model that the facility
descriptions declare (method, relative random and systematic standard
uncertainty, calibration periods), with a fixed seed.  MUF is therefore
small and consistent with measurement error, and the operator MBRs are
computed here from the generated entries (a second implementation of the
balance: custos must agree with it line by line).

Python 3 standard library only.  Usage:

    python3 examples/xa/generate.py [OUTDIR]

OUTDIR defaults to the folder of this script; it receives facilities/ and
reports/ (one file per report: XAEN and XAFF in Code 10 labelled form, XARX
in CSV as its operator's spreadsheet writes it).
"""
import datetime as dt
import json
import os
import random
import sys

STATE = "XA"
SEED = 20260101

# Atomic masses (AME2020: Wang et al., Chinese Physics C 45 (2021) 030003)
# and the standard atomic weight of fluorine (IUPAC 2021).
M_U235 = 235.043930
M_U238 = 238.050788
M_F = 18.998403


def u_fraction_uf6(x):
    """Mass fraction of uranium in UF6 whose U-235 mass fraction is x."""
    m_u = 1.0 / (x / M_U235 + (1.0 - x) / M_U238)
    return m_u / (m_u + 6.0 * M_F)


X_NAT = 0.00711  # natural uranium, U-235 mass fraction

D = dt.date


def ymd(d):
    return d.strftime("%Y%m%d")


def month_end(year, month):
    nxt = D(year + (month == 12), month % 12 + 1, 1)
    return nxt - dt.timedelta(days=1)


# ---------------------------------------------------------------------------
# Measurement model: the same figures go into the facility descriptions.

class Method:
    def __init__(self, name, material, random_, systematic, source, calibrations=()):
        self.name = name
        self.material = material  # "*": the figures hold for every material
        self.random = random_
        self.systematic = systematic
        self.source = source
        self.calibrations = list(calibrations)  # (start, end) dates

    def period(self, date):
        """Calibration period index as custos_calibration_period() numbers it."""
        for i, (a, b) in enumerate(self.calibrations):
            if a <= date <= b:
                return i + 1
        return 0


class Errors:
    """Draws measurement errors: one random error per measurement, one
    systematic error per method and calibration period."""

    def __init__(self, rng, methods):
        self.rng = rng
        self.methods = {m.name: m for m in methods}
        self.sys = {}

    def error(self, name, date):
        m = self.methods[name]
        key = (name, m.period(date))
        if key not in self.sys:
            self.sys[key] = self.rng.gauss(0.0, m.systematic)
        return self.rng.gauss(0.0, m.random) + self.sys[key]


def grams(mg):
    """Round milligrams to whole grams (the resolution operators report)."""
    return int(round(mg / 1000.0)) * 1000


class Point:
    """How one KMP measures one material (a measurement point)."""

    def __init__(self, mba, kmp, mdc, material, bulk=None, element=None, isotopic=None):
        self.mba, self.kmp, self.mdc, self.material = mba, kmp, mdc, material
        self.bulk, self.element, self.isotopic = bulk, element, isotopic

    def json(self):
        d = {"mba": self.mba, "kmp": self.kmp, "mdc": self.mdc, "material": self.material}
        for k in ("bulk", "element", "isotopic"):
            if getattr(self, k):
                d[k] = getattr(self, k)
        return d


def measure(errors, point, date, u_true_kg, x_true=None):
    """Measured U (mg, rounded to grams) and, with x_true, U-235 (mg)."""
    e = sum(errors.error(m, date) for m in (point.bulk, point.element) if m)
    u = u_true_kg * 1e6 * (1.0 + e)
    u_mg = grams(u)
    if x_true is None:
        return u_mg, None
    ei = errors.error(point.isotopic, date) if point.isotopic else 0.0
    return u_mg, grams(u * x_true * (1.0 + ei))


# ---------------------------------------------------------------------------
# Reports and their writers (Code 10 labelled and CSV).

WEIGHT_UNIT = {600: "G", 610: "K", 620: "K", 630: "G", 670: "G", 700: "G", 780: "G"}
HEADER_LABELS = (1, 3, 6, 10, 15, 207, 307)


def fmt_weight(mg, label):
    unit = WEIGHT_UNIT[label]
    scale = 1000000 if unit == "K" else 1000
    sign = "-" if mg < 0 else ""
    a = abs(mg)
    whole, frac = divmod(a, scale)
    s = sign + str(whole)
    if frac:
        digits = str(frac).rjust(6 if unit == "K" else 3, "0").rstrip("0")
        s += "." + digits
    return s + unit


class Entry:
    def __init__(self, kind="OI", **labels):
        self.kind = kind
        # labels: {int: str}; weights: {int: mg}
        self.labels = {}
        self.weights = {}
        for k, v in labels.items():
            self.labels[int(k[1:])] = v

    def w(self, label, mg):
        self.weights[label] = mg
        return self


class Report:
    def __init__(self, mba, facility, number, rtype, date, encoder, start, end):
        self.mba, self.facility, self.number = mba, facility, number
        self.type, self.date, self.encoder = rtype, date, encoder
        self.start, self.end = start, end
        self.entries = []

    def period(self):
        if self.type == "P":
            return ymd(self.end)
        return "%s/%s" % (ymd(self.start), ymd(self.end))

    def rows(self):
        """Each entry as {label: content}, entries numbered, header repeated."""
        out = []
        n_oi = sum(1 for e in self.entries if e.kind == "OI")
        n_nc = len(self.entries) - n_oi
        seen = {"OI": 0, "NC": 0}
        for e in self.entries:
            seen[e.kind] += 1
            i = seen[e.kind]
            total = n_oi if e.kind == "OI" else n_nc
            row = {1: "%s/%s;%d" % (e.kind, STATE, self.number),
                   2: "%d/%d" % (i, total) if i == 1 else str(i),
                   3: ymd(self.date), 207: self.facility, 307: self.mba}
            if e.kind == "OI":
                row.update({6: self.encoder, 10: self.type, 15: self.period()})
            row.update(e.labels)
            for label, mg in e.weights.items():
                row[label] = fmt_weight(mg, label)
            out.append(row)
        return out


def code10_text(rep):
    lines = []
    for row in rep.rows():
        lines.append("".join("%03d:%s#" % (k, row[k]) for k in sorted(row)))
    return "\n".join(lines) + "\n"


def csv_text(rep):
    rows = rep.rows()
    cols = sorted({k for r in rows for k in r})
    out = [",".join("%03d" % c for c in cols)]
    for r in rows:
        cells = []
        for c in cols:
            v = r.get(c, "")
            if "," in v or '"' in v:
                v = '"' + v.replace('"', '""') + '"'
            cells.append(v)
        out.append(",".join(cells))
    return "\r\n".join(out) + "\r\n"


# ---------------------------------------------------------------------------
# Books: the balance computed from the generated entries, for the MBRs.

CATEGORY = {610: "N", 620: "D", 630: "E", 670: "E", 700: "P", 780: "D"}
INCREASES = {"RF", "RD", "RS", "RN", "NP", "DU", "DQ", "FW", "GA"}
DECREASES = {"SF", "SD", "SN", "LN", "LD", "TW", "EU", "EQ", "TU", "LA"}
CODE_ORDER = ["RF", "RD", "RS", "RN", "NP", "DU", "DQ", "FW", "GA", "SF", "SD", "SN", "LN",
              "LD", "TW", "EU", "EQ", "TU", "LA", "EN", "ED", "NE", "ND", "DE", "DN"]


def sign(code, label):
    if code in INCREASES:
        return 1
    if code in DECREASES:
        return -1
    if len(code) == 2 and code[0] in "END" and code[1] in "END":
        cat = CATEGORY[label]
        return -1 if cat == code[0] else 1 if cat == code[1] else 0
    return 0


def pil_sums(pil):
    s = {}
    for e in pil.entries:
        for label, mg in e.weights.items():
            s[label] = s.get(label, 0) + mg
    return s


def effective_changes(icrs):
    """ICR entries with corrections applied: {(report, entry): Entry}."""
    books = {}
    for rep in icrs:
        n = 0
        for e in rep.entries:
            if e.kind != "OI":
                continue
            n += 1
            st = e.labels[309]
            if st == "N":
                books[(rep.number, n)] = e
            elif st[0] == "C":
                ref = st[2:].split(";")[1].split("/")
                books[(int(ref[0]), int(ref[1]))] = e
    return list(books.values())


def mbr_report(pil_b, pil_e, changes, mba, facility, number, date, encoder):
    """The operator's MBR for the balance period from PIL pil_b to pil_e.
    Lines per element category: PB, each change code, BA, PE, MF."""
    lo, hi = pil_b.end, pil_e.end
    pb, pe = pil_sums(pil_b), pil_sums(pil_e)
    per_code = {}  # code -> {label: magnitude}
    for e in changes:
        d = dt.datetime.strptime(e.labels[412], "%Y%m%d").date()
        if not (lo < d <= hi):
            continue
        code = e.labels[411]
        if code in ("RM", "RP"):
            continue
        for label, mg in e.weights.items():
            if sign(code, label) == 0:
                continue
            per_code.setdefault(code, {}).setdefault(label, 0)
            per_code[code][label] += mg
    rep = Report(mba, facility, number, "M", date, encoder, lo + dt.timedelta(days=1), hi)
    labels = sorted(set(pb) | set(pe) | {l for c in per_code.values() for l in c})
    cats = []
    for label in labels:
        if CATEGORY[label] not in cats:
            cats.append(CATEGORY[label])
    for cat in "NDEPT":
        if cat not in cats:
            continue
        ls = [l for l in labels if CATEGORY[l] == cat]

        def line(code, values):
            e = Entry(L309="N", L411=code)
            for l in ls:
                e.w(l, values.get(l, 0))
            rep.entries.append(e)

        line("PB", pb)
        ba = dict((l, pb.get(l, 0)) for l in ls)
        for code in CODE_ORDER:
            if code not in per_code or not any(l in per_code[code] for l in ls):
                continue
            vals = {l: per_code[code].get(l, 0) for l in ls}
            line(code, vals)
            for l in ls:
                ba[l] += sign(code, l) * vals[l]
        line("BA", ba)
        line("PE", pe)
        line("MF", {l: ba[l] - pe.get(l, 0) for l in ls})
    return rep


# ---------------------------------------------------------------------------
# The enrichment plant XAEN.

EP_SOURCE = "XAE1 measurement control programme, 2025 evaluation"
EP_METHODS = [
    Method("EPLC48Y", "*", 0.0005, 0.0003, EP_SOURCE,
           [(D(2025, 1, 1), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 6, 30)),
            (D(2026, 7, 1), D(2026, 12, 31))]),
    Method("EPLC30B", "*", 0.0005, 0.0003, EP_SOURCE,
           [(D(2025, 1, 1), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 6, 30)),
            (D(2026, 7, 1), D(2026, 12, 31))]),
    Method("EPGRAV", "*", 0.0003, 0.0002, EP_SOURCE),
    Method("EPMSP", "*", 0.0005, 0.0003, EP_SOURCE),
    Method("EPMST", "*", 0.002, 0.001, EP_SOURCE),
    Method("EPHOLDUP", "*", 0.05, 0.10, EP_SOURCE),
]
EP_POINTS = [
    Point("XAEN", "A", "O/G", "UF6 natural", bulk="EPLC48Y", element="EPGRAV"),
    Point("XAEN", "1", "O/G", "UF6 natural", bulk="EPLC48Y", element="EPGRAV"),
    Point("XAEN", "C", "O/G", "UF6 product", bulk="EPLC30B", element="EPGRAV", isotopic="EPMSP"),
    Point("XAEN", "2", "O/G", "UF6 product", bulk="EPLC30B", element="EPGRAV", isotopic="EPMSP"),
    Point("XAEN", "B", "O/G", "UF6 product", bulk="EPLC30B", element="EPGRAV", isotopic="EPMSP"),
    Point("XAEN", "D", "O/G", "UF6 tails", bulk="EPLC48Y", element="EPGRAV", isotopic="EPMST"),
    Point("XAEN", "3", "O/G", "UF6 tails", bulk="EPLC48Y", element="EPGRAV", isotopic="EPMST"),
    Point("XAEN", "4", "O/G/O", "UF6 in process", bulk="EPHOLDUP"),
    Point("XAEN", "4", "O/G/U", "UF6 natural", bulk="EPLC48Y", element="EPGRAV"),
]
EP_ENCODER = "LINDQVIST,M"
MDC_48Y = "O/G/U/C"   # other solids (UF6), hexafluoride, 1000-5000 l, pure
MDC_30B = "O/G/R/C"   # ... 500-1000 l
MDC_HOLDUP = "O/G/O/E"  # other container, variable
# Product assays of the 2026 cylinders, January to December.
PRODUCT_ASSAY = [0.0445, 0.0495, 0.0445, 0.0420, 0.0445, 0.0495,
                 0.0445, 0.0420, 0.0445, 0.0495, 0.0445, 0.0445]


def pt(points, kmp, mdc):
    best = None
    for p in points:
        if p.kmp == kmp and mdc.startswith(p.mdc):
            if best is None or len(p.mdc) > len(best.mdc):
                best = p
    return best


def uf6_cylinder(rng, kind):
    """True uranium (kg) of a filled cylinder: net UF6 weight x U fraction."""
    if kind == "48Y":
        return rng.uniform(12380.0, 12490.0)
    return rng.uniform(2255.0, 2275.0)  # 30B, fill limit 2277 kg UF6


class EP:
    def __init__(self, rng, err_rng):
        self.rng = rng
        self.err = Errors(err_rng, EP_METHODS)
        self.reports = []
        self.number = 301
        self.shipments = []  # (date, cylinder) for the fabrication plant

    def report(self, rtype, date, start, end):
        r = Report("XAEN", "XAE1", self.number, rtype, date, EP_ENCODER, start, end)
        self.number += 1
        self.reports.append(r)
        return r

    def feed_entry(self, cyl, kmp, basis, code=None, **extra):
        e = Entry(L309="N", L407=kmp, L430=MDC_48Y, L446=cyl["id"], L469=basis, L470="1", **extra)
        if code:
            e.labels[411] = code
        return e.w(610, cyl["u_mg"])

    def run(self):
        rng = self.rng
        opening = D(2025, 12, 31)
        # Opening inventory (measured in 2025).
        self.feed = []
        for i in range(14):
            uf6 = uf6_cylinder(rng, "48Y")
            u = uf6 * u_fraction_uf6(X_NAT)
            m, _ = measure(self.err, pt(EP_POINTS, "1", MDC_48Y), D(2025, 9, 1) + dt.timedelta(days=7 * i), u)
            self.feed.append({"id": "48Y-N%04d" % (2301 + i), "u": u, "u_mg": m})
        self.station = {"id": "48Y-N2299", "u": 3140.0}
        self.holdup = 160.0  # kg U in the cascades, constant
        x = 0.0445
        u = uf6_cylinder(rng, "30B") * u_fraction_uf6(x)
        m, m5 = measure(self.err, pt(EP_POINTS, "C", MDC_30B), D(2025, 12, 22), u, x)
        self.product = [{"id": "30B-3801", "u": u, "x": x, "u_mg": m, "u5_mg": m5}]
        self.tails = []
        for i in range(30):
            xt = rng.uniform(0.0025, 0.0030)
            u = uf6_cylinder(rng, "48Y") * u_fraction_uf6(xt)
            m, m5 = measure(self.err, pt(EP_POINTS, "D", MDC_48Y), D(2025, 1, 10) + dt.timedelta(days=11 * i), u, xt)
            self.tails.append({"id": "48Y-T%04d" % (1101 + i), "u": u, "x": xt, "u_mg": m, "u5_mg": m5})
        self.pil(opening, D(2026, 1, 8))

        tails_u = tails_u5 = 0.0
        next_tails = 1131
        next_product = 3802
        mistake = None
        for month in range(1, 13):
            start, end = D(2026, month, 1), month_end(2026, month)
            rdate = end + dt.timedelta(days=8)
            icr = self.report("I", rdate, start, end)
            # Shipment of last month's product cylinder to the fabrication plant.
            ship_day = D(2026, month, 12) if month < 12 else D(2026, 12, 29)
            cyl = self.product.pop(0)
            e = Entry(L309="N", L372="XA/XAFF", L407="B", L411="SD", L412=ymd(ship_day),
                      L430=MDC_30B, L446=cyl["id"], L469="T/B/EPLC30B", L470="1")
            icr.entries.append(e.w(630, cyl["u_mg"]).w(670, cyl["u5_mg"]))
            self.shipments.append((ship_day, cyl))
            # The foreign receipt: natural UF6 from State XB.
            if month == 3:
                for i in range(8):
                    uf6 = uf6_cylinder(rng, "48Y")
                    u = uf6 * u_fraction_uf6(X_NAT)
                    day = D(2026, 3, 9)
                    m, _ = measure(self.err, pt(EP_POINTS, "A", MDC_48Y), day, u)
                    c = {"id": "48Y-N%04d" % (2401 + i), "u": u, "u_mg": m}
                    self.feed.append(c)
                    e = self.feed_entry(c, "A", "M/A/EPLC48Y", "RF", L370="XB/XBCV",
                                        L412=ymd(day), L447="XB-%05d" % (77120 + i))
                    icr.entries.append(e)
            # Production: one product cylinder; feed and tails by the
            # mass balances F = P + T, F xf = P xp + T xt.
            xp = PRODUCT_ASSAY[month - 1]
            xt = rng.uniform(0.0025, 0.0030)
            p = uf6_cylinder(rng, "30B") * u_fraction_uf6(xp)
            f = p * (xp - xt) / (X_NAT - xt)
            t = f - p
            self.consume_feed(f)
            day = D(2026, month, 24)
            m, m5 = measure(self.err, pt(EP_POINTS, "C", MDC_30B), day, p, xp)
            cyl = {"id": "30B-%04d" % next_product, "u": p, "x": xp, "u_mg": m, "u5_mg": m5}
            next_product += 1
            self.product.append(cyl)
            e = Entry(L309="N", L407="C", L411="NE", L412=ymd(day), L430=MDC_30B, L446=cyl["id"],
                      L469="M/C/EPLC30B", L470="1")
            icr.entries.append(e.w(610, m).w(630, m).w(670, m5))
            # Tails withdrawn into 48Y cylinders as they fill; the last
            # one is closed for the physical inventory at the year's end.
            tails_u += t
            tails_u5 += t * xt
            fills = []
            while True:
                x_acc = tails_u5 / tails_u
                cap = uf6_cylinder(rng, "48Y") * u_fraction_uf6(x_acc)
                if tails_u < cap:
                    break
                fills.append((cap, x_acc))
                tails_u -= cap
                tails_u5 -= cap * x_acc
            if month == 12:
                fills.append((tails_u, tails_u5 / tails_u))
                tails_u = tails_u5 = 0.0
            for k, (cap, x_c) in enumerate(fills):
                last = month == 12 and k == len(fills) - 1
                day = D(2026, 12, 31) if last else D(2026, month, 6 + 9 * k)
                m, m5 = measure(self.err, pt(EP_POINTS, "D", MDC_48Y), day, cap, x_c)
                c = {"id": "48Y-T%04d" % next_tails, "u": cap, "x": x_c, "u_mg": m, "u5_mg": m5}
                next_tails += 1
                self.tails.append(c)
                e = Entry(L309="N", L407="D", L411="ND", L412=ymd(day), L430=MDC_48Y,
                          L446=c["id"], L469="M/D/EPLC48Y", L470="1")
                e.w(610, m).w(620, m).w(780, m5)
                if month == 5 and k == 0:
                    # The operator's typing error: two digits transposed in
                    # the element weights, corrected in the June ICR.
                    wrong = self.transpose(m)
                    bad = Entry(**{"L%03d" % k2: v for k2, v in e.labels.items()})
                    bad.w(610, wrong).w(620, wrong).w(780, m5)
                    icr.entries.append(bad)
                    mistake = (bad, e)
                else:
                    icr.entries.append(e)
            icr.entries.sort(key=lambda x: (x.labels[412], x.labels[446]))
            if month == 5:
                bad, good = mistake
                mistake = (icr.number, icr.entries.index(bad) + 1, good)
            if month == 6:
                num, ent, good = mistake
                c = Entry(**{"L%03d" % k2: v for k2, v in good.labels.items()})
                c.labels[309] = "C/%s;%d/%d" % (STATE, num, ent)
                c.labels[390] = "Y"
                for l2, v in good.weights.items():
                    c.w(l2, v)
                icr.entries.append(c)
                icr.entries.append(Entry(
                    "NC", L099="E/%d" % len(icr.entries),
                    L391="ENTRY %d OF REPORT %d CORRECTED. THE ELEMENT WEIGHTS OF TAILS "
                         "CYLINDER %s WERE KEYED WITH TWO DIGITS TRANSPOSED. SAMPLE AND "
                         "WEIGHING RECORDS UNCHANGED." % (ent, num, good.labels[446])))
        self.pil(D(2026, 12, 31), D(2027, 1, 12))
        self.mbr()

    @staticmethod
    def transpose(mg):
        s = str(mg // 1000)
        i = len(s) - 4
        t = s[:i] + s[i + 1] + s[i] + s[i + 2:]
        if t == s:
            t = s[:i] + str((int(s[i]) + 1) % 10) + s[i + 1:]
        return int(t) * 1000 + mg % 1000

    def consume_feed(self, f):
        while f > 0:
            if self.station["u"] >= f:
                self.station["u"] -= f
                return
            f -= self.station["u"]
            c = self.feed.pop(0)
            self.station = {"id": c["id"], "u": c["u"]}

    def pil(self, pit, rdate):
        r = self.report("P", rdate, None, pit)
        for c in self.feed:
            r.entries.append(self.feed_entry(c, "1", "T/1/EPLC48Y"))
        m, _ = measure(self.err, pt(EP_POINTS, "4", "O/G/U"), pit, self.station["u"])
        st = {"id": self.station["id"], "u_mg": m}
        r.entries.append(self.feed_entry(st, "4", "M/4/EPLC48Y"))
        h, _ = measure(self.err, pt(EP_POINTS, "4", MDC_HOLDUP), pit, self.holdup)
        r.entries.append(Entry(L309="N", L407="4", L430=MDC_HOLDUP, L446="CASCADE-HOLDUP",
                               L469="M/4/EPHOLDUP", L470="0").w(610, h))
        for c in self.product:
            r.entries.append(Entry(L309="N", L407="2", L430=MDC_30B, L446=c["id"],
                                   L469="T/2/EPLC30B", L470="1").w(630, c["u_mg"]).w(670, c["u5_mg"]))
        for c in self.tails:
            r.entries.append(Entry(L309="N", L407="3", L430=MDC_48Y, L446=c["id"],
                                   L469="T/3/EPLC48Y", L470="1")
                             .w(620, c["u_mg"]).w(780, c["u5_mg"]))
        return r

    def mbr(self):
        pils = [r for r in self.reports if r.type == "P"]
        icrs = [r for r in self.reports if r.type == "I"]
        rep = mbr_report(pils[-2], pils[-1], effective_changes(icrs), "XAEN", "XAE1",
                         self.number, D(2027, 1, 15), EP_ENCODER)
        self.number += 1
        self.reports.append(rep)


# ---------------------------------------------------------------------------
# The fuel fabrication plant XAFF.

FF_SOURCE = "XAF1 measurement control programme, 2025 evaluation"
FF_HALVES = [(D(2025, 7, 1), D(2025, 12, 31)), (D(2026, 1, 1), D(2026, 6, 30)),
             (D(2026, 7, 1), D(2026, 12, 31))]
FF_METHODS = [
    Method("FFLC30B", "*", 0.0005, 0.0003, FF_SOURCE, FF_HALVES),
    Method("FFGRAVUF6", "*", 0.0003, 0.0002, FF_SOURCE),
    Method("FFTIMS", "*", 0.0010, 0.0005, FF_SOURCE),
    Method("FFBAL", "*", 0.0002, 0.0001, FF_SOURCE, FF_HALVES),
    Method("FFGRAVO2", "*", 0.0005, 0.0003, FF_SOURCE),
    Method("FFDG", "*", 0.0050, 0.0030, FF_SOURCE),
    Method("FFVOL", "*", 0.0050, 0.0050, FF_SOURCE),
    Method("FFICPMS", "*", 0.0500, 0.0300, FF_SOURCE),
]
FF_POINTS = [
    Point("XAFF", "A", "O/G", "UF6 product", bulk="FFLC30B", element="FFGRAVUF6", isotopic="FFTIMS"),
    Point("XAFF", "1", "O/G", "UF6 product", bulk="FFLC30B", element="FFGRAVUF6", isotopic="FFTIMS"),
    Point("XAFF", "2", "F", "UO2 powder", bulk="FFBAL", element="FFGRAVO2", isotopic="FFTIMS"),
    Point("XAFF", "2", "J", "UO2 pellets", bulk="FFBAL", element="FFGRAVO2", isotopic="FFTIMS"),
    Point("XAFF", "3", "B", "fuel assemblies", bulk="FFBAL", element="FFGRAVO2", isotopic="FFTIMS"),
    Point("XAFF", "B", "B", "fuel assemblies", bulk="FFBAL", element="FFGRAVO2", isotopic="FFTIMS"),
    Point("XAFF", "4", "R", "scrap", bulk="FFBAL", element="FFDG", isotopic="FFTIMS"),
    Point("XAFF", "C", "U", "liquid waste", bulk="FFVOL", element="FFICPMS", isotopic="FFTIMS"),
]
FF_ENCODER = "MARTIN,C"
MDC_POWDER = "F/Q/M/C"    # powder, dioxide, 50-100 l container, pure
MDC_PELLET = "J/Q/7/A"    # ceramics, dioxide, tray, manufactured articles
MDC_FA = "B/Q/1/F"        # fuel elements, dioxide, uncontained, fresh fuel
MDC_SCRAP = "R/Q/L/D"     # residues and scrap, 20-50 l, heterogeneous
MDC_LIQUID = "U/2/Q/E"    # liquid waste, other compounds, 200-500 l, variable
ASSEMBLY_U = 461.5        # kg U in a 17x17 PWR assembly, nominal
SCRAP_FRACTION = 0.004    # of the uranium pressed into pellets
SHIP_TO_REACTOR = {6: 8, 7: 10, 8: 12, 9: 10}  # assemblies per month


class FF:
    def __init__(self, rng, err_rng, ep_shipments):
        self.rng = rng
        self.err = Errors(err_rng, FF_METHODS)
        self.reports = []
        self.number = 511
        self.ep_shipments = ep_shipments
        self.shipments = []  # (date, assembly) to the reactor
        self.receipts = []   # (ship date, receipt date, EP cylinder, FF values)

    def report(self, rtype, date, start, end):
        r = Report("XAFF", "XAF1", self.number, rtype, date, FF_ENCODER, start, end)
        self.number += 1
        self.reports.append(r)
        return r

    def assembly(self, x, day):
        u = self.rng.gauss(ASSEMBLY_U, 0.6)
        m, m5 = measure(self.err, pt(FF_POINTS, "3", MDC_FA), day, u, x)
        self.next_fa += 1
        return {"id": "A%04d" % self.next_fa, "u": u, "x": x, "u_mg": m, "u5_mg": m5}

    def run(self):
        rng = self.rng
        opening = D(2025, 12, 31)
        self.next_fa = 900
        # Opening inventory: two cylinders received in November and
        # December 2025, uranium in process, finished assemblies, scrap.
        self.cylinders = []
        for i, (x, day) in enumerate(((0.0445, D(2025, 11, 17)), (0.0495, D(2025, 12, 15)))):
            u = uf6_cylinder(rng, "30B") * u_fraction_uf6(x)
            m, m5 = measure(self.err, pt(FF_POINTS, "A", MDC_30B), day, u, x)
            self.cylinders.append({"id": "UF6-25%02d" % (11 + i), "u": u, "x": x,
                                   "u_mg": m, "u5_mg": m5})
        self.process = {0.0445: 620.0, 0.0495: 480.0}
        self.scrap = {0.0445: 4.2, 0.0495: 2.9}
        self.assemblies = [self.assembly(0.0445, D(2025, 10, 1) + dt.timedelta(days=5 * i))
                           for i in range(9)]
        self.assemblies += [self.assembly(0.0495, D(2025, 11, 20) + dt.timedelta(days=3 * i))
                            for i in range(7)]
        prev_pil = self.pil(opening, D(2026, 1, 5))
        ep = list(self.ep_shipments)
        for month in range(1, 13):
            start, end = D(2026, month, 1), month_end(2026, month)
            icr = self.report("I", end + dt.timedelta(days=4), start, end)
            # Receipt of the EP's cylinder shipped this month, three days
            # later, measured at the FF's own scale and mass spectrometer
            # (the December shipment arrives in January 2027).
            ship_day, ecyl = ep.pop(0)
            rday = ship_day + dt.timedelta(days=3)
            if rday <= end:
                m, m5 = measure(self.err, pt(FF_POINTS, "A", MDC_30B), rday, ecyl["u"], ecyl["x"])
                c = {"id": "UF6-26%02d" % month, "u": ecyl["u"], "x": ecyl["x"],
                     "u_mg": m, "u5_mg": m5}
                self.cylinders.append(c)
                e = Entry(L309="N", L370="XA/XAEN", L407="A", L411="RD", L412=ymd(rday),
                          L430=MDC_30B, L446=c["id"], L447=ecyl["id"], L469="M/A/FFLC30B",
                          L470="1")
                icr.entries.append(e.w(630, m).w(670, m5))
            # Conversion of the oldest cylinder into three powder lots:
            # rebatching at book values (RM = RP).
            c = self.cylinders.pop(0)
            cday = D(2026, month, 5)
            e = Entry(L309="N", L407="1", L411="RM", L412=ymd(cday), L430=MDC_30B, L446=c["id"],
                      L469="T/1/FFLC30B", L470="1")
            icr.entries.append(e.w(630, c["u_mg"]).w(670, c["u5_mg"]))
            parts_u = [c["u_mg"] // 3, c["u_mg"] // 3, c["u_mg"] - 2 * (c["u_mg"] // 3)]
            parts_5 = [c["u5_mg"] // 3, c["u5_mg"] // 3, c["u5_mg"] - 2 * (c["u5_mg"] // 3)]
            for k in range(3):
                e = Entry(L309="N", L407="2", L411="RP", L412=ymd(cday), L430=MDC_POWDER,
                          L446="PW26%02d-%d" % (month, k + 1), L469="T/1/FFLC30B", L470="1")
                icr.entries.append(e.w(630, parts_u[k]).w(670, parts_5[k]))
            self.process[c["x"]] = self.process.get(c["x"], 0.0) + c["u"]
            # Assembly production, at most four a month.
            made = 0
            for x in sorted(self.process, key=lambda x: -self.process[x]):
                while made < 4 and self.process[x] > ASSEMBLY_U * (1 + SCRAP_FRACTION) + 50.0:
                    day = D(2026, month, 8 + 5 * made)
                    a = self.assembly(x, day)
                    self.process[x] -= a["u"] * (1 + SCRAP_FRACTION)
                    self.scrap[x] = self.scrap.get(x, 0.0) + a["u"] * SCRAP_FRACTION
                    self.assemblies.append(a)
                    made += 1
            # Scrap is recycled into the process each quarter (internal).
            if month % 3 == 0:
                for x in self.scrap:
                    self.process[x] = self.process.get(x, 0.0) + self.scrap[x]
                    self.scrap[x] = 0.0
            # Measured discard: the month's liquid effluent.
            x = c["x"]
            lw = rng.uniform(0.15, 0.35)
            self.process[x] -= lw
            day = D(2026, month, 27)
            p = pt(FF_POINTS, "C", MDC_LIQUID)
            e_u = sum(self.err.error(mm, day) for mm in (p.bulk, p.element))
            u_mg = int(round(lw * 1e6 * (1 + e_u) / 10.0)) * 10      # to 0.01 g
            u5_mg = int(round(u_mg * x * (1 + self.err.error(p.isotopic, day)) / 10.0)) * 10
            e = Entry(L309="N", L407="C", L411="LD", L412=ymd(day), L430=MDC_LIQUID,
                      L446="LW-26%02d" % month, L469="M/C/FFICPMS", L470="0")
            icr.entries.append(e.w(630, u_mg).w(670, u5_mg))
            # Fresh fuel to the reactor before its October outage.
            n = SHIP_TO_REACTOR.get(month, 0)
            if n > len(self.assemblies):
                raise SystemExit("generate.py: only %d assemblies for %d to ship in month %d"
                                 % (len(self.assemblies), n, month))
            for k in range(n):
                a = self.assemblies.pop(0)
                day = D(2026, month, 20 + k // 4)
                e = Entry(L309="N", L372="XA/XARX", L407="B", L411="SD", L412=ymd(day),
                          L430=MDC_FA, L446=a["id"], L469="T/B/FFBAL", L470="1")
                icr.entries.append(e.w(630, a["u_mg"]).w(670, a["u5_mg"]))
                self.shipments.append((day, a))
            icr.entries.sort(key=lambda x: (x.labels[412], x.labels[411], x.labels[446]))
            pil = self.pil(end, end + dt.timedelta(days=5))
            rep = mbr_report(prev_pil, pil, effective_changes([icr]), "XAFF", "XAF1", self.number,
                             end + dt.timedelta(days=6), FF_ENCODER)
            self.number += 1
            self.reports.append(rep)
            prev_pil = pil

    def lots(self, pool, x, max_kg):
        """Split a pool of uranium into lots of at most max_kg."""
        n = int(pool // max_kg) + 1
        return [pool / n] * n

    def pil(self, pit, rdate):
        r = self.report("P", rdate, None, pit)
        for c in self.cylinders:
            r.entries.append(Entry(L309="N", L407="1", L430=MDC_30B, L446=c["id"],
                                   L469="T/1/FFLC30B", L470="1").w(630, c["u_mg"]).w(670, c["u5_mg"]))
        # Uranium in process, re-measured at each PIT: 40 % powder, 60 % pellets.
        for x in sorted(self.process):
            if self.process[x] < 1.0:
                continue
            tag = "%03d" % round(x * 10000)
            for form, frac, mdc in (("PW", 0.4, MDC_POWDER), ("PL", 0.6, MDC_PELLET)):
                for k, u in enumerate(self.lots(self.process[x] * frac, x, 250.0)):
                    m, m5 = measure(self.err, pt(FF_POINTS, "2", mdc), pit, u, x)
                    r.entries.append(Entry(L309="N", L407="2", L430=mdc,
                                           L446="%s%s-%s-%d" % (form, tag, pit.strftime("%y%m"), k + 1),
                                           L469="M/2/FFBAL", L470="1").w(630, m).w(670, m5))
        for a in self.assemblies:
            r.entries.append(Entry(L309="N", L407="3", L430=MDC_FA, L446=a["id"],
                                   L469="T/3/FFBAL", L470="1").w(630, a["u_mg"]).w(670, a["u5_mg"]))
        for x in sorted(self.scrap):
            if self.scrap[x] < 0.001:
                continue
            tag = "%03d" % round(x * 10000)
            m, m5 = measure(self.err, pt(FF_POINTS, "4", MDC_SCRAP), pit, self.scrap[x], x)
            r.entries.append(Entry(L309="N", L407="4", L430=MDC_SCRAP,
                                   L446="SC%s-%s" % (tag, pit.strftime("%y%m")),
                                   L469="M/4/FFDG", L470="1").w(630, m).w(670, m5))
        return r


# ---------------------------------------------------------------------------
# The power reactor XARX.

RX_SOURCE = "XAR1 fuel management, core follow calculations validated 2024"
RX_METHODS = [
    Method("RXDEPLETE", "*", 0.02, 0.03, RX_SOURCE),
    Method("ITEMCOUNT", "*", 0.0, 0.0,
           "item counting and identification; masses are the fabricator's"),
]
RX_POINTS = [
    Point("XARX", "1", "B", "fresh fuel assemblies", bulk="ITEMCOUNT"),
    Point("XARX", "2", "B", "irradiated fuel", element="RXDEPLETE", isotopic="RXDEPLETE"),
    Point("XARX", "3", "B", "irradiated fuel", element="RXDEPLETE", isotopic="RXDEPLETE"),
    Point("XARX", "C", "B", "irradiated fuel", element="RXDEPLETE", isotopic="RXDEPLETE"),
]
RX_UNMEASURED = {"random": 0.001, "systematic": 0.0005,
                 "source": "fabricator's values (XAFF fabrication records, FFBAL and FFGRAVO2)"}
RX_ENCODER = "NAKAMURA,K"
MDC_CORE = "B/Q/4/G"     # fuel elements in core, irradiated
MDC_POND = "B/Q/1/G"     # in the spent fuel pond
MDC_CORE_FRESH = "B/Q/4/F"


def irradiated(m0, x0, burnup):
    """Composition (mg) of an assembly of m0 mg U at U-235 fraction x0
    after burnup GWd/t: a simple depletion model (about 1.05 kg heavy metal
    fissioned per GWd; U-235 depleted 0.70 kg/t per GWd/t; plutonium built
    up as 0.33 B - 0.0015 B^2 kg/t)."""
    pu = m0 * (0.00033 * burnup - 0.0000015 * burnup * burnup)
    u = m0 * (1.0 - 0.00105 * burnup) - pu
    u5 = m0 * (x0 - 0.00070 * burnup)
    return grams(u), grams(u5), grams(pu)


class RX:
    def __init__(self, rng, ff_shipments):
        self.rng = rng
        self.reports = []
        self.number = 87
        self.ff_shipments = ff_shipments

    def report(self, rtype, date, start, end):
        r = Report("XARX", "XAR1", self.number, rtype, date, RX_ENCODER, start, end)
        self.number += 1
        self.reports.append(r)
        return r

    def fa(self, name, x0, b):
        m0 = grams(self.rng.gauss(ASSEMBLY_U, 0.6) * 1e6)
        return {"id": name, "m0": m0, "x0": x0, "b": b}

    def run(self):
        rng = self.rng
        # Core at the opening PIT: three regions loaded in 2023, 2024, 2025.
        self.core = []
        for i in range(41):
            self.core.append(self.fa("A%04d" % (800 + i), 0.0445 if i % 3 else 0.0495,
                                     rng.uniform(2.2, 2.8)))
        for i in range(40):
            self.core.append(self.fa("A%04d" % (700 + i), 0.0445 if i % 4 else 0.0495,
                                     rng.uniform(14.8, 16.2)))
        for i in range(40):
            self.core.append(self.fa("A%04d" % (600 + i), 0.0445 if i % 2 else 0.0420,
                                     rng.uniform(27.5, 29.5)))
        self.pond = []
        for cyc in range(3):
            for i in range(40):
                self.pond.append(self.fa("A%04d" % (300 + 100 * cyc + i), 0.0420,
                                         rng.uniform(37.5, 41.5)))
        self.fresh = []
        self.pil(D(2025, 12, 31), D(2026, 1, 9))
        # ICRs: receipts of fresh fuel June-September, then the outage.
        ship = list(self.ff_shipments)
        periods = [(D(2026, 1, 1), D(2026, 6, 30)), (D(2026, 7, 1), D(2026, 7, 31)),
                   (D(2026, 8, 1), D(2026, 8, 31)), (D(2026, 9, 1), D(2026, 9, 30))]
        for start, end in periods:
            icr = self.report("I", end + dt.timedelta(days=7), start, end)
            while ship and ship[0][0] + dt.timedelta(days=2) <= end:
                sday, a = ship.pop(0)
                rday = sday + dt.timedelta(days=2)
                e = Entry(L309="N", L370="XA/XAFF", L407="A", L411="RD", L412=ymd(rday),
                          L430=MDC_FA, L446=a["id"], L447=a["id"], L469="N", L470="1")
                icr.entries.append(e.w(630, a["u_mg"]).w(670, a["u5_mg"]))
                self.fresh.append({"id": a["id"], "u_mg": a["u_mg"], "u5_mg": a["u5_mg"]})
        # Cycle end 2026-10-05: burnup since the opening PIT, nuclear loss
        # and production per assembly; the oldest region is discharged and
        # the fresh assemblies loaded; PIT 2026-10-16.
        shutdown = D(2026, 10, 5)
        pit = D(2026, 10, 16)
        changes = []
        for a in self.core:
            u0, u50, pu0 = irradiated(a["m0"], a["x0"], a["b"])
            a["b"] += rng.uniform(10.2, 11.4)
            u1, u51, pu1 = irradiated(a["m0"], a["x0"], a["b"])
            changes.append((a["id"], u0 - u1, u50 - u51, pu1 - pu0))
        discharged = [a for a in self.core if a["id"].startswith("A06")]
        self.core = [a for a in self.core if not a["id"].startswith("A06")]
        self.pond += discharged
        self.core_fresh = self.fresh
        self.fresh = []
        self.pil(pit, D(2026, 10, 20))
        icr = self.report("I", D(2026, 11, 6), D(2026, 10, 1), D(2026, 10, 31))
        for name, du, du5, dpu in changes:
            icr.entries.append(Entry(L309="N", L407="C", L411="LN", L412=ymd(shutdown),
                                     L430=MDC_CORE, L446=name, L469="M/C/RXDEPLETE", L470="0")
                               .w(630, du).w(670, du5))
        for name, du, du5, dpu in changes:
            icr.entries.append(Entry(L309="N", L407="C", L411="NP", L412=ymd(shutdown),
                                     L430=MDC_CORE, L446=name, L469="M/C/RXDEPLETE", L470="0")
                               .w(700, dpu))
        pils = [r for r in self.reports if r.type == "P"]
        icrs = [r for r in self.reports if r.type == "I"]
        rep = mbr_report(pils[0], pils[1], effective_changes(icrs), "XARX", "XAR1", self.number,
                         D(2026, 11, 6), RX_ENCODER)
        self.number += 1
        self.reports.append(rep)

    def pil(self, pit, rdate):
        r = self.report("P", rdate, None, pit)
        for a in getattr(self, "core_fresh", []):
            r.entries.append(Entry(L309="N", L407="2", L430=MDC_CORE_FRESH, L446=a["id"],
                                   L469="L", L470="1").w(630, a["u_mg"]).w(670, a["u5_mg"]))
        for where, kmp, mdc in ((self.core, "2", MDC_CORE), (self.pond, "3", MDC_POND)):
            for a in where:
                u, u5, pu = irradiated(a["m0"], a["x0"], a["b"])
                r.entries.append(Entry(L309="N", L407=kmp, L430=mdc, L446=a["id"],
                                       L469="M/%s/RXDEPLETE" % kmp, L470="1")
                                 .w(630, u).w(670, u5).w(700, pu))
        for a in self.fresh:
            r.entries.append(Entry(L309="N", L407="1", L430=MDC_FA, L446=a["id"],
                                   L469="L", L470="1").w(630, a["u_mg"]).w(670, a["u5_mg"]))
        return r


# ---------------------------------------------------------------------------
# Facility descriptions.

def facility(code, name, ftype, mba, mba_name, kmps, methods, points, unmeasured=None):
    meas = {"methods": [], "points": [p.json() for p in points], "calibration_periods": []}
    for m in methods:
        meas["methods"].append({"method": m.name, "material": m.material, "random": m.random,
                                "systematic": m.systematic, "source": m.source})
        for a, b in m.calibrations:
            meas["calibration_periods"].append({"method": m.name, "start": a.isoformat(),
                                                "end": b.isoformat()})
    if not meas["calibration_periods"]:
        del meas["calibration_periods"]
    if unmeasured:
        meas["unmeasured"] = unmeasured
    return {"state": STATE, "facility": code, "name": name, "type": ftype,
            "mbas": [{"mba": mba, "name": mba_name,
                      "kmps": [{"kmp": k, "kind": kind, "description": d} for k, kind, d in kmps]}],
            "measurement": meas}


FACILITIES = {
    "xae1-enrichment.json": lambda: facility(
        "XAE1", "XA enrichment plant (gas centrifuge)", "enrichment", "XAEN",
        "Cascade halls, feed and withdrawal stations, cylinder yards",
        [("A", "flow", "receipt of natural UF6 feed cylinders (48Y)"),
         ("B", "flow", "shipment of product cylinders (30B)"),
         ("C", "flow", "product withdrawal station: natural to enriched"),
         ("D", "flow", "tails withdrawal station: natural to depleted"),
         ("1", "inventory", "feed cylinder store"),
         ("2", "inventory", "product cylinder store"),
         ("3", "inventory", "tails cylinder yard"),
         ("4", "inventory", "process: cascades and the cylinder on the feed station")],
        EP_METHODS, EP_POINTS),
    "xaf1-fuel-fabrication.json": lambda: facility(
        "XAF1", "XA fuel fabrication plant (PWR fuel)", "fuel-fabrication", "XAFF",
        "UF6 store, conversion, pelletising, rod and assembly lines",
        [("A", "flow", "receipt of UF6 cylinders"),
         ("B", "flow", "shipment of fuel assemblies"),
         ("C", "flow", "measured discards (liquid effluent)"),
         ("1", "inventory", "UF6 cylinder store"),
         ("2", "inventory", "conversion, powder and pellets"),
         ("3", "inventory", "fuel assembly store"),
         ("4", "inventory", "scrap and residues")],
        FF_METHODS, FF_POINTS),
    "xar1-power-reactor.json": lambda: facility(
        "XAR1", "XA power reactor unit 1 (PWR, 121 assemblies)", "power-reactor", "XARX",
        "Reactor building and fuel building",
        [("A", "flow", "receipt of fresh fuel"),
         ("C", "flow", "nuclear loss and production (core burnup)"),
         ("1", "inventory", "fresh fuel store"),
         ("2", "inventory", "reactor core"),
         ("3", "inventory", "spent fuel pond")],
        RX_METHODS, RX_POINTS, RX_UNMEASURED),
}


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", newline="") as f:
        f.write(text)


def simulate(seed, err_seed):
    """The State's year: true quantities from seed, measurement errors
    from err_seed (kept apart so that the errors can be redrawn alone)."""
    rng, err_rng = random.Random(seed), random.Random(err_seed)
    ep = EP(rng, err_rng)
    ep.run()
    ff = FF(rng, err_rng, ep.shipments)
    ff.run()
    rx = RX(rng, ff.shipments)
    rx.run()
    return ep, ff, rx


def muf_lines(sims):
    """{(mba, period end, label): MUF mg} from the MBRs."""
    out = {}
    for sim in sims:
        for r in sim.reports:
            if r.type != "M":
                continue
            for e in r.entries:
                if e.labels[411] == "MF":
                    for label, mg in e.weights.items():
                        out[(r.mba, ymd(r.end), label)] = mg
    return out


def sigma_table(n):
    """MUF of the published year beside the mean and standard deviation of
    MUF over n redraws of the measurement errors (true flows unchanged)."""
    published = muf_lines(simulate(SEED, SEED + 1))
    runs = [muf_lines(simulate(SEED, SEED + 1 + k)) for k in range(1, n + 1)]
    print("MBA  PERIOD END QTY         MUF (g)   mean (g)  sigma (g)  MUF/sigma")
    for key in sorted(published):
        xs = [r[key] / 1000.0 for r in runs]
        mean = sum(xs) / n
        sd = (sum((x - mean) ** 2 for x in xs) / (n - 1)) ** 0.5
        muf = published[key] / 1000.0
        ratio = "%9.2f" % (muf / sd) if sd > 0 else "        -"
        print("%s %s  %3d %12.3f %10.3f %10.3f  %s" % (key[0], key[1], key[2], muf, mean, sd, ratio))


def main():
    args = sys.argv[1:]
    if args[:1] == ["--sigma"]:
        sigma_table(int(args[1]) if len(args) > 1 else 200)
        return
    out = args[0] if args else os.path.dirname(os.path.abspath(__file__))
    ep, ff, rx = simulate(SEED, SEED + 1)
    for name, make in FACILITIES.items():
        write(os.path.join(out, "facilities", name), json.dumps(make(), indent=2) + "\n")
    names = {"I": "ICR", "P": "PIL", "M": "MBR"}
    for sim, ext in ((ep, "c10"), (ff, "c10"), (rx, "csv")):
        for r in sim.reports:
            fname = "%04d-%s-%s.%s" % (r.number, names[r.type], ymd(r.end), ext)
            text = code10_text(r) if ext == "c10" else csv_text(r)
            write(os.path.join(out, "reports", r.mba, fname), text)


if __name__ == "__main__":
    main()
