// The veritus kind (docs/PROVIDERS.md, "The veritus adapter").
#include "providers/http_kind.hpp"
#include "veritus.hpp"

namespace dialerd::providers::veritus {
namespace {

class VeritusKind final : public Kind {
 public:
  // 1..100 unique customer ids, Bearer key; Veritus picks the caller id; no idempotency key.
  const KindInfo& info() const override {
    static constexpr KindInfo kInfo{"veritus", 100, true, true, false, false, false, false};
    return kInfo;
  }
  std::vector<std::string_view> own_config_keys() const override {
    return {"callback_url", "callback_secret_id", "veritus"};
  }
  std::vector<FieldProblem> check_config(const config::ProviderConfig& provider, const nlohmann::json&) const override {
    if (!provider.callback_secret_id.empty() && provider.callback_url.empty())
      return {{"callback_secret_id", "needs callback_url (the webhook it belongs to)"}};
    return {};
  }
  std::unique_ptr<Provider> make(const config::ProviderConfig& provider, asio::io_context& ioc,
                                 OutcomeSink) const override {
    return std::make_unique<HttpProvider>(provider, ioc, std::make_unique<VeritusAdapter>(provider),
                                          http_contract(provider, info()));
  }
  // Calls without a customer id, or repeating one, are answered before the request is built.
  std::optional<Screen> screen(const config::ProviderConfig&) const override { return Screen(&VeritusAdapter::screen); }
};

}  // namespace

const Kind& kind() {
  static const VeritusKind k;
  return k;
}

}  // namespace dialerd::providers::veritus
