/**
 * `npm run screenshots`: regenerates docs/collectors-grid.png and docs/collectors-form.png from
 * the running app (demo mode, as `npm start` runs it) in headless Chromium. The README shows them.
 */
import path from "node:path";
import { browserMissing, launchBrowser, startApp, until } from "../test/e2e/pageHarness";

const DOCS = path.resolve(__dirname, "../../docs");

async function main(): Promise<void> {
  const missing = browserMissing();
  if (missing) throw new Error(`cannot take screenshots: ${missing}`);
  const app = await startApp({ DEMO_AUDIT_EVENTS: "20000", DEMO_COMPLETIONS: "3000", DEMO_LATENCY_MS: "50" });
  const browser = await launchBrowser();
  try {
    // One more collector whose secret is not in the vault yet, so the grid shows an error state too
    // (a secret holding the wrong kind of key is refused when the collector is saved).
    await app.api("PUT", "collectors/project-b-completions", { dataType: "chatCompletions", friendlyName: "Project B completions", apiKeySecretName: "project-b-key" });
    await until("collectors in every state", async () => {
      const { collectors } = (await app.api("GET", "collectors")).body as { collectors: Array<{ status: string; rowsIngested: number }> };
      return collectors.length === 5 && collectors.filter((c) => c.status === "running" && c.rowsIngested > 0).length === 4 && collectors.some((c) => c.status === "backingOff") ? true : undefined;
    }, 120_000);
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 560 }, deviceScaleFactor: 1 })).newPage();
    await page.goto(`${app.origin}/api/ui`);
    await page.getByRole("rowheader", { name: /Project B completions/ }).waitFor();
    await page.getByRole("button", { name: "Actions for Demo organization audit log" }).click();
    await page.getByRole("menu").waitFor();
    await page.screenshot({ path: path.join(DOCS, "collectors-grid.png") });
    await page.keyboard.press("Escape");

    await page.setViewportSize({ width: 1440, height: 1000 });
    await page.getByRole("button", { name: "Add collector" }).click();
    const form = page.getByRole("dialog", { name: "Add collector" });
    await form.getByLabel("Data type").selectOption("auditLogs");
    await form.getByLabel("Collector id").fill("org-audit");
    await form.getByLabel("Friendly name").fill("Organization audit log");
    await form.getByLabel("Key Vault secret name").fill("openai-admin-key");
    await form.getByLabel("Poll interval (seconds)").fill("30");
    await form.getByRole("button", { name: "Test connection" }).click();
    await form.getByText("Connection works").waitFor();
    await form.getByRole("button", { name: "Create collector" }).click();
    await form.getByText("pollIntervalSeconds must be at least 60").waitFor();
    await page.screenshot({ path: path.join(DOCS, "collectors-form.png") });
    console.log(`wrote ${path.join(DOCS, "collectors-grid.png")} and ${path.join(DOCS, "collectors-form.png")}`);
  } finally {
    await browser.close();
    await app.stop();
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
