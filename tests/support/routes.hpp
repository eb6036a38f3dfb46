#pragma once
// The daemon's real routes over a store in a temporary directory, as main() registers them, for tests that
// call handlers without a server.
#include <string>

#include "dialerd/api/v1.hpp"
#include "dialerd/app/config.hpp"
#include "dialerd/asio.hpp"
#include "dialerd/http/router.hpp"
#include "dialerd/scheduler/scheduler.hpp"
#include "dialerd/store/store.hpp"
#include "dialerd/util/timer.hpp"
#include "support/daemon_process.hpp"

namespace dialerd::testing {

struct Routes {
  explicit Routes(config::Config c = app::parse_config(app::default_config_text())) : config(std::move(c)) {
    api::register_routes(router, ctx);
  }
  TempDir dir;
  store::Store store{{dir.file("routes.db")}};
  asio::io_context ioc;
  util::RealTimeSystem clock;
  scheduler::Scheduler scheduler{ioc, store, clock};
  config::Config config;
  api::Context ctx{store,     store,           store,
                   store,     store.reports(), store,
                   scheduler, clock,           [this]() -> const config::Config& { return config; }};
  http::Router router;
};

}  // namespace dialerd::testing
