#pragma once
// Adapter for Truedy (docs/PROVIDERS.md, "The truedy adapter"): POST {base_url}/batch-calls, one batch per chunk,
// contacts inline.
#include "dialerd/config/config.hpp"
#include "dialerd/providers/provider.hpp"

namespace dialerd::providers::truedy {

// The keys only a truedy provider reads (the table is in kind.cpp).
struct Settings {
  std::vector<std::string> phone_number_ids;  // the numbers to call from; empty = Truedy picks from the agent
  bool operator==(const Settings&) const = default;
};

class TruedyAdapter final : public Adapter {
 public:
  explicit TruedyAdapter(const config::ProviderConfig& config)
      : api_key_(config.api_key), phone_number_ids_(config.settings.get<Settings>().phone_number_ids) {}
  WireRequest build_request(const domain::DispatchChunk& chunk) const override;
  std::vector<domain::SubmitResult> parse_answer(const domain::DispatchChunk& chunk,
                                                 const WireAnswer& answer) const override;
  EventsParse parse_events(std::string_view body) const override;

  // The provider call id dialerd records for one contact of a batch: the batch id and the number called,
  // joined with ':' as the callback reader joins a callback's id members.
  static std::string call_id(std::string_view batch_id, std::string_view phone_number);

 private:
  std::string api_key_;
  std::vector<std::string> phone_number_ids_;  // the provider's; a campaign's own list wins
};

// `s` cut to at most `max_bytes` without splitting a UTF-8 character.
std::string truncate_utf8(const std::string& s, std::size_t max_bytes);

}  // namespace dialerd::providers::truedy
