// parse_config (include/dialerd/app/config.hpp) on arbitrary text: it returns a Config or throws
// InvalidConfig listing at least one problem; parse_rule_set (schedule/rules.hpp) on the same text returns a
// rule set or an error. Any other exception is a finding (crashes and undefined
// behaviour are the sanitizers'). An accepted config keeps the cross-key promises parse_config checks.
#include <cstdlib>
#include <string>
#include <typeinfo>

#include "dialerd/app/config.hpp"
#include "dialerd/providers/kinds.hpp"
#include "dialerd/schedule/rules.hpp"
#include "fuzz_targets.hpp"

namespace dialerd::fuzz {

int fuzz_config_one(const std::uint8_t* data, std::size_t size) {
  // {"credential": NAME} reads $CREDENTIALS_DIRECTORY/NAME: keep the fuzzer away from the file system.
  ::unsetenv("CREDENTIALS_DIRECTORY");
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  // The same text as a compliance rule file: a rule set or an error naming the place, never a throw.
  try {
    auto set = schedule::parse_rule_set(text);
    if (!set) expect(!set.error().empty(), "a rule file refused with no reason");
  } catch (const std::exception& e) {
    fail(std::string("parse_rule_set threw ") + typeid(e).name() + ": " + e.what());
  }
  config::Config config;
  try {
    config = app::parse_config(text);
  } catch (const app::InvalidConfig& e) {
    expect(!e.errors().empty(), "InvalidConfig with no error listed");
    return 0;
  } catch (const std::exception& e) {
    fail(std::string("parse_config threw ") + typeid(e).name() + " (not InvalidConfig): " + e.what());
  }
  expect(!config.providers.empty(), "a config with no provider was accepted");
  expect(config.rule_overrides.window.start_min < config.rule_overrides.window.end_min,
         "respectful hours start after they end");
  expect(!config.legal.everywhere.hours.tables.empty(), "the resolved rules have no default hours");
  for (const auto& [name, p] : config.providers) {
    auto info = providers::kind_info(p.kind);
    expect(info.has_value(), "provider " + name + " of unknown kind '" + p.kind + "' was accepted");
    expect(p.name == name, "provider " + name + " carries the name '" + p.name + "'");
    expect(p.chunk_size >= 1 && p.chunk_size <= info->max_chunk,
           "provider " + name + " chunk_size " + std::to_string(p.chunk_size) + " accepted");
    if (info->http) expect(!p.base_url.empty(), "HTTP provider " + name + " without base_url accepted");
    expect(p.limits.backoff_min_ms <= p.limits.backoff_max_ms, "provider " + name + ": backoff min above max");
  }
  return 0;
}

}  // namespace dialerd::fuzz
