#!/usr/bin/env python3
"""Server CPU while N GetActivityTask long polls wait on one activity (no tasks): how much the
open polls alone cost. usage: activity-poll-load.py FLUXO_BINARY N  (needs boto3)"""
import boto3, botocore, subprocess, sys, time, threading, os, tempfile, socket
binary = sys.argv[1]; n = int(sys.argv[2])
s = socket.socket(); s.bind(("127.0.0.1", 0)); port = s.getsockname()[1]; s.close()
data = tempfile.mkdtemp()
proc = subprocess.Popen([binary, "server", "--listen", f"127.0.0.1:{port}", "--data-dir", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
time.sleep(2)
cfg = botocore.config.Config(max_pool_connections=n + 10, read_timeout=70, retries={"max_attempts": 0})
sfn = boto3.client("stepfunctions", endpoint_url=f"http://127.0.0.1:{port}", region_name="us-east-1",
                   aws_access_key_id="x", aws_secret_access_key="x", config=cfg)
arn = sfn.create_activity(name="a")["activityArn"]
def poll():
    try: sfn.get_activity_task(activityArn=arn, workerName="w")
    except Exception as e: pass
threads = [threading.Thread(target=poll, daemon=True) for _ in range(n)]
for t in threads: t.start()
time.sleep(5)
def cpu():
    with open(f"/proc/{proc.pid}/stat") as f: parts = f.read().split(")")[1].split()
    return (int(parts[11]) + int(parts[12])) / os.sysconf("SC_CLK_TCK")
c0 = cpu(); time.sleep(20); c1 = cpu()
print(f"{binary}: {n} open polls, server CPU {c1-c0:.2f} s over 20 s ({(c1-c0)/20*100:.0f}% of a core)")
proc.kill()
