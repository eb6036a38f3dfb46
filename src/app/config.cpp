#include "dialerd/app/config.hpp"

#include <cstdlib>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <stdexcept>

#include <nlohmann/json.hpp>

#include "dialerd/domain/phone.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/http/url_policy.hpp"
#include "dialerd/providers/kind.hpp"
#include "dialerd/schedule/window.hpp"
#include "dialerd/util/json_depth.hpp"

namespace dialerd::app {

using config::ApiKey;
using config::Config;
using config::ProviderConfig;
namespace {

using json = nlohmann::json;
using config::Apply;
using config::int_key;
using config::Key;
using config::KindSettings;
using config::number_into;
using config::string_key;
using config::type_name;

// An integer inside providers.<name>'s Limits.
template <class Int>
Apply<ProviderConfig> limit_key(Int config::ProviderLimits::*field, std::int64_t min, std::int64_t max) {
  auto inner = int_key(field, min, max);
  return [inner](const json& v, ProviderConfig& p) { return inner(v, p.limits); };
}

// A name in config (provider, workspace): 1..64 letters, digits, _ and -.
bool valid_name(const std::string& n);

// Accessor-based integer key, for fields nested inside Config.
Apply<Config> int_key_to(int& (*field)(Config&), std::int64_t min, std::int64_t max) {
  return [field, min, max](const json& v, Config& c) -> util::Check {
    if (!v.is_number_integer()) return util::fail("must be an integer, got " + type_name(v));
    auto n = v.get<std::int64_t>();
    if (n < min || n > max)
      return util::fail("must be between " + std::to_string(min) + " and " + std::to_string(max) + ", got " +
                        std::to_string(n));
    field(c) = static_cast<int>(n);
    return util::ok();
  };
}

util::Check hhmm_into(const json& v, int& out, bool allow_24) {
  if (!v.is_string()) return util::fail("must be a string \"HH:MM\", got " + type_name(v));
  auto m = schedule::parse_hhmm(v.get<std::string>());
  if (!m || (!allow_24 && *m == 24 * 60)) return util::fail("\"" + v.get<std::string>() + "\" is not a time HH:MM");
  out = *m;
  return util::ok();
}

// A readable file, or "" for the system store.
util::Check ca_file_into(const json& v, std::string& out) {
  if (!v.is_string()) return util::fail("must be a string (a file path), got " + type_name(v));
  auto path = v.get<std::string>();
  if (!path.empty() && !std::ifstream(path)) return util::fail("cannot read \"" + path + "\"");
  out = path;
  return util::ok();
}

const std::vector<Key<Config>>& daemon_keys() {
  static const std::vector<Key<Config>> keys = {
      {"listen.address", "127.0.0.1", false, "IP address the HTTP API listens on.",
       string_key(&Config::listen_address)},
      {"listen.port", 8780, false,
       "TCP port of the HTTP API; 0 picks a free port (written to <state_dir>/dialerd.port).",
       int_key(&Config::listen_port, 0, 65535)},
      {"state_dir", "./var", false, "Directory holding the SQLite database (dialerd.db) and the port file.",
       [](const json& v, Config& c) -> util::Check {
         if (!v.is_string()) return util::fail("must be a string, got " + type_name(v));
         if (v.get<std::string>().empty()) return util::fail("must not be empty");
         c.state_dir = v.get<std::string>();
         return util::ok();
       }},
      {"api.keys", json::array(), true,
       "API keys: [{\"name\": \"crm\", \"key\": \"at least 16 characters\", \"workspace\": \"acme\", \"role\": "
       "\"user\"}]. Each request to a /v1 route (all but provider callbacks) must then carry one (Authorization: "
       "Bearer KEY or X-API-Key: KEY); its campaigns belong to the key's workspace. role \"admin\" may also change "
       "the global suppression list and remove any workspace's suppressions. Empty: no authentication, every "
       "caller is an admin of workspace default (keep the API on loopback).",
       [](const json& v, Config& c) -> util::Check {
         if (!v.is_array()) return util::fail("must be an array of {name, key, workspace}, got " + type_name(v));
         for (std::size_t i = 0; i < v.size(); ++i) {
           const auto& k = v[i];
           std::string at = "[" + std::to_string(i) + "]";
           if (!k.is_object()) return util::fail(at + ": must be an object {name, key, workspace}");
           for (const auto& [f, x] : k.items())
             if (f != "name" && f != "key" && f != "workspace" && f != "role")
               return util::fail(at + "." + f + ": unknown key");
           if (k.contains("role") && k["role"] != "user" && k["role"] != "admin")
             return util::fail(at + ".role: must be \"user\" or \"admin\"");
           if (!k.contains("key") || !k["key"].is_string() || k["key"].get<std::string>().size() < 16)
             return util::fail(at + ".key: must be a string of at least 16 characters");
           if (!k.contains("workspace") || !k["workspace"].is_string() ||
               !valid_name(k["workspace"].get<std::string>()))
             return util::fail(at + ".workspace: must be 1..64 letters, digits, _ or -");
           if (k.contains("name") && !k["name"].is_string()) return util::fail(at + ".name: must be a string");
           for (const auto& existing : c.api_keys)
             if (existing.key == k["key"].get<std::string>())
               return util::fail(at + ".key: the same key is listed twice");
           c.api_keys.push_back({k.value("name", "key" + std::to_string(i)), k["key"].get<std::string>(),
                                 k["workspace"].get<std::string>(), k.value("role", "user") == "admin"});
         }
         return util::ok();
       }},
      {"log.level", "info", true, "trace, debug, info, warn, error or critical.",
       string_key(&Config::log_level, {"trace", "debug", "info", "warn", "error", "critical"})},
      {"log.format", "text", true, "text (human) or json (one object per line).",
       string_key(&Config::log_format, {"text", "json"})},
      {"database.synchronous", "full", false,
       "SQLite synchronous mode: full (every commit survives power loss) or normal (WAL; the last commits may be lost "
       "on power loss, never corrupted).",
       string_key(&Config::db_synchronous, {"full", "normal"})},
      {"database.busy_timeout_ms", 5000, false,
       "How long a write waits for a lock held by another process (sqlite3, a backup): at start-up in SQLite; "
       "once serving in steps of 20 ms off the event loop, then an API write answers 503 storage_unavailable.",
       int_key(&Config::db_busy_timeout_ms, 0, 600000)},
      {"database.wal_autocheckpoint_pages", 1000, false,
       "Checkpoint the WAL into the database when it reaches this many pages (0 = only at shutdown).",
       int_key(&Config::db_wal_autocheckpoint, 0, 1000000)},
      {"http.body_limit_bytes", 16 * 1024 * 1024, true, "Largest request body accepted; larger ones get 413.",
       int_key(&Config::http_body_limit, 1024, std::int64_t{1} << 30)},
      {"http.bulk_body_limit_bytes", 512 * 1024 * 1024, true,
       "Largest body of a bulk upload (a DNC list import, POST /v1/dnc-lists/{name}/numbers); larger ones get 413.",
       int_key(&Config::http_bulk_body_limit, 1024, std::int64_t{4} << 30)},
      {"http.idle_timeout_ms", 30000, true, "A client that sends nothing for this long is disconnected.",
       int_key(&Config::http_idle_timeout_ms, 100, 3600000)},
      {"http.max_connections", 1024, true,
       "Most client connections open at once; one more is answered 503 and closed. Lowered at start to the "
       "open-files limit less 256 kept for the database and provider connections.",
       int_key(&Config::http_max_connections, 1, 1000000)},
      {"http.max_connections_per_peer", 256, true,
       "Most client connections open at once from one IP address; one more is answered 503 and closed.",
       int_key(&Config::http_max_connections_per_peer, 1, 1000000)},
      {"phone.default_region", "US", true, "Region used to read phone numbers given without a +country code.",
       [](const json& v, Config& c) -> util::Check {
         if (!v.is_string()) return util::fail("must be a string, got " + type_name(v));
         auto r = v.get<std::string>();
         if (!domain::is_known_region(r)) return util::fail("\"" + r + "\" is not a known two-letter region");
         c.default_region = r;
         return util::ok();
       }},
      {"compliance.respectful_hours.start", "08:00", true,
       "Earliest local time (HH:MM, the contact's time zone) a call may start.",
       [](const json& v, Config& c) { return hhmm_into(v, c.rule_overrides.window.start_min, false); }},
      {"compliance.respectful_hours.end", "21:00", true,
       "Local time (HH:MM) from which no call may start; 24:00 = midnight.",
       [](const json& v, Config& c) { return hhmm_into(v, c.rule_overrides.window.end_min, true); }},
      {"compliance.rules", "us", true,
       "The compliance rule set (docs/COMPLIANCE.md): \"us\" (built in, etc/dialerd/rules/us.json), \"none\", or "
       "the path of a rule file (relative to the config file's directory). Re-read on reload; a bad file keeps "
       "the rules in force.",
       [](const json& v, Config& c) -> util::Check {
         if (!v.is_string() || v.get<std::string>().empty())
           return util::fail("must be \"us\", \"none\" or a rule file's path, got " + v.dump());
         c.rules = v.get<std::string>();
         return util::ok();
       }},
      {"compliance.region_hours", json::object(), true,
       "Per-region respectful hours, every day, replacing the rule set's hours of that region: "
       "{\"US-FL\": {\"start\": \"08:00\", \"end\": \"20:00\"}, \"GB\": {...}}. "
       "A region is an ISO 3166-2 subdivision (US-FL) or a country (GB); the most specific entry wins.",
       [](const json& v, Config& c) -> util::Check {
         if (!v.is_object()) return util::fail("must be an object of region -> {start, end}, got " + type_name(v));
         for (const auto& [region, w] : v.items()) {
           if (!schedule::placeable_region(region))
             return util::fail("\"" + region +
                               "\" is not a region dialerd places numbers in (a country like GB, or a US or Canadian "
                               "subdivision like US-FL)");
           if (!w.is_object() || !w.contains("start") || !w.contains("end") || w.size() != 2)
             return util::fail(region + ": must be {\"start\": \"HH:MM\", \"end\": \"HH:MM\"}");
           schedule::DailyWindow window;
           if (auto e = hhmm_into(w["start"], window.start_min, false); !e)
             return util::fail(region + ".start: " + e.error());
           if (auto e = hhmm_into(w["end"], window.end_min, true); !e) return util::fail(region + ".end: " + e.error());
           c.rule_overrides.region_windows[region] = window;
         }
         return util::ok();
       }},
      {"compliance.holidays", json::array(), true,
       "Dates with no calls, in the contact's local date: \"YYYY-MM-DD\" for everyone, or "
       "{\"date\": \"YYYY-MM-DD\", \"regions\": [\"US\", \"CA-QC\"]} for some regions only.",
       [](const json& v, Config& c) -> util::Check {
         if (!v.is_array()) return util::fail("must be an array, got " + type_name(v));
         auto& by_region = c.rule_overrides.region_holidays;
         for (std::size_t i = 0; i < v.size(); ++i) {
           const auto& h = v[i];
           std::string at = "[" + std::to_string(i) + "]";
           std::string text;
           std::vector<std::string> regions;
           if (h.is_string()) {
             text = h.get<std::string>();
           } else if (h.is_object() && h.contains("date") && h["date"].is_string() && h.contains("regions") &&
                      h["regions"].is_array()) {
             text = h["date"].get<std::string>();
             for (const auto& r : h["regions"]) {
               if (!r.is_string() || !schedule::placeable_region(r.get<std::string>()))
                 return util::fail(at + ".regions: not a region: " + r.dump());
               regions.push_back(r.get<std::string>());
             }
           } else {
             return util::fail(at + ": must be \"YYYY-MM-DD\" or {\"date\": \"YYYY-MM-DD\", \"regions\": [...]}");
           }
           auto day = schedule::parse_date(text);
           if (!day) return util::fail(at + ": \"" + text + "\" is not a date YYYY-MM-DD");
           if (regions.empty())
             c.rule_overrides.holidays.push_back(*day);
           else
             for (const auto& r : regions) by_region[r].push_back(*day);
         }
         return util::ok();
       }},
      {"compliance.contact_daily_cap", 4, true,
       "Most calls one contact may get per contact-local day, across every campaign.",
       int_key_to([](Config& c) -> int& { return c.legal.contact_daily_cap; }, 1, 1000)},
      {"compliance.rolling_cap.calls", 0, true,
       "Most calls one contact may get in any rolling_cap.days days, across campaigns; 0 = no rolling limit.",
       int_key_to([](Config& c) -> int& { return c.rule_overrides.rolling_calls; }, 0, 10000)},
      {"compliance.rolling_cap.days", 7, true, "The rolling limit's window in days.",
       int_key_to([](Config& c) -> int& { return c.rule_overrides.rolling_days; }, 1, 366)},
      {"compliance.unknown_zone", "restrictive", true,
       "A number whose time zones cannot be inferred from it (an unmapped area code, toll-free, non-geographic) "
       "and whose contact declares none: \"restrictive\" checks the call in every zone of the number's country "
       "(skipped when there is none), \"refuse\" skips it with the reason, \"campaign\" uses the campaign's zone.",
       [](const json& v, Config& c) -> util::Check {
         if (!v.is_string())
           return util::fail("must be \"restrictive\", \"refuse\" or \"campaign\", got " + type_name(v));
         const auto s = v.get<std::string>();
         if (s == "restrictive")
           c.legal.unknown_zone = schedule::UnknownZone::restrictive;
         else if (s == "refuse")
           c.legal.unknown_zone = schedule::UnknownZone::refuse;
         else if (s == "campaign")
           c.legal.unknown_zone = schedule::UnknownZone::campaign;
         else
           return util::fail("must be \"restrictive\", \"refuse\" or \"campaign\", got \"" + s + "\"");
         return util::ok();
       }},
      {"retry.backoff_factor", 2.0, true,
       "The n-th retry of a call waits the campaign's retry_delay_seconds * factor^(n-1).",
       [](const json& v, Config& c) { return number_into(v, c.retry.backoff_factor, 1.0, 10.0); }},
      {"retry.jitter", 0.2, true, "Retry delays vary by +/- this share, so retries do not arrive in lockstep.",
       [](const json& v, Config& c) { return number_into(v, c.retry.jitter, 0.0, 1.0); }},
      {"retry.max_delay_seconds", 86400, true, "The longest a retry waits, whatever the backoff says.",
       int_key_to([](Config& c) -> int& { return c.retry.max_delay_s; }, 0, 30 * 86400)},
      {"retry.retryable_outcomes", json::array({"no_answer", "busy", "failed", "provider_error"}), true,
       "Outcomes after which a call is tried again while its retry budget lasts.",
       [](const json& v, Config& c) -> util::Check {
         if (!v.is_array()) return util::fail("must be an array of outcomes, got " + type_name(v));
         c.retry.retryable.clear();
         for (const auto& o : v) {
           auto outcome = o.is_string() ? domain::outcome_from(o.get<std::string>()) : std::nullopt;
           if (!outcome || *outcome == domain::Outcome::completed || *outcome == domain::Outcome::voicemail ||
               *outcome == domain::Outcome::opted_out)
             return util::fail(o.dump() +
                               " is not a retryable outcome (no_answer, busy, failed, cancelled, provider_error, "
                               "timeout; completed, voicemail and opted_out complete a call; a campaign's "
                               "retry_policy may retry voicemail)");
           c.retry.retryable.insert(*outcome);
         }
         return util::ok();
       }},
      {"calls.timeout_seconds", 3600, true,
       "A call in progress this long with no outcome from the provider gets the outcome timeout: failed, or "
       "retried if retry.retryable_outcomes names timeout (or the campaign's retry_policy retries it). 0 = wait "
       "for ever.",
       int_key(&Config::call_timeout_s, 0, 7 * 86400)},
      {"workspaces.max_in_flight", json::object(), true,
       "A ceiling on the calls in flight across all of a workspace's campaigns, shared fairly by its running "
       "campaigns (next to each campaign's concurrency): {\"<workspace>\": 50, \"*\": 200}; \"*\" is every "
       "workspace not named. Empty: no ceiling.",
       [](const json& v, Config& c) -> util::Check {
         if (!v.is_object())
           return util::fail("must be an object of workspace -> calls in flight, got " + type_name(v));
         c.workspace_max_in_flight.clear();
         for (const auto& [workspace, n] : v.items()) {
           if (workspace != "*" && !valid_name(workspace))
             return util::fail("\"" + workspace + "\": a workspace is 1..64 letters, digits, _ and -, or *");
           if (!n.is_number_integer() || n.get<std::int64_t>() < 1 || n.get<std::int64_t>() > 1000000)
             return util::fail("\"" + workspace + "\": must be an integer 1..1000000, got " + n.dump());
           c.workspace_max_in_flight[workspace] = n.get<int>();
         }
         return util::ok();
       }},
      {"webhooks.secrets", json::object(), true,
       "Secrets that sign outbound webhooks: {\"<secret_id>\": \"at least 16 characters\"}. A campaign's "
       "webhook.secret_id names one (docs/WEBHOOKS.md).",
       [](const json& v, Config& c) -> util::Check {
         if (!v.is_object()) return util::fail("must be an object of secret_id -> secret, got " + type_name(v));
         c.webhooks.secrets.clear();
         for (const auto& [id, secret] : v.items()) {
           if (!valid_name(id)) return util::fail("\"" + id + "\": a secret_id is 1..64 letters, digits, _ and -");
           if (!secret.is_string() || secret.get<std::string>().size() < 16)
             return util::fail("\"" + id + "\": the secret must be a string of at least 16 characters");
           c.webhooks.secrets[id] = secret.get<std::string>();
         }
         return util::ok();
       }},
      {"webhooks.ca_file", "", true,
       "PEM file of the certificate authorities to trust for https:// webhook URLs instead of the system store.",
       [](const json& v, Config& c) { return ca_file_into(v, c.webhooks.ca_file); }},
      {"webhooks.timeout_ms", 10000, true, "Deadline for one webhook delivery try: connect, send, answer.",
       int_key_to([](Config& c) -> int& { return c.webhooks.timeout_ms; }, 100, 120000)},
      {"webhooks.max_age_seconds", 86400, true,
       "An event not delivered this long after it happened is abandoned (logged, kept in the outbox).",
       int_key_to([](Config& c) -> int& { return c.webhooks.max_age_s; }, 1, 30 * 86400)},
      {"webhooks.retry_min_ms", 1000, true, "Delay before the first retry of a failed delivery; doubled each try.",
       int_key_to([](Config& c) -> int& { return c.webhooks.retry_min_ms; }, 10, 3600000)},
      {"webhooks.retry_max_seconds", 600, true, "The longest wait between two delivery tries.",
       int_key_to([](Config& c) -> int& { return c.webhooks.retry_max_s; }, 1, 86400)},
      {"webhooks.max_in_flight", 8, true, "Webhook deliveries under way at once.",
       int_key_to([](Config& c) -> int& { return c.webhooks.max_in_flight; }, 1, 256)},
      {"webhooks.allow_networks", json::array(), true,
       "Networks webhook URLs may reach although they are loopback, private, link-local (cloud metadata) or "
       "otherwise special, e.g. [\"10.20.0.0/16\", \"127.0.0.1\"]. Every other such address is refused when a "
       "campaign is created and at each delivery try, after each DNS resolution.",
       [](const json& v, Config& c) -> util::Check {
         if (!v.is_array()) return util::fail("must be an array of networks like \"10.0.0.0/8\", got " + type_name(v));
         c.webhooks.allow_networks.clear();
         for (std::size_t i = 0; i < v.size(); ++i) {
           auto n = v[i].is_string() ? http::parse_network(v[i].get<std::string>()) : std::nullopt;
           if (!n)
             return util::fail("[" + std::to_string(i) + "]: must be an address or a network like \"10.0.0.0/8\"");
           c.webhooks.allow_networks.push_back(*n);
         }
         return util::ok();
       }},
      {"forecast.call_duration_seconds", 180, true,
       "The call length GET /v1/campaigns/{id}/forecast assumes: each line places one call per this many seconds.",
       int_key(&Config::forecast_call_duration_s, 1, 86400)},
      {"shutdown.drain_timeout_ms", 10000, true,
       "On SIGTERM, how long in-flight submissions may take to finish before dialerd exits.",
       int_key(&Config::drain_timeout_ms, 0, 600000)},
  };
  return keys;
}

// The keys every provider shares: an HTTP provider's URL, credentials, CA file, chunk size and timeout apply
// on reload (the provider is rebuilt); its kind needs a restart. A kind's own keys are in its folder
// (providers::Kind::own_keys).
std::string kind_list() {
  std::string list;
  for (auto n : providers::kind_names()) list += (list.empty() ? "" : ", ") + std::string(n);
  return list;
}

const std::vector<Key<ProviderConfig>>& provider_keys() {
  static const std::vector<Key<ProviderConfig>> keys = {
      {"kind", nullptr, false, "Adapter kind (required): " + kind_list() + ".",
       [](const json& v, ProviderConfig& p) -> util::Check {
         if (!v.is_string()) return util::fail("must be a string, got " + type_name(v));
         auto k = v.get<std::string>();
         if (!providers::kind_info(k))
           return util::fail("unknown provider kind \"" + k + "\" (known: " + kind_list() + ")");
         p.kind = k;
         return util::ok();
       }},
      {"base_url", "", true,
       "https://host[:port][/prefix] of the provider's API (HTTP kinds); the certificate and host name are "
       "verified. http:// is accepted for loopback and test set-ups.",
       [](const json& v, ProviderConfig& p) -> util::Check {
         if (!v.is_string()) return util::fail("must be a string, got " + type_name(v));
         auto s = v.get<std::string>();
         if (s.empty()) {  // none: the default; an HTTP kind's check_provider refuses it
           p.base_url.clear();
           return util::ok();
         }
         if (s.rfind("http://", 0) != 0 && s.rfind("https://", 0) != 0)
           return util::fail("must start with https:// or http://, got \"" + s + "\"");
         if (auto url = http::url_problem(s); !url) return util::fail(url.error());
         if (s.find('?') != std::string::npos)
           return util::fail("must not have a query ('?'): paths are appended to it");
         while (!s.empty() && s.back() == '/') s.pop_back();
         p.base_url = s;
         return util::ok();
       }},
      {"ca_file", "", true,
       "PEM file of the certificate authorities to trust for this provider's https:// base_url instead of the "
       "system store (a private CA).",
       [](const json& v, ProviderConfig& p) { return ca_file_into(v, p.ca_file); }},
      {"api_key", "", true,
       "API key sent to the provider (batchcall: X-API-KEY; veritus, truedy: Authorization: Bearer; addcalls: "
       "x-api-key).",
       string_key(&ProviderConfig::api_key)},
      {"api_secret", "", true, "API secret sent to the provider (batchcall: X-API-SECRET).",
       string_key(&ProviderConfig::api_secret)},
      {"chunk_size", 0, true,
       "Calls per submission, 1..the kind's maximum (batchcall, truedy, addcalls: 1000; veritus: 100); 0 or "
       "absent = the maximum.",
       int_key(&ProviderConfig::chunk_size, 0, 100000)},
      {"timeout_ms", 10000, true, "Deadline for one submission: connect, send and read the whole answer.",
       int_key(&ProviderConfig::timeout_ms, 100, 600000)},
      {"max_answer_bytes", 4194304, true,
       "Largest answer body read from the provider; a longer one is abandoned and the submission's calls are "
       "uncertain (held) for non-idempotent kinds.",
       int_key(&ProviderConfig::max_answer_bytes, 1024, 268435456)},
      {"server_errors_place_nothing", nullptr, true,
       "true: a 5xx answer (other than 503, which always means \"not now\") means the provider took none of the "
       "submission's calls, so they wait and are sent again with backoff instead of being held; false: they are "
       "held (the provider may have placed some). Absent = the kind's documented contract (addcalls: true, "
       "others: false). Set true only for a provider whose API guarantees it.",
       [](const json& v, ProviderConfig& p) -> util::Check {
         if (!v.is_boolean()) return util::fail("must be true or false, got " + type_name(v));
         p.server_errors_place_nothing = v.get<bool>();
         return util::ok();
       }},
      {"max_in_flight", 8, true, "Submissions to this provider at once; 0 = no limit.",
       limit_key(&config::ProviderLimits::max_in_flight, 0, 100000)},
      {"requests_per_second", 0, true,
       "Most submissions started per second (bursts up to max(1, rate)); 0 = no limit. Fractions allowed.",
       [](const json& v, ProviderConfig& p) { return number_into(v, p.limits.requests_per_second, 0, 100000); }},
      {"backoff.min_ms", 1000, true,
       "Pause after a failed submission; doubles with each failure in a row (with jitter) up to backoff.max_ms.",
       limit_key(&config::ProviderLimits::backoff_min_ms, 1, 3600000)},
      {"backoff.max_ms", 60000, true, "Longest pause between failed submissions.",
       limit_key(&config::ProviderLimits::backoff_max_ms, 1, 86400000)},
      {"breaker.failures", 5, true,
       "Failed submissions in a row that open the circuit breaker (no submissions; failover if the campaign "
       "has one); 0 = never open.",
       limit_key(&config::ProviderLimits::breaker_failures, 0, 100000)},
      {"breaker.rejections", 3, true,
       "Whole chunks refused in a row (400, 422, ...) that open the circuit breaker: from then on the provider's "
       "refusals leave the calls waiting instead of failing them; 0 = every refusal fails its calls.",
       limit_key(&config::ProviderLimits::breaker_rejections, 0, 100000)},
      {"backoff.retry_after_max_ms", 600000, true,
       "Longest pause a provider's Retry-After can impose; a longer one is cut to this (and counted in "
       "dialerd_provider_retry_after_capped_total).",
       limit_key(&config::ProviderLimits::retry_after_max_ms, 1000, 86400000)},
      {"breaker.open_ms", 30000, true,
       "How long the breaker stays open before one probe submission (one call) is let through; doubles after "
       "each failed probe.",
       limit_key(&config::ProviderLimits::breaker_open_ms, 100, 86400000)},
      {"breaker.open_max_ms", 600000, true, "Longest open period.",
       limit_key(&config::ProviderLimits::breaker_open_max_ms, 100, 86400000)},
      {"events.secret", "", true,
       "Secret that authenticates this provider's outcome callbacks (POST /v1/providers/<name>/events); "
       "empty = unauthenticated (keep the API on a trusted network).",
       [](const json& v, ProviderConfig& p) -> util::Check {
         if (!v.is_string()) return util::fail("must be a string, got " + type_name(v));
         auto s = v.get<std::string>();
         if (!s.empty() && s.size() < 16) return util::fail("must be empty or at least 16 characters");
         p.events_secret = s;
         return util::ok();
       }},
      {"events.auth", "hmac-sha256", true,
       "hmac-sha256: the header carries the hex HMAC-SHA256 of the body under the secret (optionally "
       "\"sha256=\"-prefixed); shared-secret: the header carries the secret itself.",
       string_key(&ProviderConfig::events_auth, {"hmac-sha256", "shared-secret"})},
      {"events.header", "X-Dialerd-Signature", true, "The request header that carries the signature or secret.",
       [](const json& v, ProviderConfig& p) -> util::Check {
         if (!v.is_string() || v.get<std::string>().empty()) return util::fail("must be a non-empty header name");
         p.events_header = v.get<std::string>();
         return util::ok();
       }},
  };
  return keys;
}

// The value at a dotted path of `obj`, or nullptr when absent.
const json* find_path(const json& obj, const std::string& path) {
  const json* at = &obj;
  std::size_t start = 0;
  while (true) {
    auto dot = path.find('.', start);
    auto part = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(part)) return nullptr;
    at = &(*at)[part];
    if (dot == std::string::npos) return at;
    start = dot + 1;
  }
}

// Sets every key of `keys` to its table default (the defaults are the table's, not the structs'), and
// records each key's value in force: the one `given` holds (checked by walk() after), else the default.
template <class Target>
void apply_defaults(const std::vector<Key<Target>>& keys, Target& target, std::map<std::string, json>& values,
                    const std::string& shown_prefix, const json& given) {
  for (const auto& k : keys) {
    if (!k.default_value.is_null()) {
      auto applied = k.apply(k.default_value, target);
      if (!applied)
        throw std::logic_error("config table: the default of " + k.path + " is refused: " + applied.error());
    }
    const json* value = given.is_object() ? find_path(given, k.path) : nullptr;
    values[shown_prefix + k.path] = value ? *value : k.default_value;
  }
}

// Walks `obj` against `keys`: applies known leaves, reports unknown keys and wrong shapes.
template <class Target>
void walk(const json& obj, const std::string& prefix, const std::string& shown_prefix,
          const std::vector<Key<Target>>& keys, Target& target, std::vector<ConfigError>& errors,
          const std::set<std::string>& skip = {}) {
  for (const auto& [name, value] : obj.items()) {
    std::string path = prefix.empty() ? name : prefix + "." + name;
    std::string shown = shown_prefix + path;
    if (skip.count(path)) continue;
    auto leaf = std::find_if(keys.begin(), keys.end(), [&](const auto& k) { return k.path == path; });
    if (leaf != keys.end()) {
      if (auto applied = leaf->apply(value, target); !applied) errors.push_back({shown, applied.error()});
      continue;
    }
    bool is_section =
        std::any_of(keys.begin(), keys.end(), [&](const auto& k) { return k.path.rfind(path + ".", 0) == 0; });
    if (!is_section) {
      errors.push_back({shown, "unknown key"});
    } else if (!value.is_object()) {
      errors.push_back({shown, "must be an object, got " + type_name(value)});
    } else {
      walk(value, path, shown_prefix, keys, target, errors);
    }
  }
}

// Cross-key checks for one provider; a key that is present but invalid was reported by walk() already.
void check_provider(ProviderConfig& p, const json& body, const std::string& at, std::vector<ConfigError>& errors) {
  auto info = providers::kind_info(p.kind);
  if (!info) return;  // already reported (or missing: reported by the caller)
  if (p.chunk_size == 0) p.chunk_size = info->max_chunk;
  if (!p.server_errors_place_nothing) p.server_errors_place_nothing = info->server_errors_place_nothing;
  if (!info->http && body.contains("server_errors_place_nothing"))
    errors.push_back({at + ".server_errors_place_nothing", "is only used by HTTP kinds, not " + p.kind});
  if (p.chunk_size > info->max_chunk)
    errors.push_back({at + ".chunk_size", "must be at most " + std::to_string(info->max_chunk) + " for kind " +
                                              std::string(info->kind) + ", got " + std::to_string(p.chunk_size)});
  auto require = [&](bool needed, const char* key, const std::string& value) {
    if (needed && value.empty() && !body.contains(key))
      errors.push_back({at + "." + key, "is required for kind " + p.kind});
    else if (needed && body.contains(key) && body[key] == "")
      errors.push_back({at + "." + key, "must not be empty"});
  };
  require(info->http, "base_url", p.base_url);
  require(info->needs_api_key, "api_key", p.api_key);
  require(info->needs_api_secret, "api_secret", p.api_secret);
  if (p.limits.backoff_max_ms < p.limits.backoff_min_ms)
    errors.push_back(
        {at + ".backoff.max_ms", "must be at least backoff.min_ms (" + std::to_string(p.limits.backoff_min_ms) + ")"});
  if (p.limits.breaker_open_max_ms < p.limits.breaker_open_ms)
    errors.push_back({at + ".breaker.open_max_ms",
                      "must be at least breaker.open_ms (" + std::to_string(p.limits.breaker_open_ms) + ")"});
  for (const auto& problem : providers::find_kind(p.kind)->check_config(p, body))
    errors.push_back({at + "." + problem.field, problem.message});
}

// The top-level names of a kind's own keys ("veritus" for veritus.daily_limit_wait_seconds).
std::set<std::string> own_segments(const providers::Kind& kind) {
  std::set<std::string> out;
  for (const auto& k : kind.own_keys()) out.insert(k.path.substr(0, k.path.find('.')));
  return out;
}

std::set<std::string> all_kinds_segments() {
  std::set<std::string> out;
  for (const providers::Kind* kind : providers::all_kinds()) out.merge(own_segments(*kind));
  return out;
}

// The keys of the provider's own kind fill its typed settings, from the kind's table; a key of another kind
// would be silently ignored, so it is refused.
void read_kind_keys(ProviderConfig& p, const json& body, const std::string& at, std::map<std::string, json>& values,
                    std::vector<ConfigError>& errors) {
  const providers::Kind* kind = providers::find_kind(p.kind);
  if (!kind) return;  // unknown or missing: reported already
  const auto mine = own_segments(*kind);
  for (const providers::Kind* owner : providers::all_kinds())
    for (const auto& segment : own_segments(*owner))
      if (owner != kind && body.contains(segment) && !mine.count(segment))
        errors.push_back(
            {at + "." + segment, "is only used by kind " + std::string(owner->info().kind) + ", not " + p.kind});
  p.settings = kind->new_settings();
  apply_defaults(kind->own_keys(), p.settings, values, at + ".", body);
  json own = json::object();
  for (const auto& segment : mine)
    if (body.contains(segment)) own[segment] = body[segment];
  walk(own, "", at + ".", kind->own_keys(), p.settings, errors);
}

bool valid_name(const std::string& n) {
  if (n.empty() || n.size() > 64) return false;
  return std::all_of(n.begin(), n.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}

std::string describe(const json& v) {
  if (v.is_null()) return "(none)";
  if (v.is_string()) return v.get<std::string>().empty() ? "\"\"" : v.get<std::string>();
  return v.dump();
}

}  // namespace

InvalidConfig::InvalidConfig(std::vector<ConfigError> errors)
    : std::runtime_error([&] {
        std::string msg = "invalid config:";
        for (const auto& e : errors) msg += "\n  " + e.to_string();
        return msg;
      }()),
      errors_(std::move(errors)) {}

namespace {
// A value {"credential": "NAME"} anywhere in the config is replaced by the contents of
// $CREDENTIALS_DIRECTORY/NAME (systemd's LoadCredential=), one trailing newline dropped. So secrets can
// live in root-only files while the config itself is readable by the service.
void resolve_credentials(json& node, const std::string& path, std::vector<ConfigError>& errors) {
  if (node.is_object() && node.size() == 1 && node.contains("credential")) {
    const json& name = node["credential"];
    if (!name.is_string() || !valid_name(name.get<std::string>())) {
      errors.push_back({path, "a credential name is 1..64 letters, digits, _ and -"});
      return;
    }
    const char* dir = std::getenv("CREDENTIALS_DIRECTORY");
    if (!dir || !*dir) {
      errors.push_back({path, "{\"credential\": \"" + name.get<std::string>() +
                                  "\"} needs $CREDENTIALS_DIRECTORY (set by systemd's LoadCredential=)"});
      return;
    }
    std::string file = std::string(dir) + "/" + name.get<std::string>();
    std::ifstream in(file, std::ios::binary);
    if (!in) {
      errors.push_back({path, "cannot read credential " + file});
      return;
    }
    std::ostringstream buf;
    buf << in.rdbuf();
    std::string value = buf.str();
    if (!value.empty() && value.back() == '\n') value.pop_back();
    if (!value.empty() && value.back() == '\r') value.pop_back();
    node = value;
    return;
  }
  if (node.is_object()) {
    for (auto& [k, v] : node.items()) resolve_credentials(v, path.empty() ? k : path + "." + k, errors);
  } else if (node.is_array()) {
    for (std::size_t i = 0; i < node.size(); ++i)
      resolve_credentials(node[i], path + "[" + std::to_string(i) + "]", errors);
  }
}
}  // namespace

Loaded load_config(std::string_view text, std::string_view base_dir) {
  // Every real config nests a few levels; a deeper one would only recurse toward a stack overflow below.
  if (util::json_nested_deeper_than(text))
    throw InvalidConfig({{"", "nests deeper than " + std::to_string(util::kMaxJsonDepth) + " levels"}});
  json root;
  try {
    root = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/true, /*ignore_comments=*/true);
  } catch (const json::exception& e) {  // parse_error, and out_of_range for a number beyond a double (1e999)
    throw InvalidConfig({{"", std::string("not valid JSON: ") + e.what()}});
  }
  if (!root.is_object()) throw InvalidConfig({{"", "the top level must be a JSON object, got " + type_name(root)}});

  Config config;
  std::vector<ConfigError> errors;
  resolve_credentials(root, "", errors);
  std::map<std::string, json> values;
  apply_defaults(daemon_keys(), config, values, "", root);
  walk(root, "", "", daemon_keys(), config, errors, {"providers"});

  if (root.contains("providers")) {
    const json& provs = root["providers"];
    if (!provs.is_object()) {
      errors.push_back({"providers", "must be an object of name -> provider, got " + type_name(provs)});
    } else {
      for (const auto& [name, body] : provs.items()) {
        std::string at = "providers." + name;
        if (!valid_name(name)) {
          errors.push_back({at, "a provider name is 1..64 characters of letters, digits, _ and -"});
          continue;
        }
        if (!body.is_object()) {
          errors.push_back({at, "must be an object, got " + type_name(body)});
          continue;
        }
        ProviderConfig p;
        p.name = name;
        apply_defaults(provider_keys(), p, values, at + ".", body);
        walk(body, "", at + ".", provider_keys(), p, errors, all_kinds_segments());
        if (!body.contains("kind")) errors.push_back({at + ".kind", "is required"});
        read_kind_keys(p, body, at, values, errors);
        check_provider(p, body, at, errors);
        config.providers.emplace(name, std::move(p));
      }
    }
  }
  if (config.providers.empty() && errors.empty())
    errors.push_back({"providers", "at least one provider must be configured"});
  if (config.rule_overrides.window.start_min >= config.rule_overrides.window.end_min)
    errors.push_back({"compliance.respectful_hours", "start must be before end"});
  if (errors.empty()) {
    // The rule set, with the compliance keys on top (a reload re-reads the file: a bad one keeps the old).
    auto set = schedule::load_rule_set(config.rules, std::string(base_dir));
    if (!set)
      errors.push_back({"compliance.rules", set.error()});
    else
      schedule::resolve_rules(*set, config.rule_overrides, config.legal);
  }
  if (!errors.empty()) throw InvalidConfig(std::move(errors));
  return {std::move(config), std::move(values)};
}

Config parse_config(std::string_view text) {
  return load_config(text).config;
}

Config load_config_file(const std::string& path) {
  return load_config_from_file(path).config;
}

Loaded load_config_from_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InvalidConfig({{"", "cannot read config file " + path}});
  std::ostringstream buf;
  buf << in.rdbuf();
  try {
    const auto slash = path.rfind('/');
    return load_config(buf.str(), slash == std::string::npos
                                      ? std::string_view(".")
                                      : std::string_view(path).substr(0, std::max<std::size_t>(slash, 1)));
  } catch (const InvalidConfig& e) {
    auto errors = e.errors();
    errors.insert(errors.begin(), ConfigError{"", "in " + path + ":"});
    throw InvalidConfig(std::move(errors));
  }
}

ReloadPlan plan_reload(const Loaded& running, Loaded next) {
  ReloadPlan plan;
  auto& values = next.values;
  auto& config = next.config;
  auto value_of = [](const std::map<std::string, json>& m, const std::string& path) {
    auto it = m.find(path);
    return it == m.end() ? json() : it->second;
  };
  // Providers removed or of another kind keep running as they are.
  std::set<std::string> kept;
  for (const auto& [name, old] : running.config.providers) {
    auto now = config.providers.find(name);
    if (now != config.providers.end() && now->second.kind == old.kind) continue;
    config.providers[name] = old;
    kept.insert(name);
    plan.needs_restart.push_back("providers." + name);
    std::string prefix = "providers." + name + ".";
    for (auto it = values.lower_bound(prefix); it != values.end() && it->first.rfind(prefix, 0) == 0;)
      it = values.erase(it);
    for (auto it = running.values.lower_bound(prefix); it != running.values.end() && it->first.rfind(prefix, 0) == 0;
         ++it)
      values.insert(*it);
  }
  for (const auto& k : daemon_keys()) {
    auto old = value_of(running.values, k.path);
    if (k.reloadable || old == value_of(values, k.path)) continue;
    if (!old.is_null()) (void)k.apply(old, config);  // accepted when it was loaded
    values[k.path] = old;
    plan.needs_restart.push_back(k.path);
  }
  for (auto& [provider_name, provider] : config.providers) {
    const std::string& name = provider_name;  // a structured binding clang 14 (the fuzz build) cannot capture
    if (kept.count(name) || !running.config.providers.count(name)) continue;
    auto keep_running = [&](const auto& keys, auto& target) {
      for (const auto& k : keys) {
        auto path = "providers." + name + "." + k.path;
        auto old = value_of(running.values, path);
        if (k.reloadable || old == value_of(values, path)) continue;
        if (!old.is_null()) (void)k.apply(old, target);  // accepted when it was loaded
        values[path] = old;
        plan.needs_restart.push_back(path);
      }
    };
    keep_running(provider_keys(), provider);
    if (const providers::Kind* kind = providers::find_kind(provider.kind))
      keep_running(kind->own_keys(), provider.settings);
  }
  plan.loaded = std::move(next);
  return plan;
}

std::vector<KeyDoc> documented_keys() {
  std::vector<KeyDoc> out;
  for (const auto& k : daemon_keys()) out.push_back({k.path, describe(k.default_value), k.reloadable, k.doc, ""});
  for (const auto& k : provider_keys())
    out.push_back({"providers.<name>." + k.path, describe(k.default_value), k.reloadable, k.doc, ""});
  for (const providers::Kind* kind : providers::all_kinds()) {
    std::string name(kind->info().kind);
    for (const auto& k : kind->own_keys())
      out.push_back({"providers.<name>." + k.path, describe(k.default_value), k.reloadable, name + ": " + k.doc, name});
  }
  return out;
}

}  // namespace dialerd::app
