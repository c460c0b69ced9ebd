#!/bin/sh
# Runs every fuzz target for SECONDS (default 20) and fails on the first crash, panic, stack
# overflow, timeout (10 s for one input) or memory blow-up (2 GiB).
#
# Usage: fuzz/run-briefly.sh [SECONDS] [TARGET...]
# Needs cargo-fuzz (`cargo install cargo-fuzz`); runs on the pinned stable toolchain with
# RUSTC_BOOTSTRAP=1 (no nightly toolchain needed).
#
# Targets run with a 2 MiB stack, tokio's worker default, so that a recursion the input
# controls fails here as it would abort the server. Corpora grow in fuzz/corpus/<target>;
# they are seeded from ../shared (real definitions, recorded cases) when it is beside the
# repository, and from the Jayway fixture of fluxo-expr. A crashing input is written to
# fuzz/artifacts/<target>/; reproduce it with `cargo +nightly fuzz run TARGET FILE`.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
cd "$here"
seconds=${1:-20}
[ $# -gt 0 ] && shift
targets=${*:-validate_definition jsonpath reference_path intrinsic choice api_request}
shared="$here/../../shared"

seed() {
    target=$1
    dir="corpus/$target"
    mkdir -p "$dir"
    [ -n "$(ls -A "$dir")" ] && return 0
    python3 - "$target" "$dir" "$shared" "$here/../crates/expr/src/jsonpath/jayway-2.0.0.jsonl" <<'PY'
import glob, hashlib, json, os, sys
target, out, shared, fixture = sys.argv[1:5]
seeds = []
definitions = []
for f in sorted(glob.glob(os.path.join(shared, "real-world-asl/definitions/*.json"))):
    definitions.append(open(f, encoding="utf-8").read())
for f in sorted(glob.glob(os.path.join(shared, "conformance/cases/*/*.json")))[:300]:
    definitions.append(json.dumps(json.load(open(f, encoding="utf-8"))["definition"]))
paths, intrinsics, choices, requests = [], [], [], []
for f in sorted(glob.glob(os.path.join(shared, "conformance-api/cases/*/*.json"))):
    for step in json.load(open(f, encoding="utf-8")).get("steps", []):
        action = step.get("action", "")
        if step.get("service") in (None, "stepfunctions") and action[:1].isupper():
            requests.append("AWSStepFunctions.%s\n%s" % (action, json.dumps(step.get("request", {}))))
def walk(value, key=""):
    if isinstance(value, dict):
        for k, v in value.items():
            if k == "Choices":
                choices.append(json.dumps(v))
            walk(v, k)
    elif isinstance(value, list):
        for v in value:
            walk(v, key)
    elif isinstance(value, str) and (key.endswith(".$") or key.endswith("Path") or key == "Variable"):
        (intrinsics if value.startswith("States.") else paths).append(value)
for text in definitions:
    try:
        walk(json.loads(text))
    except ValueError:
        pass
if os.path.exists(fixture):
    paths += [json.loads(line)["path"] for line in open(fixture, encoding="utf-8")]
seeds = {"validate_definition": definitions, "jsonpath": paths, "reference_path": paths,
         "intrinsic": intrinsics, "choice": choices, "api_request": requests}[target]
seeds = seeds or ["$"]
for text in seeds:
    name = hashlib.sha1(text.encode()).hexdigest()
    open(os.path.join(out, name), "w", encoding="utf-8").write(text)
PY
}

# cargo-fuzz wants a nightly compiler; the project's pinned stable one (the only toolchain CI
# has) serves with RUSTC_BOOTSTRAP=1, which unlocks the same unstable flags on it.
toolchain=+$(sed -n 's/^channel = "\(.*\)"/\1/p' "$here/../rust-toolchain.toml")
export RUSTC_BOOTSTRAP=1
cargo $toolchain fuzz build --sanitizer none --debug-assertions
for target in $targets; do
    seed "$target"
    echo "== $target: $seconds s"
    # A subshell keeps the 2 MiB stack limit to the fuzzer.
    ( ulimit -s 2048
      cargo $toolchain fuzz run --sanitizer none --debug-assertions "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 2>&1 ) > "corpus/$target.log" 2>&1 || {
        tail -40 "corpus/$target.log"
        echo "FAILED: $target (see fuzz/artifacts/$target and fuzz/corpus/$target.log)"
        exit 1
    }
    grep -E "stat::number_of_executed_units|stat::peak_rss_mb" "corpus/$target.log" | tr '\n' ' '
    echo
done
echo "all fuzz targets ran without a crash"
