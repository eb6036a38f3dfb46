#include "csv.hpp"

#include <algorithm>

namespace dialerd::api {

namespace {
// Where the first byte that does not begin a well-formed UTF-8 sequence (RFC 3629: no overlong forms, no
// surrogates, nothing past U+10FFFF) is, or npos.
std::size_t invalid_utf8_at(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    // How many continuation bytes follow, and the range of the first one (later ones are always 80..BF).
    std::size_t more = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c >= 0xC2 && c <= 0xDF) {
      more = 1;
    } else if (c >= 0xE0 && c <= 0xEF) {
      more = 2;
      if (c == 0xE0) lo = 0xA0;  // no overlong forms
      if (c == 0xED) hi = 0x9F;  // no surrogates
    } else if (c >= 0xF0 && c <= 0xF4) {
      more = 3;
      if (c == 0xF0) lo = 0x90;  // no overlong forms
      if (c == 0xF4) hi = 0x8F;  // nothing past U+10FFFF
    } else {
      return i;
    }
    if (s.size() - i <= more) return i;
    for (std::size_t k = 1; k <= more; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF)) return i;
    }
    i += more + 1;
  }
  return std::string_view::npos;
}
}  // namespace

util::Result<CsvTable> parse_csv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  // Every cell becomes a JSON string (a variable, a name): bytes that are not UTF-8 could not be stored.
  if (auto at = invalid_utf8_at(text); at != std::string_view::npos) {
    auto line = 1 + std::count(text.begin(), text.begin() + static_cast<std::ptrdiff_t>(at), '\n');
    const char* hex = "0123456789ABCDEF";
    const auto byte = static_cast<unsigned char>(text[at]);
    return util::fail("line " + std::to_string(line) + ": not valid UTF-8 (byte 0x" + hex[byte >> 4] + hex[byte & 15] +
                      ")");
  }
  CsvTable table;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false, record_started = false;
  bool closed = false;  // the field was quoted and its closing quote is behind: only , or a line end may follow
  std::size_t line = 1, record_line = 1;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_started = false;
    closed = false;
  };
  auto end_record = [&] {
    end_field();
    bool blank = record.size() == 1 && record[0].empty();
    if (!blank) {
      if (table.header.empty()) {
        table.header = std::move(record);
      } else {
        table.rows.push_back(std::move(record));
        table.row_lines.push_back(record_line);
      }
    }
    record.clear();
    record_started = false;
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (!record_started) {
      record_started = true;
      record_line = line;
    }
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field.push_back('"');
          ++i;
        } else {
          quoted = false;
          closed = true;
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      if (field_started) return util::fail("line " + std::to_string(line) + ": a quote inside an unquoted field");
      quoted = field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      // CRLF: the \n ends the record
    } else if (c == '\n') {
      end_record();
      ++line;
    } else {
      if (closed) return util::fail("line " + std::to_string(line) + ": text after a closing quote");
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) return util::fail("line " + std::to_string(record_line) + ": a quoted field is not closed");
  if (record_started) end_record();
  if (table.header.empty()) return util::fail("no header row");
  for (auto& h : table.header) {
    while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.pop_back();
    while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.erase(h.begin());
    if (h.empty()) return util::fail("line 1: the header has an empty column name");
  }
  for (std::size_t i = 0; i < table.header.size(); ++i)
    for (std::size_t j = i + 1; j < table.header.size(); ++j)
      if (table.header[i] == table.header[j])
        return util::fail("line 1: column \"" + table.header[i] + "\" appears twice");
  return table;
}

void append_csv_cell(std::string& out, std::string_view cell, bool guard_formula) {
  const bool formula =
      guard_formula && !cell.empty() &&
      (cell[0] == '=' || cell[0] == '+' || cell[0] == '-' || cell[0] == '@' || cell[0] == '\t' || cell[0] == '\r');
  const bool quote = formula || cell.find_first_of(",\"\r\n") != std::string_view::npos ||
                     (!cell.empty() && (cell.front() == ' ' || cell.back() == ' '));
  if (!quote) {
    out.append(cell);
    return;
  }
  out.push_back('"');
  if (formula) out.push_back('\'');
  for (char c : cell) {
    if (c == '"') out.push_back('"');
    out.push_back(c);
  }
  out.push_back('"');
}

}  // namespace dialerd::api
