// Security headers, computed once from helmet: the API's answers are constant, the docs page has its own policy.
import { IncomingMessage, ServerResponse } from "node:http";
import { Socket } from "node:net";
import helmet from "helmet";

type Middleware = ReturnType<typeof helmet>;

/** Runs a helmet middleware once against a blank response and keeps the headers it set. */
function captureHeaders(middleware: Middleware): readonly string[] {
  const res = new ServerResponse(new IncomingMessage(new Socket()));
  middleware(res.req, res, () => {});
  return Object.entries(res.getHeaders()).flatMap(([name, value]) => [name, String(value)]);
}

/** The API answers JSON only: the strictest policy, and never cached. Flat name, value, name, value. */
export const API_HEADERS: readonly string[] = Object.freeze([
  ...captureHeaders(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
      },
    }),
  ),
  "cache-control",
  "no-store",
]);

/** The API's headers as middleware, for the published documents that express serves. */
export function apiHeaders(_req: IncomingMessage, res: ServerResponse, next: () => void): void {
  for (let i = 0; i < API_HEADERS.length; i += 2) {
    res.setHeader(API_HEADERS[i] as string, API_HEADERS[i + 1] as string);
  }
  next();
}

/** The reference page needs its own scripts and styles to run. */
export const docsHeaders: Middleware = helmet({
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      baseUri: ["'self'"],
      objectSrc: ["'none'"],
      formAction: ["'self'"],
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", "data:"],
      connectSrc: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
});
