#include "dialerd/schedule/retry.hpp"

namespace dialerd::schedule {

using domain::CallState;
using domain::Outcome;

bool is_retryable(Outcome o) {
  return o == Outcome::no_answer || o == Outcome::busy || o == Outcome::failed || o == Outcome::provider_error;
}

AfterOutcome after_outcome(Outcome o, int attempts, const RetryPolicy& policy, domain::UnixMs now) {
  if (o == Outcome::completed || o == Outcome::voicemail) return {CallState::completed, 0};
  if (is_retryable(o) && attempts <= policy.retry_attempts)
    return {CallState::pending, now + static_cast<domain::UnixMs>(policy.retry_delay_s) * 1000};
  return {CallState::failed, 0};
}

}  // namespace dialerd::schedule
