#!/usr/bin/env bash
# Checks that os_access_lint.sh finds what was planted in fixtures/ and nothing else.
#
# Every line of a fixture that carries "expect: KIND..." (in a comment) must be reported
# with exactly those kinds, and no other line may be reported. On top of that:
# - each uses_<kind>.cpp is reported, with <kind> among its reports;
# - clean.cpp is not reported at all, and the lint exits 0 on it;
# - opt_out_without_reason.cpp is reported for its opt-outs;
# - nothing under fixtures/src/runtime/real/ is reported, given as a file or as a
#   directory above it.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
lint="$here/os_access_lint.sh"
fixtures="$here/fixtures"
failures=0

fail() {
  echo "FAIL: $*" >&2
  failures=$((failures + 1))
}

# Prints the lint's report for $1 and stores its exit status in lint_status.
run_lint() {
  lint_status=0
  lint_report=$(bash "$lint" "$1" 2>/dev/null) || lint_status=$?
}

# "line kind" pairs, sorted: what the fixture's "expect:" comments ask for.
expected_pairs() {
  awk '{
    if (match($0, /expect:[ a-z-]+/)) {
      count = split(substr($0, RSTART + 7, RLENGTH - 7), kinds, " ")
      for (i = 1; i <= count; i++) print FNR, kinds[i]
    }
  }' "$1" | LC_ALL=C sort
}

# "line kind" pairs, sorted: what the lint reported for fixture $1.
reported_pairs() {
  [[ -n $lint_report ]] || return 0
  while IFS= read -r line; do
    local location=${line#"$1:"}
    local number=${location%%:*}
    local kind=${location#*: }
    echo "$number ${kind%%:*}"
  done <<<"$lint_report" | LC_ALL=C sort
}

check_fixture() {
  local fixture=$1
  local name
  name=$(basename "$fixture")
  run_lint "$fixture"
  local expected reported
  expected=$(expected_pairs "$fixture")
  reported=$(reported_pairs "$fixture")
  if [[ $expected != "$reported" ]]; then
    fail "$name: reports differ from its 'expect:' comments (< expected, > reported):"
    diff <(echo "$expected") <(echo "$reported") >&2 || true
  fi
  local should_fail=0
  [[ -z $expected ]] || should_fail=1
  if ((lint_status != should_fail)); then
    fail "$name: the lint exited $lint_status, expected $should_fail"
  fi
}

shopt -s nullglob
uses_fixtures=("$fixtures"/uses_*.cpp)
((${#uses_fixtures[@]} > 0)) || fail "no uses_<kind>.cpp fixtures in $fixtures"

for fixture in "${uses_fixtures[@]}" "$fixtures/clean.cpp" "$fixtures/opt_out_without_reason.cpp"; do
  [[ -f $fixture ]] || { fail "missing fixture $fixture"; continue; }
  check_fixture "$fixture"
done

for fixture in "${uses_fixtures[@]}"; do
  kind=$(basename "$fixture" .cpp)
  kind=${kind#uses_}
  run_lint "$fixture"
  grep -q ": $kind: " <<<"$lint_report" || fail "$(basename "$fixture") is not reported as $kind"
done

run_lint "$fixtures/clean.cpp"
[[ -z $lint_report && $lint_status -eq 0 ]] || fail "clean.cpp is reported"

run_lint "$fixtures/opt_out_without_reason.cpp"
grep -q ": opt-out: .*needs a reason" <<<"$lint_report" ||
  fail "opt_out_without_reason.cpp: an opt-out without a reason is not reported"

for path in "$fixtures/src/runtime/real/real_backend.cpp" "$fixtures/src"; do
  run_lint "$path"
  [[ -z $lint_report && $lint_status -eq 0 ]] || fail "$path: the real backend is reported"
done

if ((failures > 0)); then
  echo "$failures fixture check(s) failed" >&2
  exit 1
fi
echo "every fixture is reported as planted"
