#include "contact_input.hpp"

#include <array>
#include <set>

#include "csv.hpp"
#include "dialerd/domain/contact.hpp"
#include "dialerd/domain/phone.hpp"
#include "dialerd/schedule/retry.hpp"
#include "dialerd/schedule/time.hpp"

namespace dialerd::api {

using namespace domain;

namespace {
const std::set<std::string> kContactNamed = {"phone_number", "phoneNumber", "to_number",   "first_name", "last_name",
                                             "variables",    "timezone",    "max_retries", "not_before", "priority"};
}  // namespace

std::optional<UnixMs> parse_not_before(const json& v, const std::string& field, UnixMs now) {
  if (v.is_null()) return std::nullopt;
  std::optional<UnixMs> t;
  if (v.is_number_integer()) {
    t = v.get<std::int64_t>();
  } else if (v.is_string()) {
    t = util::parse_rfc3339_or_ms(v.get<std::string>());
  }
  if (!t)
    bad_field(field, "must be an RFC 3339 time such as 2026-01-31T15:00:00-05:00, or Unix milliseconds (a number)");
  if (*t < now - schedule::kCallbackPastMs)
    bad_field(field, util::format_rfc3339(*t) +
                         " is more than a day in the past (Unix milliseconds are expected, not seconds); give a "
                         "time from now on, or leave it out to call as soon as the rules allow");
  if (*t > now + schedule::kCallbackAheadMs)
    bad_field(field, util::format_rfc3339(*t) + " is more than 366 days ahead");
  return t;
}

int parse_priority(const json& v, const std::string& field) {
  std::optional<std::int64_t> n;
  if (v.is_number_integer() && !(v.is_number_unsigned() && v.get<std::uint64_t>() > kMaxPriority)) {
    n = v.get<std::int64_t>();
  } else if (v.is_string()) {  // a CSV cell, a query parameter
    const auto& text = v.get_ref<const std::string&>();
    if (!text.empty() && text.size() <= 3 && is_digits(text)) n = std::stoll(text);
  }
  if (!n || *n < 0 || *n > kMaxPriority)
    bad_field(field, "must be an integer from 0 to " + std::to_string(kMaxPriority) +
                         " (higher goes first; 0, the default, last)" + (v.is_number() ? ", got " + v.dump() : ""));
  return static_cast<int>(*n);
}

// A CSV upload as the same records a JSON body carries: one object per row, header -> cell. Empty cells
// are left out; max_retries is read as a number.
json csv_records(const std::string& text) {
  auto parsed = parse_csv(text);
  if (!parsed) throw BadRequest(400, "invalid_csv", "CSV: " + parsed.error());
  const auto& table = *parsed;
  bool has_phone = false;
  for (const auto& h : table.header) has_phone |= h == "phone_number" || h == "phoneNumber" || h == "to_number";
  if (!has_phone) throw BadRequest(400, "invalid_csv", "CSV: the header needs a phone_number column", "phone_number");
  json records = json::array();
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto& row = table.rows[r];
    if (row.size() != table.header.size())
      throw BadRequest(400, "invalid_csv",
                       "CSV line " + std::to_string(table.row_lines[r]) + ": " + std::to_string(row.size()) +
                           " fields, the header has " + std::to_string(table.header.size()));
    json rec = json::object();
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (row[i].empty()) continue;
      const auto& name = table.header[i];
      if (name == "max_retries" && row[i].size() <= 3 && is_digits(row[i]))
        rec[name] = std::stoi(row[i]);
      else
        rec[name] = row[i];
    }
    records.push_back(std::move(rec));
  }
  return records;
}

ContactInput parse_contact(const json& rec, const std::string& at, const std::string& region, UnixMs now) {
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
  if (rec.contains("not_before")) c.not_before = parse_not_before(rec["not_before"], at + ".not_before", now);
  if (rec.contains("priority") && !rec["priority"].is_null())
    c.priority = parse_priority(rec["priority"], at + ".priority");
  return c;
}

void check_required(const ContactInput& c, const std::vector<std::string>& required, const std::string& at) {
  auto missing = missing_required(c, required);
  if (!missing.empty()) bad_field(at + "." + missing.front(), "is required by the campaign's required_variables");
}

namespace {
// A CSV row names a consent's fields in columns of their own.
constexpr std::array<std::pair<const char*, const char*>, 5> kConsentColumns = {{{"consent_type", "type"},
                                                                                 {"consent_source", "source"},
                                                                                 {"consent_captured_at", "captured_at"},
                                                                                 {"consent_expires_at", "expires_at"},
                                                                                 {"consent_revoked_at", "revoked_at"}}};

bool is_consent_key(const std::string& k) {
  if (k == "consent") return true;
  for (const auto& [column, _] : kConsentColumns)
    if (k == column) return true;
  return false;
}

std::optional<UnixMs> consent_time(const json& v, const char* key, const std::string& at) {
  if (!v.contains(key) || v[key].is_null()) return std::nullopt;
  const json& t = v[key];
  auto parsed = t.is_string() ? util::parse_rfc3339(t.get<std::string>()) : std::nullopt;
  if (!parsed) bad_field(at + "." + key, "must be an RFC 3339 time such as 2026-01-31T12:00:00Z");
  return parsed;
}
}  // namespace

Consent parse_consent(const json& v, const std::string& at) {
  if (!v.is_object()) bad_field(at, "must be an object {type, source, captured_at, expires_at, revoked_at}");
  for (const auto& [k, _] : v.items())
    if (k != "type" && k != "source" && k != "captured_at" && k != "expires_at" && k != "revoked_at")
      bad_field(at + "." + k, "unknown field (type, source, captured_at, expires_at, revoked_at)");
  Consent c;
  auto type = opt_string(v, "type", at + ".type", 32);
  if (!type) bad_field(at + ".type", "is required: express_written, express or none");
  auto parsed = consent_type_from(*type);
  if (!parsed) bad_field(at + ".type", "must be express_written, express or none, got '" + *type + "'");
  c.type = *parsed;
  c.source = opt_string(v, "source", at + ".source", 255).value_or("");
  c.captured_at = consent_time(v, "captured_at", at);
  c.expires_at = consent_time(v, "expires_at", at);
  c.revoked_at = consent_time(v, "revoked_at", at);
  if (c.type != ConsentType::none) {
    // What an audit asks of consent: where and when it was given.
    if (c.source.empty()) bad_field(at + ".source", "is required for " + *type + " consent (where it was captured)");
    if (!c.captured_at) bad_field(at + ".captured_at", "is required for " + *type + " consent");
  }
  if (c.captured_at && c.expires_at && *c.expires_at <= *c.captured_at)
    bad_field(at + ".expires_at", "must be after captured_at");
  if (c.captured_at && c.revoked_at && *c.revoked_at < *c.captured_at)
    bad_field(at + ".revoked_at", "must not be before captured_at");
  return c;
}

json consent_json(const Consent& c) {
  auto time = [](const std::optional<UnixMs>& t) { return t ? json(util::format_rfc3339(*t)) : json(nullptr); };
  return {{"type", to_string(c.type)},
          {"source", c.source},
          {"captured_at", time(c.captured_at)},
          {"expires_at", time(c.expires_at)},
          {"revoked_at", time(c.revoked_at)}};
}

ContactRecordInput parse_record(const json& rec, const std::string& at, const std::string& region) {
  if (rec.is_object() && rec.contains("max_retries"))
    bad_field(at + ".max_retries", "is a call's setting, not a contact's: give it with a campaign's contacts");
  for (const char* k : {"not_before", "priority"})
    if (rec.is_object() && rec.contains(k) && !rec[k].is_null())
      bad_field(at + "." + k, "is a call's setting, not a contact's: give it with a campaign's contacts");
  auto c = parse_contact(rec, at, region, 0);  // no not_before: `now` is not read
  // A field that is null is left out, as an empty CSV cell is: the stored record keeps it.
  auto given = [&](const char* k) { return rec.contains(k) && !rec[k].is_null(); };
  ContactRecordInput out;
  out.phone = c.phone;
  if (given("first_name")) out.first_name = c.first_name;
  if (given("last_name")) out.last_name = c.last_name;
  out.timezone = c.timezone;
  // What parse_contact took for variables but the contact book names.
  if (auto it = c.variables.find("external_id"); it != c.variables.end()) {
    if (!it->is_null()) out.external_id = external_id_of(*it, at + ".external_id");
    c.variables.erase(it);
  }
  if (auto it = c.variables.find("active"); it != c.variables.end() && it->is_null()) c.variables.erase(it);
  if (auto it = c.variables.find("active"); it != c.variables.end()) {
    // A CSV cell is text: true/false, 1/0 and yes/no are read as the flag.
    if (it->is_boolean()) {
      out.active = it->get<bool>();
    } else {
      auto text = it->is_string() ? it->get<std::string>() : std::string();
      if (text == "true" || text == "1" || text == "yes")
        out.active = true;
      else if (text == "false" || text == "0" || text == "no")
        out.active = false;
      else
        bad_field(at + ".active", "must be true or false");
    }
    c.variables.erase(it);
  }
  // Consent: an object (JSON), or a column per field (CSV).
  if (rec.contains("consent") && !rec["consent"].is_null()) {
    for (const auto& [column, _] : kConsentColumns)
      if (rec.contains(column))
        bad_field(at + "." + column, "give consent as an object or as consent_* columns, not both");
    out.consent = parse_consent(rec["consent"], at + ".consent");
  } else {
    json flat = json::object();
    for (const auto& [column, field] : kConsentColumns)
      if (rec.contains(column) && !rec[column].is_null()) flat[field] = rec[column];
    if (!flat.empty()) out.consent = parse_consent(flat, at + ".consent");
  }
  for (auto it = c.variables.begin(); it != c.variables.end();)
    it = is_consent_key(it.key()) ? c.variables.erase(it) : std::next(it);
  bool has_variables = false;
  for (const auto& [k, v] : rec.items())
    has_variables |= (k == "variables" && !v.is_null()) ||
                     (!kContactNamed.count(k) && k != "external_id" && k != "active" && !is_consent_key(k));
  if (has_variables) out.variables = std::move(c.variables);
  return out;
}

namespace {
[[noreturn]] void unknown(const char* code, const std::string& at, const std::string& what) {
  throw BadRequest(400, code, util::escape_control(at) + ": " + what, at);
}
}  // namespace

Contact find_contact(Context& ctx, const std::string& workspace, const json& ref, const std::string& at) {
  if (!ref.is_string()) bad_field(at, "must be a contact id such as ctc_12");
  auto text = ref.get<std::string>();
  auto id = parse_contact_ref(text);
  if (!id) bad_field(at, "'" + text + "' is not a contact id (they look like ctc_12)");
  auto c = ctx.contacts.contact_by_id(workspace, *id);
  if (!c) unknown("unknown_contact", at, "no contact " + text);
  return *c;
}

std::string external_id_of(const json& v, const std::string& at) {
  if (v.is_number_integer()) return std::to_string(v.get<std::int64_t>());
  if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>().size() > 255)
    bad_field(at, "must be a customer id: a string of 1..255 bytes, or an integer");
  return v.get<std::string>();
}

Contact find_customer(Context& ctx, const std::string& workspace, const json& ref, const std::string& at) {
  auto text = external_id_of(ref, at);
  auto c = ctx.contacts.contact_by_external_id(workspace, text);
  if (!c) unknown("unknown_contact", at, "no contact with external_id " + text);
  return *c;
}

ListId find_list(Context& ctx, const std::string& workspace, const json& ref, const std::string& at) {
  if (!ref.is_string()) bad_field(at, "must be a list id such as lst_3");
  auto text = ref.get<std::string>();
  auto id = parse_list_ref(text);
  if (!id) bad_field(at, "'" + text + "' is not a list id (they look like lst_3)");
  if (!ctx.contacts.has_list(workspace, *id)) unknown("unknown_list", at, "no list " + text);
  return *id;
}

std::vector<json> id_array(const json& body, const char* key, std::size_t max) {
  std::vector<json> out;
  if (!body.contains(key) || body[key].is_null()) return out;
  const json& v = body[key];
  if (!v.is_array()) bad_field(key, std::string("must be an array, got ") + v.type_name());
  if (v.size() > max)
    bad_field(key, "may hold at most " + std::to_string(max) + " ids, got " + std::to_string(v.size()));
  out.assign(v.begin(), v.end());
  return out;
}

}  // namespace dialerd::api
