// The one list of provider kinds. Adding a kind: a folder src/providers/<kind>/ with its adapter and its
// kind.cpp, and one line here (docs/PROVIDERS.md, "Adding a kind").
#include <algorithm>
#include <stdexcept>

#include "dialerd/providers/kind.hpp"

namespace dialerd::providers {

namespace batchcall {
const Kind& kind();
}
namespace veritus {
const Kind& kind();
}
namespace truedy {
const Kind& kind();
}
namespace addcalls {
const Kind& kind();
}
namespace simulator {
const Kind& kind();
}

namespace {
std::vector<const Kind*>& registered() {
  static std::vector<const Kind*> kinds = {&batchcall::kind(), &veritus::kind(), &truedy::kind(), &addcalls::kind(),
                                           &simulator::kind()};
  return kinds;
}
}  // namespace

const std::vector<const Kind*>& all_kinds() {
  return registered();
}

void register_kind(const Kind& kind) {
  if (find_kind(kind.info().kind))
    throw std::invalid_argument("provider kind " + std::string(kind.info().kind) + " is registered already");
  registered().push_back(&kind);
}

void remove_kind(std::string_view name) {
  auto& kinds = registered();
  kinds.erase(std::remove_if(kinds.begin(), kinds.end(), [&](const Kind* k) { return k->info().kind == name; }),
              kinds.end());
}

const Kind* find_kind(std::string_view name) {
  for (const Kind* k : registered())
    if (k->info().kind == name) return k;
  return nullptr;
}

std::optional<KindInfo> kind_info(std::string_view kind) {
  if (const Kind* k = find_kind(kind)) return k->info();
  return std::nullopt;
}

std::vector<std::string_view> kind_names() {
  std::vector<std::string_view> out;
  for (const Kind* k : registered()) out.push_back(k->info().kind);
  return out;
}

}  // namespace dialerd::providers
