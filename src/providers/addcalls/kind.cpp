// The addcalls kind (docs/PROVIDERS.md, "The addcalls adapter").
#include <algorithm>

#include "addcalls.hpp"
#include "providers/http_kind.hpp"

namespace dialerd::providers::addcalls {
namespace {

using nlohmann::json;

const std::vector<config::Key<config::KindSettings>>& keys() {
  static const auto table = config::kind_keys<Settings>({
      {"batch_id", "", true,
       "The batch (from POST /api/call/createBatch) calls are added to, for campaigns that do not give their own "
       "batch_id.",
       [](const json& v, Settings& s) -> util::Check {
         if (!v.is_string()) return util::fail("must be a string, got " + config::type_name(v));
         if (v.get<std::string>().size() > 255) return util::fail("must be at most 255 characters");
         s.batch_id = v.get<std::string>();
         return util::ok();
       }},
      {"addcalls.failed_chunk_wait_seconds", 30, true,
       "Records of a chunk the provider reports failed (207 failedChunks) are sent again after this long.",
       config::int_key(&Settings::failed_chunk_wait_s, 1, 86400)},
  });
  return table;
}

class AddCallsKind final : public Kind {
 public:
  // call_data, processed by the provider in chunks of 1000 (one per request), x-api-key; the batch's numbers
  // call; no idempotency key. Its page says to retry a 500 with exponential backoff, and that re-adding a
  // number still pending updates its record instead of adding a call.
  const KindInfo& info() const override {
    static constexpr KindInfo kInfo{"addcalls", 1000, true, true, false, false, false, true, false};
    return kInfo;
  }
  const std::vector<config::Key<config::KindSettings>>& own_keys() const override { return keys(); }
  config::KindSettings new_settings() const override { return config::KindSettings::of(Settings{}); }
  std::vector<std::string_view> own_campaign_fields() const override { return {"batch_id", "batchId"}; }
  // A campaign needs a batch id, its own (batch_id, or batchId as the API spells it) or the provider's.
  FieldCheck read_campaign_options(const nlohmann::json& body, const config::ProviderConfig& provider,
                                   nlohmann::json& options) const override {
    if (body.contains("batch_id") && body.contains("batchId"))
      return util::fail(FieldProblem{"batchId", "give batch_id or batchId, not both"});
    const char* key = body.contains("batchId") ? "batchId" : "batch_id";
    if (body.contains(key) && !body[key].is_null()) {
      const auto& v = body[key];
      if (!v.is_string()) return util::fail(FieldProblem{key, std::string("must be a string, got ") + v.type_name()});
      if (v.get<std::string>().empty()) return util::fail(FieldProblem{key, "must not be empty"});
      const auto& text = v.get_ref<const std::string&>();
      auto chars = std::count_if(text.begin(), text.end(), [](char c) { return (c & 0xC0) != 0x80; });
      if (chars > 255) return util::fail(FieldProblem{key, "must be at most 255 characters"});
      options["batch_id"] = v;
    }
    if (!options.contains("batch_id") && provider.settings.get<Settings>().batch_id.empty())
      return util::fail(
          FieldProblem{"batch_id", "is required: provider '" + provider.name +
                                       "' has no batch_id in the config, so the campaign must name the batch its "
                                       "calls are added to"});
    return {};
  }
  std::unique_ptr<Provider> make(const config::ProviderConfig& provider, const Runtime& runtime) const override {
    return std::make_unique<HttpProvider>(provider, runtime.ioc, runtime.time,
                                          std::make_unique<AddCallsAdapter>(provider), http_contract(provider, info()));
  }
  // Calls are answered before the request is built when there is no batch id.
  std::optional<Screen> screen(const config::ProviderConfig& provider) const override {
    return Screen(
        [adapter = AddCallsAdapter(provider)](const domain::DispatchChunk& chunk) { return adapter.screen(chunk); });
  }
};

}  // namespace

const Kind& kind() {
  static const AddCallsKind k;
  return k;
}

}  // namespace dialerd::providers::addcalls
