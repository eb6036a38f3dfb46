#pragma once
// Exponential backoff with jitter: the one formula behind call retries (schedule/retry), webhook delivery
// tries (webhooks/sender) and a provider's pause after failures (providers/guard). Pure: the jitter is a
// uniform draw the caller passes in (util::Random in the daemon, a fixed value in tests).
#include <cstdint>

namespace dialerd::util {

struct Backoff {
  double first_ms = 1000;    // the wait after the first failure
  double factor = 2.0;       // each further failure multiplies the wait
  double max_ms = 60000;     // no wait is longer, jitter included
  double jitter_down = 0.0;  // the wait is drawn from [w * (1 - jitter_down), w * (1 + jitter_up)]
  double jitter_up = 0.0;
};

// The wait after `failures` failures in a row (1 = the first): first_ms * factor^(failures - 1), at most
// max_ms, spread by the jitter with `u` in [0, 1), then at most max_ms again, so retries near the cap still
// spread out instead of arriving in lockstep. Never negative.
std::int64_t backoff_ms(const Backoff& backoff, int failures, double u);

}  // namespace dialerd::util
