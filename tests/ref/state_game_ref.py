#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Exact reference for acquisition path analysis and the inspection game.

An independent second implementation, in exact rational arithmetic
(fractions.Fraction; every decimal of the model is read exactly), of what
shared/spec/state-level.md says custos computes:

  * holdings from the PIL (Pu element 700, U-235 670 of enriched U);
  * simple paths from stocked nodes to the first end node; feasibility
    (>= 1 SQ at the end after the yields); time = sum of durations +
    need/throughput + conversion time (minimum) of the end form;
    P = 1 - prod(1 - p); P within the timeliness goal; covered; difficulty
    (hardest step); length (sum of weights); ranking by P, time,
    difficulty, length;
  * the inspection game of Canty & Listner: maximal activity sets within
    W, payoffs, and every equilibrium by support enumeration, solved
    exactly (Gauss-Jordan over the rationals).

Usage: state_game_ref.py STATE.json PIL.c10 BUDGET... > reference.json
"""
import itertools
import json
import re
import sys
from fractions import Fraction as F

SQ = {  # IAEA Safeguards Glossary 2001, Tables II and III (data/sq-timeliness.csv)
    "pu_metal": (8, 7, 30), "heu_metal": (25, 7, 30), "u233_metal": (8, 7, 30),
    "pu_compound_or_mox": (8, 7, 30), "heu_compound": (25, 7, 30),
    "pu_heu_in_scrap": (8, 7, 30), "pu_heu_in_irradiated_fuel": (8, 30, 90),
    "leu": (75, 90, 365), "natural_u": (10000, 90, 365), "depleted_u": (20000, 90, 365),
    "thorium": (20000, 90, 365),
}


def exact(x):
    """A JSON number as an exact fraction (via its shortest decimal)."""
    return F(repr(x)) if isinstance(x, float) else F(x)


def holdings(pil_text):
    """kg per (MBA, kind) from a Code 10 PIL: 700 Pu, 670 U-235 (LEU/HEU)."""
    out = {}
    for line in pil_text.splitlines():
        labels = dict(re.findall(r"(\d{3}):([^#]*)#", line))
        if not labels:
            continue
        mba = labels["307"]

        def grams(lbl):
            return F(labels[lbl][:-1]) if lbl in labels else F(0)
        pu = grams("700")
        u5, u = grams("670"), grams("630")
        out[(mba, "pu")] = out.get((mba, "pu"), 0) + pu / 1000
        kind = "heu" if u and u5 >= u / 5 else "leu"
        out[(mba, kind)] = out.get((mba, kind), 0) + u5 / 1000
    return out


def paths_of(model, stock):
    nodes = {n["id"]: n for n in model["nodes"]}
    edges = model["edges"]
    found = []

    def walk(start, node, seen, steps):
        for e in edges:
            if e["from"] != node or e["to"] in seen:
                continue
            if nodes[e["to"]].get("end"):
                found.append((start, steps + [e]))
            else:
                walk(start, e["to"], seen | {e["to"]}, steps + [e])

    for n in model["nodes"]:
        if stock[n["id"]] > 0 and not n.get("end"):
            walk(n["id"], n["id"], {n["id"]}, [])
    out = []
    for start, steps in found:
        end = steps[-1]["to"]
        sq_start, _, goal = SQ[nodes[start]["material"]]
        sq_end, conv_end, _ = SQ[nodes[end]["material"]]
        y = F(1)
        for e in steps:
            y *= exact(e.get("yield", 1))
        time, after, nd, nd_timely = F(conv_end), F(1), F(1), F(1)
        for e in reversed(steps):
            after *= exact(e.get("yield", 1))
            time += exact(e["duration_days"])
            if e.get("throughput_kg_per_day"):
                time += sq_end / after / exact(e["throughput_kg_per_day"])
            for m in e.get("measures", []):
                nd *= 1 - exact(m["p"])
                if m.get("days", 0) <= goal:
                    nd_timely *= 1 - exact(m["p"])
        end_sq = stock[start] * y / sq_end
        out.append({
            "steps": [e["id"] for e in steps], "start": start, "end": end,
            "start_sq": stock[start] / sq_start, "end_sq": end_sq, "feasible": end_sq >= 1,
            "time_days": time, "p_detect": 1 - nd, "p_timely": 1 - nd_timely,
            "timeliness_days": goal,
            "covered": 1 - nd_timely >= exact(model.get("detection_goal", 0.9)),
            "difficulty": max(e.get("difficulty", 1) for e in steps),
            "length": sum(exact(e["weight"]) for e in steps),
        })
    out.sort(key=lambda p: (not p["feasible"], p["p_detect"], p["time_days"], p["difficulty"],
                            p["length"], p["steps"]))
    for i, p in enumerate(out):
        p["rank"] = i + 1
    return out


def maximal_sets(costs, budget):
    n = len(costs)
    sets = []
    for mask in range(1 << n):
        s = sum(costs[i] for i in range(n) if mask >> i & 1)
        if s > budget:
            continue
        if all(mask >> i & 1 or s + costs[i] > budget for i in range(n)):
            sets.append(mask)
    return sets


def solve(M, b):
    """Gauss-Jordan over the rationals; None when singular."""
    n = len(M)
    A = [row[:] + [b[i]] for i, row in enumerate(M)]
    for c in range(n):
        p = next((r for r in range(c, n) if A[r][c] != 0), None)
        if p is None:
            return None
        A[c], A[p] = A[p], A[c]
        for r in range(n):
            if r != c and A[r][c] != 0:
                f = A[r][c] / A[c][c]
                A[r] = [a - f * q for a, q in zip(A[r], A[c])]
    return [A[i][n] / A[i][i] for i in range(n)]


def equilibria(A, B, strict=True):
    """Equilibria with supports of equal size (strict: every support entry
    positive).  strict=False admits zeros, which finds the Shapley-Snow
    kernels of a zero-sum game even when it is degenerate."""
    m, n = len(A), len(A[0])
    out = []
    for k in range(1, min(m, n) + 1):
        for I in itertools.combinations(range(m), k):
            for J in itertools.combinations(range(n), k):
                # y on J makes rows I indifferent under A; x on I makes columns J indifferent under B.
                My = [[A[i][j] for j in J] + [F(-1)] for i in I] + [[F(1)] * k + [F(0)]]
                ys = solve(My, [F(0)] * k + [F(1)])
                if ys is None or min(ys[:k]) < 0 or (strict and min(ys[:k]) == 0):
                    continue
                Mx = [[B[i][j] for i in I] + [F(-1)] for j in J] + [[F(1)] * k + [F(0)]]
                xs = solve(Mx, [F(0)] * k + [F(1)])
                if xs is None or min(xs[:k]) < 0 or (strict and min(xs[:k]) == 0):
                    continue
                u, v = ys[k], xs[k]
                y = [F(0)] * n
                x = [F(0)] * m
                for t, j in enumerate(J):
                    y[j] = ys[t]
                for t, i in enumerate(I):
                    x[i] = xs[t]
                if any(sum(A[i][j] * y[j] for j in range(n)) > u for i in range(m)):
                    continue
                if any(sum(x[i] * B[i][j] for i in range(m)) > v for j in range(n)):
                    continue
                out.append({"x": x, "y": y, "h1": u, "h2": v})
    return out


def game(model, paths, budget, a=10, b=1, c=100, e=1, f=1):
    edges = {ed["id"]: ed for ed in model["edges"]}
    feas = [p for p in paths if p["feasible"]]
    acts = [ed["id"] for ed in model["edges"] if any(ed["id"] in p["steps"] for p in feas)]
    costs = [exact(edges[x]["cost"]) for x in acts]
    beta = [exact(edges[x]["beta"]) for x in acts]
    alpha = [exact(edges[x]["alpha"]) for x in acts]
    sets = maximal_sets(costs, exact(budget))
    L1 = min(p["length"] for p in feas)
    d = [9 * L1 / p["length"] for p in feas]
    on = [{acts.index(s) for s in p["steps"]} for p in feas]
    A, B = [], []
    for K in sets:
        inK = [l for l in range(len(acts)) if K >> l & 1]
        ok = F(1)
        for l in inK:
            ok *= 1 - alpha[l]
        rowA, rowB = [-e * (1 - ok)], [-f * (1 - ok)]
        for j in range(len(feas)):
            bt, ok2 = F(1), F(1)
            for l in inK:
                if l in on[j]:
                    bt *= beta[l]
                else:
                    ok2 *= 1 - alpha[l]
            al = 1 - ok2
            rowA.append(-c * bt - a * (1 - bt) - e * al)
            rowB.append(d[j] * bt - b * (1 - bt) - f * al)
        A.append(rowA)
        B.append(rowB)
    eqs = equilibria(A, B)
    # Degenerate (von Stengel): some mixed strategy has more pure best
    # responses than its support; checked here for pure strategies and at
    # each equilibrium found.
    def ties(M):
        return any(sum(1 for i in range(len(M)) if M[i][j] == max(r[j] for r in M)) > 1
                   for j in range(len(M[0])))
    degenerate = ties(A) or ties([list(r) for r in zip(*B)])
    for q in eqs:
        bx = sum(1 for i in range(len(A)) if sum(A[i][j] * q["y"][j] for j in range(len(B[0]))) == q["h1"])
        by = sum(1 for j in range(len(B[0])) if sum(q["x"][i] * B[i][j] for i in range(len(A))) == q["h2"])
        degenerate |= bx > sum(1 for t in q["y"] if t) or by > sum(1 for t in q["x"] if t)
    # Zero-sum view: detection probability 1 - beta(K, P_j), paths only.
    D = []
    for K in sets:
        row = []
        for j in range(len(feas)):
            bt = F(1)
            for l in range(len(acts)):
                if K >> l & 1 and l in on[j]:
                    bt *= beta[l]
            row.append(1 - bt)
        D.append(row)
    # Shifted by 1 so the value is not 0 (Shapley-Snow needs a regular kernel).
    zs = equilibria([[x + 1 for x in r] for r in D], [[-x - 1 for x in r] for r in D], strict=False)
    return {
        "degenerate": degenerate,
        "zero_sum_value": zs[0]["h1"] - 1 if zs else None,
        "budget": budget, "activities": acts,
        "sets": [sorted(acts[l] for l in range(len(acts)) if K >> l & 1) for K in sets],
        "paths": [{"steps": p["steps"], "length": p["length"], "d": dj} for p, dj in zip(feas, d)],
        "equilibria": [{"inspectorate": q["x"], "state": q["y"], "h1": q["h1"], "h2": q["h2"],
                        "effectiveness": (c + q["h1"]) / c} for q in eqs],
    }


def to_json(x):
    if isinstance(x, F):
        return {"value": float(x), "exact": str(x)}
    if isinstance(x, dict):
        return {k: to_json(v) for k, v in x.items()}
    if isinstance(x, list):
        return [to_json(v) for v in x]
    return x


def main():
    model = json.load(open(sys.argv[1]))
    stock_mba = holdings(open(sys.argv[2]).read())
    stock = {}
    for n in model["nodes"]:
        kg = exact(n.get("assumed_kg", 0))
        for s in n.get("stock", []):
            kg += stock_mba.get((s["mba"], s["material"]), 0)
        stock[n["id"]] = kg
    paths = paths_of(model, stock)
    games = [game(model, paths, exact(w)) for w in sys.argv[3:]]
    json.dump(to_json({"paths": paths, "games": games}), sys.stdout, indent=1)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
