#pragma once
// dialerd's configuration as values: what the table of keys in src/app/config.cpp builds once and every
// module reads. No Asio, no I/O: the lowest layer above domain/, schedule/ and util/.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "dialerd/config/keys.hpp"
#include "dialerd/domain/campaign.hpp"
#include "dialerd/http/network.hpp"
#include "dialerd/schedule/compliance.hpp"
#include "dialerd/schedule/pacing.hpp"
#include "dialerd/schedule/retry.hpp"
#include "dialerd/schedule/rules.hpp"

namespace dialerd::config {

// providers.<name>.{max_in_flight, requests_per_second, backoff.*, breaker.*} (docs/PROVIDERS.md).
struct ProviderLimits {
  int max_in_flight = 8;                 // submissions at once; 0 = no limit
  double requests_per_second = 0;        // 0 = no limit; bursts up to max(1, rate) requests
  domain::UnixMs backoff_min_ms = 1000;  // pause after the first failure; doubles per straight failure
  domain::UnixMs backoff_max_ms = 60000;
  int breaker_failures = 5;                    // straight failures that open the breaker; 0 = it never opens
  int breaker_rejections = 3;                  // straight whole-chunk refusals (400, 422, ...) that open it; 0 = never
  domain::UnixMs retry_after_max_ms = 600000;  // the longest pause a Retry-After may impose
  domain::UnixMs breaker_open_ms = 30000;      // how long it stays open first; doubles after each failed probe
  domain::UnixMs breaker_open_max_ms = 600000;

  bool operator==(const ProviderLimits&) const = default;
};

// webhooks.* (docs/WEBHOOKS.md).
struct WebhookSettings {
  std::map<std::string, std::string> secrets;  // secret_id -> secret (config webhooks.secrets)
  std::string ca_file;                         // https receivers: trusted CAs; "" = the system store
  int timeout_ms = 10000;                      // one delivery try: connect, send, answer
  int max_age_s = 86400;                       // an event still undelivered this long after it happened is abandoned
  int retry_min_ms = 1000;                     // the first retry's delay; doubled each failed try ...
  int retry_max_s = 600;                       // ... up to this
  int max_in_flight = 8;                       // deliveries at once
  // Networks webhooks may reach although they are loopback, private, link-local or otherwise special
  // (config webhooks.allow_networks); every other such address is refused at creation and at each try.
  std::vector<http::Network> allow_networks;
  bool operator==(const WebhookSettings&) const = default;
};

// providers.<name>: the keys every kind shares; a kind's own keys are in `settings`.
struct ProviderConfig {
  std::string name;
  std::string kind;      // a registered kind (src/providers/kinds.cpp)
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
  ProviderLimits limits;  // max_in_flight, requests_per_second, backoff.*, breaker.*
  // The keys only its kind reads, as the kind's type (veritus::Settings, ...; src/providers/<kind>/).
  KindSettings settings;
  // Inbound outcome callbacks (POST /v1/providers/<name>/events): empty secret = unauthenticated.
  std::string events_secret;
  std::string events_auth = "hmac-sha256";  // hmac-sha256 | shared-secret
  std::string events_header = "X-Dialerd-Signature";
  bool operator==(const ProviderConfig&) const = default;
};

struct ApiKey {
  std::string name;  // a label for logs; the key itself is never logged
  std::string key;
  std::string workspace;  // what this key's campaigns belong to
  bool admin = false;     // role "admin": may change the global suppression list and any workspace's entries
  bool operator==(const ApiKey&) const = default;
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
  std::int64_t http_bulk_body_limit = 512 * 1024 * 1024;
  int http_idle_timeout_ms = 30000;
  int http_max_connections = 1024;
  int http_max_connections_per_peer = 256;
  std::string default_region = "US";
  int drain_timeout_ms = 10000;
  int forecast_call_duration_s = 180;
  std::vector<ApiKey> api_keys;            // empty: the API is open (keep it on loopback)
  std::string rules = "us";                // compliance.rules: the rule set's name or file
  schedule::RuleOverrides rule_overrides;  // compliance.respectful_hours, region_hours, holidays, rolling_cap
  schedule::LegalRules legal;              // the rules in force: both resolved (compliance.*)
  schedule::RetrySettings retry;           // retry.*
  int call_timeout_s = 3600;               // calls.timeout_seconds: in progress this long with no outcome -> timeout
  // workspaces.max_in_flight: a workspace's ceiling on calls in flight across all its campaigns; "*" is
  // every workspace not named. Empty: no ceiling.
  std::map<std::string, int> workspace_max_in_flight;
  WebhookSettings webhooks;  // webhooks.*
  std::map<std::string, ProviderConfig> providers;

  std::string database_path() const { return state_dir + "/dialerd.db"; }
  // The workspace's ceiling on calls in flight (workspaces.max_in_flight), none when it has none.
  std::optional<int> workspace_ceiling(const std::string& workspace) const {
    return schedule::workspace_ceiling(workspace_max_in_flight, workspace);
  }
  bool operator==(const Config&) const = default;
};

}  // namespace dialerd::config
