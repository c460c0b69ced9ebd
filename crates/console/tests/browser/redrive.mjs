// Redrive and Fluxo's restart from the execution page: an aborted execution restarted from a
// chosen state with an edited input runs again under the same ARN (followed live), and once
// stopped again, *Redrive* (AWS's RedriveExecution) reopens it; the history records both.

import { assert, link } from "./harness.mjs";

export async function redriveAndRestart(t, f) {
  const machine = await t.createMachine("redrivable", f.longWait);
  const started = await t.api("StartExecution", { stateMachineArn: machine, input: '{"first": true}' });
  const arn = started.executionArn;
  await t.api("StopExecution", { executionArn: arn });
  const page = await t.page();
  await page.goto(`${t.base}/${link("execution", arn)}`);
  await page.locator(".banner.status-aborted").waitFor({ timeout: 10000 });
  assert(await page.getByRole("button", { name: "Stop", exact: true }).isDisabled(), "Stop is off for a closed execution");
  await page.getByRole("button", { name: "Restart from state…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("State").selectOption("Hold");
  await dialog.getByLabel("Input").fill('{"edited": true}');
  await t.shot(page, "12-restart-dialog", "Restart from a chosen state with an edited input (Fluxo's extension)");
  await dialog.getByRole("button", { name: "Restart" }).click();
  await page.locator(".banner.status-running").waitFor({ timeout: 10000 });
  await page.locator('.graph-box g.state.status-running[data-name="Hold"]').waitFor({ timeout: 10000 });
  assert(await page.getByRole("button", { name: "Redrive" }).isDisabled(), "Redrive is off while it runs");
  await t.api("StopExecution", { executionArn: arn });
  await page.locator(".banner.status-aborted").waitFor({ timeout: 10000 });
  await page.getByRole("button", { name: "Redrive" }).click();
  await page.locator(".banner.status-running").waitFor({ timeout: 10000 });
  const described = await t.api("DescribeExecution", { executionArn: arn });
  assert(described.redriveCount === 2, `redriven twice: ${JSON.stringify(described)}`);
  const history = await t.api("GetExecutionHistory", { executionArn: arn });
  const redriven = history.events.filter((event) => event.type === "ExecutionRedriven");
  assert(redriven.length === 2, "both reopenings are in the history");
  const restart = redriven[0].executionRedrivenEventDetails.fluxoRestart;
  assert(restart && restart.fromState === "Hold" && JSON.parse(restart.input).edited === true, JSON.stringify(redriven[0]));
  const hold = history.events.filter((event) => event.type === "WaitStateEntered").pop();
  assert(JSON.parse(hold.stateEnteredEventDetails.input).edited === true, "the restarted state got the edited input");
  await t.api("StopExecution", { executionArn: arn });
  await t.checkViolations(page);
  await page.context().close();
}
