// The FEEL scanner: turns text into tokens on demand. Names are scanned one word at a time;
// the parser joins words (and the symbols . / - ' + * the grammar allows inside names) into the
// longest name known in scope, because FEEL names may contain spaces (`date and time`).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace tongban::feel {

enum class Tok : uint8_t {
  kEnd,
  kError,
  kNumber,
  kString,
  kName,
  kAt,  // @"..." temporal literal; text holds the decoded string
  kLParen,
  kRParen,
  kLBracket,
  kRBracket,
  kLBrace,
  kRBrace,
  kComma,
  kColon,
  kDot,
  kDotDot,
  kPlus,
  kMinus,
  kStar,
  kStarStar,
  kSlash,
  kEq,
  kNe,
  kLt,
  kLe,
  kGt,
  kGe,
  kArrow,  // ->
};

struct Token {
  Tok kind = Tok::kEnd;
  int begin = 0;  // byte offsets
  int end = 0;
  std::string text;  // name word, number text, decoded string, or the error message
};

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}
  // The next token from position pos(); skips white space and comments (// and /* */).
  Token Next();
  int pos() const { return pos_; }
  void set_pos(int pos) { pos_ = pos; }
  std::string_view text() const { return text_; }

  // Skips white space and comments from `pos`; returns the new position.
  int SkipSpace(int pos) const;
  // Whether the code point at `pos` can start / continue a name.
  bool IsNameStartAt(int pos) const;
  bool IsNamePartAt(int pos) const;
  // The length in bytes of the name word starting at `pos` (0 when none).
  int WordLength(int pos) const;

  // 1-based line and column (in code points) of a byte offset.
  void LineColumn(int offset, int* line, int* column) const;

 private:
  Token Make(Tok kind, int begin, int end, std::string text = {});
  Token ScanString(int begin);
  std::string_view text_;
  int pos_ = 0;
};

}  // namespace tongban::feel
