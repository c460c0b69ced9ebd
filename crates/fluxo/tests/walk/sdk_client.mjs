// The AWS SDK for JavaScript v3 client of the every-action walk (crates/fluxo/tests/walk/main.rs):
// `@aws-sdk/client-sfn`, pinned by package-lock.json beside this file.
//
// Usage: node sdk_client.mjs ENDPOINT. Reads one request a line from stdin,
// `{"action": "StartExecution", "request": {...}}`, sends the SDK's `StartExecutionCommand`
// with it, and writes one line: `{"ok": RESPONSE}` with Dates as epoch seconds and without
// `$metadata`, or `{"error": {"code", "message", "status"}}`.
import * as sfn from "@aws-sdk/client-sfn";
import { createInterface } from "node:readline";

const client = new sfn.SFNClient({
  endpoint: process.argv[2],
  region: "us-east-1",
  credentials: { accessKeyId: "any", secretAccessKey: "any" },
  // StartSyncExecution's `sync-` host prefix names no local host; one attempt per call, so
  // that a failure is seen rather than retried away.
  disableHostPrefix: true,
  maxAttempts: 1,
});

function plain(value) {
  if (value instanceof Date) return value.getTime() / 1000;
  if (Array.isArray(value)) return value.map(plain);
  if (value !== null && typeof value === "object") {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      if (key !== "$metadata" && item !== undefined) out[key] = plain(item);
    }
    return out;
  }
  return value;
}

const lines = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of lines) {
  const call = JSON.parse(line);
  const Command = sfn[`${call.action}Command`];
  let answer;
  if (!Command) {
    answer = { error: { code: "NoSuchCommand", message: call.action, status: null } };
  } else {
    try {
      answer = { ok: plain(await client.send(new Command(call.request))) };
    } catch (error) {
      answer = {
        error: {
          code: error.name,
          message: error.message ?? "",
          status: error.$metadata?.httpStatusCode ?? null,
        },
      };
    }
  }
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}
