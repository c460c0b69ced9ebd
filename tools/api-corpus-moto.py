#!/usr/bin/env python3
"""Replays ../shared/conformance-api against `fluxo server` with the other AWS services served by
moto, the way an operator runs Fluxo: Fluxo calls an AWS-compatible endpoint named by `[aws]` in
fluxo.toml, not services of its own.

It wraps the shared runner (../shared/tools/api-corpus-run.py, imported as a module, not copied):
per case it starts a moto server on loopback (a free port, stopped by its PID after the case), starts
Fluxo with `[aws] enabled = "all"` and `endpoint_url` pointing at that moto (credentials `test`),
and sends the case's own SQS/SNS/DynamoDB/S3/EventBridge/... calls (setup, workers, checks) to moto.
Everything else — how a case runs and is judged — is the shared runner's.

usage:
  api-corpus-moto.py CORPUS_ROOT OUT.json --fluxo BIN --moto MOTO_SERVER [shared runner options]
                     [--passing FILE [--update-passing]]

--passing FILE   a list of case names (one a line, `#` comments) that must pass: the run exits 1 when
                 one of them does not (a regression) and prints cases that pass but are not listed.
--update-passing rewrite FILE with the cases that passed (keeping its leading comment lines).

Exit code: 0, or 1 on a regression against --passing, or 2 on a usage error.
"""
import importlib.util
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
SHARED_RUNNER = os.environ.get("FLUXO_API_CORPUS_RUNNER",
                                os.path.join(HERE, "..", "..", "shared", "tools", "api-corpus-run.py"))
# The services moto serves that the corpus's cases name (`requires`, a step's `service`).
MOTO_SERVICES = {"sqs", "sns", "dynamodb", "s3", "events", "secretsmanager", "logs"}


def load_shared_runner(path):
    spec = importlib.util.spec_from_file_location("api_corpus_run", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


shared = load_shared_runner(SHARED_RUNNER)
CURRENT = threading.local()  # the moto endpoint of the case this thread runs


class MotoServer:
    """A moto server for one case, on a free loopback port, stopped by its PID."""

    def __init__(self, binary):
        self.binary, self.proc, self.url = binary, None, None

    def start(self):
        for _ in range(3):
            port = shared.free_port()
            self.proc = subprocess.Popen([self.binary, "-H", "127.0.0.1", "-p", str(port)],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
            with shared.LIVE_LOCK:
                shared.LIVE_SERVERS.add(self)
            deadline = time.time() + 30
            while time.time() < deadline and self.proc.poll() is None:
                try:
                    with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                        self.url = f"http://127.0.0.1:{port}"
                        return self.url
                except OSError:
                    time.sleep(0.05)
            self.stop()
        raise shared.CaseError("moto did not start", "moto did not start")

    def stop(self):
        if self.proc is not None and self.proc.poll() is None:
            try:
                os.kill(self.proc.pid, signal.SIGTERM)
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=5)
            except ProcessLookupError:
                pass
        with shared.LIVE_LOCK:
            shared.LIVE_SERVERS.discard(self)


class ConfigAlways(dict):
    """No functions, but a fluxo.toml all the same: the shared runner writes (and passes
    --config) only when its `functions` is true."""

    def __bool__(self):
        return True


class FluxoWithAws(shared.ManagedServer):
    """The shared runner's Fluxo server, with `[aws]` pointing at this case's moto."""

    def start(self):
        self._moto = getattr(CURRENT, "moto", None)
        if self._moto and not self.functions:
            self.functions = ConfigAlways()
        return super().start()

    def write_fluxo_config(self):
        path = super().write_fluxo_config()
        if self._moto:
            with open(path, "a") as f:
                f.write(f'\n[aws]\nenabled = "all"\nendpoint_url = "{self._moto}"\n')
        return path


class ServicesAtMoto(shared.Endpoint):
    """Step Functions calls go to Fluxo; every other service's boto3 client goes to moto."""

    def client(self, service):
        moto = getattr(CURRENT, "moto", None)
        if moto is None or service in self._clients:
            return super().client(service)
        url, self.url = self.url, moto
        try:
            return super().client(service)
        finally:
            self.url = url


def expectations_text(case):
    parts = [case.get("expect"), case.get("history")]
    parts += [st.get(k) for _, st in shared.all_steps(case) for k in ("expect", "expect_more")]
    parts += [check.get("expect") for check in case.get("checks") or []]
    return json.dumps(parts)


def masks_that_made_the_recording(case):
    """A path mask whose replacement is recorded only inside other placeholders, never as a
    value of its own, did not produce the recording: in callback cases (`$..TaskToken` ->
    `<task_token>` / `task_token`) LocalStack's numbered transformer replaced the token first,
    so `<<task_token>:1>`, or `<task_token:1>` and `<task_token:2>`, are recorded. Applied as
    written, the mask would turn the actual token into a literal that matches neither form.
    When one recorded value holds the replacement, the mask writes that value (one token, as
    recorded); when several do, the mask is dropped and the recorded placeholders compare the
    tokens themselves. The shared runner is left as it is."""
    masks = case.get("masks") or []
    text = expectations_text(case)
    strings = set(re.findall(r'"((?:[^"\\]|\\.)*)"', text))
    out, changed = [], False
    for mask in masks:
        replacement = mask.get("replacement")
        if "path" not in mask or not isinstance(replacement, str) or replacement in strings:
            out.append(mask)
            continue
        holders = sorted(s for s in strings if replacement in s and s.startswith("<"))
        if not holders:
            out.append(mask)
            continue
        changed = True
        if len(holders) == 1:
            out.append(dict(mask, replacement=holders[0]))
    return dict(case, masks=out) if changed else case


def wrap_run_case(run_case, moto_binary):
    def run(case, opts, corpus_root):
        case = masks_that_made_the_recording(case)
        opts.offered |= MOTO_SERVICES
        moto = MotoServer(moto_binary)
        try:
            CURRENT.moto = moto.start()
        except shared.CaseError as e:
            return {"name": case["name"], "group": case["name"].split("/")[0], "format": case["format"],
                    "requires": case.get("requires", []), "result": "failed", "detail": str(e), "kind": e.kind}
        try:
            return run_case(case, opts, corpus_root)
        finally:
            CURRENT.moto = None
            moto.stop()

    return run


def read_list(path):
    with open(path) as f:
        return {line.strip() for line in f if line.strip() and not line.startswith("#")}


def check_passing(out_path, passing_path, update):
    results = json.load(open(out_path))["cases"]
    ran = {r["name"]: r for r in results}
    passed = {name for name, r in ran.items() if r["result"] == "passed"}
    listed = read_list(passing_path) if os.path.exists(passing_path) else set()
    regressed = sorted(n for n in listed if n in ran and n not in passed)
    for name in sorted(passed - listed):
        print(f"NEWLY PASSING (add it to {os.path.basename(passing_path)}): {name}")
    for name in regressed:
        print(f"REGRESSION: {name}: {ran[name].get('detail', '')[:300]}")
    if update:
        with open(passing_path) if os.path.exists(passing_path) else open(os.devnull) as f:
            head = [line for line in f if line.startswith("#")]
        kept = sorted((listed - set(ran)) | passed)
        with open(passing_path, "w") as f:
            f.writelines(head)
            f.writelines(n + "\n" for n in kept)
        return 0
    return 1 if regressed else 0


def main():
    argv = sys.argv[1:]

    def take(flag, has_value=True):
        if flag not in argv:
            return None
        i = argv.index(flag)
        value = argv[i + 1] if has_value else True
        del argv[i:i + (2 if has_value else 1)]
        return value

    moto = take("--moto") or os.environ.get("FLUXO_TEST_MOTO")
    passing = take("--passing")
    update = take("--update-passing", has_value=False)
    if not moto or not os.path.isfile(moto):
        print("api-corpus-moto.py: give --moto PATH/moto_server (or FLUXO_TEST_MOTO)", file=sys.stderr)
        return 2
    if "--fluxo" not in argv or len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    out = argv[1]
    # The shared runner starts Fluxo in each case's temporary folder: a relative path would
    # name nothing there.
    at = argv.index("--fluxo") + 1
    argv[at] = os.path.abspath(argv[at])
    moto = os.path.abspath(moto)
    # Fluxo's credential chain reads the environment (the servers inherit it); moto accepts any
    # key. The runner's own clients are given their keys explicitly.
    os.environ.update(AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test", AWS_EC2_METADATA_DISABLED="true")
    shared.ManagedServer = FluxoWithAws
    shared.Endpoint = ServicesAtMoto
    shared.run_case = wrap_run_case(shared.run_case, moto)
    sys.argv = [SHARED_RUNNER, "-"] + argv
    shared.main()
    return check_passing(out, passing, update) if passing else 0


if __name__ == "__main__":
    sys.exit(main())
