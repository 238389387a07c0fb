// The floor of `npm run bench`: bare node:http reading the body and answering the same JSON, with
// nothing else. What the machine can do at all; no service does less.
import { createServer } from "node:http";

const ALLOW = JSON.stringify({
  commands: [{ type: "com.okta.action.update", value: { registration: "ALLOW" } }],
});

createServer((req, res) => {
  req.on("data", () => {});
  req.on("end", () => {
    res.writeHead(200, { "content-type": "application/json", "content-length": ALLOW.length });
    res.end(ALLOW);
  });
}).listen(Number(process.env.PORT), "127.0.0.1");
