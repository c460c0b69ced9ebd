// Starting an execution with a JSON input. The last input is remembered per state machine
// (localStorage). Standard machines start asynchronously (the page then opens the execution);
// Express machines run synchronously (StartSyncExecution) and their result is shown here.

import { call } from "../api.js";
import { h, dialog, replace } from "../dom.js";
import { prettyJson, duration } from "../format.js";
import { executionLink, go } from "../router.js";

const remembered = (arn) => `fluxo.input.${arn}`;

export function rememberedInput(arn) {
  return localStorage.getItem(remembered(arn)) ?? '{\n  "Comment": "Insert your JSON here"\n}';
}

/** Asks for an input and starts the machine (`machine` as DescribeStateMachine returns it). */
export async function startExecution(machine) {
  const input = h("textarea", { class: "code", rows: 12, spellcheck: "false", "aria-label": "Execution input (JSON)", id: "execution-input" });
  input.value = rememberedInput(machine.stateMachineArn);
  const name = h("input", { type: "text", placeholder: "generated when empty", "aria-label": "Execution name", id: "execution-name" });
  const express = machine.type === "EXPRESS";
  const body = h("div", { class: "fields" },
    h("label", { for: "execution-name" }, "Name"), name,
    h("label", { for: "execution-input" }, "Input"), input,
    express ? h("p", { class: "muted" }, "Express: runs synchronously; the result is shown here and not stored.") : null);
  const answer = await dialog(`Start an execution of ${machine.name}`, body, {
    submitLabel: "Start",
    onSubmit: async () => {
      try {
        JSON.parse(input.value);
      } catch (error) {
        throw new Error(`The input is not JSON: ${error.message}`);
      }
      localStorage.setItem(remembered(machine.stateMachineArn), input.value);
      const request = { stateMachineArn: machine.stateMachineArn, input: input.value };
      if (name.value.trim()) request.name = name.value.trim();
      const started = performance.now();
      const result = await call(express ? "StartSyncExecution" : "StartExecution", request);
      return { result, ms: performance.now() - started };
    },
  });
  if (!answer) return;
  if (!express) {
    go(executionLink(answer.result.executionArn));
    return;
  }
  await showSyncResult(answer.result, answer.ms);
}

async function showSyncResult(result, ms) {
  const box = h("div", { class: "sync-result" });
  replace(box,
    h("p", {}, h("span", { class: `badge status-${result.status.toLowerCase().replace("_", "-")}` }, result.status), ` in ${duration(ms)}`),
    result.error ? h("p", {}, h("strong", {}, "Error: "), result.error) : null,
    result.cause ? h("pre", { class: "json" }, prettyJson(result.cause)) : null,
    result.output !== undefined ? [h("h3", {}, "Output"), h("pre", { class: "json" }, prettyJson(result.output))] : null);
  await dialog("Express execution result", box, { submitLabel: "Close" });
}
