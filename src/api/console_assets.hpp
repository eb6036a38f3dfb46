#pragma once
// The web console's files (ui/), compiled in by cmake/embed_assets.cmake.
#include <span>
#include <string_view>

namespace dialerd::api {

struct ConsoleAsset {
  std::string_view name;          // the file name under ui/, e.g. "app.js"
  std::string_view content_type;  // its media type
  std::string_view body;
};

std::span<const ConsoleAsset> console_assets();

}  // namespace dialerd::api
