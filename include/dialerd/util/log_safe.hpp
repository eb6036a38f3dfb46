#pragma once
// Log lines that cannot be forged: values a client chose (a campaign name, a provider's error body) may hold
// line breaks or terminal escapes; written raw they would start a fake log line.
#include <string>
#include <string_view>

namespace dialerd::util {

// `text` with every control character (below 0x20, and 0x7f) written as \n, \r, \t or \xNN, so one
// logged message stays one line.
std::string escape_control(std::string_view text);

}  // namespace dialerd::util
