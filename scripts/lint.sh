#!/usr/bin/env bash
# `npm run lint`: formatting and lint rules, checked, never rewritten (`npm run format` rewrites).
# TypeScript/JavaScript/JSON: Biome (biome.json). The trainer's Python: black and flake8
# (workers/trainer/pyproject.toml, workers/trainer/.flake8).
set -uo pipefail
cd "$(dirname "$0")/.."
status=0
npx biome check --diagnostic-level=error . || status=1
(cd workers/trainer && black --check -q . && flake8 .) || { echo "lint: Python formatting (black) or flake8 findings in workers/trainer"; status=1; }
exit $status
