// SIGHUP taken at once, before the service has loaded: requests made while starting are kept and
// handed to whoever subscribes once start has finished. No other import, so it loads in microseconds.
import cluster from "node:cluster";

/** The IPC message a worker sends once it takes SIGHUP itself. */
export const SIGNALS_READY = "registration-hook:signals-ready";

class ReloadRequests {
  private handler: (() => void) | undefined;
  private pending = 0;

  /** Installs the SIGHUP handler; a worker then tells the primary it can take signals. */
  listen(): void {
    process.on("SIGHUP", () => {
      if (this.handler) this.handler();
      else this.pending += 1;
    });
    if (cluster.isWorker) process.send?.({ type: SIGNALS_READY });
  }

  /** Receives every later SIGHUP, and at once the requests made before; returns how many those were. */
  subscribe(handler: () => void): number {
    this.handler = handler;
    const earlier = this.pending;
    this.pending = 0;
    if (earlier > 0) handler();
    return earlier;
  }
}

export const reloadRequests = new ReloadRequests();

/** Runs `task` one at a time; a request made while one runs starts one more run after it, however many came. */
export function serialised(task: () => Promise<void>): () => void {
  let running = false;
  let again = false;
  const run = async () => {
    running = true;
    try {
      do {
        again = false;
        await task();
      } while (again);
    } finally {
      running = false;
    }
  };
  return () => {
    if (running) again = true;
    else void run();
  };
}
