// Regenerates generated/ from openapi/ (settings in redocly.yaml) and config/config.schema.json from
// the settings table; with --check, fails when either is stale.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle, loadConfig } from "@redocly/openapi-core";
import openapiTS, { astToString, type OpenAPI3, type OpenAPITSOptions } from "openapi-typescript";
import { parse as parseYaml } from "yaml";
import { configFileSchema } from "../src/config/settings.js";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const check = process.argv.includes("--check");

interface GeneratorSettings extends Omit<OpenAPITSOptions, "redocly" | "cwd"> {
  output: string;
  bundle: string;
}

const HEADER = `/**
 * GENERATED FILE: DO NOT EDIT.
 * Types of the OpenAPI document in openapi/, written by openapi-typescript.
 * Regenerate with \`npm run generate\`; CI fails (\`npm run generate:check\`) when this is stale.
 */

`;

async function readSettings(): Promise<{ rootFile: string; settings: GeneratorSettings }> {
  const config = parseYaml(await readFile(resolve(root, "redocly.yaml"), "utf8")) as {
    apis?: Record<string, { root?: string; "x-openapi-ts"?: GeneratorSettings }>;
  };
  const apis = Object.values(config.apis ?? {});
  const api = apis[0];
  if (apis.length !== 1 || !api?.root || !api["x-openapi-ts"]) {
    throw new Error("redocly.yaml must declare exactly one api with root and x-openapi-ts");
  }
  return { rootFile: resolve(root, api.root), settings: api["x-openapi-ts"] };
}

async function render(): Promise<Map<string, string>> {
  const { rootFile, settings } = await readSettings();
  const { output, bundle: bundleFile, ...options } = settings;
  const config = await loadConfig({ configPath: resolve(root, "redocly.yaml") });
  const { bundle: bundled, problems } = await bundle({ ref: rootFile, config });
  const errors = problems.filter((p) => p.severity === "error");
  if (errors.length > 0) {
    throw new Error(`bundling failed:\n${errors.map((p) => `- ${p.message}`).join("\n")}`);
  }
  const document = bundled.parsed as OpenAPI3;
  const types = astToString(
    await openapiTS(structuredClone(document), { ...options, silent: true }),
  );
  return new Map([
    [resolve(root, bundleFile), `${JSON.stringify(document, null, 2)}\n`],
    [resolve(root, output), HEADER + types],
    [
      resolve(root, "config/config.schema.json"),
      `${JSON.stringify(configFileSchema(), null, 2)}\n`,
    ],
  ]);
}

async function main(): Promise<void> {
  const files = await render();
  const stale: string[] = [];
  for (const [file, content] of files) {
    const current = await readFile(file, "utf8").catch(() => undefined);
    if (current === content) continue;
    if (check) stale.push(relative(root, file));
    else await writeFile(file, content);
  }
  if (stale.length > 0) {
    console.error(
      `out of date with openapi/ or src/config/settings.ts: ${stale.join(", ")}.\nRun \`npm run generate\` and commit the result.`,
    );
    process.exit(1);
  }
  console.log(
    check
      ? "generated/ is up to date."
      : `wrote ${[...files.keys()].map((f) => relative(root, f)).join(", ")}`,
  );
}

await main();
