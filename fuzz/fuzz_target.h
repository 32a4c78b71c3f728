// The one entry point every fuzz target defines (libFuzzer's). The same
// target is built two ways (fuzz/CMakeLists.txt):
//   * with clang and -fsanitize=fuzzer,address,undefined (`make fuzz`), where
//     libFuzzer generates inputs;
//   * in every normal build, linked with replay_main.cc, which feeds it the
//     checked-in corpus (fuzz/corpus/<target>/) as a unit test, so the targets
//     keep compiling and every input that once found a bug stays fixed.
// A target aborts (PW_FUZZ_CHECK) when a property it checks does not hold.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

#define PW_FUZZ_CHECK(cond, what)                                                             \
  do {                                                                                        \
    if (!(cond)) {                                                                            \
      std::fprintf(stderr, "fuzz property violated: %s (%s:%d)\n", what, __FILE__, __LINE__); \
      std::abort();                                                                           \
    }                                                                                         \
  } while (0)
