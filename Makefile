# SPDX-License-Identifier: GPL-2.0-only
# The two commands of the README, plus a few conveniences. Everything real is
# in CMake (build), scripts/setup (dependencies) and tests/vm (the VM harness).
BUILD ?= build
BUILD_ASAN ?= build-asan
JOBS ?= 2
CMAKE_GEN := -G Ninja
# PAL_REQUIRE_ALL=1 (set by .ci/run): a skipped test is a failure, and a
# missing test tool fails configure. It configures again on every run, so
# the setting always holds.
REQUIRE_ALL := $(if $(filter-out 0,$(PAL_REQUIRE_ALL)),ON,OFF)
RECONFIGURE := $(if $(filter ON,$(REQUIRE_ALL)),FORCE)

.PHONY: all setup build build-asan test test-unit test-native test-vm demo bench clean FORCE

all: build

setup:
	@scripts/setup

# The project's own builds treat warnings as errors (PAL_WERROR); a plain
# `cmake -S . -B DIR` does not. A changed Makefile configures again.
$(BUILD)/build.ninja: Makefile $(RECONFIGURE)
	cmake -S . -B $(BUILD) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DPAL_WERROR=ON \
		-DPAL_REQUIRE_ALL=$(REQUIRE_ALL)

$(BUILD_ASAN)/build.ninja: Makefile $(RECONFIGURE)
	cmake -S . -B $(BUILD_ASAN) $(CMAKE_GEN) -DCMAKE_BUILD_TYPE=Debug -DPAL_WERROR=ON \
		-DPAL_REQUIRE_ALL=$(REQUIRE_ALL)

build: setup $(BUILD)/build.ninja
	@scripts/stage "build ($(BUILD))" cmake --build $(BUILD) -j $(JOBS)

build-asan: setup $(BUILD_ASAN)/build.ninja
	@scripts/stage "build ($(BUILD_ASAN), ASan/UBSan)" cmake --build $(BUILD_ASAN) -j $(JOBS)

# Every test: unit and native tests under ASan/UBSan, then everything (unit,
# native, VM) in the release build, whose CTest summary comes last. Two at
# a time; a kernel's VM run takes both cores (PROCESSORS 2). The fuzzers are
# the same clang ASan/UBSan binaries in both builds: they run once, in the
# first stage. The package checks (deb, lintian, rpm) are of the release
# build's packages: they run once, in the second.
test: build build-asan
	@scripts/stage "unit+native tests (ASan/UBSan)" \
		ctest --test-dir $(BUILD_ASAN) --output-on-failure -j $(JOBS) -L 'unit|native' -LE package
	@echo "==> all tests (unit, native, VM; the fuzzers ran above)"
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS) -LE fuzz

test-unit: build
	ctest --test-dir $(BUILD) --output-on-failure -L unit

test-native: build
	ctest --test-dir $(BUILD) --output-on-failure -L native

test-vm: build
	ctest --test-dir $(BUILD) --output-on-failure -L vm

# Boot the BPF LSM kernel, run the agent with an example policy, show a
# denied read and its JSON audit line, power off. KERNEL=NAME picks a kernel
# of the matrix (tests/vm/kernels), e.g. make demo KERNEL=sid.
demo: build
	tests/vm/run-vm --build-dir $(BUILD) --demo $(if $(KERNEL),--kernel $(KERNEL))

bench: build
	bench/run

clean:
	rm -rf $(BUILD) $(BUILD_ASAN)
