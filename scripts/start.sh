#!/usr/bin/env bash
# `npm start`: installs what is missing, then starts Tandem on embedded defaults.
set -euo pipefail
cd "$(dirname "$0")/.."
TANDEM_NEED_BROWSER=0 TANDEM_NEED_TEST_TOOLS=0 bash scripts/ensure-deps.sh
export PATH="$PWD/node_modules/.bin:$PATH"
exec node --import ./scripts/node-loader.mjs scripts/start.ts
