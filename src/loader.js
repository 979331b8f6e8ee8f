// Starts the standalone app without an inline script, which the page's Content-Security-Policy (index.html) does
// not allow: this module (copied to dist/ unchanged, see Trunk.toml's `pattern_script`) starts the app on the page's
// body through `bitbucket-versioning.js`, the module a portal imports (src/embed.js), whose files Trunk preloads in
// the page's head.
import { start } from './bitbucket-versioning.js';

await start(document.body);
