// Expected failures as values: one catalog of codes (error_codes.def), each with its HTTP status
// and whether clients may see it. An Error can carry every invalid field at once, so a request
// or an imported file is answered with all its problems, not the first one.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tongban {

enum class ErrorCode {
#define X(name, wire, status, visibility, title) name,
#include "base/error_codes.def"
#undef X
};

enum class Visibility { kPublic, kInternal };

struct ErrorInfo {
  ErrorCode code;
  std::string_view name;  // stable wire name, e.g. "invalid_argument"
  int http_status;
  Visibility visibility;
  std::string_view title;  // short English title for problem+json
};

// The catalog entry of `code`; every enumerator has one.
const ErrorInfo& Describe(ErrorCode code);
// All catalog entries, in declaration order (for documentation and the OpenAPI document).
const std::vector<ErrorInfo>& AllErrors();

// One invalid field: a JSON-pointer-like path ("scenarios/0/materials/2/name") and why.
struct FieldError {
  std::string field;
  std::string message;
  bool operator==(const FieldError&) const = default;
};

// clang-analyzer does not follow which member of Result's std::variant is active and calls
// moving an Error out of it garbage.
// NOLINTNEXTLINE(clang-analyzer-core.uninitialized.Assign)
class Error {
 public:
  Error(ErrorCode code, std::string message) : code_(code), message_(std::move(message)) {}
  Error(ErrorCode code, std::string message, std::vector<FieldError> fields)
      : code_(code), message_(std::move(message)), fields_(std::move(fields)) {}

  ErrorCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::vector<FieldError>& fields() const { return fields_; }
  const ErrorInfo& info() const { return Describe(code_); }

  // Adds context in front of the message: "loading catalog: <message>".
  Error& Prefix(std::string_view context);
  // "invalid_argument: message [field: why; ...]" for logs and the command line.
  std::string ToString() const;

 private:
  ErrorCode code_;
  std::string message_;
  std::vector<FieldError> fields_;
};

// Collects field errors while validating a whole input, then yields one Error listing them all.
class FieldErrors {
 public:
  void Add(std::string field, std::string message) {
    fields_.push_back({std::move(field), std::move(message)});
  }
  bool empty() const { return fields_.empty(); }
  size_t size() const { return fields_.size(); }
  const std::vector<FieldError>& fields() const { return fields_; }
  // An kInvalidArgument error listing every field added so far.
  Error ToError(std::string message) const;

 private:
  std::vector<FieldError> fields_;
};

}  // namespace tongban
