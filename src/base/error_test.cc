#include "base/error.h"

#include <gtest/gtest.h>

#include <set>

#include "base/result.h"

namespace tongban {
namespace {

TEST(ErrorCatalog, EveryCodeHasOneEntryWithAStatus) {
  std::set<std::string_view> names;
  for (size_t i = 0; i < AllErrors().size(); ++i) {
    const ErrorInfo& info = AllErrors()[i];
    EXPECT_EQ(static_cast<size_t>(info.code), i);
    EXPECT_TRUE(names.insert(info.name).second) << "duplicate wire name " << info.name;
    EXPECT_GE(info.http_status, 400);
    EXPECT_LT(info.http_status, 600);
    // Internal failures must never look like the client's fault.
    if (info.visibility == Visibility::kInternal) {
      EXPECT_GE(info.http_status, 500);
    }
  }
  EXPECT_EQ(Describe(ErrorCode::kNotFound).http_status, 404);
  EXPECT_EQ(Describe(ErrorCode::kVersionMismatch).http_status, 412);
}

TEST(FieldErrors, ListsEveryFieldInOrder) {
  FieldErrors errors;
  errors.Add("name", "is required");
  errors.Add("code", "must be 16 characters");
  Error e = errors.ToError("matter is invalid");
  EXPECT_EQ(e.code(), ErrorCode::kInvalidArgument);
  ASSERT_EQ(e.fields().size(), 2u);
  EXPECT_EQ(e.fields()[1].field, "code");
  EXPECT_EQ(e.ToString(),
            "invalid_argument: matter is invalid [name: is required; code: must be 16 characters]");
}

Result<int> Half(int x) {
  if (x % 2) return Error(ErrorCode::kInvalidArgument, "odd");
  return x / 2;
}

Result<int> Quarter(int x) {
  TB_ASSIGN_OR_RETURN(int h, Half(x));
  return Half(h);
}

TEST(Result, PropagatesErrorsAndValues) {
  EXPECT_EQ(*Quarter(8), 2);
  Result<int> r = Quarter(6);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message(), "odd");
  Status s = Error(ErrorCode::kConflict, "x");
  EXPECT_FALSE(s.ok());
  EXPECT_TRUE(Ok().ok());
}

}  // namespace
}  // namespace tongban
