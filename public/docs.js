// Renders the API reference from the document this service serves; nothing is fetched from elsewhere.
window.addEventListener("load", () => {
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#api-reference",
    deepLinking: true,
    docExpansion: "list",
    defaultModelsExpandDepth: 0,
    showExtensions: false,
    tryItOutEnabled: false,
    validatorUrl: null,
    supportedSubmitMethods: ["get", "post"],
  });
});
