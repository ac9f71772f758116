#!/usr/bin/env bash
# Runs the cmocka unit-test binaries given as arguments, prints their output, and ends
# with one line "unit: N passed, N failed" counting test cases across all binaries.
# Exits non-zero when any binary had a failing case, crashed, timed out or exited
# non-zero.  A binary that dies before cmocka's summary counts its unfinished cases
# (at least one) as failed; one that exits non-zero after all its cases passed (for
# instance valgrind's --error-exitcode) counts one failed case.
#
#   UNIT_WRAPPER="valgrind --leak-check=full --error-exitcode=1" bash tests/run-unit.sh ...
#   UNIT_TIMEOUT=300   seconds per binary (0: no limit)
set -u

wrapper=()
if [[ -n "${UNIT_WRAPPER:-}" ]]; then
    read -r -a wrapper <<<"$UNIT_WRAPPER"
fi
timeout_s=${UNIT_TIMEOUT:-300}
limit=()
if [[ "$timeout_s" != 0 ]] && command -v timeout >/dev/null; then
    limit=(timeout --kill-after=10 "$timeout_s")
fi
# the plain text report, whatever the caller's environment asks of cmocka
export CMOCKA_MESSAGE_OUTPUT=stdout
unset CMOCKA_XML_FILE CMOCKA_TEST_ABORT

re_running='^\[==========\] Running ([0-9]+) test'
re_ok='^\[       OK \] '
re_passed='^\[  PASSED  \] ([0-9]+) test'
re_failed='^\[  FAILED  \] ([0-9]+) test\(s\)'

total_passed=0
total_failed=0
bad_binaries=()
log=$(mktemp "${TMPDIR:-/tmp}/run-unit.XXXXXX")
trap 'rm -f "$log"' EXIT

for bin in "$@"; do
    echo "=== $bin"
    if [[ ! -x "$bin" ]]; then
        echo "run-unit: $bin: not an executable file"
        total_failed=$((total_failed + 1))
        bad_binaries+=("$bin")
        continue
    fi
    # (bash's own "Aborted"/"Killed" notice is dropped: the reason is printed below)
    { "${limit[@]}" "${wrapper[@]}" "$bin" >"$log" 2>&1 </dev/null; } 2>/dev/null
    status=$?
    cat "$log"

    running=-1 ok_lines=0 passed=-1 failed=0
    while IFS= read -r line; do
        if [[ $line =~ $re_running ]]; then
            running=${BASH_REMATCH[1]}
        elif [[ $line =~ $re_ok ]]; then
            ok_lines=$((ok_lines + 1))
        elif [[ $line =~ $re_passed ]]; then
            passed=${BASH_REMATCH[1]}
        elif [[ $line =~ $re_failed ]]; then
            failed=${BASH_REMATCH[1]}
        fi
    done <"$log"

    why=""
    if ((passed < 0)); then
        # no summary: it crashed, hung or never started
        passed=$ok_lines
        failed=1
        if ((running > ok_lines + 1)); then
            failed=$((running - ok_lines))
        fi
        if ((status == 124 || status == 137)); then
            why="timed out after ${timeout_s}s"
        elif ((status > 128)); then
            why="killed by signal $((status - 128))"
        else
            why="exited with status $status before its summary"
        fi
    elif ((status != 0 && failed == 0)); then
        failed=1
        why="exited with status $status although its cases passed"
    elif ((failed > 0)); then
        why="$failed failing case(s)"
    fi

    total_passed=$((total_passed + passed))
    total_failed=$((total_failed + failed))
    if [[ -n "$why" ]]; then
        echo "run-unit: $bin: $why"
        bad_binaries+=("$bin")
    fi
done

echo "unit: $total_passed passed, $total_failed failed"
if ((${#bad_binaries[@]} > 0 || total_failed > 0)); then
    exit 1
fi
exit 0
