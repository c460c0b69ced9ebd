// The Step Functions API, called from the page exactly as an SDK calls it: `POST /` on this
// origin with `X-Amz-Target: AWSStepFunctions.<Action>` and an AWS JSON 1.0 body.

/** An error answered by the API: `type` is AWS's `__type` (e.g. `StateMachineDoesNotExist`). */
export class ApiError extends Error {
  constructor(type, message, status) {
    super(message ? `${type}: ${message}` : type);
    this.type = type;
    this.status = status;
  }
}

/** Calls one action; resolves with the decoded answer, rejects with an ApiError. */
export async function call(action, body = {}) {
  let response;
  try {
    response = await fetch("/", {
      method: "POST",
      headers: {
        "Content-Type": "application/x-amz-json-1.0",
        "X-Amz-Target": `AWSStepFunctions.${action}`,
      },
      body: JSON.stringify(body),
      credentials: "same-origin",
    });
  } catch (failure) {
    throw new ApiError("NetworkError", `the server did not answer (${failure.message})`, 0);
  }
  const text = await response.text();
  let answer = {};
  try {
    answer = text ? JSON.parse(text) : {};
  } catch {
    throw new ApiError("InvalidResponse", text.slice(0, 200), response.status);
  }
  if (!response.ok) {
    const type = String(answer.__type || "Error").split("#").pop();
    throw new ApiError(type, answer.message || answer.Message || "", response.status);
  }
  return answer;
}

/**
 * Fluxo's restart of a failed execution from a chosen top-level state with an edited input
 * (`POST /console/restart`, the console's own endpoint: not an AWS action). Resolves with
 * `{redriveDate, redriveCount}`, rejects with an ApiError.
 */
export async function restart(executionArn, fromState, input) {
  let response;
  try {
    response = await fetch("/console/restart", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ executionArn, fromState, input }),
      credentials: "same-origin",
    });
  } catch (failure) {
    throw new ApiError("NetworkError", `the server did not answer (${failure.message})`, 0);
  }
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new ApiError(answer.__type || "Error", answer.message || "", response.status);
  return answer;
}

/** Every page of a paginated action, concatenated (`key` is the list's field), up to `limit` items. */
export async function callAll(action, body, key, limit = 10000) {
  const items = [];
  let nextToken;
  do {
    const answer = await call(action, { ...body, nextToken, maxResults: 1000 });
    items.push(...(answer[key] || []));
    nextToken = answer.nextToken;
  } while (nextToken && items.length < limit);
  return items;
}

/** The role given to state machines created from the console (Fluxo does not assume roles). */
export const CONSOLE_ROLE = "arn:aws:iam::123456789012:role/fluxo-console";
