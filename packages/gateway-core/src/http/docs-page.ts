/**
 * The interactive API page at `/docs`: Swagger UI, loaded from a CDN like FastAPI's (so
 * ContextForge users find the same page). The page holds no data; it asks for a bearer token
 * and sends it with every request, including the one for `/openapi.json`.
 */
export const DOCS_PAGE: string = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>ContextForge API</title>
<link rel="stylesheet" href="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui.css">
</head>
<body>
<form id="auth" style="font-family:sans-serif;padding:1em">
  <label>Bearer token (mcpgateway token --username you@example.com):
    <input id="token" type="password" size="60" autocomplete="off"></label>
  <button type="submit">Load API</button>
</form>
<div id="ui"></div>
<script src="https://cdn.jsdelivr.net/npm/swagger-ui-dist@5/swagger-ui-bundle.js"></script>
<script>
  function load(token) {
    sessionStorage.setItem("cf-token", token);
    SwaggerUIBundle({
      url: "openapi.json",
      dom_id: "#ui",
      requestInterceptor: function (request) {
        request.headers.Authorization = "Bearer " + token;
        return request;
      },
    });
  }
  document.getElementById("auth").addEventListener("submit", function (event) {
    event.preventDefault();
    load(document.getElementById("token").value.trim());
  });
  var saved = sessionStorage.getItem("cf-token");
  if (saved) load(saved);
</script>
</body>
</html>
`;
