#!/usr/bin/env bash
# Runs each fuzz target (options, transform, icc, jpeg) for SECONDS_PER_TARGET (default 20) from seeds: option
# strings and profile selectors written here, and the small images in fixtures/ and, when present,
# ../shared/corpus/. An input that panics, exceeds
# 2 GiB or runs over 10 s (a hang) fails the run. Longer runs: SECONDS_PER_TARGET=3600.
# cargo-fuzz needs nightly flags; RUSTC_BOOTSTRAP lets the stable toolchain accept them.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_PER_TARGET="${SECONDS_PER_TARGET:-20}"
export RUSTC_BOOTSTRAP=1
seeds=$(mktemp -d)
trap 'rm -rf "$seeds"' EXIT

mkdir -p "$seeds/options" "$seeds/transform" "$seeds/icc" "$seeds/jpeg"
i=0
for text in "width=800,fit=cover,format=auto" "w=1,h=1,q=high,f=webp,dpr=2" "width=%38%30&fit=pad" \
            "width=1,width=2" "dpr=NaN" "fit=scale-down,quality=medium-low" "height=12000,fit=squeeze"; do
  printf '%s' "$text" > "$seeds/options/$i"; i=$((i + 1))
done
# ICC: valid Display P3 and Adobe RGB profiles for the target to patch (see fuzz_targets/icc.rs).
printf '\001' > "$seeds/icc/display-p3"
printf '\003' > "$seeds/icc/adobe-rgb"
# Small files only: large photos slow every iteration and add nothing the small ones lack.
{ find fixtures ../shared/corpus -type f -size -64k \( -name '*.png' -o -name '*.jpg' -o -name '*.gif' -o -name '*.webp' \) \
  2>/dev/null || true; } | while read -r file; do
  { printf '\0'; cat "$file"; } > "$seeds/transform/$(echo "$file" | tr '/' '_')"
done
# The JPEG decoder: the same small JPEGs, at full size and at 1/8 (the first byte picks the scale).
{ find fixtures ../shared/corpus -type f -size -64k -name '*.jpg' 2>/dev/null || true; } | while read -r file; do
  name=$(echo "$file" | tr '/' '_')
  { printf '\0'; cat "$file"; } > "$seeds/jpeg/$name"
  { printf '\3'; cat "$file"; } > "$seeds/jpeg/$name-eighth"
done

log="$seeds/log"
for target in options transform icc jpeg; do
  echo "== fuzzing $target for ${SECONDS_PER_TARGET}s ($(ls "$seeds/$target" | wc -l) seeds)"
  status=0
  cargo fuzz run --fuzz-dir fuzz --release "$target" "$seeds/$target" -- \
    -max_total_time="$SECONDS_PER_TARGET" -timeout=10 -rss_limit_mb=2048 -max_len=65536 -print_final_stats=1 >"$log" 2>&1 || status=$?
  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|Done [0-9]+ runs)' "$log" || true
  if [ "$status" -ne 0 ]; then
    tail -40 "$log"
    echo "fuzz target $target failed (status $status); the input is in fuzz/artifacts/$target"
    exit 1
  fi
done
