// The truedy kind (docs/PROVIDERS.md, "The truedy adapter").
#include "providers/http_kind.hpp"
#include "truedy.hpp"

namespace dialerd::providers::truedy {
namespace {

using nlohmann::json;

const std::vector<config::Key<config::KindSettings>>& keys() {
  static const auto table = config::kind_keys<Settings>({
      {"phone_number_ids", json::array(), true,
       "Truedy phone number ids to call from (phone_number_ids of each batch), unless the campaign gives its own; "
       "[] = Truedy picks from the agent.",
       [](const json& v, Settings& s) -> util::Check {
         if (!v.is_array()) return util::fail("must be an array of strings, got " + config::type_name(v));
         s.phone_number_ids.clear();
         for (std::size_t i = 0; i < v.size(); ++i) {
           if (!v[i].is_string() || v[i].get<std::string>().empty() || v[i].get<std::string>().size() > 255) {
             // Built by appends: g++ 12 at -O2 warns (-Wrestrict, a false positive) on "[" + to_string(i) + ...
             std::string problem = "[";
             problem += std::to_string(i);
             problem += "]: must be a string of 1..255 characters";
             return util::fail(std::move(problem));
           }
           s.phone_number_ids.push_back(v[i].get<std::string>());
         }
         return util::ok();
       }},
  });
  return table;
}

class TruedyKind final : public Kind {
 public:
  // Inline contacts (no documented maximum: dialerd sends at most 1000), Bearer key; the caller ids are the
  // batch's phone_number_ids; no idempotency key.
  const KindInfo& info() const override {
    static constexpr KindInfo kInfo{"truedy", 1000, true, true, false, false, false, false, false};
    return kInfo;
  }
  const std::vector<config::Key<config::KindSettings>>& own_keys() const override { return keys(); }
  config::KindSettings new_settings() const override { return config::KindSettings::of(Settings{}); }
  std::vector<std::string_view> own_campaign_fields() const override { return {"phone_number_ids"}; }
  FieldCheck read_campaign_options(const nlohmann::json& body, const config::ProviderConfig&,
                                   nlohmann::json& options) const override {
    if (!body.contains("phone_number_ids") || body["phone_number_ids"].is_null()) return {};
    const nlohmann::json& ids = body["phone_number_ids"];
    if (!ids.is_array() || ids.empty() || ids.size() > 1000)
      return util::fail(FieldProblem{"phone_number_ids", "must be an array of 1..1000 phone number ids"});
    for (std::size_t i = 0; i < ids.size(); ++i)
      if (!ids[i].is_string() || ids[i].get<std::string>().empty() || ids[i].get<std::string>().size() > 255)
        return util::fail(
            FieldProblem{"phone_number_ids[" + std::to_string(i) + "]", "must be a string of 1..255 characters"});
    options["phone_number_ids"] = ids;
    return {};
  }
  std::unique_ptr<Provider> make(const config::ProviderConfig& provider, const Runtime& runtime) const override {
    return std::make_unique<HttpProvider>(provider, runtime.ioc, runtime.time,
                                          std::make_unique<TruedyAdapter>(provider), http_contract(provider, info()));
  }
};

}  // namespace

const Kind& kind() {
  static const TruedyKind k;
  return k;
}

}  // namespace dialerd::providers::truedy
