"""The workloads W1-W4 as the peer drivers see them: definition, input, size and output check.

Mirrors crates/bench/src/workloads.rs, so that every engine is held to the same expected
outputs (no side wins by doing less). `quick` uses the sizes of `fluxo-bench --smoke` (at most 10
executions, a Map over 100 items, a 50-step loop), so a quick run still compares like with like.
"""

import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
WORKLOADS = os.path.join(HERE, "..", "workloads")


# W2's items in a Standard execution: AWS limits a Standard execution's history to 25,000
# events, and each inline Map iteration of W2 records six, so 10,000 iterations fail on AWS (and
# on Fluxo); 4,000 fit (crates/bench/src/workloads.rs, STANDARD_W2_ITEMS).
STANDARD_W2_ITEMS = 4000


def load(quick=False, standard=False):
    """[(id, definition text, input dict, executions, spec)] in W1..W4 order; `standard`: sized
    for Standard executions (W2 over STANDARD_W2_ITEMS)."""
    with open(os.path.join(WORKLOADS, "workloads.json")) as f:
        specs = json.load(f)
    out = []
    for wid in sorted(specs):
        spec = specs[wid]
        with open(os.path.join(WORKLOADS, spec["definition"])) as f:
            definition = f.read()
        executions = spec["executions"]
        if wid == "W2":
            count = 100 if quick else (STANDARD_W2_ITEMS if standard else 10000)
            inp = {"items": list(range(count))}
        elif wid == "W3" and quick:
            inp = {"limit": 50}
        else:
            inp = spec["input"]
        if quick:
            executions = min(executions, 10)
        out.append((wid, definition, inp, executions, spec))
    return out


def check(wid, inp, output, spec):
    """None if `output` is right for this workload and input, else a short reason."""
    if wid == "W2":
        results = output.get("results") if isinstance(output, dict) else None
        if not isinstance(results, list) or len(results) != len(inp["items"]):
            return f"W2: results is not a list of {len(inp['items'])}"
        for i, r in enumerate(results):
            # bool is an int in Python; 2*i must be a real number, not True/False.
            if type(r) not in (int, float) or r != 2 * i:
                return f"W2: results[{i}] = {r!r}"
        return None
    if wid == "W3":
        want = {"counter": inp["limit"], "limit": inp["limit"]}
        return None if output == want else f"W3: {str(output)[:200]}"
    if wid == "W4":
        out = output.get("out") if isinstance(output, dict) else None
        if not isinstance(out, list) or len(out) != 10:
            return f"W4: out is not 10 branches: {str(output)[:200]}"
        for b, v in enumerate(out):
            if v != {"branch": b, "steps": 5}:
                return f"W4: out[{b}] = {v!r}"
        return None
    return None if output == spec["expected_output"] else f"{wid}: {str(output)[:200]}"
