// String built-ins (DMN 1.5 §10.3.4.3) beyond the core ones: substring before/after, upper
// and lower case, matches, replace, split (XPath regular expressions), string join.
// Registered as the group "String".
#include <cstdint>

#include "base/utf8.h"
#include "feel/builtins_util.h"
#include "feel/xpath_regex.h"

namespace tongban::feel {
namespace {

using builtins::Fail;

bool Strings(std::span<const Value> args, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (i >= args.size() || !args[i].is(Kind::kString)) return false;
  }
  return true;
}

Value SubstringBefore(std::span<const Value> args, CallContext& ctx) {
  if (!Strings(args, 2)) return Fail(ctx, "substring before", "string and match must be strings");
  size_t at = args[0].string().find(args[1].string());
  if (at == std::string::npos) return Value::String("");
  return Value::String(args[0].string().substr(0, at));
}

Value SubstringAfter(std::span<const Value> args, CallContext& ctx) {
  if (!Strings(args, 2)) return Fail(ctx, "substring after", "string and match must be strings");
  size_t at = args[0].string().find(args[1].string());
  if (at == std::string::npos) return Value::String("");
  return Value::String(args[0].string().substr(at + args[1].string().size()));
}

// Case mapping for the alphabets with simple one-to-one mappings (ASCII, Latin-1, Latin
// Extended-A, Greek, Cyrillic, full-width Latin); other characters, CJK included, unchanged.
uint32_t MapCase(uint32_t c, bool upper) {
  auto shift = [&](uint32_t lo_first, uint32_t lo_last, uint32_t delta) -> std::optional<uint32_t> {
    if (upper && c >= lo_first && c <= lo_last) return c - delta;
    if (!upper && c >= lo_first - delta && c <= lo_last - delta) return c + delta;
    return std::nullopt;
  };
  if (auto r = shift('a', 'z', 32)) return *r;
  if (c != 0xF7 && c != 0xD7) {
    if (auto r = shift(0xE0, 0xFE, 32)) return *r;
  }
  // Latin Extended-A alternates upper and lower case in pairs.
  auto pair = [&](bool upper_is_even) -> uint32_t {
    const bool is_upper = ((c & 1U) == 0) == upper_is_even;
    if (upper && !is_upper) return c - 1;
    if (!upper && is_upper) return c + 1;
    return c;
  };
  if ((c >= 0x100 && c <= 0x137) || (c >= 0x14A && c <= 0x177)) return pair(true);
  if ((c >= 0x139 && c <= 0x148) || (c >= 0x179 && c <= 0x17E)) return pair(false);
  if (c != 0x3C2) {
    if (auto r = shift(0x3B1, 0x3C9, 32)) return *r;
  }
  if (auto r = shift(0x430, 0x44F, 32)) return *r;
  if (auto r = shift(0x450, 0x45F, 80)) return *r;
  if (auto r = shift(0xFF41, 0xFF5A, 32)) return *r;
  return c;
}

std::string ConvertCase(const std::string& s, bool upper) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    // An invalid byte (decoded as U+FFFD, which maps to itself) is copied as it is.
    const utf8::Decoded d = utf8::Decode(s, i);
    const uint32_t m = MapCase(d.code_point, upper);
    if (m == d.code_point) {
      out.append(s, i, d.length);
    } else {
      utf8::Append(out, m);
    }
    i += d.length;
  }
  return out;
}

Value UpperCase(std::span<const Value> args, CallContext& ctx) {
  if (!Strings(args, 1)) return Fail(ctx, "upper case", "string is not a string");
  return Value::String(ConvertCase(args[0].string(), true));
}

Value LowerCase(std::span<const Value> args, CallContext& ctx) {
  if (!Strings(args, 1)) return Fail(ctx, "lower case", "string is not a string");
  return Value::String(ConvertCase(args[0].string(), false));
}

// The optional flags argument: absent or null is "".
std::optional<std::string> Flags(std::span<const Value> args, size_t i) {
  if (i >= args.size() || args[i].is_null()) return std::string();
  if (!args[i].is(Kind::kString)) return std::nullopt;
  return args[i].string();
}

Value Matches(std::span<const Value> args, CallContext& ctx) {
  std::optional<std::string> flags = Flags(args, 2);
  if (!Strings(args, 2) || !flags) return Fail(ctx, "matches", "arguments must be strings");
  Result<bool> r = RegexMatches(args[0].string(), args[1].string(), *flags);
  if (!r.ok()) return Fail(ctx, "matches", r.error().message());
  return Value::Boolean(*r);
}

Value Replace(std::span<const Value> args, CallContext& ctx) {
  std::optional<std::string> flags = Flags(args, 3);
  if (!Strings(args, 3) || !flags) return Fail(ctx, "replace", "arguments must be strings");
  Result<std::string> r =
      RegexReplace(args[0].string(), args[1].string(), args[2].string(), *flags);
  if (!r.ok()) return Fail(ctx, "replace", r.error().message());
  return Value::String(std::move(r).value());
}

Value Split(std::span<const Value> args, CallContext& ctx) {
  if (!Strings(args, 2)) return Fail(ctx, "split", "string and delimiter must be strings");
  Result<std::vector<std::string>> r = RegexSplit(args[0].string(), args[1].string());
  if (!r.ok()) return Fail(ctx, "split", r.error().message());
  std::vector<Value> parts;
  for (std::string& p : *r) parts.push_back(Value::String(std::move(p)));
  return Value::List(std::move(parts));
}

Value StringJoin(std::span<const Value> args, CallContext& ctx) {
  if (!args[0].is(Kind::kList)) return Fail(ctx, "string join", "list is not a list");
  std::string delimiter;
  if (args.size() > 1 && !args[1].is_null()) {
    if (!args[1].is(Kind::kString)) return Fail(ctx, "string join", "delimiter is not a string");
    delimiter = args[1].string();
  }
  std::string out;
  bool first = true;
  for (const Value& v : args[0].list()) {
    if (v.is_null()) continue;  // nulls are skipped, as the spec says
    if (!v.is(Kind::kString)) return Fail(ctx, "string join", "the list holds a non-string");
    if (!first) out += delimiter;
    out += v.string();
    first = false;
  }
  return Value::String(std::move(out));
}

}  // namespace

void RegisterStringBuiltins(Registry& r) {
  r.Add({"substring before", {"string", "match"}, 2, false, SubstringBefore});
  r.Add({"substring after", {"string", "match"}, 2, false, SubstringAfter});
  r.Add({"upper case", {"string"}, 1, false, UpperCase});
  r.Add({"lower case", {"string"}, 1, false, LowerCase});
  r.Add({"matches", {"input", "pattern", "flags"}, 2, false, Matches});
  r.Add({"replace", {"input", "pattern", "replacement", "flags"}, 3, false, Replace});
  r.Add({"split", {"string", "delimiter"}, 2, false, Split});
  r.Add({"string join", {"list", "delimiter"}, 1, false, StringJoin});
}

}  // namespace tongban::feel
