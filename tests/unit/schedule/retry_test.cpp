#include <catch2/catch.hpp>

#include "dialerd/schedule/retry.hpp"

using namespace dialerd::schedule;
using dialerd::domain::CallState;
using dialerd::domain::Outcome;

TEST_CASE("retry: completed and voicemail complete the call") {
  RetryPolicy p{2, 60};
  CHECK(after_outcome(Outcome::completed, 1, p, 0).state == CallState::completed);
  CHECK(after_outcome(Outcome::voicemail, 1, p, 0).state == CallState::completed);
}

TEST_CASE("retry: a retryable outcome returns the call to pending until the budget is spent") {
  RetryPolicy p{2, 60};
  auto first = after_outcome(Outcome::no_answer, 1, p, 1000);
  CHECK(first.state == CallState::pending);
  CHECK(first.next_attempt_at == 61000);
  CHECK(after_outcome(Outcome::busy, 2, p, 0).state == CallState::pending);
  CHECK(after_outcome(Outcome::no_answer, 3, p, 0).state == CallState::failed);  // 1 + 2 retries used
  CHECK(after_outcome(Outcome::provider_error, 1, RetryPolicy{0, 60}, 0).state == CallState::failed);
}

TEST_CASE("retry: cancelled is never retried") {
  CHECK(after_outcome(Outcome::cancelled, 1, RetryPolicy{5, 60}, 0).state == CallState::failed);
  CHECK_FALSE(is_retryable(Outcome::cancelled));
  CHECK(is_retryable(Outcome::failed));
}
