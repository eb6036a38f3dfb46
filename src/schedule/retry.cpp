#include "dialerd/schedule/retry.hpp"

#include <algorithm>
#include <cmath>

namespace dialerd::schedule {

using domain::CallState;
using domain::Outcome;

bool is_retryable(Outcome o, const RetrySettings& settings) {
  return settings.retryable.count(o) > 0;
}

domain::UnixMs retry_delay_ms(int attempts, const RetryPolicy& p, double u) {
  const auto& s = p.settings;
  double delay = p.retry_delay_s * std::pow(s.backoff_factor, std::max(0, attempts - 1));
  delay *= 1.0 + s.jitter * (2.0 * u - 1.0);
  delay = std::min(delay, static_cast<double>(s.max_delay_s));  // the cap holds whatever the jitter
  return static_cast<domain::UnixMs>(std::max(0.0, delay) * 1000.0);
}

AfterOutcome after_outcome(Outcome o, int attempts, const RetryPolicy& policy, domain::UnixMs now, double u) {
  if (o == Outcome::completed || o == Outcome::voicemail) return {CallState::completed, 0};
  if (is_retryable(o, policy.settings) && attempts <= policy.retry_attempts)
    return {CallState::pending, now + retry_delay_ms(attempts, policy, u)};
  return {CallState::failed, 0};
}

}  // namespace dialerd::schedule
