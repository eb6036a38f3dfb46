#pragma once
// Campaigns, contacts, calls and their counts: plain values, no I/O.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dialerd/domain/states.hpp"

namespace dialerd::domain {

using CampaignId = std::int64_t;
using CallId = std::int64_t;
using UnixMs = std::int64_t;  // milliseconds since the Unix epoch, UTC

struct Webhook {
  std::string url;
  std::string secret_id;  // names a secret in the config; the secret itself is never stored here
};

// A contact's consent to be called (issue 19.5): of which kind, where it was captured, and when it began,
// ends and was withdrawn. express_written satisfies a campaign that requires express.
enum class ConsentType { none, express, express_written };
struct Consent {
  ConsentType type = ConsentType::none;
  std::string source;
  std::optional<UnixMs> captured_at, expires_at, revoked_at;
  bool operator==(const Consent&) const = default;
};

// Debt-collection call frequency (Regulation F, 12 CFR 1006.14(b)(2)), a campaign's opt-in: at most `calls`
// calls to a contact on the campaign's subject in `days` consecutive days, and none for `quiet_days` after
// a call that reached a conversation (docs/COMPLIANCE.md).
struct RegF {
  int calls = 7;
  int days = 7;
  int quiet_days = 7;  // 0 = no quiet period
  bool operator==(const RegF&) const = default;
};

// A campaign's pre-dial check (issue 19.6, docs/COMPLIANCE.md "Pre-dial check"): before a call is claimed
// the customer's endpoint is asked whether to call the contact, signed like the webhooks.
struct Predial {
  std::string url;
  std::string secret_id;       // names a secret in webhooks.secrets
  int timeout_ms = 2000;       // the whole request, connect to answer
  bool call_on_error = false;  // on_error "call" (fail open); the default "wait" fails closed
  int cache_seconds = 60;      // how long an answer stands for the same number
  bool operator==(const Predial&) const = default;
};

// What one outcome does to a call in a campaign's retry_policy (issue 20.2; docs/SCHEDULING.md, "Retries"):
// retried or not, after which base delay, and while the call has made fewer than max_attempts attempts.
// The call's retry budget (retry_attempts) bounds every outcome's retries together.
struct OutcomeRetry {
  bool retry = true;
  std::optional<int> delay_s;       // none: the campaign's retry_delay_seconds
  std::optional<int> max_attempts;  // none: only the budget
  bool operator==(const OutcomeRetry&) const = default;
};
using RetryByOutcome = std::map<Outcome, OutcomeRetry>;
// {"busy": {"retry": true, "delay_seconds": 120, "max_attempts": 4}, ...}: the API's and the stored form.
nlohmann::json retry_policy_json(const RetryByOutcome& policy);
// The same read back (null: none); nothing, with the field at fault and why, when it is not one.
std::optional<RetryByOutcome> parse_retry_policy(const nlohmann::json& j, std::string& field, std::string& error);

// Caller-id health (issue 20.5; docs/SCHEDULING.md, "Caller-id health"): a from number whose latest
// `after_failures` finished calls, across the workspace's campaigns, all ended in one of `outcomes` is not
// used for `rest_seconds` after the last of them. After the rest one more such failure rests it again.
struct NumberRest {
  int after_failures = 5;
  int rest_seconds = 3600;
  std::vector<Outcome> outcomes = {Outcome::failed};
  bool operator==(const NumberRest&) const = default;
};
inline constexpr int kMaxRestFailures = 100;
inline constexpr int kMinRestSeconds = 60;
inline constexpr int kMaxRestSeconds = 7 * 86400;
inline constexpr int kMaxCallsPerNumberPerDay = 100000;
// {"after_failures": 5, "rest_seconds": 3600, "outcomes": ["failed"]}: the API's and the stored form.
nlohmann::json number_rest_json(const NumberRest& rest);
// The same read back (outcomes and rest_seconds may be left out); nothing, with the field at fault and
// why, when it is not one.
std::optional<NumberRest> parse_number_rest(const nlohmann::json& j, std::string& field, std::string& error);

// What a client asks for when it creates a campaign (already validated).
struct CampaignSpec {
  std::string workspace = "default";
  std::string name;
  std::string agent_id;
  std::string provider;                     // a configured provider name
  std::string from_number;                  // E.164: the first caller id
  std::vector<std::string> from_numbers;    // every caller id, from_number first (empty = just from_number)
  std::string rotation = "round_robin";     // random | sequential | round_robin | local_presence
  std::string schedule_type = "immediate";  // immediate | scheduled
  std::optional<UnixMs> trigger_at;
  std::string timezone = "UTC";
  std::optional<std::string> start_time;  // HH:MM, campaign timezone
  std::optional<std::string> end_time;
  std::optional<std::vector<int>> working_days;  // 1 = Monday .. 7 = Sunday
  int concurrency = 1;
  // Pacing (issue 20.4): calls started per second and per minute, at most; none = not paced.
  std::optional<int> calls_per_second, calls_per_minute;
  std::optional<int> max_calls_per_day;
  int retry_attempts = 0;
  int retry_delay_s = 300;
  std::optional<Webhook> webhook;
  std::vector<std::string> required_variables;
  nlohmann::json options = nlohmann::json::object();  // provider-specific (e.g. a batch id)
  CampaignStatus status = CampaignStatus::running;    // the status it is created in
  // Lists whose members added later become calls of the campaign while it has not ended (`follow_lists`).
  std::vector<std::int64_t> follow_lists;
  // What the campaign calls about: campaigns with the same subject share a region's per-subject rolling
  // caps (docs/COMPLIANCE.md); none = the campaign is its own subject.
  std::optional<std::string> subject;
  std::optional<RegF> reg_f;  // none = the campaign does not collect debts under Regulation F
  // Contacts without valid consent of this kind (or a stronger one) are skipped; none = not required.
  std::optional<ConsentType> require_consent;
  // The named do-not-call lists it honours besides the internal list (dnc.hpp); each name is the
  // workspace's list and the global one of that name, whichever exist.
  std::vector<std::string> dnc_lists;
  std::optional<Predial> predial;  // none = no pre-dial check
  RetryByOutcome retry_policy;     // per outcome; an outcome not in it follows config retry.*
  // Caller-id health: calls placed from each from number per day (the campaign's day, across the
  // workspace's campaigns), at most; none = no cap. And a rest for a failing number; none = never rested.
  std::optional<int> max_calls_per_number_per_day = std::nullopt;
  std::optional<NumberRest> number_rest = std::nullopt;

  // Every caller id, from_number first.
  std::vector<std::string> caller_ids() const {
    return from_numbers.empty() ? std::vector<std::string>{from_number} : from_numbers;
  }
  // Where chunks go while `provider`'s circuit breaker is open ("" = nowhere: they wait). Kept in options.
  std::string failover_provider() const {
    auto it = options.find("failover_provider");
    return it != options.end() && it->is_string() ? it->get<std::string>() : std::string();
  }
};

// One contact in a request: phone already normalized to E.164.
struct ContactInput {
  std::string phone;
  std::string first_name;
  std::string last_name;
  nlohmann::json variables = nlohmann::json::object();
  std::optional<std::string> timezone;  // IANA; when given it becomes the contact's zone
  std::optional<int> max_retries;       // this call's retry budget, instead of the campaign's
  std::optional<UnixMs> not_before;     // a callback at a set time: the call is not placed before it
  std::optional<int> priority;          // 0..kMaxPriority, higher first; none: 0 for a new call, kept by an update
};
inline constexpr int kMaxPriority = 100;
// No call starves behind higher priorities: for every kPriorityFairEvery - 1 calls a campaign takes by
// priority, it takes the call due longest, whatever its priority, first in its next claim: one in
// kPriorityFairEvery over time (store/claims.hpp).
inline constexpr int kPriorityFairEvery = 10;

// A workspace's record of a person (contact.hpp has the contact book's other values).
struct Contact {
  std::int64_t id = 0;
  std::string phone;  // E.164
  std::string first_name, last_name;
  std::optional<std::string> timezone;
  bool active = true;
  nlohmann::json variables = nlohmann::json::object();  // what a call made from the record carries
  std::optional<std::string> external_id;               // the customer's own id, unique per workspace
  std::optional<Consent> consent;                       // none recorded
  UnixMs created_at = 0, updated_at = 0;
};

// The global do-not-call list's owner, in Suppression::workspace: its entries apply to every workspace.
inline constexpr const char* kGlobalList = "*";

struct Suppression {
  std::string workspace;  // the owner, or kGlobalList
  std::string phone;      // E.164
  std::string reason;
  std::string source;
  std::optional<std::string> created_by;  // the API key's name; none without keys
  UnixMs created_at = 0;
};

struct Campaign {
  CampaignId id = 0;
  CampaignSpec spec;
  CampaignStatus status = CampaignStatus::draft;
  UnixMs created_at = 0;
  UnixMs updated_at = 0;
};

// Counts by call state. total = pending + dispatching + in_progress + completed + failed + skipped + held.
struct CallCounts {
  std::int64_t pending = 0, dispatching = 0, in_progress = 0, completed = 0, failed = 0, skipped = 0, held = 0;
  std::int64_t called = 0;  // calls submitted to a provider at least once
  std::int64_t total() const { return pending + dispatching + in_progress + completed + failed + skipped + held; }
  std::int64_t in_flight() const { return dispatching + in_progress; }
};

}  // namespace dialerd::domain
