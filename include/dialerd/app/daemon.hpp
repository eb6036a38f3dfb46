#pragma once
// Wires the components together and runs the event loop until SIGTERM/SIGINT.
#include <memory>
#include <optional>
#include <string>

#include "dialerd/app/config.hpp"
#include "dialerd/domain/campaign.hpp"

namespace dialerd::app {

// Installs the spdlog default logger on stderr in the configured level and format.
void configure_logging(const config::Config& config);

class Daemon {
 public:
  // `config_path` is re-read on SIGHUP; empty means the built-in default config. `test_clock`: the
  // daemon's clock starts at this instant (Unix ms) and runs at the wall clock's speed, for integration
  // tests that choose their instant; refused (at start and on reload) unless every HTTP provider's
  // base_url is on loopback, so that a moved clock never places a real call.
  Daemon(Loaded config, std::string config_path, std::optional<domain::UnixMs> test_clock = std::nullopt);
  ~Daemon();
  // Runs until stopped; returns the process exit code.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialerd::app
