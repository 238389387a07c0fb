// Entry point. Its first act is to take SIGHUP, so a reload asked for while the service is still
// loading never ends the process (node's default for SIGHUP); everything slow is imported after.
import { reloadRequests } from "./signals.js";

reloadRequests.listen();
const { main } = await import("./main.js");
await main(process.env);
