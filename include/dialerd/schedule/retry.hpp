#pragma once
// Retry policy: what a call becomes after an outcome. Pure: a function of (outcome, attempts, policy, now)
// and a uniform draw for the jitter.
#include <functional>
#include <set>

#include "dialerd/domain/campaign.hpp"

namespace dialerd::schedule {

// From config (retry.*): shared by every campaign.
struct RetrySettings {
  double backoff_factor = 2.0;  // the n-th retry waits retry_delay * factor^(n-1)
  double jitter = 0.2;          // +/- this share of the delay, so retries do not arrive in lockstep
  int max_delay_s = 86400;
  std::set<domain::Outcome> retryable = {domain::Outcome::no_answer, domain::Outcome::busy, domain::Outcome::failed,
                                         domain::Outcome::provider_error};
  bool operator==(const RetrySettings&) const = default;
};

struct RetryPolicy {
  int retry_attempts = 0;   // retries allowed after the first attempt (one budget across all causes)
  int retry_delay_s = 300;  // base wait before the first retry
  RetrySettings settings;
  // The campaign's retry_policy: an outcome named here is retried as it says (still within the budget),
  // instead of as settings.retryable says; voicemail too.
  domain::RetryByOutcome per_outcome = {};
};

struct AfterOutcome {
  domain::CallState state;         // completed, failed, or pending (a retry)
  domain::UnixMs next_attempt_at;  // meaningful when state is pending
};

// completed and opted_out complete the call, and so does voicemail unless the campaign's retry_policy
// retries it; an outcome the retry_policy names is retried as it says, any other when it is retryable
// (config); each retry while the budget lasts. A call not retried fails (voicemail: completes).
// `attempts` counts submissions made, this one included. `u` is a uniform draw in [0, 1) for the jitter.
bool is_retryable(domain::Outcome o, const RetrySettings& settings);
domain::UnixMs retry_delay_ms(int attempts, const RetryPolicy& policy, double u);
AfterOutcome after_outcome(domain::Outcome o, int attempts, const RetryPolicy& policy, domain::UnixMs now, double u);

// What the store found of the call an outcome is for.
struct CallAtOutcome {
  domain::CallState state = domain::CallState::in_progress;
  int attempts = 0;                           // submissions made, the last one included
  int retry_attempts = 0;                     // its retry budget (the call's own, else its campaign's)
  int retry_delay_s = 300;                    // its campaign's base retry delay
  bool campaign_cancelled = false;            // a cancelled campaign retries nothing
  domain::RetryByOutcome per_outcome;         // its campaign's retry_policy
  std::optional<domain::UnixMs> callback_at;  // the callback the outcome's report asks for
};

struct OutcomeEffect {
  bool applies = false;  // false: a duplicate (a call no longer in progress is never reopened); nothing changes
  AfterOutcome next{domain::CallState::failed, 0};
  std::optional<domain::UnixMs> not_before;  // a callback scheduled: the call's new not_before
  std::string callback;                      // what became of a callback asked for ("" when none was)
};

// How far ahead a callback may be asked for, and how far back (a past time means due now; further back is
// taken for a mistake, such as seconds for milliseconds). The API's not_before has the same bounds.
constexpr domain::UnixMs kCallbackAheadMs = 366LL * 24 * 3600 * 1000;
constexpr domain::UnixMs kCallbackPastMs = 24LL * 3600 * 1000;

// The whole decision the store records when an outcome arrives (a provider's callback or a timeout).
// A callback asked for (call.callback_at) makes the call pending again from that time, whatever the
// outcome, while the retry budget lasts; not after an opt-out, in a cancelled campaign, more than
// kCallbackAheadMs ahead or kCallbackPastMs back (`callback` says why not). Pure: `u` is a uniform draw
// in [0, 1) for the jitter.
OutcomeEffect outcome_effect(const CallAtOutcome& call, domain::Outcome o, const RetryPolicy& policy,
                             domain::UnixMs now, double u);

// The decision as the store receives it from whoever owns the retry settings and the draws (the
// scheduler): the store finds the call, asks the rule, and records its answer.
using OutcomeRule = std::function<OutcomeEffect(const CallAtOutcome& call, domain::Outcome o, domain::UnixMs now)>;
// outcome_effect under `settings`, with the call's own budget and delay and each jitter drawn from `draw`.
OutcomeRule retry_rule(RetrySettings settings, std::function<double()> draw);

}  // namespace dialerd::schedule
