"""An activity worker for the document-validation flow, written against boto3 only.

It takes documents from the `validate-document` activity (GetActivityTask, a long poll of up
to 60 s), checks each with the same handler as the Lambda-style example
(`../document-validation/validate_document.py`), sends a heartbeat while it works, and answers
with SendTaskSuccess (or SendTaskFailure if the check itself breaks).

Usage: worker.py ENDPOINT [--tasks N]   (N: stop after N tasks; default: run until killed)
"""
import argparse
import json
import os
import socket
import sys

import boto3
import botocore.config

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "document-validation"))
from validate_document import handler  # noqa: E402

parser = argparse.ArgumentParser()
parser.add_argument("endpoint")
parser.add_argument("--tasks", type=int, default=0)
args = parser.parse_args()

sfn = boto3.client(
    "stepfunctions",
    endpoint_url=args.endpoint,
    region_name="us-east-1",
    aws_access_key_id="any",
    aws_secret_access_key="any",
    # Longer than the 60 s long poll.
    config=botocore.config.Config(read_timeout=70),
)
activity = sfn.create_activity(name="validate-document")["activityArn"]
worker_name = f"{socket.gethostname()}-{os.getpid()}"
done = 0
while not args.tasks or done < args.tasks:
    task = sfn.get_activity_task(activityArn=activity, workerName=worker_name)
    token = task.get("taskToken")
    if not token:
        continue  # nothing within 60 s: poll again
    sfn.send_task_heartbeat(taskToken=token)
    try:
        verdict = handler(json.loads(task["input"]), None)
    except Exception as error:  # the check broke: the state's Retry/Catch decide
        sfn.send_task_failure(taskToken=token, error=type(error).__name__, cause=str(error))
    else:
        sfn.send_task_success(taskToken=token, output=json.dumps(verdict))
    done += 1
print(f"{worker_name}: {done} documents checked")
