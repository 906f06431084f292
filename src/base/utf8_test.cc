// UTF-8: decoding, validation, counting, boundaries and encoding, on ASCII, 2-, 3- and 4-byte
// sequences and on each kind of invalid byte.
#include "base/utf8.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace tongban::utf8 {
namespace {

// The code points Decode reads from `text`, U+FFFD for each invalid byte.
std::vector<char32_t> CodePoints(std::string_view text) {
  std::vector<char32_t> out;
  for (size_t i = 0; i < text.size();) {
    const Decoded d = Decode(text, i);
    out.push_back(d.code_point);
    i += d.length;
  }
  return out;
}

TEST(Utf8Test, DecodesEachSequenceLength) {
  const std::string text = "A\u00e9\u529e\U0001F600";  // A é 办 😀: 1 + 2 + 3 + 4 bytes
  ASSERT_EQ(text.size(), 10u);
  EXPECT_EQ(CodePoints(text), (std::vector<char32_t>{U'A', 0xE9, 0x529E, 0x1F600}));
  const Decoded han = Decode(text, 3);
  EXPECT_TRUE(han.valid);
  EXPECT_EQ(han.length, 3u);
  EXPECT_EQ(Decode(text, 6).length, 4u);
  // The edges of each length, and the last code point.
  EXPECT_EQ(
      CodePoints("\x7F\xC2\x80\xDF\xBF\xE0\xA0\x80\xEF\xBF\xBF\xF0\x90\x80\x80\xF4\x8F\xBF\xBF"),
      (std::vector<char32_t>{0x7F, 0x80, 0x7FF, 0x800, 0xFFFF, 0x10000, 0x10FFFF}));
  EXPECT_TRUE(IsValid(text));
  EXPECT_TRUE(IsValid(""));
  EXPECT_EQ(CodePointCount(text), 4u);
  EXPECT_EQ(CodePointCount("通办 2026"), 7u);
}

TEST(Utf8Test, EachInvalidByteDecodesAsOneReplacement) {
  struct Case {
    std::string bytes;
    const char* why;
  };
  const std::vector<Case> invalid = {
      {"\x80", "a stray continuation byte"},
      {"\xC0\xAF", "lead byte 0xC0 (an overlong '/')"},
      {"\xC1\xBF", "lead byte 0xC1"},
      {"\xE0\x80\xAF", "an overlong 3-byte form"},
      {"\xF0\x80\x80\xAF", "an overlong 4-byte form"},
      {"\xED\xA0\x80", "a surrogate (U+D800)"},
      {"\xF4\x90\x80\x80", "above U+10FFFF"},
      {"\xF5\x80\x80\x80", "lead byte 0xF5"},
      {"\xFF", "lead byte 0xFF"},
      {"\xE5\x8A", "a 3-byte sequence cut short"},
      {"\xE5\x41\x42", "a lead byte followed by ASCII"},
  };
  for (const Case& c : invalid) {
    EXPECT_FALSE(IsValid(c.bytes)) << c.why;
    const Decoded d = Decode(c.bytes, 0);
    EXPECT_FALSE(d.valid) << c.why;
    EXPECT_EQ(d.code_point, kReplacement) << c.why;
    EXPECT_EQ(d.length, 1u) << c.why;
  }
  // Decoding goes on at the next byte: the valid text around a bad byte is read whole.
  EXPECT_EQ(CodePoints("a\xE5\x41\xE5\x8A\x9E"),
            (std::vector<char32_t>{U'a', kReplacement, U'A', 0x529E}));
  EXPECT_FALSE(IsValid("通\xFF办"));
}

TEST(Utf8Test, CountingNeverFailsOnInvalidText) {
  // Lead and ASCII bytes count one, continuation bytes none: a cut sequence is one character, a
  // stray continuation byte none, and the count never exceeds the bytes.
  EXPECT_EQ(CodePointCount("\xE5\x8A"), 1u);
  EXPECT_EQ(CodePointCount("\x80\x80"), 0u);
  EXPECT_EQ(CodePointCount("a\xFF"
                           "b"),
            3u);
  EXPECT_EQ(CodePointCount(""), 0u);
}

TEST(Utf8Test, BoundariesStepOverWholeCodePoints) {
  const std::string text = "a办\U0001F600";
  EXPECT_EQ(NextBoundary(text, 0), 1u);
  EXPECT_EQ(NextBoundary(text, 1), 4u);
  EXPECT_EQ(NextBoundary(text, 4), text.size());
  // A stray continuation byte is stepped over with the ones after it, up to the next lead byte.
  EXPECT_EQ(NextBoundary("\x80\x80"
                         "a",
                         0),
            2u);
  EXPECT_TRUE(IsContinuation('\x80'));
  EXPECT_FALSE(IsContinuation('a'));
  EXPECT_FALSE(IsContinuation('\xE5'));
}

TEST(Utf8Test, AppendEncodesWhatDecodeReads) {
  for (char32_t cp : {char32_t{0x24}, char32_t{0xE9}, char32_t{0x7FF}, char32_t{0x800},
                      char32_t{0x529E}, char32_t{0xFFFD}, char32_t{0x10000}, char32_t{0x10FFFF}}) {
    std::string out;
    Append(out, cp);
    ASSERT_TRUE(IsValid(out)) << std::hex << static_cast<uint32_t>(cp);
    const Decoded d = Decode(out, 0);
    EXPECT_EQ(d.code_point, cp);
    EXPECT_EQ(d.length, out.size());
  }
  // What UTF-8 cannot carry becomes U+FFFD, never invalid bytes.
  for (char32_t cp : {char32_t{0xD800}, char32_t{0xDFFF}, char32_t{0x110000}}) {
    std::string out;
    Append(out, cp);
    EXPECT_EQ(out, "\uFFFD");
  }
}

}  // namespace
}  // namespace tongban::utf8
