// The deployment artefacts agree with the service: the Dockerfile ships every file the compiled
// service reads and runs it as a non-root node process; the Kubernetes manifests in deploy/kubernetes
// probe, secure, expose and scale it consistently. No Docker engine or cluster is needed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { posix } from "node:path";
import { Writable } from "node:stream";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import { createApp, type HookApp } from "../src/app.js";
import { ConfigError, loadConfig, parseWorkers } from "../src/config.js";
import { createHttpServer } from "../src/http/server.js";
import { createLogger } from "../src/logger.js";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const K8S_DIR = "deploy/kubernetes";
const SECRET_EXAMPLE = "secret.example.yaml";
const REAL_SECRET = "Basic dGVzdDpjb3JyZWN0LWhvcnNlLWJhdHRlcnk=";

const read = (file: string): string => readFileSync(`${ROOT}/${file}`, "utf8");
const readJson = <T>(file: string): T => JSON.parse(read(file)) as T;

const packageJson = readJson<{
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
}>("package.json");
const OUT_DIR = readJson<{ compilerOptions: { outDir: string } }>("tsconfig.build.json")
  .compilerOptions.outDir;
const spec = readJson<{ paths: Record<string, unknown> }>("generated/openapi.json");
const configSchema = readJson<{ properties: Record<string, unknown> }>("config/config.schema.json");
/** Settings read from the environment but not from CONFIG_FILE (src/server.ts, src/configFile.ts). */
const ENV_ONLY_SETTINGS = ["NODE_ENV", "CONFIG_FILE", "WORKERS"];
const KNOWN_SETTINGS = new Set([...Object.keys(configSchema.properties), ...ENV_ONLY_SETTINGS]);

/** The service's own drain timeout on SIGTERM, read from src/server.ts. */
const DRAIN_SECONDS = (() => {
  const match = /const DRAIN_TIMEOUT_MS = ([\d_]+);/.exec(read("src/server.ts"));
  assert.ok(match?.[1], "src/server.ts declares DRAIN_TIMEOUT_MS");
  return Number(match[1].replaceAll("_", "")) / 1000;
})();

// ---------------------------------------------------------------------------------------------
// What the compiled service reads at run time.

function sourceFiles(dir: string): string[] {
  return readdirSync(`${ROOT}/${dir}`, { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

/**
 * Files outside dist/ that the compiled service opens, found as `new URL("../…", import.meta.url)`
 * in src/: each is resolved from where its module lands in dist/ (tsconfig.build.json keeps src/'s
 * layout under outDir), giving a path relative to the application root.
 */
function runtimeReferences(): string[] {
  const found = new Set<string>();
  const pattern = /new URL\(\s*["'](\.\.\/[^"']*)["']\s*,\s*import\.meta\.url\s*\)/g;
  for (const file of sourceFiles("src")) {
    const compiledDir = posix.join(OUT_DIR, posix.dirname(posix.relative("src", file)));
    for (const [, reference] of read(file).matchAll(pattern)) {
      if (reference === undefined) continue;
      const target = posix.normalize(posix.join(compiledDir, reference)).replace(/\/$/, "");
      if (target === OUT_DIR || target.startsWith(`${OUT_DIR}/`)) continue;
      assert.ok(!target.startsWith(".."), `${file} reads ${reference}, outside the application`);
      found.add(target);
    }
  }
  return [...found].sort();
}

const RUNTIME_REFERENCES = runtimeReferences();

/**
 * The npm packages the server loads: bare specifiers of the value imports (and createRequire calls)
 * of every module reachable from src/server.ts. `import type` is erased; `import { type X }` is not
 * (verbatimModuleSyntax keeps it as an import).
 */
function runtimePackages(entry = "src/server.ts"): string[] {
  const packages = new Set<string>();
  const visited = new Set<string>();
  const visit = (file: string) => {
    if (visited.has(file)) return;
    visited.add(file);
    const text = read(file);
    const specifiers = [
      ...[...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?\bfrom\s+["']([^"']+)["']/gm)],
      ...[...text.matchAll(/^\s*import\s+["']([^"']+)["']/gm)],
      ...[...text.matchAll(/createRequire\([^)]*\)\(\s*["']([^"']+)["']\s*\)/g)],
    ].map(([, specifier]) => specifier ?? "");
    for (const specifier of specifiers) {
      if (specifier.startsWith(".")) {
        const target = posix.join(posix.dirname(file), specifier).replace(/\.js$/, ".ts");
        if (target.startsWith("src/")) visit(target);
      } else if (!specifier.startsWith("node:")) {
        const parts = specifier.split("/");
        packages.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? ""));
      }
    }
  };
  visit(entry);
  return [...packages].sort();
}

/** Imported at run time but declared in devDependencies, which `npm ci --omit=dev` leaves out. */
const missingFromDependencies = runtimePackages().filter(
  (name) => !Object.hasOwn(packageJson.dependencies, name),
);

// ---------------------------------------------------------------------------------------------
// A small Dockerfile reader: stages, instructions, and what the final stage's COPYs put where.

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

interface Stage {
  readonly base: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

function parseDockerfile(text: string): Stage[] {
  // Docker drops comment lines (even inside a continuation) and then joins continued lines.
  const lines = text.split("\n").filter((line) => !line.trimStart().startsWith("#"));
  const joined = lines.join("\n").replace(/\\\n/g, " ");
  const stages: Stage[] = [];
  for (const line of joined.split("\n")) {
    const match = /^\s*(\w+)\s+(.*)$/.exec(line);
    if (!match?.[1] || match[2] === undefined) continue;
    const keyword = match[1].toUpperCase();
    const args = match[2].trim();
    if (keyword === "FROM") {
      const from = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args);
      assert.ok(from?.[1], `FROM ${args}`);
      stages.push({ base: from[1], name: from[2], instructions: [] });
      continue;
    }
    const stage = stages.at(-1);
    assert.ok(stage, `${keyword} before the first FROM`);
    stage.instructions.push({ keyword, args });
  }
  return stages;
}

/** A stage and the earlier stages it is built FROM, the stage itself first. */
function lineage(stages: readonly Stage[], stage: Stage): Stage[] {
  const parent = stages.find((s) => s.name !== undefined && s.name === stage.base);
  return parent ? [stage, ...lineage(stages, parent)] : [stage];
}

function imageOf(stages: readonly Stage[], stage: Stage): string {
  const chain = lineage(stages, stage);
  return chain[chain.length - 1]?.base ?? "";
}

/** Every instruction that applies to the stage, inherited ones first. */
function effective(stages: readonly Stage[], stage: Stage): Instruction[] {
  return lineage(stages, stage)
    .reverse()
    .flatMap((s) => s.instructions);
}

function workdirOf(instructions: readonly Instruction[]): string {
  let dir = "/";
  for (const { keyword, args } of instructions) {
    if (keyword === "WORKDIR") dir = posix.resolve(dir, args);
  }
  return dir;
}

function last(instructions: readonly Instruction[], keyword: string): Instruction | undefined {
  return instructions.filter((i) => i.keyword === keyword).at(-1);
}

function execForm(instruction: Instruction | undefined): string[] {
  assert.ok(instruction, "instruction present");
  const value: unknown = JSON.parse(instruction.args.replace(/^(?:--\S+\s+)*CMD\s+/, ""));
  assert.ok(
    Array.isArray(value) && value.every((v) => typeof v === "string"),
    `${instruction.keyword} in exec (JSON array) form, so no shell stands between it and signals`,
  );
  return value;
}

interface CopyMapping {
  /** Where the files come from: "context", or the stage name. */
  readonly origin: string;
  /** The path relative to the repository (or to the origin stage's workdir). */
  readonly source: string;
  /** Where it lands, relative to the final stage's workdir. */
  readonly target: string;
  readonly flags: readonly string[];
}

function isDirectory(source: string): boolean {
  if (source === OUT_DIR) return true;
  return existsSync(`${ROOT}/${source}`) && statSync(`${ROOT}/${source}`).isDirectory();
}

function copies(stages: readonly Stage[], stage: Stage): CopyMapping[] {
  const result: CopyMapping[] = [];
  const seen: Instruction[] = [];
  const appRoot = workdirOf(effective(stages, stage));
  for (const instruction of effective(stages, stage)) {
    seen.push(instruction);
    if (instruction.keyword !== "COPY" && instruction.keyword !== "ADD") continue;
    const words = instruction.args.startsWith("[")
      ? (JSON.parse(instruction.args) as string[])
      : instruction.args.split(/\s+/);
    const flags = words.filter((w) => w.startsWith("--"));
    const paths = words.filter((w) => !w.startsWith("--"));
    const dest = paths.pop();
    assert.ok(dest !== undefined && paths.length > 0, `COPY ${instruction.args}`);
    const origin = flags.find((f) => f.startsWith("--from="))?.slice("--from=".length);
    const originStage = stages.find((s) => s.name === origin);
    const originDir = originStage ? workdirOf(effective(stages, originStage)) : "/";
    const into = posix.resolve(workdirOf(seen), dest);
    for (const path of paths) {
      const source = originStage
        ? posix.relative(originDir, posix.resolve(originDir, path))
        : posix.normalize(path).replace(/\/$/, "");
      const landed =
        dest.endsWith("/") || paths.length > 1
          ? isDirectory(source)
            ? into
            : posix.join(into, posix.basename(source))
          : into;
      result.push({
        origin: origin ?? "context",
        source,
        target: posix.relative(appRoot, landed),
        flags,
      });
    }
  }
  return result;
}

/** The copy that puts `path` at the same place under the application root, if any. */
function shipping(mappings: readonly CopyMapping[], path: string): CopyMapping | undefined {
  return mappings.find(
    (m) => m.source === m.target && (path === m.target || path.startsWith(`${m.target}/`)),
  );
}

/** .dockerignore matching as Docker does it: patterns anchored at the context root, `!` re-includes. */
function dockerIgnored(patterns: readonly string[], path: string): boolean {
  const toRegex = (pattern: string) =>
    new RegExp(
      `^${pattern
        .replace(/^\/+|\/+$/g, "")
        .replace(/[.+^${}()|[\]\\]/g, "\\$&")
        .replace(/\*\*\//g, "\u0000")
        .replace(/\*\*/g, ".*")
        .replace(/\*/g, "[^/]*")
        .replace(/\?/g, "[^/]")
        .replaceAll("\u0000", "(?:.*/)?")}$`,
    );
  const prefixes = path.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const raw of patterns) {
    const negated = raw.startsWith("!");
    const regex = toRegex(negated ? raw.slice(1) : raw);
    if (prefixes.some((p) => regex.test(p))) ignored = !negated;
  }
  return ignored;
}

const dockerfile = parseDockerfile(read("Dockerfile"));
const finalStage = dockerfile.at(-1);
assert.ok(finalStage, "the Dockerfile has a stage");
const finalInstructions = effective(dockerfile, finalStage);
const finalCopies = copies(dockerfile, finalStage);
const ignorePatterns = read(".dockerignore")
  .split("\n")
  .map((line) => line.trim())
  .filter((line) => line !== "" && !line.startsWith("#"));

function stageNamed(name: string): Stage {
  const stage = dockerfile.find((s) => s.name === name);
  assert.ok(stage, `stage ${name}`);
  return stage;
}

function runs(stage: Stage, command: RegExp): boolean {
  return effective(dockerfile, stage).some((i) => i.keyword === "RUN" && command.test(i.args));
}

// ---------------------------------------------------------------------------------------------
// The Kubernetes manifests, typed as far as the checks need.

interface Metadata {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: Metadata;
  readonly file: string;
}
interface HttpProbe {
  readonly httpGet?: { readonly path?: string; readonly port?: number | string };
  readonly periodSeconds?: number;
  readonly failureThreshold?: number;
}
interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly privileged?: boolean;
  readonly capabilities?: { readonly drop?: string[]; readonly add?: string[] };
  readonly seccompProfile?: { readonly type?: string };
}
interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string };
    readonly configMapKeyRef?: { readonly name: string; readonly key: string };
  };
}
type Quantities = Record<string, string | number>;
interface Container {
  readonly name: string;
  readonly image: string;
  readonly ports?: { readonly name?: string; readonly containerPort: number }[];
  readonly env?: EnvVar[];
  readonly envFrom?: {
    readonly configMapRef?: { readonly name: string };
    readonly secretRef?: { readonly name: string };
  }[];
  readonly livenessProbe?: HttpProbe;
  readonly readinessProbe?: HttpProbe;
  readonly startupProbe?: HttpProbe;
  readonly resources?: { readonly requests?: Quantities; readonly limits?: Quantities };
  readonly securityContext?: SecurityContext;
  readonly lifecycle?: {
    readonly preStop?: {
      readonly exec?: { readonly command?: string[] };
      readonly sleep?: { readonly seconds: number };
    };
  };
}
interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
}
interface Deployment extends Manifest {
  readonly spec: {
    readonly replicas?: number;
    readonly selector: LabelSelector;
    readonly template: {
      readonly metadata: { readonly labels: Record<string, string> } & Partial<Metadata>;
      readonly spec: {
        readonly terminationGracePeriodSeconds?: number;
        readonly securityContext?: SecurityContext;
        readonly containers: Container[];
        readonly topologySpreadConstraints?: {
          readonly topologyKey: string;
          readonly labelSelector?: LabelSelector;
        }[];
        readonly affinity?: {
          readonly podAntiAffinity?: Record<
            string,
            { readonly labelSelector?: LabelSelector; readonly topologyKey?: string }[]
          >;
        };
      };
    };
  };
}
interface ServiceManifest extends Manifest {
  readonly spec: {
    readonly type?: string;
    readonly selector: Record<string, string>;
    readonly ports: {
      readonly name?: string;
      readonly port: number;
      readonly targetPort: number | string;
    }[];
  };
}
interface Hpa extends Manifest {
  readonly spec: {
    readonly scaleTargetRef: {
      readonly apiVersion: string;
      readonly kind: string;
      readonly name: string;
    };
    readonly minReplicas: number;
    readonly maxReplicas: number;
    readonly metrics: {
      readonly type: string;
      readonly resource?: {
        readonly name: string;
        readonly target: { readonly type: string; readonly averageUtilization?: number };
      };
    }[];
  };
}
interface Pdb extends Manifest {
  readonly spec: {
    readonly selector: LabelSelector;
    readonly minAvailable?: number | string;
    readonly maxUnavailable?: number | string;
  };
}
interface IngressManifest extends Manifest {
  readonly spec: {
    readonly tls?: { readonly hosts?: string[]; readonly secretName?: string }[];
    readonly defaultBackend?: unknown;
    readonly rules: {
      readonly host?: string;
      readonly http: {
        readonly paths: {
          readonly path: string;
          readonly pathType: string;
          readonly backend: {
            readonly service: {
              readonly name: string;
              readonly port: { readonly name?: string; readonly number?: number };
            };
          };
        }[];
      };
    }[];
  };
}
interface DataManifest extends Manifest {
  readonly data?: Record<string, string>;
  readonly stringData?: Record<string, string>;
}
interface Kustomization {
  readonly resources?: string[];
  readonly images?: { readonly name: string }[];
}

const manifestFiles = readdirSync(`${ROOT}/${K8S_DIR}`)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

function loadYaml(file: string): unknown[] {
  const documents = parseAllDocuments(read(`${K8S_DIR}/${file}`));
  assert.ok(Array.isArray(documents), `${file} is a YAML stream`);
  return documents
    .map((document) => {
      assert.deepEqual(
        [...document.errors, ...document.warnings].map((e) => e.message),
        [],
        `${file} parses cleanly`,
      );
      return document.toJS() as unknown;
    })
    .filter((value) => value !== null);
}

const manifests: Manifest[] = manifestFiles
  .filter((f) => f !== "kustomization.yaml")
  .flatMap((file) =>
    loadYaml(file).map((value) => ({ ...(value as Omit<Manifest, "file">), file })),
  );

function only<T extends Manifest>(kind: string, file?: string): T {
  const found = manifests.filter((m) => m.kind === kind && (file === undefined || m.file === file));
  assert.equal(found.length, 1, `exactly one ${kind}${file ? ` in ${file}` : ""}`);
  return found[0] as T;
}

const deployment = only<Deployment>("Deployment");
const podSpec = deployment.spec.template.spec;
const podLabels = deployment.spec.template.metadata.labels;
const container = (() => {
  assert.equal(podSpec.containers.length, 1, "one container");
  return podSpec.containers[0] as Container;
})();
const containerPort = (() => {
  const port = container.ports?.[0];
  assert.ok(port, "the container declares its port");
  return port;
})();

/** A probe's or Service's port (a number or the container port's name) as a number. */
function resolvePort(port: number | string | undefined): number | undefined {
  if (typeof port === "number") return port;
  return container.ports?.find((p) => p.name !== undefined && p.name === port)?.containerPort;
}

function selects(selector: Record<string, string> | undefined, labels: Record<string, string>) {
  const entries = Object.entries(selector ?? {});
  return entries.length > 0 && entries.every(([k, v]) => labels[k] === v);
}

/** CPU in cores and memory in bytes from Kubernetes quantities. */
function quantity(value: string | number | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(m|k|M|G|Ki|Mi|Gi)?$/.exec(String(value));
  assert.ok(match?.[1], `"${value}" is a quantity`);
  const units: Record<string, number> = {
    m: 1e-3,
    k: 1e3,
    M: 1e6,
    G: 1e9,
    Ki: 2 ** 10,
    Mi: 2 ** 20,
    Gi: 2 ** 30,
  };
  return Number(match[1]) * (match[2] ? (units[match[2]] ?? 1) : 1);
}

function preStopSeconds(): number {
  const preStop = container.lifecycle?.preStop;
  if (preStop?.sleep) return preStop.sleep.seconds;
  const command = preStop?.exec?.command ?? [];
  const seconds = command.join(" ").match(/\bsleep\s+(\d+)/)?.[1];
  return seconds === undefined ? 0 : Number(seconds);
}

/** The environment the pod's container starts with, the Secret's keys given real-looking values. */
function podEnvironment(secret: Record<string, string>): Record<string, string> {
  const configMaps = manifests.filter((m): m is DataManifest => m.kind === "ConfigMap");
  const env: Record<string, string> = {};
  for (const from of container.envFrom ?? []) {
    const map = configMaps.find((c) => c.metadata.name === from.configMapRef?.name);
    Object.assign(env, map?.data);
  }
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    const value = ref ? secret[ref.key] : variable.value;
    if (value !== undefined) env[variable.name] = value;
  }
  return env;
}

let app: Promise<HookApp> | undefined;

/** The service in process, built once (compiling the spec takes a moment) and shared. */
function startApp(): Promise<HookApp> {
  const silent = new Writable({ write: (_chunk, _encoding, done) => done() });
  app ??= createApp(loadConfig({ HOOK_AUTH_SECRET: REAL_SECRET }), {
    logger: createLogger("silent", silent),
  });
  return app;
}

// ---------------------------------------------------------------------------------------------

describe("Dockerfile", () => {
  it("builds every stage on Node.js 24 (bookworm-slim)", () => {
    assert.ok(dockerfile.length >= 3, "build, production-deps and run-time stages");
    for (const stage of dockerfile) {
      assert.match(imageOf(dockerfile, stage), /^node:24-bookworm-slim(@sha256:[0-9a-f]{64})?$/);
    }
  });

  it("compiles in one stage and installs only production dependencies, with the lockfile, in another", () => {
    const nodeModules = shipping(finalCopies, "node_modules/express");
    assert.ok(nodeModules, "node_modules is copied");
    assert.ok(
      runs(stageNamed(nodeModules.origin), /\bnpm ci\b.*--omit=dev/),
      "node_modules comes from a stage that ran npm ci --omit=dev",
    );
    assert.ok(!runs(stageNamed(nodeModules.origin), /\bnpm (install|i)\b/));
    const dist = shipping(finalCopies, `${OUT_DIR}/server.js`);
    assert.ok(dist, `${OUT_DIR}/ is copied`);
    const build = stageNamed(dist.origin);
    assert.ok(runs(build, /\bnpm ci\b/) && runs(build, /\bnpm run build\b/));
    for (const stage of [build, stageNamed(nodeModules.origin)]) {
      const sources = copies(dockerfile, stage).map((c) => c.source);
      assert.ok(
        sources.includes("package-lock.json"),
        `${stage.name} copies the lockfile npm ci needs`,
      );
    }
  });

  it("installs, as production dependencies, every package the server imports", () => {
    assert.ok(runtimePackages().includes("express"), "the import scan finds the server's packages");
    assert.deepEqual(
      missingFromDependencies,
      [],
      "the image (npm ci --omit=dev) would fail to start",
    );
  });

  it(`ships every file the compiled service reads outside ${OUT_DIR}/ at the same relative path`, () => {
    // Found in src/ by runtimeReferences(); these three must be among them, so that a change in
    // how src/ spells its references cannot empty the list unnoticed.
    for (const known of ["generated/openapi.json", "config/config.schema.json", "public"]) {
      assert.ok(RUNTIME_REFERENCES.includes(known), `src/ reads ${known}`);
    }
    const required = [
      ...RUNTIME_REFERENCES,
      `${OUT_DIR}/server.js`,
      "node_modules",
      // Its "type": "module" makes node load dist/*.js as ES modules.
      "package.json",
      // Not read by the service: the CONFIG_FILE example, shipped for operators.
      "config/example.yaml",
    ];
    for (const path of required) {
      const copy = shipping(finalCopies, path);
      assert.ok(copy, `the final stage copies ${path}`);
      if (copy.origin === "context") assert.ok(existsSync(`${ROOT}/${path}`), `${path} exists`);
    }
  });

  it("keeps the build context free of local artefacts without leaving out anything a COPY needs", () => {
    for (const excluded of ["node_modules", "dist", ".git", "test", "coverage", "npm-debug.log"]) {
      assert.ok(dockerIgnored(ignorePatterns, excluded), `.dockerignore excludes ${excluded}`);
    }
    for (const stage of dockerfile) {
      for (const copy of copies(dockerfile, stage).filter((c) => c.origin === "context")) {
        assert.ok(!dockerIgnored(ignorePatterns, copy.source), `${copy.source} is in the context`);
        assert.ok(existsSync(`${ROOT}/${copy.source}`), `${copy.source} exists`);
      }
    }
  });

  it("runs as the non-root node user over root-owned files", () => {
    const user = last(finalInstructions, "USER")?.args.split(":")[0];
    assert.ok(user && !["root", "0"].includes(user), `USER ${user} is not root`);
    for (const copy of finalCopies) {
      assert.ok(
        !copy.flags.some((f) => f.startsWith("--chown") || f.startsWith("--chmod")),
        `${copy.target} stays owned by root and read-only to ${user}`,
      );
    }
    assert.ok(
      !finalStage.instructions.some((i) => i.keyword === "RUN" && /\bch(own|mod)\b/.test(i.args)),
    );
  });

  it("starts node directly on the compiled entry point, as npm start does after its build", () => {
    assert.equal(last(finalInstructions, "ENTRYPOINT"), undefined, "no ENTRYPOINT wraps the CMD");
    assert.deepEqual(
      execForm(last(finalInstructions, "CMD")),
      packageJson.scripts.start?.split(" "),
    );
    assert.ok(
      existsSync(`${ROOT}/src/server.ts`),
      `${OUT_DIR}/server.js is compiled from src/server.ts`,
    );
  });

  it("sets production mode, exposes the container port and stops with SIGTERM", () => {
    const env = Object.fromEntries(
      finalInstructions
        .filter((i) => i.keyword === "ENV")
        .flatMap((i) => [...i.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)])
        .map(([, key, value]) => [key, value?.replace(/^"|"$/g, "")]),
    );
    assert.equal(env.NODE_ENV, "production");
    assert.equal(Number(env.PORT ?? 3000), containerPort.containerPort);
    assert.equal(last(finalInstructions, "EXPOSE")?.args, String(containerPort.containerPort));
    assert.equal(last(finalInstructions, "STOPSIGNAL")?.args, "SIGTERM");
  });

  it("has a HEALTHCHECK with node's fetch that passes against the service and fails without it", async () => {
    const healthcheck = last(finalInstructions, "HEALTHCHECK");
    const command = execForm(
      healthcheck && { keyword: "HEALTHCHECK", args: healthcheck.args.replace(/^.*?\bCMD\s+/, "") },
    );
    assert.equal(command[0], "node", "node itself: slim images have no curl");
    assert.match(command.join(" "), /\/healthz\b/);

    const probe = async (port: number) => {
      const child = spawn(process.execPath, command.slice(1), {
        env: { ...process.env, PORT: String(port) },
        stdio: "ignore",
      });
      const [code] = (await once(child, "exit")) as [number | null];
      return code;
    };
    const server = createHttpServer(await startApp());
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    try {
      assert.equal(await probe(port), 0);
    } finally {
      server.close();
      server.closeAllConnections();
    }
    await once(server, "close");
    assert.equal(await probe(port), 1);
  });
});

describe("Kubernetes manifests", () => {
  it("parse, one object per document, each with a kind, an apiVersion and a name", () => {
    assert.ok(manifestFiles.length >= 8);
    for (const manifest of manifests) {
      assert.ok(manifest.apiVersion && manifest.kind && manifest.metadata?.name, manifest.file);
    }
    for (const kind of ["Deployment", "Service", "HorizontalPodAutoscaler"]) only(kind);
    for (const kind of ["PodDisruptionBudget", "ConfigMap", "Ingress"]) only(kind);
    only("Secret", SECRET_EXAMPLE);
  });

  it("kustomization.yaml lists every manifest except the secret template", () => {
    const [kustomization] = loadYaml("kustomization.yaml") as Kustomization[];
    const expected = manifestFiles.filter(
      (f) => f !== "kustomization.yaml" && f !== SECRET_EXAMPLE,
    );
    assert.deepEqual([...(kustomization?.resources ?? [])].sort(), expected);
    for (const image of kustomization?.images ?? []) {
      assert.ok(container.image.startsWith(`${image.name}:`), `images: ${image.name}`);
    }
  });

  it("Deployment: three replicas of the placeholder image, selecting its own pods", () => {
    assert.equal(deployment.apiVersion, "apps/v1");
    assert.equal(deployment.spec.replicas, 3);
    assert.equal(container.image, "ghcr.io/your-org/okta-registration-hook:1.0.0");
    assert.ok(selects(deployment.spec.selector.matchLabels, podLabels));
  });

  it("Deployment: probes /healthz (startup, liveness) and /readyz (readiness) on the container port", async () => {
    const probes = {
      startupProbe: "/healthz",
      livenessProbe: "/healthz",
      readinessProbe: "/readyz",
    } as const;
    for (const [name, path] of Object.entries(probes)) {
      const probe = container[name as keyof typeof probes];
      assert.equal(probe?.httpGet?.path, path, `${name} path`);
      assert.equal(resolvePort(probe?.httpGet?.port), containerPort.containerPort, `${name} port`);
      assert.ok(path in spec.paths, `${path} is in the spec`);
    }
    const server = createHttpServer(await startApp()).listen(0, "127.0.0.1");
    await once(server, "listening");
    try {
      const { port } = server.address() as AddressInfo;
      for (const path of new Set(Object.values(probes))) {
        const res = await fetch(`http://127.0.0.1:${port}${path}`);
        assert.equal(res.status, 200, `${path} answers 200 on a healthy service`);
      }
    } finally {
      server.close();
      server.closeAllConnections();
    }
  });

  it("Deployment: requests and limits for CPU and memory, requests within limits", () => {
    const { requests, limits } = container.resources ?? {};
    for (const resource of ["cpu", "memory"]) {
      const request = quantity(requests?.[resource]);
      const limit = quantity(limits?.[resource]);
      assert.ok(request > 0 && request <= limit, `${resource}: ${request} <= ${limit}`);
    }
  });

  it("Deployment: non-root, read-only root filesystem, no privilege escalation, no capabilities, seccomp", () => {
    const pod = podSpec.securityContext ?? {};
    const own = container.securityContext ?? {};
    assert.equal(own.runAsNonRoot ?? pod.runAsNonRoot, true);
    assert.equal(pod.runAsNonRoot, true);
    // The image's USER is a name; the kubelet can enforce runAsNonRoot only with a numeric id.
    const uid = own.runAsUser ?? pod.runAsUser;
    assert.ok(uid !== undefined && uid > 0, "a numeric non-root runAsUser");
    assert.equal(own.readOnlyRootFilesystem, true);
    assert.equal(own.allowPrivilegeEscalation, false);
    assert.notEqual(own.privileged, true);
    assert.deepEqual(own.capabilities?.drop, ["ALL"]);
    assert.deepEqual(own.capabilities?.add ?? [], []);
    assert.equal((own.seccompProfile ?? pod.seccompProfile)?.type, "RuntimeDefault");
  });

  it(`Deployment: the grace period covers the preStop sleep plus the ${DRAIN_SECONDS} s drain`, () => {
    const sleep = preStopSeconds();
    assert.ok(sleep >= 2 && sleep <= 15, `preStop sleeps a few seconds (${sleep})`);
    const grace = podSpec.terminationGracePeriodSeconds ?? 30;
    assert.ok(grace > sleep + DRAIN_SECONDS, `${grace} > ${sleep} + ${DRAIN_SECONDS}`);
  });

  it("Deployment: spread across nodes", () => {
    const spreads = (podSpec.topologySpreadConstraints ?? []).filter(
      (c) =>
        c.topologyKey === "kubernetes.io/hostname" &&
        selects(c.labelSelector?.matchLabels, podLabels),
    );
    const antiAffinity = Object.values(podSpec.affinity?.podAntiAffinity ?? {})
      .flat()
      .filter(
        (term) =>
          term.topologyKey === "kubernetes.io/hostname" &&
          selects(term.labelSelector?.matchLabels, podLabels),
      );
    assert.ok(spreads.length + antiAffinity.length > 0);
  });

  it("Deployment: Prometheus scrapes /metrics on the container port", () => {
    const annotations = deployment.spec.template.metadata.annotations ?? {};
    assert.equal(annotations["prometheus.io/scrape"], "true");
    assert.equal(Number(annotations["prometheus.io/port"]), containerPort.containerPort);
    assert.equal(annotations["prometheus.io/path"], "/metrics");
    assert.ok("/metrics" in spec.paths);
  });

  it("Deployment: its environment names known settings and starts a valid production configuration", () => {
    const configMap = only<DataManifest>("ConfigMap");
    for (const key of Object.keys(configMap.data ?? {})) assert.ok(KNOWN_SETTINGS.has(key), key);
    for (const variable of container.env ?? []) {
      assert.ok(KNOWN_SETTINGS.has(variable.name), variable.name);
      const secretRef = variable.valueFrom?.secretKeyRef;
      if (secretRef) assert.equal(secretRef.name, only("Secret", SECRET_EXAMPLE).metadata.name);
    }
    for (const from of container.envFrom ?? []) {
      assert.equal(from.configMapRef?.name, configMap.metadata.name);
    }
    for (const key of ["ALLOWED_DOMAINS", "FAIL_MODE", "LOG_LEVEL"])
      assert.ok(configMap.data?.[key]);

    const env = podEnvironment({ HOOK_AUTH_SECRET: REAL_SECRET });
    assert.ok(env.HOOK_AUTH_SECRET, "HOOK_AUTH_SECRET comes from the Secret");
    const config = loadConfig(env);
    assert.equal(config.production, true);
    assert.equal(config.port, containerPort.containerPort);
    assert.equal(parseWorkers(env.WORKERS, 8), 1, "one process per pod; scale with replicas");
  });

  it("Secret template: a placeholder the service refuses, never a usable secret", () => {
    const secret = only<DataManifest>("Secret", SECRET_EXAMPLE);
    const values = { ...secret.data, ...secret.stringData };
    assert.ok(values.HOOK_AUTH_SECRET !== undefined);
    assert.match(values.HOOK_AUTH_SECRET, /REPLACE/);
    assert.throws(
      () => loadConfig(podEnvironment(values)),
      (error: unknown) => error instanceof ConfigError && /HOOK_AUTH_SECRET/.test(error.message),
    );
  });

  it("Service: ClusterIP port 80 to the container port, selecting the pods", () => {
    const service = only<ServiceManifest>("Service");
    assert.equal(service.spec.type ?? "ClusterIP", "ClusterIP");
    assert.ok(selects(service.spec.selector, podLabels));
    assert.equal(service.spec.ports.length, 1);
    const [port] = service.spec.ports;
    assert.equal(port?.port, 80);
    assert.equal(resolvePort(port?.targetPort), containerPort.containerPort);
  });

  it("HorizontalPodAutoscaler: scales the Deployment from 2 to 10 replicas at 70% CPU", () => {
    const hpa = only<Hpa>("HorizontalPodAutoscaler");
    assert.equal(hpa.apiVersion, "autoscaling/v2");
    assert.deepEqual(hpa.spec.scaleTargetRef, {
      apiVersion: deployment.apiVersion,
      kind: "Deployment",
      name: deployment.metadata.name,
    });
    assert.equal(hpa.spec.minReplicas, 2);
    assert.equal(hpa.spec.maxReplicas, 10);
    const cpu = hpa.spec.metrics.find((m) => m.type === "Resource" && m.resource?.name === "cpu");
    assert.deepEqual(cpu?.resource?.target, { type: "Utilization", averageUtilization: 70 });
    assert.ok(container.resources?.requests?.cpu, "CPU utilisation needs a CPU request");
  });

  it("PodDisruptionBudget: selects the pods and still lets a node drain at the minimum scale", () => {
    const pdb = only<Pdb>("PodDisruptionBudget");
    assert.equal(pdb.apiVersion, "policy/v1");
    assert.ok(selects(pdb.spec.selector.matchLabels, podLabels));
    const minReplicas = only<Hpa>("HorizontalPodAutoscaler").spec.minReplicas;
    if (pdb.spec.maxUnavailable !== undefined) assert.equal(pdb.spec.maxUnavailable, 1);
    else assert.ok(Number(pdb.spec.minAvailable) < minReplicas);
  });

  it("Ingress: TLS through cert-manager, and only /registrationHook in public", () => {
    const ingress = only<IngressManifest>("Ingress");
    const service = only<ServiceManifest>("Service");
    assert.ok(
      ingress.metadata.annotations?.["cert-manager.io/cluster-issuer"] ??
        ingress.metadata.annotations?.["cert-manager.io/issuer"],
    );
    assert.equal(ingress.spec.defaultBackend, undefined, "no catch-all backend");
    const tlsHosts = (ingress.spec.tls ?? []).flatMap((t) => t.hosts ?? []);
    const paths = ingress.spec.rules.flatMap((rule) => {
      assert.ok(rule.host && tlsHosts.includes(rule.host), `${rule.host} is served over TLS`);
      return rule.http.paths;
    });
    assert.deepEqual(
      paths.map((p) => p.path),
      ["/registrationHook"],
    );
    for (const path of paths) {
      assert.ok(path.path in spec.paths);
      assert.ok(["Exact", "Prefix"].includes(path.pathType));
      assert.equal(path.backend.service.name, service.metadata.name);
      const port = service.spec.ports.find(
        (p) =>
          p.name === path.backend.service.port.name || p.port === path.backend.service.port.number,
      );
      assert.ok(port, "the backend names the Service's port");
    }
    for (const internal of ["/metrics", "/healthz", "/readyz", "/"]) {
      assert.ok(
        !paths.some(
          (p) => p.path === internal || (p.pathType === "Prefix" && internal.startsWith(p.path)),
        ),
      );
    }
  });
});
