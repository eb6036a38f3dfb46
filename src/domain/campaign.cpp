#include "dialerd/domain/campaign.hpp"

#include <algorithm>

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

nlohmann::json number_rest_json(const NumberRest& rest) {
  auto outcomes = nlohmann::json::array();
  for (Outcome o : rest.outcomes) outcomes.push_back(std::string(to_string(o)));
  return {{"after_failures", rest.after_failures}, {"rest_seconds", rest.rest_seconds}, {"outcomes", outcomes}};
}

std::optional<NumberRest> parse_number_rest(const nlohmann::json& j, std::string& field, std::string& error) {
  field = "number_rest";
  if (!j.is_object()) {
    error = "must be an object {after_failures, rest_seconds, outcomes} or null";
    return std::nullopt;
  }
  NumberRest out;
  auto integer = [&](const nlohmann::json& x, int least, int most, int& to) {
    if (!x.is_number_integer() || x.get<std::int64_t>() < least || x.get<std::int64_t>() > most) {
      error = "must be an integer from " + std::to_string(least) + " to " + std::to_string(most);
      return false;
    }
    to = static_cast<int>(x.get<std::int64_t>());
    return true;
  };
  for (const auto& kv : j.items()) {
    field = "number_rest." + kv.key();
    const auto& x = kv.value();
    if (kv.key() == "after_failures") {
      if (!integer(x, 1, kMaxRestFailures, out.after_failures)) return std::nullopt;
    } else if (kv.key() == "rest_seconds") {
      if (!integer(x, kMinRestSeconds, kMaxRestSeconds, out.rest_seconds)) return std::nullopt;
    } else if (kv.key() == "outcomes") {
      if (!x.is_array() || x.empty()) {
        error = "must be a non-empty array of outcomes, e.g. [\"failed\", \"provider_error\"]";
        return std::nullopt;
      }
      out.outcomes.clear();
      for (std::size_t i = 0; i < x.size(); ++i) {
        field = "number_rest.outcomes[" + std::to_string(i) + "]";
        auto o = x[i].is_string() ? outcome_from(x[i].get<std::string>()) : std::nullopt;
        if (!o || *o == Outcome::completed || *o == Outcome::cancelled || *o == Outcome::opted_out) {
          error = "must be one of no_answer, busy, voicemail, failed, provider_error, timeout";
          return std::nullopt;
        }
        if (std::find(out.outcomes.begin(), out.outcomes.end(), *o) == out.outcomes.end()) out.outcomes.push_back(*o);
      }
    } else {
      error = "unknown field (after_failures, rest_seconds, outcomes)";
      return std::nullopt;
    }
  }
  if (!j.contains("after_failures")) {
    field = "number_rest.after_failures";
    error = "is required (an integer from 1 to " + std::to_string(kMaxRestFailures) + ")";
    return std::nullopt;
  }
  field.clear();
  return out;
}

}  // namespace dialerd::domain
