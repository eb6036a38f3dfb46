#include "dialerd/util/backoff.hpp"

#include <algorithm>
#include <cmath>

namespace dialerd::util {

std::int64_t backoff_ms(const Backoff& b, int failures, double u) {
  const double cap = std::max(0.0, b.max_ms);
  double wait = std::min(b.first_ms * std::pow(b.factor, std::max(0, failures - 1)), cap);
  wait *= 1.0 - b.jitter_down + (b.jitter_down + b.jitter_up) * u;
  return static_cast<std::int64_t>(std::clamp(wait, 0.0, cap));
}

}  // namespace dialerd::util
