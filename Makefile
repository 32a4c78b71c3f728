# The commands a newcomer types. Every target installs what is missing first.
BUILD ?= build
PRESET ?= release
JOBS ?= 2
# Debian's interpreter: scripts/deps.sh installs pytest and cryptography for it.
PYTHON ?= /usr/bin/python3

.PHONY: all deps configure build test unit e2e demo bench format lint clean

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

test: lint unit e2e

demo: build
	@$(BUILD)/plugwatch demo

bench: build
	@bash bench/run.sh $(BUILD)

format:
	@git ls-files '*.cc' '*.h' | xargs clang-format -i

lint:
	@git ls-files '*.cc' '*.h' | xargs clang-format --dry-run --Werror

clean:
	rm -rf $(BUILD)
