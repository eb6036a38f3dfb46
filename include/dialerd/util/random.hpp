#pragma once
// The one source of randomness (retry and backoff jitter, random caller-id rotation, idempotency-key salts,
// the provider simulator's outcomes). Each owner holds a Random built from a seed it was given; tests pass
// a fixed seed, the daemon passes 0, which draws one from std::random_device.
#include <cstdint>
#include <random>

namespace dialerd::util {

class Random {
 public:
  // seed 0: a seed from std::random_device.
  explicit Random(std::uint64_t seed = 0);
  // Uniform in [0, 1).
  double uniform();
  // Uniform in [0, n); n > 0.
  std::uint64_t below(std::uint64_t n);
  // 32 random bits.
  std::uint32_t bits32();

 private:
  std::mt19937_64 engine_;
};

}  // namespace dialerd::util
