#pragma once
// The one place Asio's coroutine headers are pulled in. Boost 1.74 with g++ 12 needs <utility>
// before boost/asio/awaitable.hpp (std::exchange is used without being included).
#include <utility>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/system_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace dialerd {
namespace asio = boost::asio;
template <class T = void>
using awaitable = asio::awaitable<T>;
using asio::use_awaitable;

// Lets every handler and timer that is ready run before the caller goes on: between the slices of work too
// big to do in one go on the event loop.
inline awaitable<void> yield_to_loop() {
  auto executor = co_await asio::this_coro::executor;
  co_await asio::post(executor, use_awaitable);
}
}  // namespace dialerd
