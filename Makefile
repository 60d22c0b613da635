# SPDX-License-Identifier: Apache-2.0
# The two commands of the README: `make demo` and `make test`.  Both first
# install the Debian packages the build needs (scripts/install-deps, only
# those missing) and build with CMake.

BUILD ?= build
ASAN_BUILD ?= build-asan
PREFIX ?= /usr/local
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_FLAGS ?=

.PHONY: all deps build test test-fast test-asan test-fuzz demo demo-serve install bench fuzz fuzz-build \
	format clean

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	    -DCMAKE_INSTALL_PREFIX=$(PREFIX) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# Every test: the normal build, then the whole suite again under
# AddressSanitizer and UndefinedBehaviorSanitizer, then a short run of
# every fuzz harness (FUZZ_CI_SECONDS each, JOBS at once).
test: test-fast test-asan test-fuzz

test-fast: build
	@ctest --test-dir $(BUILD) --output-on-failure -j$(JOBS)

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCUSTOS_SANITIZE=ON \
	    $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(ASAN_BUILD) -j$(JOBS)
	@ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    ctest --test-dir $(ASAN_BUILD) --output-on-failure -j$(JOBS) -LE no-asan

demo: build
	@scripts/demo $(BUILD)

# The server with a demo ledger and a user per role, in the foreground.
demo-serve: build
	@scripts/demo-serve $(BUILD)

install: build
	@DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix $(PREFIX)

# libFuzzer harnesses (clang, ASan+UBSan) in their own build directory.
# `make fuzz FUZZ_SECONDS=N` runs every harness of CUSTOS_FUZZERS for N
# seconds; FUZZ_RUNS=N runs N executions each instead (the long run).
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_CI_SECONDS ?= 30
fuzz-build: deps
	@CC=clang cmake -S . -B $(FUZZ_BUILD) -DCUSTOS_FUZZ=ON -DCUSTOS_WERROR=OFF \
	    -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(FUZZ_BUILD) -j$(JOBS) --target fuzzers

fuzz: fuzz-build
	@scripts/fuzz $(FUZZ_BUILD) $(FUZZ_SECONDS)

test-fuzz: fuzz-build
	@FUZZ_JOBS=$(JOBS) scripts/fuzz $(FUZZ_BUILD) $(FUZZ_CI_SECONDS)

bench: build
	@cmake --build $(BUILD) --target bench -j$(JOBS)

format:
	@clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
