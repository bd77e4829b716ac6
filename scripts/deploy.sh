#!/usr/bin/env bash
# `npm run deploy`: installs what is missing, builds and deploys with wrangler (`-- --dry-run`
# builds and reports the upload size without deploying, offline).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export WRANGLER_SEND_METRICS=false
exec node_modules/.bin/wrangler deploy "$@"
