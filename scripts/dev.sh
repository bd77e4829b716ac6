#!/usr/bin/env bash
# `npm run dev`: installs what is missing, builds, and serves the Worker on 127.0.0.1:${PORT:-8787}.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export WRANGLER_SEND_METRICS=false CLOUDFLARE_CF_FETCH_ENABLED=false
# The playground's SIMD-against-scalar switch is on here, off in a deployment (wrangler.toml).
exec node_modules/.bin/wrangler dev --local --ip 127.0.0.1 --port "${PORT:-8787}" --var ALLOW_BACKEND_HEADER:true "$@"
