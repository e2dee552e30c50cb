/*
 * fuzz.h - the entry point every fuzz target defines.
 *
 * Each fuzz_*.c defines LLVMFuzzerTestOneInput.  Built with clang and
 * -fsanitize=fuzzer it is a libFuzzer target; linked with fuzz_main.c it
 * is a plain program that runs the inputs named on its command line (or
 * stdin), which is what the 'fuzz' test suite does with the seed corpora
 * and what AFL++ drives (afl-fuzz ... -- fuzz_x_replay @@).
 */
#pragma once

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
