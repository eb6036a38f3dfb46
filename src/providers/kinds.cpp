#include "dialerd/providers/kinds.hpp"

#include <array>

namespace dialerd::providers {
namespace {
constexpr std::array<KindInfo, 2> kKinds{{
    // seed 004: tasks 1..1000, X-API-KEY + X-API-SECRET; no idempotency key in the API.
    {"batchcall", 1000, true, true, true, false, false},
    // In-process, no network: accepts every chunk and reports outcomes after a delay.
    {"simulator", 1000, false, false, false, true, true},
}};
}  // namespace

std::optional<KindInfo> kind_info(std::string_view kind) {
  for (const auto& k : kKinds)
    if (k.kind == kind) return k;
  return std::nullopt;
}

std::vector<std::string_view> kind_names() {
  std::vector<std::string_view> out;
  for (const auto& k : kKinds) out.push_back(k.kind);
  return out;
}

}  // namespace dialerd::providers
