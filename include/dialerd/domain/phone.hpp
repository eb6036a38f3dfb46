#pragma once
// Phone numbers: parsed and validated with libphonenumber, stored as E.164.
#include <string>
#include <string_view>
#include <variant>

namespace dialerd::domain {

struct PhoneError {
  std::string message;
};

// Parses `input` (E.164, or a national format read in `default_region`, e.g. "US") into E.164.
std::variant<std::string, PhoneError> normalize_phone(std::string_view input, std::string_view default_region);

// True when `region` is a two-letter region libphonenumber knows.
bool is_known_region(std::string_view region);

}  // namespace dialerd::domain
