#include "dialerd/schedule/retry.hpp"

#include <algorithm>

#include "dialerd/util/backoff.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::schedule {

using domain::CallState;
using domain::Outcome;

bool is_retryable(Outcome o, const RetrySettings& settings) {
  return settings.retryable.count(o) > 0;
}

domain::UnixMs retry_delay_ms(int attempts, const RetryPolicy& p, double u) {
  const auto& s = p.settings;
  return util::backoff_ms({p.retry_delay_s * 1000.0, s.backoff_factor, s.max_delay_s * 1000.0, s.jitter, s.jitter},
                          attempts, u);
}

AfterOutcome after_outcome(Outcome o, int attempts, const RetryPolicy& policy, domain::UnixMs now, double u) {
  // An opt-out is a conversation that ended the person's calls: never retried, whatever the settings say.
  if (o == Outcome::completed || o == Outcome::opted_out) return {CallState::completed, 0};
  const AfterOutcome done{o == Outcome::voicemail ? CallState::completed : CallState::failed, 0};
  if (attempts > policy.retry_attempts) return done;  // the budget is spent
  if (auto own = policy.per_outcome.find(o); own != policy.per_outcome.end()) {
    const auto& r = own->second;
    if (!r.retry || (r.max_attempts && attempts >= *r.max_attempts)) return done;
    RetryPolicy base = policy;
    if (r.delay_s) base.retry_delay_s = *r.delay_s;
    return {CallState::pending, now + retry_delay_ms(attempts, base, u)};
  }
  if (o != Outcome::voicemail && is_retryable(o, policy.settings))
    return {CallState::pending, now + retry_delay_ms(attempts, policy, u)};
  return done;
}

OutcomeEffect outcome_effect(const CallAtOutcome& call, Outcome o, const RetryPolicy& policy, domain::UnixMs now,
                             double u) {
  OutcomeEffect effect;
  if (call.state != CallState::in_progress) return effect;
  effect.applies = true;
  effect.next = after_outcome(o, call.attempts, policy, now, u);
  // A cancelled campaign retries nothing: the call ends as if the outcome were not retried.
  if (call.campaign_cancelled && effect.next.state == CallState::pending)
    effect.next = {o == Outcome::voicemail ? CallState::completed : CallState::failed, 0};
  if (!call.callback_at) return effect;
  const auto at = util::format_rfc3339(*call.callback_at, util::TimePrecision::seconds);
  const auto not_scheduled = [&](const char* why) { return "callback requested for " + at + " not scheduled: " + why; };
  if (o == Outcome::opted_out)
    effect.callback = not_scheduled("the person opted out");
  else if (call.campaign_cancelled)
    effect.callback = not_scheduled("the campaign is cancelled");
  else if (call.attempts > call.retry_attempts)
    effect.callback = not_scheduled("the call's retry budget (retry_attempts) is spent");
  else if (*call.callback_at > now + kCallbackAheadMs)
    effect.callback = not_scheduled("it is more than 366 days ahead");
  else if (*call.callback_at < now - kCallbackPastMs)
    effect.callback = not_scheduled("it is more than a day in the past (Unix milliseconds are expected, not seconds)");
  else {
    effect.next = {CallState::pending, std::max(now, *call.callback_at)};
    effect.not_before = call.callback_at;
    effect.callback = "callback requested for " + at;
  }
  return effect;
}

OutcomeRule retry_rule(RetrySettings settings, std::function<double()> draw) {
  return [settings = std::move(settings), draw = std::move(draw)](const CallAtOutcome& call, Outcome o,
                                                                  domain::UnixMs now) {
    return outcome_effect(call, o, {call.retry_attempts, call.retry_delay_s, settings, call.per_outcome}, now, draw());
  };
}

}  // namespace dialerd::schedule
