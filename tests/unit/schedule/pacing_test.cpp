// Pacing's sliding windows (schedule/pacing.hpp): pure, the time passed in.
#include <catch2/catch.hpp>

#include <random>

#include "dialerd/schedule/pacing.hpp"

using dialerd::domain::UnixMs;
using dialerd::schedule::Pacer;
using dialerd::schedule::PacingLimits;

TEST_CASE("pacing: a campaign starts its rate at once and the next calls when the first leave the window") {
  Pacer p;
  const PacingLimits two_a_second{2, std::nullopt};
  const UnixMs t = 1'000'000;
  CHECK(p.room(two_a_second, t) == 2);
  CHECK(p.next_at(two_a_second, t) == t);
  p.take(two_a_second, 2, t);
  CHECK(p.room(two_a_second, t) == 0);
  CHECK(p.next_at(two_a_second, t) == t + 1000);
  CHECK(p.room(two_a_second, t + 999) == 0);
  CHECK(p.room(two_a_second, t + 1000) == 2);  // freed together, so they go out together
  p.take(two_a_second, 1, t + 1000);
  p.take(two_a_second, 1, t + 1500);
  CHECK(p.next_at(two_a_second, t + 1500) == t + 2000);
  CHECK(p.room(two_a_second, t + 2000) == 1);
  CHECK(p.room({}, t) > 1000000);  // no limit
}

TEST_CASE("pacing: never more than the rate in any window of a second or a minute - property") {
  std::mt19937_64 rng(20261207);
  for (int round = 0; round < 200; ++round) {
    const PacingLimits limits{static_cast<int>(1 + rng() % 20), static_cast<int>(1 + rng() % 200)};
    Pacer p;
    std::vector<UnixMs> starts;
    UnixMs t = 0;
    while (t < 5 * 60000) {
      // Start some of what is allowed now (a claim may take less than the room), then move on.
      const int room = p.room(limits, t);
      const int n = room == 0 ? 0 : static_cast<int>(rng() % (room + 1));
      p.take(limits, n, t);
      starts.insert(starts.end(), static_cast<std::size_t>(n), t);
      const UnixMs next = p.next_at(limits, t);
      REQUIRE(next >= t);
      if (p.room(limits, t) > 0) REQUIRE(next == t);
      t = std::max(t + 1 + static_cast<UnixMs>(rng() % 700), next);
    }
    // The exact check: count the starts in every window that ends at a start.
    for (std::size_t i = 0; i < starts.size(); ++i) {
      auto in = [&](UnixMs period) {
        return std::count_if(starts.begin(), starts.end(),
                             [&](UnixMs s) { return s > starts[i] - period && s <= starts[i]; });
      };
      REQUIRE(in(1000) <= *limits.per_second);
      REQUIRE(in(60000) <= *limits.per_minute);
    }
  }
}

TEST_CASE("pacing: calls started beyond the room (call now) push the next call later") {
  Pacer p;
  const PacingLimits one_a_second{1, std::nullopt};
  p.take(one_a_second, 3, 0);  // 2 more than the window allowed
  CHECK(p.room(one_a_second, 999) == 0);
  CHECK(p.next_at(one_a_second, 0) == 1000);
  CHECK(p.room(one_a_second, 1000) == 1);
}

TEST_CASE("pacing: a workspace's ceiling - its own or the default - each running campaign's quota and share") {
  using dialerd::schedule::workspace_ceiling;
  using dialerd::schedule::workspace_share;
  const std::map<std::string, int> ceilings{{"acme", 10}, {"*", 50}};
  CHECK(workspace_ceiling(ceilings, "acme") == 10);
  CHECK(workspace_ceiling(ceilings, "other") == 50);
  CHECK_FALSE(workspace_ceiling({{"acme", 10}}, "other"));
  // A quota: the ceiling's equal part, rounded up.
  CHECK(dialerd::schedule::workspace_quota(10, 3) == 4);
  CHECK(dialerd::schedule::workspace_quota(10, 1) == 10);
  CHECK(dialerd::schedule::workspace_quota(10, 20) == 1);
  // What is left, for 3 campaigns: 4, then (6 left for 2) 3, then 3; one that takes none leaves it to the next.
  CHECK(workspace_share(10, 3) == 4);
  CHECK(workspace_share(6, 2) == 3);
  CHECK(workspace_share(3, 1) == 3);
  CHECK(workspace_share(1, 3) == 1);
  CHECK(workspace_share(0, 2) == 0);
  CHECK(workspace_share(-2, 1) == 0);  // over the ceiling (lowered on reload): nothing until calls end
}
