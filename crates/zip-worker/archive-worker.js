// The archive worker: loads the zip module's WebAssembly (zip-worker.js and zip-worker_bg.wasm, beside this
// file) once, then answers each message in turn:
// - { zip: { paths, contents } } with { zip } (its buffer transferred), or { problem } when a file cannot be
//   archived;
// - { unzip, whole } with { paths, contents } (their buffers transferred), or { problems: [{ path, message }] };
// and any message with { unavailable } when the WebAssembly did not load.
importScripts('./zip-worker.js');

const ready = wasm_bindgen({ module_or_path: './zip-worker_bg.wasm' });

self.onmessage = async ({ data }) => {
  try {
    await ready;
  } catch {
    self.postMessage({ unavailable: true });
    return;
  }
  if (data.unzip) {
    const answer = wasm_bindgen.unzip(data.unzip, data.whole);
    self.postMessage(answer, (answer.contents || []).map((content) => content.buffer));
    return;
  }
  try {
    const zip = wasm_bindgen.zip(data.zip.paths, data.zip.contents);
    self.postMessage({ zip }, [zip.buffer]);
  } catch (error) {
    self.postMessage({ problem: error instanceof Error ? error.message : String(error) });
  }
};
