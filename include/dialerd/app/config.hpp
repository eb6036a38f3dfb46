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

#include <nlohmann/json.hpp>

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

// A parsed config and the value each key of the table has in it, as JSON: the one given, else the table's
// default. Key paths are the table's ("log.level", "providers.<name>.timeout_ms").
struct Loaded {
  config::Config config;
  std::map<std::string, nlohmann::json> values;
};
// Parses JSON (comments allowed): every key starts at the table's default, then takes the value given;
// throws InvalidConfig listing every bad key.
// `base_dir`: where a relative rule file (compliance.rules) is looked for; "" = the working directory.
Loaded load_config(std::string_view text, std::string_view base_dir = {});
// Reads and parses a file; a missing or unreadable file is an InvalidConfig too.
Loaded load_config_from_file(const std::string& path);
// The same, config only.
config::Config parse_config(std::string_view text);
config::Config load_config_file(const std::string& path);

// What a reload applies. Decided by the table's reloadable flags: a key that changed and is not reloadable
// keeps its running value (so `loaded` describes what runs) and is named in needs_restart; a provider
// that was removed or changed kind keeps running as before and is named as "providers.<name>".
struct ReloadPlan {
  Loaded loaded;
  std::vector<std::string> needs_restart;
};
ReloadPlan plan_reload(const Loaded& running, Loaded next);
// The config dialerd runs on when no --config is given.
std::string_view default_config_text();

// The documented keys, for tests and `dialerd --list-config-keys`. Provider keys are
// "providers.<name>.<key>"; a kind's own keys follow the shared ones and name their kind.
struct KeyDoc {
  std::string path;
  std::string default_value;
  bool reloadable;
  std::string doc;
  std::string kind;  // the kind whose own key it is; "" for the daemon's keys and those every provider shares
};
std::vector<KeyDoc> documented_keys();

}  // namespace dialerd::app
