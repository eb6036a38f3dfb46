#pragma once
// Time that owns its timers, after Envoy's TimeSystem: the loops that wait (the scheduler, the webhook
// sender) read the time from a TimeSystem and wait on timers it made, so a test that advances simulated
// time fires their timers, and no test of a loop sleeps.
#include <memory>
#include <optional>
#include <set>

#include "dialerd/asio.hpp"
#include "dialerd/util/clock.hpp"

namespace dialerd::util {

// One deadline at a time, in the clock's Unix milliseconds.
class Timer {
 public:
  virtual ~Timer() = default;
  // The deadline of the next wait(); nothing: no deadline (only cancel() ends the wait).
  virtual void expires_at(std::optional<domain::UnixMs> at) = 0;
  // Ends a wait under way at once. As with Asio's timers, it does nothing to a wait that starts later.
  virtual void cancel() = 0;
  // Returns at the deadline or on cancel(). Never throws.
  virtual awaitable<void> wait() = 0;
};

class TimeSystem : public Clock {
 public:
  // A timer whose waits complete on `ioc`.
  virtual std::unique_ptr<Timer> make_timer(asio::io_context& ioc) = 0;
};

// The wall clock, and Asio's system_timer. With an offset, the wall clock moved by it, running at its speed
// (dialerd --test-clock: integration tests choose the instant the real daemon lives in).
class RealTimeSystem final : public TimeSystem {
 public:
  explicit RealTimeSystem(domain::UnixMs offset_ms = 0) : offset_ms_(offset_ms) {}
  domain::UnixMs now_ms() const override { return SystemClock().now_ms() + offset_ms_; }
  std::unique_ptr<Timer> make_timer(asio::io_context& ioc) override;

 private:
  domain::UnixMs offset_ms_;
};

// Time that moves only when a test says: set() and advance() complete every wait whose deadline has come
// (its handler runs when the test next runs the io_context). Not thread-safe: use it from the thread that
// runs the timers' io_context. Its timers must not outlive it.
class SimulatedTimeSystem final : public TimeSystem {
 public:
  explicit SimulatedTimeSystem(domain::UnixMs start) : now_(start) {}
  domain::UnixMs now_ms() const override { return now_; }
  std::unique_ptr<Timer> make_timer(asio::io_context& ioc) override;
  void set(domain::UnixMs t);
  void advance(domain::UnixMs ms) { set(now_ + ms); }
  // The earliest deadline among the waits under way, if any has one.
  std::optional<domain::UnixMs> next_deadline() const;

 private:
  class SimulatedTimer;
  domain::UnixMs now_;
  std::set<SimulatedTimer*> timers_;
};

}  // namespace dialerd::util
