// Renders the API reference from the document this service serves; nothing is fetched from elsewhere.
// The page's Content-Security-Policy runs scripts from this origin only, so all set-up lives here.

/** One line on where a scheme's credential goes, from the document's own security scheme. */
function credentialPlace(scheme) {
  switch (scheme.get("type")) {
    case "apiKey":
      return `${scheme.get("in")} ${scheme.get("name")}: <secret>`;
    case "http": {
      const name = String(scheme.get("scheme"));
      const format = scheme.get("bearerFormat");
      const label = `${name.charAt(0).toUpperCase()}${name.slice(1)}`;
      return `header Authorization: ${label} <${format ? `${format} ` : ""}token>`;
    }
    default:
      return scheme.get("type");
  }
}

/**
 * Shows the document's security schemes on the page itself (Swagger UI lists them only in the
 * Authorize dialog) and links the contract in both formats.
 */
function ContractOverviewPlugin(system) {
  const h = system.React.createElement;

  function Overview({ specSelectors, getComponent }) {
    const schemes = specSelectors.specJson().getIn(["components", "securitySchemes"]);
    if (!schemes || schemes.size === 0) return null;
    const Markdown = getComponent("Markdown", true);
    const entries = schemes
      .entrySeq()
      .toArray()
      .map(([name, scheme]) =>
        h(
          "div",
          { key: name, className: "contract-overview__scheme" },
          h(
            "h4",
            null,
            h("code", null, name),
            " ",
            h("span", { className: "contract-overview__place" }, credentialPlace(scheme)),
          ),
          h(Markdown, { source: scheme.get("description") || "" }),
        ),
      );
    return h(
      "section",
      { className: "contract-overview", "aria-labelledby": "contract-overview-auth" },
      h("h3", { id: "contract-overview-auth" }, "Authentication"),
      h(
        "p",
        null,
        "The hook operation takes one of these schemes, the one the service is configured for. ",
        "To call it from this page: choose ",
        h("strong", null, "Authorize"),
        ", enter the credential (for the shared secret, the whole header value with its scheme, ",
        "for example ",
        h("code", null, "Basic …"),
        "), then open the operation, choose ",
        h("strong", null, "Try it out"),
        " and ",
        h("strong", null, "Execute"),
        ". The credential is kept in this page only and sent only to this service. ",
        "The operations endpoints take no credential.",
      ),
      entries,
      h(
        "p",
        { className: "contract-overview__downloads" },
        "The contract: ",
        h("a", { href: "/openapi.json" }, "openapi.json"),
        " · ",
        h("a", { href: "/openapi.yaml" }, "openapi.yaml"),
      ),
    );
  }

  return {
    wrapComponents: {
      InfoContainer: (Original, wrapped) => (props) =>
        h(
          "div",
          null,
          h(Original, props),
          h(Overview, {
            specSelectors: wrapped.specSelectors,
            getComponent: wrapped.getComponent,
          }),
        ),
    },
  };
}

window.addEventListener("load", () => {
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#api-reference",
    plugins: [ContractOverviewPlugin],
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 1,
    defaultModelExpandDepth: 2,
    displayRequestDuration: true,
    showExtensions: false,
    showCommonExtensions: true,
    // "Try it out" is offered on every operation; requests go to the document's server, `/`.
    tryItOutEnabled: false,
    supportedSubmitMethods: ["get", "post"],
    // No online validator badge, no remote configuration, no credentials kept across visits.
    validatorUrl: null,
    queryConfigEnabled: false,
    persistAuthorization: false,
    withCredentials: false,
  });
});
