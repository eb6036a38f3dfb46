#pragma once
// Phone numbers: parsed and validated with libphonenumber, stored as E.164.
#include <string>
#include <string_view>

#include "dialerd/util/result.hpp"

namespace dialerd::domain {

struct PhoneError {
  std::string message;
};

// Parses `input` (E.164, or a national format read in `default_region`, e.g. "US") into E.164.
util::Result<std::string, PhoneError> normalize_phone(std::string_view input, std::string_view default_region);

// The same answer through libphonenumber's Parse, IsValidNumber and Format alone (slower; for tests).
util::Result<std::string, PhoneError> normalize_phone_reference(std::string_view input,
                                                                std::string_view default_region);
// Whether normalize_phone's fast path passed its self-check against the reference (else it is off).
bool phone_fast_path_enabled();

// True when `region` is a two-letter region libphonenumber knows.
bool is_known_region(std::string_view region);

}  // namespace dialerd::domain
