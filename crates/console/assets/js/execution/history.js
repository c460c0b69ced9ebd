// Reads an execution history (GetExecutionHistory's events) into what the page shows: the
// thread of every event (the execution, a Parallel branch, a Map iteration), the runs of each
// state (entered → exited) with their attempts and failures, the Map iterations, and one status
// per state name for the graph. Incremental: `add(events)` takes the next events as they stream.

/** Event types that start a Task-like attempt. */
const SCHEDULED = /^(LambdaFunction|Task|Activity)Scheduled$/;
/** Event types that end an attempt with a failure. */
const FAILURE = /(Failed|TimedOut|StartFailed|ScheduleFailed|SubmitFailed)$/;
/** Event types that end an attempt successfully. */
const SUCCESS = /^(LambdaFunction|Task|Activity)Succeeded$|^(Parallel|Map)StateSucceeded$/;
const CONTAINER_END = /^(Parallel|Map)State(Succeeded|Failed|Aborted)$/;

/** The details object of an event, whatever its type (`…EventDetails`). */
export function details(event) {
  for (const [key, value] of Object.entries(event)) {
    if (key.endsWith("EventDetails") && value && typeof value === "object") return value;
  }
  return {};
}

/** Statuses in the order that wins when one state ran several times (Map iterations, loops). */
const PRIORITY = ["running", "failed", "caught", "retried", "succeeded", "aborted"];

export class History {
  constructor() {
    this.events = [];
    this.byId = new Map();
    this.threads = new Map([["", { id: "", parent: null, kind: "execution", label: "Execution", events: [], open: null }]]);
    this.runs = [];
    this.iterations = [];
    this.executionStatus = "RUNNING";
  }

  /** Adds events (in id order; events already known are ignored). */
  add(events) {
    for (const event of events) {
      if (this.byId.has(event.id)) continue;
      this.events.push(event);
      this.byId.set(event.id, event);
      this.place(event);
    }
  }

  /** The thread an event belongs to; opens branch and iteration threads as they start. */
  threadOf(event) {
    const previous = this.byId.get(event.previousEventId);
    if (!previous) return "";
    const parentThread = previous.thread;
    if (event.type === "MapIterationStarted") {
      const index = details(event).index ?? this.iterations.length;
      const id = `${parentThread}/${previous.id}.i${index}`;
      this.openThread(id, parentThread, "iteration", `${details(event).name || "Map"} #${index}${this.attemptSuffix(parentThread)}`, index, previous.id);
      return id;
    }
    if (previous.type === "ParallelStateStarted" && !CONTAINER_END.test(event.type) && event.type !== "ParallelStateStarted") {
      const siblings = [...this.threads.values()].filter((t) => t.origin === previous.id).length;
      const id = `${parentThread}/${previous.id}.b${siblings}`;
      this.openThread(id, parentThread, "branch", `Branch ${siblings + 1}${this.attemptSuffix(parentThread)}`, siblings, previous.id);
      return id;
    }
    return parentThread;
  }

  /** " (attempt n)" for the branches and iterations of a retried Parallel or Map. */
  attemptSuffix(parentThread) {
    const run = this.threads.get(parentThread)?.open;
    const attempts = run ? run.attempts.length : 0;
    return attempts > 1 ? ` (attempt ${attempts})` : "";
  }

  openThread(id, parent, kind, label, index, origin) {
    if (!this.threads.has(id)) {
      this.threads.set(id, { id, parent, kind, label, index, origin, events: [], open: null, status: "running" });
    }
  }

  place(event) {
    event.thread = this.threadOf(event);
    const thread = this.threads.get(event.thread);
    thread.events.push(event);
    const info = details(event);
    if (event.type.endsWith("StateEntered")) {
      const run = {
        name: info.name,
        type: event.type.slice(0, -"StateEntered".length),
        thread: event.thread,
        entered: event,
        exited: null,
        events: [event],
        attempts: [],
        input: info.input,
      };
      this.runs.push(run);
      thread.open = run;
      return;
    }
    if (event.type === "MapIterationStarted") {
      this.iterations.push({ map: info.name, index: info.index, thread: event.thread, start: event, end: null, status: "running" });
    }
    if (/^MapIteration(Succeeded|Failed|Aborted)$/.test(event.type)) {
      const iteration = this.iterations.find((it) => it.thread === event.thread);
      if (iteration) {
        iteration.end = event;
        iteration.status = event.type.slice("MapIteration".length).toLowerCase();
      }
      thread.status = iteration ? iteration.status : thread.status;
    }
    // A redrive (or Fluxo's restart) reopens the execution under the same ARN.
    if (event.type.startsWith("Execution") && event.type !== "ExecutionStarted") {
      this.executionStatus = { ExecutionSucceeded: "SUCCEEDED", ExecutionFailed: "FAILED", ExecutionTimedOut: "TIMED_OUT", ExecutionAborted: "ABORTED", ExecutionRedriven: "RUNNING" }[event.type] || this.executionStatus;
    }
    const run = thread.open;
    if (!run) return;
    run.events.push(event);
    if (SCHEDULED.test(event.type) || /^(Parallel|Map)StateStarted$/.test(event.type)) {
      this.closeRetried(run.attempts[run.attempts.length - 1]);
      run.attempts.push({ start: event, end: null, error: null, cause: null, input: info.input ?? info.parameters });
    }
    const attempt = run.attempts[run.attempts.length - 1];
    if (attempt && !attempt.end && (FAILURE.test(event.type) || SUCCESS.test(event.type))) {
      attempt.end = event;
      attempt.failed = FAILURE.test(event.type);
      attempt.error = info.error ?? null;
      attempt.cause = info.cause ?? null;
      attempt.output = info.output;
    }
    if (event.type.endsWith("StateExited")) {
      run.exited = event;
      run.output = info.output;
      run.variables = info.assignedVariables || null;
      thread.open = null;
    }
  }

  /** A Parallel or Map attempt that a retry replaced has no end event of its own (AWS records
   *  none): it ended with the last event of its branches or iterations, as a failure. */
  closeRetried(attempt) {
    if (!attempt || attempt.end) return;
    let end = attempt.start;
    for (const thread of this.threads.values()) {
      const last = thread.origin === attempt.start.id ? thread.events[thread.events.length - 1] : null;
      if (last && last.id > end.id) end = last;
    }
    attempt.end = end;
    attempt.failed = true;
    attempt.error = "a branch or iteration failed";
  }

  /** The status of one run: `running`, `succeeded`, `retried` (succeeded after a retry),
   *  `caught` (failed, then a Catch moved on), `failed` or `aborted`. */
  runStatus(run) {
    const last = run.attempts[run.attempts.length - 1];
    if (run.exited) {
      if (last && last.failed) return "caught";
      return run.attempts.length > 1 ? "retried" : "succeeded";
    }
    const done = this.executionStatus !== "RUNNING";
    const thread = this.threads.get(run.thread);
    if (!done && !(thread && thread.status && thread.status !== "running")) return "running";
    if (run.type === "Fail" || (last && last.failed)) return "failed";
    if (this.executionStatus === "ABORTED") return "aborted";
    return this.executionStatus === "SUCCEEDED" ? "aborted" : "failed";
  }

  /** One status per state name, for the graph. */
  statuses() {
    const result = new Map();
    for (const run of this.runs) {
      const status = this.runStatus(run);
      const known = result.get(run.name);
      if (!known || PRIORITY.indexOf(status) < PRIORITY.indexOf(known)) result.set(run.name, status);
    }
    return result;
  }

  /** The runs of state `name`, first to last. */
  runsOf(name) {
    return this.runs.filter((run) => run.name === name);
  }

  /** Epoch milliseconds of an event. */
  static time(event) {
    return event ? Math.round(event.timestamp * 1000) : null;
  }
}
