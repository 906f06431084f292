// Small text helpers shared by the catalog's parser, validator and repository.
#pragma once

#include <string>
#include <string_view>

namespace tongban::catalog {

// At most `max_bytes` of `text` for an error message, cut at a character boundary, with invalid
// bytes and control characters replaced by '?', so a message never carries broken UTF-8.
std::string Excerpt(std::string_view text, size_t max_bytes = 40);

// ASCII lower-casing; other bytes unchanged (search text is compared this way on both backends).
std::string AsciiLower(std::string_view text);

// "a/b" joins of error paths; an empty base gives the key alone.
std::string JoinPath(std::string_view base, std::string_view key);
std::string JoinPath(std::string_view base, size_t index);

// URL-safe base64 without padding, for opaque cursors.
std::string Base64UrlEncode(std::string_view bytes);
// Decodes Base64UrlEncode output; false on any other input.
bool Base64UrlDecode(std::string_view text, std::string* out);

}  // namespace tongban::catalog
