#pragma once
// Adapter for addCallsToBatch (docs/PROVIDERS.md, "The addcalls adapter"): POST {base_url}/api/call/addCallsToBatch
// enqueues a chunk's calls into an existing batch, named by the campaign's batch_id or else the provider's.
#include "dialerd/config/config.hpp"
#include "dialerd/providers/kind.hpp"
#include "dialerd/providers/provider.hpp"

namespace dialerd::providers::addcalls {

// The provider processes call_data in chunks of this many records; a 207 names the chunks that failed.
constexpr std::size_t kProviderChunk = 1000;
// Calls of a campaign with no batch id to send to wait this long (the config must be fixed).
constexpr domain::UnixMs kNoBatchRetryMs = 600000;

// The keys only an addcalls provider reads (the table is in kind.cpp).
struct Settings {
  std::string batch_id;          // batch_id: the batch calls are added to, unless the campaign names its own
  int failed_chunk_wait_s = 30;  // addcalls.failed_chunk_wait_seconds
  bool operator==(const Settings&) const = default;
};

class AddCallsAdapter final : public Adapter {
 public:
  explicit AddCallsAdapter(const config::ProviderConfig& config)
      : AddCallsAdapter(config.api_key, config.settings.get<Settings>()) {}
  AddCallsAdapter(std::string api_key, const Settings& settings)
      : api_key_(std::move(api_key)),
        batch_id_(settings.batch_id),
        failed_chunk_wait_ms_(settings.failed_chunk_wait_s * 1000LL) {}
  WireRequest build_request(const domain::DispatchChunk& chunk) const override;
  std::vector<domain::SubmitResult> parse_answer(const domain::DispatchChunk& chunk,
                                                 const WireAnswer& answer) const override;
  EventsParse parse_events(std::string_view body) const override;

  // The batch a chunk goes to: the campaign's batch_id (or batchId), else the provider's; "" if neither.
  std::string batch_id_for(const domain::Campaign& campaign) const;
  // Without a batch id nothing can be sent: every call waits (`not_submitted`), and the problem is logged.
  Screened screen(const domain::DispatchChunk& chunk) const;

 private:
  std::string api_key_;
  std::string batch_id_;
  domain::UnixMs failed_chunk_wait_ms_;  // records of a failed chunk were not enqueued: sent again after this
};

// "+12125551001" -> "12125551001": the API's numbers are E.164 digits without the '+'.
std::string digits_of(const std::string& e164);

}  // namespace dialerd::providers::addcalls
