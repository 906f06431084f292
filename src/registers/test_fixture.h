// The fixture of the registers' storage tests, run on each backend of store::testing::Backends():
// a database migrated with the trace, regions and registers, the trace, and the registers on a
// fake clock at 2026-11-26 in China. Every member is null when the backend is not available
// (PostgreSQL without TONGBAN_TEST_POSTGRES_URL): tests start with `if (!registers_) return;`.
#pragma once

#include <gtest/gtest.h>

#include <memory>

#include "base/clock.h"
#include "regions/region_import.h"
#include "registers/field_cipher.h"
#include "registers/register.h"
#include "registers/testing.h"
#include "store/testing.h"
#include "trace/trace.h"

namespace tongban::registers::testing {

class RegistersFixture : public ::testing::TestWithParam<store::Backend> {
 protected:
  void SetUp() override {
    temp_ = store::testing::TempDatabase::Create(GetParam());
    if (!temp_) return;
    db_ = temp_->Open();
    ASSERT_TRUE(db_);
    auto regions = regions::Migrations();
    auto mine = Migrations();
    ASSERT_TRUE(regions.ok() && mine.ok());
    const store::MigrationSet* sets[] = {&trace::TraceMigrations(), &*regions, &*mine};
    auto applied = db_->Migrate(sets);
    ASSERT_TRUE(applied.ok()) << applied.error().ToString();
    trace_ = std::make_unique<trace::Trace>(*db_, trace::Trace::Options{});
    auto reg = Registers::Create(*db_, *FieldCipher::Create(FixedKeys()), *trace_, clock_);
    ASSERT_TRUE(reg.ok()) << reg.error().ToString();
    registers_ = std::move(reg).value();
  }

  FakeClock clock_{StartOfDayInChina(*Date::Parse("2026-11-26"))};
  std::unique_ptr<store::testing::TempDatabase> temp_;
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<trace::Trace> trace_;
  std::unique_ptr<Registers> registers_;
};

}  // namespace tongban::registers::testing
