// The browser test's harness: launches Debian's chromium through playwright-core (never a
// downloaded browser), records every page error and Content-Security-Policy violation, runs
// named steps, saves screenshots, and calls the API directly for setup.

import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import { join } from "node:path";

export const CHROMIUM = process.env.FLUXO_CHROMIUM || "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
  "--disable-component-update", "--disable-sync", "--no-first-run"];

export class Harness {
  constructor(base, shots) {
    this.base = base;
    this.shots = shots;
    this.passed = 0;
    this.failed = [];
    this.problems = [];
    this.shotList = [];
    mkdirSync(shots, { recursive: true });
  }

  async launch() {
    this.browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
  }

  /** A new page (own context: fresh cache and storage) that reports errors and violations. */
  async page(options = {}) {
    const context = await this.browser.newContext({ viewport: { width: 1400, height: 950 }, acceptDownloads: true, ...options });
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (event) => {
        (window.__violations ||= []).push(`${event.violatedDirective} ${event.blockedURI}`);
      });
    });
    const page = await context.newPage();
    page.on("pageerror", (error) => this.problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (message.type() === "error" && !/ERR_|Failed to load resource/.test(message.text())) {
        this.problems.push(`console error: ${message.text()}`);
      }
      if (/Content Security Policy/.test(message.text())) this.problems.push(`CSP: ${message.text()}`);
    });
    page.on("dialog", async (dialog) => {
      // The editor's own "leave with unsaved changes?" on reload is expected where a step says so.
      if (dialog.type() === "beforeunload" && this.allowBeforeUnload) {
        this.beforeUnloadSeen = true;
        await dialog.accept();
        return;
      }
      this.problems.push(`a script opened a ${dialog.type()} dialog: ${dialog.message()}`);
      await dialog.dismiss();
    });
    return page;
  }

  /** Fails when the page recorded a CSP violation. */
  async checkViolations(page) {
    const violations = await page.evaluate(() => window.__violations || []);
    for (const violation of violations) this.problems.push(`CSP violation: ${violation}`);
  }

  /** Fails when a control on the page has no accessible name (text, aria-label or a label). */
  async checkNames(page) {
    const unnamed = await page.evaluate(() => {
      const named = (element) => {
        const label = element.getAttribute("aria-label") || element.getAttribute("title");
        const text = element.textContent.trim();
        const forLabel = element.id && document.querySelector(`label[for="${element.id}"]`);
        return Boolean(label || forLabel || (element.matches("button, a, [role=button], [role=tab]") && text));
      };
      return [...document.querySelectorAll("button, a[href], [role=button], [role=tab], input, select, textarea")]
        .filter((element) => element.type !== "hidden" && !named(element))
        .map((element) => element.outerHTML.slice(0, 80));
    });
    if (unnamed.length) this.problems.push(`controls without an accessible name: ${unnamed.join(" | ")}`);
  }

  async shot(page, name, what) {
    const file = join(this.shots, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    this.shotList.push({ file: `${name}.png`, what });
  }

  /** Runs a step; a failure is recorded and the run goes on. */
  async step(name, body) {
    const started = Date.now();
    try {
      await body();
      this.passed += 1;
      console.log(`ok - ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      this.failed.push(name);
      console.log(`not ok - ${name}: ${error.stack || error}`);
    }
  }

  /** Calls the API from Node (no browser, so no Origin header), as an SDK would. */
  async api(action, body = {}) {
    const response = await fetch(`${this.base}/`, {
      method: "POST",
      headers: { "X-Amz-Target": `AWSStepFunctions.${action}`, "Content-Type": "application/x-amz-json-1.0" },
      body: JSON.stringify(body),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(`${action}: ${JSON.stringify(answer)}`);
    return answer;
  }

  async createMachine(name, definition, type = "STANDARD") {
    const answer = await this.api("CreateStateMachine", {
      name, type, definition: JSON.stringify(definition), roleArn: "arn:aws:iam::123456789012:role/test",
    });
    return answer.stateMachineArn;
  }

  async waitForExecution(arn, timeoutMs = 60000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const execution = await this.api("DescribeExecution", { executionArn: arn });
      if (execution.status !== "RUNNING") return execution;
      if (Date.now() > deadline) throw new Error(`${arn} still running`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

export function assert(condition, message) {
  if (!condition) throw new Error(message);
}

export const link = (kind, arn) => `#/${kind}/${encodeURIComponent(arn)}`;
