// The registration policy in the running service: chosen by POLICY_FILE or CONFIG_FILE, answered
// through the hook (lists, locales, enrichment, report-only, debugContext), counted in /metrics,
// and changed while the service runs, by SIGHUP and by editing the files (a ConfigMap's swap).
import assert from "node:assert/strict";
import { mkdir, mkdtemp, rename, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { specExample } from "../src/cli/contract.js";
import { run as runPolicyCli } from "../src/cli/policy.js";
import { ConfigError } from "../src/config/index.js";
import { evaluatePolicy, loadPolicyFile, serialiseAnswer } from "../src/policy/engine/index.js";
import { call, loadConfig, postHook, startService, TEST_SECRET } from "./support/app.js";
import { selfServiceRegistration } from "./support/fixtures.js";
import { exitOf, listeningPort, startServer, waitForLog } from "./support/process.js";
import { httpCall } from "./support/socket.js";

const EXAMPLE_POLICY = fileURLToPath(new URL("../policy/example.yaml", import.meta.url));

let dir = "";
before(async () => {
  dir = await mkdtemp(join(tmpdir(), "policy-service-"));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

function registration(email: string, locale?: string) {
  return selfServiceRegistration({ email, login: email, ...(locale ? { locale } : {}) });
}

describe("the example policy through the hook", () => {
  it("denies a throwaway address by the disposable list, in the person's language", async () => {
    const service = await startService({ POLICY_FILE: EXAMPLE_POLICY, ALLOWED_DOMAINS: "" });
    const english = await postHook(service, registration("jo@yopmail.com"));
    assert.equal(english.body.error.errorCauses[0].reason, "DISPOSABLE_EMAIL");
    assert.equal(english.body.error.errorCauses[0].errorSummary, "Use a permanent email address.");
    assert.equal(english.body.debugContext.rules, "throwaway");
    const french = await postHook(service, registration("jo@a.b.yopmail.com", "fr_FR"));
    assert.equal(
      french.body.error.errorCauses[0].errorSummary,
      "Utilisez une adresse e-mail permanente.",
    );
    const swiss = await postHook(service, registration("jo@nowhere-listed.test", "de-CH"));
    assert.equal(swiss.body.commands[0].value.registration, "ALLOW", "default: allow");
  });

  it("enriches an allowed staff registration, and only that", async () => {
    const service = await startService({ POLICY_FILE: EXAMPLE_POLICY, ALLOWED_DOMAINS: "" });
    const staff = await postHook(service, registration("jo@eng.example.com"));
    assert.deepEqual(staff.body.commands, [
      { type: "com.okta.action.update", value: { registration: "ALLOW" } },
      { type: "com.okta.user.profile.update", value: { organization: "Example Inc" } },
    ]);
    const partner = await postHook(service, registration("alice@partner.example"));
    assert.equal(partner.body.commands.length, 1, "the partners rule sets nothing");
    assert.equal(partner.body.debugContext.rules, "partners");
  });

  it("reports a report-only rule in debugContext and /metrics without enforcing it", async () => {
    const service = await startService({ POLICY_FILE: EXAMPLE_POLICY, ALLOWED_DOMAINS: "" });
    const res = await postHook(service, registration("jo@gmail.com"));
    assert.equal(res.body.commands[0].value.registration, "ALLOW");
    assert.match(res.body.debugContext.reportOnly, /^webmail:FREE_EMAIL_PROVIDER/);
    const metrics = await call(service, "GET", "/metrics");
    assert.match(
      metrics.text,
      /registration_hook_report_only_total\{rule="webmail",reason="FREE_EMAIL_PROVIDER"\} 2/,
    );
    assert.match(
      metrics.text,
      /registration_hook_policy_list_domains\{list="disposable",source="disposable-email-domains-js@[^"]+"\} \d{4,}/,
    );
    assert.match(metrics.text, /registration_hook_policy_info\{version="[0-9a-f]{12}"\} 1/);
    const line = service.logs.find((l) => l.msg === "registration hook decision");
    assert.deepEqual(line?.reportOnly, [
      "webmail:FREE_EMAIL_PROVIDER",
      "webmail:FREE_EMAIL_PROVIDER",
    ]);
    assert.ok(!service.rawLogs().includes("jo@gmail.com"));
  });

  it("gives the answers the spec's examples show", () => {
    const policy = loadPolicyFile(EXAMPLE_POLICY);
    const cases: [string, ReturnType<typeof selfServiceRegistration>][] = [
      ["DenyListResponse", selfServiceRegistration({ email: "jo@yopmail.com", login: "jo" })],
      [
        "DenyLocalisedResponse",
        selfServiceRegistration({ email: "jo@yopmail.com", login: "jo", locale: "fr_FR" }),
      ],
      ["AllowEnrichedResponse", selfServiceRegistration({ email: "jo@example.com", login: "jo" })],
      ["AllowReportOnlyResponse", selfServiceRegistration({ email: "jo@gmail.com", login: "jo" })],
    ];
    for (const [name, request] of cases) {
      const answer = JSON.parse(serialiseAnswer(evaluatePolicy(request, policy), policy));
      assert.deepEqual(answer, specExample(name), name);
    }
  });
});

describe("npm run policy -- explain predicts the README's worked example", () => {
  it("gives, for each address of the table, the deciding rule and the answer", async () => {
    const out: string[] = [];
    const sink = { stdout: (t: string) => out.push(t), stderr: (t: string) => out.push(t) };
    const argv = ["explain", "alice@partner.example", "jo@eng.example.com", "jo@a.b.yopmail.com"];
    argv.push("jo@gmail.com", "--file", EXAMPLE_POLICY, "--locale", "fr");
    assert.equal(await runPolicyCli(argv, {}, sink), 0);
    const text = out.join("");
    assert.match(text, /"alice@partner\.example": ALLOW by rule "partners"/);
    assert.match(text, /"jo@eng\.example\.com": ALLOW by rule "staff"/);
    assert.match(text, /organization/);
    assert.match(text, /"jo@a\.b\.yopmail\.com": DENY by rule "throwaway"/);
    assert.match(text, /Utilisez une adresse e-mail permanente\./);
    assert.match(text, /"jo@gmail\.com": ALLOW by the default/);
    assert.match(text, /report only: rule "webmail" would deny \(FREE_EMAIL_PROVIDER\)/);
  });
});

describe("choosing the policy", () => {
  it("refuses ALLOWED_DOMAINS together with a policy, saying why", () => {
    assert.throws(
      () => loadConfig({ ALLOWED_DOMAINS: "example.com", POLICY_FILE: EXAMPLE_POLICY }),
      (error: unknown) =>
        error instanceof ConfigError &&
        /^ALLOWED_DOMAINS and POLICY_FILE: are both set/.test(error.message),
    );
    assert.throws(
      () =>
        loadConfig({ ALLOWED_DOMAINS: "example.com" }, { policy: { default: "deny", rules: [] } }),
      /ALLOWED_DOMAINS and CONFIG_FILE policy: are both set/,
    );
  });

  it("refuses a bad policy at start, naming the rule and the field", async () => {
    const file = join(dir, "bad.yaml");
    await writeFile(
      file,
      "default: deny\nrules:\n  - id: ok\n    match: { domains: [example.com] }\n    action: allow\n  - id: oops\n    match: { lists: [nope] }\n    action: deny\n",
    );
    assert.throws(
      () => loadConfig({ POLICY_FILE: file }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.message.startsWith("POLICY_FILE: ") &&
        error.message.includes('rules[1] (id "oops").match.lists[0]'),
    );
  });

  it("reads a policy held in CONFIG_FILE, its lists relative to that file", async () => {
    await writeFile(join(dir, "mine.txt"), "# ours\nblocked.test\n");
    const config = loadConfig(
      { HOOK_AUTH_SECRET: TEST_SECRET },
      {
        policy: {
          default: "allow",
          lists: { mine: { file: "mine.txt" } },
          rules: [{ id: "mine", match: { lists: ["mine"] }, action: "deny" }],
        },
      },
      dir,
    );
    const service = await startService({ HOOK_AUTH_SECRET: TEST_SECRET });
    await service.app.reload(config);
    const res = await postHook(service, registration("jo@sub.blocked.test"));
    assert.equal(res.body.error.errorCauses[0].reason, "DENIED_EMAIL_DOMAIN");
    assert.deepEqual(config.policyFiles, [join(dir, "mine.txt")]);
  });
});

/** A folder laid out as Kubernetes mounts a ConfigMap: files are symlinks through ..data. */
async function configMap(root: string, files: Record<string, string>): Promise<void> {
  const version = join(root, `..${Date.now()}_${Math.random().toString(16).slice(2)}`);
  await mkdir(version, { recursive: true });
  for (const [name, text] of Object.entries(files)) await writeFile(join(version, name), text);
  const next = join(root, "..data_tmp");
  await symlink(version.slice(root.length + 1), next);
  // The atomic swap the kubelet makes.
  await rename(next, join(root, "..data"));
  for (const name of Object.keys(files)) {
    await symlink(join("..data", name), join(root, name)).catch(() => undefined);
  }
}

const allowOnly = (domain: string) =>
  `default: deny\nrules:\n  - id: only\n    match: { domains: [${domain}] }\n    action: allow\n`;

async function decisionFor(port: number, email: string): Promise<string> {
  const res = await httpCall(port, {
    method: "POST",
    path: "/registrationHook",
    headers: { "content-type": "application/json", authorization: TEST_SECRET },
    body: JSON.stringify(registration(email)),
  });
  return res.json<{ commands: { value: { registration: string } }[] }>().commands[0]?.value
    .registration as string;
}

describe("changing the policy while it runs", () => {
  it("reloads when a ConfigMap-style mount swaps its files, keeps the policy when the new one is broken, and reloads on SIGHUP", async () => {
    const mount = join(dir, "configmap");
    await mkdir(mount);
    await configMap(mount, { "policy.yaml": allowOnly("first.test") });
    const run = startServer({
      POLICY_FILE: join(mount, "policy.yaml"),
      HOOK_AUTH_SECRET: TEST_SECRET,
      LOG_LEVEL: "info",
    });
    const port = await listeningPort(run);
    assert.equal(await decisionFor(port, "jo@first.test"), "ALLOW");

    await configMap(mount, { "policy.yaml": allowOnly("second.test") });
    await waitForLog(run, "configuration reloaded", { timeoutMs: 10_000 });
    assert.equal(await decisionFor(port, "jo@second.test"), "ALLOW");
    assert.equal(await decisionFor(port, "jo@first.test"), "DENY");

    await configMap(mount, { "policy.yaml": "default: sometimes\n" });
    await waitForLog(run, "configuration reload refused", { timeoutMs: 10_000 });
    assert.equal(await decisionFor(port, "jo@second.test"), "ALLOW", "the running policy stays");
    const metrics = await httpCall(port, { path: "/metrics" });
    assert.match(metrics.text, /registration_hook_reload_failures_total\{reason="invalid"\} 1/);

    // SIGHUP reloads the same file; written in place this time.
    await writeFile(join(mount, "..data", "policy.yaml"), allowOnly("third.test"));
    run.child.kill("SIGHUP");
    await waitForLog(run, "configuration reloaded", { count: 2, timeoutMs: 10_000 });
    assert.equal(await decisionFor(port, "jo@third.test"), "ALLOW");
    run.child.kill("SIGTERM");
    assert.equal((await exitOf(run)).code, 0);
  });
});
