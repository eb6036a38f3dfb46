// The batchcall kind (docs/PROVIDERS.md, "The batchcall adapter").
#include "batchcall.hpp"
#include "providers/http_kind.hpp"

namespace dialerd::providers::batchcall {
namespace {

class BatchCallKind final : public Kind {
 public:
  // tasks 1..1000, X-API-KEY + X-API-SECRET; no idempotency key in the API.
  const KindInfo& info() const override {
    static constexpr KindInfo kInfo{"batchcall", 1000, true, true, true, false, false, false, true};
    return kInfo;
  }
  std::unique_ptr<Provider> make(const config::ProviderConfig& provider, const Runtime& runtime) const override {
    return std::make_unique<HttpProvider>(provider, runtime.ioc, runtime.time,
                                          std::make_unique<BatchCallAdapter>(provider),
                                          http_contract(provider, info()));
  }
};

}  // namespace

const Kind& kind() {
  static const BatchCallKind k;
  return k;
}

}  // namespace dialerd::providers::batchcall
