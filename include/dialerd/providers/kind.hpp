#pragma once
// A provider kind as an extension: everything dialerd knows about one provider API lives in
// src/providers/<kind>/ (its adapter and its kind.cpp: fixed facts, its own config keys and typed settings,
// the campaign fields it owns and checks, its screen, its factory) and src/providers/kinds.cpp lists the
// kinds. Nothing else names a kind. docs/PROVIDERS.md, "Adding a kind".
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "dialerd/asio.hpp"
#include "dialerd/config/config.hpp"
#include "dialerd/providers/kinds.hpp"
#include "dialerd/providers/provider.hpp"
#include "dialerd/util/result.hpp"

namespace dialerd::providers {

// What a screen keeps for the request and what it answers itself.
struct Screened {
  domain::DispatchChunk sendable;              // the chunk with only the calls that can go in a request
  std::vector<domain::SubmitResult> answered;  // one result for each call left out
  std::string config_problem;                  // set when calls were left out because the config is wrong
};
using Screen = std::function<Screened(const domain::DispatchChunk&)>;

// A problem with one field: a config key relative to providers.<name>, or a campaign body field.
struct FieldProblem {
  std::string field;
  std::string message;
};
// A check that fails with the field it refuses (success is `{}`).
using FieldCheck = util::Result<void, FieldProblem>;

class Kind {
 public:
  virtual ~Kind() = default;
  // The fixed facts of the API (name, chunk limit, credentials, idempotency, caller id, 5xx contract).
  virtual const KindInfo& info() const = 0;
  // The providers.<name>.* keys only this kind reads, filling its typed settings (config::KindSettings):
  // each with its default, checks and reloadability. Refused for a provider of another kind.
  virtual const std::vector<config::Key<config::KindSettings>>& own_keys() const {
    static const std::vector<config::Key<config::KindSettings>> none;
    return none;
  }
  // The settings the own keys are applied to (each key's table default first, then the file's value).
  virtual config::KindSettings new_settings() const { return {}; }
  // Checks across a parsed provider's keys; `given` is its section of the file.
  virtual std::vector<FieldProblem> check_config(const config::ProviderConfig& provider,
                                                 const nlohmann::json& given) const {
    (void)provider, (void)given;
    return {};
  }
  // The campaign body fields only this kind reads: refused for a campaign on another kind.
  virtual std::vector<std::string_view> own_campaign_fields() const { return {}; }
  // Reads this kind's campaign fields from `body` into the campaign's `options`; a problem is a 422.
  virtual FieldCheck read_campaign_options(const nlohmann::json& body, const config::ProviderConfig& provider,
                                           nlohmann::json& options) const {
    (void)body, (void)provider, (void)options;
    return {};
  }
  // The runtime provider. Throws std::runtime_error when it cannot be made (an unreadable ca_file).
  virtual std::unique_ptr<Provider> make(const config::ProviderConfig& provider, const Runtime& runtime) const = 0;
  // The pre-submit screen, for an API that cannot take every claimed call (Veritus needs a customer id per
  // call, addCallsToBatch a batch id): it answers the calls it leaves out, and a chunk left empty is not
  // sent (docs/PROVIDERS.md, "Calls a request cannot carry"). None by default.
  virtual std::optional<Screen> screen(const config::ProviderConfig& provider) const {
    (void)provider;
    return std::nullopt;
  }
};

// The registered kinds, in the order of src/providers/kinds.cpp; nullptr for an unknown name.
const std::vector<const Kind*>& all_kinds();
const Kind* find_kind(std::string_view name);
// Adds a kind after the built-in ones (a kind defined outside src/providers, e.g. by a test); `kind` must
// outlive its registration. Throws std::invalid_argument when the name is taken. remove_kind undoes it.
void register_kind(const Kind& kind);
void remove_kind(std::string_view name);

}  // namespace dialerd::providers
