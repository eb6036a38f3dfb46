#include "dialerd/util/timer.hpp"

#include <chrono>

namespace dialerd::util {

namespace {

class RealTimer final : public Timer {
 public:
  RealTimer(asio::io_context& ioc, domain::UnixMs offset_ms) : timer_(ioc), offset_ms_(offset_ms) {}
  void expires_at(std::optional<domain::UnixMs> at) override {
    timer_.expires_at(at ? asio::system_timer::time_point(std::chrono::milliseconds(*at - offset_ms_))
                         : asio::system_timer::time_point::max());
  }
  void cancel() override { timer_.cancel(); }
  awaitable<void> wait() override {
    boost::system::error_code ec;  // operation_aborted on cancel(): not an error here
    co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
  }

 private:
  asio::system_timer timer_;
  domain::UnixMs offset_ms_;
};

}  // namespace

std::unique_ptr<Timer> RealTimeSystem::make_timer(asio::io_context& ioc) {
  return std::make_unique<RealTimer>(ioc, offset_ms_);
}

// A wait is an Asio timer that never expires by itself: the time system cancels it when simulated time
// reaches the deadline, and cancel() does the same at once.
class SimulatedTimeSystem::SimulatedTimer final : public Timer {
 public:
  SimulatedTimer(SimulatedTimeSystem& time, asio::io_context& ioc) : time_(time), timer_(ioc) {
    time_.timers_.insert(this);
  }
  ~SimulatedTimer() override { time_.timers_.erase(this); }
  void expires_at(std::optional<domain::UnixMs> at) override {
    // Like Asio's expires_at: a wait under way ends (cancelled), and the next one uses the new deadline.
    cancel();
    deadline_ = at;
  }
  void cancel() override { timer_.cancel(); }
  awaitable<void> wait() override {
    if (deadline_ && *deadline_ <= time_.now_ms()) co_return;
    waiting_ = true;
    timer_.expires_at(asio::steady_timer::time_point::max());
    boost::system::error_code ec;
    co_await timer_.async_wait(asio::redirect_error(use_awaitable, ec));
    waiting_ = false;
  }
  // Simulated time moved to `now`.
  void reached(domain::UnixMs now) {
    if (waiting_ && deadline_ && *deadline_ <= now) timer_.cancel();
  }
  std::optional<domain::UnixMs> pending_deadline() const { return waiting_ ? deadline_ : std::nullopt; }

 private:
  SimulatedTimeSystem& time_;
  asio::steady_timer timer_;
  std::optional<domain::UnixMs> deadline_;
  bool waiting_ = false;
};

std::unique_ptr<Timer> SimulatedTimeSystem::make_timer(asio::io_context& ioc) {
  return std::make_unique<SimulatedTimer>(*this, ioc);
}

void SimulatedTimeSystem::set(domain::UnixMs t) {
  now_ = t;
  for (auto* timer : timers_) timer->reached(now_);
}

std::optional<domain::UnixMs> SimulatedTimeSystem::next_deadline() const {
  std::optional<domain::UnixMs> out;
  for (const auto* timer : timers_)
    if (auto d = timer->pending_deadline(); d && (!out || *d < *out)) out = d;
  return out;
}

}  // namespace dialerd::util
