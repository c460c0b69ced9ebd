// How values are shown: dates, durations, JSON.

/** API timestamps are epoch seconds (AWS JSON 1.0). */
export function date(seconds) {
  if (seconds === undefined || seconds === null) return "—";
  const value = new Date(seconds * 1000);
  return value.toLocaleString(undefined, {
    year: "numeric", month: "short", day: "2-digit",
    hour: "2-digit", minute: "2-digit", second: "2-digit",
  });
}

/** A duration in milliseconds, e.g. `850 ms`, `2.4 s`, `3 min 5 s`. */
export function duration(ms) {
  if (ms === undefined || ms === null || Number.isNaN(ms)) return "—";
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60000) return `${(ms / 1000).toFixed(ms < 10000 ? 2 : 1)} s`;
  const minutes = Math.floor(ms / 60000);
  const seconds = Math.round((ms % 60000) / 1000);
  if (minutes < 60) return `${minutes} min ${seconds} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** JSON text pretty-printed, or the text itself when it is not JSON. */
export function prettyJson(text) {
  if (text === undefined || text === null) return "";
  if (typeof text !== "string") return JSON.stringify(text, null, 2);
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text;
  }
}

/** Parses JSON text, or returns undefined. */
export function parseJson(text) {
  if (typeof text !== "string") return text;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The last part of an ARN (a state machine's or an execution's name). */
export function arnName(arn) {
  return String(arn || "").split(":").pop();
}
