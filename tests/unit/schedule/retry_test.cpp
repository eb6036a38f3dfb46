#include <catch2/catch.hpp>

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
}
