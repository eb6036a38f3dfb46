#pragma once
// Adapter for the batch-call API (docs/PROVIDERS.md, "The batchcall adapter"): POST {base_url}/batch-call,
// tasks 1..1000.
#include "dialerd/config/config.hpp"
#include "dialerd/providers/provider.hpp"

namespace dialerd::providers::batchcall {

class BatchCallAdapter final : public Adapter {
 public:
  explicit BatchCallAdapter(const config::ProviderConfig& config)
      : api_key_(config.api_key), api_secret_(config.api_secret) {}
  WireRequest build_request(const domain::DispatchChunk& chunk) const override;
  std::vector<domain::SubmitResult> parse_answer(const domain::DispatchChunk& chunk,
                                                 const WireAnswer& answer) const override;
  EventsParse parse_events(std::string_view body) const override;

  // The provider call id dialerd records for one task: the batch id and the number called, joined with
  // ':' as the callback reader joins a callback's id members.
  static std::string call_id(std::string_view batch_call_id, std::string_view to_number);

 private:
  std::string api_key_;
  std::string api_secret_;
};

}  // namespace dialerd::providers::batchcall
