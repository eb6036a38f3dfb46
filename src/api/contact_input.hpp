#pragma once
// One contact record as clients send it (POST /v1/campaigns, .../contacts, /v1/calls): validated into a
// ContactInput, every error naming the record's field.
#include <string>
#include <vector>

#include "common.hpp"
#include "dialerd/domain/contact.hpp"

namespace dialerd::api {

// A CSV upload as the same records a JSON body carries: one object per row, header -> cell. Empty cells
// are left out; max_retries is read as a number. 400 invalid_csv naming the line when it does not parse.
json csv_records(const std::string& text);
// `at` names the record in errors ("contacts[3]"); national numbers are read in `region`; a not_before is
// checked against `now` (parse_not_before).
domain::ContactInput parse_contact(const json& rec, const std::string& at, const std::string& region,
                                   domain::UnixMs now);
// A callback time at `field` (docs/SCHEDULING.md, "Callbacks at a set time"): RFC 3339, or Unix
// milliseconds as a number or a string of digits (a CSV cell); null is none. At most a day in the past (a
// past time means due now; further back is taken for a mistake, such as seconds for milliseconds) and at
// most 366 days ahead.
std::optional<domain::UnixMs> parse_not_before(const json& v, const std::string& field, domain::UnixMs now);
// A call's priority: an integer (or a string of digits: a CSV cell, a query parameter) 0..kMaxPriority.
int parse_priority(const json& v, const std::string& field);
// bad_field naming the first of the campaign's required_variables the contact lacks, if any.
void check_required(const domain::ContactInput& c, const std::vector<std::string>& required, const std::string& at);

// A contact-book record (POST /v1/contacts): the same fields, plus external_id and active; fields left out
// are none (the stored record keeps them).
domain::ContactRecordInput parse_record(const json& rec, const std::string& at, const std::string& region);

// A consent record at `at` (docs/COMPLIANCE.md, "Consent"): {type, source, captured_at, expires_at,
// revoked_at}, times in RFC 3339; and as the API shows one.
domain::Consent parse_consent(const json& v, const std::string& at);
json consent_json(const domain::Consent& c);

// The workspace's record a request names at `at` by contact id ("ctc_12") or by customer id (its
// external_id); a list by id ("lst_3"). 400 invalid_field for a malformed id, 400 unknown_contact /
// unknown_list naming the field and the value for one the workspace does not have (another workspace's
// looks the same).
domain::Contact find_contact(Context& ctx, const std::string& workspace, const json& ref, const std::string& at);
domain::Contact find_customer(Context& ctx, const std::string& workspace, const json& ref, const std::string& at);
domain::ListId find_list(Context& ctx, const std::string& workspace, const json& ref, const std::string& at);
// A customer's own id (a contact's external_id) at `at`: a string of 1..255 bytes, or an integer read as its
// decimal text.
std::string external_id_of(const json& v, const std::string& at);
// body[key] as an array of at most `max` elements (none when absent or null); 400 naming `key` otherwise.
std::vector<json> id_array(const json& body, const char* key, std::size_t max);

}  // namespace dialerd::api
