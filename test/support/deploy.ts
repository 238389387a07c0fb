// Readers for test/deploy.test.ts: what the compiled service reads and imports at run time, a
// small Dockerfile reader (stages, instructions, and where the final stage's COPYs put things),
// and the Kubernetes manifests, typed as far as the checks need. No Docker engine or cluster.
import assert from "node:assert/strict";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { posix } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));

/** A file of the repository, by its path from the root. */
export const read = (file: string): string => readFileSync(`${ROOT}/${file}`, "utf8");
export const readJson = <T>(file: string): T => JSON.parse(read(file)) as T;

/** Where `npm run build` (scripts/build.ts) bundles src/ to: the folder of npm start's entry. */
export const OUT_DIR = posix.dirname(
  readJson<{ scripts: { start: string } }>("package.json").scripts.start.split(" ").at(-1) ?? "",
);

// ---------------------------------------------------------------------------------------------
// What the compiled service reads at run time.

export function sourceFiles(dir: string): string[] {
  return readdirSync(`${ROOT}/${dir}`, { withFileTypes: true }).flatMap((entry) => {
    const file = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return sourceFiles(file);
    return file.endsWith(".ts") ? [file] : [];
  });
}

/**
 * Files outside dist/ that the built service opens, found as `new URL("../…", import.meta.url)`
 * in src/: each is resolved from where its module lands, which is dist/ itself for every module
 * (the bundle is flat), giving a path relative to the application root.
 */
export function runtimeReferences(): string[] {
  const found = new Set<string>();
  const pattern = /new URL\(\s*["'](\.\.\/[^"']*)["']\s*,\s*import\.meta\.url\s*\)/g;
  for (const file of sourceFiles("src")) {
    const compiledDir = OUT_DIR;
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

/**
 * The npm packages the server loads: bare specifiers of the value imports (and createRequire calls)
 * (and dynamic imports) of every module reachable from src/server.ts. `import type` is erased; `import { type X }` is not
 * (verbatimModuleSyntax keeps it as an import).
 */
export function runtimePackages(entry = "src/server.ts"): string[] {
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
      // Dynamic imports: the entry loads the service once it takes SIGHUP, the general path and
      // OAuth are loaded when first needed.
      ...[...text.matchAll(/\bimport\(\s*["']([^"']+)["']\s*\)/g)],
      // What a generated CommonJS module (the precompiled validators) requires.
      ...[...text.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)],
    ].map(([, specifier]) => specifier ?? "");
    for (const specifier of specifiers) {
      if (specifier.startsWith(".")) {
        const target = posix.join(posix.dirname(file), specifier).replace(/\.js$/, ".ts");
        if (target.startsWith("src/") || target.startsWith("generated/")) visit(target);
      } else if (!specifier.startsWith("node:")) {
        const parts = specifier.split("/");
        packages.add(specifier.startsWith("@") ? parts.slice(0, 2).join("/") : (parts[0] ?? ""));
      }
    }
  };
  visit(entry);
  return [...packages].sort();
}

// ---------------------------------------------------------------------------------------------
// A small Dockerfile reader: stages, instructions, and what the final stage's COPYs put where.

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly base: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
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
export function lineage(stages: readonly Stage[], stage: Stage): Stage[] {
  const parent = stages.find((s) => s.name !== undefined && s.name === stage.base);
  return parent ? [stage, ...lineage(stages, parent)] : [stage];
}

export function imageOf(stages: readonly Stage[], stage: Stage): string {
  const chain = lineage(stages, stage);
  return chain[chain.length - 1]?.base ?? "";
}

/** Every instruction that applies to the stage, inherited ones first. */
export function effective(stages: readonly Stage[], stage: Stage): Instruction[] {
  return lineage(stages, stage)
    .reverse()
    .flatMap((s) => s.instructions);
}

export function workdirOf(instructions: readonly Instruction[]): string {
  let dir = "/";
  for (const { keyword, args } of instructions) {
    if (keyword === "WORKDIR") dir = posix.resolve(dir, args);
  }
  return dir;
}

export function last(
  instructions: readonly Instruction[],
  keyword: string,
): Instruction | undefined {
  return instructions.filter((i) => i.keyword === keyword).at(-1);
}

export function execForm(instruction: Instruction | undefined): string[] {
  assert.ok(instruction, "instruction present");
  const value: unknown = JSON.parse(instruction.args.replace(/^(?:--\S+\s+)*CMD\s+/, ""));
  assert.ok(
    Array.isArray(value) && value.every((v) => typeof v === "string"),
    `${instruction.keyword} in exec (JSON array) form, so no shell stands between it and signals`,
  );
  return value;
}

export interface CopyMapping {
  /** Where the files come from: "context", or the stage name. */
  readonly origin: string;
  /** The path relative to the repository (or to the origin stage's workdir). */
  readonly source: string;
  /** Where it lands, relative to the final stage's workdir. */
  readonly target: string;
  readonly flags: readonly string[];
}

export function isDirectory(source: string): boolean {
  if (source === OUT_DIR) return true;
  return existsSync(`${ROOT}/${source}`) && statSync(`${ROOT}/${source}`).isDirectory();
}

export function copies(stages: readonly Stage[], stage: Stage): CopyMapping[] {
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
export function shipping(mappings: readonly CopyMapping[], path: string): CopyMapping | undefined {
  return mappings.find(
    (m) => m.source === m.target && (path === m.target || path.startsWith(`${m.target}/`)),
  );
}

/** .dockerignore matching as Docker does it: patterns anchored at the context root, `!` re-includes. */
export function dockerIgnored(patterns: readonly string[], path: string): boolean {
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

// ---------------------------------------------------------------------------------------------
// The Kubernetes manifests, typed as far as the checks need.

export interface Metadata {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}
export interface Manifest {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: Metadata;
  readonly file: string;
}
export interface HttpProbe {
  readonly httpGet?: { readonly path?: string; readonly port?: number | string };
  readonly periodSeconds?: number;
  readonly failureThreshold?: number;
}
export interface SecurityContext {
  readonly runAsNonRoot?: boolean;
  readonly runAsUser?: number;
  readonly readOnlyRootFilesystem?: boolean;
  readonly allowPrivilegeEscalation?: boolean;
  readonly privileged?: boolean;
  readonly capabilities?: { readonly drop?: string[]; readonly add?: string[] };
  readonly seccompProfile?: { readonly type?: string };
}
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly secretKeyRef?: { readonly name: string; readonly key: string };
    readonly configMapKeyRef?: { readonly name: string; readonly key: string };
  };
}
export type Quantities = Record<string, string | number>;
export interface Container {
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
export interface LabelSelector {
  readonly matchLabels?: Record<string, string>;
}
export interface Deployment extends Manifest {
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
export interface ServiceManifest extends Manifest {
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
export interface Hpa extends Manifest {
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
export interface Pdb extends Manifest {
  readonly spec: {
    readonly selector: LabelSelector;
    readonly minAvailable?: number | string;
    readonly maxUnavailable?: number | string;
  };
}
export interface IngressManifest extends Manifest {
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
export interface DataManifest extends Manifest {
  readonly data?: Record<string, string>;
  readonly stringData?: Record<string, string>;
}
export interface Kustomization {
  readonly resources?: string[];
  readonly images?: { readonly name: string }[];
}

// ---------------------------------------------------------------------------------------------
// YAML and quantities.

/** Every YAML document in a file (relative to the repository), each required to parse cleanly. */
export function loadYaml(file: string): unknown[] {
  const documents = parseAllDocuments(read(file));
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

/** CPU in cores and memory in bytes from Kubernetes quantities. */
export function quantity(value: string | number | undefined): number {
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
