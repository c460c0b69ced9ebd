"""Files an approval request: the document, the execution's name and the task token that
answers it, as `pending/<execution>.json` beside this file. The execution then waits, holding
no memory, until `approve.py` sends SendTaskSuccess or SendTaskFailure with that token (or its
one-week TimeoutSeconds passes).

A real deployment would send the token in an e-mail link or a chat message instead; the
folder keeps the example self-contained.
"""
import json
import os

PENDING = os.path.join(os.path.dirname(os.path.abspath(__file__)), "pending")


def handler(event, context):
    os.makedirs(PENDING, exist_ok=True)
    name = event["execution"]
    path = os.path.join(PENDING, f"{name}.json")
    temporary = path + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        json.dump(event, f)
    # Whole files only: the approver never reads half a request.
    os.replace(temporary, path)
    print(f"approval requested for {name}")
    return {"filed": name}
