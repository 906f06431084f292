// XPath 2.0 regex -> PCRE2: a one-pass translator that rejects what XPath forbids (\b, (?=,
// stray {, unescaped [ in a class…) and rewrites what means something else in PCRE2.
#include "feel/xpath_regex.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fmt/format.h>
#include <pcre2.h>

#include <array>
#include <cctype>
#include <optional>

#include "base/utf8.h"

namespace tongban::feel {
namespace {

// Backtracking budget per match call, and the heap it may use (KiB): a catastrophic pattern
// fails in milliseconds instead of running for hours.
constexpr uint32_t kMatchLimit = 10'000'000;
constexpr uint32_t kDepthLimit = 250'000;
constexpr uint32_t kHeapLimitKib = 64 * 1024;
constexpr size_t kMaxPatternLength = 64 * 1024;

Error Invalid(std::string message) {
  return Error(ErrorCode::kInvalidArgument, std::move(message));
}

struct Block {
  std::string_view name;
  uint32_t first;
  uint32_t last;
};

// Unicode blocks XPath names as \p{IsName} (the XML Schema list; the ones a government form
// plausibly uses). An unknown block is an error, never a silent mismatch.
constexpr std::array<Block, 62> kBlocks = {{
    {"BasicLatin", 0x0000, 0x007F},
    {"Latin-1Supplement", 0x0080, 0x00FF},
    {"LatinExtended-A", 0x0100, 0x017F},
    {"LatinExtended-B", 0x0180, 0x024F},
    {"IPAExtensions", 0x0250, 0x02AF},
    {"SpacingModifierLetters", 0x02B0, 0x02FF},
    {"CombiningDiacriticalMarks", 0x0300, 0x036F},
    {"Greek", 0x0370, 0x03FF},
    {"GreekandCoptic", 0x0370, 0x03FF},
    {"Cyrillic", 0x0400, 0x04FF},
    {"Armenian", 0x0530, 0x058F},
    {"Hebrew", 0x0590, 0x05FF},
    {"Arabic", 0x0600, 0x06FF},
    {"Syriac", 0x0700, 0x074F},
    {"Thaana", 0x0780, 0x07BF},
    {"Devanagari", 0x0900, 0x097F},
    {"Bengali", 0x0980, 0x09FF},
    {"Gurmukhi", 0x0A00, 0x0A7F},
    {"Gujarati", 0x0A80, 0x0AFF},
    {"Tamil", 0x0B80, 0x0BFF},
    {"Thai", 0x0E00, 0x0E7F},
    {"Lao", 0x0E80, 0x0EFF},
    {"Tibetan", 0x0F00, 0x0FFF},
    {"Myanmar", 0x1000, 0x109F},
    {"Georgian", 0x10A0, 0x10FF},
    {"HangulJamo", 0x1100, 0x11FF},
    {"Ethiopic", 0x1200, 0x137F},
    {"Cherokee", 0x13A0, 0x13FF},
    {"Mongolian", 0x1800, 0x18AF},
    {"LatinExtendedAdditional", 0x1E00, 0x1EFF},
    {"GreekExtended", 0x1F00, 0x1FFF},
    {"GeneralPunctuation", 0x2000, 0x206F},
    {"SuperscriptsandSubscripts", 0x2070, 0x209F},
    {"CurrencySymbols", 0x20A0, 0x20CF},
    {"LetterlikeSymbols", 0x2100, 0x214F},
    {"NumberForms", 0x2150, 0x218F},
    {"Arrows", 0x2190, 0x21FF},
    {"MathematicalOperators", 0x2200, 0x22FF},
    {"MiscellaneousTechnical", 0x2300, 0x23FF},
    {"EnclosedAlphanumerics", 0x2460, 0x24FF},
    {"BoxDrawing", 0x2500, 0x257F},
    {"BlockElements", 0x2580, 0x259F},
    {"GeometricShapes", 0x25A0, 0x25FF},
    {"MiscellaneousSymbols", 0x2600, 0x26FF},
    {"Dingbats", 0x2700, 0x27BF},
    {"CJKRadicalsSupplement", 0x2E80, 0x2EFF},
    {"KangxiRadicals", 0x2F00, 0x2FDF},
    {"CJKSymbolsandPunctuation", 0x3000, 0x303F},
    {"Hiragana", 0x3040, 0x309F},
    {"Katakana", 0x30A0, 0x30FF},
    {"Bopomofo", 0x3100, 0x312F},
    {"HangulCompatibilityJamo", 0x3130, 0x318F},
    {"EnclosedCJKLettersandMonths", 0x3200, 0x32FF},
    {"CJKCompatibility", 0x3300, 0x33FF},
    {"CJKUnifiedIdeographsExtensionA", 0x3400, 0x4DBF},
    {"CJKUnifiedIdeographs", 0x4E00, 0x9FFF},
    {"YiSyllables", 0xA000, 0xA48F},
    {"HangulSyllables", 0xAC00, 0xD7AF},
    {"PrivateUse", 0xE000, 0xF8FF},
    {"CJKCompatibilityIdeographs", 0xF900, 0xFAFF},
    {"HalfwidthandFullwidthForms", 0xFF00, 0xFFEF},
    {"Specials", 0xFFF0, 0xFFFF},
}};

// Class bodies (without brackets) for the XPath escapes that differ from PCRE2's.
constexpr std::string_view kNameStart = "\\p{L}\\p{Nl}_:";
constexpr std::string_view kNameChar =
    "\\p{L}\\p{Nl}\\p{Mn}\\p{Mc}\\p{Nd}\\p{Pc}\\p{Lm}._:\\-\\x{B7}";
constexpr std::string_view kSpace = " \\t\\n\\r";

class Translator {
 public:
  Translator(std::string_view p, bool dot_all, bool extended)
      : p_(p), dot_all_(dot_all), extended_(extended) {}

  Result<std::string> Run() {
    std::string out;
    int depth = 0;
    bool can_quantify = false;
    while (i_ < p_.size()) {
      char c = p_[i_];
      if (extended_ && (c == ' ' || c == '\t' || c == '\n' || c == '\r')) {
        ++i_;
        continue;
      }
      switch (c) {
        case '\\': {
          TB_ASSIGN_OR_RETURN(std::string esc, Escape(/*in_class=*/false));
          out += esc;
          can_quantify = true;
          break;
        }
        case '[': {
          TB_ASSIGN_OR_RETURN(std::string cls, Class());
          out += cls;
          can_quantify = true;
          break;
        }
        case '(':
          ++i_;
          if (i_ < p_.size() && p_[i_] == '?') {
            if (i_ + 1 < p_.size() && p_[i_ + 1] == ':') {
              i_ += 2;
              out += "(?:";
            } else {
              return Invalid(fmt::format("regular expression: '(?' at {} is not XPath", i_));
            }
          } else {
            out += '(';
            ++groups_;
          }
          ++depth;
          can_quantify = false;
          break;
        case ')':
          if (depth == 0) return Invalid("regular expression: unbalanced ')'");
          --depth;
          ++i_;
          out += ')';
          can_quantify = true;
          break;
        case '.':
          ++i_;
          out += dot_all_ ? "(?s:.)" : "[^\\n\\r]";
          can_quantify = true;
          break;
        case '*':
        case '+':
        case '?':
        case '{': {
          if (!can_quantify) {
            return Invalid(fmt::format("regular expression: quantifier at {} follows nothing", i_));
          }
          TB_ASSIGN_OR_RETURN(std::string q, Quantifier());
          out += q;
          can_quantify = false;
          break;
        }
        case ']':
        case '}':
          return Invalid(fmt::format("regular expression: unescaped '{}' at {}", c, i_));
        case '|':
        case '^':
        case '$':
          ++i_;
          out += c;
          can_quantify = false;
          break;
        default:
          out += p_[i_++];
          can_quantify = true;
      }
    }
    if (depth != 0) return Invalid("regular expression: unbalanced '('");
    return out;
  }

 private:
  // *, +, ?, {n}, {n,}, {n,m}, each optionally followed by a lazy '?'.
  Result<std::string> Quantifier() {
    std::string out;
    char c = p_[i_];
    if (c == '{') {
      size_t j = i_ + 1;
      size_t start = j;
      while (j < p_.size() && isdigit(static_cast<unsigned char>(p_[j])) != 0) ++j;
      if (j == start) return Invalid("regular expression: '{' must start a quantifier {n,m}");
      std::string_view low = p_.substr(start, j - start);
      std::string_view high;
      bool comma = false;
      if (j < p_.size() && p_[j] == ',') {
        comma = true;
        size_t hs = ++j;
        while (j < p_.size() && isdigit(static_cast<unsigned char>(p_[j])) != 0) ++j;
        high = p_.substr(hs, j - hs);
      }
      if (j >= p_.size() || p_[j] != '}') {
        return Invalid("regular expression: unterminated quantifier {n,m}");
      }
      if (!high.empty() && std::stoull(std::string(high)) < std::stoull(std::string(low))) {
        return Invalid("regular expression: quantifier {n,m} with m < n");
      }
      out = p_.substr(i_, j + 1 - i_);
      (void)comma;
      i_ = j + 1;
    } else {
      out = c;
      ++i_;
    }
    if (i_ < p_.size() && p_[i_] == '?') {
      out += '?';
      ++i_;
    }
    if (i_ < p_.size() && (p_[i_] == '*' || p_[i_] == '+' || p_[i_] == '?' || p_[i_] == '{')) {
      return Invalid(fmt::format("regular expression: double quantifier at {}", i_));
    }
    return out;
  }

  // \p{..} or \P{..} after the backslash and letter; i_ is at '{'.
  Result<std::string> Property(bool negated, bool in_class) {
    if (i_ >= p_.size() || p_[i_] != '{') return Invalid("regular expression: \\p needs {name}");
    size_t end = p_.find('}', i_);
    if (end == std::string_view::npos) return Invalid("regular expression: unterminated \\p{");
    std::string_view name = p_.substr(i_ + 1, end - i_ - 1);
    i_ = end + 1;
    if (name.starts_with("Is")) {
      std::string_view block = name.substr(2);
      for (const Block& b : kBlocks) {
        if (b.name == block) {
          std::string range = fmt::format("\\x{{{:X}}}-\\x{{{:X}}}", b.first, b.last);
          if (in_class) {
            if (negated) return Invalid("regular expression: \\P{Is…} inside [] is unsupported");
            return range;
          }
          return fmt::format("[{}{}]", negated ? "^" : "", range);
        }
      }
      return Invalid(fmt::format("regular expression: unknown block '{}'", block));
    }
    static constexpr auto kCategories = std::to_array<std::string_view>(
        {"L",  "Lu", "Ll", "Lt", "Lm", "Lo", "M",  "Mn", "Mc", "Me", "N",  "Nd", "Nl",
         "No", "P",  "Pc", "Pd", "Ps", "Pe", "Pi", "Pf", "Po", "Z",  "Zs", "Zl", "Zp",
         "S",  "Sm", "Sc", "Sk", "So", "C",  "Cc", "Cf", "Co", "Cn", "Cs"});
    for (std::string_view cat : kCategories) {
      if (cat == name) return fmt::format("\\{}{{{}}}", negated ? 'P' : 'p', name);
    }
    return Invalid(fmt::format("regular expression: unknown category '{}'", name));
  }

  // An escape; i_ at the backslash.
  Result<std::string> Escape(bool in_class) {
    ++i_;
    if (i_ >= p_.size()) return Invalid("regular expression: trailing '\\'");
    char c = p_[i_++];
    switch (c) {
      case 'n':
        return std::string("\\n");
      case 'r':
        return std::string("\\r");
      case 't':
        return std::string("\\t");
      case '\\':
      case '|':
      case '.':
      case '?':
      case '*':
      case '+':
      case '(':
      case ')':
      case '{':
      case '}':
      case '-':
      case '[':
      case ']':
      case '^':
      case '$':
      case 'd':
      case 'D':
        return std::string{'\\', c};
      case 's':
        return in_class ? std::string(kSpace) : fmt::format("[{}]", kSpace);
      case 'S':
        return in_class ? std::string("\\S") : fmt::format("[^{}]", kSpace);
      case 'i':
        return in_class ? std::string(kNameStart) : fmt::format("[{}]", kNameStart);
      case 'I':
        if (in_class) return Invalid("regular expression: \\I inside [] is unsupported");
        return fmt::format("[^{}]", kNameStart);
      case 'c':
        return in_class ? std::string(kNameChar) : fmt::format("[{}]", kNameChar);
      case 'C':
        if (in_class) return Invalid("regular expression: \\C inside [] is unsupported");
        return fmt::format("[^{}]", kNameChar);
      case 'w':
        // XPath: every character except punctuation, separators and "other".
        return in_class ? std::string("\\w") : std::string("[^\\p{P}\\p{Z}\\p{C}]");
      case 'W':
        return in_class ? std::string("\\W") : std::string("[\\p{P}\\p{Z}\\p{C}]");
      case 'p':
      case 'P':
        return Property(c == 'P', in_class);
      default:
        break;
    }
    if (c >= '1' && c <= '9' && !in_class) {
      // A back-reference to a group already closed or open: the longest digit run that names
      // an existing group.
      size_t n = static_cast<size_t>(c - '0');
      while (i_ < p_.size() && isdigit(static_cast<unsigned char>(p_[i_])) != 0 &&
             n * 10 + static_cast<size_t>(p_[i_] - '0') <= groups_) {
        n = n * 10 + static_cast<size_t>(p_[i_] - '0');
        ++i_;
      }
      if (n > groups_) {
        return Invalid(fmt::format("regular expression: back-reference \\{} to no group", n));
      }
      return fmt::format("(?:\\{})", n);
    }
    return Invalid(fmt::format("regular expression: '\\{}' is not an XPath escape", c));
  }

  // A character class, with XPath subtraction `[base-[excluded]]`; i_ at '['.
  Result<std::string> Class() {
    ++i_;
    std::string body;
    bool negated = false;
    if (i_ < p_.size() && p_[i_] == '^') {
      negated = true;
      ++i_;
    }
    bool first = true;
    std::optional<std::string> subtract;
    while (true) {
      if (i_ >= p_.size()) return Invalid("regular expression: unterminated '['");
      char c = p_[i_];
      if (c == ']' && !first) {
        ++i_;
        break;
      }
      if (c == '-' && i_ + 1 < p_.size() && p_[i_ + 1] == '[') {
        ++i_;
        TB_ASSIGN_OR_RETURN(std::string sub, Class());
        subtract = std::move(sub);
        if (i_ >= p_.size() || p_[i_] != ']') {
          return Invalid("regular expression: a subtraction must end its class");
        }
        ++i_;
        break;
      }
      if (c == '[') return Invalid("regular expression: unescaped '[' inside a class");
      if (c == '\\') {
        TB_ASSIGN_OR_RETURN(std::string esc, Escape(/*in_class=*/true));
        body += esc;
      } else if (c == ']' && first) {
        return Invalid("regular expression: empty class '[]'");
      } else {
        // Escape characters PCRE2 would read specially inside a class.
        if (c == ':' || c == '&' || c == '~') body += '\\';
        body += c;
        ++i_;
      }
      first = false;
    }
    if (body.empty()) return Invalid("regular expression: empty class");
    std::string cls = fmt::format("[{}{}]", negated ? "^" : "", body);
    if (subtract) return fmt::format("(?:(?!{}){})", *subtract, cls);
    return cls;
  }

  std::string_view p_;
  bool dot_all_;
  bool extended_;
  size_t i_ = 0;
  size_t groups_ = 0;
};

struct Flags {
  bool dot_all = false;
  bool multi_line = false;
  bool caseless = false;
  bool extended = false;
  bool literal = false;
};

Result<Flags> ParseFlags(std::string_view flags) {
  Flags f;
  for (char c : flags) {
    switch (c) {
      case 's':
        f.dot_all = true;
        break;
      case 'm':
        f.multi_line = true;
        break;
      case 'i':
        f.caseless = true;
        break;
      case 'x':
        f.extended = true;
        break;
      case 'q':
        f.literal = true;
        break;
      default:
        return Invalid(fmt::format("regular expression: unknown flag '{}'", c));
    }
  }
  return f;
}

}  // namespace

struct XPathRegex::Compiled {
  pcre2_code* code = nullptr;
  pcre2_match_context* match_context = nullptr;
  bool literal = false;
  bool matches_empty = false;
  ~Compiled() {
    pcre2_match_context_free(match_context);
    pcre2_code_free(code);
  }
};

namespace {

// Successive matches over one input. The UTF-8 check of the whole input happens on the first
// call only (PCRE2 would otherwise repeat it at every start offset: quadratic on long input).
class Matcher {
 public:
  Matcher(pcre2_code* code, pcre2_match_context* ctx, std::string_view input)
      : code_(code),
        ctx_(ctx),
        input_(input),
        md_(pcre2_match_data_create_from_pattern(code, nullptr)) {}
  ~Matcher() { pcre2_match_data_free(md_); }
  Matcher(const Matcher&) = delete;
  Matcher& operator=(const Matcher&) = delete;

  // The match from `start`: true with ovector() filled, false when there is none, an error
  // when PCRE2 gave up (limits, invalid UTF-8).
  Result<bool> Next(size_t start) {
    if (md_ == nullptr) return Error(ErrorCode::kInternal, "regular expression: out of memory");
    int rc = pcre2_match(code_, reinterpret_cast<PCRE2_SPTR>(input_.data()), input_.size(), start,
                         checked_ ? PCRE2_NO_UTF_CHECK : 0, md_, ctx_);
    checked_ = true;
    if (rc == PCRE2_ERROR_NOMATCH) return false;
    if (rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT ||
        rc == PCRE2_ERROR_HEAPLIMIT) {
      return Invalid("regular expression: too complex for this input (match limit reached)");
    }
    if (rc < 0) {
      std::array<PCRE2_UCHAR, 256> msg{};
      pcre2_get_error_message(rc, msg.data(), msg.size());
      return Invalid(
          fmt::format("regular expression: {}", reinterpret_cast<const char*>(msg.data())));
    }
    return true;
  }
  // Start and end of group n (PCRE2_UNSET when it did not take part).
  size_t Start(size_t n) const { return pcre2_get_ovector_pointer(md_)[2 * n]; }
  size_t End(size_t n) const { return pcre2_get_ovector_pointer(md_)[2 * n + 1]; }
  size_t Groups() const { return pcre2_get_ovector_count(md_) - 1; }

 private:
  pcre2_code* code_;
  pcre2_match_context* ctx_;
  std::string_view input_;
  pcre2_match_data* md_;
  bool checked_ = false;
};

}  // namespace

Result<std::string> TranslateXPathRegex(std::string_view pattern, bool dot_all) {
  return Translator(pattern, dot_all, /*extended=*/false).Run();
}

Result<XPathRegex> XPathRegex::Compile(std::string_view pattern, std::string_view flags) {
  TB_ASSIGN_OR_RETURN(Flags f, ParseFlags(flags));
  if (pattern.size() > kMaxPatternLength) return Invalid("regular expression: pattern too long");
  std::string translated;
  uint32_t options = PCRE2_UTF;
  if (f.literal) {
    // PCRE2_LITERAL admits only a few other options (UTF and CASELESS among them).
    translated = pattern;
    options |= PCRE2_LITERAL;
  } else {
    options |= PCRE2_UCP | PCRE2_DOLLAR_ENDONLY;
    TB_ASSIGN_OR_RETURN(translated, Translator(pattern, f.dot_all, f.extended).Run());
    if (f.multi_line) options |= PCRE2_MULTILINE;
  }
  if (f.caseless) options |= PCRE2_CASELESS;
  int error = 0;
  PCRE2_SIZE offset = 0;
  auto compiled = std::make_shared<Compiled>();
  compiled->literal = f.literal;
  compiled->code = pcre2_compile(reinterpret_cast<PCRE2_SPTR>(translated.data()), translated.size(),
                                 options, &error, &offset, nullptr);
  if (compiled->code == nullptr) {
    std::array<PCRE2_UCHAR, 256> msg{};
    pcre2_get_error_message(error, msg.data(), msg.size());
    return Invalid(
        fmt::format("regular expression: {}", reinterpret_cast<const char*>(msg.data())));
  }
  compiled->match_context = pcre2_match_context_create(nullptr);
  if (compiled->match_context == nullptr) {
    return Error(ErrorCode::kInternal, "regular expression: out of memory");
  }
  pcre2_set_match_limit(compiled->match_context, kMatchLimit);
  pcre2_set_depth_limit(compiled->match_context, kDepthLimit);
  pcre2_set_heap_limit(compiled->match_context, kHeapLimitKib);
  Matcher empty(compiled->code, compiled->match_context, std::string_view());
  TB_ASSIGN_OR_RETURN(compiled->matches_empty, empty.Next(0));
  return XPathRegex(std::move(compiled));
}

Result<bool> XPathRegex::Matches(std::string_view input) const {
  Matcher m(compiled_->code, compiled_->match_context, input);
  return m.Next(0);
}

namespace {

// Expands an XPath replacement string for one match.
Result<void> Expand(std::string_view replacement, std::string_view input, const Matcher& m,
                    std::string& out) {
  const size_t groups = m.Groups();
  for (size_t i = 0; i < replacement.size(); ++i) {
    char c = replacement[i];
    if (c == '\\') {
      if (i + 1 < replacement.size() && (replacement[i + 1] == '\\' || replacement[i + 1] == '$')) {
        out += replacement[++i];
        continue;
      }
      return Invalid("replace: '\\' in the replacement must be followed by '\\' or '$'");
    }
    if (c == '$') {
      if (i + 1 >= replacement.size() ||
          isdigit(static_cast<unsigned char>(replacement[i + 1])) == 0) {
        return Invalid("replace: '$' in the replacement must be followed by a group number");
      }
      size_t n = static_cast<size_t>(replacement[++i] - '0');
      while (i + 1 < replacement.size() &&
             isdigit(static_cast<unsigned char>(replacement[i + 1])) != 0 &&
             n * 10 + static_cast<size_t>(replacement[i + 1] - '0') <= groups) {
        n = n * 10 + static_cast<size_t>(replacement[++i] - '0');
      }
      if (n <= groups && m.Start(n) != PCRE2_UNSET) {
        out += input.substr(m.Start(n), m.End(n) - m.Start(n));
      }
      continue;
    }
    out += c;
  }
  return Ok();
}

}  // namespace

Result<std::string> XPathRegex::Replace(std::string_view input,
                                        std::string_view replacement) const {
  if (compiled_->matches_empty) {
    return Invalid("replace: the pattern matches the empty string");
  }
  std::string out;
  size_t pos = 0;
  Matcher m(compiled_->code, compiled_->match_context, input);
  while (pos <= input.size()) {
    TB_ASSIGN_OR_RETURN(bool found, m.Next(pos));
    if (!found) break;
    out.append(input.substr(pos, m.Start(0) - pos));
    if (compiled_->literal) {
      out.append(replacement);
    } else {
      TB_RETURN_IF_ERROR(Expand(replacement, input, m, out));
    }
    pos = m.End(0) > m.Start(0) ? m.End(0) : utf8::NextBoundary(input, m.End(0));
  }
  if (pos < input.size()) out.append(input.substr(pos));
  return out;
}

Result<std::vector<std::string>> XPathRegex::Split(std::string_view input) const {
  if (compiled_->matches_empty) {
    return Invalid("split: the pattern matches the empty string");
  }
  std::vector<std::string> parts;
  if (input.empty()) return parts;
  size_t pos = 0;
  Matcher m(compiled_->code, compiled_->match_context, input);
  while (true) {
    TB_ASSIGN_OR_RETURN(bool found, m.Next(pos));
    if (!found) break;
    parts.emplace_back(input.substr(pos, m.Start(0) - pos));
    pos = m.End(0);
  }
  parts.emplace_back(input.substr(pos));
  return parts;
}

Result<bool> RegexMatches(std::string_view input, std::string_view pattern,
                          std::string_view flags) {
  TB_ASSIGN_OR_RETURN(XPathRegex re, XPathRegex::Compile(pattern, flags));
  return re.Matches(input);
}

Result<std::string> RegexReplace(std::string_view input, std::string_view pattern,
                                 std::string_view replacement, std::string_view flags) {
  TB_ASSIGN_OR_RETURN(XPathRegex re, XPathRegex::Compile(pattern, flags));
  return re.Replace(input, replacement);
}

Result<std::vector<std::string>> RegexSplit(std::string_view input, std::string_view pattern,
                                            std::string_view flags) {
  TB_ASSIGN_OR_RETURN(XPathRegex re, XPathRegex::Compile(pattern, flags));
  return re.Split(input);
}

}  // namespace tongban::feel
