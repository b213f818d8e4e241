#!/usr/bin/env bash
# `npm test`: installs what is missing, then runs every test suite against real parts —
# PostgreSQL (embedded), an S3-protocol server, the PyTorch trainer, Chromium.
set -uo pipefail
cd "$(dirname "$0")/.."
TANDEM_NEED_TEST_TOOLS=1 bash scripts/ensure-deps.sh || { echo "tandem: dependency installation failed"; exit 1; }
export PATH="$PWD/node_modules/.bin:$PATH"
mkdir -p tmp/test-results
status=0
pass=0; fail=0

count_vitest() { # file → "passed failed"; a suite that fails to load counts as one failure
  node -e 'const r=require(require("path").resolve(process.argv[1]));const broken=r.testResults.filter(t=>t.status==="failed"&&!t.assertionResults.some(a=>a.status==="failed")).length;console.log(r.numPassedTests+" "+(r.numFailedTests+broken))' "$1" 2>/dev/null || echo "0 1"
}

echo "== typecheck"
npx tsc --noEmit -p . || status=1

echo "== format and lint (Biome; black and flake8 for the trainer)"
if bash scripts/lint.sh; then pass=$((pass+1)); else fail=$((fail+1)); status=1; echo "lint: run \`npm run format\` (formatting) or fix the findings above"; fi

echo "== unit and integration tests (vitest)"
npx vitest run --project pure --project db --reporter=default --reporter=json --outputFile=tmp/test-results/vitest.json || status=1
read p f < <(count_vitest tmp/test-results/vitest.json); pass=$((pass+p)); fail=$((fail+f))
echo "vitest: $p passed, $f failed"

echo "== trainer tests (pytest)"
if [ -d workers/trainer/tests ]; then
  (cd workers/trainer && /usr/bin/python3 -m pytest -q -p no:cacheprovider tests --junitxml=../../tmp/test-results/pytest.xml) || status=1
  read p f < <(node -e 'const x=require("fs").readFileSync(process.argv[1],"utf8");const m=x.match(/<testsuite\s[^>]*>/)[0];const g=k=>+(m.match(new RegExp(k+"=\"(\\d+)\""))||[0,0])[1];console.log((g("tests")-g("failures")-g("errors")-g("skipped"))+" "+(g("failures")+g("errors")))' tmp/test-results/pytest.xml 2>/dev/null || echo "0 1")
  pass=$((pass+p)); fail=$((fail+f)); echo "pytest: $p passed, $f failed"
fi

echo "== end-to-end tests (Chromium)"
E2E_REBUILD=1 npx vitest run --project e2e --reporter=default --reporter=json --outputFile=tmp/test-results/e2e.json || status=1
read p f < <(count_vitest tmp/test-results/e2e.json); pass=$((pass+p)); fail=$((fail+f))
echo "playwright: $p passed, $f failed"

echo
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] || status=1
exit $status
