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

std::string_view to_string(ConsentType t) {
  switch (t) {
    case ConsentType::none:
      return "none";
    case ConsentType::express:
      return "express";
    case ConsentType::express_written:
      return "express_written";
  }
  return "none";
}

std::optional<ConsentType> consent_type_from(std::string_view text) {
  for (auto t : {ConsentType::none, ConsentType::express, ConsentType::express_written})
    if (to_string(t) == text) return t;
  return std::nullopt;
}

std::string stored_consent(const Consent& c) {
  auto opt = [](const std::optional<UnixMs>& t) { return t ? nlohmann::json(*t) : nlohmann::json(nullptr); };
  return nlohmann::json{{"type", to_string(c.type)},
                        {"source", c.source},
                        {"captured_at", opt(c.captured_at)},
                        {"expires_at", opt(c.expires_at)},
                        {"revoked_at", opt(c.revoked_at)}}
      .dump();
}

std::optional<Consent> consent_from_stored(std::string_view text) {
  auto j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("type") || !j["type"].is_string()) return std::nullopt;
  auto type = consent_type_from(j["type"].get<std::string>());
  if (!type) return std::nullopt;
  Consent c;
  c.type = *type;
  if (j.contains("source") && j["source"].is_string()) c.source = j["source"].get<std::string>();
  // A time of another shape is not "no time": a revocation misread as none would let calls through.
  bool readable = true;
  auto time = [&](const char* key, std::optional<UnixMs>& out) {
    if (!j.contains(key) || j[key].is_null()) return;
    if (j[key].is_number_integer())
      out = j[key].get<UnixMs>();
    else
      readable = false;
  };
  time("captured_at", c.captured_at);
  time("expires_at", c.expires_at);
  time("revoked_at", c.revoked_at);
  if (!readable) return std::nullopt;
  return c;
}

}  // namespace dialerd::domain
