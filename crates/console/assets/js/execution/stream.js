// The live event stream of an execution (`GET /console/events`, server-sent events). The server
// pushes the events as they are committed; the page never polls.

/**
 * Opens the stream after event `after`; calls `onEvents(events)` for each batch and
 * `onEnd(status)` once the execution is over. Returns a function that closes it.
 */
export function follow(executionArn, after, { onEvents, onEnd, onError }) {
  const url = `/console/events?executionArn=${encodeURIComponent(executionArn)}&after=${after}`;
  const source = new EventSource(url);
  source.addEventListener("events", (message) => onEvents(JSON.parse(message.data).events));
  source.addEventListener("end", (message) => {
    source.close();
    onEnd(JSON.parse(message.data).status);
  });
  source.addEventListener("error", (message) => {
    // A server-sent `error` event carries data; a dropped connection does not, and the browser
    // reconnects by itself with Last-Event-ID.
    if (message.data) {
      source.close();
      onError?.(JSON.parse(message.data).message);
    }
  });
  return () => source.close();
}
