"""Answers a pending approval request filed by `request_approval.py`, with boto3 only.

Usage:
  approve.py ENDPOINT                      lists the pending requests
  approve.py ENDPOINT NAME --approve       SendTaskSuccess: the execution goes on to Approved
  approve.py ENDPOINT NAME --reject WHY    SendTaskFailure with error "Rejected" and WHY as cause
"""
import argparse
import json
import os
import sys

import boto3

PENDING = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pending")

parser = argparse.ArgumentParser()
parser.add_argument("endpoint")
parser.add_argument("name", nargs="?")
group = parser.add_mutually_exclusive_group()
group.add_argument("--approve", action="store_true")
group.add_argument("--reject", metavar="WHY")
parser.add_argument("--approver", default=os.environ.get("USER", "someone"))
args = parser.parse_args()

if not args.name:
    for file in sorted(os.listdir(PENDING)) if os.path.isdir(PENDING) else []:
        if file.endswith(".json"):
            with open(os.path.join(PENDING, file), encoding="utf-8") as f:
                request = json.load(f)
            print(f"{request['execution']}: {json.dumps(request['document'])}")
    sys.exit(0)
if not (args.approve or args.reject):
    parser.error("say --approve or --reject WHY")

path = os.path.join(PENDING, f"{args.name}.json")
with open(path, encoding="utf-8") as f:
    request = json.load(f)
sfn = boto3.client(
    "stepfunctions",
    endpoint_url=args.endpoint,
    region_name="us-east-1",
    aws_access_key_id="any",
    aws_secret_access_key="any",
)
if args.approve:
    output = {"approved": True, "approver": args.approver}
    sfn.send_task_success(taskToken=request["taskToken"], output=json.dumps(output))
else:
    sfn.send_task_failure(taskToken=request["taskToken"], error="Rejected", cause=args.reject)
os.remove(path)
print(f"{args.name}: {'approved' if args.approve else 'rejected'}")
