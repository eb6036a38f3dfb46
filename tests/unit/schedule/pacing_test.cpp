// Pacing's token buckets (schedule/pacing.hpp): pure, the time passed in.
#include <catch2/catch.hpp>

#include "dialerd/schedule/pacing.hpp"

using dialerd::domain::UnixMs;
using dialerd::schedule::Pacer;
using dialerd::schedule::PacingLimits;

TEST_CASE("pacing: a bucket starts full, empties by the calls started and refills at its rate") {
  Pacer p;
  const PacingLimits two_a_second{2, std::nullopt};
  const UnixMs t = 1'000'000;
  CHECK(p.room(two_a_second, t) == 2);
  CHECK(p.next_at(two_a_second, t) == t);
  p.take(two_a_second, 2, t);
  CHECK(p.room(two_a_second, t) == 0);
  CHECK(p.next_at(two_a_second, t) == t + 500);  // one call every 500 ms
  CHECK(p.room(two_a_second, t + 499) == 0);
  CHECK(p.room(two_a_second, t + 500) == 1);
  CHECK(p.room(two_a_second, t + 5000) == 2);  // never more than the rate at once
  CHECK(p.room({}, t) > 1000000);              // no limit
}

TEST_CASE("pacing: both limits hold - the per-minute one over a long run") {
  Pacer p;
  const PacingLimits limits{10, 30};
  UnixMs t = 0;
  int started = 0;
  // Start every call allowed, as soon as allowed, for 3 minutes.
  while (t < 180000) {
    int n = p.room(limits, t);
    if (n > 0) {
      p.take(limits, n, t);
      started += n;
    }
    t = std::max(t + 1, p.next_at(limits, t));
  }
  CHECK(started >= 30 + 60);  // a full minute's bucket, then 30 a minute
  CHECK(started <= 30 + 90);  // and never more
  // In any window of a second, at most 10: checked by the first burst, which the per-second bucket caps.
  Pacer q;
  CHECK(q.room(limits, 0) == 10);
}

TEST_CASE("pacing: calls started beyond the room (call now) push the next call later") {
  Pacer p;
  const PacingLimits one_a_second{1, std::nullopt};
  p.take(one_a_second, 3, 0);  // 2 more than the bucket held
  CHECK(p.room(one_a_second, 0) == 0);
  CHECK(p.next_at(one_a_second, 0) == 3000);
}
