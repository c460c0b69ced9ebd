#!/usr/bin/env python3
"""Runs every real-world definition of ../shared/real-world-asl end to end: Lambda functions as
local functions of `fluxo server`, every other AWS service on moto (`[aws] enabled = "all"`,
`endpoint_url` = moto), and reports how each execution ended and what stopped the others.

Per definition:
1. moto: one `moto_server` per worker thread, emptied between definitions by
   `POST /moto-api/reset` (`--fresh-moto`: a new moto per definition). Into it goes what the
   definition names literally, found by a generic walk of its JSON (`PROVISIONERS` below):
   S3 buckets (`Bucket`, `*BucketName`, `s3://bucket/...`), DynamoDB tables (`TableName`; key
   schema from a literal `Key` naming the table, else from its `Item`, else a string `id`), SQS
   queues (the last segment of `QueueUrl`; Fluxo sends to the configured endpoint whatever host
   the URL names), SNS topics (`TopicArn`), EventBridge buses (`EventBusName`).
2. `fluxo server` on a free port with a fresh data folder and a fluxo.toml: `[aws] enabled =
   "all"`, `endpoint_url` = that moto, and a `[functions.NAME]` for every function the
   definition names (a Lambda ARN as `Resource`, a literal `FunctionName`, name or ARN), all
   running the generic Python handler `HANDLER` (below), which
     - returns its event unchanged when it is not a JSON object; an object comes back with
       `"statusCode": 200` and `"functionName": NAME` added when the event has no such key;
     - first, for every string in the event (three levels deep) under a key containing "token"
       (case-insensitive, but not NextToken/ContinuationToken/PaginationToken), sends
       SendTaskSuccess to this Fluxo with that return value as output (answers that fail, as
       for a value that is not a task token, are ignored): what the samples' callback
       functions do.
   Every state machine a literal `StateMachineArn` names is created in Fluxo as a one-state
   child that calls that same handler (function `RealWorldChild`), and every activity ARN
   used as a `Resource` is created (nobody polls it).
3. CreateStateMachine (EXPRESS when the definition's source path, in SOURCES.md, has a
   segment naming express; STANDARD otherwise), StartExecution (StartSyncExecution for
   EXPRESS) with input `{}`, polled until it ends or `--deadline` seconds; an execution whose
   last event is a Wait that ends after the deadline, or that has sat for `--idle` seconds on a
   callback or activity nobody answers, is reported as waiting without sitting out the rest.
4. Each outcome is classified (`KINDS`, `classify`): SUCCEEDED; FAILED having run end to end
   (a Fail state, a field the `{}` input lacks, a service error for a resource that does not
   exist or for the values the input left empty, Parameters that do not fit the service API);
   or not end to end (refused at creation, Fluxo refusal, moto does not implement the action
   (read from moto's own log), no API model, HTTP endpoint unreachable, stuck at the deadline,
   or a Fluxo error: an unexpected States.Runtime, a 5xx of Fluxo's API, a crash or a panic in
   its log, or an uncaught failure that did not end the execution within --idle seconds).
5. A table per kind, then "what stops them": every outcome but SUCCEEDED grouped by cause, then
   the summary line `real-world: N ran to SUCCEEDED, M ended FAILED ...`; `--json FILE` keeps
   every definition's record (kind, error, cause, state, what moto lacked, what it waits on).

usage:
  real-world-run.py [CORPUS_DIR] --fluxo BIN --moto MOTO_SERVER [--json FILE] [--threads N]
                    [--deadline SECONDS] [--idle SECONDS] [--filter SUBSTR[,SUBSTR...]]
                    [--models-dir BOTOCORE_DATA] [--fresh-moto] [--quiet]

CORPUS_DIR defaults to ../shared/real-world-asl beside the repository (it holds definitions/
and SOURCES.md). --threads defaults to 2, --idle to 5, --deadline to 90: above the longest Wait
(60 s) that any execution reaches with `{}`, so that no outcome depends on the machine's speed
(a Wait that ends after the deadline is cut short anyway, so the default costs little).
--models-dir defaults to the data folder of the botocore package this Python imports.

Exit code: 0 when every definition was run and classified (whatever its outcome), 1 when the
harness could not run one (moto or Fluxo did not start, an unexpected exception), 2 on a
usage error.
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import boto3
import botocore.config
from botocore.exceptions import BotoCoreError, ClientError

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CORPUS = os.path.join(HERE, "..", "..", "shared", "real-world-asl")
REGION, ACCOUNT = "us-east-1", "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/real-world-run"
CHILD_FUNCTION = "RealWorldChild"

HANDLER = r'''
import json
import os
import urllib.request

SKIP = ("nexttoken", "continuationtoken", "paginationtoken")


def tokens(value, depth=0):
    if depth > 3:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            low = key.lower()
            if isinstance(item, str) and "token" in low and not any(s in low for s in SKIP):
                yield item
            elif isinstance(item, (dict, list)):
                yield from tokens(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            yield from tokens(item, depth + 1)


def answer(token, output):
    body = json.dumps({"taskToken": token, "output": json.dumps(output)}).encode()
    request = urllib.request.Request(os.environ["REAL_WORLD_FLUXO"], data=body, headers={
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": "AWSStepFunctions.SendTaskSuccess"})
    try:
        urllib.request.urlopen(request, timeout=5).read()
    except Exception:
        pass


def handler(event, context):
    result = event
    if isinstance(event, dict):
        result = dict(event)
        result.setdefault("statusCode", 200)
        result.setdefault("functionName", context.function_name)
    for token in list(tokens(event)):
        answer(token, result)
    return result
'''


def child_definition():
    return json.dumps({"Comment": "real-world-run: stands in for a state machine the definition names",
                       "StartAt": "Echo", "States": {"Echo": {
                           "Type": "Task", "End": True,
                           "Resource": f"arn:aws:lambda:{REGION}:{ACCOUNT}:function:{CHILD_FUNCTION}"}}})


# ---------------------------------------------------------------- what a definition names

def literal(key, value):
    """A value written in the definition, not a path or an expression."""
    return (isinstance(value, str) and not key.endswith(".$") and not value.startswith("{%")
            and "${" not in value and value != "")


def function_name(reference):
    parts = reference.split(":")
    if "function" in parts[:-1]:
        return parts[parts.index("function") + 1]
    return reference


LAMBDA_ARN = re.compile(r"^arn:aws[a-z-]*:lambda:[^:]*:[^:]*:function:[^:]+")
ACTIVITY_ARN = re.compile(r"^arn:aws[a-z-]*:states:[^:]*:[^:]*:activity:([^:]+)$")
STATE_MACHINE_ARN = re.compile(r"^arn:aws[a-z-]*:states:[^:]*:[^:]*:stateMachine:([A-Za-z0-9_-]+)")
BUCKET = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
S3_URI = re.compile(r"^s3://([a-z0-9][a-z0-9.-]{1,61}[a-z0-9])(/|$)")


def attribute_type(value):
    if isinstance(value, dict) and len(value) == 1:
        kind = next(iter(value)).removesuffix(".$")
        if kind in ("S", "N", "B"):
            return kind
    return None


def key_schema(container):
    """(name, type) pairs of a literal `Key` (up to two: hash, range), else the first
    attribute of an `Item` (an `id`/`pk` one when present)."""
    key = container.get("Key")
    if isinstance(key, dict):
        pairs = [(name, attribute_type(v)) for name, v in key.items() if not name.endswith(".$")]
        if pairs and all(kind for _, kind in pairs):
            return pairs[:2]
    item = container.get("Item")
    if isinstance(item, dict):
        pairs = [(name, attribute_type(v)) for name, v in item.items() if not name.endswith(".$")]
        pairs = [(n, k) for n, k in pairs if k]
        for n, k in pairs:
            if n.lower() in ("id", "pk"):
                return [(n, k)]
        if pairs:
            return pairs[:1]
    return None


def collect(definition):
    """Everything the definition names literally: {kind: {name: detail}}."""
    found = {k: {} for k in ("functions", "activities", "children", "buckets", "tables",
                             "queues", "topics", "buses")}
    stack = [definition]
    while stack:
        node = stack.pop()
        if isinstance(node, list):
            stack.extend(node)
            continue
        if not isinstance(node, dict):
            if isinstance(node, str) and S3_URI.match(node):
                found["buckets"][S3_URI.match(node).group(1)] = None
            continue
        for key, value in node.items():
            stack.append(value)
            if not literal(key, value):
                continue
            if key == "Resource" and LAMBDA_ARN.match(value):
                found["functions"][function_name(value)] = None
            elif key == "Resource" and ACTIVITY_ARN.match(value):
                found["activities"][ACTIVITY_ARN.match(value).group(1)] = None
            elif key == "FunctionName":
                found["functions"][function_name(value)] = None
            elif key == "StateMachineArn" and STATE_MACHINE_ARN.match(value):
                found["children"][STATE_MACHINE_ARN.match(value).group(1)] = None
            elif (key == "Bucket" or key.lower().endswith("bucketname")) and BUCKET.match(value):
                found["buckets"][value] = None
            elif key == "TableName":
                if found["tables"].get(value) is None:  # the first literal Key or Item decides
                    found["tables"][value] = key_schema(node)
            elif key == "QueueUrl":
                found["queues"][value.rstrip("/").rsplit("/", 1)[-1]] = None
            elif key == "TopicArn":
                found["topics"][value.rsplit(":", 1)[-1]] = None
            elif key == "EventBusName" and value != "default":
                found["buses"][value.rsplit("/", 1)[-1]] = None
    return found


def provision_table(moto, name, schema):
    schema = schema or [("id", "S")]
    moto.client("dynamodb").create_table(
        TableName=name, BillingMode="PAY_PER_REQUEST",
        KeySchema=[{"AttributeName": n, "KeyType": t} for (n, _), t in zip(schema, ("HASH", "RANGE"))],
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": k} for n, k in schema])


def provision_queue(moto, name, _):
    attributes = {"FifoQueue": "true", "ContentBasedDeduplication": "true"} if name.endswith(".fifo") else {}
    moto.client("sqs").create_queue(QueueName=name, Attributes=attributes)


def provision_topic(moto, name, _):
    attributes = {"FifoTopic": "true", "ContentBasedDeduplication": "true"} if name.endswith(".fifo") else {}
    moto.client("sns").create_topic(Name=name, Attributes=attributes)


SINGULAR = {"buckets": "bucket", "tables": "table", "queues": "queue", "topics": "topic", "buses": "bus"}
# kind -> how moto gets one (a table, not per-definition code).
PROVISIONERS = {
    "buckets": lambda moto, name, _: moto.client("s3").create_bucket(Bucket=name),
    "tables": provision_table,
    "queues": provision_queue,
    "topics": provision_topic,
    "buses": lambda moto, name, _: moto.client("events").create_event_bus(Name=name),
}


# ---------------------------------------------------------------- processes

LIVE = set()
LIVE_LOCK = threading.Lock()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_port(port, proc, seconds):
    deadline = time.time() + seconds
    while time.time() < deadline and proc.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return True
        except OSError:
            time.sleep(0.05)
    return False


def start(argv, cwd=None, log=None, env=None):
    out = open(log, "wb") if log else subprocess.DEVNULL
    try:
        proc = subprocess.Popen(argv, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
    finally:
        if log:
            out.close()  # the child holds its own copy
    with LIVE_LOCK:
        LIVE.add(proc)
    return proc


def stop(proc):
    """Ends a process this script started, and the process group it leads (Fluxo's function
    workers), by its id."""
    if proc is None:
        return
    for sig, wait in ((signal.SIGTERM, 5), (signal.SIGKILL, 5)):
        if proc.poll() is not None:
            break
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=wait)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)  # workers left behind by a leader that exited
    except (ProcessLookupError, PermissionError):
        pass
    with LIVE_LOCK:
        LIVE.discard(proc)


def client(service, url, timeout=30):
    return boto3.session.Session().client(
        service, endpoint_url=url, region_name=REGION, aws_access_key_id="test",
        aws_secret_access_key="test",
        config=botocore.config.Config(inject_host_prefix=False, retries={"max_attempts": 1},
                                      read_timeout=timeout, connect_timeout=5))


class HarnessError(Exception):
    pass


class Moto:
    """A moto server on a free loopback port; its output goes to a log that tells which
    actions it does not implement (it answers them with a 500 HTML page)."""

    def __init__(self, binary):
        self.binary, self.proc, self.url, self.clients = binary, None, None, {}
        self.log, self.offset = None, 0

    def ready(self):
        if self.proc is not None and self.proc.poll() is None:
            urllib.request.urlopen(urllib.request.Request(self.url + "/moto-api/reset", method="POST"),
                                   timeout=30).read()
            self.offset = os.path.getsize(self.log)
            return self.url
        self.clients = {}
        port = free_port()
        self.log = tempfile.mkstemp(prefix="real-world-moto-", suffix=".log")[1]
        self.offset = 0
        self.proc = start([self.binary, "-H", "127.0.0.1", "-p", str(port)], log=self.log)
        if not wait_port(port, self.proc, 30):
            stop(self.proc)
            raise HarnessError("moto did not start")
        self.url = f"http://127.0.0.1:{port}"
        return self.url

    def client(self, service):
        if service not in self.clients:
            self.clients[service] = client(service, self.url)
        return self.clients[service]

    def not_implemented(self):
        """The `NotImplementedError` lines moto logged since the last `ready`."""
        try:
            with open(self.log, errors="replace") as f:
                f.seek(self.offset)
                lines = f.read().splitlines()
        except (OSError, TypeError):
            return []
        return sorted({line.split(":", 1)[1].strip() for line in lines if line.startswith("NotImplementedError:")})

    def close(self):
        stop(self.proc)
        self.proc = None
        if self.log:
            os.unlink(self.log)
            self.log = None


class Fluxo:
    def __init__(self, binary, folder, moto_url, functions, models_dir):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.folder, self.log = folder, os.path.join(folder, "fluxo.log")
        with open(os.path.join(folder, "real_world_handler.py"), "w") as f:
            f.write(HANDLER)
        lines = ["[aws]", 'enabled = "all"', f"endpoint_url = {json.dumps(moto_url)}",
                 f"models_dir = {json.dumps(models_dir)}", ""]
        for name in sorted(functions):
            lines += [f"[functions.{json.dumps(name)}]", 'runtime = "python3"',
                      'handler = "real_world_handler.handler"', "timeout_seconds = 10", "concurrency = 2",
                      f"environment = {{ REAL_WORLD_FLUXO = {json.dumps(self.url)} }}", ""]
        with open(os.path.join(folder, "fluxo.toml"), "w") as f:
            f.write("\n".join(lines))
        env = dict(os.environ, AWS_ACCESS_KEY_ID="test", AWS_SECRET_ACCESS_KEY="test",
                   AWS_DEFAULT_REGION=REGION, AWS_EC2_METADATA_DISABLED="true")
        self.proc = start([binary, "server", "--listen", f"127.0.0.1:{self.port}",
                           "--data-dir", os.path.join(folder, "data"),
                           "--config", os.path.join(folder, "fluxo.toml")],
                          cwd=folder, log=self.log, env=env)
        if not wait_port(self.port, self.proc, 30):
            raise HarnessError("fluxo server did not start: " + self.log_tail())
        self.sfn = client("stepfunctions", self.url, timeout=70)

    def log_tail(self, lines=15):
        try:
            with open(self.log, errors="replace") as f:
                return " | ".join(f.read().splitlines()[-lines:])
        except OSError:
            return ""

    def panicked(self):
        try:
            with open(self.log, errors="replace") as f:
                return [line for line in f if "panicked" in line][:3]
        except OSError:
            return []


# ---------------------------------------------------------------- one definition

def express_definitions(sources_md):
    """File names whose source path (SOURCES.md) has a path segment with the word `express`."""
    express = set()
    with open(sources_md) as f:
        for line in f:
            cells = [c.strip().strip("`") for c in line.split("|")]
            if len(cells) > 4 and cells[1].endswith(".json"):
                words = re.split(r"[/_.-]", cells[3].lower())
                if "express" in words:
                    express.add(cells[1])
    return express


def states_by_name(definition):
    found, stack = {}, [definition]
    while stack:
        machine = stack.pop()
        states = machine.get("States") if isinstance(machine, dict) else None
        if not isinstance(states, dict):
            continue
        for name, state in states.items():
            if not isinstance(state, dict):
                continue
            found.setdefault(name, state)
            stack.extend(b for b in state.get("Branches") or [] if isinstance(b, dict))
            stack.extend(state[k] for k in ("ItemProcessor", "Iterator") if isinstance(state.get(k), dict))
    return found


def details(event):
    """An event's `...EventDetails` object."""
    for key, value in event.items():
        if key.endswith("EventDetails") and isinstance(value, dict):
            return value
    return {}


def simple_path(document, path):
    if not isinstance(path, str) or not re.fullmatch(r"\$(\.[A-Za-z0-9_-]+)+", path):
        return None
    for part in path[2:].split("."):
        document = document.get(part) if isinstance(document, dict) else None
    return document


def wait_ends(event, states):
    """The epoch second a WaitStateEntered event's wait ends, when the definition says."""
    d = details(event)
    state = states.get(d.get("name"), {})
    entered = event["timestamp"].timestamp()
    try:
        state_input = json.loads(d.get("input") or "null")
    except ValueError:
        state_input = None
    seconds = state.get("Seconds")
    if "SecondsPath" in state:
        seconds = simple_path(state_input, state["SecondsPath"])
    if isinstance(seconds, (int, float)) and not isinstance(seconds, bool):
        return entered + seconds, f"{seconds} s"
    stamp = state.get("Timestamp")
    if "TimestampPath" in state:
        stamp = simple_path(state_input, state["TimestampPath"])
    if isinstance(stamp, str):
        try:
            return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp(), f"until {stamp}"
        except ValueError:
            pass
    return None, "a duration the definition computes"


def parked(event):
    """Whether the last event is a callback or activity that only an outside party ends."""
    kind = event["type"]
    if kind in ("ActivityScheduled", "ActivityStarted"):
        return True
    return kind in ("TaskSubmitted", "TaskStarted") and "waitForTaskToken" in details(event).get("resource", "")


def poll(sfn, arn, states, opts):
    """Polls until the execution ends, its deadline passes, it sits on a Wait that ends after
    the deadline, or on a callback/activity unchanged for --idle seconds."""
    started = time.time()
    deadline, last_id, changed = started + opts.deadline, None, started
    while True:
        status = sfn.describe_execution(executionArn=arn)["status"]
        now = time.time()
        if status != "RUNNING" or now >= deadline:
            return status, round(now - started, 1), None
        events = sfn.get_execution_history(executionArn=arn, reverseOrder=True, maxResults=1)["events"]
        if events:
            if events[0]["id"] != last_id:
                last_id, changed = events[0]["id"], now
            # a Parallel's other branches may still move: the last event must sit for --idle
            if now - changed >= opts.idle:
                if events[0]["type"] == "WaitStateEntered":
                    ends, _ = wait_ends(events[0], states)
                    if ends is not None and ends > deadline:
                        return status, round(now - started, 1), "a Wait ending after the deadline"
                if parked(events[0]):
                    return status, round(now - started, 1), f"unanswered for {opts.idle:g} s"
        time.sleep(0.4)


def history(sfn, arn, limit=3000):
    events, token = [], None
    while len(events) < limit:
        page = sfn.get_execution_history(executionArn=arn, maxResults=1000, **({"nextToken": token} if token else {}))
        events += page["events"]
        token = page.get("nextToken")
        if not token:
            break
    return events


def first_line(text, width=300):
    text = (text or "").strip()
    return (text.splitlines() or [""])[0][:width]


# ---------------------------------------------------------------- what happened

def state_of(event, by_id):
    """The state an event belongs to: its chain of previous events up to a StateEntered (in a
    Parallel or Map the event just before is often another branch's)."""
    seen = 0
    while event is not None and seen < 10000:
        if event["type"].endswith("StateEntered"):
            return details(event).get("name")
        event, seen = by_id.get(event.get("previousEventId")), seen + 1
    return None


def analyse(events, states):
    """The failures an execution's history records (each with its state and time), the Fail
    state it ended through if any, and the state of its last event."""
    by_id = {event["id"]: event for event in events}
    failures, fail_state = [], None
    for event in events:
        kind, d = event["type"], details(event)
        if kind == "LambdaFunctionSucceeded" or (kind == "TaskSucceeded" and d.get("resourceType") == "lambda"):
            failures.append({"event": kind})  # a marker: a stand-in function answered before what follows
            continue
        if kind == "FailStateEntered":
            fail_state = d.get("name")
        # (a Parallel's or Map's own *Failed events carry no error: their branch's does)
        if (kind.endswith("Failed") or kind.endswith("TimedOut")) and not kind.startswith("Execution") and "error" in d:
            state = state_of(event, by_id)
            resource = d.get("resource")
            resource = f"{d.get('resourceType')}:{resource}" if resource else states.get(state, {}).get("Resource", "")
            failures.append({"event": kind, "state": state, "error": d.get("error", ""),
                             "cause": d.get("cause", ""), "resource": resource,
                             "at": event["timestamp"].timestamp()})
    return failures, fail_state, (state_of(events[-1], by_id) if events else None)


def waiting_on(events, states, state):
    if not events:
        return "no event recorded"
    last = events[-1]
    kind, d = last["type"], details(last)
    if kind == "WaitStateEntered":
        return f"Wait state '{state}' ({wait_ends(last, states)[1]})"
    if kind in ("ActivityScheduled", "ActivityStarted"):
        return f"activity {d.get('resource')} in '{state}' (no worker polls it)"
    if parked(last):
        return f"callback {d.get('resourceType')}:{d.get('resource')} in '{state}' (nobody sends its task token)"
    if kind.endswith("Failed") or kind.endswith("TimedOut"):
        return f"retrying '{state}' after {d.get('error')}: {first_line(d.get('cause'), 160)}"
    return f"last event {kind} in '{state}'"


INPUT = re.compile(r"could not be found in the input|could not be found in the object|Invalid path|"
                   r"evaluated to (null|undefined)|returned (nothing|undefined)|is undefined|"
                   r"not found in the (input|context)|produced no value|does not reference an input value|"
                   r"must be an array but was")
PARAMETER_SHAPE = re.compile(r"must be an? (object|list|string|number|boolean), as the \w+ of the API is")
STATE_IN_CAUSE = re.compile(r"executing the state '(.*?)' \(entered at the event id")
FLUXO_REFUSAL = re.compile(r"UNSUPPORTED_FEATURE|not supported by Fluxo|Fluxo cannot|Fluxo does not|"
                           r"turn(ed)? (it )?on in|is not supported\b")
MOTO_MISSING = re.compile(r"NotImplemented|not (yet )?implemented|UnknownOperation|InvalidAction|"
                          r"UnknownService|<!DOCTYPE|<html|404 Not Found|is not valid for this web service",
                          re.IGNORECASE)
MISSING = re.compile(r"ResourceNotFound|NoSuchKey|NoSuchBucket|NonExistentQueue|NotFound|does not exist|"
                     r"DoesNotExist|not found|Not Found|NoSuchEntity", re.IGNORECASE)

# kind -> (runs end to end, what it means)
KINDS = {
    "succeeded": (True, "SUCCEEDED"),
    "fail-state": (True, "reached a Fail state by its own logic"),
    "input": (True, "the workflow reads a field its data lacks (a path or expression error): the `{}` input, "
                    "or the stand-in functions' echo of it (marked 'after a function')"),
    "missing-resource": (True, "a service answered that a resource it names does not exist"),
    "service-error": (True, "a service refused the call (values the `{}` input left empty or wrong)"),
    "parameter-shape": (True, "Fluxo refused Parameters that do not fit the service API's shapes "
                              "(a string where DynamoDB's AttributeValue object goes): AWS checks them too"),
    "timeout": (True, "the workflow's own TimeoutSeconds/HeartbeatSeconds"),
    "workflow-error": (True, "an error the workflow raised itself"),
    "intrinsic-arguments": (True, "an intrinsic function refused the arguments the workflow gave it (a "
                                  "States.Format template without one {} per argument, which the "
                                  "developer guide requires)"),
    "invalid-definition": (False, "refused at creation: the definition is invalid"),
    "fluxo-unsupported": (False, "refused at creation: a feature Fluxo does not run (UNSUPPORTED_FEATURE)"),
    "fluxo-refusal": (False, "Fluxo refused a call at run time"),
    "moto-not-implemented": (False, "the compatible server (moto) does not implement the action "
                                    "(its log says NotImplementedError; it answers 500)"),
    "moto-error": (False, "the compatible server (moto) failed on the call (500) without saying it lacks it"),
    "no-api-model": (False, "no botocore API model for the service (Fluxo needs one for an aws-sdk call)"),
    "http-unreachable": (False, "an HTTP endpoint with no local counterpart"),
    "fluxo-error": (False, "a Fluxo error that looks like a Fluxo bug"),
    "stuck": (False, "still RUNNING at the deadline"),
    "harness": (False, "the harness could not run it"),
}


def failure_kind(error, cause, event=None, resource=""):
    text = f"{error} {cause}"
    if error in ("States.Runtime", "States.QueryEvaluationError", "States.IntrinsicFailure") and INPUT.search(cause):
        return "input"
    if error == "States.Runtime" and PARAMETER_SHAPE.search(cause):
        return "parameter-shape"
    if error == "States.Runtime" and "had the following error: Invalid arguments in States." in cause:
        return "intrinsic-arguments"
    if FLUXO_REFUSAL.search(text):
        return "fluxo-refusal"
    if MOTO_MISSING.search(text):
        return "moto-not-implemented"
    if "The API model of the service" in cause:
        return "no-api-model"
    if "Status Code: 500" in cause:
        return "moto-error"
    if error.startswith("States.Http") or (error == "States.Permissions" and "http" in resource):
        return "http-unreachable"
    if error == "States.Runtime" or "500 Internal" in text or "InternalServerError" in error:
        return "fluxo-error"
    if error in ("States.Timeout", "States.HeartbeatTimeout"):
        return "timeout"
    if MISSING.search(text):
        return "missing-resource"
    if event in ("TaskFailed", "LambdaFunctionFailed", "TaskStartFailed", "TaskSubmitFailed"):
        return "service-error"
    return "workflow-error"


def classify(record, failures, fail_state):
    """Sets record's `kind` and `why` (the failure that decided it) for a FAILED execution."""
    error, cause = record.get("error", ""), record.get("cause", "")
    record["after_function"] = any("error" not in f for f in failures)
    failures = [f for f in failures if "error" in f]
    root = failures[-1] if failures else None
    if fail_state and not root:
        record.update(kind="fail-state", why={"state": fail_state, "error": error, "cause": cause})
    elif root and (fail_state or root["error"] == error):
        # the error that was caught on the way to a Fail state, or the one that ended it
        kind = failure_kind(root["error"], root["cause"], root["event"], root["resource"])
        record.update(kind=kind, why=dict(root, then_fail_state=fail_state) if fail_state else dict(root))
    else:
        record.update(kind=failure_kind(error, cause), why={"state": record.get("state"), "error": error, "cause": cause})
    named = STATE_IN_CAUSE.search(record["why"].get("cause") or "")
    if named:
        record["why"]["state"] = named.group(1)


# ---------------------------------------------------------------- running

def provision(moto, found):
    made, failed = [], []
    for kind, make in PROVISIONERS.items():
        for name, detail in found[kind].items():
            try:
                make(moto, name, detail)
                made.append(f"{SINGULAR[kind]} {name}" + (f" {detail}" if detail else ""))
            except (ClientError, BotoCoreError) as e:
                failed.append(f"{SINGULAR[kind]} {name}: {e}")
    return made, failed


def create_in_fluxo(sfn, found):
    for name in found["activities"]:
        sfn.create_activity(name=name)
    for name in found["children"]:
        sfn.create_state_machine(name=name, definition=child_definition(), roleArn=ROLE)


def execute(record, sfn, arn, kind, states, opts):
    if kind == "EXPRESS":
        try:
            out = sfn.start_sync_execution(stateMachineArn=arn, input="{}")
        except (ClientError, BotoCoreError) as e:
            record.update(status="ERROR", kind="fluxo-error", error=type(e).__name__, cause=str(e))
            return
        record.update(status=out["status"], error=out.get("error", ""), cause=out.get("cause", ""))
        if out["status"] == "SUCCEEDED":
            record["kind"] = "succeeded"
        elif out["status"] == "FAILED":
            classify(record, [], None)
        else:
            record.update(kind="stuck", waiting_on=f"StartSyncExecution ended {out['status']}")
        return
    execution = sfn.start_execution(stateMachineArn=arn, input="{}")["executionArn"]
    status, seconds, cut = poll(sfn, execution, states, opts)
    events = history(sfn, execution)
    failures, fail_state, state = analyse(events, states)
    record.update(status=status, seconds=seconds, events=len(events), state=state, callbacks_answered=sum(
        1 for e in events if e["type"] == "TaskSucceeded" and "waitForTaskToken" in details(e).get("resource", "")))
    if status == "SUCCEEDED":
        record["kind"] = "succeeded"
    elif status == "RUNNING":
        record.update(kind="stuck", waiting_on=waiting_on(events, states, state), cut_short=cut)
        last = events[-1] if events else {"type": ""}
        if (last["type"].endswith("Failed") or last["type"].endswith("TimedOut")) and "Retry" not in states.get(state, {}):
            # nothing may follow a failure that no Retry catches but the end of the execution
            # (or a Catch's next state): an execution that sits after one has stalled
            record.update(kind="fluxo-error", why={"state": state, "error": "stalled", "cause": (
                f"RUNNING for {seconds} s after {last['type']} ({details(last).get('error')}) in '{state}', "
                "a state without Retry: the failure did not end the execution")})
    else:
        end = details(events[-1]) if events else {}
        record.update(error=end.get("error", ""), cause=end.get("cause", ""))
        classify(record, failures, fail_state)
        why = record["why"]
        late = events[-1]["timestamp"].timestamp() - why["at"] if events and "at" in why else 0
        if late > opts.idle and not fail_state and "Retry" not in states.get(why.get("state"), {}):
            # an uncaught failure ends the execution at once; this one waited for something else
            record.update(kind="fluxo-error", ended_late_seconds=round(late, 1), why=dict(why, cause=(
                f"the execution ended {late:.1f} s after {why['event']} ({why['error']}) in "
                f"'{why['state']}', a state without Retry: {first_line(why['cause'], 120)}")))
        if status != "FAILED":  # TIMED_OUT, ABORTED
            record["kind"] = "timeout" if status == "TIMED_OUT" else "fluxo-error"


def run_one(path, kind, opts, moto):
    name = os.path.basename(path)
    record = {"definition": name, "type": kind}
    text = open(path).read()
    try:
        definition = json.loads(text)
    except ValueError:
        definition = {}
    found = collect(definition)
    record["functions"] = sorted(found["functions"])
    record["children"] = sorted(found["children"])
    folder = tempfile.mkdtemp(prefix="real-world-")
    fluxo = None
    started = time.time()
    try:
        moto_url = moto.ready()
        record["provisioned"], record["provision_errors"] = provision(moto, found)
        functions = set(found["functions"]) | ({CHILD_FUNCTION} if found["children"] else set())
        fluxo = Fluxo(opts.fluxo, folder, moto_url, functions, opts.models_dir)
        create_in_fluxo(fluxo.sfn, found)
        machine = re.sub(r"[^A-Za-z0-9_-]", "-", name.removesuffix(".json"))[-80:].lstrip("-_")
        try:
            arn = fluxo.sfn.create_state_machine(name=machine, definition=text, roleArn=ROLE,
                                                 type=kind)["stateMachineArn"]
        except ClientError as e:
            message = e.response["Error"].get("Message", "")
            record.update(status="REFUSED", error=e.response["Error"].get("Code", ""), cause=message,
                          kind="fluxo-unsupported" if "UNSUPPORTED_FEATURE" in message else
                          "invalid-definition" if e.response["Error"].get("Code") == "InvalidDefinition"
                          else "fluxo-error")
            return record
        execute(record, fluxo.sfn, arn, kind, states_by_name(definition), opts)
        record["moto_not_implemented"] = moto.not_implemented()
        if record["kind"] == "moto-error" and record["moto_not_implemented"]:
            record["kind"] = "moto-not-implemented"
    except (HarnessError, ClientError, BotoCoreError, OSError) as e:
        crashed = fluxo is not None and fluxo.proc.poll() is not None
        # An error answer of Fluxo's own API is Fluxo's; a process that did not start is ours.
        record.update(status="ERROR", kind="fluxo-error" if crashed or isinstance(e, ClientError) else "harness",
                      error=type(e).__name__, cause=str(e) + (" | fluxo exited: " + fluxo.log_tail() if crashed else ""))
    finally:
        if fluxo is not None:
            if fluxo.proc.poll() is not None and record.get("kind") != "harness":
                record.update(kind="fluxo-error", fluxo_exited=fluxo.proc.returncode, log=fluxo.log_tail())
            if fluxo.panicked():
                record.update(kind="fluxo-error", panics=fluxo.panicked())
            stop(fluxo.proc)
        shutil.rmtree(folder, ignore_errors=True)
        record["wall_seconds"] = round(time.time() - started, 1)
    return record


# ---------------------------------------------------------------- report

def short(name, width=78):
    name = name.removesuffix(".json").replace("step-functions-workflows-collection__", "sfwc/")
    name = name.replace("serverless-patterns__", "sp/").replace("aws-stepfunctions-examples__", "ase/")
    return name if len(name) <= width else name[:width - 1] + "…"


def reason(record):
    kind = record["kind"]
    if kind == "succeeded":
        return f"{record.get('seconds', '')} s, {record.get('events', '?')} events" if record["type"] == "STANDARD" else "sync"
    if kind == "stuck":
        return "waits on " + record.get("waiting_on", "?")
    why = record.get("why") or {"error": record.get("error"), "cause": record.get("cause")}
    where = f"'{why['state']}' " if why.get("state") else ""
    then = f" -> Fail state '{why['then_fail_state']}'" if why.get("then_fail_state") else ""
    after = " (after a function)" if kind == "input" and record.get("after_function") else ""
    return f"{where}{why.get('error', '')}: {first_line(why.get('cause'), 200)}{then}{after}"


UNSUPPORTED = re.compile(r"Fluxo cannot call the resource '([^']+)'|(Fluxo runs [^;]*;[^']*?) at /"
                         r"|Fluxo runs '([^']+)' in Standard")


def stopper(record):
    """One line naming what ended (or stalled) a definition that did not succeed, shared by
    every definition stopped the same way."""
    kind, why = record["kind"], record.get("why") or {}
    if kind == "fluxo-unsupported":
        found = UNSUPPORTED.search(record.get("cause", ""))
        return "Fluxo refuses at creation: " + (next(g for g in found.groups() if g) if found else record.get("cause", "")[:120])
    if kind == "input":
        return ("input: a field the data lacks, after a stand-in function's echo" if record.get("after_function")
                else "input: a field the `{}` input lacks")
    if kind in ("moto-not-implemented", "moto-error", "no-api-model", "service-error", "missing-resource"):
        detail = "; ".join(record.get("moto_not_implemented") or []) or why.get("error", "")
        return f"{kind}: {detail}"
    if kind == "stuck":
        waiting = re.sub(r" in '.*?'", "", record.get("waiting_on", ""))
        waiting = re.sub(r"^Wait state '.*?'", "Wait state", waiting)
        return "still RUNNING: " + re.sub(r"^(retrying) .*? after (\S+).*", r"\1 after \2", waiting)
    if kind == "fluxo-error":
        return f"Fluxo error: {why.get('error') or record.get('error')}: {first_line(why.get('cause') or record.get('cause'), 100)}"
    return f"{kind}: {why.get('error') or record.get('error', '')}".rstrip(": ")


def report(records, wall, opts):
    groups = {}
    for r in records:
        groups.setdefault(r["kind"], []).append(r)
    for kind, (e2e, meaning) in KINDS.items():
        rows = sorted(groups.get(kind, []), key=lambda r: r["definition"])
        if not rows:
            continue
        print(f"\n== {kind} ({len(rows)}): {meaning}{'' if e2e else '  [not end to end]'}")
        for r in rows:
            print(f"  {short(r['definition']):<78}  {reason(r)}")
    count = lambda kind: len(groups.get(kind, []))
    part = lambda e2e: ", ".join(f"{k} {count(k)}" for k, (e, _) in KINDS.items()
                                 if e == e2e and k != "succeeded" and count(k))
    ran_failed = sum(count(k) for k, (e, _) in KINDS.items() if e and k != "succeeded")
    not_e2e = sum(count(k) for k, (e, _) in KINDS.items() if not e)
    summary = (f"real-world: {count('succeeded')} ran to SUCCEEDED, {ran_failed} ended FAILED by the "
               f"workflow's own logic or input having run end to end ({part(True)}), {not_e2e} did not "
               f"run end to end ({part(False)}); {len(records)} definitions in {wall:.0f} s wall "
               f"({opts.threads} threads, deadline {opts.deadline:g} s)")
    stops = {}
    for r in records:
        if r["kind"] != "succeeded":
            stops.setdefault(stopper(r), []).append(r["definition"])
    print("\n== what stops them (every outcome but SUCCEEDED, grouped by cause)")
    for cause, names in sorted(stops.items(), key=lambda item: (-len(item[1]), item[0])):
        print(f"  {len(names):>3}  {cause}")
        if not opts.quiet:
            for name in sorted(names):
                print(f"         {short(name)}")
    print("\n" + summary)
    return summary


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpus", nargs="?", default=DEFAULT_CORPUS)
    parser.add_argument("--fluxo", required=True)
    parser.add_argument("--moto", default=os.environ.get("FLUXO_TEST_MOTO"))
    parser.add_argument("--json")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--deadline", type=float, default=90)
    parser.add_argument("--idle", type=float, default=5)
    parser.add_argument("--filter")
    parser.add_argument("--models-dir", default=os.path.join(os.path.dirname(botocore.__file__), "data"))
    parser.add_argument("--fresh-moto", action="store_true")
    parser.add_argument("--quiet", action="store_true")
    try:
        opts = parser.parse_args()
    except SystemExit:
        return 2
    folder = os.path.join(opts.corpus, "definitions")
    if not opts.moto or not os.path.isfile(opts.moto) or not os.path.isfile(opts.fluxo) or not os.path.isdir(folder):
        print("real-world-run.py: give --fluxo BIN, --moto MOTO_SERVER (or FLUXO_TEST_MOTO) and a corpus "
              "folder holding definitions/", file=sys.stderr)
        return 2
    opts.fluxo, opts.moto = os.path.abspath(opts.fluxo), os.path.abspath(opts.moto)
    express = express_definitions(os.path.join(opts.corpus, "SOURCES.md"))
    paths = sorted(os.path.join(folder, f) for f in os.listdir(folder) if f.endswith(".json"))
    if opts.filter:
        paths = [p for p in paths if any(s in os.path.basename(p) for s in opts.filter.split(","))]
    local = threading.local()
    motos, motos_lock = [], threading.Lock()

    def work(path):
        if opts.fresh_moto or not hasattr(local, "moto"):
            if hasattr(local, "moto"):
                local.moto.close()
            local.moto = Moto(opts.moto)
            with motos_lock:
                motos.append(local.moto)
        kind = "EXPRESS" if os.path.basename(path) in express else "STANDARD"
        try:
            record = run_one(path, kind, opts, local.moto)
        except Exception as e:  # the harness's own failure, reported with the definition
            record = {"definition": os.path.basename(path), "type": kind, "status": "ERROR",
                      "kind": "harness", "error": type(e).__name__, "cause": str(e)}
        if not opts.quiet:
            print(f"{record['kind']:<20} {short(record['definition'])}  {reason(record)}", flush=True)
        return record

    started = time.time()
    try:
        with ThreadPoolExecutor(max_workers=max(1, opts.threads)) as pool:
            records = list(pool.map(work, paths))
    finally:
        for moto in motos:
            moto.close()
        with LIVE_LOCK:
            leftover = list(LIVE)
        for proc in leftover:
            stop(proc)
    wall = time.time() - started
    summary = report(records, wall, opts)
    if opts.json:
        with open(opts.json, "w") as f:
            json.dump({"summary": summary, "wall_seconds": round(wall, 1), "threads": opts.threads,
                       "deadline_seconds": opts.deadline, "idle_seconds": opts.idle,
                       "kinds": {k: {"end_to_end": e, "meaning": m} for k, (e, m) in KINDS.items()},
                       "definitions": records}, f, indent=1, default=str)
    return 1 if any(r["kind"] == "harness" for r in records) else 0


if __name__ == "__main__":
    sys.exit(main())
