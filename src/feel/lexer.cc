// The FEEL scanner (DMN 1.5 §10.3.1.2 grammar rules 18-40: literals, names, punctuation).
#include "feel/lexer.h"

#include "base/utf8.h"

namespace tongban::feel {
namespace {

// The code point at byte `pos` of `s` and its length (U+FFFD and 1 for an invalid byte, which no
// name holds: the lexer reports it as an unexpected character).
utf8::Decoded DecodeAt(std::string_view s, int pos) {
  return utf8::Decode(s, static_cast<size_t>(pos));
}

bool IsNameStart(uint32_t c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == '?' ||
         (c >= 0xC0 && c <= 0xD6) || (c >= 0xD8 && c <= 0xF6) || (c >= 0xF8 && c <= 0x2FF) ||
         (c >= 0x370 && c <= 0x37D) || (c >= 0x37F && c <= 0x1FFF) || c == 0x200C || c == 0x200D ||
         (c >= 0x2070 && c <= 0x218F) || (c >= 0x2C00 && c <= 0x2FEF) ||
         (c >= 0x3001 && c <= 0xD7FF) || (c >= 0xF900 && c <= 0xFDCF) ||
         (c >= 0xFDF0 && c <= 0xFFFD && c != 0xFFFD) || (c >= 0x10000 && c <= 0xEFFFF);
}

bool IsNamePart(uint32_t c) {
  return IsNameStart(c) || (c >= '0' && c <= '9') || c == 0xB7 || (c >= 0x300 && c <= 0x36F) ||
         (c >= 0x203F && c <= 0x2040);
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

}  // namespace

int Lexer::SkipSpace(int pos) const {
  const int n = static_cast<int>(text_.size());
  while (pos < n) {
    const char c = text_[pos];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++pos;
    } else if (static_cast<unsigned char>(c) == 0xC2 && pos + 1 < n &&
               static_cast<unsigned char>(text_[pos + 1]) == 0xA0) {
      pos += 2;  // no-break space
    } else if (static_cast<unsigned char>(c) == 0xE3 && pos + 2 < n &&
               static_cast<unsigned char>(text_[pos + 1]) == 0x80 &&
               static_cast<unsigned char>(text_[pos + 2]) == 0x80) {
      pos += 3;  // ideographic space
    } else if (c == '/' && pos + 1 < n && text_[pos + 1] == '/') {
      while (pos < n && text_[pos] != '\n') ++pos;
    } else if (c == '/' && pos + 1 < n && text_[pos + 1] == '*') {
      const size_t close = text_.find("*/", pos + 2);
      pos = close == std::string_view::npos ? n : static_cast<int>(close) + 2;
    } else {
      break;
    }
  }
  return pos;
}

bool Lexer::IsNameStartAt(int pos) const {
  if (pos >= static_cast<int>(text_.size())) return false;
  return IsNameStart(DecodeAt(text_, pos).code_point);
}

bool Lexer::IsNamePartAt(int pos) const {
  if (pos >= static_cast<int>(text_.size())) return false;
  return IsNamePart(DecodeAt(text_, pos).code_point);
}

int Lexer::WordLength(int pos) const {
  if (!IsNameStartAt(pos)) return 0;
  int p = pos;
  const int n = static_cast<int>(text_.size());
  while (p < n) {
    const utf8::Decoded d = DecodeAt(text_, p);
    if (!IsNamePart(d.code_point)) break;
    p += static_cast<int>(d.length);
  }
  return p - pos;
}

void Lexer::LineColumn(int offset, int* line, int* column) const {
  int l = 1;
  int c = 1;
  int p = 0;
  const int end = std::min<int>(offset, static_cast<int>(text_.size()));
  while (p < end) {
    if (text_[p] == '\n') {
      ++l;
      c = 1;
      ++p;
      continue;
    }
    p += static_cast<int>(DecodeAt(text_, p).length);
    ++c;
  }
  *line = l;
  *column = c;
}

Token Lexer::Make(Tok kind, int begin, int end, std::string text) {
  pos_ = end;
  Token t;
  t.kind = kind;
  t.begin = begin;
  t.end = end;
  t.text = std::move(text);
  return t;
}

Token Lexer::ScanString(int begin) {
  // begin is at the opening quote.
  const int n = static_cast<int>(text_.size());
  std::string out;
  int p = begin + 1;
  while (p < n) {
    const char c = text_[p];
    if (c == '"') return Make(Tok::kString, begin, p + 1, std::move(out));
    if (c != '\\') {
      out.push_back(c);
      ++p;
      continue;
    }
    if (p + 1 >= n) break;
    const char e = text_[p + 1];
    p += 2;
    switch (e) {
      case '"':
        out.push_back('"');
        break;
      case '\'':
        out.push_back('\'');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'u':
      case 'U': {
        const int digits = e == 'u' ? 4 : 6;
        uint32_t cp = 0;
        for (int i = 0; i < digits; ++i) {
          const int h = p + i < n ? HexValue(text_[p + i]) : -1;
          if (h < 0) {
            return Make(Tok::kError, p - 2, p, "invalid \\" + std::string(1, e) + " escape");
          }
          cp = cp * 16 + h;
        }
        p += digits;
        // A UTF-16 surrogate pair written as two \u escapes.
        if (cp >= 0xD800 && cp <= 0xDBFF && p + 5 < n && text_[p] == '\\' && text_[p + 1] == 'u') {
          uint32_t low = 0;
          bool ok = true;
          for (int i = 0; i < 4; ++i) {
            const int h = HexValue(text_[p + 2 + i]);
            if (h < 0) ok = false;
            low = low * 16 + (h < 0 ? 0 : h);
          }
          if (ok && low >= 0xDC00 && low <= 0xDFFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            p += 6;
          }
        }
        if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
          return Make(Tok::kError, begin, p, "invalid code point in string escape");
        }
        utf8::Append(out, cp);
        break;
      }
      default:
        // Not an escape sequence of DMN 1.5 rule 64: the backslash is a character of its own,
        // as regular expressions need (`matches(x, "\\d+")`, TCK 0067/1109/1111).
        out.push_back('\\');
        p -= 1;
        break;
    }
  }
  return Make(Tok::kError, begin, n, "string not closed: missing \"");
}

Token Lexer::Next() {
  const int n = static_cast<int>(text_.size());
  pos_ = SkipSpace(pos_);
  const int b = pos_;
  if (b >= n) return Make(Tok::kEnd, n, n);
  const char c = text_[b];
  const char next = b + 1 < n ? text_[b + 1] : '\0';
  if (IsDigit(c) || (c == '.' && IsDigit(next))) {
    int p = b;
    while (p < n && IsDigit(text_[p])) ++p;
    if (p + 1 < n && text_[p] == '.' && IsDigit(text_[p + 1])) {
      ++p;
      while (p < n && IsDigit(text_[p])) ++p;
    }
    if (p < n && (text_[p] == 'e' || text_[p] == 'E')) {
      int q = p + 1;
      if (q < n && (text_[q] == '+' || text_[q] == '-')) ++q;
      if (q < n && IsDigit(text_[q])) {
        while (q < n && IsDigit(text_[q])) ++q;
        p = q;
      }
    }
    return Make(Tok::kNumber, b, p, std::string(text_.substr(b, p - b)));
  }
  if (c == '"') return ScanString(b);
  if (c == '@' && next == '"') {
    Token s = ScanString(b + 1);
    if (s.kind == Tok::kError) return s;
    return Make(Tok::kAt, b, s.end, std::move(s.text));
  }
  const int word = WordLength(b);
  if (word > 0) return Make(Tok::kName, b, b + word, std::string(text_.substr(b, word)));
  switch (c) {
    case '(':
      return Make(Tok::kLParen, b, b + 1);
    case ')':
      return Make(Tok::kRParen, b, b + 1);
    case '[':
      return Make(Tok::kLBracket, b, b + 1);
    case ']':
      return Make(Tok::kRBracket, b, b + 1);
    case '{':
      return Make(Tok::kLBrace, b, b + 1);
    case '}':
      return Make(Tok::kRBrace, b, b + 1);
    case ',':
      return Make(Tok::kComma, b, b + 1);
    case ':':
      return Make(Tok::kColon, b, b + 1);
    case '.':
      return next == '.' ? Make(Tok::kDotDot, b, b + 2) : Make(Tok::kDot, b, b + 1);
    case '+':
      return Make(Tok::kPlus, b, b + 1);
    case '-':
      return next == '>' ? Make(Tok::kArrow, b, b + 2) : Make(Tok::kMinus, b, b + 1);
    case '*':
      return next == '*' ? Make(Tok::kStarStar, b, b + 2) : Make(Tok::kStar, b, b + 1);
    case '/':
      return Make(Tok::kSlash, b, b + 1);
    case '=':
      return Make(Tok::kEq, b, b + 1);
    case '!':
      if (next == '=') return Make(Tok::kNe, b, b + 2);
      break;
    case '<':
      return next == '=' ? Make(Tok::kLe, b, b + 2) : Make(Tok::kLt, b, b + 1);
    case '>':
      return next == '=' ? Make(Tok::kGe, b, b + 2) : Make(Tok::kGt, b, b + 1);
    default:
      break;
  }
  const auto len = static_cast<int>(DecodeAt(text_, b).length);
  std::string shown(text_.substr(b, len));
  return Make(Tok::kError, b, b + len, "unexpected character '" + shown + "'");
}

}  // namespace tongban::feel
