#!/usr/bin/env bash
# Builds the libFuzzer harnesses (tests/fuzz/fuzz_*.c) with clang, AddressSanitizer and
# UndefinedBehaviorSanitizer into build/fuzz/, replays the crashers kept under
# tests/fuzz/regress/<harness>/, then runs each harness for SECONDS on a copy of its
# corpus (tests/fuzz/corpus/<harness>/; the committed corpus never grows by itself).
# Prints the executions of each harness, their total, and ends with one line
# "fuzz: N passed, N failed" (a harness passes when it built, its regression cases
# replayed cleanly and it ran without a crash, leak or timeout).
#
# Usage: tests/fuzz/run.sh SECONDS [HARNESS ...]   (HARNESS: fuzz_target or target; all by default)
#   SECONDS=0       build and replay the regression cases and the seed corpus only
#   CLANG=clang-15  another clang (default: clang)
#   FUZZ_JOBS=N     parallel compile jobs (default: the number of CPUs)
#
# Library code is every backend/src/**/*.c except main.c, compiled here with clang and
# coverage instrumentation (not the gcc objects of build/obj) into one static archive;
# each harness links only the archive members it needs.  A harness may #include a
# backend .c file to reach its static functions: the archive member for that file is
# then simply not pulled in.
#
# New crashers land in build/fuzz/artifacts/<harness>/: minimise one with
#   build/fuzz/bin/<harness> -minimize_crash=1 -runs=100000 -exact_artifact_path=OUT CRASHER
# and keep it as tests/fuzz/regress/<harness>/<name> once the bug is understood.
set -uo pipefail

usage() { printf 'usage: %s SECONDS [HARNESS ...]\n' "$0" >&2; exit 2; }
[ $# -ge 1 ] || usage
secs=$1
shift
[[ "$secs" =~ ^[0-9]+$ ]] || usage

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
fuzz_dir=tests/fuzz
out=build/fuzz
cc=${CLANG:-clang}
jobs=${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}
pkgs=(libmicrohttpd jansson libpq libsodium libical libcurl zlib)

die() { printf 'fuzz: error: %s\n' "$*" >&2; echo "fuzz: 0 passed, 1 failed"; exit 1; }

command -v "$cc" >/dev/null 2>&1 ||
  die "$cc not found (Debian: apt-get install clang libclang-rt-14-dev)"
pkg_cflags=$(pkg-config --cflags "${pkgs[@]}") || die "pkg-config: missing development packages"
pkg_libs=$(pkg-config --libs "${pkgs[@]}") || die "pkg-config: missing development packages"

# The harnesses to run: all of tests/fuzz/fuzz_*.c, or the ones named.
harnesses=()
if [ $# -eq 0 ]; then
  for f in "$fuzz_dir"/fuzz_*.c; do
    [ -e "$f" ] && harnesses+=("$(basename "$f" .c)")
  done
else
  for h in "$@"; do
    h=${h%.c}
    h=${h##*/}
    [[ "$h" == fuzz_* ]] || h=fuzz_$h
    [ -f "$fuzz_dir/$h.c" ] || die "no harness $fuzz_dir/$h.c"
    harnesses+=("$h")
  done
fi
[ "${#harnesses[@]}" -gt 0 ] || die "no harnesses in $fuzz_dir"

read -r -a pkg_cflags_a <<<"$pkg_cflags"
read -r -a pkg_libs_a <<<"$pkg_libs"
# shellcheck disable=SC2054 # the commas are clang's
san=(-fsanitize=address,undefined -fno-sanitize-recover=undefined)
cflags=(-g -O1 -fno-omit-frame-pointer "${san[@]}" -std=c17 -D_GNU_SOURCE -Wall -Wextra
        -Ibackend/src "${pkg_cflags_a[@]}")
lib_cflags=("${cflags[@]}" -fsanitize=fuzzer-no-link)
bin_cflags=("${cflags[@]}" -fsanitize=fuzzer)

mkdir -p "$out"/obj "$out"/bin "$out"/logs "$out"/work "$out"/artifacts

# -fsanitize=fuzzer needs the compiler-rt libraries (Debian: libclang-rt-14-dev).
probe=$out/probe.c
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
  'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
  'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' >"$probe"
if ! "$cc" "${bin_cflags[@]}" -o "$out/probe" "$probe" >"$out/logs/probe.log" 2>&1; then
  cat "$out/logs/probe.log" >&2
  die "$cc cannot build libFuzzer binaries (Debian: apt-get install libclang-rt-14-dev, or the libclang-rt-N-dev of your clang)"
fi

# Everything is rebuilt when the compiler or the flags change.
stamp=$out/flags
flags_now=$("$cc" --version | head -1; printf '%s\n' "${lib_cflags[*]}" "${bin_cflags[*]}" "$pkg_libs")
if [ "$(cat "$stamp" 2>/dev/null)" != "$flags_now" ]; then
  rm -rf "${out:?}"/obj "${out:?}"/bin "${out:?}"/libclinicd.a
  mkdir -p "$out"/obj "$out"/bin
  printf '%s\n' "$flags_now" >"$stamp"
fi

# True when target is missing or older than any of the given files or the
# dependencies listed in its .d file (clang -MMD).
stale() {
  local target=$1 dep
  shift
  [ -f "$target" ] || return 0
  for dep in "$@"; do
    [ "$dep" -nt "$target" ] && return 0
  done
  if [ -f "$target.d" ]; then
    # "target: a.c b.h \" lines: every word after the colon is a prerequisite
    local deps
    deps=$(sed -e 's/^[^:]*://' -e 's/\\$//' "$target.d")
    for dep in $deps; do
      [ -e "$dep" ] || return 0
      [ "$dep" -nt "$target" ] && return 0
    done
  else
    return 0
  fi
  return 1
}

# --- the library archive ------------------------------------------------------------
mapfile -t srcs < <(find backend/src -name '*.c' ! -path backend/src/main.c | sort)
objs=()
todo=()
for src in "${srcs[@]}"; do
  obj=$out/obj/${src#backend/src/}
  obj=${obj%.c}.o
  objs+=("$obj")
  stale "$obj" "$src" && todo+=("$src")
done
if [ "${#todo[@]}" -gt 0 ]; then
  echo "fuzz: compiling ${#todo[@]} backend files with $cc"
  export out
  # shellcheck disable=SC2016 # expanded by the inner bash
  printf '%s\n' "${todo[@]}" |
    xargs -P "$jobs" -I{} bash -c '
      src=$1; shift
      obj=$out/obj/${src#backend/src/}; obj=${obj%.c}.o
      mkdir -p "$(dirname "$obj")"
      "$@" -MMD -MF "$obj.d" -c -o "$obj" "$src" 2>"$obj.log" || { cat "$obj.log" >&2; rm -f "$obj"; exit 1; }
      [ -s "$obj.log" ] && cat "$obj.log" >&2
      exit 0' _ {} "$cc" "${lib_cflags[@]}" ||
    die "compiling the backend with $cc failed"
fi
archive=$out/libclinicd.a
if stale "$archive" "${objs[@]}"; then
  rm -f "$archive"
  ar rcs "$archive" "${objs[@]}" || die "ar failed"
fi

# --- the harnesses ------------------------------------------------------------------
declare -A result
passed=0
failed=0
total=0
fail() { # fail HARNESS REASON
  result[$1]="FAILED: $2"
  failed=$((failed + 1))
}

for h in "${harnesses[@]}"; do
  bin=$out/bin/$h
  if stale "$bin" "$fuzz_dir/$h.c" "$archive"; then
    echo "fuzz: building $bin"
    if ! "$cc" "${bin_cflags[@]}" -MMD -MF "$bin.d" -o "$bin" "$fuzz_dir/$h.c" "$archive" \
         "${pkg_libs_a[@]}" -lpthread -lm >"$out/logs/$h.build.log" 2>&1; then
      cat "$out/logs/$h.build.log" >&2
      rm -f "$bin"
      fail "$h" "does not build"
      continue
    fi
    [ -s "$out/logs/$h.build.log" ] && cat "$out/logs/$h.build.log" >&2
  fi
done

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

# The number of inputs a libFuzzer log says were run.
executions() {
  local n
  n=$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$1" | tail -1 | grep -Eo '[0-9]+$')
  if [ -z "$n" ]; then # no final stats (killed): the last progress line "#N ..."
    n=$(grep -Eo '^#[0-9]+' "$1" | tail -1 | tr -d '#')
  fi
  echo "${n:-0}"
}

for h in "${harnesses[@]}"; do
  [ -n "${result[$h]:-}" ] && continue
  bin=$out/bin/$h
  log=$out/logs/$h.log
  dict=()
  [ -f "$fuzz_dir/$h.dict" ] && dict=(-dict="$fuzz_dir/$h.dict")
  extra=()
  case $h in
    fuzz_csv | fuzz_json_body) extra=(-max_len=16384) ;;
    fuzz_slots) extra=(-max_len=512) ;;
  esac

  # 1. the kept crashers: each must now run cleanly (strictly: FUZZ_KNOWN, which lets
  #    a harness go on past bugs already reported, does not apply to them)
  regress=()
  regress_failed=
  if [ -d "$fuzz_dir/regress/$h" ]; then
    mapfile -t regress < <(find "$fuzz_dir/regress/$h" -type f ! -name '*.md' ! -name '.*' | sort)
  fi
  : >"$out/logs/$h.regress.log"
  for case_file in "${regress[@]}"; do
    if ! env -u FUZZ_KNOWN "$bin" -rss_limit_mb=1024 -timeout=10 "${extra[@]}" "$case_file" \
         >"$out/logs/$h.regress.one" 2>&1; then
      grep -E 'invariant failed|took|ERROR: |SUMMARY: |runtime error' "$out/logs/$h.regress.one" | head -5 >&2
      echo "$h: regression case $case_file fails" >&2
      regress_failed+=" ${case_file##*/}"
    fi
    cat "$out/logs/$h.regress.one" >>"$out/logs/$h.regress.log"
  done
  rm -f "$out/logs/$h.regress.one"

  # 2. the fuzzing run, on a copy of the corpus
  work=$out/work/$h
  rm -rf "$work"
  mkdir -p "$work/corpus" "$out/artifacts/$h"
  if [ -d "$fuzz_dir/corpus/$h" ]; then
    cp -R "$fuzz_dir/corpus/$h/." "$work/corpus/"
  fi
  runs=()
  [ "$secs" -eq 0 ] && runs=(-runs=0)
  start=$(date +%s)
  "$bin" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=10 -print_final_stats=1 \
    -artifact_prefix="$out/artifacts/$h/" "${dict[@]}" "${extra[@]}" "${runs[@]}" \
    "$work/corpus" >"$log" 2>&1
  rc=$?
  took=$(( $(date +%s) - start ))
  n=$(executions "$log")
  total=$((total + n))
  if [ "$rc" -ne 0 ]; then
    grep -E 'ERROR: |SUMMARY: |runtime error|Test unit written|^artifact_prefix' "$log" | head -20 >&2
    echo "$h: crashed after $n executions (exit $rc; log: $log)" >&2
    fail "$h" "crash (see $log and $out/artifacts/$h/)"
    continue
  fi
  ncorpus=$(find "$work/corpus" -type f | wc -l)
  if [ -n "$regress_failed" ]; then
    fail "$h" "regression cases fail:$regress_failed ($n executions in ${took}s otherwise clean)"
    continue
  fi
  result[$h]="ok: $n executions in ${took}s, corpus $ncorpus inputs, ${#regress[@]} regression cases"
  passed=$((passed + 1))
done

echo
for h in "${harnesses[@]}"; do
  printf '%-16s %s\n' "$h" "${result[$h]}"
done
printf '%-16s %s executions\n' "total" "$total"
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
