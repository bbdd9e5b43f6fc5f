#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Check a screenshot: size, not blank, and that given colours appear.

png_check.py FILE WIDTH HEIGHT MIN_INK_FRACTION [RRGGBB:MIN_PIXELS]...

Decodes the PNG with zlib from the standard library (8-bit RGB or RGBA,
non-interlaced, as Chromium writes them). "Ink" is every pixel that differs
from the most common colour (the background).
"""
import struct
import sys
import zlib
from collections import Counter


def decode(path):
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise SystemExit(f"{path}: not a PNG")
    pos, idat, hdr = 8, b"", None
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            hdr = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    w, h, depth, ctype, _, _, interlace = hdr
    if depth != 8 or ctype not in (2, 6) or interlace:
        raise SystemExit(f"{path}: unsupported PNG (depth {depth}, type {ctype})")
    bpp = 3 if ctype == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev, i = [], bytearray(stride), 0
    for _ in range(h):
        f = raw[i]
        line = bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if f == 1:
                line[x] = (line[x] + a) & 0xFF
            elif f == 2:
                line[x] = (line[x] + b) & 0xFF
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 0xFF
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                pred = a if pa <= pb and pa <= pc else b if pb <= pc else c
                line[x] = (line[x] + pred) & 0xFF
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def main():
    path, want_w, want_h, min_ink = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
    w, h, bpp, rows = decode(path)
    if (w, h) != (want_w, want_h):
        raise SystemExit(f"FAIL: {path} is {w}x{h}, expected {want_w}x{want_h}")
    counts = Counter()
    for r in rows:
        for x in range(0, len(r), bpp):
            counts[r[x:x + 3]] += 1
    bg, bg_n = counts.most_common(1)[0]
    ink = 1 - bg_n / (w * h)
    print(f"{path}: {w}x{h}, background #{bg.hex()}, ink {ink:.1%}, {len(counts)} colours")
    if ink < min_ink:
        raise SystemExit(f"FAIL: only {ink:.1%} of the pixels differ from the background")
    for spec in sys.argv[5:]:
        rgb, n = spec.split(":")
        got = counts[bytes.fromhex(rgb)]
        print(f"  #{rgb}: {got} pixels")
        if got < int(n):
            raise SystemExit(f"FAIL: colour #{rgb} on {got} pixels, expected at least {n}")


main()
