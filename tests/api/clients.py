"""Drives a running `fluxo server` with boto3 and the AWS CLI, as a user would.

Usage: clients.py ENDPOINT EXAMPLE_DIR. Exits non-zero on the first failed check.
"""
import json
import os
import shutil
import subprocess
import sys
import time

import boto3
import botocore
import botocore.config

ENDPOINT, EXAMPLE = sys.argv[1], sys.argv[2]
client = boto3.client(
    "stepfunctions",
    endpoint_url=ENDPOINT,
    region_name="us-east-1",
    aws_access_key_id="any",
    aws_secret_access_key="any",
)
ROLE = "arn:aws:iam::123456789012:role/fluxo"
checks = 0


def check(condition, what):
    global checks
    checks += 1
    if not condition:
        print(f"FAILED: {what}")
        sys.exit(1)


def raises(exception, call, *args, **kwargs):
    try:
        call(*args, **kwargs)
    except exception:
        return True
    except botocore.exceptions.ClientError as error:
        print(f"FAILED: expected {exception.__name__}, got {error.response['Error']['Code']}")
        sys.exit(1)
    print(f"FAILED: expected {exception.__name__}, got no error")
    sys.exit(1)


def wait_for(arn):
    for _ in range(200):
        described = client.describe_execution(executionArn=arn)
        if described["status"] != "RUNNING":
            return described
        time.sleep(0.05)
    raise AssertionError(f"{arn} did not finish")


definition = open(os.path.join(EXAMPLE, "state-machine.asl.json")).read()
valid = open(os.path.join(EXAMPLE, "documents/valid.json")).read()
invalid = open(os.path.join(EXAMPLE, "documents/invalid.json")).read()

# Create, idempotently; describe; list.
created = client.create_state_machine(name="document-validation", definition=definition, roleArn=ROLE,
                                      tags=[{"key": "team", "value": "docs"}])
arn = created["stateMachineArn"]
check(arn.endswith(":stateMachine:document-validation"), "state machine ARN")
check(client.create_state_machine(name="document-validation", definition=definition, roleArn=ROLE)["stateMachineArn"] == arn,
      "identical create is idempotent")
raises(client.exceptions.StateMachineAlreadyExists, client.create_state_machine,
       name="document-validation", definition=definition.replace("30", "31"), roleArn=ROLE)
described = client.describe_state_machine(stateMachineArn=arn)
check(described["definition"] == definition and described["type"] == "STANDARD", "describe state machine")
check(any(m["stateMachineArn"] == arn for m in client.list_state_machines()["stateMachines"]), "list state machines")

# The example through the API: both outcomes.
ok = client.start_execution(stateMachineArn=arn, name="valid-document", input=valid)
bad = client.start_execution(stateMachineArn=arn, name="invalid-document", input=invalid)
check(client.start_execution(stateMachineArn=arn, name="valid-document", input=valid)["executionArn"] == ok["executionArn"],
      "StartExecution is idempotent by name")
raises(client.exceptions.ExecutionAlreadyExists, client.start_execution, stateMachineArn=arn, name="valid-document", input="{}")
done = wait_for(ok["executionArn"])
check(done["status"] == "SUCCEEDED" and json.loads(done["output"])["valido"] is True, "valid document succeeds")
failed = wait_for(bad["executionArn"])
check(failed["status"] == "FAILED" and failed["error"] == "Documento Inválido", "invalid document fails")
history = client.get_execution_history(executionArn=ok["executionArn"])["events"]
check([e["type"] for e in history][:3] == ["ExecutionStarted", "TaskStateEntered", "LambdaFunctionScheduled"], "history order")
check([e["id"] for e in history] == list(range(1, len(history) + 1)), "history ids")
reverse = client.get_execution_history(executionArn=ok["executionArn"], reverseOrder=True, maxResults=2)
check([e["type"] for e in reverse["events"]] == ["ExecutionSucceeded", "SucceedStateExited"] and "nextToken" in reverse,
      "reverse order and pagination")
rest = client.get_execution_history(executionArn=ok["executionArn"], reverseOrder=True, nextToken=reverse["nextToken"])
check(len(rest["events"]) == len(history) - 2, "next page")
no_data = client.get_execution_history(executionArn=ok["executionArn"], includeExecutionData=False)["events"]
check("input" not in no_data[0]["executionStartedEventDetails"], "includeExecutionData=false hides data")
check(client.describe_state_machine_for_execution(executionArn=ok["executionArn"])["stateMachineArn"] == arn,
      "describe state machine for execution")

# Listing with a status filter and pages.
for n in range(5):
    client.start_execution(stateMachineArn=arn, name=f"page-{n}", input=valid)
listed = client.list_executions(stateMachineArn=arn, maxResults=3)
check(len(listed["executions"]) == 3 and "nextToken" in listed, "list executions page")
failed_only = client.list_executions(stateMachineArn=arn, statusFilter="FAILED")["executions"]
check([e["name"] for e in failed_only] == ["invalid-document"], "status filter")

# Stop a waiting execution.
waiting = client.create_state_machine(
    name="waiting", roleArn=ROLE,
    definition=json.dumps({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 3600, "End": True}}}))
running = client.start_execution(stateMachineArn=waiting["stateMachineArn"])
time.sleep(0.2)
client.stop_execution(executionArn=running["executionArn"], error="Stopped.ByTest", cause="enough")
stopped = client.describe_execution(executionArn=running["executionArn"])
check(stopped["status"] == "ABORTED" and stopped["error"] == "Stopped.ByTest", "stop execution")
check(client.get_execution_history(executionArn=running["executionArn"])["events"][-1]["type"] == "ExecutionAborted",
      "aborted event")

# Update, tags, validation, delete.
client.update_state_machine(stateMachineArn=arn, definition=definition.replace("30", "20"))
check('"TimeoutSeconds": 20' in client.describe_state_machine(stateMachineArn=arn)["definition"], "update")
client.tag_resource(resourceArn=arn, tags=[{"key": "env", "value": "test"}])
client.untag_resource(resourceArn=arn, tagKeys=["team"])
check(client.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "env", "value": "test"}], "tags")
validated = client.validate_state_machine_definition(definition='{"StartAt": "Nowhere", "States": {"A": {"Type": "Succeed"}}}')
check(validated["result"] == "FAIL" and any(d["code"] == "MISSING_TRANSITION_TARGET" for d in validated["diagnostics"]),
      "validation diagnostics")
check(client.validate_state_machine_definition(definition=definition)["result"] == "OK", "valid definition")

# Each error class as the SDK raises it.
missing = arn.replace("document-validation", "missing")
raises(client.exceptions.StateMachineDoesNotExist, client.describe_state_machine, stateMachineArn=missing)
raises(client.exceptions.ExecutionDoesNotExist, client.describe_execution,
       executionArn=ok["executionArn"].replace("valid-document", "nobody"))
raises(client.exceptions.InvalidArn, client.describe_execution, executionArn="not-an-arn")
raises(client.exceptions.InvalidName, client.create_state_machine, name="bad name!", definition=definition, roleArn=ROLE)
raises(client.exceptions.InvalidDefinition, client.create_state_machine, name="broken", definition="{", roleArn=ROLE)
raises(client.exceptions.InvalidExecutionInput, client.start_execution, stateMachineArn=arn, input="{not json")
raises(client.exceptions.ResourceNotFound, client.list_tags_for_resource, resourceArn=missing)
client.delete_state_machine(stateMachineArn=waiting["stateMachineArn"])
raises(client.exceptions.StateMachineDoesNotExist, client.describe_state_machine, stateMachineArn=waiting["stateMachineArn"])

# Express: StartSyncExecution answers with the whole result. botocore sends it to a `sync-` host
# prefix; with a local endpoint that name does not resolve, so the prefix is turned off.
sync_client = boto3.client(
    "stepfunctions",
    endpoint_url=ENDPOINT,
    region_name="us-east-1",
    aws_access_key_id="any",
    aws_secret_access_key="any",
    config=botocore.config.Config(inject_host_prefix=False),
)
express = client.create_state_machine(name="document-validation-express", definition=definition, roleArn=ROLE,
                                      type="EXPRESS")["stateMachineArn"]
synced = sync_client.start_sync_execution(stateMachineArn=express, input=valid)
check(synced["status"] == "SUCCEEDED" and json.loads(synced["output"])["valido"] is True, "sync express execution")
check(":express:document-validation-express:" in synced["executionArn"], "express execution ARN")
check(synced["billingDetails"]["billedDurationInMilliseconds"] % 100 == 0, "billing details")
refused = sync_client.start_sync_execution(stateMachineArn=express, input=invalid)
check(refused["status"] == "FAILED" and refused["error"] == "Documento Inválido", "sync express failure")
check("executionArn" in client.start_execution(stateMachineArn=express, input=valid), "async express start")
# AWS keeps no history of Express executions: describing one names the resource type it refuses.
try:
    client.describe_execution(executionArn=synced["executionArn"])
    check(False, "describe_execution of an Express execution is refused")
except client.exceptions.InvalidArn as error:
    check("Resource type not valid in this context: express" in str(error), f"express describe: {error}")
raises(client.exceptions.InvalidArn, client.get_execution_history, executionArn=synced["executionArn"])
raises(client.exceptions.StateMachineTypeNotSupported, client.list_executions, stateMachineArn=express)
raises(client.exceptions.StateMachineTypeNotSupported, sync_client.start_sync_execution, stateMachineArn=arn, input=valid)

# The AWS CLI, when installed beside boto3.
aws = shutil.which("aws")
if aws:
    env = dict(os.environ, AWS_ACCESS_KEY_ID="any", AWS_SECRET_ACCESS_KEY="any", AWS_DEFAULT_REGION="us-east-1")
    out = subprocess.run([aws, "stepfunctions", "list-state-machines", "--endpoint-url", ENDPOINT],
                         capture_output=True, text=True, env=env)
    check(out.returncode == 0 and "document-validation" in out.stdout, f"aws cli list-state-machines: {out.stderr}")
    out = subprocess.run([aws, "stepfunctions", "describe-execution", "--endpoint-url", ENDPOINT,
                          "--execution-arn", ok["executionArn"]], capture_output=True, text=True, env=env)
    check(out.returncode == 0 and json.loads(out.stdout)["status"] == "SUCCEEDED", "aws cli describe-execution")
else:
    print("aws CLI not installed: its checks were skipped")

print(f"clients: {checks} checks passed")
