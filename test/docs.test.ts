// The published contract and its reference page, in process: the documents as bundled, the page's assets
// all local and served, and the page's Content-Security-Policy.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { SPEC_URL } from "../src/paths.js";
import { getOutsideSpec, startService, type TestService } from "./support/app.js";

const bundled: unknown = JSON.parse(readFileSync(SPEC_URL, "utf8"));

/** The content type each kind of file the page references must be served with. */
const CONTENT_TYPES: ReadonlyMap<string, RegExp> = new Map([
  [".js", /^(text|application)\/javascript\b/],
  [".css", /^text\/css\b/],
  [".png", /^image\/png\b/],
  [".json", /^application\/json\b/],
  [".yaml", /^application\/yaml\b/],
]);

const ORIGIN = "http://service.test";

function extensionOf(path: string): string {
  const dot = path.lastIndexOf(".");
  return dot === -1 ? "" : path.slice(dot);
}

/** Every URL in a `src` or `href` attribute of the page. */
function referencedUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)\s*=\s*["']([^"']*)["']/gi)].map((m) => m[1] ?? "");
}

/** The page's `<script>` elements, with their attributes and contents. */
function scripts(html: string): { attributes: string; body: string }[] {
  return [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script\s*>/gi)].map((m) => ({
    attributes: m[1] ?? "",
    body: m[2] ?? "",
  }));
}

/** Parses a Content-Security-Policy header into its directives. */
function directives(header: string | undefined): Map<string, string[]> {
  assert.ok(header, "the response has no content-security-policy header");
  const map = new Map<string, string[]>();
  for (const part of header.split(";")) {
    const [name, ...sources] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), sources);
  }
  return map;
}

function assertDocsPolicy(path: string, header: string | undefined): void {
  const csp = directives(header);
  const expected: [string, string[]][] = [
    ["default-src", ["'self'"]],
    ["script-src", ["'self'"]],
    ["style-src", ["'self'", "'unsafe-inline'"]],
    ["img-src", ["'self'", "data:"]],
    ["connect-src", ["'self'"]],
    ["object-src", ["'none'"]],
    ["base-uri", ["'self'"]],
    ["frame-ancestors", ["'none'"]],
  ];
  for (const [name, sources] of expected) {
    assert.deepEqual(csp.get(name), sources, `${path}: ${name}`);
  }
  assert.doesNotMatch(header ?? "", /unsafe-eval/, `${path}: no eval`);
}

describe("published contract", () => {
  let service: TestService;
  before(async () => {
    service = await startService();
  });

  it("serves /openapi.json as the bundled document, with its $refs kept", async () => {
    const res = await getOutsideSpec(service, "/openapi.json");
    assert.equal(res.status, 200);
    assert.match(res.headers["content-type"] ?? "", /^application\/json\b/);
    assert.deepEqual(JSON.parse(res.text), bundled);
    assert.match(res.text, /"\$ref":"#\/components\//, "the document must not be dereferenced");
    // A document, not a page: it keeps the API's own policy, which loads nothing.
    assert.deepEqual(directives(res.headers["content-security-policy"]).get("default-src"), [
      "'none'",
    ]);
  });

  it("serves /openapi.yaml as the same document", async () => {
    const res = await getOutsideSpec(service, "/openapi.yaml");
    assert.equal(res.status, 200);
    assert.match(res.headers["content-type"] ?? "", /^application\/yaml\b/);
    assert.deepEqual(parseYaml(res.text), bundled);
    assert.match(res.text, /\$ref: "?#\/components\//);
  });
});

describe("API reference page", () => {
  let service: TestService;
  let html: string;
  before(async () => {
    service = await startService();
    const res = await getOutsideSpec(service, "/docs");
    assert.equal(res.status, 200);
    assert.match(res.headers["content-type"] ?? "", /^text\/html\b/);
    html = res.text;
  });

  it("is HTML that loads Swagger UI and its set-up script from this service", () => {
    assert.match(html, /^<!doctype html>/i);
    const sources = scripts(html).map(
      (s) => /\bsrc\s*=\s*["']([^"']+)["']/i.exec(s.attributes)?.[1],
    );
    assert.deepEqual(sources, ["/docs/assets/swagger-ui-bundle.js", "/docs/docs.js"]);
  });

  it("has no inline script or event handler (the policy would block them)", () => {
    for (const script of scripts(html)) {
      assert.match(script.attributes, /\bsrc\s*=/, "every script is loaded from a file");
      assert.equal(script.body.trim(), "", "no inline script");
    }
    assert.doesNotMatch(html, /\son[a-z]+\s*=/i, "no inline event handler");
    assert.doesNotMatch(html, /javascript:/i);
  });

  it("references only same-origin URLs", () => {
    const urls = referencedUrls(html);
    assert.ok(urls.length >= 5, `expected the page's assets, found ${urls.join(", ")}`);
    for (const url of urls) {
      assert.match(url, /^\/(?!\/)/, `${url} must be a path on this service`);
      assert.equal(new URL(url, ORIGIN).origin, ORIGIN, url);
    }
  });

  it("answers every URL it references with 200 and the right content type", async () => {
    for (const url of new Set(referencedUrls(html))) {
      const res = await getOutsideSpec(service, url);
      assert.equal(res.status, 200, `${url} answered ${res.status}`);
      const expected = CONTENT_TYPES.get(extensionOf(new URL(url, ORIGIN).pathname));
      assert.ok(expected, `${url}: unexpected kind of file`);
      assert.match(res.headers["content-type"] ?? "", expected, `${url}: content type`);
      assert.ok(Number(res.headers["content-length"]) > 0, `${url} is empty`);
    }
  });

  it("loads no stylesheet resource from elsewhere (no fonts, no @import)", async () => {
    const sheets = referencedUrls(html).filter((url) => extensionOf(url) === ".css");
    assert.ok(sheets.length >= 2, "Swagger UI's styles and the page's own");
    for (const sheet of sheets) {
      const res = await getOutsideSpec(service, sheet);
      assert.equal(res.status, 200, sheet);
      const css = res.text;
      assert.doesNotMatch(css, /@import/i, sheet);
      assert.doesNotMatch(css, /@font-face/i, sheet);
      for (const [, target] of css.matchAll(/url\(\s*["']?([^"')]*)/gi)) {
        assert.match(target ?? "", /^(data:|\/(?!\/)|#)/, `${sheet} loads ${target}`);
      }
    }
  });

  it("serves only the listed Swagger UI files (not its demo page that loads the Petstore)", async () => {
    for (const file of [
      "index.html",
      "swagger-initializer.js",
      "swagger-ui.js.map",
      "../package.json",
    ]) {
      const res = await getOutsideSpec(service, `/docs/assets/${file}`);
      assert.equal(res.status, 404, `/docs/assets/${file} answered ${res.status}`);
    }
  });

  it("carries the reference page's Content-Security-Policy on the page and every asset", async () => {
    const urls = ["/docs", ...referencedUrls(html).filter((url) => url.startsWith("/docs/"))];
    for (const url of new Set(urls)) {
      const res = await getOutsideSpec(service, url);
      assert.equal(res.status, 200, url);
      assertDocsPolicy(url, res.headers["content-security-policy"]);
      assert.equal(res.headers["x-content-type-options"], "nosniff", url);
    }
  });
});
