# Fluxo's warm worker for Python handlers: imports the handler once, then serves invocations.
# Protocol: one JSON request per line on stdin, one JSON response per line on the original
# stdout. The handler's own prints go to stderr so they can never corrupt the protocol.
import importlib.util
import json
import os
import sys
import time
import traceback

CODE_ROOT = "/var/task"


class Context:
    def __init__(self, request):
        self.function_name = request.get("function_name", "")
        self.function_version = "$LATEST"
        self.invoked_function_arn = request.get("function_arn", "")
        self.memory_limit_in_mb = 128
        self.aws_request_id = request.get("request_id", "")
        self.log_group_name = "/aws/lambda/" + self.function_name
        self.log_stream_name = "fluxo"
        self._deadline_ms = request.get("deadline_ms", 0)

    def get_remaining_time_in_millis(self):
        return max(0, int(self._deadline_ms - time.time() * 1000))


def lambda_path(filename, root):
    # Frames are shown as Lambda shows them: relative to the code root, under /var/task.
    try:
        relative = os.path.relpath(filename, root)
    except ValueError:
        return filename
    if relative.startswith(".."):
        return filename
    return CODE_ROOT + "/" + relative


def error_payload(exc, request_id, root, skip_frames):
    frames = traceback.extract_tb(exc.__traceback__)[skip_frames:]
    for frame in frames:
        frame.filename = lambda_path(frame.filename, root)
    return {
        "errorMessage": str(exc),
        "errorType": type(exc).__name__,
        "requestId": request_id,
        "stackTrace": traceback.format_list(frames),
    }


class Captured:
    """The handler's prints: kept for the invocation's log, and still shown on stderr."""

    def __init__(self):
        self.parts = []

    def write(self, text):
        self.parts.append(text)
        return sys.__stderr__.write(text)

    def flush(self):
        sys.__stderr__.flush()

    def text(self):
        return "".join(self.parts)


def main():
    path, function_name = sys.argv[1], sys.argv[2]
    root = os.path.dirname(os.path.abspath(path))
    protocol = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    sys.path.insert(0, root)
    try:
        spec = importlib.util.spec_from_file_location(
            os.path.splitext(os.path.basename(path))[0], path
        )
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        handler = getattr(module, function_name)
    except Exception as exc:  # reported to every call: the function cannot start
        failure = {
            "errorMessage": "Unable to import module or find handler: %s" % exc,
            "errorType": "Runtime.ImportModuleError",
            "stackTrace": [],
        }
        for line in sys.stdin:
            request = json.loads(line)
            failure["requestId"] = request.get("request_id", "")
            protocol.write(json.dumps({"error": failure}) + "\n")
            protocol.flush()
        return

    for line in sys.stdin:
        request = json.loads(line)
        request_id = request.get("request_id", "")
        captured = Captured()
        sys.stdout = captured
        try:
            result = handler(request.get("event"), Context(request))
            response = None
        except Exception as exc:
            response = {"error": error_payload(exc, request_id, root, 1)}
        finally:
            sys.stdout = sys.stderr
        if response is None:
            try:
                if isinstance(result, (bytes, bytearray)):
                    response = {"result_text": bytes(result).decode("utf-8")}
                else:
                    response = {"result_text": json.dumps(result)}
            except (TypeError, ValueError, UnicodeDecodeError) as exc:
                response = {"error": {
                    "errorMessage": "Unable to marshal response: %s" % exc,
                    "errorType": "Runtime.MarshalError",
                    "requestId": request_id,
                    "stackTrace": [],
                }}
        response["log"] = captured.text()[-8192:]
        encoded = json.dumps(response)
        protocol.write(encoded + "\n")
        protocol.flush()


if __name__ == "__main__":
    main()
