"""A pool of activity workers written against boto3, as a user would write them.

Usage: activity_workers.py ENDPOINT_FILE ACTIVITY_ARN COUNT WORKERS OUT_JSON

Each worker long-polls GetActivityTask, heartbeats while it works, and answers with
SendTaskSuccess ({"double": 2n} for the input {"n": n}). Some workers die in the middle of a
task (they take it and vanish without a word: their task must time out on its heartbeat and be
scheduled again by Retry) and are replaced by fresh ones. The server may be killed and
restarted meanwhile: ENDPOINT_FILE always holds its current address, and a worker whose call
fails reads it again and retries the call (a task's token stays valid across a restart).

The pool stops once every n in 0..COUNT has had one accepted SendTaskSuccess, and writes
{"accepted": {n: count}, "refused": count, "abandoned": count, "seconds": s} to OUT_JSON.
"""
import json
import random
import sys
import threading
import time

import boto3
import botocore.config
import botocore.exceptions

ENDPOINT_FILE, ACTIVITY, COUNT, WORKERS, OUT = sys.argv[1:6]
COUNT, WORKERS = int(COUNT), int(WORKERS)
DEATH_RATE = 0.03
lock = threading.Lock()
accepted = {}
# Inputs whose SendTaskSuccess the server took but whose answer a kill lost: the retry is refused
# because the task has ended. The Rust side checks in the histories that each ended once.
lost = set()
refused = 0
abandoned = 0
done = threading.Event()
started = time.time()


def client():
    endpoint = open(ENDPOINT_FILE).read().strip()
    return boto3.client(
        "stepfunctions",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="any",
        aws_secret_access_key="any",
        # Longer than the 60 s long poll; no automatic retries: this worker decides.
        config=botocore.config.Config(read_timeout=70, retries={"max_attempts": 1}),
    )


class Worker:
    def __init__(self, name):
        self.name = name
        self.sfn = client()
        self.interrupted = False

    def call(self, operation, **kwargs):
        """Calls until the server answers (it may be restarting on another port)."""
        self.interrupted = False
        while not done.is_set():
            try:
                return getattr(self.sfn, operation)(**kwargs)
            except (botocore.exceptions.EndpointConnectionError,
                    botocore.exceptions.ConnectionClosedError,
                    botocore.exceptions.ReadTimeoutError):
                self.interrupted = True
                time.sleep(0.2)
                self.sfn = client()
        return None

    def run(self):
        while not done.is_set():
            task = self.call("get_activity_task", activityArn=ACTIVITY, workerName=self.name)
            if not task or not task.get("taskToken"):
                continue
            token, n = task["taskToken"], json.loads(task["input"])["n"]
            if random.random() < DEATH_RATE:
                global abandoned
                with lock:
                    abandoned += 1
                return  # dies holding the task; the pool starts a fresh worker
            try:
                time.sleep(random.uniform(0, 0.05))
                self.call("send_task_heartbeat", taskToken=token)
                time.sleep(random.uniform(0, 0.05))
                answer = self.call("send_task_success", taskToken=token,
                                   output=json.dumps({"double": 2 * n}))
            except self.sfn.exceptions.TaskTimedOut:
                # After an interrupted call (the server was killed), the task may have ended
                # with this very answer, taken before the kill: "does not exist anymore" then
                # means the answer was lost to the kill, not refused.
                answer = "lost" if self.interrupted else None
            except (self.sfn.exceptions.TaskDoesNotExist, self.sfn.exceptions.InvalidToken):
                if not self.interrupted:
                    raise
                with lock:
                    lost.add(n)
                    if len(lost | set(accepted)) == COUNT:
                        done.set()
                continue
            with lock:
                if answer == "lost":
                    lost.add(n)
                    if len(lost | set(accepted)) == COUNT:
                        done.set()
                elif answer is None:
                    global refused
                    refused += 1
                else:
                    accepted[n] = accepted.get(n, 0) + 1
                    if len(lost | set(accepted)) == COUNT:
                        done.set()


def supervise(index):
    generation = 0
    while not done.is_set():
        try:
            Worker(f"worker-{index}-{generation}").run()
        except Exception as error:  # a worker that fails is replaced, as in a real pool
            print(f"worker-{index}-{generation}: {error!r}", file=sys.stderr)
        generation += 1


threads = [threading.Thread(target=supervise, args=(i,), daemon=True) for i in range(WORKERS)]
for thread in threads:
    thread.start()
done.wait(timeout=600)
with open(OUT, "w") as out:
    json.dump({"accepted": accepted, "lost": sorted(lost), "refused": refused, "abandoned": abandoned,
               "seconds": time.time() - started}, out)
finished = len(lost | set(accepted))
print(f"pool: {finished} of {COUNT} done ({len(lost)} answers lost to a kill), {abandoned} abandoned, {refused} refused, "
      f"{time.time() - started:.1f} s")
sys.exit(0 if finished == COUNT else 1)
