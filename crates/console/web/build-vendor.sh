#!/usr/bin/env bash
# Rebuilds the console's vendored libraries (../assets/vendor/) from the versions pinned in
# package.json / package-lock.json. The output is committed: `cargo build` never needs npm.
# Usage: crates/console/web/build-vendor.sh
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
out=../assets/vendor
mkdir -p "$out"
rm -rf "$out"/*
for entry in codemirror elk jsonpath; do
  ./node_modules/.bin/esbuild "src/$entry.js" --bundle --format=esm --minify --legal-comments=none \
    --target=es2020 --platform=browser --conditions=browser --metafile="meta-$entry.json" \
    --outfile="$out/$entry.js" --log-level=warning
done
# The licence of every package that went into a bundle, and the exact versions.
node collect-licenses.mjs "$out" meta-*.json
rm -f meta-*.json
