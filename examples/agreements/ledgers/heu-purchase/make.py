#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes reports.c10: a simulated ledger of one down-blending MBA under
the HEU Purchase Agreement ("Megatons to Megawatts"), 1995-2013.

Public figures (shared/data/agreements-facts.md): 500 t of HEU, blended
with 1.5 % blendstock to LEU of about 4.4 %; first LEU delivery 31 May
1995, last in December 2013; at least 30 t of HEU a year from 2002.
Simulated: the MBA (RU/RUBL is fictional), the yearly split of the 500 t
below, the HEU assay taken as exactly 90 %, the dates inside each year,
and the blendstock carried as a stock opened at the end of 1994.

Blending arithmetic per year (custos blend does the same):
  blendstock = HEU (0.90 - 0.044) / (0.044 - 0.015) = 29.517 HEU
  product    = HEU + blendstock,  U-235 out = U-235 in.
Run from this folder: python3 make.py > reports.c10
"""
import sys

HEU_T = {1995: 6, 1996: 12, 1997: 12, 1998: 20}
HEU_T.update({y: 30 for y in range(1999, 2014)})  # 50 + 15 x 30 = 500 t
assert sum(HEU_T.values()) == 500
XH, XB, XP = 0.90, 0.015, 0.044
RATIO = (XH - XP) / (XP - XB)

def mg(x):  # grams -> exact milligrams
    return int(round(x * 1000))

def g(m):   # milligrams -> Code 10 grams
    return f"{m // 1000}.{m % 1000:03d}G"

out = []
def note(n, date, text):
    out.append(f"001:NC/RU;{n}#002:1/1#003:{date}#099:R#207:RUBF#307:RUBL#391:{text}#")

def hdr(n, k, tot, date, typ, period):
    num = f"{k}/{tot}" if k == 1 else f"{k}"
    return (f"001:OI/RU;{n}#002:{num}#003:{date}#006:SIMULATED,C#010:{typ}#015:{period}#"
            f"207:RUBF#307:RUBL#")

bs_total = sum(mg(t * 1e6 * RATIO) for t in HEU_T.values())
bs_stock, bs_235 = bs_total, mg(bs_total / 1000 * XB)
num = 1
out.append(hdr(num, 1, 1, "19941231", "P", "19941231") +
           f"309:N#407:1#430:O/G/U/C#446:BS#469:M#470:0#630:{g(bs_stock)}#670:{g(bs_235)}#")
note(num, "19941231", "SIMULATED LEDGER. BLENDSTOCK 1.5 PERCENT CARRIED AS ONE STOCK "
     "OPENED AT THE END OF 1994. SEE THE README OF THE AGREEMENT EXAMPLES")
for year, t in HEU_T.items():
    num += 1
    heu = mg(t * 1e6)
    heu5 = mg(t * 1e6 * XH)
    bs = mg(t * 1e6 * RATIO)
    # U-235 of the blendstock drawn: its share of the stock's U-235.
    bs5 = bs_235 * bs // bs_stock
    prod, prod5 = heu + bs, heu5 + bs5
    y = str(year)
    rn, blend, ship = (y + "0215", y + "0430", y + "0531") if year == 1995 else \
        (y + "0215", y + "0630", y + ("1210" if year == 2013 else "0930"))
    period = f"{y}0101/{y}1231"
    e = [
        f"309:N#407:A#411:RN#412:{rn}#430:O/G/U/C#446:HEU{y}#469:M#470:0#630:{g(heu)}#670:{g(heu5)}#",
        f"309:N#407:1#411:RM#412:{blend}#430:O/G/U/C#446:HEU{y}#469:M#470:0#630:{g(heu)}#670:{g(heu5)}#",
        f"309:N#407:1#411:RM#412:{blend}#430:O/G/U/C#446:BS#469:M#470:0#630:{g(bs)}#670:{g(bs5)}#",
        f"309:N#407:1#411:RP#412:{blend}#430:O/G/U/C#446:LEU{y}#469:M#470:0#630:{g(prod)}#670:{g(prod5)}#",
        f"309:N#372:US#407:B#411:SF#412:{ship}#430:O/G/U/C#446:LEU{y}#469:M#470:0#630:{g(prod)}#670:{g(prod5)}#",
    ]
    for k, body in enumerate(e, 1):
        out.append(hdr(num, k, len(e), y + "1231", "I", period) + body)
    pb, pb5 = bs_stock, bs_235
    bs_stock -= bs
    bs_235 -= bs5
    num += 1
    if bs_stock:
        out.append(hdr(num, 1, 1, y + "1231", "P", y + "1231") +
                   f"309:N#407:1#430:O/G/U/C#446:BS#469:M#470:0#630:{g(bs_stock)}#670:{g(bs_235)}#")
    else:
        out.append(hdr(num, 1, 1, y + "1231", "P", y + "1231") + "309:U#")
    # The operator's MBR for the year: PB + RN - SF = BA = PE, MUF 0.
    num += 1
    lines = [("PB", pb, pb5), ("RN", heu, heu5), ("SF", prod, prod5),
             ("BA", bs_stock, bs_235), ("PE", bs_stock, bs_235), ("MF", 0, 0)]
    for k, (code, m, m5) in enumerate(lines, 1):
        out.append(hdr(num, k, len(lines), y + "1231", "M", period) +
                   f"309:N#411:{code}#630:{g(m)}#670:{g(m5)}#")
sys.stdout.write("\n".join(out) + "\n")
