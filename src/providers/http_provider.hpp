#pragma once
// A Provider that speaks to a remote API through an Adapter and the HTTP client, and classifies failures.
#include <memory>

#include "dialerd/config/config.hpp"
#include "dialerd/http/client.hpp"
#include "dialerd/providers/provider.hpp"

namespace dialerd::providers {

class HttpProvider final : public Provider {
 public:
  // What the provider's API promises about a submission that went wrong after it was sent.
  struct Contract {
    bool idempotent;                   // resending a chunk under its key cannot place a call twice
    bool server_errors_place_nothing;  // a 5xx answer means no call of the chunk was taken
  };
  // Throws std::runtime_error when the provider's ca_file cannot be loaded.
  HttpProvider(const config::ProviderConfig& config, asio::io_context& ioc, const util::Clock& clock,
               std::unique_ptr<Adapter> adapter, Contract contract);
  const std::string& name() const override { return name_; }
  const std::string& kind() const override { return kind_; }
  int chunk_size() const override { return chunk_size_; }
  awaitable<Submission> submit(const domain::DispatchChunk& chunk, const BeforeSend& before_send) override;
  EventsParse parse_events(std::string_view body) const override { return adapter_->parse_events(body); }

 private:
  const util::Clock& clock_;
  std::string name_;
  std::string kind_;
  std::string base_url_;
  int chunk_size_;
  int timeout_ms_;
  std::size_t max_answer_bytes_;
  Contract contract_;
  std::unique_ptr<Adapter> adapter_;
  http::Client client_;  // this provider's TLS context and keep-alive pool
};

// The results of a chunk the provider answered with a 2xx, as the adapter reads them. An answer nested
// deeper than util::kMaxJsonDepth never reaches the adapter (its JSON copies would recurse past the stack):
// every call is uncertain, as with any 2xx answer that names no calls.
std::vector<domain::SubmitResult> read_accepted_answer(const Adapter& adapter, const domain::DispatchChunk& chunk,
                                                       const WireAnswer& answer);

// The start of a provider's error answer as calls' last_error and the log show it: at most 300 bytes (cut
// on a UTF-8 boundary), with every `secrets` value (the request's header values; "Bearer " is stripped)
// and whatever looks like a credential (an echoed Authorization or X-API-Key header, a bearer or basic
// token, a JSON member named like key/secret/token/password/signature) replaced by "[redacted]".
std::string error_excerpt(const std::string& body, const std::vector<std::string>& secrets);

// How long to wait before resubmitting after a 429/503, from Retry-After (seconds or an HTTP date, read
// against `now`), capped at a day; `fallback_ms` when absent or unreadable.
domain::UnixMs retry_after_ms(const WireAnswer& answer, domain::UnixMs now, domain::UnixMs fallback_ms);

}  // namespace dialerd::providers
