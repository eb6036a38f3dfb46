// The contact book's values: the ids clients see, and the call a record makes.
#include <catch2/catch.hpp>

#include "dialerd/domain/contact.hpp"

using namespace dialerd::domain;

TEST_CASE("contact book: ids read back only as they were written") {
  CHECK(contact_ref(12) == "ctc_12");
  CHECK(list_ref(3) == "lst_3");
  CHECK(parse_contact_ref("ctc_12") == std::optional<ContactId>(12));
  CHECK(parse_list_ref("lst_3") == std::optional<ListId>(3));
  for (const char* bad :
       {"ctc_", "ctc_0", "ctc_012", "ctc_-1", "ctc_1x", "lst_1", "12", "CTC_1", "ctc_99999999999999999999"})
    CHECK_FALSE(parse_contact_ref(bad));
  CHECK_FALSE(parse_list_ref("ctc_1"));
}

TEST_CASE("contact book: a record's call carries its fields and its external id as customer_id") {
  Contact c;
  c.phone = "+14155550101";
  c.first_name = "Ann";
  c.timezone = "America/Chicago";
  c.variables = {{"account", "A1"}};
  c.external_id = "cus-1";
  auto in = call_input(c);
  CHECK(in.phone == c.phone);
  CHECK(in.first_name == "Ann");
  CHECK(in.timezone == c.timezone);
  CHECK(in.variables == nlohmann::json{{"account", "A1"}, {"customer_id", "cus-1"}});
  CHECK(missing_required(in, {"account", "first_name", "last_name", "customer_id"}) ==
        std::vector<std::string>{"last_name"});
  // The record's own customer_id variable wins.
  c.variables["customer_id"] = "own";
  CHECK(call_input(c).variables["customer_id"] == "own");
}

TEST_CASE("contact book: a consent record is stored and read back as it was, and a foreign shape is refused") {
  using namespace dialerd::domain;
  Consent c{ConsentType::express_written, "web form 7", 1750000000000, 1780000000000, std::nullopt};
  auto back = consent_from_stored(stored_consent(c));
  REQUIRE(back);
  CHECK(*back == c);
  CHECK(consent_type_from("express") == ConsentType::express);
  CHECK_FALSE(consent_type_from("implied"));
  CHECK_FALSE(consent_from_stored("not json"));
  CHECK_FALSE(consent_from_stored(R"({"type": "implied"})"));
  CHECK_FALSE(consent_from_stored(R"(["express"])"));
  CHECK_FALSE(consent_from_stored(R"({"type": "express", "revoked_at": "yesterday"})"));
}
