#!/usr/bin/env bash
# The test command (README: `npm test`). Brings the lab up (idempotent), then runs every layer:
# types, lint, unit, integration against the lab, and e2e in Chromium through web mode.
set -euo pipefail
cd "$(dirname "$0")/.."
export ELECTRON_SKIP_BINARY_DOWNLOAD=1
echo "== typecheck";   npm run -s typecheck
echo "== lint";        npm run -s lint
echo "== lab";         npm run -s lab:up
echo "== unit";        npx vitest run --project unit
echo "== agent image"; npm run -s build:agent   # the integration tests install it on lab machines
echo "== integration"; npx vitest run --project integration
echo "== build";       npm run -s build
echo "== e2e";         npx playwright test --project web
