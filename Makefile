# The commands a newcomer types. Every target installs what is missing first.
BUILD ?= build
PRESET ?= release
JOBS ?= 2
# Debian's interpreter: scripts/deps.sh installs pytest and cryptography for it.
PYTHON ?= /usr/bin/python3

.PHONY: all deps configure build test unit e2e browser smoke demo bench fuzz soak format lint tidy tidy-check asan tsan clean

all: build

deps:
	@bash scripts/deps.sh

configure: deps
	@[ -f $(BUILD)/build.ninja ] || cmake --preset $(PRESET) -B $(BUILD)

build: configure
	@cmake --build $(BUILD) -j$(JOBS)
	@echo "built $(BUILD)/plugwatch"

unit: build
	@ctest --test-dir $(BUILD) -L unit --output-on-failure -j$(JOBS)

e2e: build
	@PLUGWATCH_BIN=$(CURDIR)/$(BUILD)/plugwatch $(PYTHON) -m pytest -q tests/e2e

test: lint unit tidy-check e2e browser smoke

# The dashboard in Debian's Chromium through playwright-core (tests/browser);
# screenshots in test-artifacts/browser/.
browser: build
	@PLUGWATCH_BIN=$(CURDIR)/$(BUILD)/plugwatch $(PYTHON) -m pytest -q tests/browser

# A short run of every benchmark (bench/smoke.sh); `make bench` measures.
smoke: build
	@bash scripts/deps.sh bench
	@bash bench/smoke.sh $(BUILD)

demo: build
	@$(BUILD)/plugwatch demo

bench: build
	@bash scripts/deps.sh bench
	@bash bench/run.sh $(BUILD)
	@bash bench/heartbeat_ingest.sh $(BUILD)

# libFuzzer targets (fuzz/README.md), FUZZ_SECONDS each (default 60).
fuzz:
	@bash scripts/deps.sh fuzz
	@bash scripts/fuzz.sh

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

lint:
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

# clang-tidy 19 with the checked-in .clang-tidy, every warning an error:
# tidy-check on the pure modules (in make test), tidy on everything (slow).
tidy-check: build
	@bash scripts/tidy.sh $(BUILD)

tidy: build
	@bash scripts/tidy.sh $(BUILD) all

# The whole suite (unit and e2e) under the sanitizers, each in its own build
# directory: make asan (ASan + UBSan), make tsan (ThreadSanitizer). A report
# ends the process (ASan's do by default, UBSan's and TSan's with
# halt_on_error), so the test that caused it fails.
SANITIZER_ENV := TSAN_OPTIONS=halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
asan tsan: deps
	@cmake --preset $@ -DPLUGWATCH_BENCH=OFF
	@cmake --build build-$@ -j$(JOBS)
	@$(SANITIZER_ENV) ctest --test-dir build-$@ -L unit --output-on-failure -j$(JOBS)
	@$(SANITIZER_ENV) PLUGWATCH_BIN=$(CURDIR)/build-$@/plugwatch $(PYTHON) -m pytest -q tests/e2e

# Long runs: 500 kill -9 rounds under load, every fuzzer for 5 minutes.
soak: build
	@PLUGWATCH_CRASH_ROUNDS=500 PLUGWATCH_BIN=$(CURDIR)/$(BUILD)/plugwatch \
	  $(PYTHON) -m pytest -q tests/e2e/test_crash_safety.py
	@bash scripts/deps.sh fuzz
	@FUZZ_SECONDS=300 bash scripts/fuzz.sh

clean:
	rm -rf $(BUILD)
