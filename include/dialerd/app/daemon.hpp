#pragma once
// Wires the components together and runs the event loop until SIGTERM/SIGINT.
#include <memory>
#include <string>

#include "dialerd/app/config.hpp"

namespace dialerd::app {

// Installs the spdlog default logger on stderr in the configured level and format.
void configure_logging(const config::Config& config);

class Daemon {
 public:
  // `config_path` is re-read on SIGHUP; empty means the built-in default config.
  Daemon(Loaded config, std::string config_path);
  ~Daemon();
  // Runs until stopped; returns the process exit code.
  int run();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace dialerd::app
