#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""chart_check.py: checks the sample charts of chart_samples.c from outside.

A second reading of custos's SVG, independent of the C code that drew it:
each chart must parse as XML (Python's expat), carry an accessible
<title>/<desc>, and put every data point where its axes say.  The axis
map is rebuilt from the tick labels alone (numbers, percentages, dates
read back with datetime) by a least-squares line through (value, pixel);
the ticks must lie on that line, and every point, alarm, threshold line
and bar must land on it within the 0.01 px the SVG rounds to.

usage: chart_check.py DIR   (the directory chart_samples wrote)
"""
import datetime
import json
import os
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"
TOL = 0.011  # output rounds to 0.01 px, plus float noise
EPOCH = datetime.date(1970, 1, 1).toordinal()


def day_number(text):
    """A tick label or YYYYMMDD number as days since 1970-01-01."""
    s = str(text)
    if re.fullmatch(r"\d{8}", s.split(".")[0]):
        s = s.split(".")[0]
        d = datetime.date(int(s[:4]), int(s[4:6]), int(s[6:8]))
    else:
        parts = [int(p) for p in s.split("-")] + [1, 1]
        d = datetime.date(parts[0], parts[1], parts[2])
    return d.toordinal() - EPOCH


def tick_value(label, kind):
    if kind == "date":
        return day_number(label)
    if label.endswith("%"):
        return float(label[:-1]) / 100
    return float(label)


def fit(pairs):
    """Least-squares pixel = a + b * value; every tick within TOL of it."""
    n = len(pairs)
    if n < 2:
        raise AssertionError("fewer than two ticks on an axis")
    mx = sum(v for v, _ in pairs) / n
    my = sum(p for _, p in pairs) / n
    sxx = sum((v - mx) ** 2 for v, _ in pairs)
    b = sum((v - mx) * (p - my) for v, p in pairs) / sxx
    a = my - b * mx
    for v, p in pairs:
        if abs(a + b * v - p) > TOL:
            raise AssertionError("tick %r at %g is off the axis line by %g" % (v, p, a + b * v - p))
    return lambda v: a + b * v


def near(got, want, what):
    if abs(got - want) > TOL:
        raise AssertionError("%s: drawn at %.4f, axes say %.4f" % (what, got, want))


def axes(root, xkind):
    g = [e for e in root.iter(NS + "g") if e.get("class") == "axes"][0]
    xs, ys = [], []
    for t in g.iter(NS + "text"):
        x, y, anchor = float(t.get("x")), float(t.get("y")), t.get("text-anchor")
        if anchor == "end" and t.get("transform") is None:
            ys.append((tick_value(t.text, "number"), y - 4))
        elif anchor == "middle":
            xs.append((t.text, x))
    fy = fit(ys)
    fx = fit([(tick_value(lbl, xkind), x) for lbl, x in xs]) if xkind else None
    return fx, fy, xs


def check_xy(root, data):
    xkind = data["xaxis"]
    fx, fy, _ = axes(root, xkind)
    conv = day_number if xkind == "date" else float
    circles = [(float(c.get("cx")), float(c.get("cy")))
               for g in root.iter(NS + "g") if g.get("class") == "series"
               for c in g.iter(NS + "circle")]
    pts = [(conv(x), y) for x, y in zip(data["x"], data["y"]) if y is not None]
    if circles:
        if len(circles) != len(pts):
            raise AssertionError("%d points drawn, %d in the data" % (len(circles), len(pts)))
        for (cx, cy), (x, y) in zip(circles, pts):
            near(cx, fx(x), "point x=%r" % x)
            near(cy, fy(y), "point y=%r" % y)
    else:  # a line only: its vertices
        path = [g for g in root.iter(NS + "g") if g.get("class") == "series"][0].find(NS + "path")
        nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", path.get("d"))]
        verts = list(zip(nums[0::2], nums[1::2]))
        if len(verts) != len(pts):
            raise AssertionError("%d vertices, %d points" % (len(verts), len(pts)))
        for (vx, vy), (x, y) in zip(verts, pts):
            near(vx, fx(x), "vertex x=%r" % x)
            near(vy, fy(y), "vertex y=%r" % y)
    alarms = [p for p in root.iter(NS + "path") if p.get("class") == "alarm"]
    if len(alarms) != len(data.get("markers", [])):
        raise AssertionError("%d alarms drawn, %d expected" % (len(alarms), len(data["markers"])))
    for p, (x, y) in zip(alarms, data.get("markers", [])):
        m = re.match(r"M(-?[\d.]+) (-?[\d.]+)", p.get("d"))
        near(float(m.group(1)), fx(conv(x)), "alarm x")
        near(float(m.group(2)) + 7, fy(y), "alarm y")  # apex 7 px above the point
    for ln in root.iter(NS + "line"):
        if "hline" in data and ln.get("y1") == ln.get("y2"):
            near(float(ln.get("y1")), fy(data["hline"]), "horizontal line")
        if "vline" in data and ln.get("x1") == ln.get("x2"):
            near(float(ln.get("x1")), fx(conv(data["vline"])), "vertical line")


def check_bar(root, data):
    _, fy, cats = axes(root, None)
    labels = [lbl for lbl, _ in cats]
    if labels != data["categories"]:
        raise AssertionError("categories %r, expected %r" % (labels, data["categories"]))
    g = [e for e in root.iter(NS + "g") if e.get("class") == "bars"][0]
    rects = g.findall(NS + "rect")
    whiskers = g.findall(NS + "path")
    zero = fy(0)
    for i, (r, v) in enumerate(zip(rects, data["y"])):
        y, h = float(r.get("y")), float(r.get("height"))
        top, bottom = (fy(v), zero) if v >= 0 else (zero, fy(v))
        near(y, top, "bar %d top" % i)
        near(y + h, bottom, "bar %d bottom" % i)
        # one series of bars: each centred under its category label
        near(float(r.get("x")) + float(r.get("width")) / 2, cats[i][1], "bar %d centre" % i)
    ends = []
    for w in whiskers:
        nums = [float(v) for v in re.findall(r"-?\d+(?:\.\d+)?", w.get("d"))]
        ends.append((nums[1], nums[2]))
    want = [(fy(v - e), fy(v + e)) for v, e in zip(data["y"], data["err"]) if e > 0]
    if len(ends) != len(want):
        raise AssertionError("%d whiskers, %d expected" % (len(ends), len(want)))
    for (a, b), (wa, wb) in zip(ends, want):
        near(a, wa, "whisker low")
        near(b, wb, "whisker high")


def main():
    d = sys.argv[1]
    names = sorted(f[:-4] for f in os.listdir(d) if f.endswith(".svg"))
    if not names:
        raise SystemExit("chart_check: no charts in %s" % d)
    for name in names:
        root = ET.parse(os.path.join(d, name + ".svg")).getroot()
        with open(os.path.join(d, name + ".json")) as f:
            data = json.load(f)
        if root.tag != NS + "svg" or root.get("role") != "img":
            raise AssertionError("%s: not an accessible <svg role=img>" % name)
        title, desc = root.find(NS + "title"), root.find(NS + "desc")
        if title is None or not title.text or desc is None or not desc.text:
            raise AssertionError("%s: no <title> or <desc>" % name)
        if "title" in data and title.text != data["title"]:
            raise AssertionError("%s: title %r, drawn from %r" % (name, title.text, data["title"]))
        ids = root.get("aria-labelledby").split()
        if ids != [title.get("id"), desc.get("id")]:
            raise AssertionError("%s: aria-labelledby does not name title and desc" % name)
        (check_bar if data["kind"] == "bar" else check_xy)(root, data)
        print("chart_check: %s: ok (%s)" % (name, title.text))


if __name__ == "__main__":
    main()
