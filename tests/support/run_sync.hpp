#pragma once
// Runs a coroutine to its end on an io_context of its own: for tests that call asynchronous code directly.
#include <utility>

#include <boost/asio/use_future.hpp>

#include "dialerd/asio.hpp"

namespace dialerd::testing {

template <class T>
T run_sync(awaitable<T> work) {
  asio::io_context here;
  auto done = asio::co_spawn(here, std::move(work), asio::use_future);
  here.run();
  return done.get();
}

}  // namespace dialerd::testing
