// Bitbucket Versioning for a portal: `mount(element, options)` and the `<bitbucket-versioning>` element; and
// `start(element)` for the standalone page (src/loader.js).
// The build writes this file to dist/ as `bitbucket-versioning.js`, with the content-hashed names of the
// modules, the WebAssembly and the stylesheet filled in (scripts/embed-entry.sh), so a portal imports one
// stable name; every other file is found relative to it, under any base path. Types: bitbucket-versioning.d.ts.
//
// The app comes in two builds: the first has everything but the Test artifacts explorer (with push and pull);
// when the explorer is first opened, the first build asks for the second (`open`), which has the whole app and
// then runs in its place, at the same view. A page that starts on the explorer starts with the second build.
import init, { mount as mountFirst, start as startFirst, setAssets } from '__MODULE__';

const here = import.meta.url;
const assets = new URL('.', here).href;
let loaded;
let explorer;

/** Fetches and compiles the first build once per page; resolves to its `mount` and `start`. */
function load() {
  loaded ??= init({ module_or_path: new URL('__WASM__', here) }).then(() => {
    setAssets(assets);
    return { mount: mountFirst, start: startFirst };
  });
  return loaded;
}

/** Fetches and compiles the build with the explorer once per page, when it is first needed (again after a failure). */
function loadExplorer() {
  if (!explorer) {
    // The WebAssembly is fetched while its JavaScript is; a failure of either rejects the whole.
    const wasm = fetch(new URL('__EXPLORER_WASM__', here));
    wasm.catch(() => {});
    explorer = import(new URL('__EXPLORER_MODULE__', here).href)
      .then(async (build) => {
        await build.default({ module_or_path: wasm });
        build.setAssets(assets);
        return build;
      })
      .catch((error) => {
        explorer = undefined;
        throw error;
      });
  }
  return explorer;
}

/** Whether `view` (a path) is the explorer's, `/projects/<id>/artifacts`, under any base path. */
const explorerView = (view) => /\/projects\/[^/]+\/artifacts\/?$/.test(view);

/**
 * Runs an app in an element of its own under `parent`, starting on `view`, and moves it to the build with the
 * explorer when the explorer is first opened. `run(build, element, loader, view)` starts a build's app; the loader
 * is given to the first build only. On the explorer's view, the app starts with the build with the explorer
 * (the whole app), or with the first if that cannot be loaded (which then says so). Resolves to a handle with
 * `update(options)` and `unmount()`.
 */
async function hosted(parent, run, view) {
  let closed = false;
  const place = () => {
    const element = document.createElement('div');
    element.className = 'bitbucket-versioning';
    parent.append(element);
    return element;
  };
  const stop = (app, element) => {
    app.unmount();
    app.free();
    element.remove();
  };
  // Starts a build's app in `host`, which goes if it cannot start.
  const begin = async (build, host, loader, at) => {
    try {
      return await run(build, host, loader, at);
    } catch (error) {
      host.remove();
      throw error;
    }
  };
  let element = place();
  let app;
  // The last request to open the explorer; another one, or `cancel`, replaces it.
  let wanted;
  const loader = {
    /** Starts the build with the explorer beside the first (two apps never nest), then removes the first. */
    async open(at) {
      const request = {};
      wanted = request;
      const build = await loadExplorer();
      if (closed || wanted !== request) return;
      const next = place();
      next.hidden = true;
      const started = await begin(build, next, undefined, at);
      if (closed || wanted !== request) return stop(started, next);
      stop(app, element);
      [app, element] = [started, next];
      element.hidden = false;
    },
    /** The first build's explorer page is gone (its user went elsewhere): no move. */
    cancel() {
      wanted = undefined;
    },
  };
  const whole = explorerView(view) ? await loadExplorer().catch(() => undefined) : undefined;
  app = await begin(whole ?? await load(), element, whole ? undefined : loader);
  return {
    update(options) {
      if (!closed) app.update(options);
    },
    unmount() {
      if (closed) return;
      closed = true;
      stop(app, element);
    },
  };
}

/**
 * Mounts the app in `element`, inside a shadow root of its own: the portal's styles do not reach the app and
 * the app's do not reach the portal. Resolves to a handle with `update(options)` and `unmount()`.
 */
export async function mount(element, options = {}) {
  const root = element.shadowRoot ?? element.attachShadow({ mode: 'open' });
  const style = document.createElement('link');
  style.rel = 'stylesheet';
  style.href = new URL('__CSS__', here).href;
  root.replaceChildren(style);
  // The options the module holds (own properties only): each update is merged into them, so that what it does
  // not name (the user above all) stays, also in the build with the explorer, which starts from them. An
  // update's storage and artifact provider are left out: those given to `mount` stay.
  let held = { ...options };
  const handle = await hosted(root, (build, host, loader, view) =>
    build.mount(host, view ? { ...held, start: view } : held, loader), held.start ?? '/');
  return {
    update(next) {
      const { storage, artifacts, ...named } = next ?? {};
      held = { ...held, ...named };
      handle.update(held);
    },
    unmount() {
      handle.unmount();
      root.replaceChildren();
    },
  };
}

/** Starts the standalone app in `element` (the page's URL is its location). Resolves to a handle. */
export async function start(element) {
  return hosted(element, (build, host, loader) => build.start(host, loader), window.location.pathname);
}

/**
 * The options of a `<bitbucket-versioning>` element: its `options` property, with its attributes over it. A user
 * whose attributes are removed stays until the portal names another (an update keeps what it does not name).
 */
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
