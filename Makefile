# nemsim - the two commands of the README, and a few more.
#
#   make reproduce   install what is missing, build, run every paper
#                    scenario into results/, write the report and plots
#   make test        install what is missing, build, run every test suite
#
#   make bench       benchmarks (figures printed and written to bench/results/)
#   make test-asan   the test suites under AddressSanitizer + UBSan
#   make test-valgrind  the unit suites under valgrind (memcheck)
#   make fuzz        each libFuzzer target for FUZZ_SECONDS (default 60);
#                    FUZZ_SEED=N fixes the seed (CI uses 1)
#   make build       just build (build/nemsim)
#   make clean       remove the build folders

BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PYTHON     ?= /usr/bin/python3

.PHONY: all deps build reproduce test test-asan test-valgrind fuzz bench clean

all: build

deps:
	@./tools/install-deps.sh

$(BUILD)/build.ninja: | deps
	@meson setup $(BUILD) >/dev/null

build: deps $(BUILD)/build.ninja
	@ninja -C $(BUILD) >/dev/null || ninja -C $(BUILD)
	@test -x $(BUILD)/nemsim

reproduce: build
	@./tools/reproduce.sh $(BUILD)/nemsim $(JOBS) $(PYTHON)

test: build
	meson test -C $(BUILD) --print-errorlogs --num-processes $(JOBS)

$(ASAN_BUILD)/build.ninja: | deps
	@meson setup $(ASAN_BUILD) -Db_sanitize=address,undefined \
		-Db_lundef=false -Dbuildtype=debug >/dev/null

test-asan: deps $(ASAN_BUILD)/build.ninja
	@ninja -C $(ASAN_BUILD) >/dev/null || ninja -C $(ASAN_BUILD)
	ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	meson test -C $(ASAN_BUILD) --print-errorlogs --num-processes $(JOBS) \
		--no-suite slow --no-suite cluster --timeout-multiplier 3

# valgrind on the unit suites and the fuzz seed corpora (the plain build).
test-valgrind: build
	CK_TIMEOUT_MULTIPLIER=20 meson test -C $(BUILD) --print-errorlogs --num-processes $(JOBS) \
		--suite unit --suite fuzz --timeout-multiplier 10 \
		--wrapper 'valgrind --error-exitcode=1 --leak-check=full --errors-for-leak-kinds=definite --quiet'

# libFuzzer needs clang; the whole build is instrumented for coverage.
$(FUZZ_BUILD)/build.ninja: | deps
	@CC=clang meson setup $(FUZZ_BUILD) -Db_sanitize=address,undefined -Db_lto=false \
		-Db_lundef=false -Dc_args=-fsanitize=fuzzer-no-link >/dev/null

fuzz: deps $(FUZZ_BUILD)/build.ninja
	@ninja -C $(FUZZ_BUILD) >/dev/null || ninja -C $(FUZZ_BUILD)
	@FUZZ_SEED=$(FUZZ_SEED) ./tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS)

bench: build
	@mkdir -p bench/results
	@./tools/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
