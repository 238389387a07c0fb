// Reloads when a file the configuration was read from changes: CONFIG_FILE, POLICY_FILE and the
// policy's list files. The folders are watched rather than the files, because a Kubernetes
// ConfigMap changes by swapping a symlinked directory (..data), which a watch of the file misses;
// a slow poll of the same digest catches whatever the watch does not report.
import { createHash } from "node:crypto";
import { type FSWatcher, readFileSync, watch } from "node:fs";
import { dirname } from "node:path";

export interface ConfigWatch {
  /** The files to watch now (they change with the policy's lists). */
  update(files: readonly string[]): void;
  stop(): void;
}

function digestOf(files: readonly string[]): string {
  const hash = createHash("sha256");
  for (const file of files) {
    hash.update(file).update("\0");
    try {
      hash.update(readFileSync(file));
    } catch {
      hash.update("\0missing");
    }
    hash.update("\0");
  }
  return hash.digest("hex");
}

export function watchConfig(
  onChange: () => void,
  { debounceMs = 200, pollMs = 5_000 } = {},
): ConfigWatch {
  let files: readonly string[] = [];
  let last = "";
  let watchers: FSWatcher[] = [];
  let timer: NodeJS.Timeout | undefined;
  const check = () => {
    timer = undefined;
    const digest = digestOf(files);
    if (digest === last) return;
    last = digest;
    onChange();
  };
  const soon = () => {
    if (timer === undefined) timer = setTimeout(check, debounceMs);
  };
  const poll = setInterval(check, pollMs);
  poll.unref();
  return {
    update(next) {
      files = [...next];
      last = digestOf(files);
      for (const watcher of watchers) watcher.close();
      watchers = [...new Set(files.map((file) => dirname(file)))].flatMap((dir) => {
        try {
          const watcher = watch(dir, { persistent: false }, soon);
          watcher.on("error", () => watcher.close());
          return [watcher];
        } catch {
          return [];
        }
      });
    },
    stop() {
      clearInterval(poll);
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
