#!/usr/bin/env python3
"""Draws one run of a `dlc bench --profile --profile-trace=T.json` trace as an SVG: the run's
kernels on a time line (width = time; fp32, bf16 and int8 kernels in three colours), and below it
the longest kernels of that run with their time and achieved G(FL)OP/s.

    scripts/profile-svg.py T.json -o profile.svg [--run K] [--rows 12]

The run drawn is the median one by default (the trace holds every timed run). Needs only the
standard library."""
import argparse
import json
import statistics
import sys
from xml.sax.saxutils import escape

COLOURS = {"fp32": ("#4c78a8", "#9ecae9"), "bf16": ("#f58518", "#ffbf79"),
           "int8": ("#54a24b", "#88d27a")}
WIDTH, LEFT, STRIP_TOP, STRIP_HEIGHT, ROW = 960, 20, 50, 40, 22


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trace")
    parser.add_argument("-o", "--output", required=True)
    parser.add_argument("--run", type=int, help="the run to draw (default: the median one)")
    parser.add_argument("--rows", type=int, default=12, help="longest kernels listed")
    args = parser.parse_args()
    with open(args.trace) as f:
        document = json.load(f)
    events = document["traceEvents"]
    runs = [e for e in events if e.get("cat") == "run"]
    if not runs:
        sys.exit(f"profile-svg: {args.trace} has no runs (not a dlc bench --profile trace)")
    if args.run is None:
        median = statistics.median_low(r["dur"] for r in runs)
        run = next(r for r in runs if r["dur"] == median)
    elif 0 <= args.run < len(runs):
        run = runs[args.run]
    else:
        sys.exit(f"profile-svg: --run {args.run}: the trace has runs 0 to {len(runs) - 1}")
    begin, end = run["ts"], run["ts"] + run["dur"]
    kernels = [e for e in events
               if e.get("cat") != "run" and e["ts"] >= begin and e["ts"] + e["dur"] <= end]
    scale = (WIDTH - 2 * LEFT) / run["dur"]
    longest = sorted(kernels, key=lambda e: -e["dur"])[:args.rows]
    height = STRIP_TOP + STRIP_HEIGHT + 50 + ROW * len(longest) + 20
    model = document.get("otherData", {}).get("model", "")
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{height}" '
           f'font-family="sans-serif" font-size="12">',
           f'<rect width="{WIDTH}" height="{height}" fill="white"/>',
           f'<text x="{LEFT}" y="20" font-size="14">{escape(model)}: {run["name"]}, '
           f'{run["dur"] / 1000:.3f} ms, {len(kernels)} kernel calls</text>']
    for i, kernel in enumerate(kernels):
        x = LEFT + (kernel["ts"] - begin) * scale
        colour = COLOURS.get(kernel.get("cat"), COLOURS["fp32"])[i % 2]
        width = max(kernel["dur"] * scale, 0.5)
        svg.append(f'<rect x="{x:.2f}" y="{STRIP_TOP}" width="{width:.2f}"'
                   f' height="{STRIP_HEIGHT}" fill="{colour}"><title>{escape(kernel["name"])}: '
                   f'{kernel["dur"]:.1f} us</title></rect>')
    # Ticks every 1, 2 or 5 times a power of ten milliseconds: at most 10 of them.
    step = next(m * 10.0 ** e for e in range(-3, 6) for m in (1, 2, 5)
                if run["dur"] / 1000 / (m * 10.0 ** e) <= 10)
    tick = 0.0
    while tick * 1000 <= run["dur"]:
        x = LEFT + tick * 1000 * scale
        svg.append(f'<line x1="{x:.1f}" y1="{STRIP_TOP + STRIP_HEIGHT}" x2="{x:.1f}" '
                   f'y2="{STRIP_TOP + STRIP_HEIGHT + 5}" stroke="black"/>')
        svg.append(f'<text x="{x:.1f}" y="{STRIP_TOP + STRIP_HEIGHT + 18}" '
                   f'text-anchor="middle">{tick:.2f} ms</text>')
        tick += step
    top = STRIP_TOP + STRIP_HEIGHT + 40
    svg.append(f'<text x="{LEFT}" y="{top}">the {len(longest)} longest kernel calls of this run'
               f'</text>')
    widest = longest[0]["dur"] if longest else 1
    for i, kernel in enumerate(longest):
        y = top + 8 + i * ROW
        rate = kernel.get("args", {}).get("GFLOP/s")
        label = f'{kernel["dur"]:.1f} us' + (f", {rate:.0f} GFLOP/s" if rate else "")
        width = (WIDTH / 2 - LEFT) * kernel["dur"] / widest
        svg.append(f'<rect x="{LEFT}" y="{y}" width="{width:.1f}" height="{ROW - 6}" '
                   f'fill="{COLOURS.get(kernel.get("cat"), COLOURS["fp32"])[0]}"/>')
        svg.append(f'<text x="{LEFT + WIDTH / 2}" y="{y + ROW - 10}">{escape(label)}  '
                   f'{escape(kernel["name"])}</text>')
    svg.append("</svg>")
    with open(args.output, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
