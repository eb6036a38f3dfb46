#pragma once
// Pacing (issue 20.4; docs/SCHEDULING.md, "Pacing"): at most `per_second` calls of a campaign started in
// any second and `per_minute` in any minute, next to its concurrency. Each limit is a token bucket that
// holds up to its rate and refills continuously at it, so a burst never exceeds the rate and the average
// never does either. Pure: the time is passed in.
#include <optional>

#include "dialerd/domain/campaign.hpp"

namespace dialerd::schedule {

struct PacingLimits {
  std::optional<int> per_second, per_minute;
  bool any() const { return per_second || per_minute; }
};

class Pacer {
 public:
  // How many calls may start at `now` (a large number when no limit is set).
  int room(const PacingLimits& limits, domain::UnixMs now) const;
  // `n` calls started at `now`.
  void take(const PacingLimits& limits, int n, domain::UnixMs now);
  // When the next call may start: `now` when one may now.
  domain::UnixMs next_at(const PacingLimits& limits, domain::UnixMs now) const;

 private:
  struct Bucket {
    bool used = false;  // never taken from: full
    double tokens = 0;
    domain::UnixMs at = 0;
    double level(int rate, domain::UnixMs period_ms, domain::UnixMs now) const;
  };
  Bucket second_, minute_;
};

}  // namespace dialerd::schedule
