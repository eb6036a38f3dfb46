#include "contact_input.hpp"

#include <set>

#include "dialerd/domain/phone.hpp"
#include "dialerd/schedule/time.hpp"

namespace dialerd::api {

using namespace domain;

namespace {
const std::set<std::string> kContactNamed = {"phone_number", "phoneNumber", "to_number", "first_name",
                                             "last_name",    "variables",   "timezone",  "max_retries"};
}

ContactInput parse_contact(const json& rec, const std::string& at, const std::string& region) {
  if (!rec.is_object()) bad_field(at, std::string("must be an object, got ") + rec.type_name());
  ContactInput c;
  const char* phone_key = nullptr;
  for (const char* k : {"phone_number", "phoneNumber", "to_number"})
    if (rec.contains(k) && !rec[k].is_null()) {
      if (phone_key) bad_field(at + "." + k, std::string("give only one of phone_number, phoneNumber, to_number"));
      phone_key = k;
    }
  if (!phone_key) bad_field(at + ".phone_number", "is required");
  std::string raw = req_string(rec, phone_key, at + "." + phone_key, 64);
  auto phone = normalize_phone(raw, region);
  if (!phone) bad_field(at + "." + phone_key, phone.error().message);
  c.phone = *phone;
  c.first_name = opt_string(rec, "first_name", at + ".first_name", 255).value_or("");
  c.last_name = opt_string(rec, "last_name", at + ".last_name", 255).value_or("");
  if (rec.contains("variables") && !rec["variables"].is_null()) {
    if (!rec["variables"].is_object()) bad_field(at + ".variables", "must be an object");
    c.variables = rec["variables"];
  }
  // Like addCallsToBatch: any other field of the record is a variable for the agent.
  for (const auto& [k, v] : rec.items())
    if (!kContactNamed.count(k)) c.variables[k] = v;
  c.timezone = opt_string(rec, "timezone", at + ".timezone", 64);
  if (c.timezone && !schedule::is_known_timezone(*c.timezone))
    bad_field(at + ".timezone", "'" + *c.timezone + "' is not a time zone in the tz database");
  if (auto r = opt_int(rec, "max_retries", at + ".max_retries", 0, 10)) c.max_retries = static_cast<int>(*r);
  return c;
}

std::vector<std::string> missing_required(const ContactInput& c, const std::vector<std::string>& required) {
  std::vector<std::string> missing;
  for (const auto& name : required) {
    bool present = (name == "first_name" && !c.first_name.empty()) || (name == "last_name" && !c.last_name.empty()) ||
                   (c.variables.contains(name) && !c.variables[name].is_null() && c.variables[name] != "");
    if (!present) missing.push_back(name);
  }
  return missing;
}

void check_required(const ContactInput& c, const std::vector<std::string>& required, const std::string& at) {
  auto missing = missing_required(c, required);
  if (!missing.empty()) bad_field(at + "." + missing.front(), "is required by the campaign's required_variables");
}

}  // namespace dialerd::api
