// util::SimulatedTimeSystem: its timers fire when the test moves the time, and only then.
#include <catch2/catch.hpp>

#include "dialerd/util/timer.hpp"

using namespace dialerd;

namespace {
void settle(asio::io_context& ioc) {
  ioc.restart();
  while (ioc.poll() > 0) {
  }
}
}  // namespace

TEST_CASE("timer: a simulated wait ends when the time reaches its deadline") {
  asio::io_context ioc;
  util::SimulatedTimeSystem time(1000);
  auto timer = time.make_timer(ioc);
  int woke = 0;
  timer->expires_at(1500);
  asio::co_spawn(
      ioc,
      [&]() -> awaitable<void> {
        co_await timer->wait();
        ++woke;
      },
      asio::detached);
  settle(ioc);
  CHECK(woke == 0);
  CHECK(time.next_deadline() == 1500);
  time.advance(499);
  settle(ioc);
  CHECK(woke == 0);
  time.advance(1);
  settle(ioc);
  CHECK(woke == 1);
  CHECK(time.next_deadline() == std::nullopt);
}

TEST_CASE("timer: cancel ends a wait at once - a wait with no deadline only so - and a past deadline does not wait") {
  asio::io_context ioc;
  util::SimulatedTimeSystem time(0);
  auto timer = time.make_timer(ioc);
  int woke = 0;
  auto waiter = [&]() -> awaitable<void> {
    co_await timer->wait();
    ++woke;
  };
  timer->expires_at(std::nullopt);
  asio::co_spawn(ioc, waiter(), asio::detached);
  settle(ioc);
  time.advance(1000000);
  settle(ioc);
  CHECK(woke == 0);
  CHECK(time.next_deadline() == std::nullopt);
  timer->cancel();
  settle(ioc);
  CHECK(woke == 1);

  timer->expires_at(5);  // already past
  asio::co_spawn(ioc, waiter(), asio::detached);
  settle(ioc);
  CHECK(woke == 2);
}

TEST_CASE("timer: a timer that is destroyed leaves the time system") {
  asio::io_context ioc;
  util::SimulatedTimeSystem time(0);
  {
    auto timer = time.make_timer(ioc);
    timer->expires_at(10);
  }
  time.advance(20);  // nothing left to fire
  settle(ioc);
  CHECK(time.next_deadline() == std::nullopt);
}
