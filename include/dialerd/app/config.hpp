#pragma once
// dialerd's configuration: one table of keys (src/app/config.cpp), turned into a const Config once.
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "dialerd/providers/guard.hpp"
#include "dialerd/schedule/compliance.hpp"
#include "dialerd/schedule/retry.hpp"
#include "dialerd/webhooks/sender.hpp"

namespace dialerd::app {

struct SimulatorMix {
  double completed = 0.70, no_answer = 0.15, busy = 0.05, voicemail = 0.05, failed = 0.05;
};

struct ProviderConfig {
  std::string name;
  std::string kind;      // batchcall | veritus | truedy | addcalls | simulator
  std::string base_url;  // http://host:port/prefix (HTTP kinds)
  std::string api_key;
  std::string api_secret;
  std::string ca_file;             // PEM certificate authorities for https; "" = the system store
  int chunk_size = 0;              // calls per submission; 0 in the file means the kind's maximum
  int timeout_ms = 10000;          // connect + request + answer deadline for one submission
  int max_answer_bytes = 4 << 20;  // a longer answer is not read: the submission's outcome is uncertain
  // a 5xx answer means the provider took nothing (its calls wait and are resent instead of being held);
  // unset = the kind's documented contract (providers::KindInfo::server_errors_place_nothing)
  std::optional<bool> server_errors_place_nothing;
  providers::Limits limits;  // max_in_flight, requests_per_second, backoff.*, breaker.*
  int sim_delay_ms = 2000;   // simulator: time from submission to outcome
  SimulatorMix sim_mix;
  std::uint64_t sim_seed = 0;  // simulator: 0 = random seed at start
  // veritus: where Veritus posts call updates (its request's webhook.url, webhook.secretId); "" = none sent
  std::string callback_url;
  std::string callback_secret_id;
  // veritus: how long a customer Veritus refused for time reasons waits before it is sent again
  int veritus_respectful_hours_wait_s = 3600;
  int veritus_daily_limit_wait_s = 6 * 3600;
  std::vector<std::string> phone_number_ids;  // truedy: the numbers to call from; empty = Truedy picks
  std::string batch_id;                   // addcalls: the batch calls are added to, unless the campaign names its own
  int addcalls_failed_chunk_wait_s = 30;  // addcalls: records of a chunk the provider failed are resent after this
  // Inbound outcome callbacks (POST /v1/providers/<name>/events): empty secret = unauthenticated.
  std::string events_secret;
  std::string events_auth = "hmac-sha256";  // hmac-sha256 | shared-secret
  std::string events_header = "X-Dialerd-Signature";
};

struct ApiKey {
  std::string name;  // a label for logs; the key itself is never logged
  std::string key;
  std::string workspace;  // what this key's campaigns belong to
  bool admin = false;     // role "admin": may change the global suppression list and any workspace's entries
};

struct Config {
  std::string listen_address = "127.0.0.1";
  int listen_port = 8780;
  std::string state_dir = "./var";
  std::string log_level = "info";
  std::string log_format = "text";
  std::string db_synchronous = "full";
  int db_busy_timeout_ms = 5000;
  int db_wal_autocheckpoint = 1000;  // pages
  std::int64_t http_body_limit = 16 * 1024 * 1024;
  int http_idle_timeout_ms = 30000;
  int http_max_connections = 1024;
  int http_max_connections_per_peer = 256;
  std::string default_region = "US";
  int drain_timeout_ms = 10000;
  int forecast_call_duration_s = 180;
  std::vector<ApiKey> api_keys;   // empty: the API is open (keep it on loopback)
  schedule::LegalRules legal;     // compliance.*
  schedule::RetrySettings retry;  // retry.*
  int call_timeout_s = 3600;      // calls.timeout_seconds: in progress this long with no outcome -> timeout
  webhooks::Settings webhooks;    // webhooks.*
  std::map<std::string, ProviderConfig> providers;

  std::string database_path() const { return state_dir + "/dialerd.db"; }
};

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
Config parse_config(std::string_view text);
// Reads and parses a file; a missing or unreadable file is an InvalidConfig too.
Config load_config_file(const std::string& path);
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
