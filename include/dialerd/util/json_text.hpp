#pragma once
// JSON text written directly, for hot paths that would otherwise build a nlohmann::json only to dump it.
#include <string>
#include <string_view>

namespace dialerd::util {

// Appends `s` as a JSON string literal, quotes included: byte for byte what nlohmann::json(s).dump() writes
// (and, like it, throws nlohmann::json::type_error on invalid UTF-8).
void append_json_string(std::string& out, std::string_view s);

// The longest prefix of UTF-8 text `s` of at most `max_bytes` bytes that does not end inside a character.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

}  // namespace dialerd::util
