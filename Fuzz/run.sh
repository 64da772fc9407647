#!/usr/bin/env bash
# make fuzz: builds each target in Fuzz/Targets as a libFuzzer binary with
# AddressSanitizer, then runs each for FUZZ_SECONDS (default 60) from its seed
# corpus in Fuzz/Corpus/TARGET. FUZZ_TARGETS="json jwt" picks some. A crash
# stops the run and leaves its input in .build-fuzz/crashes/ (docs/development.md).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
scratch=.build-fuzz
seconds=${FUZZ_SECONDS:-60}
targets=${FUZZ_TARGETS:-$(cd Fuzz/Targets && ls ./*.swift | sed 's|^\./||; s|\.swift$||' | grep -v '^Common$')}

# The package's libraries, instrumented for coverage and ASan. -enable-testing lets a
# target reach internal readers with @testable import.
# TOML_ASSERT: toml++'s assertions off, as in every apictl build (Makefile, TOML_FLAGS).
swift build --scratch-path "$scratch" --target APICtlCLI -Xswiftc -sanitize=fuzzer,address -Xswiftc -enable-testing \
  -Xcc -fsanitize=fuzzer-no-link,address -Xcxx '-DTOML_ASSERT(expr)=((void)0)'
build=$(cd "$scratch/debug" && pwd -P)
# Every library object except the executable's and the tests' (and CProcessStart's argv hook).
mapfile -t objects < <(find "$build" -name '*.o' -path '*.build/*' \
  ! -path '*/apictl.build/*' ! -path '*Tests.build/*' ! -path '*PackageTests.build/*' \
  ! -path '*PackageDiscoveredTests.build/*' ! -path '*/CProcessStart.build/*' | sort)

# The C modules the Swift modules import, as SwiftPM hands them to swiftc.
mapfile -t module_maps < <(find "$build" -maxdepth 2 -name module.modulemap; echo Sources/CCurl/module.modulemap)
module_flags=()
for map in "${module_maps[@]}"; do module_flags+=(-Xcc "-fmodule-map-file=$map"); done

mkdir -p "$scratch/fuzz" "$scratch/crashes"
for target in $targets; do
  binary="$scratch/fuzz/$target"
  echo "fuzz: building $target" >&2
  # ld.gold warns "Cannot export local symbol '__asan_...'": harmless (PLATFORM-NOTES).
  swiftc -swift-version 6 -sanitize=fuzzer,address -parse-as-library -g -I "$build/Modules" "${module_flags[@]}" \
    "Fuzz/Targets/$target.swift" Fuzz/Targets/Common.swift "${objects[@]}" \
    $(pkg-config --libs libcurl) -lssl -lcrypto -ldl -lm -lstdc++ -Xlinker --wrap=get_home -Xlinker --wrap=builtins_bind -o "$binary" 2> >(grep -v "Cannot export local symbol" >&2)
done

# A crash prints libFuzzer's report at once instead of waiting on Swift's backtracer.
# Leaks are not reported, at exit either (see below).
export SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=detect_leaks=0
for target in $targets; do
  corpus="$scratch/corpus/$target"
  mkdir -p "$corpus"
  echo "fuzz: running $target for ${seconds}s" >&2
  # The committed seeds stay as they are; what the fuzzer adds goes beside them in .build-fuzz.
  # Leak detection is off: TOMLKit's TOMLArray.append leaks every value it wraps (found by
  # the config target; upstream's), and a command-line process frees everything at exit.
  status=0
  "$scratch/fuzz/$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -detect_leaks=0 \
    -print_final_stats=1 -artifact_prefix="$scratch/crashes/$target-" "$corpus" "Fuzz/Corpus/$target" \
    >"$scratch/fuzz/$target.log" 2>&1 || status=$?
  grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)" "$scratch/fuzz/$target.log" | sed "s/^/  $target /" >&2
  if [ "$status" -ne 0 ]; then
    grep -E "property broken|Fatal error|ERROR|SUMMARY|Test unit written" "$scratch/fuzz/$target.log" | head -5 >&2
    echo "fuzz: $target crashed; its input is in $scratch/crashes/ and the report in $scratch/fuzz/$target.log" >&2
    exit 1
  fi
done
echo "fuzz: every target ran ${seconds}s without a crash" >&2
