// Fluxo's warm worker for Node.js handlers: loads the handler once, then serves invocations.
// Protocol: one JSON request per line on stdin, one JSON response per line on stdout,
// with console output redirected to stderr so handlers cannot corrupt the protocol.
'use strict';
const path = require('path');
const readline = require('readline');

const [file, functionName] = process.argv.slice(-2);
const write = process.stdout.write.bind(process.stdout);
console.log = console.error;
console.info = console.error;
process.stdout.write = process.stderr.write.bind(process.stderr);

function errorPayload(error, requestId) {
  const stack = (error && error.stack ? String(error.stack) : '').split('\n').slice(1).map((l) => l.trim());
  return {
    errorType: (error && error.name) || 'Error',
    errorMessage: (error && error.message) || String(error),
    requestId,
    stackTrace: stack,
  };
}

let handler;
let loadError;
try {
  handler = require(path.resolve(file))[functionName];
  if (typeof handler !== 'function') throw new Error(`${functionName} is not a function`);
} catch (error) {
  loadError = error;
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', async (line) => {
  const request = JSON.parse(line);
  const requestId = request.request_id || '';
  let response;
  if (loadError) {
    response = { error: { ...errorPayload(loadError, requestId), errorType: 'Runtime.ImportModuleError' } };
  } else {
    const context = {
      functionName: request.function_name,
      awsRequestId: requestId,
      getRemainingTimeInMillis: () => Math.max(0, request.deadline_ms - Date.now()),
    };
    try {
      const result = await handler(request.event, context);
      response = { result_text: JSON.stringify(result === undefined ? null : result) };
    } catch (error) {
      response = { error: errorPayload(error, requestId) };
    }
  }
  write(JSON.stringify(response) + '\n');
});
