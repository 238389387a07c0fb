// The deployment artefacts agree with the service: the Dockerfile ships every file the compiled
// service reads and runs it as a non-root node process; the Kubernetes manifests in deploy/kubernetes
// probe, secure, expose and scale it consistently. No Docker engine or cluster is needed.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  ConfigError,
  listen,
  loadConfig,
  parseWorkers,
  startService,
  type TestService,
} from "./support/app.js";
import {
  type Container,
  copies,
  type DataManifest,
  type Deployment,
  dockerIgnored,
  effective,
  execForm,
  type Hpa,
  type IngressManifest,
  imageOf,
  type Kustomization,
  last,
  loadYaml,
  type Manifest,
  OUT_DIR,
  type Pdb,
  parseDockerfile,
  quantity,
  ROOT,
  read,
  readJson,
  runtimePackages,
  runtimeReferences,
  type ServiceManifest,
  type Stage,
  shipping,
} from "./support/deploy.js";
import { httpCall } from "./support/socket.js";

const K8S_DIR = "deploy/kubernetes";
const SECRET_EXAMPLE = "secret.example.yaml";
const REAL_SECRET = "Basic dGVzdDpjb3JyZWN0LWhvcnNlLWJhdHRlcnk=";

const packageJson = readJson<{
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
}>("package.json");
const spec = readJson<{ paths: Record<string, unknown> }>("generated/openapi.json");
const configSchema = readJson<{ properties: Record<string, unknown> }>("config/config.schema.json");
/** Settings read from the environment but not from CONFIG_FILE (src/main.ts, src/config/). */
const ENV_ONLY_SETTINGS = ["NODE_ENV", "CONFIG_FILE", "WORKERS", "NODE_OPTIONS"];
const KNOWN_SETTINGS = new Set([...Object.keys(configSchema.properties), ...ENV_ONLY_SETTINGS]);

/** The service's own drain timeout on SIGTERM, read from src/main.ts. */
const DRAIN_SECONDS = (() => {
  const match = /const DRAIN_TIMEOUT_MS = ([\d_]+);/.exec(read("src/main.ts"));
  assert.ok(match?.[1], "src/main.ts declares DRAIN_TIMEOUT_MS");
  return Number(match[1].replaceAll("_", "")) / 1000;
})();

const RUNTIME_REFERENCES = runtimeReferences();

/** Imported at run time but declared in devDependencies, which `npm ci --omit=dev` leaves out. */
const missingFromDependencies = runtimePackages().filter(
  (name) => !Object.hasOwn(packageJson.dependencies, name),
);

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

const manifestFiles = readdirSync(`${ROOT}/${K8S_DIR}`)
  .filter((f) => /\.ya?ml$/.test(f))
  .sort();

const manifests: Manifest[] = manifestFiles
  .filter((f) => f !== "kustomization.yaml")
  .flatMap((file) =>
    loadYaml(`${K8S_DIR}/${file}`).map((value) => ({ ...(value as Omit<Manifest, "file">), file })),
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

/** The policy ConfigMap's files written to a folder, as the kubelet mounts them; the policy's path. */
function mountedPolicy(): string {
  const policyMap = only<DataManifest>("ConfigMap", "policy-configmap.yaml");
  const dir = mkdtempSync(join(tmpdir(), "policy-configmap-"));
  for (const [name, text] of Object.entries(policyMap.data ?? {}))
    writeFileSync(join(dir, name), text);
  return join(dir, "policy.yaml");
}

let shared: Promise<TestService> | undefined;

/** The service in process, built once (compiling the spec takes a moment) and shared. */
function service(): Promise<TestService> {
  shared ??= startService({ HOOK_AUTH_SECRET: REAL_SECRET });
  return shared;
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
    for (const known of ["generated/openapi.json", "public"]) {
      assert.ok(RUNTIME_REFERENCES.includes(known), `src/ reads ${known}`);
    }
    const required = [
      ...RUNTIME_REFERENCES,
      `${OUT_DIR}/server.js`,
      "node_modules",
      // Its "type": "module" makes node load dist/*.js as ES modules.
      "package.json",
      // Not read by the service: the CONFIG_FILE and policy examples, shipped for operators.
      "config/example.yaml",
      "policy/example.yaml",
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
    const alive = await listen(await service());
    try {
      assert.equal(await probe(alive.port), 0);
    } finally {
      await alive.close();
    }
    assert.equal(await probe(alive.port), 1);
  });
});

describe("Kubernetes manifests", () => {
  it("parse, one object per document, each with a kind, an apiVersion and a name", () => {
    assert.ok(manifestFiles.length >= 8);
    for (const manifest of manifests) {
      assert.ok(manifest.apiVersion && manifest.kind && manifest.metadata?.name, manifest.file);
    }
    for (const kind of ["Deployment", "Service", "HorizontalPodAutoscaler"]) only(kind);
    for (const kind of ["PodDisruptionBudget", "Ingress"]) only(kind);
    only("ConfigMap", "configmap.yaml");
    only("ConfigMap", "policy-configmap.yaml");
    only("Secret", SECRET_EXAMPLE);
  });

  it("kustomization.yaml lists every manifest except the secret template", () => {
    const [kustomization] = loadYaml(`${K8S_DIR}/kustomization.yaml`) as Kustomization[];
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
    const serving = await listen(await service());
    try {
      for (const path of new Set(Object.values(probes))) {
        const res = await httpCall(serving.port, { path });
        assert.equal(res.status, 200, `${path} answers 200 on a healthy service`);
      }
    } finally {
      await serving.close();
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
    const configMap = only<DataManifest>("ConfigMap", "configmap.yaml");
    for (const key of Object.keys(configMap.data ?? {})) assert.ok(KNOWN_SETTINGS.has(key), key);
    for (const variable of container.env ?? []) {
      assert.ok(KNOWN_SETTINGS.has(variable.name), variable.name);
      const secretRef = variable.valueFrom?.secretKeyRef;
      if (secretRef) assert.equal(secretRef.name, only("Secret", SECRET_EXAMPLE).metadata.name);
    }
    for (const from of container.envFrom ?? []) {
      assert.equal(from.configMapRef?.name, configMap.metadata.name);
    }
    for (const key of ["POLICY_FILE", "FAIL_MODE", "LOG_LEVEL"]) assert.ok(configMap.data?.[key]);
    assert.equal(configMap.data?.ALLOWED_DOMAINS, undefined, "the policy holds the domains");

    const env = podEnvironment({ HOOK_AUTH_SECRET: REAL_SECRET });
    assert.ok(env.HOOK_AUTH_SECRET, "HOOK_AUTH_SECRET comes from the Secret");
    const config = loadConfig({ ...env, POLICY_FILE: mountedPolicy() });
    assert.equal(config.production, true);
    assert.equal(config.port, containerPort.containerPort);
    assert.equal(parseWorkers(env.WORKERS, 8), 1, "one process per pod; scale with replicas");
  });

  it("Deployment: mounts the policy ConfigMap as a directory where POLICY_FILE points, and it compiles", () => {
    const env = podEnvironment({ HOOK_AUTH_SECRET: REAL_SECRET });
    const mounts =
      (container as { volumeMounts?: { name: string; mountPath: string; subPath?: string }[] })
        .volumeMounts ?? [];
    const volumes =
      (podSpec as { volumes?: { name: string; configMap?: { name: string } }[] }).volumes ?? [];
    const policyVolume = volumes.find((v) => v.configMap?.name === "okta-registration-hook-policy");
    assert.ok(policyVolume, "a volume from the policy ConfigMap");
    const mount = mounts.find((m) => m.name === policyVolume.name);
    assert.ok(mount, "mounted in the container");
    assert.equal(mount.subPath, undefined, "a subPath mount never sees an edit");
    assert.equal(env.POLICY_FILE, `${mount.mountPath}/policy.yaml`);
    const config = loadConfig({ ...env, POLICY_FILE: mountedPolicy() });
    assert.ok(config.policy.rules.length > 0);
  });

  it("Secret template: a placeholder the service refuses, never a usable secret", () => {
    const secret = only<DataManifest>("Secret", SECRET_EXAMPLE);
    const values = { ...secret.data, ...secret.stringData };
    assert.ok(values.HOOK_AUTH_SECRET !== undefined);
    assert.match(values.HOOK_AUTH_SECRET, /REPLACE/);
    assert.throws(
      () => loadConfig({ ...podEnvironment(values), POLICY_FILE: mountedPolicy() }),
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
