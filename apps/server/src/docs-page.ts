/** /docs: Swagger UI (served from the swagger-ui-dist package, no CDN) over both served documents. */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Baton API reference</title>
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  <style>
    body{margin:0}
    .baton-docs-nav{display:flex;gap:1rem;align-items:center;padding:.75rem 1.25rem;border-bottom:1px solid #e3e3e3;font:15px/1.4 system-ui,sans-serif}
    .baton-docs-nav a{color:#1f4fd1;text-decoration:none;font-weight:600}
    .baton-docs-nav a:hover,.baton-docs-nav a:focus-visible{text-decoration:underline}
  </style>
</head>
<body>
  <nav class="baton-docs-nav" aria-label="Baton">
    <a href="/">← Back to Baton</a>
    <span>API reference: MightyKey v1 and Flow Relay v1</span>
  </nav>
  <main><div id="swagger-ui"></div></main>
  <script src="/docs/assets/swagger-ui-bundle.js"></script>
  <script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
  <script src="/docs/init.js"></script>
</body>
</html>`;

export const DOCS_INIT_JS = `window.ui = SwaggerUIBundle({
  urls: [
    { url: '/api/v1/openapi.json', name: 'MightyKey v1 (/api/v1)' },
    { url: '/relay/api/v1/openapi.json', name: 'Flow Relay v1 (/relay/api/v1)' }
  ],
  dom_id: '#swagger-ui',
  deepLinking: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
  layout: 'StandaloneLayout'
});`;
