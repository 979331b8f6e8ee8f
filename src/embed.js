// Bitbucket Versioning for a portal: `mount(element, options)` and the `<bitbucket-versioning>` element.
// The build writes this file to dist/ as `bitbucket-versioning.js`, with the content-hashed names of the
// module, the WebAssembly and the stylesheet filled in (scripts/embed-entry.sh), so a portal imports one
// stable name; every other file is found relative to it, under any base path. Types: bitbucket-versioning.d.ts.
import init, { mount as mountIn, setAssets } from '__MODULE__';

const here = import.meta.url;
let loaded;

/** Fetches and compiles the WebAssembly once per page. */
function load() {
  loaded ??= init({ module_or_path: new URL('__WASM__', here) }).then(() => setAssets(new URL('.', here).href));
  return loaded;
}

/**
 * Mounts the app in `element`, inside a shadow root of its own: the portal's styles do not reach the app and
 * the app's do not reach the portal. Resolves to a handle with `update(options)` and `unmount()`.
 */
export async function mount(element, options = {}) {
  await load();
  const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  const style = document.createElement('link');
  style.rel = 'stylesheet';
  style.href = new URL('__CSS__', here).href;
  const container = document.createElement('div');
  container.className = 'bitbucket-versioning';
  root.replaceChildren(style, container);
  let mounted = await mountIn(container, options);
  return {
    update(next) {
      mounted?.update(next);
    },
    unmount() {
      if (!mounted) return;
      mounted.unmount();
      mounted.free();
      mounted = undefined;
      root.replaceChildren();
    },
  };
}

/** The options of a `<bitbucket-versioning>` element: its `options` property, with its attributes over it. */
function elementOptions(element) {
  const options = { ...(element.options ?? {}) };
  const start = element.getAttribute('start');
  if (start) options.start = start;
  const name = element.getAttribute('user-name');
  const role = element.getAttribute('user-role');
  if (name && role) options.user = { name, role };
  return options;
}

/** `<bitbucket-versioning start="/projects/p1" user-name="…" user-role="quality_engineer">`. */
export class BitbucketVersioningElement extends HTMLElement {
  static observedAttributes = ['start', 'user-name', 'user-role'];

  #handle;
  #mounting;

  connectedCallback() {
    // Options are read once the WebAssembly is loaded, so that a portal script may still set `options`.
    this.#mounting ??= load().then(() => mount(this, elementOptions(this))).then((handle) => {
      if (this.isConnected) this.#handle = handle;
      else handle.unmount();
      this.#mounting = undefined;
    });
  }

  disconnectedCallback() {
    this.#handle?.unmount();
    this.#handle = undefined;
  }

  attributeChangedCallback() {
    this.#handle?.update(elementOptions(this));
  }
}

if (!customElements.get('bitbucket-versioning')) {
  customElements.define('bitbucket-versioning', BitbucketVersioningElement);
}
