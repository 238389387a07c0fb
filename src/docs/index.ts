// The published contract: the bundled OpenAPI document as JSON and YAML, and an API reference page at /docs.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import express, { type Router } from "express";
import type { Document } from "openapi-backend";
import { stringify as toYaml } from "yaml";

const swaggerUiDist = createRequire(import.meta.url)("swagger-ui-dist") as {
  getAbsoluteFSPath(): string;
};

// public/ sits two levels up from both src/docs/ and dist/docs/.
const PUBLIC = new URL("../../public/", import.meta.url);
const PAGE = readFileSync(new URL("docs.html", PUBLIC), "utf8");

/** The page's own script and styles, read once and served under /docs/. */
const PAGE_FILES = [
  { name: "docs.js", type: "text/javascript" },
  { name: "docs.css", type: "text/css" },
].map(({ name, type }) => ({ name, type, body: readFileSync(new URL(name, PUBLIC), "utf8") }));

/** Only the files the page loads are served from swagger-ui-dist. */
const ASSETS = ["swagger-ui-bundle.js", "swagger-ui.css", "favicon-32x32.png", "favicon-16x16.png"];

export function createDocsRouter(document: Document): Router {
  const json = JSON.stringify(document);
  const yaml = toYaml(document, { lineWidth: 0 });
  const router = express.Router();
  router.get("/openapi.json", (_req, res) => {
    res.status(200).type("application/json").send(json);
  });
  router.get("/openapi.yaml", (_req, res) => {
    res.status(200).type("application/yaml").send(yaml);
  });
  router.get("/docs", (_req, res) => {
    res.status(200).type("text/html").send(PAGE);
  });
  for (const file of PAGE_FILES) {
    router.get(`/docs/${file.name}`, (_req, res) => {
      res.status(200).type(file.type).send(file.body);
    });
  }
  const assetRoot = swaggerUiDist.getAbsoluteFSPath();
  for (const asset of ASSETS) {
    router.get(`/docs/assets/${asset}`, (_req, res) => {
      res.sendFile(asset, { root: assetRoot, maxAge: "1d" });
    });
  }
  return router;
}
