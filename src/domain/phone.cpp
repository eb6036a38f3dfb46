#include "dialerd/domain/phone.hpp"

#include <phonenumbers/phonenumberutil.h>

namespace dialerd::domain {

using i18n::phonenumbers::PhoneNumber;
using i18n::phonenumbers::PhoneNumberUtil;

std::variant<std::string, PhoneError> normalize_phone(std::string_view input, std::string_view default_region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  if (input.empty()) return PhoneError{"is empty"};
  if (input.size() > 64) return PhoneError{"is too long to be a phone number"};
  PhoneNumber number;
  auto rc = util.Parse(std::string(input), std::string(default_region), &number);
  if (rc != PhoneNumberUtil::NO_PARSING_ERROR)
    return PhoneError{"'" + std::string(input) + "' is not a phone number"};
  if (!util.IsValidNumber(number))
    return PhoneError{"'" + std::string(input) + "' is not a valid phone number"};
  std::string e164;
  util.Format(number, PhoneNumberUtil::E164, &e164);
  return e164;
}

bool is_known_region(std::string_view region) {
  const PhoneNumberUtil& util = *PhoneNumberUtil::GetInstance();
  return util.GetCountryCodeForRegion(std::string(region)) != 0;
}

}  // namespace dialerd::domain
