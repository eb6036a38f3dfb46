#include "dialerd/domain/dnc.hpp"

namespace dialerd::domain {

namespace {

constexpr UnixMs kDayMs = 24LL * 3600 * 1000;

}  // namespace

bool DncList::stale(UnixMs now) const {
  if (!max_age_days) return false;
  if (!as_of) return true;
  return now >= *as_of + *max_age_days * kDayMs;
}

std::optional<UnixMs> DncList::stale_at() const {
  if (!max_age_days || !as_of) return std::nullopt;
  return *as_of + *max_age_days * kDayMs;
}

std::int64_t dnc_key(std::string_view e164) {
  if (e164.size() < 2 || e164.size() > 16 || e164[0] != '+' || e164[1] == '0') return 0;
  std::int64_t key = 0;
  for (char c : e164.substr(1)) {
    if (c < '0' || c > '9') return 0;
    key = key * 10 + (c - '0');
  }
  return key;
}

std::string dnc_phone(std::int64_t key) {
  std::string out = "+";  // not "+" + to_string(): g++ 12 -O3 reports a false -Wrestrict on that
  out += std::to_string(key);
  return out;
}

std::int64_t parse_dnc_number(std::string_view text, std::string& error) {
  char digits[16];
  std::size_t n = 0;
  bool plus = false, any = false;
  for (char c : text) {
    if (c >= '0' && c <= '9') {
      if (n == sizeof digits) {
        error = "too many digits for a phone number";
        return 0;
      }
      digits[n++] = c;
      any = true;
    } else if (c == '+' && !any && !plus) {
      plus = true;
    } else if (c == ' ' || c == '\t' || c == '-' || c == '.' || c == '(' || c == ')' || c == '"' || c == '\r') {
      continue;
    } else {
      error = std::string("unexpected character '") + c + "'";
      return 0;
    }
  }
  if (n == 0) {
    error = "no digits";
    return 0;
  }
  std::size_t start = 0;  // where the national number starts, for a NANP number
  bool nanp = false;
  if (plus) {
    if (digits[0] == '0') {
      error = "an E.164 number's country code does not start with 0";
      return 0;
    }
    if (n < 8 || n > 15) {
      error = "an E.164 number has 8 to 15 digits";
      return 0;
    }
    nanp = digits[0] == '1';
    start = 1;
  } else if (n == 10) {
    nanp = true;
  } else if (n == 11 && digits[0] == '1') {
    nanp = true;
    start = 1;
  } else {
    error = "not an E.164 number (+ and country code) or a 10-digit NANP number";
    return 0;
  }
  if (nanp) {
    if (n - start != 10) {
      error = "a NANP number has 10 digits after the country code 1";
      return 0;
    }
    if (digits[start] < '2' || digits[start + 3] < '2') {
      error = "a NANP area code and exchange do not start with 0 or 1";
      return 0;
    }
  }
  std::int64_t key = nanp && !plus && start == 0 ? 1 : 0;
  for (std::size_t i = 0; i < n; ++i) key = key * 10 + (digits[i] - '0');
  return key;
}

}  // namespace dialerd::domain
