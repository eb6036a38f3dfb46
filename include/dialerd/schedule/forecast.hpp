#pragma once
// When a campaign's remaining calls will go out, estimated from the same windows and caps the scheduler
// enforces. Pure. An estimate: it assumes every call lasts the configured duration, and it ignores
// retries still to come, per-contact caps and provider slowness. A pending call counts from when it is due
// (a callback's not_before, a retry's delay, a deferral), and calls of a higher priority go first, as the
// claim takes them (store/claims.hpp: all but one in domain::kPriorityFairEvery by priority).
#include <optional>
#include <vector>

#include "dialerd/schedule/compliance.hpp"

namespace dialerd::schedule {

struct ForecastInput {
  const CampaignRules* campaign = nullptr;
  const LegalRules* legal = nullptr;
  std::int64_t pending = 0;          // calls left to go out
  std::vector<ContactPlace> sample;  // where a sample of those calls' contacts are
  std::int64_t calls_today = 0;      // the campaign's calls so far in its current local day
  int call_duration_s = 180;
  domain::UnixMs now = 0;
  int horizon_hours = 14 * 24;
  // When each sampled call is due (its next_attempt_at), in `sample` order; empty = every one due now.
  std::vector<domain::UnixMs> sample_due = {};
  // Each sampled call's priority, in `sample` order; empty = every one 0.
  std::vector<int> sample_priority = {};
  // A daily cap per from number (max_calls_per_number_per_day): the calls all the campaign's numbers may
  // place in a day, and what they placed so far today (each counted up to the cap); none = no cap. The
  // numbers' calls for other campaigns later today and their rests are not foreseen.
  std::optional<double> numbers_per_day = std::nullopt;
  double numbers_used_today = 0;
};

struct ForecastHour {
  domain::UnixMs start = 0;
  double calls = 0;
};

// The calls of one priority level: how many, and when the last of them is expected to start.
struct ForecastLevel {
  int priority = 0;
  double pending = 0;
  std::optional<domain::UnixMs> finish;  // none within the horizon
};

struct Forecast {
  std::vector<ForecastHour> hours;       // hours with calls, in order
  std::optional<domain::UnixMs> finish;  // when the last call is expected to start; none within the horizon
  double remaining_after_horizon = 0;
  std::vector<ForecastLevel> levels;  // by priority, highest first
};

Forecast forecast(const ForecastInput& in);

}  // namespace dialerd::schedule
