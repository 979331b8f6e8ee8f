// The export worker: loads the zip writer's WebAssembly (zip-worker.js and zip-worker_bg.wasm, beside this file)
// once, then answers each message { paths, contents } with { zip } (its buffer transferred), { problem } when a
// file cannot be archived, or { unavailable } when the WebAssembly did not load.
importScripts('./zip-worker.js');

const ready = wasm_bindgen({ module_or_path: './zip-worker_bg.wasm' });

self.onmessage = async ({ data }) => {
  try {
    await ready;
  } catch {
    self.postMessage({ unavailable: true });
    return;
  }
  try {
    const zip = wasm_bindgen.zip(data.paths, data.contents);
    self.postMessage({ zip }, [zip.buffer]);
  } catch (error) {
    self.postMessage({ problem: error instanceof Error ? error.message : String(error) });
  }
};
