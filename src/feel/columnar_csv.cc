#include "feel/columnar_csv.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <set>
#include <utility>

#include <fmt/format.h>

namespace tongban::feel {
namespace {

struct Field {
  std::string_view text;
  bool quoted = false;
};

// Splits one line into fields; false for an unclosed or misplaced quote. Unescaped quoted
// fields are kept in `scratch` (reserved up front, so the views stay valid).
bool Split(std::string_view line, std::vector<Field>& fields, std::string& scratch) {
  fields.clear();
  scratch.clear();
  scratch.reserve(line.size());
  size_t i = 0;
  while (true) {
    if (i < line.size() && line[i] == '"') {
      const size_t start = scratch.size();
      ++i;
      while (true) {
        if (i >= line.size()) return false;
        if (line[i] == '"') {
          if (i + 1 < line.size() && line[i + 1] == '"') {
            scratch.push_back('"');
            i += 2;
            continue;
          }
          ++i;
          break;
        }
        scratch.push_back(line[i++]);
      }
      fields.push_back({std::string_view(scratch).substr(start), true});
      if (i == line.size()) return true;
      if (line[i] != ',') return false;
      ++i;
      continue;
    }
    const size_t comma = line.find(',', i);
    const size_t end = comma == std::string_view::npos ? line.size() : comma;
    const std::string_view text = line.substr(i, end - i);
    if (text.find('"') != std::string_view::npos) return false;
    fields.push_back({text, false});
    if (comma == std::string_view::npos) return true;
    i = comma + 1;
  }
}

// `-?digits[.digits]` held at `scale`; nullopt when it is not that form, has more fractional
// digits than the scale, or overflows.
std::optional<int64_t> ParseScaled(std::string_view s, int scale) {
  size_t i = 0;
  const bool negative = !s.empty() && s[0] == '-';
  if (negative) ++i;
  int64_t v = 0;
  int digits = 0;
  int fraction = -1;  // digits after the point; -1: no point
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.' && fraction < 0) {
      fraction = 0;
      continue;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (fraction >= 0 && ++fraction > scale) return std::nullopt;
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v)) {
      return std::nullopt;
    }
    ++digits;
  }
  if (digits == 0) return std::nullopt;
  for (int k = std::max(0, fraction); k < scale; ++k) {
    if (__builtin_mul_overflow(v, 10, &v)) return std::nullopt;
  }
  return negative ? -v : v;
}

// The digits after the point of a plain decimal, or nullopt when `s` is not one.
std::optional<int> FractionDigits(std::string_view s) {
  const size_t point = s.find('.');
  const int digits = point == std::string_view::npos ? 0 : static_cast<int>(s.size() - point - 1);
  if (digits > kMaxScale || !ParseScaled(s, digits)) return std::nullopt;
  return digits;
}

ColumnSpec Infer(std::string name, const std::vector<std::string_view>& values) {
  ColumnSpec spec{.name = std::move(name), .type = ColumnType::kString, .scale = 0};
  if (values.empty()) return spec;
  int scale = 0;
  const bool numbers = std::all_of(values.begin(), values.end(), [&](std::string_view v) {
    std::optional<int> d = FractionDigits(v);
    if (d) scale = std::max(scale, *d);
    return d.has_value();
  });
  if (numbers && std::all_of(values.begin(), values.end(), [&](std::string_view v) {
        return ParseScaled(v, scale).has_value();
      })) {
    spec.type = ColumnType::kNumber;
    spec.scale = scale;
  } else if (std::all_of(values.begin(), values.end(),
                         [](std::string_view v) { return v == "true" || v == "false"; })) {
    spec.type = ColumnType::kBoolean;
  } else if (std::all_of(values.begin(), values.end(),
                         [](std::string_view v) { return Date::Parse(v).has_value(); })) {
    spec.type = ColumnType::kDate;
  }
  return spec;
}

std::string_view TypeName(const ColumnSpec& c) {
  switch (c.type) {
    case ColumnType::kNumber:
      return "a number";
    case ColumnType::kString:
      return "a string";
    case ColumnType::kBoolean:
      return "true or false";
    case ColumnType::kDate:
      return "a date (yyyy-mm-dd)";
  }
  return "";
}

}  // namespace

Result<std::vector<ColumnSpec>> ParseColumnSpecs(std::string_view text) {
  std::vector<ColumnSpec> out;
  FieldErrors errors;
  size_t start = 0;
  while (start <= text.size() && !text.empty()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view item = text.substr(start, comma - start);
    start = comma + 1;
    const size_t colon = item.rfind(':');
    if (colon == std::string_view::npos || colon == 0) {
      errors.Add("columns", fmt::format("`{}`: expected name:type", item));
      continue;
    }
    ColumnSpec spec{.name = std::string(item.substr(0, colon))};
    const std::string_view type = item.substr(colon + 1);
    int scale = 0;
    if (type == "number") {
      spec.type = ColumnType::kNumber;
    } else if (type.starts_with("number(") && type.ends_with(")") &&
               std::from_chars(type.data() + 7, type.data() + type.size() - 1, scale).ptr ==
                   type.data() + type.size() - 1 &&
               type.size() > 8 && scale >= 0 && scale <= kMaxScale) {
      spec.type = ColumnType::kNumber;
      spec.scale = scale;
    } else if (type == "string") {
      spec.type = ColumnType::kString;
    } else if (type == "boolean") {
      spec.type = ColumnType::kBoolean;
    } else if (type == "date") {
      spec.type = ColumnType::kDate;
    } else {
      errors.Add("columns",
                 fmt::format("`{}`: the type must be number, number(0..18), string, boolean "
                             "or date",
                             item));
      continue;
    }
    out.push_back(std::move(spec));
  }
  if (!errors.empty()) return errors.ToError("invalid column types");
  return out;
}

Result<CsvRegister> ReadCsv(std::istream& in, const CsvOptions& options) {
  std::string header_line;
  if (!std::getline(in, header_line)) {
    return Error(ErrorCode::kInvalidArgument, "the CSV is empty",
                 {{"csv", "no header line of column names"}});
  }
  if (!header_line.empty() && header_line.back() == '\r') header_line.pop_back();
  std::vector<Field> fields;
  std::string scratch;
  FieldErrors errors;
  if (!Split(header_line, fields, scratch)) errors.Add("csv", "line 1: a misplaced quote");
  std::vector<std::string> names;
  std::set<std::string, std::less<>> seen;
  for (const Field& f : fields) {
    if (f.text.empty()) errors.Add("csv", "line 1: an empty column name");
    if (!seen.insert(std::string(f.text)).second) {
      errors.Add("csv", fmt::format("line 1: the column `{}` appears twice", f.text));
    }
    names.emplace_back(f.text);
  }
  for (const ColumnSpec& c : options.columns) {
    if (!seen.contains(c.name)) {
      errors.Add("columns", fmt::format("`{}` is not a column of the CSV", c.name));
    }
  }
  if (!errors.empty()) return errors.ToError("the CSV header does not fit");

  // The first rows, kept to infer the undeclared columns' types.
  std::vector<std::string> head;
  std::string line;
  while (head.size() < options.infer_rows && std::getline(in, line)) head.push_back(line);

  CsvRegister out;
  std::vector<std::vector<std::string_view>> samples(names.size());
  std::vector<std::vector<Field>> head_fields(head.size());
  std::vector<std::string> head_scratch(head.size());
  for (size_t r = 0; r < head.size(); ++r) {
    std::string_view l = head[r];
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (!Split(l, head_fields[r], head_scratch[r]) || head_fields[r].size() != names.size()) {
      continue;
    }
    for (size_t c = 0; c < names.size(); ++c) {
      const Field& f = head_fields[r][c];
      if (!f.text.empty()) samples[c].push_back(f.text);
    }
  }
  for (size_t c = 0; c < names.size(); ++c) {
    auto declared = std::find_if(options.columns.begin(), options.columns.end(),
                                 [&](const ColumnSpec& s) { return s.name == names[c]; });
    out.columns.push_back(declared != options.columns.end() ? *declared
                                                            : Infer(names[c], samples[c]));
  }

  RegisterBuilder builder(out.columns);
  std::string problem;
  // Checks a row's fields, then adds it; false (and `problem` says why) for a bad row.
  auto add = [&](const std::vector<Field>& row) -> bool {
    if (row.size() != names.size()) {
      problem = fmt::format("{} fields, the header has {}", row.size(), names.size());
      return false;
    }
    std::vector<int64_t> held(row.size());
    for (size_t c = 0; c < row.size(); ++c) {
      const Field& f = row[c];
      const ColumnSpec& spec = out.columns[c];
      if (f.text.empty() && (!f.quoted || spec.type != ColumnType::kString)) continue;
      bool ok = true;
      switch (spec.type) {
        case ColumnType::kNumber: {
          std::optional<int64_t> v = ParseScaled(f.text, spec.scale);
          if (!v) {
            // Other FEEL number forms (1e3), still exactly at the scale.
            std::optional<Decimal> d = Decimal::Parse(f.text);
            std::optional<Decimal> s =
                d ? d->Multiply(*Decimal::Parse(fmt::format("1e{}", spec.scale))) : std::nullopt;
            v = s ? s->ToInt64() : std::nullopt;
          }
          ok = v.has_value();
          if (ok) held[c] = *v;
          break;
        }
        case ColumnType::kBoolean:
          ok = f.text == "true" || f.text == "false";
          break;
        case ColumnType::kDate: {
          std::optional<Date> d = Date::Parse(f.text);
          ok = d.has_value();
          if (ok) held[c] = d->days();
          break;
        }
        case ColumnType::kString:
          break;
      }
      if (!ok) {
        problem =
            spec.type == ColumnType::kNumber && spec.scale > 0
                ? fmt::format(
                      "column `{}`: `{}` is not a number with at most {} "
                      "digits after the point",
                      spec.name, f.text, spec.scale)
                : fmt::format("column `{}`: `{}` is not {}", spec.name, f.text, TypeName(spec));
        return false;
      }
    }
    builder.AddRow();
    for (size_t c = 0; c < row.size(); ++c) {
      const Field& f = row[c];
      const ColumnSpec& spec = out.columns[c];
      if (f.text.empty() && (!f.quoted || spec.type != ColumnType::kString)) continue;
      switch (spec.type) {
        case ColumnType::kNumber:
          builder.SetScaled(c, held[c]);
          break;
        case ColumnType::kBoolean:
          builder.SetBoolean(c, f.text == "true");
          break;
        case ColumnType::kDate:
          builder.SetDate(c, Date::FromDays(held[c]));
          break;
        case ColumnType::kString:
          builder.SetString(c, f.text);
          break;
      }
    }
    return true;
  };
  size_t line_number = 1;
  auto one = [&](std::string_view l) {
    ++line_number;
    if (!l.empty() && l.back() == '\r') l.remove_suffix(1);
    if (l.empty()) return;  // a blank line (the last one, typically) is no row
    bool good = Split(l, fields, scratch);
    if (!good) problem = "an unclosed or misplaced quote";
    if (good) good = add(fields);
    if (!good) {
      ++out.bad_rows;
      if (out.problems.size() < 100) out.problems.push_back({line_number, problem});
    }
  };
  for (const std::string& l : head) one(l);
  head.clear();
  head_fields.clear();
  while (std::getline(in, line)) one(line);
  out.reg = std::move(builder).Build();
  return out;
}

}  // namespace tongban::feel
