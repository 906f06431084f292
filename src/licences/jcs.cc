#include "licences/jcs.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

#include "base/utf8.h"

namespace tongban::licences {
namespace {

// UTF-8 to UTF-16 code units; false on malformed input.
bool ToUtf16(std::string_view s, std::u16string& out) {
  out.clear();
  for (size_t i = 0; i < s.size();) {
    const utf8::Decoded d = utf8::Decode(s, i);
    if (!d.valid) return false;
    i += d.length;
    char32_t cp = d.code_point;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xD800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xDC00 + (cp & 0x3FF)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return true;
}

Status AppendString(std::string_view s, std::string& out) {
  std::u16string check;
  if (!ToUtf16(s, check)) {
    return Error(ErrorCode::kInvalidArgument, "a JSON string is not valid UTF-8");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  for (char ch : s) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\b':
        out += "\\b";
        break;
      case '\f':
        out += "\\f";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 0xF];
        } else {
          out += ch;
        }
    }
  }
  out += '"';
  return Ok();
}

Status Append(const nlohmann::json& v, std::string& out) {
  using Type = nlohmann::json::value_t;
  switch (v.type()) {
    case Type::null:
      out += "null";
      return Ok();
    case Type::boolean:
      out += v.get<bool>() ? "true" : "false";
      return Ok();
    case Type::number_integer:
      out += SerializeNumber(static_cast<double>(v.get<int64_t>()));
      return Ok();
    case Type::number_unsigned:
      out += SerializeNumber(static_cast<double>(v.get<uint64_t>()));
      return Ok();
    case Type::number_float: {
      const double d = v.get<double>();
      if (!std::isfinite(d)) {
        return Error(ErrorCode::kInvalidArgument, "JSON numbers must be finite");
      }
      out += SerializeNumber(d);
      return Ok();
    }
    case Type::string:
      return AppendString(v.get_ref<const std::string&>(), out);
    case Type::array: {
      out += '[';
      bool first = true;
      for (const auto& item : v) {
        if (!first) out += ',';
        first = false;
        TB_RETURN_IF_ERROR(Append(item, out));
      }
      out += ']';
      return Ok();
    }
    case Type::object: {
      std::vector<std::pair<std::u16string, const std::string*>> keys;
      keys.reserve(v.size());
      for (auto it = v.begin(); it != v.end(); ++it) {
        std::u16string utf16;
        if (!ToUtf16(it.key(), utf16)) {
          return Error(ErrorCode::kInvalidArgument, "a JSON member name is not valid UTF-8");
        }
        keys.emplace_back(std::move(utf16), &it.key());
      }
      std::sort(keys.begin(), keys.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      out += '{';
      bool first = true;
      for (const auto& [utf16, key] : keys) {
        if (!first) out += ',';
        first = false;
        TB_RETURN_IF_ERROR(AppendString(*key, out));
        out += ':';
        TB_RETURN_IF_ERROR(Append(v.at(*key), out));
      }
      out += '}';
      return Ok();
    }
    case Type::binary:
    case Type::discarded:
      break;
  }
  return Error(ErrorCode::kInvalidArgument, "the value is not JSON");
}

}  // namespace

std::string SerializeNumber(double value) {
  if (value == 0) return "0";
  std::string out;
  if (value < 0) {
    out += '-';
    value = -value;
  }
  // The shortest round-trip digits, as "d.ddde±x".
  char buf[64];
  const auto res = std::to_chars(buf, buf + sizeof buf, value, std::chars_format::scientific);
  const std::string_view sci(buf, static_cast<size_t>(res.ptr - buf));
  const size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits += c;
  }
  while (digits.size() > 1 && digits.back() == '0') digits.pop_back();
  const int exponent = std::atoi(std::string(sci.substr(e + 1)).c_str());
  const int k = static_cast<int>(digits.size());
  const int n = exponent + 1;  // value = 0.digits × 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out += digits.substr(0, static_cast<size_t>(n));
    out += '.';
    out += digits.substr(static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out += digits[0];
    if (k > 1) {
      out += '.';
      out += digits.substr(1);
    }
    out += 'e';
    out += n - 1 >= 0 ? '+' : '-';
    out += std::to_string(std::abs(n - 1));
  }
  return out;
}

Result<std::string> Canonicalize(const nlohmann::json& value) {
  std::string out;
  TB_RETURN_IF_ERROR(Append(value, out));
  return out;
}

}  // namespace tongban::licences
