export { contentSecurityPolicy, type PageOptions, renderPage } from "./render-page.js";
