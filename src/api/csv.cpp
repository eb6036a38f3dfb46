#include "csv.hpp"

namespace dialerd::api {

std::variant<CsvTable, std::string> parse_csv(std::string_view text) {
  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);
  CsvTable table;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false, field_started = false, record_started = false;
  std::size_t line = 1, record_line = 1;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_started = false;
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
        }
      } else {
        if (c == '\n') ++line;
        field.push_back(c);
      }
      continue;
    }
    if (c == '"') {
      if (field_started) return "line " + std::to_string(line) + ": a quote inside an unquoted field";
      quoted = field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      // CRLF: the \n ends the record
    } else if (c == '\n') {
      end_record();
      ++line;
    } else {
      if (field_started && !field.empty() && text[i - 1] == '"')
        return "line " + std::to_string(line) + ": text after a closing quote";
      field.push_back(c);
      field_started = true;
    }
  }
  if (quoted) return "line " + std::to_string(record_line) + ": a quoted field is not closed";
  if (record_started) end_record();
  if (table.header.empty()) return std::string("no header row");
  for (auto& h : table.header) {
    while (!h.empty() && (h.back() == ' ' || h.back() == '\t')) h.pop_back();
    while (!h.empty() && (h.front() == ' ' || h.front() == '\t')) h.erase(h.begin());
    if (h.empty()) return std::string("line 1: the header has an empty column name");
  }
  for (std::size_t i = 0; i < table.header.size(); ++i)
    for (std::size_t j = i + 1; j < table.header.size(); ++j)
      if (table.header[i] == table.header[j]) return "line 1: column \"" + table.header[i] + "\" appears twice";
  return table;
}

}  // namespace dialerd::api
