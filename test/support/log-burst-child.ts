// Run by test/logger.test.ts with standard output redirected to the file named in argv[2]: logs a
// burst of lines without yielding to the event loop, then reports (on stderr) how many of them the
// file already holds.
import { readFileSync } from "node:fs";
import { createLogger } from "../../src/logger.js";

const file = process.argv[2] ?? "";
const count = Number(process.argv[3] ?? 0);
const logger = createLogger("info");
for (let i = 0; i < count; i += 1) logger.info({ i }, "request completed");
const written = readFileSync(file, "utf8").split("\n").filter(Boolean).length;
process.stderr.write(`${JSON.stringify({ written })}\n`);
