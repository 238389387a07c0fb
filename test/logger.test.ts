// The log's destination: standard output, written as each line is logged. An asynchronous writer
// that the calls outrun builds a backlog in memory without bound; this one cannot.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

describe("log destination", () => {
  it("has written every line to standard output by the time the log call returns", () => {
    const dir = mkdtempSync(join(tmpdir(), "hook-log-"));
    const file = join(dir, "stdout.log");
    const fd = openSync(file, "w");
    try {
      const lines = 20_000;
      const child = spawnSync(
        process.execPath,
        ["--import", "tsx", "test/support/log-burst-child.ts", file, String(lines)],
        { cwd: ROOT, stdio: ["ignore", fd, "pipe"], encoding: "utf8" },
      );
      assert.equal(child.status, 0, child.stderr);
      const report = JSON.parse(child.stderr.trim().split("\n").at(-1) ?? "{}") as {
        written?: number;
      };
      // Before the burst yielded once, the file already held all of it.
      assert.equal(report.written, lines);
      const first = JSON.parse(readFileSync(file, "utf8").split("\n")[0] ?? "{}") as {
        msg?: string;
        i?: number;
      };
      assert.deepEqual([first.msg, first.i], ["request completed", 0]);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
