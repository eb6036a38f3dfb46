#pragma once
// Waiting for another process's database lock without stopping the event loop. The store's connection
// waits at most kLoopLockWaitMs inside SQLite (blocking the loop that long); past that a store call fails
// with a StorageError whose locked() is true, having changed nothing, and the caller tries it again after a
// timer, the loop serving everything else meanwhile (docs/ARCHITECTURE.md, "The event loop never waits").
#include <algorithm>
#include <chrono>
#include <optional>
#include <type_traits>

#include "dialerd/asio.hpp"
#include "dialerd/store/errors.hpp"

namespace dialerd::store {

// How long one store call may block the loop waiting for a lock (SQLite's busy timeout once serving).
inline constexpr int kLoopLockWaitMs = 20;

// Counts one wait in dialerd_storage_lock_waits_total (call it once at start to list the series at zero).
void count_lock_wait(int waits = 1);

// The pause before the next try: 5 ms doubling to 200 ms.
inline std::chrono::milliseconds next_lock_pause(std::chrono::milliseconds last) {
  return last.count() == 0 ? std::chrono::milliseconds(5) : std::min(last * 2, std::chrono::milliseconds(200));
}

// Runs fn() (one store operation, its own transaction) until it does not fail for a lock, pausing on a
// timer between tries. After `budget` (none: no limit) the last error is rethrown.
template <class Fn>
awaitable<std::invoke_result_t<Fn&>> when_unlocked(Fn fn, std::optional<std::chrono::milliseconds> budget) {
  using Result = std::invoke_result_t<Fn&>;
  const auto give_up_at =
      budget ? std::chrono::steady_clock::now() + *budget : std::chrono::steady_clock::time_point::max();
  std::chrono::milliseconds pause{0};
  for (;;) {
    bool locked = false;
    try {
      if constexpr (std::is_void_v<Result>) {
        fn();
        co_return;
      } else {
        co_return fn();
      }
    } catch (const StorageError& e) {
      if (!e.locked() || std::chrono::steady_clock::now() >= give_up_at) throw;
      locked = true;
    }
    if (locked) {
      count_lock_wait();
      pause = next_lock_pause(pause);
      auto executor = co_await asio::this_coro::executor;  // not inside the constructor's arguments: g++ 12
      asio::steady_timer timer(executor);
      timer.expires_after(pause);
      boost::system::error_code ec;
      co_await timer.async_wait(asio::redirect_error(use_awaitable, ec));
    }
  }
}

}  // namespace dialerd::store
