// The published contract: the bundled OpenAPI document as JSON and YAML, and an API reference page at /docs.
// Every file is read once, when the router is built, and answered from memory: a client that never
// reads its answers holds references to the same buffers, never copies of them.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import express, { type Response, type Router } from "express";
import type { Document } from "openapi-backend";
import { stringify as toYaml } from "yaml";
import { PUBLIC_URL } from "../paths.js";

// absolute-path.js only returns the folder; index.js would load the 1 MB browser bundles into node.
const swaggerUiFolder = createRequire(import.meta.url)(
  "swagger-ui-dist/absolute-path.js",
) as () => string;

interface StaticFile {
  readonly path: string;
  readonly type: string;
  readonly body: Buffer;
  readonly cache: string;
}

function answer(res: Response, file: StaticFile): void {
  res.status(200).type(file.type).set("cache-control", file.cache).send(file.body);
}

const page = (path: string, type: string, name: string): StaticFile => ({
  path,
  type,
  body: readFileSync(new URL(name, PUBLIC_URL)),
  cache: "no-store",
});

export function createDocsRouter(document: Document): Router {
  const assets = `${swaggerUiFolder()}/`;
  const asset = (name: string, type: string): StaticFile => ({
    path: `/docs/assets/${name}`,
    type,
    body: readFileSync(assets + name),
    cache: "public, max-age=86400",
  });
  const files: StaticFile[] = [
    {
      path: "/openapi.json",
      type: "application/json",
      body: Buffer.from(JSON.stringify(document)),
      cache: "no-store",
    },
    {
      path: "/openapi.yaml",
      type: "application/yaml",
      body: Buffer.from(toYaml(document, { lineWidth: 0 })),
      cache: "no-store",
    },
    page("/docs", "text/html", "docs.html"),
    page("/docs/docs.js", "text/javascript", "docs.js"),
    page("/docs/docs.css", "text/css", "docs.css"),
    // Only the files the page loads are served from swagger-ui-dist.
    asset("swagger-ui-bundle.js", "text/javascript"),
    asset("swagger-ui.css", "text/css"),
    asset("favicon-32x32.png", "image/png"),
    asset("favicon-16x16.png", "image/png"),
  ];
  const router = express.Router();
  for (const file of files) router.get(file.path, (_req, res) => answer(res, file));
  return router;
}
