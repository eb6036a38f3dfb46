#include "dialerd/domain/contact.hpp"

#include <charconv>

namespace dialerd::domain {

namespace {
constexpr std::string_view kContactPrefix = "ctc_", kListPrefix = "lst_";

std::optional<std::int64_t> parse_ref(std::string_view ref, std::string_view prefix) {
  if (ref.size() <= prefix.size() || ref.substr(0, prefix.size()) != prefix) return std::nullopt;
  auto digits = ref.substr(prefix.size());
  if (digits.front() == '0') return std::nullopt;  // one spelling per id
  std::int64_t id = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), id);
  if (ec != std::errc() || end != digits.data() + digits.size() || id <= 0) return std::nullopt;
  return id;
}
}  // namespace

std::string contact_ref(ContactId id) {
  return std::string(kContactPrefix) + std::to_string(id);
}
std::string list_ref(ListId id) {
  return std::string(kListPrefix) + std::to_string(id);
}
std::optional<ContactId> parse_contact_ref(std::string_view ref) {
  return parse_ref(ref, kContactPrefix);
}
std::optional<ListId> parse_list_ref(std::string_view ref) {
  return parse_ref(ref, kListPrefix);
}

ContactInput call_input(const Contact& c) {
  ContactInput in;
  in.phone = c.phone;
  in.first_name = c.first_name;
  in.last_name = c.last_name;
  in.timezone = c.timezone;
  if (c.variables.is_object()) in.variables = c.variables;
  // The customer's own id travels with the call as the variable customer_id (what the Veritus kind calls
  // by), unless the record's variables name one.
  if (c.external_id && !in.variables.contains("customer_id")) in.variables["customer_id"] = *c.external_id;
  return in;
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

}  // namespace dialerd::domain
