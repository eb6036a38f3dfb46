// The veritus kind (docs/PROVIDERS.md, "The veritus adapter").
#include "dialerd/http/client.hpp"
#include "providers/http_kind.hpp"
#include "veritus.hpp"

namespace dialerd::providers::veritus {
namespace {

using nlohmann::json;

const std::vector<config::Key<config::KindSettings>>& keys() {
  static const auto table = config::kind_keys<Settings>({
      {"callback_url", "", true,
       "http(s):// URL sent as the request's webhook.url, where Veritus posts call updates (usually this daemon's "
       "/v1/providers/<name>/events); \"\" = no webhook sent.",
       [](const json& v, Settings& s) -> util::Check {
         if (!v.is_string()) return util::fail("must be a string, got " + config::type_name(v));
         auto text = v.get<std::string>();
         http::Url url;
         if (!text.empty() && ((text.rfind("http://", 0) != 0 && text.rfind("https://", 0) != 0) ||
                               !http::parse_url(text, url) || url.host.empty()))
           return util::fail("must be an https:// or http:// URL with a host, got \"" + text + "\"");
         s.callback_url = text;
         return util::ok();
       }},
      {"callback_secret_id", "", true,
       "Sent as the request's webhook.secretId (a secret Veritus knows); needs callback_url.",
       [](const json& v, Settings& s) -> util::Check {
         if (!v.is_string()) return util::fail("must be a string, got " + config::type_name(v));
         if (v.get<std::string>().size() > 255) return util::fail("must be at most 255 characters");
         s.callback_secret_id = v.get<std::string>();
         return util::ok();
       }},
      {"veritus.respectful_hours_wait_seconds", 3600, true,
       "A customer Veritus refused as outside its respectful hours is sent again after this long.",
       config::int_key(&Settings::respectful_hours_wait_s, 1, 86400)},
      {"veritus.daily_limit_wait_seconds", 21600, true,
       "A customer Veritus refused for its daily call limit is sent again after this long.",
       config::int_key(&Settings::daily_limit_wait_s, 1, 86400)},
  });
  return table;
}

class VeritusKind final : public Kind {
 public:
  // 1..100 unique customer ids, Bearer key; Veritus picks the caller id; no idempotency key.
  const KindInfo& info() const override {
    static constexpr KindInfo kInfo{"veritus", 100, true, true, false, false, false, false, false};
    return kInfo;
  }
  const std::vector<config::Key<config::KindSettings>>& own_keys() const override { return keys(); }
  config::KindSettings new_settings() const override { return config::KindSettings::of(Settings{}); }
  std::vector<FieldProblem> check_config(const config::ProviderConfig& provider, const nlohmann::json&) const override {
    const auto& settings = provider.settings.get<Settings>();
    if (!settings.callback_secret_id.empty() && settings.callback_url.empty())
      return {{"callback_secret_id", "needs callback_url (the webhook it belongs to)"}};
    return {};
  }
  std::unique_ptr<Provider> make(const config::ProviderConfig& provider, const Runtime& runtime) const override {
    return std::make_unique<HttpProvider>(provider, runtime.ioc, runtime.time,
                                          std::make_unique<VeritusAdapter>(provider), http_contract(provider, info()));
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
