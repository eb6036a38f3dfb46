#include "dialerd/util/json_depth.hpp"

#include <cstddef>

namespace dialerd::util {

bool json_nested_deeper_than(std::string_view text, int limit) {
  if (text.size() <= static_cast<std::size_t>(limit)) return false;  // too short to open that many
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > limit) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

}  // namespace dialerd::util
