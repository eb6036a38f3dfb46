#pragma once
// Reading dialerd's configuration: one table of keys (src/app/config.cpp) turns a JSON file into the const
// config::Config (dialerd/config/config.hpp) once.
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/config/config.hpp"

namespace dialerd::app {

// One problem with one key, e.g. {"providers.acme.chunk_size", "must be 1..1000, got 5000"}.
struct ConfigError {
  std::string key;
  std::string message;
  std::string to_string() const { return key.empty() ? message : key + ": " + message; }
};

class InvalidConfig : public std::runtime_error {
 public:
  explicit InvalidConfig(std::vector<ConfigError> errors);
  const std::vector<ConfigError>& errors() const { return errors_; }

 private:
  std::vector<ConfigError> errors_;
};

// Parses JSON (comments allowed) into a Config; throws InvalidConfig listing every bad key.
config::Config parse_config(std::string_view text);
// Reads and parses a file; a missing or unreadable file is an InvalidConfig too.
config::Config load_config_file(const std::string& path);
// The config dialerd runs on when no --config is given.
std::string_view default_config_text();

// The documented keys, for tests and `dialerd --help-config`. Provider keys are "providers.<name>.<key>".
struct KeyDoc {
  std::string path;
  std::string default_value;
  bool reloadable;
  std::string doc;
};
std::vector<KeyDoc> documented_keys();

}  // namespace dialerd::app
