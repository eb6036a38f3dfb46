#include <catch2/catch.hpp>

#include "dialerd/domain/campaign.hpp"
#include "dialerd/schedule/retry.hpp"

using namespace dialerd::schedule;
using dialerd::domain::CallState;
using dialerd::domain::Outcome;

namespace {
RetryPolicy policy(int retries, int delay_s, double jitter = 0) {
  RetryPolicy p;
  p.retry_attempts = retries;
  p.retry_delay_s = delay_s;
  p.settings.jitter = jitter;
  return p;
}
}  // namespace

TEST_CASE("retry: completed and voicemail complete the call") {
  CHECK(after_outcome(Outcome::completed, 1, policy(2, 60), 0, 0.5).state == CallState::completed);
  CHECK(after_outcome(Outcome::voicemail, 1, policy(2, 60), 0, 0.5).state == CallState::completed);
}

TEST_CASE("retry: an opt-out completes the call and is never retried - whatever the settings list") {
  auto p = policy(5, 60);
  p.settings.retryable.insert(Outcome::opted_out);
  CHECK(after_outcome(Outcome::opted_out, 1, p, 0, 0.5).state == CallState::completed);
}

TEST_CASE("retry: a retryable outcome returns the call to pending until the one budget is spent") {
  auto p = policy(2, 60);
  auto first = after_outcome(Outcome::no_answer, 1, p, 1000, 0.5);
  CHECK(first.state == CallState::pending);
  CHECK(first.next_attempt_at == 61000);
  CHECK(after_outcome(Outcome::busy, 2, p, 0, 0.5).state == CallState::pending);
  CHECK(after_outcome(Outcome::no_answer, 3, p, 0, 0.5).state == CallState::failed);  // 1 + 2 retries used
  CHECK(after_outcome(Outcome::provider_error, 1, policy(0, 60), 0, 0.5).state == CallState::failed);
}

TEST_CASE("retry: exponential backoff with jitter and a cap") {
  auto p = policy(10, 60);
  CHECK(retry_delay_ms(1, p, 0.5) == 60000);
  CHECK(retry_delay_ms(2, p, 0.5) == 120000);
  CHECK(retry_delay_ms(3, p, 0.5) == 240000);
  p.settings.max_delay_s = 200;
  CHECK(retry_delay_ms(3, p, 0.5) == 200000);
  p.settings.jitter = 0.2;
  CHECK(retry_delay_ms(3, p, 0.999) == 200000);  // jitter never pushes past the cap
  auto j = policy(10, 100, 0.2);
  CHECK(retry_delay_ms(1, j, 0.0) == 80000);
  CHECK(retry_delay_ms(1, j, 0.999999) == Approx(120000).margin(1));
}

TEST_CASE("retry: the retryable outcomes come from config") {
  auto p = policy(5, 60);
  CHECK_FALSE(is_retryable(Outcome::cancelled, p.settings));
  CHECK(after_outcome(Outcome::cancelled, 1, p, 0, 0.5).state == CallState::failed);
  p.settings.retryable = {Outcome::no_answer};
  CHECK(after_outcome(Outcome::busy, 1, p, 0, 0.5).state == CallState::failed);
  CHECK(after_outcome(Outcome::no_answer, 1, p, 0, 0.5).state == CallState::pending);
}

TEST_CASE("retry: an outcome for a call no longer in progress changes nothing") {
  auto p = policy(5, 60);
  for (auto state : {CallState::pending, CallState::dispatching, CallState::completed, CallState::failed}) {
    CallAtOutcome call;
    call.state = state;
    call.attempts = 1;
    CHECK_FALSE(outcome_effect(call, Outcome::completed, p, 0, 0.5).applies);
    CHECK_FALSE(outcome_effect(call, Outcome::no_answer, p, 0, 0.5).applies);
  }
}

TEST_CASE("retry: a cancelled campaign retries nothing - the outcome still lands") {
  auto p = policy(5, 60);
  CallAtOutcome call;
  call.attempts = 1;
  auto live = outcome_effect(call, Outcome::no_answer, p, 1000, 0.5);
  CHECK(live.applies);
  CHECK(live.next.state == CallState::pending);
  CHECK(live.next.next_attempt_at == 61000);
  call.campaign_cancelled = true;
  auto cancelled = outcome_effect(call, Outcome::no_answer, p, 1000, 0.5);
  CHECK(cancelled.applies);
  CHECK(cancelled.next.state == CallState::failed);
  CHECK(outcome_effect(call, Outcome::completed, p, 1000, 0.5).next.state == CallState::completed);
  // A voicemail its policy would retry completes, as a voicemail not retried does.
  p.per_outcome[Outcome::voicemail] = dialerd::domain::OutcomeRetry{true, 60, std::nullopt};
  CHECK(outcome_effect(call, Outcome::voicemail, p, 1000, 0.5).next.state == CallState::completed);
}

TEST_CASE("retry: a campaign's retry_policy retries each outcome as it says - within the one budget") {
  using dialerd::domain::OutcomeRetry;
  auto p = policy(4, 60);
  p.per_outcome[Outcome::busy] = OutcomeRetry{true, 10, std::nullopt};                       // sooner than the rest
  p.per_outcome[Outcome::no_answer] = OutcomeRetry{true, std::nullopt, 2};                   // at most 2 attempts
  p.per_outcome[Outcome::voicemail] = OutcomeRetry{true, 3600, std::nullopt};                // voicemail retried
  p.per_outcome[Outcome::provider_error] = OutcomeRetry{false, std::nullopt, std::nullopt};  // not retried
  p.per_outcome[Outcome::timeout] = OutcomeRetry{true, std::nullopt, std::nullopt};          // config does not retry it
  auto busy = after_outcome(Outcome::busy, 1, p, 1000, 0.5);
  CHECK(busy.state == CallState::pending);
  CHECK(busy.next_attempt_at == 1000 + 10000);
  CHECK(after_outcome(Outcome::busy, 2, p, 0, 0.5).next_attempt_at == 20000);  // the backoff from its own base
  auto no_answer = after_outcome(Outcome::no_answer, 1, p, 0, 0.5);
  CHECK(no_answer.state == CallState::pending);
  CHECK(no_answer.next_attempt_at == 60000);  // the campaign's retry_delay_seconds
  CHECK(after_outcome(Outcome::no_answer, 2, p, 0, 0.5).state == CallState::failed);
  CHECK(after_outcome(Outcome::voicemail, 1, p, 0, 0.5).state == CallState::pending);
  CHECK(after_outcome(Outcome::provider_error, 1, p, 0, 0.5).state == CallState::failed);
  CHECK(after_outcome(Outcome::timeout, 1, p, 0, 0.5).state == CallState::pending);
  // An outcome it does not name follows the config; the budget bounds every outcome.
  CHECK(after_outcome(Outcome::failed, 1, p, 0, 0.5).state == CallState::pending);
  CHECK(after_outcome(Outcome::busy, 5, p, 0, 0.5).state == CallState::failed);
  // A voicemail no longer retried completes the call, as without a policy.
  CHECK(after_outcome(Outcome::voicemail, 5, p, 0, 0.5).state == CallState::completed);
  // Never retried, whatever a policy holds.
  p.per_outcome[Outcome::completed] = OutcomeRetry{true, 1, std::nullopt};
  CHECK(after_outcome(Outcome::completed, 1, p, 0, 0.5).state == CallState::completed);
}

TEST_CASE("retry: a retry_policy reads back as written and bad ones name the field") {
  using dialerd::domain::parse_retry_policy;
  std::string field, error;
  auto j = nlohmann::json::parse(
      R"({"busy": {"retry": true, "delay_seconds": 120, "max_attempts": 4}, "voicemail": {"retry": false}})");
  auto p = parse_retry_policy(j, field, error);
  REQUIRE(p);
  CHECK(p->size() == 2);
  CHECK(p->at(Outcome::busy) == dialerd::domain::OutcomeRetry{true, 120, 4});
  CHECK(dialerd::domain::retry_policy_json(*p) ==
        nlohmann::json::parse(R"({"busy": {"retry": true, "delay_seconds": 120, "max_attempts": 4},
                                   "voicemail": {"retry": false, "delay_seconds": null, "max_attempts": null}})"));
  CHECK(parse_retry_policy(nullptr, field, error)->empty());
  auto bad = [&](const char* text, const std::string& at, const std::string& says) {
    CHECK_FALSE(parse_retry_policy(nlohmann::json::parse(text), field, error));
    CHECK(field == at);
    CHECK_THAT(error, Catch::Contains(says));
  };
  bad("[]", "retry_policy", "must be an object of outcomes");
  bad(R"({"ringing": {"retry": true}})", "retry_policy.ringing", "unknown outcome");
  bad(R"({"cancelled": {"retry": true}})", "retry_policy.cancelled", "is not retried by a policy");
  bad(R"({"completed": {"retry": true}})", "retry_policy.completed", "never retried");
  bad(R"({"busy": true})", "retry_policy.busy", "must be an object");
  bad(R"({"busy": {}})", "retry_policy.busy.retry", "is required");
  bad(R"({"busy": {"retry": "yes"}})", "retry_policy.busy.retry", "true or false");
  bad(R"({"busy": {"retry": true, "delay_seconds": -1}})", "retry_policy.busy.delay_seconds", "from 0 to 2592000");
  bad(R"({"busy": {"retry": true, "max_attempts": 12}})", "retry_policy.busy.max_attempts", "from 1 to 11");
  bad(R"({"busy": {"retry": true, "every": 1}})", "retry_policy.busy.every", "unknown field");
}

TEST_CASE("retry: a callback asked for makes the call pending from then while the budget lasts") {
  const auto p = policy(2, 60);
  CallAtOutcome call;
  call.attempts = 1;
  call.retry_attempts = 2;
  call.callback_at = 500'000;
  // Whatever the outcome: a completed conversation asking to be called back is not done.
  for (auto o : {Outcome::completed, Outcome::no_answer, Outcome::voicemail, Outcome::failed}) {
    auto e = outcome_effect(call, o, p, 1000, 0.5);
    CHECK(e.next.state == CallState::pending);
    CHECK(e.next.next_attempt_at == 500'000);
    CHECK(e.not_before == 500'000);
    CHECK(e.callback == "callback requested for 1970-01-01T00:08:20Z");
  }
  // A time already past: due now, not before it was asked for.
  auto past = outcome_effect(call, Outcome::completed, p, 900'000, 0.5);
  CHECK(past.next.next_attempt_at == 900'000);
  CHECK(past.not_before == 500'000);

  // Not scheduled, with why: the budget is spent, an opt-out, a cancelled campaign, too far ahead.
  auto spent = call;
  spent.attempts = 3;
  auto e = outcome_effect(spent, Outcome::completed, p, 1000, 0.5);
  CHECK(e.next.state == CallState::completed);
  CHECK_FALSE(e.not_before);
  CHECK(e.callback ==
        "callback requested for 1970-01-01T00:08:20Z not scheduled: the call's retry budget "
        "(retry_attempts) is spent");
  e = outcome_effect(call, Outcome::opted_out, p, 1000, 0.5);
  CHECK(e.next.state == CallState::completed);
  CHECK(e.callback.find("the person opted out") != std::string::npos);
  auto cancelled = call;
  cancelled.campaign_cancelled = true;
  e = outcome_effect(cancelled, Outcome::no_answer, p, 1000, 0.5);
  CHECK(e.next.state == CallState::failed);
  CHECK(e.callback.find("the campaign is cancelled") != std::string::npos);
  auto far = call;
  far.callback_at = 1000 + kCallbackAheadMs + 1;
  e = outcome_effect(far, Outcome::completed, p, 1000, 0.5);
  CHECK(e.next.state == CallState::completed);
  CHECK(e.callback.find("more than 366 days ahead") != std::string::npos);
  auto seconds = call;  // 1781550000 read as milliseconds: January 1970
  seconds.callback_at = 1'781'550'000;
  e = outcome_effect(seconds, Outcome::completed, p, 1'781'550'000'000, 0.5);
  CHECK(e.next.state == CallState::completed);
  CHECK(e.callback.find("more than a day in the past") != std::string::npos);
  // A duplicate changes nothing, callback or not.
  auto done = call;
  done.state = CallState::completed;
  CHECK_FALSE(outcome_effect(done, Outcome::completed, p, 1000, 0.5).applies);
}
