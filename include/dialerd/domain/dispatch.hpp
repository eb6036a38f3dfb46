#pragma once
// What flows between the queue and a provider: claimed chunks, per-call answers, reported outcomes.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "dialerd/domain/campaign.hpp"

namespace dialerd::domain {

// A call claimed for dispatch: everything an adapter needs to build its request.
struct DispatchCall {
  CallId id = 0;
  std::int64_t contact_id = 0;
  std::string phone;
  std::string first_name;
  std::string last_name;
  // The call's variables: the text of a JSON object, as stored. Kept as text so that a request body can carry
  // it as it is; parsed_variables() for adapters that add to it.
  std::string variables = "{}";
  int attempt = 0;  // 1 for the first submission
  int max_retries = 0;
  std::string from_number;  // the caller id this call goes out from

  // The variables as a JSON object (an empty one if the text is not one).
  nlohmann::json parsed_variables() const {
    auto v = nlohmann::json::parse(variables, nullptr, /*allow_exceptions=*/false);
    return v.is_object() ? v : nlohmann::json::object();
  }
};

struct DispatchChunk {
  CampaignId campaign_id = 0;
  std::string idempotency_key;  // unique to this submission
  std::string provider;         // the provider it goes to: the campaign's, or its failover ("" = the campaign's)
  Campaign campaign;
  std::vector<DispatchCall> calls;

  const std::string& provider_name() const { return provider.empty() ? campaign.spec.provider : provider; }
};

// What a provider answered for one call of a submitted chunk.
struct SubmitResult {
  enum class Kind {
    accepted,       // the provider took it; an outcome will follow
    rejected,       // refused for good (bad number, compliance, ...): the call fails
    not_submitted,  // certainly not placed (connection refused, 429, 503): pending again after retry_after_ms
    uncertain,      // may or may not have been placed: held for an operator
  };
  Kind kind = Kind::accepted;
  CallId call_id = 0;
  std::string provider_call_id;
  std::string reason;
  UnixMs retry_after_ms = 0;
};

// An outcome a provider reported for one call it accepted.
struct OutcomeReport {
  std::string provider_call_id;
  Outcome outcome = Outcome::completed;
  std::string detail;
  std::optional<UnixMs> callback_at = std::nullopt;  // asked to be called back then (docs/PROVIDERS.md, "Callbacks")
};

}  // namespace dialerd::domain
