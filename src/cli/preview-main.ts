// `npm run preview`: the preview tool (src/cli/preview.ts) on this process's arguments, environment and streams.
import { run } from "./preview.js";

process.exitCode = await run(process.argv.slice(2), process.env, {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
});
