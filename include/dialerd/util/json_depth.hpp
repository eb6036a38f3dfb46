#pragma once
// How deep a JSON text nests, checked before parsing. nlohmann parses any depth, but copying, comparing and
// dumping a value recurse once per level, so JSON from outside (request bodies, provider answers and
// callbacks) nested past a limit is refused rather than allowed to overflow the stack.
#include <string_view>

namespace dialerd::util {

// The nesting dialerd accepts in JSON it did not write.
constexpr int kMaxJsonDepth = 64;

// Whether `text`, read as JSON, opens more than `limit` arrays and objects inside one another (brackets in
// strings do not count). Exact for valid JSON; one pass, no allocation.
bool json_nested_deeper_than(std::string_view text, int limit = kMaxJsonDepth);

}  // namespace dialerd::util
