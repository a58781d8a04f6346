/**
 * The collectors page in real headless Chromium against the app started as `npm start` starts it
 * (demo mode). Everything is done through the page, finding elements by role and label as
 * assistive technology does; every step is checked against the management API's JSON.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import AxeBuilder from "@axe-core/playwright";
import type { Browser, Locator, Page } from "playwright-core";
import { DEMO_ADMIN_KEY, DEMO_CHATGPT_ORG, DEMO_COMPLIANCE_KEY, DEMO_PROJECT_KEY } from "../../src/local/demo";
import { browserMissing, launchBrowser, startApp, until, type RunningApp } from "./pageHarness";

// The parts of the browser's globals that page.evaluate callbacks use (they run in the page; the
// project compiles without the DOM library).
interface ElementLike { readonly hidden: boolean; readonly textContent: string | null; getAttribute(name: string): string | null }
declare const document: { getElementById(id: string): ElementLike | null; readonly activeElement: ElementLike | null };
declare const sessionStorage: unknown;

interface View { id: string; friendlyName: string; dataType: string; apiKeySecretName: string; pollIntervalSeconds: number; startTime: string; desired: string; status: string; definitionVersion: number }

/** The visible texts an input's aria-describedby points at (its help and its error). */
function description(input: Locator): Promise<string> {
  return input.evaluate((el: ElementLike) => (el.getAttribute("aria-describedby") ?? "").split(/\s+/).map((id: string) => document.getElementById(id))
    .filter((e): e is ElementLike => e !== null && !e.hidden).map((e: ElementLike) => e.textContent?.replace(/\s+/g, " ").trim()).join(" | "));
}

/** Accessibility violations of serious or critical impact (axe-core), as "rule: target" lines. */
async function seriousViolations(page: Page): Promise<string[]> {
  const { violations } = await new AxeBuilder({ page }).analyze();
  return violations.filter((v) => v.impact === "serious" || v.impact === "critical").flatMap((v) => v.nodes.map((n) => `${v.id}: ${n.target.join(" ")}`));
}

const missing = browserMissing();

describe("the collectors page", { timeout: 240_000 }, () => {
  if (missing) {
    it("runs in headless Chromium", () => console.log(`skipped: chromium not available (${missing})`));
    return;
  }
  let app: RunningApp;
  let browser: Browser;
  let page: Page;
  const responses: string[] = [];
  const view = async (id: string) => (await app.api("GET", `collectors/${id}`)) as { status: number; body: View };
  const actions = async (name: string, item: string) => {
    await page.getByRole("button", { name: `Actions for ${name}` }).click();
    await page.getByRole("menu", { name: `Actions for ${name}` }).getByRole("menuitem", { name: item }).click();
  };
  const rowOf = (name: string) => page.getByRole("row").filter({ has: page.getByRole("rowheader", { name }) });

  before(async () => {
    app = await startApp({ DEMO_LIVE: "false" });
    browser = await launchBrowser();
    page = await (await browser.newContext({ viewport: { width: 1400, height: 900 } })).newPage();
    page.on("response", (r) => { void r.text().then((t) => responses.push(t), () => undefined); });
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("shows every collector the API lists, sorts by a column and filters by text", async () => {
    await page.goto(`${app.origin}/api/ui`);
    const listed = ((await app.api("GET", "collectors")).body as { collectors: View[] }).collectors;
    const headers = page.getByRole("table", { name: /Collectors/ }).getByRole("rowheader");
    await until("both demo rows", async () => ((await headers.count()) === listed.length ? true : undefined));
    const shown = async () => (await headers.allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
    assert.deepEqual(await shown(), [...listed].sort((a, b) => a.friendlyName.localeCompare(b.friendlyName)).map((c) => `${c.friendlyName}${c.id}`));
    assert.deepEqual(listed.map((c) => c.id), ["demo-audit", "demo-chat", "demo-chatgpt", "demo-costs", "demo-usage"]);

    await page.getByRole("button", { name: "Name", exact: true }).click();
    assert.deepEqual([await shown(), await page.getByRole("columnheader", { name: "Name", exact: true }).getAttribute("aria-sort")],
      [[...listed].sort((a, b) => b.friendlyName.localeCompare(a.friendlyName)).map((c) => `${c.friendlyName}${c.id}`), "descending"]);
    await page.getByLabel("Filter collectors").fill("completions");
    assert.deepEqual(await shown(), listed.filter((c) => c.dataType === "chatCompletions").map((c) => `${c.friendlyName}${c.id}`));
    await page.getByLabel("Filter collectors").fill("");
    assert.deepEqual(await seriousViolations(page), []);
  });

  it("adds an audit-log collector: a bad poll interval shows the API's error next to its field and creates nothing", async () => {
    const startTime = new Date(Math.floor(Date.now() / 1000 - 7_200) * 1000).toISOString().replace(".000Z", "Z");
    const types = ((await app.api("GET", "data-types")).body as { dataTypes: Array<{ dataType: string; url: string }> }).dataTypes;
    await page.getByRole("button", { name: "Add collector" }).click();
    const form = page.getByRole("dialog", { name: "Add collector" });
    await form.getByLabel("Data type").selectOption({ label: "Audit logs" });
    const typeHelp = await description(form.getByLabel("Data type"));
    assert.match(typeHelp, /organization admin API key/);
    assert.ok(typeHelp.includes(types.find((t) => t.dataType === "auditLogs")!.url), typeHelp);
    await form.getByLabel("Collector id").fill("e2e-audit");
    await form.getByLabel("Friendly name").fill("E2E audit");
    await form.getByLabel("Key Vault secret name").fill("openai-admin-key");
    await form.getByLabel("Poll interval (seconds)").fill("30");
    await form.getByLabel("Start time (UTC)").fill(startTime.slice(0, 19));
    assert.deepEqual(await seriousViolations(page), []);
    await form.getByRole("button", { name: "Create collector" }).click();

    const interval = form.getByLabel("Poll interval (seconds)");
    await until("the field error", async () => ((await interval.getAttribute("aria-invalid")) === "true" ? true : undefined));
    // What the API itself says about the same body (and that a 400 stores nothing).
    const bad = { dataType: "auditLogs", friendlyName: "E2E audit", apiKeySecretName: "openai-admin-key", pollIntervalSeconds: 30, startTime };
    const apiSays = (await app.api("PUT", "collectors/e2e-audit", bad)) as { status: number; body: { error: { message: string; field: string } } };
    assert.deepEqual([apiSays.status, apiSays.body.error.field], [400, "pollIntervalSeconds"]);
    assert.equal(await description(interval), `How often to look for new data; at least 60. Empty: 300. | ${apiSays.body.error.message}`);
    assert.equal((await view("e2e-audit")).status, 404);

    await interval.fill("120");
    await form.getByRole("button", { name: "Create collector" }).click();
    await form.waitFor({ state: "hidden" });
    await rowOf("E2E audit").waitFor();
    const created = (await view("e2e-audit")).body;
    assert.deepEqual([created.dataType, created.friendlyName, created.apiKeySecretName, created.pollIntervalSeconds, created.startTime, created.desired, created.definitionVersion],
      ["auditLogs", "E2E audit", "openai-admin-key", 120, startTime.replace("Z", ".000Z"), "running", 1]);
  });

  it("adds a ChatGPT compliance-logs collector: without a workspace or organization the error shows at the workspace id; the opt-in stays off", async () => {
    await page.getByRole("button", { name: "Add collector" }).click();
    const form = page.getByRole("dialog", { name: "Add collector" });
    await form.getByLabel("Data type").selectOption({ label: "ChatGPT compliance logs" });
    assert.match(await description(form.getByLabel("Data type")), /Compliance API key.*chatgpt\.com\/admin.*\/v1\/compliance\/workspaces\/\{workspaceId\}\/logs → table ChatGPTComplianceLogs_CL/);
    await form.getByLabel("Collector id").fill("e2e-chatgpt");
    await form.getByLabel("Friendly name").fill("E2E ChatGPT");
    await form.getByLabel("Key Vault secret name").fill("chatgpt-compliance-key");
    assert.equal(await form.getByLabel("Also collect conversation messages").isChecked(), false);
    assert.deepEqual(await seriousViolations(page), []);
    await form.getByRole("button", { name: "Create collector" }).click();
    const workspace = form.getByLabel("ChatGPT workspace id");
    await until("the field error", async () => ((await workspace.getAttribute("aria-invalid")) === "true" ? true : undefined));
    assert.match(await description(workspace), /needs workspaceId .* or organizationId/);
    assert.equal((await view("e2e-chatgpt")).status, 404);

    await workspace.fill(DEMO_CHATGPT_ORG.workspaceId);
    await form.getByLabel("Event types").fill("AUTH_LOG, AUDIT_LOG");
    await form.getByRole("button", { name: "Create collector" }).click();
    await form.waitFor({ state: "hidden" });
    await rowOf("E2E ChatGPT").waitFor();
    const created = (await view("e2e-chatgpt")).body as View & { compliance: unknown; url: string };
    assert.deepEqual([created.dataType, created.compliance, created.url.endsWith(`/compliance/workspaces/${DEMO_CHATGPT_ORG.workspaceId}/logs`)],
      ["complianceLogs", { workspaceId: DEMO_CHATGPT_ORG.workspaceId, eventTypes: ["AUTH_LOG", "AUDIT_LOG"] }, true]);
    assert.equal((await app.api("DELETE", "collectors/e2e-chatgpt")).status, 204);
  });

  it("marks every field the API finds wrong after one submit, each with its own message", async () => {
    await page.getByRole("button", { name: "Add collector" }).click();
    const form = page.getByRole("dialog", { name: "Add collector" });
    await form.getByLabel("Data type").selectOption({ label: "Audit logs" });
    await form.getByLabel("Collector id").fill("e2e-two-errors");
    await form.getByLabel("Friendly name").fill("Two errors");
    await form.getByLabel("Key Vault secret name").fill("openai-admin-key");
    await form.getByLabel("Poll interval (seconds)").fill("30");
    const future = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 19);
    await form.getByLabel("Start time (UTC)").fill(future);
    await form.getByRole("button", { name: "Create collector" }).click();
    const interval = form.getByLabel("Poll interval (seconds)");
    const start = form.getByLabel("Start time (UTC)");
    await until("both field errors", async () => ((await interval.getAttribute("aria-invalid")) === "true" && (await start.getAttribute("aria-invalid")) === "true" ? true : undefined));
    const apiSays = (await app.api("PUT", "collectors/e2e-two-errors", { dataType: "auditLogs", friendlyName: "Two errors", apiKeySecretName: "openai-admin-key", pollIntervalSeconds: 30, startTime: `${future}Z` })) as
      { status: number; body: { error: { details: Array<{ field: string; message: string }> } } };
    const said = Object.fromEntries(apiSays.body.error.details.map((d) => [d.field, d.message]));
    assert.deepEqual([apiSays.status, Object.keys(said)], [400, ["pollIntervalSeconds", "startTime"]]);
    const shown = [(await description(interval)).split(" | ")[1], (await description(start)).split(" | ").at(-1)];
    await form.getByRole("button", { name: "Cancel" }).click();
    await form.waitFor({ state: "hidden" });
    // The start time's message says when "now" was, which differs between the two requests by milliseconds.
    const untilNow = (m: string | undefined) => m?.split("; now is")[0];
    assert.deepEqual([shown[0], untilNow(shown[1])], [said.pollIntervalSeconds, untilNow(said.startTime)]);
    assert.equal((await view("e2e-two-errors")).status, 404);
  });

  it("modifies the friendly name through the row's actions menu, used with the keyboard", async () => {
    const menuButton = page.getByRole("button", { name: "Actions for E2E audit" });
    await menuButton.focus();
    await page.keyboard.press("Enter");
    const menu = page.getByRole("menu", { name: "Actions for E2E audit" });
    await menu.waitFor();
    assert.deepEqual(await menu.getByRole("menuitem").allTextContents(), ["Modify…", "Test connection", "Start", "Stop", "Reset…", "Delete…", "Details"]);
    assert.equal(await menuButton.getAttribute("aria-expanded"), "true");
    await page.keyboard.press("Escape");
    await menu.waitFor({ state: "hidden" });
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("aria-label")), "Actions for E2E audit");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Enter"); // the first item, Modify…, has focus

    const form = page.getByRole("dialog", { name: /Modify/ });
    await form.getByLabel("Friendly name").fill("E2E audit renamed");
    assert.equal(await form.getByLabel("Data type").isDisabled(), true);
    await form.getByRole("button", { name: "Save changes" }).click();
    await form.waitFor({ state: "hidden" });
    await rowOf("E2E audit renamed").waitFor();
    const changed = (await view("e2e-audit")).body;
    assert.deepEqual([changed.friendlyName, changed.pollIntervalSeconds, changed.definitionVersion], ["E2E audit renamed", 120, 2]);
  });

  it("stops, starts and resets with a start time, each shown in the grid as the API reports it", async () => {
    const name = "E2E audit renamed";
    await actions(name, "Stop");
    await page.getByRole("status").getByText(`Stop requested for “${name}”`).waitFor();
    assert.equal((await view("e2e-audit")).body.desired, "stopped");
    await until("stopped", async () => ((await view("e2e-audit")).body.status === "stopped" ? true : undefined));
    await page.getByRole("button", { name: "Refresh" }).click();
    await rowOf(name).getByText("Stopped", { exact: true }).waitFor();

    await actions(name, "Start");
    await page.getByRole("status").getByText(`Started “${name}”`).waitFor();
    assert.equal((await view("e2e-audit")).body.desired, "running");
    await until("running", async () => ((await view("e2e-audit")).body.status === "running" ? true : undefined));
    await page.getByRole("button", { name: "Refresh" }).click();
    await rowOf(name).getByText("Running", { exact: true }).waitFor();

    const resetTo = new Date(Math.floor(Date.now() / 1000 - 3_600) * 1000).toISOString();
    await actions(name, "Reset");
    const dialog = page.getByRole("dialog", { name: `Reset “${name}”` });
    const startInput = dialog.getByLabel("Start time (UTC)");
    assert.match(await description(startInput), /already ingested are ingested again/);
    await startInput.fill(resetTo.slice(0, 19));
    await dialog.getByRole("button", { name: "Reset collector" }).click();
    await dialog.waitFor({ state: "hidden" });
    const reset = (await view("e2e-audit")).body;
    assert.deepEqual([reset.startTime, reset.definitionVersion, reset.desired], [resetTo, 3, "running"]);
  });

  it("tests connections: the saved collector's admin key works, a project key for audit logs is the wrong kind", async () => {
    await actions("E2E audit renamed", "Test connection");
    const dialog = page.getByRole("dialog", { name: /Connection test/ });
    await dialog.getByText("Connection works").waitFor();
    const good = (await app.api("POST", "collectors/e2e-audit/test")).body as { ok: boolean; message: string };
    assert.equal(good.ok, true);
    await dialog.getByText(good.message).waitFor();
    await dialog.getByRole("button", { name: "Close" }).click();

    const before = ((await app.api("GET", "collectors")).body as { collectors: View[] }).collectors.map((c) => c.id);
    await page.getByRole("button", { name: "Add collector" }).click();
    const form = page.getByRole("dialog", { name: "Add collector" });
    await form.getByLabel("Data type").selectOption("auditLogs");
    await form.getByLabel("Key Vault secret name").fill("openai-project-key");
    await form.getByRole("button", { name: "Test connection" }).click();
    await form.getByText("Connection failed (wrongKeyType)").waitFor();
    const wrong = (await app.api("POST", "connection-tests", { dataType: "auditLogs", apiKeySecretName: "openai-project-key" })).body as { outcome: string; message: string; fix: string };
    assert.equal(wrong.outcome, "wrongKeyType");
    await form.getByText(wrong.message).waitFor();
    await form.getByText(wrong.fix).waitFor();
    await form.getByRole("button", { name: "Cancel" }).click();
    await form.waitFor({ state: "hidden" });
    assert.deepEqual(((await app.api("GET", "collectors")).body as { collectors: View[] }).collectors.map((c) => c.id), before);
  });

  it("shows details on demand and deletes after confirmation", async () => {
    await actions("E2E audit renamed", "Details");
    const details = page.getByRole("dialog", { name: /Details of/ });
    await details.getByText("definitionVersion").waitFor();
    await details.getByRole("button", { name: "Close" }).click();

    await actions("E2E audit renamed", "Delete");
    const confirm = page.getByRole("dialog", { name: "Delete “E2E audit renamed”?" });
    await confirm.getByRole("button", { name: "Delete collector" }).click();
    await confirm.waitFor({ state: "hidden" });
    assert.equal((await view("e2e-audit")).status, 404);
    await rowOf("E2E audit renamed").waitFor({ state: "detached" });
    assert.deepEqual(((await app.api("GET", "collectors")).body as { collectors: View[] }).collectors.map((c) => c.id), ["demo-audit", "demo-chat", "demo-chatgpt", "demo-costs", "demo-usage"]);
  });

  it("adds a usage collector reading two families in daily buckets; the width cannot change later", async () => {
    await page.getByRole("button", { name: "Add collector" }).click();
    const form = page.getByRole("dialog", { name: "Add collector" });
    await form.getByLabel("Data type").selectOption({ label: "Usage data" });
    const families = form.getByRole("group", { name: "Usage families" });
    const boxes = families.getByRole("checkbox");
    assert.equal(await boxes.count(), 10);
    for (const name of await boxes.evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value))) {
      if (!["completions", "embeddings"].includes(name)) await families.getByRole("checkbox", { name }).uncheck();
    }
    await form.getByLabel("Bucket width").selectOption("1d");
    await form.getByLabel("Collector id").fill("e2e-usage");
    await form.getByLabel("Friendly name").fill("E2E usage");
    await form.getByLabel("Key Vault secret name").fill("openai-admin-key");
    assert.deepEqual(await seriousViolations(page), []);
    await form.getByRole("button", { name: "Create collector" }).click();
    await form.waitFor({ state: "hidden" });
    await rowOf("E2E usage").waitFor();
    const created = (await view("e2e-usage")).body as View & { families: string[]; bucketWidth: string };
    assert.deepEqual([created.dataType, created.families, created.bucketWidth, created.definitionVersion], ["usage", ["completions", "embeddings"], "1d", 1]);

    await actions("E2E usage", "Modify…");
    const modify = page.getByRole("dialog", { name: /Modify/ });
    assert.equal(await modify.getByLabel("Bucket width").isDisabled(), true);
    assert.equal(await description(modify.getByLabel("Bucket width")), "The bucket width cannot change.");
    await modify.getByRole("group", { name: "Usage families" }).getByRole("checkbox", { name: "images" }).check();
    await modify.getByRole("button", { name: "Save changes" }).click();
    await modify.waitFor({ state: "hidden" });
    const changed = (await view("e2e-usage")).body as View & { families: string[]; bucketWidth: string };
    assert.deepEqual([changed.families, changed.bucketWidth, changed.definitionVersion], [["completions", "embeddings", "images"], "1d", 2]);
    assert.equal((await app.api("DELETE", "collectors/e2e-usage")).status, 204);
  });

  it("never shows a key: not in any answer the page received, its DOM or its storage", async () => {
    const everything = [...responses, await page.content(), await page.evaluate(() => JSON.stringify(sessionStorage))].join("\n");
    for (const key of [DEMO_ADMIN_KEY, DEMO_PROJECT_KEY, DEMO_COMPLIANCE_KEY]) assert.ok(!everything.includes(key), "a key reached the page");
    assert.ok(responses.length > 20 && everything.includes("wrongKeyType"), "the scan covered the test answers");
  });
});

describe("the collectors page behind function keys", { timeout: 120_000 }, () => {
  if (missing) {
    it("asks for a function key", () => console.log(`skipped: chromium not available (${missing})`));
    return;
  }
  const KEY = "local-function-key-e2e-1234";
  let app: RunningApp;
  let browser: Browser;
  before(async () => {
    app = await startApp({ DEMO_LIVE: "false", LOCAL_FUNCTION_KEY: KEY });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await app?.stop();
  });

  it("asks once, keeps the key for the browser tab's session only, and asks again after a wrong key", async () => {
    const withKey = await fetch(`${app.origin}/api/collectors`, { headers: { "x-functions-key": KEY } });
    assert.deepEqual([(await app.api("GET", "collectors")).status, withKey.status, (await fetch(`${app.origin}/api/ui`)).status], [401, 200, 200]);
    const listed = ((await withKey.json()) as { collectors: View[] }).collectors.map((c) => c.friendlyName);

    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${app.origin}/api/ui`);
    const prompt = page.getByRole("dialog", { name: "Function key needed" });
    await prompt.getByLabel("Function key").fill("not-the-key");
    await prompt.getByRole("button", { name: "Use key" }).click();
    await page.getByRole("alert").getByText(/Could not load the collectors/).waitFor();
    await page.getByRole("button", { name: "Refresh" }).click();
    await prompt.getByLabel("Function key").fill(KEY);
    await prompt.getByRole("button", { name: "Use key" }).click();
    const headers = page.getByRole("rowheader");
    await headers.first().waitFor();
    assert.deepEqual((await headers.allTextContents()).map((t) => listed.find((n) => t.startsWith(n))).sort(), [...listed].sort());
    assert.equal(await page.evaluate((key: string) => Object.values(sessionStorage as Record<string, string>).includes(key), KEY), true);

    await page.reload();
    await headers.first().waitFor();
    assert.equal(await prompt.isVisible(), false, "no second prompt in the same session");
    const other = await (await browser.newContext()).newPage();
    await other.goto(`${app.origin}/api/ui`);
    await other.getByRole("dialog", { name: "Function key needed" }).waitFor();
  });
});
