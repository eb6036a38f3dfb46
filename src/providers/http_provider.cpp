#include "http_provider.hpp"

#include <spdlog/spdlog.h>

#include <regex>

#include "dialerd/http/client.hpp"
#include "dialerd/util/json_depth.hpp"
#include "dialerd/util/time.hpp"

namespace dialerd::providers {

using domain::SubmitResult;

namespace {
constexpr domain::UnixMs kDefaultBackoffMs = 30000;
constexpr domain::UnixMs kConfigBackoffMs = 60000;

std::vector<SubmitResult> all(const domain::DispatchChunk& chunk, SubmitResult::Kind kind, const std::string& reason,
                              domain::UnixMs retry_after = 0) {
  std::vector<SubmitResult> out;
  out.reserve(chunk.calls.size());
  for (const auto& c : chunk.calls) out.push_back({kind, c.id, "", reason, retry_after});
  return out;
}

// Cuts `s` to at most `max` bytes without splitting a UTF-8 sequence.
std::string cut_utf8(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end) + "...";
}
}  // namespace

std::string error_excerpt(const std::string& body, const std::vector<std::string>& secrets) {
  constexpr std::size_t kShown = 300;
  // Only the start is ever shown; redact a generous prefix of it so a secret cut by kShown is gone too.
  std::string text = body.substr(0, 4 * kShown);
  const std::string kRedacted = "[redacted]";
  for (std::string secret : secrets) {
    if (secret.rfind("Bearer ", 0) == 0) secret.erase(0, 7);
    if (secret.size() < 4) continue;  // too short to search for without redacting ordinary words
    for (auto at = text.find(secret); at != std::string::npos; at = text.find(secret, at + kRedacted.size()))
      text.replace(at, secret.size(), kRedacted);
  }
  // Whatever else looks like a credential: an echoed credential header to the end of its line, a bearer
  // or basic token, and the value of a JSON member named like a credential.
  static const std::regex kHeader(
      R"re(((?:authorization|proxy-authorization|x-api-key|x-api-secret|api-key|cookie)\s*:\s*)[^\r\n]*)re",
      std::regex::icase);
  static const std::regex kToken(R"re(\b((?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]+)re", std::regex::icase);
  static const std::regex kMember(
      R"re(("[^"]*(?:key|secret|token|password|authorization|signature)[^"]*"\s*:\s*")(?:[^"\\]|\\.)*")re",
      std::regex::icase);
  text = std::regex_replace(text, kHeader, "$1" + kRedacted);
  text = std::regex_replace(text, kToken, "$1" + kRedacted);
  text = std::regex_replace(text, kMember, "$1" + kRedacted + "\"");
  return cut_utf8(text, kShown);
}

std::vector<SubmitResult> read_accepted_answer(const Adapter& adapter, const domain::DispatchChunk& chunk,
                                               const WireAnswer& answer) {
  if (util::json_nested_deeper_than(answer.body))
    return all(chunk, SubmitResult::Kind::uncertain,
               "provider answered " + std::to_string(answer.status) + " with JSON nested more than " +
                   std::to_string(util::kMaxJsonDepth) + " deep");
  return adapter.parse_answer(chunk, answer);
}

domain::UnixMs retry_after_ms(const WireAnswer& answer, domain::UnixMs now, domain::UnixMs fallback_ms) {
  constexpr domain::UnixMs kMax = 24LL * 3600 * 1000;
  auto it = answer.headers.find("retry-after");
  if (it == answer.headers.end()) return fallback_ms;
  const std::string& v = it->second;
  if (!v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; }))
    return v.size() > 9 ? kMax : std::min<domain::UnixMs>(std::stoll(v) * 1000, kMax);
  auto at = util::parse_http_date(v);
  if (!at) return fallback_ms;
  return std::clamp<domain::UnixMs>(*at - now, 0, kMax);
}

HttpProvider::HttpProvider(const config::ProviderConfig& config, asio::io_context& ioc, const util::Clock& clock,
                           std::unique_ptr<Adapter> adapter, Contract contract)
    : clock_(clock),
      name_(config.name),
      kind_(config.kind),
      base_url_(config.base_url),
      chunk_size_(config.chunk_size),
      timeout_ms_(config.timeout_ms),
      max_answer_bytes_(static_cast<std::size_t>(config.max_answer_bytes)),
      contract_(contract),
      adapter_(std::move(adapter)),
      client_(ioc.get_executor(), http::TlsOptions{config.ca_file}) {}

awaitable<Submission> HttpProvider::submit(const domain::DispatchChunk& chunk, const BeforeSend& before_send) {
  WireRequest wire = adapter_->build_request(chunk);
  // What the request carries that a provider echoing it back must not show to tenants or the log.
  std::vector<std::string> secrets;
  for (const auto& [name, value] : wire.headers) secrets.push_back(value);
  http::ClientRequest req;
  req.method = wire.method;
  req.url = base_url_ + wire.path;
  req.headers = std::move(wire.headers);
  req.body = std::move(wire.body);
  req.timeout_ms = timeout_ms_;
  req.max_answer_bytes = max_answer_bytes_;
  req.before_send = before_send;
  auto result = co_await client_.fetch(std::move(req));

  Submission out;
  if (!result) {
    const auto& err = result.error();
    spdlog::warn("provider {}: campaign {} chunk {} ({} calls): {}", name_, chunk.campaign_id, chunk.idempotency_key,
                 chunk.calls.size(), err.message);
    out.health = Health::failed;
    out.failure = err.timed_out ? "timeout" : err.maybe_sent ? "connection" : "connect";
    // Refused, unresolvable, TLS refused: nothing reached the provider. Reset or timed out after sending:
    // the provider may have taken the chunk, so a non-idempotent kind must not send it again.
    if (!err.maybe_sent || contract_.idempotent)
      out.results = all(chunk, SubmitResult::Kind::not_submitted, err.message, kDefaultBackoffMs);
    else
      out.results = all(chunk, SubmitResult::Kind::uncertain, "submission outcome unknown: " + err.message);
    co_return out;
  }
  const auto& res = *result;
  WireAnswer answer{res.status, res.headers, res.body};
  if (res.status >= 200 && res.status < 300) {
    out.results = read_accepted_answer(*adapter_, chunk, answer);
    // A 2xx that says nothing readable about any call (HTML, empty, truncated): its calls stay uncertain,
    // and for the guard it is a failure, so a provider answering like this gets one probe per open period
    // instead of every call at full speed.
    if (!chunk.calls.empty() && std::all_of(out.results.begin(), out.results.end(), [](const SubmitResult& r) {
          return r.kind == SubmitResult::Kind::uncertain;
        })) {
      out.health = Health::failed;
      out.failure = "bad_answer";
      spdlog::warn("provider {}: campaign {} chunk {} ({} calls): answered {} with nothing readable about any call: {}",
                   name_, chunk.campaign_id, chunk.idempotency_key, chunk.calls.size(), res.status,
                   error_excerpt(res.body, secrets));
    }
    co_return out;
  }

  std::string why = "provider answered " + std::to_string(res.status) + ": " + error_excerpt(res.body, secrets);
  spdlog::warn("provider {}: campaign {} chunk {} ({} calls): {}", name_, chunk.campaign_id, chunk.idempotency_key,
               chunk.calls.size(), why);
  const auto now = clock_.now_ms();  // a Retry-After date is read against it
  if (res.status == 429 || res.status == 503) {
    // Both say "not now" before doing anything. 429 is the provider pacing us; 503 is it being down.
    out.health = res.status == 429 ? Health::throttled : Health::failed;
    out.failure = "http_" + std::to_string(res.status);
    out.retry_after_ms = retry_after_ms(answer, now, 0);
    out.results = all(chunk, SubmitResult::Kind::not_submitted, why,
                      out.retry_after_ms > 0 ? out.retry_after_ms : kDefaultBackoffMs);
    co_return out;
  }
  if (res.status >= 500) {
    // The provider failed while handling it: it may have placed some calls first, unless its API says a
    // 5xx takes nothing (then the calls are sent again after the guard's backoff, as the API asks).
    out.health = Health::failed;
    out.failure = "http_5xx";
    const bool resend = contract_.idempotent || contract_.server_errors_place_nothing;
    out.results =
        all(chunk, resend ? SubmitResult::Kind::not_submitted : SubmitResult::Kind::uncertain, why, kDefaultBackoffMs);
    co_return out;
  }
  // The provider refused the request without taking any call: our configuration is wrong (credentials, URL)
  // or it wants us to come back. The calls are fine; they wait rather than fail. For the breaker this is a
  // failure: the provider is unusable as configured, and a campaign with a failover provider should move.
  if (res.status < 200 || (res.status >= 300 && res.status < 400) || res.status == 401 || res.status == 403 ||
      res.status == 404 || res.status == 405 || res.status == 408 || res.status == 409) {
    spdlog::error("provider {}: answered {}; check its base_url and credentials. Calls wait and are retried.", name_,
                  res.status);
    out.health = Health::failed;
    out.failure = "http_" + std::to_string(res.status);
    out.results = all(chunk, SubmitResult::Kind::not_submitted, why, kConfigBackoffMs);
    co_return out;
  }
  // 400, 413, 422, ...: this payload will never pass. Alone that says nothing against the provider; the
  // guard counts a run of them as a failure (then the scheduler lets the calls wait instead).
  out.health = Health::rejected;
  out.failure = "http_" + std::to_string(res.status);
  out.results = all(chunk, SubmitResult::Kind::rejected, why);
  co_return out;
}

}  // namespace dialerd::providers
