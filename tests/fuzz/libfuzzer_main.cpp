// The libFuzzer entry point of one target; CMake compiles it once per target with DIALERD_FUZZ_ONE set to
// that target's function (fuzz_targets.hpp).
#include <cstdio>
#include <cstdlib>

#include <spdlog/spdlog.h>

#include "fuzz_targets.hpp"

#ifndef DIALERD_FUZZ_ONE
#error "DIALERD_FUZZ_ONE must name the target's function"
#endif

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  spdlog::set_level(spdlog::level::off);  // the handlers log every request; millions of lines help nobody
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  try {
    return dialerd::fuzz::DIALERD_FUZZ_ONE(data, size);
  } catch (const dialerd::fuzz::Violation& v) {
    std::fprintf(stderr, "\n==== fuzz violation: %s\n", v.what());
    std::abort();
  }
}
