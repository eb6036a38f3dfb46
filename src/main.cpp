// dialerd: the daemon's entry point. It only parses the command line and wires the Daemon.
#include <iostream>

#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include "dialerd/app/daemon.hpp"
#include "dialerd/config/config.hpp"
#include "dialerd/util/time.hpp"

int main(int argc, char** argv) {
  using namespace dialerd::app;
  CLI::App cli{"dialerd: a dialer scheduler daemon for voice-AI call campaigns"};
  std::string config_path, check_path;
  bool print_default = false, list_keys = false;
  cli.add_option("-c,--config", config_path, "Config file (JSON, comments allowed); built-in default if absent");
  cli.add_option("--check-config", check_path, "Validate a config file and exit (0 valid, 2 invalid)");
  cli.add_flag("--print-default-config", print_default, "Print the built-in default config and exit");
  cli.add_flag("--list-config-keys", list_keys, "List every config key with its default and exit");
  std::string test_clock;
  cli.add_option("--test-clock", test_clock,
                 "For integration tests: the daemon's clock starts at this RFC 3339 instant and runs at the wall "
                 "clock's speed. Refused unless every HTTP provider's base_url is on loopback");
  cli.set_version_flag("--version", "dialerd 0.1.0");
  CLI11_PARSE(cli, argc, argv);

  if (print_default) {
    std::cout << default_config_text() << "\n";
    return 0;
  }
  if (list_keys) {
    for (const auto& k : documented_keys())
      std::cout << k.path << " = " << k.default_value << (k.reloadable ? "  [reloadable]" : "") << "\n    " << k.doc
                << "\n";
    return 0;
  }
  if (!check_path.empty()) {
    try {
      load_config_file(check_path);
      std::cout << check_path << ": config is valid\n";
      return 0;
    } catch (const InvalidConfig& e) {
      std::cerr << e.what() << "\n";
      return 2;
    }
  }

  std::optional<dialerd::domain::UnixMs> test_clock_start;
  if (!test_clock.empty()) {
    test_clock_start = dialerd::util::parse_rfc3339(test_clock);
    if (!test_clock_start) {
      std::cerr << "dialerd: --test-clock: '" << test_clock << "' is not an RFC 3339 instant\n";
      return 2;
    }
  }

  Loaded config;
  try {
    config = config_path.empty() ? load_config(default_config_text()) : load_config_from_file(config_path);
  } catch (const InvalidConfig& e) {
    std::cerr << "dialerd: " << e.what() << "\n";
    return 2;
  }
  configure_logging(config.config);
  spdlog::info("dialerd 0.1.0 starting with {}", config_path.empty() ? "the built-in default config" : config_path);
  try {
    Daemon daemon(std::move(config), config_path, test_clock_start);
    return daemon.run();
  } catch (const std::exception& e) {
    spdlog::critical("dialerd: cannot run: {}", e.what());
    return 1;
  }
}
