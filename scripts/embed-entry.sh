#!/bin/sh
# Trunk post-build hook: writes bitbucket-versioning.js, the stable entry a portal imports, from src/embed.js with
# the content-hashed names of this build's modules, WebAssembly and stylesheet filled in. Trunk names the build
# with the explorer (built as a worker, so that the page does not load it) without a hash: it gets one here.
set -eu
cd "$TRUNK_STAGING_DIR"
module=$(ls bitbucket-versioning-*.js | grep -v '_bg' | head -n 1)
wasm=$(ls bitbucket-versioning-*_bg.wasm | head -n 1)
css=$(ls main-*.css | head -n 1)
hash=$(cat explorer.js explorer_bg.wasm | sha256sum | cut -c 1-16)
mv explorer.js "explorer-$hash.js"
mv explorer_bg.wasm "explorer-${hash}_bg.wasm"
sed -e "s#__MODULE__#./$module#" -e "s#__WASM__#./$wasm#" -e "s#__CSS__#./$css#" \
  -e "s#__EXPLORER_MODULE__#./explorer-$hash.js#" -e "s#__EXPLORER_WASM__#./explorer-${hash}_bg.wasm#" \
  embed.js > bitbucket-versioning.js
rm embed.js
