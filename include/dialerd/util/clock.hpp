#pragma once
// Time is read through a Clock so tests can drive it by hand.
#include <atomic>
#include <chrono>

#include "dialerd/domain/campaign.hpp"

namespace dialerd::util {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual domain::UnixMs now_ms() const = 0;
};

class SystemClock final : public Clock {
 public:
  domain::UnixMs now_ms() const override {
    using namespace std::chrono;
    return duration_cast<milliseconds>(system_clock::now().time_since_epoch()).count();
  }
};

class ManualClock final : public Clock {
 public:
  explicit ManualClock(domain::UnixMs start) : now_(start) {}
  domain::UnixMs now_ms() const override { return now_.load(); }
  void set(domain::UnixMs t) { now_.store(t); }
  void advance(domain::UnixMs ms) { now_.fetch_add(ms); }

 private:
  std::atomic<domain::UnixMs> now_;
};

}  // namespace dialerd::util
