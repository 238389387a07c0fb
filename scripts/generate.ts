// Regenerates generated/ from openapi/ (settings in redocly.yaml) and config/config.schema.json from
// the settings table; with --check, fails when any of them is stale. generated/ holds the bundled
// document, its types (openapi-typescript), and validators compiled to code (ajv standalone): the
// request validators openapi-backend builds from the document, and the policy document's schema.
import { readFile, writeFile } from "node:fs/promises";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { bundle, loadConfig } from "@redocly/openapi-core";
import { Ajv, _ as code, type Options, type ValidateFunction } from "ajv";
import standalone from "ajv/dist/standalone/index.js";
import { type Document, OpenAPIBackend } from "openapi-backend";
import openapiTS, { astToString, type OpenAPI3, type OpenAPITSOptions } from "openapi-typescript";
import { parse as parseYaml } from "yaml";
import { configFileSchema } from "../src/config/settings.js";
import { VALIDATION } from "../src/http/api.js";
import { POLICY_AJV_OPTIONS, policySchema } from "../src/policy/engine/schema.js";

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

const VALIDATORS_HEADER = `// GENERATED FILE: DO NOT EDIT.
// Validators compiled to code by ajv (standalone), written by \`npm run generate\`; CI fails
// (\`npm run generate:check\`) when this is stale. requestValidators: for each operation, the
// request validators openapi-backend builds from generated/openapi.json, in its order.
// validatePolicyDocument: policy documents against src/policy/engine/schema.ts.
"use strict";
function load(define) {
  const module = { exports: {} };
  define(module, module.exports);
  return module.exports.default;
}
`;

const VALIDATORS_TYPES = `// GENERATED FILE: DO NOT EDIT. The types of validators.cjs, written by \`npm run generate\`.
import type { ValidateFunction } from "ajv";

export declare const requestValidators: Readonly<Record<string, readonly ValidateFunction[]>>;
export declare const validatePolicyDocument: ValidateFunction;
`;

/** An ajv that keeps the code it compiles, for standaloneCode; formats come from ajv-formats. */
function sourceAjv(options: Options): Ajv {
  return new Ajv({
    ...options,
    code: {
      ...options.code,
      source: true,
      formats: code`require("ajv-formats/dist/formats").fullFormats`,
    },
  });
}

/** One validator as an expression: its standalone module, evaluated in a scope of its own. */
function validatorExpression(ajv: Ajv, validate: ValidateFunction): string {
  return `load(function (module, exports) {\n${standalone.default(ajv, validate)}\n})`;
}

/** The request validators openapi-backend compiles, with VALIDATION, in an ajv that keeps the code. */
async function requestValidatorsCode(document: OpenAPI3): Promise<string> {
  let created: Ajv[] = [];
  const backend = new OpenAPIBackend({
    definition: structuredClone(document) as Document,
    ...VALIDATION,
    quick: true,
    // Only ajv-formats' formats can be referenced from code; a spec using one of
    // openapi-backend's own (int32, say) fails here, in strict mode, rather than at run time.
    customizeAjv: (_given, options) => {
      const ajv = VALIDATION.customizeAjv(sourceAjv(options));
      created.push(ajv);
      return ajv;
    },
  });
  await backend.init();
  const entries: string[] = [];
  for (const operation of backend.router.getOperations()) {
    const id = operation.operationId;
    if (id === undefined) continue;
    created = [];
    const validators = backend.validator.getRequestValidatorsForOperation(id) ?? [];
    // openapi-backend asks for one ajv per validator, in order, just before compiling it.
    if (validators.length !== created.length) throw new Error(`${id}: validators and ajv differ`);
    const compiled = validators.map((v, i) => validatorExpression(created[i] as Ajv, v));
    entries.push(`  ${JSON.stringify(id)}: [\n${compiled.join(",\n")}\n  ]`);
  }
  return `exports.requestValidators = {\n${entries.join(",\n")}\n};\n`;
}

function policyValidatorCode(): string {
  const ajv = sourceAjv(POLICY_AJV_OPTIONS);
  return `exports.validatePolicyDocument = ${validatorExpression(ajv, ajv.compile(policySchema))};\n`;
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
      resolve(root, "generated/validators.cjs"),
      VALIDATORS_HEADER + (await requestValidatorsCode(document)) + policyValidatorCode(),
    ],
    [resolve(root, "generated/validators.d.cts"), VALIDATORS_TYPES],
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
