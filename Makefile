# nemsim - the two commands of the README, and a few more.
#
#   make reproduce   install what is missing, build, run every paper
#                    scenario into results/, write the report and plots
#   make test        install what is missing, build, run every test suite
#
#   make bench       benchmarks (figures printed and written to bench/results/)
#   make test-asan   the test suites under AddressSanitizer + UBSan
#   make build       just build (build/nemsim)
#   make clean       remove the build folders

BUILD      ?= build
ASAN_BUILD ?= build-asan
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
PYTHON     ?= /usr/bin/python3

.PHONY: all deps build reproduce test test-asan bench clean

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
		--no-suite slow --timeout-multiplier 3

bench: build
	@mkdir -p bench/results
	@./tools/bench.sh $(BUILD)

clean:
	rm -rf $(BUILD) $(ASAN_BUILD)
