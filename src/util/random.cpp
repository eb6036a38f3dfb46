#include "dialerd/util/random.hpp"

namespace dialerd::util {

Random::Random(std::uint64_t seed)
    : engine_(seed ? seed : (std::uint64_t{std::random_device{}()} << 32) ^ std::random_device{}()) {}

double Random::uniform() {
  return std::uniform_real_distribution<double>(0.0, 1.0)(engine_);
}

std::uint64_t Random::below(std::uint64_t n) {
  return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(engine_);
}

std::uint32_t Random::bits32() {
  return static_cast<std::uint32_t>(engine_() >> 32);
}

}  // namespace dialerd::util
