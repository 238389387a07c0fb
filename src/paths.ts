// Files outside the code that the service reads at run time, found from the application root: one
// level up from src/ (run by tsx) and from dist/ (the build puts every module there, flat).
// Every such reference lives here, so that moving a module cannot break one.

/** The bundled OpenAPI document. */
export const SPEC_URL = new URL("../generated/openapi.json", import.meta.url);
/** The API reference page's own files (the rest come from swagger-ui-dist). */
export const PUBLIC_URL = new URL("../public/", import.meta.url);
