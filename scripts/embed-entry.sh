#!/bin/sh
# Trunk post-build hook: writes bitbucket-versioning.js, the stable entry a portal imports, from src/embed.js with
# the content-hashed names of this build's module, WebAssembly and stylesheet filled in.
set -eu
cd "$TRUNK_STAGING_DIR"
module=$(ls bitbucket-versioning-*.js | grep -v '_bg' | head -n 1)
wasm=$(ls bitbucket-versioning-*_bg.wasm | head -n 1)
css=$(ls main-*.css | head -n 1)
sed -e "s#__MODULE__#./$module#" -e "s#__WASM__#./$wasm#" -e "s#__CSS__#./$css#" embed.js > bitbucket-versioning.js
rm embed.js
