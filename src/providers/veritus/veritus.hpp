#pragma once
// Adapter for Veritus (docs/PROVIDERS.md, "The veritus adapter"): POST {base_url}/calls/bulk for 2..100 customers, POST
// {base_url}/customers/{customerId}/calls for one. Veritus calls a customer it knows by id, so each call
// needs the variable customer_id; calls without one, and repeats of an id within a chunk, are answered
// by `screen` and never put in a request (docs/PROVIDERS.md, "The veritus adapter").
#include "dialerd/config/config.hpp"
#include "dialerd/providers/kind.hpp"
#include "dialerd/providers/provider.hpp"

namespace dialerd::providers::veritus {

// A repeated customer id waits this long, so it goes in a later request (ids must be unique per request).
constexpr domain::UnixMs kRepeatRetryMs = 1000;

// How long a customer Veritus refused for time reasons waits (veritus.*_wait_seconds in the config). The
// customer's time zone and day are Veritus's, unknown here, so these are plain delays.
struct TimeWaits {
  domain::UnixMs respectful_hours_ms = 3600LL * 1000;
  domain::UnixMs daily_limit_ms = 6 * 3600LL * 1000;
};

// The keys only a veritus provider reads (the table is in kind.cpp).
struct Settings {
  // callback_url, callback_secret_id: where Veritus posts call updates (the request's webhook.url and
  // webhook.secretId); "" = none sent
  std::string callback_url;
  std::string callback_secret_id;
  int respectful_hours_wait_s = 3600;  // veritus.respectful_hours_wait_seconds
  int daily_limit_wait_s = 6 * 3600;   // veritus.daily_limit_wait_seconds
  bool operator==(const Settings&) const = default;
};

class VeritusAdapter final : public Adapter {
 public:
  explicit VeritusAdapter(const config::ProviderConfig& config)
      : VeritusAdapter(config.api_key, config.settings.get<Settings>()) {}
  VeritusAdapter(std::string api_key, const Settings& settings)
      : api_key_(std::move(api_key)),
        callback_url_(settings.callback_url),
        callback_secret_id_(settings.callback_secret_id),
        waits_{settings.respectful_hours_wait_s * 1000LL, settings.daily_limit_wait_s * 1000LL} {}
  // Carries only the calls `screen` keeps. A chunk it keeps nothing of gives an empty customerIds list,
  // which is never sent (the kind's screen runs first).
  WireRequest build_request(const domain::DispatchChunk& chunk) const override;
  // One result per call of the chunk, including those `screen` answered.
  std::vector<domain::SubmitResult> parse_answer(const domain::DispatchChunk& chunk,
                                                 const WireAnswer& answer) const override;
  EventsParse parse_events(std::string_view body) const override;

  // Splits a chunk into the calls that can be sent (a usable customer_id, first of that id in the chunk)
  // and results for the others: `rejected` without a usable customer_id, `not_submitted` for a repeat.
  static Screened screen(const domain::DispatchChunk& chunk);
  // The result for a customer Veritus refused, from its error text: waits for time-related compliance
  // failures (respectful hours, daily limit), rejected for anything else.
  static domain::SubmitResult from_error(domain::CallId call_id, const std::string& error, const TimeWaits& waits);

 private:
  std::string api_key_;
  std::string callback_url_;
  std::string callback_secret_id_;
  TimeWaits waits_;
};

// Percent-encodes everything but RFC 3986 unreserved characters, for a path segment.
std::string encode_path_segment(std::string_view s);

}  // namespace dialerd::providers::veritus
