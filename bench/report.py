#!/usr/bin/env python3
"""Tables from the benchmark records (target/bench/results.json, written by bench/run).

  report.py RESULTS.json [--markdown report.md]

Compares like with like: Fluxo in process against the in-process peers, Fluxo's server against
the HTTP peers through the same driver and the same API path (StartSyncExecution or
StartExecution + polling), and W1 under wrk. A record whose output was wrong is shown as such,
never timed. Prints aligned text and writes the same tables as Markdown for BENCHMARKS.md.
"""

import argparse
import json
import os
import platform
import subprocess

WORKLOADS = ["W1", "W2", "W3", "W4"]
FLUXO_SERVER = "fluxo server"  # Fluxo's server through bench/peers/http_engine.py


def machine():
    cpu = "unknown CPU"
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(l.split(":", 1)[1].strip() for l in f if l.startswith("model name"))
    except (OSError, StopIteration):
        pass
    date = subprocess.run(["date", "-u"], capture_output=True, text=True).stdout.strip()
    return f"{date}; {platform.machine()}, {os.cpu_count()} cores ({cpu})"


def path_of(r):
    """Which API path an HTTP record used (the driver puts it first in the note)."""
    return "STANDARD" if r["note"].startswith("STANDARD") else "EXPRESS"


def cell(r):
    if r is None:
        return "—"
    if not r["checked"]:
        return "wrong output" if "wrong output" in r["note"] else "failed"
    if r["executions"] == 1:  # W2, W3: one long execution, its time says more than a rate
        return f"{r['seconds']:.3f} s"
    return f"{r['per_second']:,.0f}/s"


def ratio(a, b):
    if not (a and b and a["checked"] and b["checked"] and b["per_second"] > 0):
        return "—"
    return f"{a['per_second'] / b['per_second']:.1f} ×"


def compare_table(title, base, base_name, peers, records):
    """Per workload: the base engine, then each peer with base/peer."""
    header = ["workload", base_name]
    for p in peers:
        header += [p, f"{base_name} / {p}"]
    rows = []
    for w in WORKLOADS:
        b = records.get((base, w))
        row = [w, cell(b)]
        for p in peers:
            r = records.get((p, w))
            row += [cell(r), ratio(b, r)]
        rows.append(row)
    return title, header, rows


def tables(records):
    out = []
    inproc = {(r["engine"], r["workload"]): r for r in records if r["mode"] == "in-process"}
    peers = sorted({e for e, _ in inproc} - {"fluxo"})
    if inproc:
        out.append(compare_table("In process (executions/s; one-execution workloads: seconds)",
                                 "fluxo", "Fluxo", peers, inproc))
    for path, how in (("EXPRESS", "StartSyncExecution"),
                      ("STANDARD", "StartExecution + DescribeExecution polling")):
        http = {(r["engine"], r["workload"]): r for r in records
                if r["mode"] == "http" and path_of(r) == path}
        if not http:
            continue
        peers = sorted({e for e, _ in http} - {FLUXO_SERVER})
        threads = next(iter(http.values()))["note"].split(", ")[-1].split(";")[0]
        out.append(compare_table(f"Over HTTP, {path} by {how}, same Python driver ({threads})",
                                 FLUXO_SERVER, "Fluxo server", peers, http))
    wrk = [r for r in records if r["mode"] in ("http-wrk", "floor")]
    if wrk:
        base = next((r for r in wrk if r["engine"] == FLUXO_SERVER and r["mode"] == "http-wrk"), None)
        rows = []
        order = {"floor": 1, "http-wrk": 0}
        for r in sorted(wrk, key=lambda r: (r["engine"] != "fluxo", r["engine"] != FLUXO_SERVER,
                                            order[r["mode"]], r["engine"])):
            name = r["engine"] + (" (fluxo bench, in-process server)" if r["engine"] == "fluxo" else "")
            if r["mode"] == "floor":
                name = "floor: same HTTP stack, fixed JSON body"
            ok = r["checked"]
            rows.append([name, f"{r['per_second']:,.0f}" if ok else "wrong output",
                         f"{r['p50_ms']:.2f}" if ok and r["p50_ms"] is not None else "—",
                         f"{r['p99_ms']:.2f}" if ok and r["p99_ms"] is not None else "—",
                         ratio(base, r) if r["engine"] not in ("fluxo", FLUXO_SERVER) else "—"])
        out.append(("W1 by StartSyncExecution under wrk (-t2 -c64)",
                    ["engine", "requests/s", "p50 ms", "p99 ms", "Fluxo server / engine"], rows))
    # Standard executions through the durable store, next to the store's own floor: the same
    # transitions written by bare inserts on one connection, no engine, no group commit.
    durable = [r for r in records if r["mode"] in ("durable", "store")]
    if durable:
        out.append(("Fluxo durable: Standard executions through SQLite, and the store's floor",
                    ["workload", "executions/s or seconds", "note"],
                    [[r["workload"], cell(r) if r["mode"] == "durable" else f"{r['per_second']:,.0f}/s",
                      clean(r["note"])] for r in durable]))
    return out


def text(title, header, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(header, *rows)]
    line = lambda row: "  ".join(str(x).ljust(w) for x, w in zip(row, widths))
    return "\n".join([title, line(header), line(["-" * w for w in widths])] + [line(r) for r in rows])


def markdown(title, header, rows):
    return "\n".join([f"**{title}**", "", "| " + " | ".join(header) + " |",
                      "|" + "---|" * len(header)] + ["| " + " | ".join(r) + " |" for r in rows])


def clean(note):
    """One line, no table pipes: notes may carry an engine's error text."""
    return " ".join(note.replace("|", "/").split())


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("results")
    p.add_argument("--markdown")
    a = p.parse_args()
    with open(a.results) as f:
        records = json.load(f)
    where = machine()
    notes = sorted({f"{r['engine']} {r['mode']}: {clean(r['note'])}" for r in records
                    if r["note"] and r["checked"] and r["mode"] not in ("durable", "store")})
    problems = [f"{r['engine']} {r['mode']} {r['workload']}: {clean(r['note'])}"
                for r in records if not r["checked"]]
    ts = tables(records)
    print(f"Measured {where}\n")
    print("\n\n".join(text(*t) for t in ts))
    if problems:
        print("\nNot timed (wrong output or failed):\n  " + "\n  ".join(problems))
    if a.markdown:
        with open(a.markdown, "w") as f:
            f.write(f"Measured {where}, one engine at a time.\n\n")
            f.write("\n\n".join(markdown(*t) for t in ts) + "\n")
            if problems:
                f.write("\nNot timed (wrong output or failed):\n\n"
                        + "".join(f"- {x}\n" for x in problems))
            f.write("\nHow each figure was taken:\n\n" + "".join(f"- {n}\n" for n in notes))
        print(f"\nMarkdown: {a.markdown}")


if __name__ == "__main__":
    main()
