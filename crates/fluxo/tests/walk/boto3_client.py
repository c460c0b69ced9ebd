"""The boto3 client of the every-action walk (crates/fluxo/tests/walk/main.rs).

Usage: boto3_client.py ENDPOINT. Reads one request a line from stdin,
`{"action": "StartExecution", "request": {...}}`, calls it with boto3 exactly as a user would
(`client.start_execution(**request)`, so botocore validates the parameters against its model),
and writes one line: `{"ok": RESPONSE}` with timestamps as epoch seconds, or
`{"error": {"code", "message", "status"}}`.
"""
import datetime
import json
import sys

import boto3
import botocore.config
import botocore.exceptions
from botocore import xform_name

client = boto3.client(
    "stepfunctions",
    endpoint_url=sys.argv[1],
    region_name="us-east-1",
    aws_access_key_id="any",
    aws_secret_access_key="any",
    # StartSyncExecution's `sync-` host prefix names no local host; GetActivityTask long-polls
    # up to 60 s; one attempt per call, so that a failure is seen rather than retried away.
    config=botocore.config.Config(
        inject_host_prefix=False, read_timeout=70, retries={"total_max_attempts": 1}
    ),
)


def plain(value):
    """The response as JSON: botocore parses timestamps into datetimes."""
    if isinstance(value, datetime.datetime):
        return value.timestamp()
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items() if key != "ResponseMetadata"}
    if isinstance(value, list):
        return [plain(item) for item in value]
    return value


for line in sys.stdin:
    call = json.loads(line)
    try:
        method = getattr(client, xform_name(call["action"]))
        answer = {"ok": plain(method(**call["request"]))}
    except botocore.exceptions.ClientError as error:
        answer = {
            "error": {
                "code": error.response["Error"]["Code"],
                "message": error.response["Error"].get("Message", ""),
                "status": error.response["ResponseMetadata"].get("HTTPStatusCode"),
            }
        }
    except botocore.exceptions.ParamValidationError as error:
        answer = {"error": {"code": "ParamValidationError", "message": str(error), "status": None}}
    print(json.dumps(answer), flush=True)
