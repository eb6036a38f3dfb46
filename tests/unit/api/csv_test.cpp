#include <catch2/catch.hpp>

#include "api/csv.hpp"

using dialerd::api::CsvTable;
using dialerd::api::parse_csv;

namespace {
CsvTable ok(std::string_view text) {
  auto r = parse_csv(text);
  if (!r) FAIL(r.error());
  return *r;
}
std::string bad(std::string_view text) {
  auto r = parse_csv(text);
  REQUIRE_FALSE(r.has_value());
  return r.error();
}
}  // namespace

TEST_CASE("csv: header and records") {
  auto t = ok("phone_number,first_name\n+14155550101,Ann\n+14155550102,Bo\n");
  CHECK(t.header == std::vector<std::string>{"phone_number", "first_name"});
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[1] == std::vector<std::string>{"+14155550102", "Bo"});
  CHECK(t.row_lines == std::vector<std::size_t>{2, 3});
}

TEST_CASE("csv: quotes embedded commas and newlines and doubled quotes") {
  auto t = ok(
      "phone_number,note\n\"+14155550101\",\"Smith, John\"\n+14155550102,\"two\nlines\"\n+1415,\"say \"\"hi\"\"\"\n");
  REQUIRE(t.rows.size() == 3);
  CHECK(t.rows[0][1] == "Smith, John");
  CHECK(t.rows[1][1] == "two\nlines");
  CHECK(t.rows[2][1] == "say \"hi\"");
  CHECK(t.row_lines == std::vector<std::size_t>{2, 3, 5});
}

TEST_CASE("csv: a UTF-8 BOM and CRLF line ends and blank lines and no final newline") {
  auto t = ok("\xEF\xBB\xBFphone_number,city\r\n+14155550101,Z\xC3\xBCrich\r\n\r\n+14155550102,Oslo");
  CHECK(t.header[0] == "phone_number");
  REQUIRE(t.rows.size() == 2);
  CHECK(t.rows[0][1] == "Z\xC3\xBCrich");
  CHECK(t.rows[1][1] == "Oslo");
  CHECK(ok("phone_number, first_name \n1,2\n").header[1] == "first_name");
  CHECK(ok("a,b\n1,\n").rows[0] == std::vector<std::string>{"1", ""});
}

TEST_CASE("csv: malformed input says what and where") {
  CHECK(bad("") == "no header row");
  CHECK(bad("phone_number,note\n1,\"open\n") == "line 2: a quoted field is not closed");
  CHECK(bad("phone_number,note\n1,ab\"c\"\n") == "line 2: a quote inside an unquoted field");
  CHECK(bad("phone_number,note\n1,\"ab\"c\n") == "line 2: text after a closing quote");
  CHECK(bad("phone_number,note\n1,\"\"x\n") == "line 2: text after a closing quote");  // an empty quoted field too
  CHECK(bad("phone_number,note\n1,\"a\" \n") == "line 2: text after a closing quote");
  CHECK(ok("phone_number,note\n1,\"\"\r\n2,\"\"\"\"\n").rows ==
        std::vector<std::vector<std::string>>{{"1", ""}, {"2", "\""}});
  CHECK(bad("phone_number,,x\n") == "line 1: the header has an empty column name");
  CHECK(bad("a,a\n1,2\n") == "line 1: column \"a\" appears twice");
}

// Regression (fuzz_api): a cell that was not UTF-8 went into a JSON record, which threw when dumped, and
// POST /v1/campaigns/{id}/contacts answered 500 (or 207 "could not store this chunk" for a variable).
TEST_CASE("csv: text that is not UTF-8 is refused naming the line") {
  CHECK(bad("phone_number,note\n+14155550101,caf\xE9\n") == "line 2: not valid UTF-8 (byte 0xE9)");
  CHECK(bad("phone_number,note\n1,\"two\nlines\xFF\"\n") == "line 3: not valid UTF-8 (byte 0xFF)");
  CHECK(bad("phone_\xC0\xAFnumber\n1\n") == "line 1: not valid UTF-8 (byte 0xC0)");         // overlong '/'
  CHECK(bad("phone_number\n\xED\xA0\x80\n") == "line 2: not valid UTF-8 (byte 0xED)");      // a surrogate
  CHECK(bad("phone_number\n\xF4\x90\x80\x80\n") == "line 2: not valid UTF-8 (byte 0xF4)");  // past U+10FFFF
  CHECK(bad("phone_number\n\xE2\x82") == "line 2: not valid UTF-8 (byte 0xE2)");            // cut short
  CHECK(ok("phone_number,city\n1,Z\xC3\xBCrich \xE2\x82\xAC \xF0\x9F\x93\x9E \xEF\xBF\xBF\n").rows[0][1] ==
        "Z\xC3\xBCrich \xE2\x82\xAC \xF0\x9F\x93\x9E \xEF\xBF\xBF");
}

TEST_CASE("csv: a written cell is quoted when it must be and read back as it was") {
  using dialerd::api::append_csv_cell;
  auto cell = [](std::string_view text, bool guard) {
    std::string out;
    append_csv_cell(out, text, guard);
    return out;
  };
  CHECK(cell("plain", true) == "plain");
  CHECK(cell("", true) == "");
  CHECK(cell("a,b", true) == "\"a,b\"");
  CHECK(cell("say \"hi\"", true) == "\"say \"\"hi\"\"\"");
  CHECK(cell("two\nlines", true) == "\"two\nlines\"");
  CHECK(cell(" padded ", true) == "\" padded \"");
  CHECK(cell("{\"plan\":\"gold\"}", true) == "\"{\"\"plan\"\":\"\"gold\"\"}\"");
  // What a spreadsheet would run as a formula stays text; numbers the daemon wrote are left alone.
  CHECK(cell("=HYPERLINK(\"http://x\")", true) == "\"'=HYPERLINK(\"\"http://x\"\")\"");
  CHECK(cell("+1 call me", true) == "\"'+1 call me\"");
  CHECK(cell("-2", true) == "\"'-2\"");
  CHECK(cell("@SUM(A1)", true) == "\"'@SUM(A1)\"");
  CHECK(cell("+14155550100", false) == "+14155550100");
  // Read back by the importer's parser: the same cells.
  std::string line = "h1,h2,h3\r\n";
  append_csv_cell(line, "a,\"b\"\nc", true);
  line += ",";
  append_csv_cell(line, " x ", true);
  line += ",";
  append_csv_cell(line, "=1+1", true);
  line += "\r\n";
  auto table = ok(line);
  REQUIRE(table.rows.size() == 1);
  CHECK(table.rows[0] == std::vector<std::string>{"a,\"b\"\nc", " x ", "'=1+1"});
}
