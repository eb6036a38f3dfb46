#include <catch2/catch.hpp>

#include "dialerd/providers/guard.hpp"

using namespace dialerd::providers;

namespace {
Limits limits() {
  Limits l;
  l.max_in_flight = 2;
  l.backoff_min_ms = 1000;
  l.backoff_max_ms = 8000;
  l.breaker_failures = 3;
  l.breaker_open_ms = 30000;
  l.breaker_open_max_ms = 100000;
  return l;
}
// A guard whose provider has answered well once, so admit() is no longer limited to one at a time.
Guard proven(Limits l, std::uint64_t seed, UnixMs at = 0) {
  Guard g(l, seed);
  g.started(at, false);
  g.finished(at, Health::ok, 0, false);
  return g;
}
}  // namespace

TEST_CASE("guard: the in-flight limit admits up to max_in_flight submissions at once") {
  Guard g = proven(limits(), 1);
  REQUIRE(g.admit(0).ok);
  g.started(0, false);
  REQUIRE(g.admit(0).ok);
  g.started(0, false);
  auto a = g.admit(0);
  CHECK_FALSE(a.ok);
  CHECK(a.why == "in-flight limit");
  CHECK(a.retry_at == 0);  // no time helps: a finishing submission does
  g.finished(10, Health::ok, 0, false);
  CHECK(g.admit(10).ok);
  CHECK(g.in_flight() == 1);
}

TEST_CASE("guard: requests_per_second paces submissions with a burst of max(1 and rate)") {
  Limits l = limits();
  l.max_in_flight = 0;
  l.requests_per_second = 2;
  Guard g = proven(l, 1, 0);
  for (int i = 0; i < 2; ++i) {
    REQUIRE(g.admit(1000).ok);
    g.started(1000, false);
  }
  auto a = g.admit(1000);
  CHECK_FALSE(a.ok);
  CHECK(a.why == "rate limit");
  CHECK(a.retry_at == 1501);  // one token takes 500 ms at 2/s
  CHECK_FALSE(g.admit(1400).ok);
  REQUIRE(g.admit(1501).ok);
  g.started(1501, false);
  CHECK_FALSE(g.admit(1501).ok);

  SECTION("a fractional rate below one per second still admits one at a time") {
    Limits slow = l;
    slow.requests_per_second = 0.5;
    Guard s = proven(slow, 1, -2000);  // its one token is back by 0
    REQUIRE(s.admit(0).ok);
    s.started(0, false);
    auto b = s.admit(0);
    CHECK_FALSE(b.ok);
    CHECK(b.retry_at == 2001);
    CHECK(s.admit(2001).ok);
  }
}

TEST_CASE("guard: failures back off exponentially with jitter and a success clears the pause") {
  Limits l = limits();
  l.breaker_failures = 0;  // never opens: only the backoff is under test
  Guard g(l, 7);
  UnixMs now = 0;
  UnixMs expected_max = 1000;
  for (int failures = 1; failures <= 6; ++failures) {
    g.started(now, false);
    g.finished(now, Health::failed, 0, false);
    UnixMs pause = g.paused_until() - now;
    CHECK(pause >= expected_max / 2);
    CHECK(pause <= expected_max);
    auto a = g.admit(now);
    CHECK_FALSE(a.ok);
    CHECK(a.why == "backoff");
    CHECK(a.retry_at == g.paused_until());
    now = g.paused_until();
    expected_max = std::min<UnixMs>(expected_max * 2, 8000);
  }
  CHECK(g.state() == BreakerState::closed);
  REQUIRE(g.admit(now).ok);
  g.started(now, false);
  g.finished(now, Health::ok, 0, false);
  CHECK(g.paused_until() == 0);
  CHECK(g.straight_failures() == 0);
}

TEST_CASE("guard: a Retry-After longer than the backoff is honoured") {
  Guard g(limits(), 1);
  g.started(0, false);
  g.finished(0, Health::failed, 20000, false);
  CHECK(g.paused_until() == 20000);
}

TEST_CASE("guard: 429s pause as asked but never open the breaker") {
  Guard g(limits(), 1);
  UnixMs now = 0;
  for (int i = 0; i < 10; ++i) {
    g.started(now, false);
    g.finished(now, Health::throttled, 5000, false);
    CHECK(g.paused_until() == now + 5000);
    CHECK_FALSE(g.admit(now + 4999).ok);
    now += 5000;
    CHECK(g.admit(now).ok);
  }
  CHECK(g.state() == BreakerState::closed);
}

TEST_CASE("guard: the breaker opens after N straight failures then probes once and closes on success") {
  Guard g(limits(), 3);
  std::vector<std::pair<BreakerState, BreakerState>> changes;
  g.on_change([&](BreakerState from, BreakerState to) { changes.push_back({from, to}); });
  // Two submissions out when the provider goes down; failures come back one by one.
  UnixMs now = 100;
  g.started(now, false);
  g.started(now, false);
  g.finished(now, Health::failed, 0, false);
  now = g.paused_until();
  g.started(now, false);
  g.finished(now, Health::failed, 0, false);
  CHECK(g.state() == BreakerState::closed);
  now = g.paused_until();
  g.finished(now, Health::failed, 0, false);  // the third in a row
  REQUIRE(g.state() == BreakerState::open);
  CHECK(g.open_until() == now + 30000);
  REQUIRE(changes.size() == 1);
  CHECK(changes[0] == std::make_pair(BreakerState::closed, BreakerState::open));

  auto a = g.admit(now + 29999);
  CHECK_FALSE(a.ok);
  CHECK(a.why == "breaker open");
  CHECK(a.retry_at == now + 30000);

  // Time is up: one probe, and nothing else while it is out.
  auto probe = g.admit(now + 30000);
  REQUIRE(probe.ok);
  CHECK(probe.probe);
  CHECK(g.state() == BreakerState::half_open);
  g.started(now + 30000, true);
  auto second = g.admit(now + 30001);
  CHECK_FALSE(second.ok);
  CHECK(second.why == "probe in flight");
  g.finished(now + 30100, Health::ok, 0, true);
  CHECK(g.state() == BreakerState::closed);
  CHECK(g.straight_failures() == 0);
  CHECK(g.admit(now + 30100).ok);
  REQUIRE(changes.size() == 3);
  CHECK(changes[1] == std::make_pair(BreakerState::open, BreakerState::half_open));
  CHECK(changes[2] == std::make_pair(BreakerState::half_open, BreakerState::closed));
}

TEST_CASE("guard: a failed probe reopens the breaker for twice as long up to the maximum") {
  Guard g(limits(), 5);
  UnixMs now = 0;
  for (int i = 0; i < 3; ++i) {
    g.started(now, false);
    g.finished(now, Health::failed, 0, false);
  }
  REQUIRE(g.state() == BreakerState::open);
  UnixMs expected = 30000;
  for (int round = 0; round < 4; ++round) {
    now = g.open_until();
    auto p = g.admit(now);
    REQUIRE(p.probe);
    g.started(now, true);
    g.finished(now, Health::failed, 0, true);
    expected = std::min<UnixMs>(expected * 2, 100000);
    CHECK(g.state() == BreakerState::open);
    CHECK(g.open_until() == now + expected);
  }
}

TEST_CASE("guard: answers to submissions sent before the breaker opened do not close it") {
  Guard g(limits(), 9);
  UnixMs now = 0;
  for (int i = 0; i < 4; ++i) g.started(now, false);  // one still out after three fail
  for (int i = 0; i < 3; ++i) g.finished(now, Health::failed, 0, false);
  REQUIRE(g.state() == BreakerState::open);
  g.finished(now + 10, Health::ok, 0, false);
  CHECK(g.state() == BreakerState::open);
  CHECK(g.in_flight() == 0);
  // Nor does a late non-probe answer while half-open.
  g.started(now + 10, false);
  auto p = g.admit(g.open_until());
  REQUIRE(p.probe);
  g.finished(g.open_until(), Health::ok, 0, false);
  CHECK(g.state() == BreakerState::half_open);
}

TEST_CASE("guard: a throttled probe closes the breaker and keeps the pause") {
  Guard g(limits(), 2);
  for (int i = 0; i < 3; ++i) {
    g.started(0, false);
    g.finished(0, Health::failed, 0, false);
  }
  UnixMs t = g.open_until();
  REQUIRE(g.admit(t).probe);
  g.started(t, true);
  g.finished(t, Health::throttled, 2000, true);
  CHECK(g.state() == BreakerState::closed);
  CHECK_FALSE(g.admit(t + 1999).ok);
  CHECK(g.admit(t + 2000).ok);
}

TEST_CASE("guard: breaker_failures 0 never opens") {
  Limits l = limits();
  l.breaker_failures = 0;
  Guard g(l, 4);
  for (int i = 0; i < 50; ++i) {
    g.started(i, false);
    g.finished(i, Health::failed, 0, false);
  }
  CHECK(g.state() == BreakerState::closed);
  CHECK(g.straight_failures() == 50);
}

TEST_CASE("guard: until the provider answers well one submission at a time is risked (issue 16.6)") {
  Guard g(limits(), 1);
  CHECK_FALSE(g.proven());
  REQUIRE(g.admit(0).ok);
  g.started(0, false);
  auto a = g.admit(0);
  CHECK_FALSE(a.ok);
  CHECK(a.why == "health unknown");
  CHECK(a.retry_at == 0);  // the answer decides, not a time
  g.finished(10, Health::ok, 0, false);
  CHECK(g.proven());
  g.started(10, false);
  CHECK(g.admit(10).ok);  // proven: up to max_in_flight (2)
  g.started(10, false);
  CHECK(g.admit(10).why == "in-flight limit");
  // A failure makes it unknown again: after the backoff, one at a time until an answer is good.
  g.finished(20, Health::failed, 0, false);
  CHECK_FALSE(g.proven());
  g.finished(20, Health::ok, 0, false);  // the other one was answered well after all
  CHECK(g.proven());
  g.started(30, false);
  g.finished(30, Health::failed, 0, false);
  const UnixMs later = g.paused_until();
  REQUIRE(g.admit(later).ok);
  g.started(later, false);
  CHECK(g.admit(later).why == "health unknown");
  // A 429 neither proves nor disproves it.
  g.finished(later, Health::throttled, 1000, false);
  CHECK_FALSE(g.proven());
}

TEST_CASE("guard: a run of whole-chunk refusals opens the breaker and their calls wait (issue 16.6)") {
  Limits l = limits();
  l.breaker_rejections = 3;
  Guard g = proven(l, 5);
  UnixMs now = 100;
  g.started(now, false);
  CHECK_FALSE(g.finished(now, Health::rejected, 0, false));  // one bad payload: its calls fail
  g.started(now, false);
  CHECK_FALSE(g.finished(now, Health::rejected, 0, false));
  CHECK(g.state() == BreakerState::closed);
  CHECK(g.straight_rejections() == 2);
  g.started(now, false);
  CHECK(g.finished(now, Health::rejected, 0, false));  // the third in a row: the provider is broken
  CHECK(g.state() == BreakerState::open);
  CHECK(g.open_until() == now + 30000);
  // Refusals still coming back from before the breaker opened wait too.
  CHECK(g.finished(now, Health::rejected, 0, false));
  // The probe: refused again, it waits and the breaker reopens for longer; accepted, all is forgotten.
  now = g.open_until();
  auto probe = g.admit(now);
  REQUIRE(probe.probe);
  g.started(now, true);
  CHECK(g.finished(now, Health::rejected, 0, true));
  CHECK(g.state() == BreakerState::open);
  CHECK(g.open_until() == now + 60000);
  now = g.open_until();
  REQUIRE(g.admit(now).probe);
  g.started(now, true);
  CHECK_FALSE(g.finished(now, Health::ok, 0, true));
  CHECK(g.state() == BreakerState::closed);
  CHECK(g.straight_rejections() == 0);
  // Refusals separated by a good answer never add up.
  for (int i = 0; i < 10; ++i) {
    g.started(now, false);
    CHECK_FALSE(g.finished(now, i % 2 ? Health::ok : Health::rejected, 0, false));
  }
  CHECK(g.state() == BreakerState::closed);

  SECTION("breaker_rejections 0: every refusal fails its calls, the breaker never opens for them") {
    Limits off = limits();
    off.breaker_rejections = 0;
    Guard h = proven(off, 5);
    for (int i = 0; i < 20; ++i) {
      h.started(0, false);
      CHECK_FALSE(h.finished(0, Health::rejected, 0, false));
    }
    CHECK(h.state() == BreakerState::closed);
  }
}

TEST_CASE("guard: 429s without Retry-After back off further each time in a row (issue 16.6)") {
  Guard g = proven(limits(), 9);
  UnixMs now = 0;
  UnixMs expected_max = 1000;
  for (int i = 1; i <= 5; ++i) {
    g.started(now, false);
    g.finished(now, Health::throttled, 0, false);
    CHECK(g.straight_throttles() == i);
    const UnixMs pause = g.paused_until() - now;
    CHECK(pause >= expected_max / 2);
    CHECK(pause <= expected_max);
    now = g.paused_until();
    expected_max = std::min<UnixMs>(expected_max * 2, 8000);
  }
  CHECK(g.state() == BreakerState::closed);
  g.started(now, false);
  g.finished(now, Health::ok, 0, false);
  CHECK(g.straight_throttles() == 0);
}

TEST_CASE("guard: a Retry-After longer than retry_after_max_ms is cut to it (issue 16.6)") {
  Limits l = limits();
  l.retry_after_max_ms = 60000;
  Guard g = proven(l, 1);
  g.started(0, false);
  g.finished(0, Health::throttled, 24LL * 3600 * 1000, false);  // "come back tomorrow"
  CHECK(g.paused_until() == 60000);
  g.started(60000, false);
  g.finished(60000, Health::failed, 24LL * 3600 * 1000, false);
  CHECK(g.paused_until() == 120000);
}
