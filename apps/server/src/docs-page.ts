/** /docs: Swagger UI (served from the swagger-ui-dist package, no CDN) over both served documents. */
export const DOCS_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8" />
  <title>Baton API reference</title>
  <meta name="viewport" content="width=device-width, initial-scale=1" />
  <link rel="stylesheet" href="/docs/assets/swagger-ui.css" />
  <style>body{margin:0}</style>
</head>
<body>
  <div id="swagger-ui"></div>
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
