// The API reference page in headless Chromium against a real server on 127.0.0.1: it renders the
// contract without errors, makes no request beyond the service, and its "Try it out" reaches the hook.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  type Browser,
  type BrowserContext,
  chromium,
  type Locator,
  type Page,
} from "playwright-core";
import { createHttpServer } from "../../src/http/server.js";
import { ALLOW } from "../../src/policy/answer.js";
import { loadSpec } from "../../src/spec.js";
import { startService, TEST_SECRET, withoutDebugContext } from "../support/app.js";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** Without Chromium every test here fails (never skips) with this message; CI installs it. */
const CHROMIUM_MISSING = existsSync(CHROMIUM)
  ? undefined
  : `Chromium is not installed at ${CHROMIUM}: the browser test needs it. Install Debian's ` +
    "chromium (apt-get install chromium) or point CHROMIUM_PATH at a Chromium binary.";
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
/** How long one step in the page (a render, a click's effect) may take. */
const STEP_TIMEOUT_MS = 30_000;
const LAUNCH_TIMEOUT_MS = 60_000;
const TEST_TIMEOUT_MS = 120_000;

const contract = loadSpec();
const hookOperation = contract.paths?.["/registrationHook"]?.post;
const componentExamples = contract.components?.examples ?? {};

/** The summary of a named example in components/examples. */
function exampleSummary(name: string): string {
  const example = componentExamples[name];
  const summary = example && "summary" in example ? example.summary : undefined;
  assert.ok(summary, `components.examples.${name} has no summary`);
  return summary;
}

/** A page on the reference, with everything it did recorded. */
interface Visit {
  readonly page: Page;
  readonly consoleErrors: string[];
  readonly pageErrors: string[];
  readonly requests: string[];
}

describe("API reference page in a browser", () => {
  let server: Server | undefined;
  let browser: Browser | undefined;
  /** One context for all visits, so Swagger UI's files come from its cache after the first. */
  let context: BrowserContext | undefined;
  let origin = "";

  before(async () => {
    if (CHROMIUM_MISSING) return;
    const service = await startService();
    const listening = createHttpServer(service.app);
    server = listening;
    await new Promise<void>((resolve, reject) => {
      listening.once("error", reject);
      listening.listen(0, "127.0.0.1", () => resolve());
    });
    origin = `http://127.0.0.1:${(listening.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      timeout: LAUNCH_TIMEOUT_MS,
    });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  });

  after(async () => {
    await context?.close().catch(() => undefined);
    await browser?.close();
    if (server) {
      const closing = server;
      closing.closeAllConnections();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    }
  });

  async function openReference(): Promise<Visit> {
    if (CHROMIUM_MISSING) assert.fail(CHROMIUM_MISSING);
    assert.ok(context, "the browser did not start");
    const page = await context.newPage();
    const visit: Visit = { page, consoleErrors: [], pageErrors: [], requests: [] };
    page.on("request", (request) => visit.requests.push(request.url()));
    page.on("console", (message) => {
      if (message.type() === "error") visit.consoleErrors.push(message.text());
    });
    page.on("pageerror", (error) => visit.pageErrors.push(error.message));
    page.setDefaultTimeout(STEP_TIMEOUT_MS);
    page.setDefaultNavigationTimeout(STEP_TIMEOUT_MS);
    const response = await page.goto(`${origin}/docs`);
    assert.equal(response?.status(), 200, "GET /docs");
    await page.locator(".swagger-ui .opblock-summary").first().waitFor();
    return visit;
  }

  /** No error in the console or the page, and no request to anything but the service. */
  function assertCleanVisit(visit: Visit): void {
    assert.deepEqual(visit.pageErrors, [], "errors thrown in the page");
    assert.deepEqual(visit.consoleErrors, [], "errors in the console");
    assert.ok(visit.requests.length > 0, "no request was recorded");
    const foreign = visit.requests.filter((url) => {
      const parsed = new URL(url);
      if (parsed.protocol === "data:" || parsed.protocol === "blob:") return false;
      return parsed.hostname !== "127.0.0.1" || parsed.origin !== origin;
    });
    assert.deepEqual(foreign, [], "requests that left the service");
  }

  function hookBlock(page: Page): Locator {
    return page.locator(".opblock").filter({
      has: page.locator(".opblock-summary-path", { hasText: /^\/registrationHook$/ }),
    });
  }

  it("renders the contract with no error and no request beyond the service", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const visit = await openReference();
    const { page } = visit;
    await page.waitForLoadState("networkidle");
    assert.equal(
      await page.locator(".swagger-ui .errors-wrapper").count(),
      0,
      "Swagger UI reports errors",
    );
    await page.getByRole("heading", { name: contract.info.title }).waitFor();
    for (const path of ["/registrationHook", "/healthz", "/readyz", "/metrics"]) {
      await page.locator(".opblock-summary-path", { hasText: new RegExp(`^${path}$`) }).waitFor();
    }
    // Both authentication schemes are described on the page, not only in the Authorize dialog.
    const overview = page.locator(".contract-overview");
    for (const scheme of Object.keys(contract.components?.securitySchemes ?? {})) {
      await overview.getByText(scheme, { exact: true }).waitFor();
    }
    assert.ok(
      visit.requests.some((url) => url === `${origin}/openapi.json`),
      "the page loads /openapi.json",
    );
    assertCleanVisit(visit);
  });

  it("shows the hook operation, Okta's sample payloads and the response commands", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const visit = await openReference();
    const { page } = visit;
    const hook = hookBlock(page);
    assert.ok(hookOperation?.summary, "the hook operation has a summary");
    await hook
      .locator(".opblock-summary-description", { hasText: hookOperation.summary })
      .waitFor();
    await hook.locator(".opblock-summary").click();

    const requestBody = hook.locator(".opblock-section-request-body");
    const requestExamples = requestBody.locator("select.examples-select-element");
    for (const name of [
      "SelfServiceRegistrationRequest",
      "ProgressiveProfileRequest",
      "ClassicRegistrationRequest",
    ]) {
      await requestExamples
        .locator("option", { hasText: exampleSummary(name) })
        .waitFor({ state: "attached" });
    }
    await requestBody.getByText("rosario.jones@example.com").first().waitFor();
    await requestExamples.selectOption({ label: exampleSummary("ClassicRegistrationRequest") });
    await requestBody.getByText("john.doe@example.com").first().waitFor();

    const ok = hook.locator(".responses-table .response[data-code='200']");
    await ok.getByText("com.okta.action.update").first().waitFor();
    await ok
      .locator("select.examples-select-element")
      .selectOption({ label: exampleSummary("DenyDomainResponse") });
    await ok.getByText("INVALID_EMAIL_DOMAIN").first().waitFor();
    await ok.getByText("errorCauses").first().waitFor();
    for (const code of ["400", "401", "415", "500"]) {
      await hook.locator(`.responses-table .response[data-code='${code}']`).waitFor();
    }
    assertCleanVisit(visit);
  });

  it("sends a call from Try it out with the shared secret and shows the service's ALLOW", {
    timeout: TEST_TIMEOUT_MS,
  }, async () => {
    const visit = await openReference();
    const { page } = visit;

    await page.locator(".auth-wrapper button.authorize").click();
    const dialog = page.locator(".dialog-ux");
    const sharedSecret = dialog.locator(".auth-container").filter({ hasText: "oktaSharedSecret" });
    await sharedSecret.locator("input").fill(TEST_SECRET);
    await sharedSecret.locator("button.authorize").click();
    await sharedSecret.getByText("Authorized").first().waitFor();
    await dialog.locator("button.close-modal").click();
    await dialog.waitFor({ state: "detached" });

    const hook = hookBlock(page);
    await hook.locator(".opblock-summary").click();
    await hook.locator(".try-out__btn", { hasText: "Try it out" }).click();
    const call = page.waitForResponse(
      (response) =>
        response.url() === `${origin}/registrationHook` && response.request().method() === "POST",
    );
    await hook.locator("button.execute").click();
    const answered = await call;
    assert.equal(answered.status(), 200, "the service answered the call from the page");
    assert.equal(answered.request().headers().authorization, TEST_SECRET);

    const live = hook.locator(".responses-wrapper .live-responses-table .response").first();
    await live.locator(".response-col_status", { hasText: "200" }).waitFor();
    const body = live.locator(".microlight", { hasText: "com.okta.action.update" }).first();
    await body.waitFor();
    const text = await body.textContent();
    assert.deepEqual(withoutDebugContext(JSON.parse(text ?? "")), ALLOW);
    assertCleanVisit(visit);
  });
});
