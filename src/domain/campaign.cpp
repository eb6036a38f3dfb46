#include "dialerd/domain/campaign.hpp"

namespace dialerd::domain {

namespace {
constexpr int kMaxRetryDelayS = 30 * 86400;
constexpr int kMaxAttempts = 11;  // the first attempt and retry_attempts' most, 10
}  // namespace

nlohmann::json retry_policy_json(const RetryByOutcome& policy) {
  auto out = nlohmann::json::object();
  for (const auto& [outcome, r] : policy)
    out[std::string(to_string(outcome))] = {
        {"retry", r.retry},
        {"delay_seconds", r.delay_s ? nlohmann::json(*r.delay_s) : nlohmann::json(nullptr)},
        {"max_attempts", r.max_attempts ? nlohmann::json(*r.max_attempts) : nlohmann::json(nullptr)}};
  return out;
}

std::optional<RetryByOutcome> parse_retry_policy(const nlohmann::json& j, std::string& field, std::string& error) {
  RetryByOutcome out;
  field = "retry_policy";
  if (j.is_null()) return out;
  if (!j.is_object()) {
    error = "must be an object of outcomes, e.g. {\"busy\": {\"retry\": true, \"delay_seconds\": 120}}";
    return std::nullopt;
  }
  for (const auto& item : j.items()) {
    field = "retry_policy." + item.key();
    auto outcome = outcome_from(item.key());
    if (outcome == Outcome::completed || outcome == Outcome::opted_out) {
      error = item.key() + " is never retried";
      return std::nullopt;
    }
    if (outcome == Outcome::cancelled) {
      error = "cancelled is not retried by a policy (config retry.retryable_outcomes may list it)";
      return std::nullopt;
    }
    if (!outcome) {
      error = "unknown outcome (no_answer, busy, voicemail, failed, provider_error, timeout)";
      return std::nullopt;
    }
    const auto& v = item.value();
    if (!v.is_object()) {
      error = "must be an object {retry, delay_seconds, max_attempts}";
      return std::nullopt;
    }
    OutcomeRetry r;
    for (const auto& kv : v.items()) {
      const std::string& k = kv.key();
      const auto& x = kv.value();
      field = "retry_policy." + item.key() + "." + k;
      if (k == "retry") {
        if (!x.is_boolean()) {
          error = "must be true or false";
          return std::nullopt;
        }
        r.retry = x.get<bool>();
      } else if (k == "delay_seconds" || k == "max_attempts") {
        if (x.is_null()) continue;
        const int most = k == "delay_seconds" ? kMaxRetryDelayS : kMaxAttempts;
        const int least = k == "delay_seconds" ? 0 : 1;
        if (!x.is_number_integer() || x.get<std::int64_t>() < least || x.get<std::int64_t>() > most) {
          error = "must be an integer from " + std::to_string(least) + " to " + std::to_string(most);
          return std::nullopt;
        }
        (k == "delay_seconds" ? r.delay_s : r.max_attempts) = static_cast<int>(x.get<std::int64_t>());
      } else {
        error = "unknown field";
        return std::nullopt;
      }
    }
    if (!v.contains("retry")) {
      field = "retry_policy." + item.key() + ".retry";
      error = "is required (true or false)";
      return std::nullopt;
    }
    out[*outcome] = r;
  }
  field.clear();
  return out;
}

}  // namespace dialerd::domain
