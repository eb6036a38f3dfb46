#pragma once
// The HTTP API, version 1 (docs/API.md): request parsing and validation -> store/scheduler -> JSON.
#include <functional>

#include "dialerd/app/config.hpp"
#include "dialerd/http/router.hpp"
#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/store/store.hpp"
#include "dialerd/util/clock.hpp"

namespace dialerd::api {

struct Context {
  store::Store& store;
  scheduler::Scheduler& scheduler;
  const util::Clock& clock;
  std::function<const app::Config&()> config;  // the config in force (it may change on reload)
};

void register_routes(http::Router& router, Context& ctx);

}  // namespace dialerd::api
