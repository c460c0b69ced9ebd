#!/usr/bin/env python3
"""Tables from the benchmark records (target/bench/results.json, written by bench/run).

  report.py RESULTS.json [--markdown report.md]

Compares like with like: Fluxo in process against the in-process peers (per core and on the
whole machine, side by side), Fluxo's server against
the HTTP peers through the same driver and the same API path (StartSyncExecution or
StartExecution + polling), and W1 under wrk. A record whose output was wrong is shown as such,
never timed. Fluxo's durable, store, parked and function figures follow. Prints aligned text and writes the same tables as Markdown for BENCHMARKS.md.
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


def unchecked(r):
    """What a record that was not checked says instead of a figure."""
    note = r["note"]
    if "no answer" in note:
        return "no answer"
    return "wrong output" if "wrong output" in note or "not SUCCEEDED" in note else "failed"


def cell(r):
    if r is None:
        return "—"
    if not r["checked"]:
        return unchecked(r)
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


def in_process_table(records):
    """Fluxo on every core and on one core, each peer, and both ratios side by side: the
    in-process peer runs JavaScript on Node's one thread, so the per-core ratio compares like
    with like and the whole-machine ratio says what a user's machine gets."""
    whole = {r["workload"]: r for r in records if r["mode"] == "in-process" and r["engine"] == "fluxo"}
    one = {r["workload"]: r for r in records if r["mode"] == "in-process-1core" and r["engine"] == "fluxo"}
    peers = {(r["engine"], r["workload"]): r for r in records
             if r["mode"] == "in-process" and r["engine"] != "fluxo"}
    names = sorted({e for e, _ in peers})
    cores = next((r.get("figures", {}).get("cores") for r in whole.values()), None) or "all"
    header = ["workload", f"Fluxo, {cores} cores", "Fluxo, 1 core"]
    for p in names:
        header += [p, f"whole machine: Fluxo / {p}", f"per core: Fluxo 1 core / {p}"]
    rows = []
    for w in WORKLOADS:
        row = [w, cell(whole.get(w)), cell(one.get(w))]
        for p in names:
            r = peers.get((p, w))
            row += [cell(r), ratio(whole.get(w), r), ratio(one.get(w), r)]
        rows.append(row)
    return ("In process (executions/s; one-execution workloads: seconds)", header, rows)


def durable_table(records):
    """Standard executions through the durable store with the transactions each made, next
    to the store's own floor: the same transitions written by bare inserts on one connection,
    no engine, no group commit."""
    rows = []
    for r in records:
        f = r.get("figures", {})
        if r["mode"] == "durable":
            tx = f.get("transactions")
            per_tx = f"{r['seconds'] * 1e6 / tx:,.0f} µs" if r["checked"] and tx else "—"
            rows.append([r["workload"], cell(r), f"{f.get('transactions_per_execution', 0):.1f}",
                         f"{f.get('transactions_per_second', 0):,.0f}/s", per_tx, clean(r["note"])])
        elif r["mode"] == "store":
            rows.append([r["workload"], "—", "—",
                         f"{r['per_second']:,.0f}/s" if r["checked"] else "failed", "—", clean(r["note"])])
    return ("Fluxo durable: Standard executions through SQLite, and the store's floor",
            ["workload", "executions/s or seconds", "transactions per execution",
             "transactions/s", "wall time per transaction", "note"], rows)


def mib(n):
    return f"{n / 1048576:,.1f} MiB" if n is not None else "—"


def parked_table(records):
    rows = []
    for r in records:
        if r["mode"] != "parked":
            continue
        f = r.get("figures", {})
        per = f.get("bytes_per_execution")
        rows.append([r["workload"], f"{r['executions']:,}", mib(f.get("rss_opened_bytes")),
                     mib(f.get("rss_peak_bytes")), mib(f.get("rss_settled_bytes")),
                     f"{per:,} B" if per is not None else "—",
                     f"{r['seconds']:.3f} s" if r["checked"] else "failed", clean(r["note"])])
    return ("Fluxo: Standard executions parked on a one-day Wait (resident memory of the process)",
            ["phase", "executions", "RSS opened", "RSS peak", "RSS settled", "held per execution",
             "time", "note"], rows)


def functions_table(records):
    rows = []
    for r in records:
        if r["mode"] != "functions":
            continue
        value = (f"{r['seconds'] * 1e3:.2f} ms" if r["executions"] == 1 else f"{r['per_second']:,.0f} calls/s")
        rows.append([r["workload"], value if r["checked"] else "failed", clean(r["note"])])
    return ("Fluxo: function calls", ["measure", "value", "note"], rows)


def activities_table(records):
    rows = []
    for r in records:
        if r["mode"] != "activities":
            continue
        f = r.get("figures", {})
        ok = r["checked"]
        rows.append([f"{r['executions']:,}", f"{r['per_second']:,.0f}" if ok else unchecked(r),
                     f"{f.get('per_core_per_second', 0):,.0f}" if ok else "—",
                     f"{r['p50_ms']:.1f}" if ok and r["p50_ms"] is not None else "—",
                     f"{r['p99_ms']:.1f}" if ok and r["p99_ms"] is not None else "—", clean(r["note"])])
    return ("Fluxo: activity tasks through GetActivityTask / SendTaskSuccess",
            ["tasks", "tasks/s", "tasks/s per core", "SendTaskSuccess -> next state p50 ms", "p99 ms", "note"], rows)


def tables(records):
    out = []
    if any(r["mode"] in ("in-process", "in-process-1core") for r in records):
        out.append(in_process_table(records))
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
            name = r["engine"] + (" (fluxo-bench, in-process server)" if r["engine"] == "fluxo" else "")
            if r["mode"] == "floor":
                name = "floor: same HTTP stack, W1's answer as a fixed body"
            ok = r["checked"]
            rows.append([name, f"{r['per_second']:,.0f}" if ok else unchecked(r),
                         f"{r['p50_ms']:.2f}" if ok and r["p50_ms"] is not None else "—",
                         f"{r['p99_ms']:.2f}" if ok and r["p99_ms"] is not None else "—",
                         ratio(base, r) if r["engine"] not in ("fluxo", FLUXO_SERVER) else "—"])
        out.append(("W1 by StartSyncExecution under wrk (-t2 -c64)",
                    ["engine", "requests/s", "p50 ms", "p99 ms", "Fluxo server / engine"], rows))
    if any(r["mode"] in ("durable", "store") for r in records):
        out.append(durable_table(records))
    if any(r["mode"] == "parked" for r in records):
        out.append(parked_table(records))
    if any(r["mode"] == "functions" for r in records):
        out.append(functions_table(records))
    if any(r["mode"] == "activities" for r in records):
        out.append(activities_table(records))
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
                    if r["note"] and r["checked"]
                    and r["mode"] not in ("durable", "store", "parked", "functions", "activities")})
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
