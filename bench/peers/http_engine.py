#!/usr/bin/env python3
"""One driver for any engine that speaks the Step Functions API over HTTP (Fluxo's server, moto,
LocalStack, fakecloud): the same client, threads and checks for all, so the figures compare.

  http_engine.py ENDPOINT --engine NAME --out results.json [--type express|standard]
                 [--threads 32] [--quick] [--wrk] [--wrk-seconds 10] [--only W1,W3]

For each workload: create a state machine, run the workload's executions from N client threads
(one boto3 client per thread: clients are not cheap to share under contention), check every
output, append one record. EXPRESS runs each execution with StartSyncExecution (one request);
STANDARD starts it with StartExecution and polls DescribeExecution until it is done.
With --wrk it also drives W1 by StartSyncExecution with wrk (EXPRESS only).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
from botocore.config import Config

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import workloads  # noqa: E402

ROLE = "arn:aws:iam::123456789012:role/fluxo-bench"
# inject_host_prefix=False: StartSyncExecution's "sync-" host prefix would break 127.0.0.1.
# Long read timeout: W2/W3 run as one long request; no retries, so a failure shows as one.
CONFIG = Config(inject_host_prefix=False, read_timeout=900, connect_timeout=10,
                retries={"max_attempts": 1}, max_pool_connections=4)


def client(endpoint):
    return boto3.session.Session().client(
        "stepfunctions", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test", config=CONFIG)


def create(sfn, name, definition, kind):
    return sfn.create_state_machine(name=name, definition=definition, roleArn=ROLE,
                                    type=kind)["stateMachineArn"]


def run_one(sfn, arn, body, kind):
    """(status, output dict or None, error text) of one execution."""
    # A unique name every time: moto names an unnamed execution "None", so a second collides.
    name = uuid.uuid4().hex
    if kind == "EXPRESS":
        r = sfn.start_sync_execution(stateMachineArn=arn, input=body, name=name)
    else:
        exec_arn = sfn.start_execution(stateMachineArn=arn, input=body, name=name)["executionArn"]
        # Poll from 2 ms doubling to 50 ms: short enough not to hide a fast engine's speed,
        # long enough not to flood a slow one with DescribeExecution calls.
        delay = 0.002
        while True:
            r = sfn.describe_execution(executionArn=exec_arn)
            if r["status"] != "RUNNING":
                break
            time.sleep(delay)
            delay = min(delay * 2, 0.05)
    output = json.loads(r["output"]) if r.get("output") is not None else None
    return r["status"], output, f"{r.get('error', '')} {r.get('cause', '')}".strip()


def measure_workload(endpoint, engine, kind, threads, wid, definition, inp, executions, spec):
    local = threading.local()

    def sfn():
        if not hasattr(local, "c"):
            local.c = client(endpoint)
        return local.c

    arn = create(client(endpoint), f"bench-{wid}-{kind.lower()}-{int(time.time() * 1000)}",
                 definition, kind)
    body = json.dumps(inp)
    pool = ThreadPoolExecutor(threads)
    # Build every thread's client before the clock starts (about 50 ms of Python each): the
    # barrier makes each of the N tasks land on its own thread.
    barrier = threading.Barrier(threads)
    list(pool.map(lambda _: (sfn(), barrier.wait()), range(threads)))
    started = time.perf_counter()
    results = list(pool.map(lambda _: run_one(sfn(), arn, body, kind), range(executions)))
    seconds = time.perf_counter() - started
    pool.shutdown()
    error = None
    for status, output, why in results:
        if status != "SUCCEEDED":
            error = f"status {status}: {why[:200]}"
        else:
            error = workloads.check(wid, inp, output, spec)
        if error:
            break
    how = ("EXPRESS StartSyncExecution" if kind == "EXPRESS"
           else "STANDARD StartExecution + DescribeExecution polling")
    return {
        "engine": engine, "mode": "http", "workload": wid, "executions": executions,
        "seconds": seconds, "per_second": executions / seconds, "checked": error is None,
        "p50_ms": None, "p99_ms": None,
        "note": f"{how}, {threads} client threads"
                + (f"; a Map over {len(inp['items'])} items" if "items" in inp else "")
                + (f"; wrong output: {error}" if error else ""),
    }


# wrk script: every response is checked in Lua (status 200, a body saying SUCCEEDED, and W1's
# output fields "data": {"value": 7} and "size": "big" inside the output's JSON text, with or
# without spaces, since engines format it differently), and the per-thread counts are summed in
# done(), since each wrk thread has its own Lua state. (The input is {"x": 1}, so "x" alone
# would prove nothing.)
WRK_LUA = """
wrk.method = "POST"
wrk.body = %s
wrk.headers["Content-Type"] = "application/x-amz-json-1.0"
wrk.headers["X-Amz-Target"] = "AWSStepFunctions.StartSyncExecution"
local fields = {'\\\\?"data\\\\?":%%s*{%%s*\\\\?"value\\\\?":%%s*7%%s*}', '\\\\?"size\\\\?":%%s*\\\\?"big\\\\?"'}
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) bad = 0; seen = 0 end
function response(status, headers, body)
  seen = seen + 1
  local ok = status == 200 and string.find(body, "SUCCEEDED", 1, true)
  for _, f in ipairs(fields) do ok = ok and string.find(body, f) end
  if not ok then bad = bad + 1 end
end
function done(summary, latency, requests)
  local b, s = 0, 0
  for _, t in ipairs(threads) do b = b + t:get("bad"); s = s + t:get("seen") end
  io.write(string.format("CHECKED bad=%%d seen=%%d\\n", b, s))
end
"""


def millis(text):
    for suffix, factor in (("us", 0.001), ("ms", 1.0), ("s", 1000.0)):
        if text.endswith(suffix):
            return float(text[: -len(suffix)]) * factor
    raise ValueError(text)


def measure_wrk(endpoint, engine, seconds):
    wid, definition, inp, _, spec = workloads.load()[0]
    sfn = client(endpoint)
    arn = create(sfn, f"bench-wrk-{int(time.time() * 1000)}", definition, "EXPRESS")
    body = json.dumps({"stateMachineArn": arn, "input": json.dumps(inp)})
    # One answer checked for the right output before the load, so speed is not bought by doing less.
    status, output, why = run_one(sfn, arn, json.dumps(inp), "EXPRESS")
    error = f"status {status}: {why}" if status != "SUCCEEDED" else workloads.check(wid, inp, output, spec)
    if error:
        raise RuntimeError(f"wrong output before the load: {error}")
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as f:
        f.write(WRK_LUA % json.dumps(body))
    # --timeout 30s: wrk's default 2 s would drop a slow engine's requests instead of timing them.
    out = subprocess.run(["wrk", "-t2", "-c64", f"-d{seconds}s", "--timeout", "30s", "--latency", "-s", f.name,
                          endpoint.rstrip("/") + "/"], capture_output=True, text=True, timeout=seconds + 120)
    os.unlink(f.name)
    text = out.stdout
    rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
    p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
    p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
    checked = re.search(r"CHECKED bad=(\d+) seen=(\d+)", text)
    if out.returncode != 0 or not (rps and p50 and p99 and checked):
        raise RuntimeError(f"wrk failed: {text} {out.stderr}")
    bad, seen = int(checked.group(1)), int(checked.group(2))
    non2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
    socket_errors = re.search(r"Socket errors:.*", text)
    problems = []
    if bad or non2xx:
        problems.append(f"{bad} of {seen} responses not SUCCEEDED"
                        + (f", {non2xx.group(1)} non-2xx" if non2xx else ""))
    if socket_errors:
        problems.append(socket_errors.group(0))
    if not seen:
        # No answer within the run: nothing was checked, so nothing is claimed.
        problems.append(f"no answer within {seconds} s")
    print(text, file=sys.stderr)
    return {
        "engine": engine, "mode": "http-wrk", "workload": "W1", "executions": seen,
        "seconds": float(seconds), "per_second": float(rps.group(1)), "checked": seen > 0 and not bad and not non2xx,
        "p50_ms": millis(p50.group(1)), "p99_ms": millis(p99.group(1)),
        "note": f"wrk -t2 -c64 -d{seconds}s --timeout 30s, StartSyncExecution"
                + ("; " + "; ".join(problems) if problems else ""),
    }


def append(path, records):
    all_records = []
    if os.path.exists(path):
        with open(path) as f:
            all_records = json.load(f)
    with open(path, "w") as f:
        json.dump(all_records + records, f, indent=1)


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("endpoint")
    p.add_argument("--engine", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--type", choices=["express", "standard"], default="express")
    p.add_argument("--threads", type=int, default=32)
    p.add_argument("--quick", action="store_true")
    p.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W4")
    p.add_argument("--wrk", action="store_true", help="also W1 by StartSyncExecution under wrk")
    p.add_argument("--wrk-seconds", type=int, default=10)
    p.add_argument("--no-workloads", action="store_true", help="only the wrk measure")
    a = p.parse_args()
    kind = a.type.upper()
    failed = False
    if not a.no_workloads:
        for wid, definition, inp, executions, spec in workloads.load(a.quick, kind == "STANDARD"):
            if a.only and wid not in a.only.split(","):
                continue
            try:
                r = measure_workload(a.endpoint, a.engine, kind, a.threads, wid, definition,
                                     inp, executions, spec)
            except Exception as e:  # one workload failing (e.g. unsupported) must not hide the rest
                r = {"engine": a.engine, "mode": "http", "workload": wid, "executions": executions,
                     "seconds": 0.0, "per_second": 0.0, "checked": False, "p50_ms": None,
                     "p99_ms": None, "note": f"{kind} failed: {type(e).__name__}: {' '.join(str(e).split())[:300]}"}
                failed = True
            print(f"{a.engine} {wid}: {r['executions']} in {r['seconds']:.3f} s = "
                  f"{r['per_second']:.1f}/s checked={r['checked']} ({r['note']})", flush=True)
            append(a.out, [r])
    if a.wrk:
        try:
            r = measure_wrk(a.endpoint, a.engine, a.wrk_seconds)
        except Exception as e:
            r = {"engine": a.engine, "mode": "http-wrk", "workload": "W1", "executions": 0,
                 "seconds": 0.0, "per_second": 0.0, "checked": False, "p50_ms": 0.0, "p99_ms": 0.0,
                 "note": f"wrk failed: {type(e).__name__}: {' '.join(str(e).split())[:300]}"}
            failed = True
        print(f"{a.engine} W1 wrk: {r['per_second']:.0f} req/s p50 {r['p50_ms']:.2f} ms "
              f"p99 {r['p99_ms']:.2f} ms checked={r['checked']} ({r['note']})", flush=True)
        append(a.out, [r])
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
