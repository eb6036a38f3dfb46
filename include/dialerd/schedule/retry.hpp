#pragma once
// Retry policy: what a call becomes after an outcome. Pure: a function of (outcome, attempts, policy, now).
#include "dialerd/domain/campaign.hpp"

namespace dialerd::schedule {

struct RetryPolicy {
  int retry_attempts = 0;   // retries allowed after the first attempt (one budget across all causes)
  int retry_delay_s = 300;  // wait before the next attempt
};

struct AfterOutcome {
  domain::CallState state;        // completed, failed, or pending (a retry)
  domain::UnixMs next_attempt_at; // meaningful when state is pending
};

// Retryable outcomes: no_answer, busy, failed, provider_error. completed and voicemail complete the call;
// cancelled fails it for good. `attempts` counts submissions made, this one included.
bool is_retryable(domain::Outcome o);
AfterOutcome after_outcome(domain::Outcome o, int attempts, const RetryPolicy& policy, domain::UnixMs now);

}  // namespace dialerd::schedule
