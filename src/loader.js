// Starts the app without an inline script, which the page's Content-Security-Policy (index.html) does not allow:
// Trunk preloads the wasm-bindgen module and the WebAssembly in the page's head under file names that carry a
// content hash; this module (copied to dist/ unchanged, see Trunk.toml's `pattern_script`) loads those two and
// starts the standalone app on the page's body (a portal mounts it in an element instead: src/embed.js).
const module = document.querySelector('link[rel="modulepreload"]');
const wasm = document.querySelector('link[rel="preload"][type="application/wasm"]');
const { default: init, start } = await import(module.href);
await init({ module_or_path: wasm.href });
start();
