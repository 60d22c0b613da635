#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The HTML report renders: self-contained, and drawn by headless Chromium.

Writes the report of a ledger (argument DB, State S) with `custos evaluate
--format html --out`, checks it is one self-contained file (no script, no
stylesheet or image fetched, no remote URL: the only "http" is the SVG
namespace), that every inline SVG is well-formed XML, then opens it in
Debian's chromium, headless, and saves a screenshot.  The PNG is decoded
here (zlib and the five PNG filters, no imaging library) and must show a
page: enough ink, and the red of an "indication" badge when the
evaluation has one.  The screenshot stays in WORKDIR for a person to look
at.

Usage: check_html.py CUSTOS_BIN DB STATE WORKDIR [--expect-indication] [--min-svg=N]
Exit 77 (skipped) when chromium is not installed.
"""
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
import zlib

BIN, DB, STATE, WORK = sys.argv[1:5]
EXPECT_INDICATION = "--expect-indication" in sys.argv
CHROMIUM = "/usr/bin/chromium"
failures = []


def check(what, cond, detail=""):
    if not cond:
        failures.append(f"{what} {detail}".strip())


def read_png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            width, height, depth, ctype, _, _, interlace = struct.unpack(">IIBBBBB", body)
            assert depth == 8 and ctype in (2, 6) and interlace == 0, (depth, ctype, interlace)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw = zlib.decompress(idat)
    stride = width * bpp
    rows, prev = [], bytearray(stride)
    for y in range(height):
        f = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if f == 1:
                line[i] = (line[i] + a) & 255
            elif f == 2:
                line[i] = (line[i] + b) & 255
            elif f == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return width, height, bpp, rows


os.makedirs(WORK, exist_ok=True)
html_path = os.path.join(WORK, "report.html")
subprocess.run([BIN, "evaluate", DB, "--state", STATE, "--format", "html", "--out", html_path,
                "--compartment", "*"], check=True)
html = open(html_path, encoding="utf-8").read()
check("no script", "<script" not in html.lower())
check("no external resources", not re.search(r"<(link|img|iframe|object|embed)\b", html, re.I))
check("no src or href to a resource", not re.search(r"\b(src|href)\s*=", html, re.I))
urls = set(re.findall(r"https?://[^\s\"'<>]+", html))
check("no remote URL", urls <= {"http://www.w3.org/2000/svg"}, urls)
svgs = re.findall(r"<svg\b.*?</svg>", html, re.S)
MIN_SVG = int(next((a.split("=")[1] for a in sys.argv if a.startswith("--min-svg=")), "1"))
check("charts and the path graph are inline SVG", len(svgs) >= MIN_SVG, len(svgs))
for k, svg in enumerate(svgs):
    try:
        ET.fromstring(svg)
    except ET.ParseError as e:
        failures.append(f"SVG {k} is not well-formed XML: {e}")
for section in ("Conclusions", "Acquisition paths", "Material balances per MBA", "Evidence",
                "Counterfactual audit", "State-specific factors"):
    check(f"section '{section}'", section in html)

if not os.path.exists(CHROMIUM):
    print("chromium not installed: rendering not checked")
    sys.exit(77 if not failures else 1)
png = os.path.join(WORK, "report.png")
profile = tempfile.mkdtemp(prefix="custos-chromium-")
try:
    p = subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
                        "--disable-background-networking", "--disable-component-update",
                        "--disable-sync", "--no-first-run", f"--user-data-dir={profile}",
                        f"--screenshot={png}", "--window-size=1280,2400",
                        "file://" + os.path.abspath(html_path)],
                       capture_output=True, text=True, timeout=120)
finally:
    shutil.rmtree(profile, ignore_errors=True)
check("chromium ran", p.returncode == 0 and os.path.exists(png), p.stderr[-500:])
if os.path.exists(png):
    w, h, bpp, rows = read_png(png)
    check("screenshot size", (w, h) == (1280, 2400), (w, h))
    ink = red = 0
    for row in rows[::4]:
        for x in range(0, w * bpp, 4 * bpp):
            r, g, b = row[x], row[x + 1], row[x + 2]
            if r + g + b < 600:
                ink += 1
            if r > 200 and g < 120 and b < 120:
                red += 1
    sampled = (h // 4) * (w // 4)
    check("the page is drawn (ink on at least 3 % of it)", ink > 0.03 * sampled, ink / sampled)
    check("an indication shows in red" if EXPECT_INDICATION else "no red drawn without indication",
          (red > 50) if EXPECT_INDICATION else True, red)
if failures:
    print("\n".join(failures))
    sys.exit(1)
print(f"ok: {len(svgs)} inline SVGs, rendered by chromium; screenshot {png}")
