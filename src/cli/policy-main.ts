import { run } from "./policy.js";

const out = {
  stdout: (s: string) => process.stdout.write(s),
  stderr: (s: string) => process.stderr.write(s),
};
process.exitCode = await run(process.argv.slice(2), process.env, out);
