#!/usr/bin/env bash
# Runs every cargo-fuzz target for a bounded time: scripts/fuzz.sh [seconds-per-target] [target...]
#
# Each target's corpus (fuzz/corpus/<target>/, not committed) is seeded from the committed
# seeds (fuzz/seeds/<target>/), the crash inputs kept as regressions
# (fuzz/regressions/<target>/) and, for `page` and `list`, the real Notion bodies in
# tests/fixtures/notion/. A crash stops the run: libFuzzer writes the input to
# fuzz/artifacts/<target>/; copy it to fuzz/regressions/<target>/ so that
# `cargo test --test fuzz_regression` replays it forever (docs/reliability.md, "Fuzzing").
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). cargo-fuzz needs nightly flags; on a
# stable toolchain RUSTC_BOOTSTRAP=1 lets them through. FUZZ_SANITIZER=none builds
# without AddressSanitizer (faster; the code fuzzed is safe Rust). FUZZ_JOBS (default 1)
# bounds the build's parallelism on a shared machine.
set -euo pipefail
cd "$(dirname "$0")/.."

seconds=${1:-60}
shift || true
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(page list history workflow config)
sanitizer=${FUZZ_SANITIZER:-address}
export RUSTC_BOOTSTRAP=1 CARGO_BUILD_JOBS=${FUZZ_JOBS:-1}

# Inputs longer than this are cut: history needs room past one 2,000-unit text object.
max_len() {
  case $1 in
    history) echo 16384 ;;
    page | list) echo 32768 ;;
    *) echo 4096 ;;
  esac
}

cargo fuzz build --sanitizer "$sanitizer"

for target in "${targets[@]}"; do
  corpus=fuzz/corpus/$target
  mkdir -p "$corpus"
  for dir in "fuzz/seeds/$target" "fuzz/regressions/$target"; do
    [ -d "$dir" ] && cp -n "$dir"/* "$corpus"/ 2>/dev/null || true
  done
  if [ "$target" = page ] || [ "$target" = list ]; then
    cp -n tests/fixtures/notion/*.json "$corpus"/
  fi
  echo "== $target: ${seconds}s, corpus $(ls "$corpus" | wc -l) inputs"
  cargo fuzz run --sanitizer "$sanitizer" "$target" "$corpus" -- \
    -max_total_time="$seconds" -max_len="$(max_len "$target")" -timeout=10 \
    -rss_limit_mb=4096 -print_final_stats=1
done
echo "== all targets ran ${seconds}s each without a crash"
